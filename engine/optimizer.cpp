// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/optimizer.h"

#include <algorithm>
#include <cmath>

namespace al {

double noam_learning_rate(int64_t s, int d_model, double factor, int warmup_steps)
{
    const double step = double(std::max<int64_t>(s, 1));
    const double warmup = double(std::max(warmup_steps, 1));
    return factor / std::sqrt(double(d_model)) * std::min(1.0 / std::sqrt(step), step / (warmup * std::sqrt(warmup)));
}

void accumulate_replica_grads(ParamStore& into, const std::vector<const ParamStore*>& from)
{
    if (from.empty())
        return;
    const auto& all = into.all();
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < all.size(); ++i)
        for (const ParamStore* r : from)
            all[i]->grad += r->all()[i]->grad;
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
        const auto g = (p.grad.array() * grad_scale).eval();
        p.adam_m.array() = b1 * p.adam_m.array() + (1 - b1) * g;
        p.adam_v.array() = b2 * p.adam_v.array() + (1 - b2) * g.square();
        p.value.array() -= step_size * p.adam_m.array() / (p.adam_v.array().sqrt() * inv_sqrt_bc2 + eps);
    }
}

} // namespace al
