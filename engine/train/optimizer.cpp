// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/optimizer.h"

#include <algorithm>
#include <cmath>

namespace al {

double noam_learning_rate(int64_t s, int d_model, double factor, int warmup_steps)
{
    const double step = double(std::max<int64_t>(s, 1));
    const double warmup = double(std::max(warmup_steps, 1));
    return factor / std::sqrt(double(d_model)) * std::min(1.0 / std::sqrt(step), step / (warmup * std::sqrt(warmup)));
}

double noam_learning_rate(int64_t step, int d_model, const TrainConfig& train)
{
    return noam_learning_rate(step, d_model, train.lr_factor, train.warmup_steps);
}

GradClip clip_grad_norm(const ParamStore& params, double max_norm)
{
    GradClip c;
    double sq = 0;
    for (const auto& p : params.all())
        sq += double(p->grad.squaredNorm());
    c.norm = std::sqrt(sq);
    if (max_norm > 0 && c.norm > max_norm)
        c.scale = Scalar(max_norm / (c.norm + 1e-6));
    return c;
}

void adam_update(ParamStore& params, const TrainConfig& cfg, int64_t step, double lr, Scalar grad_scale)
{
    const double bc1 = 1.0 - std::pow(cfg.adam_beta1, double(step));
    const double bc2 = 1.0 - std::pow(cfg.adam_beta2, double(step));
    const Scalar b1 = Scalar(cfg.adam_beta1), b2 = Scalar(cfg.adam_beta2);
    const Scalar step_size = Scalar(lr / bc1);
    const Scalar inv_sqrt_bc2 = Scalar(1.0 / std::sqrt(bc2));
    const Scalar eps = Scalar(cfg.adam_eps);
    const auto& all = params.all();
#pragma omp parallel for schedule(dynamic)
    for (size_t i = 0; i < all.size(); ++i) {
        Param& p = *all[i];
        if (!p.trainable)
            continue;
        // One fused pass over (grad, m, v, value) per chunk of 1024 elements: no temporary the
        // size of the parameter, and each chunk stays in L1 between the three updates.
        constexpr Eigen::Index chunk = 1024;
        const Eigen::Index n = p.value.size();
        for (Eigen::Index k = 0; k < n; k += chunk) {
            const Eigen::Index len = std::min(chunk, n - k);
            const auto g = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>(p.grad.data() + k, len) * grad_scale;
            Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>> m(p.adam_m.data() + k, len), v(p.adam_v.data() + k, len),
                w(p.value.data() + k, len);
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g.square();
            w -= step_size * m / (v.sqrt() * inv_sqrt_bc2 + eps);
        }
    }
}

} // namespace al
