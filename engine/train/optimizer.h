// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The optimizer step shared by every trainer: data-parallel gradient sum, global-norm clipping,
// the Noam learning-rate schedule and Adam.
#include "engine/models/config.h"
#include "engine/core/params.h"
#include "engine/core/tensor.h"
#include "engine/train/numeric_fault.h"

#include <cstdint>
#include <vector>

namespace al {

/// "Attention Is All You Need" eq. 3: lr = factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5).
/// step < 1 counts as 1; warmup < 1 as 1.
double noam_learning_rate(int64_t step, int d_model, double factor, int warmup_steps);
/// The same with factor and warm-up from a TrainConfig (lr_factor, warmup_steps): the rate of
/// every trainer.
double noam_learning_rate(int64_t step, int d_model, const TrainConfig& train);

/// Global L2 norm of all gradients (as torch.nn.utils.clip_grad_norm_ computes it) and the factor
/// that clips it to max_norm: min(1, max_norm / (norm + 1e-6)); max_norm <= 0 disables clipping.
struct GradClip {
    double norm = 0;   ///< ||g||_2 before clipping
    Scalar scale = 1;  ///< multiply the gradients by this
};
GradClip clip_grad_norm(const ParamStore& params, double max_norm);

/// A parameter holding a NaN or an Inf: in its gradient, or in what an update would write.
struct NonFiniteParam {
    const Param* param = nullptr;   ///< nullptr: every value is finite
    NonFinite kind = NonFinite::NaN; ///< NaN when the tensor holds any NaN, else Inf
    explicit operator bool() const { return param != nullptr; }
};

/// The first parameter in ParamStore order whose gradient holds a NaN or an Inf; an empty result
/// when every gradient is finite. Reads every gradient once.
NonFiniteParam first_non_finite_gradient(const ParamStore& params);

/// One Adam update (Kingma & Ba 2015, algorithm 1, with bias correction) of every trainable
/// parameter: g = grad_scale * grad; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// value -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps). `step` is t >= 1 (this update's
/// number). Needs the moment buffers (ParamStore::ensure_optimizer_state). Betas and eps from `cfg`.
/// Verified before anything is written: a first pass computes the new m, v and value of every
/// parameter by the same expressions, chunk by chunk, without storing them; when one of them would
/// hold a NaN or an Inf, nothing is written and the first such parameter (ParamStore order) is
/// returned. Otherwise a second pass writes the update and the result is empty.
NonFiniteParam adam_update(ParamStore& params, const TrainConfig& cfg, int64_t step, double lr, Scalar grad_scale);

} // namespace al
