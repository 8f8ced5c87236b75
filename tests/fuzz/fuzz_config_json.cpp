// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: config.json of every model kind (model_config_from_json for the
// encoder-decoder family, task_config_from_json for the task models) on arbitrary JSON. A
// config it accepts must round-trip: to_json(from_json(to_json(cfg))) == to_json(cfg).
#include "engine/core/error.h"
#include "engine/io/config_json.h"
#include "engine/models/task_models.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0;
    try {
        const al::ModelConfig cfg = al::model_config_from_json(j, "config.json");
        const nlohmann::json out = al::model_config_to_json(cfg);
        if (al::model_config_to_json(al::model_config_from_json(out, "again.json")) != out)
            std::abort();
    } catch (const al::Error&) {
    }
    try {
        const al::TaskModelConfig cfg = al::task_config_from_json(j, "config.json");
        nlohmann::json out;
        try {
            out = al::task_config_to_json(cfg);
            (void)out.dump();
        } catch (const nlohmann::json::exception&) {
            return 0; // a label that is not valid UTF-8 cannot be dumped
        }
        if (al::task_config_to_json(al::task_config_from_json(out, "again.json")) != out)
            std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
