// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/models/config.h"

#include <nlohmann/json.hpp>
#include <string>

namespace al {

/// ModelConfig -> config.json object, plus "format": "attention-lab-model" and "format_version": 1.
/// Encoder-decoder: every block key and the encoder-decoder keys (src/tgt_vocab_size,
/// src/tgt_tokens, both layer counts; "decoder" only when not "autoregressive"). One-stack task
/// model: the block keys, the used layer count (the other as 0) and "task", "model_kind",
/// "vocab_size", "labels", "tokens", "pooling", "num_segments", "suffix_len".
nlohmann::json model_config_to_json(const ModelConfig& cfg);

/// config.json object -> validated ModelConfig of either family: a "task" key makes it a one-stack
/// task model (ModelConfig::task), its absence an encoder-decoder. Unknown keys, and the keys of
/// the other family, are ignored; absent keys keep the ModelConfig defaults; "format" and "format_version" are checked when present. A key of
/// the wrong type or an impossible value (ModelConfig::validate) throws al::Error naming
/// `source` and the key, e.g. "model/config.json: key 'nhead' must be an integer, got string".
ModelConfig model_config_from_json(const nlohmann::json& j, const std::string& source);

} // namespace al
