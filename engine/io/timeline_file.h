// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The files of a training timeline (engine/trace/timeline.h) in a model directory
// (docs/timeline.md, "File format"):
//   timeline.json          format "attention-lab-timeline", version 1: the schedule, the memory
//                          bound, the probes, and per record its step, loss and per probe the
//                          tokens, the layer count of each kind and the head count;
//   timeline.safetensors   maps (float32, or float16 / bfloat16 in a converted model, widened to
//                          float32 on reading): "record<i>.probe<j>.<enc|dec|cross>" of shape
//                          (layers, heads, queries, keys), and "probe<j>.alignment" (T, S) for a
//                          probe with a reference alignment.
// Reading checks every count and size the JSON claims against TimelineLimits and against the
// tensor file's size before anything is allocated for it (the safetensors reader checks its own
// header the same way), then every tensor's name and shape, and that every value is finite and
// >= 0; a refusal names the file and the field.
#include "engine/io/safetensors.h"
#include "engine/trace/timeline.h"

#include <cstdint>
#include <string>

namespace al {

struct ModelConfig;

/// The largest sizes a timeline file may claim (inclusive).
struct TimelineLimits {
    static constexpr int64_t records = 1 << 20;
    static constexpr int probes = 256;
    static constexpr int tokens = 8192;                 ///< per token list (ModelLimits::max_len)
    static constexpr int64_t json_bytes = 256ll << 20;  ///< timeline.json
    static constexpr int64_t tensor_bytes = 4ll << 30;  ///< timeline.safetensors
};

inline constexpr const char* kTimelineJson = "timeline.json";
inline constexpr const char* kTimelineTensors = "timeline.safetensors";

/// Writes timeline.safetensors (its maps stored as `dtype`; F16 halves the file and rounds a
/// weight in [0, 1] by at most 2^-12), then timeline.json, into the directory `dir` (each atomic:
/// atomic_write_file). Throws al::Error naming the file on I/O failure.
void write_timeline_files(const std::string& dir, const TrainingTimeline& timeline,
                          StorageDtype dtype = StorageDtype::F32);

/// Reads dir/timeline.json and dir/timeline.safetensors with the checks above. Throws al::Error
/// "<path>: <field>: <problem>", e.g. "m/timeline.json: records[3].frames[0].heads: 0 is not in
/// [1, 256]" or "m/timeline.safetensors: record3.probe0.cross is 2 x 4 x 5 x 6, expected
/// 2 x 4 x 6 x 5".
TrainingTimeline read_timeline_files(const std::string& dir);

/// Refuses a timeline whose maps do not fit the model of `cfg`: per kind at most the model's
/// layers (encoder self-attention num_encoder_layers, decoder self-attention
/// num_decoder_layers, cross-attention num_decoder_layers of an encoder-decoder, none of a task
/// model) and exactly its nhead heads. Throws al::Error naming `json_path` and the record.
void check_timeline_fits(const TrainingTimeline& timeline, const ModelConfig& cfg, const std::string& json_path);

} // namespace al
