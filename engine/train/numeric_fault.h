// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A training step stopped by a non-finite value (NaN or Inf) in its loss, a gradient or the Adam
// update, before it changed the model: DataParallelStep::run checks the summed loss and every
// gradient before clipping and Adam, and Adam verifies its update before writing any weight.
#include "engine/core/error.h"

#include <cstdint>
#include <string>

namespace al {

/// Where a step's non-finite value was found.
enum class FaultSite {
    Loss,       ///< the label-smoothed cross-entropy of the batch
    LengthLoss, ///< NAT: the length predictor's cross-entropy
    Gradient,   ///< the summed gradient of a parameter
    Update,     ///< the weight or an Adam moment that the update would write
};

/// Which non-finite value it was.
enum class NonFinite { NaN, Inf };

/// "NaN" or "Inf".
const char* non_finite_name(NonFinite kind);

/// Thrown by a training step that met a non-finite value. Nothing of the step was applied: the
/// weights, Adam moments, BatchNorm running statistics and the step count stay those of step
/// kept_step() = step() - 1. what() names the step and the value, e.g.
/// "step 3: gradient of transformer.encoder.layers.0.linear1.weight is not finite (NaN)",
/// "step 3: loss is not finite (Inf)",
/// "step 3: the Adam update of transformer.decoder.norm.weight is not finite (NaN)".
class NumericFault : public Error {
public:
    /// `parameter`: the ParamStore name for FaultSite::Gradient and FaultSite::Update, else "".
    NumericFault(int64_t step, FaultSite site, const std::string& parameter, NonFinite kind);

    int64_t step() const { return m_step; }              ///< the step that failed (1-based)
    int64_t kept_step() const { return m_step - 1; }     ///< the step whose weights are kept
    FaultSite site() const { return m_site; }
    const std::string& parameter() const { return m_parameter; }
    NonFinite kind() const { return m_kind; }

private:
    int64_t m_step;
    FaultSite m_site;
    std::string m_parameter;
    NonFinite m_kind;
};

} // namespace al
