// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: trace_from_json on arbitrary JSON (what `translate --attention FILE` wrote and
// the GUI reads back). A trace it accepts must survive trace_to_json -> trace_from_json unchanged.
#include "engine/core/error.h"
#include "engine/io/trace_json.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return 0;
    al::Trace trace;
    try {
        trace = al::trace_from_json(j, "trace.json");
    } catch (const al::Error&) {
        return 0;
    }
    nlohmann::json out;
    try {
        out = al::trace_to_json(trace);
    } catch (const nlohmann::json::exception&) {
        return 0; // a token that is not valid UTF-8 cannot be dumped; the reader took it as stored
    }
    const al::Trace again = al::trace_from_json(out, "again.json");
    if (al::trace_to_json(again) != out)
        std::abort();
    return 0;
}
