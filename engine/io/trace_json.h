// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/trace/trace.h"

#include <nlohmann/json.hpp>
#include <string>

namespace al {

/// Trace -> JSON, the format `attention-lab translate --attention FILE` writes:
///   {"format": "attention-lab-trace", "version": 1,
///    "src_tokens": [S strings], "tgt_in_tokens": [T strings], "tgt_out_tokens": [T strings],
///    "encoder_self": [layer][head][S rows][S columns],
///    "decoder_self": [layer][head][T rows][T columns],
///    "cross":        [layer][head][T rows][S columns],
///    "decoding": {...}}   (only when the trace comes from decoding; see docs/format.md)
/// Each matrix is a list of rows (row-major: row = query position, column = key position);
/// the values are attention probabilities. A kind the trace does not hold is an empty list.
/// "decoding" holds the strategy, its options and one entry per decoding step (chosen token,
/// top-k next-token probabilities, the step's cross-attention rows [layer][head][S]).
nlohmann::json trace_to_json(const Trace& trace);

/// The inverse of trace_to_json. Throws al::Error naming `source` and the key at fault
/// (missing key, wrong type, ragged rows, a matrix whose shape does not match the token lists,
/// e.g. "a.json: 'cross'[0][1] is 3 x 4, expected 3 x 5", or an attention value outside the
/// range of a float).
Trace trace_from_json(const nlohmann::json& j, const std::string& source);

} // namespace al
