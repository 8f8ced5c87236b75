// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/activation.h"
#include "engine/core/error.h"

namespace al {

Activation parse_activation(const std::string& name)
{
    if (name == "relu")
        return Activation::Relu;
    if (name == "gelu")
        return Activation::Gelu;
    throw Error("activation must be \"relu\" or \"gelu\", got \"" + name + "\"");
}

} // namespace al
