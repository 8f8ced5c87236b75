// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/config.h"

#include <nlohmann/json.hpp>
#include <string>

namespace al {

/// ModelConfig <-> config.json. Unknown keys are ignored; a key of the wrong type or an
/// out-of-range value throws al::Error naming `source` and the key, e.g.
/// "model/config.json: key 'nhead' must be an integer, got string".
nlohmann::json model_config_to_json(const ModelConfig& cfg);
ModelConfig model_config_from_json(const nlohmann::json& j, const std::string& source);

} // namespace al
