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

NonFiniteParam first_non_finite_gradient(const ParamStore& params)
{
    for (const auto& p : params.all()) {
        if (p->grad.allFinite())
            continue;
        return {p.get(), p->grad.hasNaN() ? NonFinite::NaN : NonFinite::Inf};
    }
    return {};
}

namespace {

using ArrayMap = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
using ConstArrayMap = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;

struct AdamCoefficients {
    Scalar b1, b2, step_size, inv_sqrt_bc2, eps, grad_scale;
};

// One parameter's Adam update in chunks of 1024 elements: one fused pass over (grad, m, v, value)
// per chunk, no temporary the size of the parameter, and each chunk stays in L1 between the three
// updates. `write`: the update is written in place. Otherwise the same expressions are evaluated
// into chunk-sized buffers and only checked: false at the first chunk with a NaN or an Inf among
// the new m, v or value (`nan`: one of them is a NaN), nothing written.
template <bool write>
bool adam_param(Param& p, const AdamCoefficients& c, bool& nan)
{
    constexpr Eigen::Index chunk = 1024;
    [[maybe_unused]] Eigen::Array<Scalar, chunk, 1> m1, v1, w1;
    const Eigen::Index n = p.value.size();
    for (Eigen::Index k = 0; k < n; k += chunk) {
        const Eigen::Index len = std::min(chunk, n - k);
        const auto g = ConstArrayMap(p.grad.data() + k, len) * c.grad_scale;
        ArrayMap m(p.adam_m.data() + k, len), v(p.adam_v.data() + k, len), w(p.value.data() + k, len);
        if constexpr (write) {
            m = c.b1 * m + (1 - c.b1) * g;
            v = c.b2 * v + (1 - c.b2) * g.square();
            w -= c.step_size * m / (v.sqrt() * c.inv_sqrt_bc2 + c.eps);
        } else {
            auto m_new = m1.head(len);
            auto v_new = v1.head(len);
            auto w_new = w1.head(len);
            m_new = c.b1 * m + (1 - c.b1) * g;
            v_new = c.b2 * v + (1 - c.b2) * g.square();
            w_new = w - c.step_size * m_new / (v_new.sqrt() * c.inv_sqrt_bc2 + c.eps);
            // x * 0 is 0 for a finite x and NaN for a NaN or an Inf: one vectorised sum, which
            // (unlike a sum of the values) cannot overflow.
            if ((m_new * Scalar(0) + v_new * Scalar(0) + w_new * Scalar(0)).sum() != 0) {
                nan = m_new.hasNaN() || v_new.hasNaN() || w_new.hasNaN();
                return false;
            }
        }
    }
    return true;
}

} // namespace

NonFiniteParam adam_update(ParamStore& params, const TrainConfig& cfg, int64_t step, double lr, Scalar grad_scale)
{
    const double bc1 = 1.0 - std::pow(cfg.adam_beta1, double(step));
    const double bc2 = 1.0 - std::pow(cfg.adam_beta2, double(step));
    AdamCoefficients c;
    c.b1 = Scalar(cfg.adam_beta1);
    c.b2 = Scalar(cfg.adam_beta2);
    c.step_size = Scalar(lr / bc1);
    c.inv_sqrt_bc2 = Scalar(1.0 / std::sqrt(bc2));
    c.eps = Scalar(cfg.adam_eps);
    c.grad_scale = grad_scale;
    const auto& all = params.all();
    const int count = int(all.size());
    // Check every parameter's update first; the parameter whose update is not finite with the
    // lowest index wins, whatever the threads' order.
    int faulty = count;
    bool faulty_nan = false;
#pragma omp parallel for schedule(dynamic)
    for (int i = 0; i < count; ++i) {
        Param& p = *all[size_t(i)];
        bool nan = false;
        if (!p.trainable || adam_param<false>(p, c, nan))
            continue;
#pragma omp critical(al_adam_fault)
        if (i < faulty) {
            faulty = i;
            faulty_nan = nan;
        }
    }
    if (faulty < count)
        return {all[size_t(faulty)].get(), faulty_nan ? NonFinite::NaN : NonFinite::Inf};
#pragma omp parallel for schedule(dynamic)
    for (int i = 0; i < count; ++i) {
        Param& p = *all[size_t(i)];
        bool nan = false;
        if (p.trainable)
            adam_param<true>(p, c, nan);
    }
    return {};
}

} // namespace al
