// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/models/config.h"

#include <nlohmann/json.hpp>
#include <string>

namespace al {

/// ModelConfig -> config.json object: every ModelConfig field under its own name, plus
/// "format": "attention-lab-model" and "format_version": 1.
nlohmann::json model_config_to_json(const ModelConfig& cfg);

/// config.json object -> validated ModelConfig. Unknown keys are ignored and absent keys keep
/// the ModelConfig defaults; "format" and "format_version" are checked when present. A key of
/// the wrong type or an impossible value (ModelConfig::validate) throws al::Error naming
/// `source` and the key, e.g. "model/config.json: key 'nhead' must be an integer, got string".
ModelConfig model_config_from_json(const nlohmann::json& j, const std::string& source);

} // namespace al
