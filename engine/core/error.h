// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <stdexcept>
#include <string>

namespace al {

/// The one exception type the engine throws. what() is a complete, user-facing message that
/// names the file, line, key or tensor at fault (e.g. "model.safetensors: tensor 'x' has shape
/// [3, 4], expected [4, 4]").
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace al
