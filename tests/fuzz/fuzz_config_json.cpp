// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: config.json of every model kind (model_config_from_json reads the
// encoder-decoder and the task-model family alike) on arbitrary JSON. A config it accepts must
// round-trip: to_json(from_json(to_json(cfg))) == to_json(cfg).
#include "engine/core/error.h"
#include "engine/io/config_json.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0;
    al::ModelConfig cfg;
    try {
        cfg = al::model_config_from_json(j, "config.json");
    } catch (const al::Error&) {
        return 0;
    }
    nlohmann::json out;
    try {
        out = al::model_config_to_json(cfg);
        (void)out.dump();
    } catch (const nlohmann::json::exception&) {
        return 0; // a label that is not valid UTF-8 cannot be dumped
    }
    if (al::model_config_to_json(al::model_config_from_json(out, "again.json")) != out)
        std::abort();
    return 0;
}
