// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/norm.h"
#include "engine/core/error.h"

#include <cmath>

namespace al {

// ---------------------------------------------------------------------------------------------
// LayerNorm

LayerNorm::LayerNorm(ParamStore& store, const std::string& prefix, int C, double eps_)
    : eps(eps_)
{
    weight = store.add(prefix + ".weight", {C});
    bias = store.add(prefix + ".bias", {C});
    weight->value.setOnes();
}

void LayerNorm::forward(const Mat& x, Mat& y, LayerNormCache& cache) const
{
    const Eigen::Index N = x.rows(), C = x.cols();
    cache.xhat.resize(N, C);
    cache.rstd.resize(N);
    y.resize(N, C);
    const auto gamma = weight->value.row(0).array();
    const auto beta = bias->value.row(0).array();
    for (Eigen::Index r = 0; r < N; ++r) {
        const auto row = x.row(r).array();
        const Scalar mean = row.mean();
        const Scalar var = (row - mean).square().mean();
        const Scalar rstd = Scalar(1) / std::sqrt(var + Scalar(eps));
        cache.rstd(r) = rstd;
        cache.xhat.row(r).array() = (row - mean) * rstd;
        y.row(r).array() = cache.xhat.row(r).array() * gamma + beta;
    }
}

void LayerNorm::backward(const Mat& dy, const LayerNormCache& cache, Mat& dx)
{
    // forward: y = xhat * gamma + beta, xhat = (x - mean) * rstd
    const Eigen::Index N = dy.rows(), C = dy.cols();
    weight->grad_target().row(0).array() += (dy.array() * cache.xhat.array()).colwise().sum();
    bias->grad_target().row(0) += dy.colwise().sum();
    dx.resize(N, C);
    const auto gamma = weight->value.row(0).array();
    Eigen::Array<Scalar, 1, Eigen::Dynamic> g(C); // one buffer for every row, not one per row
    for (Eigen::Index r = 0; r < N; ++r) {
        g = dy.row(r).array() * gamma;
        const auto xh = cache.xhat.row(r).array();
        const Scalar mean_g = g.mean();
        const Scalar mean_gx = (g * xh).mean();
        dx.row(r).array() = cache.rstd(r) * (g - mean_g - xh * mean_gx);
    }
}

// ---------------------------------------------------------------------------------------------
// BatchNorm

BatchNorm::BatchNorm(ParamStore& store, const std::string& prefix, int C, double eps_)
    : eps(eps_)
{
    weight = store.add(prefix + ".weight", {C});
    bias = store.add(prefix + ".bias", {C});
    running_mean = store.add(prefix + ".running_mean", {C});
    running_var = store.add(prefix + ".running_var", {C});
    weight->value.setOnes();
    running_var->value.setOnes();
    running_mean->trainable = false;
    running_var->trainable = false;
}

void BatchNorm::forward(const Mat& x, Mat& y, bool train, const RowMask& rows, BatchNormCache& c) const
{
    const Eigen::Index N = x.rows(), C = x.cols();
    c.train = train;
    RowVec mean, var;
    if (train) {
        c.counted.assign(size_t(N), 0);
        int64_t n = 0;
        mean = RowVec::Zero(C);
        for (Eigen::Index r = 0; r < N; ++r)
            if (rows.counts(r)) {
                c.counted[size_t(r)] = 1;
                mean += x.row(r);
                ++n;
            }
        if (n == 0)
            throw Error("BatchNorm: no token in the batch to take statistics from");
        mean /= Scalar(n);
        var = RowVec::Zero(C);
        for (Eigen::Index r = 0; r < N; ++r)
            if (c.counted[size_t(r)])
                var.array() += (x.row(r) - mean).array().square();
        c.n = n;
        c.mean = mean;
        c.var_unbiased = n > 1 ? RowVec(var / Scalar(n - 1)) : RowVec(RowVec::Zero(C));
        var /= Scalar(n);
    } else {
        mean = running_mean->value.row(0);
        var = running_var->value.row(0);
        c.n = 0;
        c.counted.clear();
    }
    c.rstd = (var.array() + Scalar(eps)).rsqrt().matrix();
    c.xhat = ((x.rowwise() - mean).array().rowwise() * c.rstd.array()).matrix();
    y = ((c.xhat.array().rowwise() * weight->value.row(0).array()).rowwise() + bias->value.row(0).array()).matrix();
}

void BatchNorm::backward(const Mat& dy, const BatchNormCache& c, Mat& dx)
{
    // forward: y = xhat * gamma + beta, xhat = (x - mean) * rstd, mean and var over counted rows
    const Eigen::Index N = dy.rows();
    weight->grad_target().row(0).array() += (dy.array() * c.xhat.array()).colwise().sum();
    bias->grad_target().row(0) += dy.colwise().sum();
    const Mat g = (dy.array().rowwise() * weight->value.row(0).array()).matrix();
    dx = (g.array().rowwise() * c.rstd.array()).matrix();
    if (!c.train)
        return; // running statistics are constants
    const Scalar inv_n = Scalar(1) / Scalar(c.n);
    const RowVec mean_g = g.colwise().sum() * inv_n;
    const RowVec mean_gx = (g.array() * c.xhat.array()).colwise().sum().matrix() * inv_n;
    for (Eigen::Index r = 0; r < N; ++r)
        if (c.counted[size_t(r)])
            dx.row(r).array() -= c.rstd.array() * (mean_g.array() + c.xhat.row(r).array() * mean_gx.array());
}

void BatchNormStats::merge(const BatchNormStats& o)
{
    if (o.n == 0)
        return;
    if (n == 0) {
        *this = o;
        return;
    }
    const double na = double(n), nb = double(o.n), nt = na + nb;
    const Eigen::RowVectorXd d = o.mean - mean;
    mean += d * (nb / nt);
    m2 += o.m2 + d.array().square().matrix() * (na * nb / nt);
    n += o.n;
}

void BatchNormStats::add(const BatchNormCache& c)
{
    if (!c.train || c.n == 0)
        return;
    BatchNormStats part;
    part.n = c.n;
    part.mean = c.mean.cast<double>();
    part.m2 = c.var_unbiased.cast<double>() * double(c.n - 1);
    merge(part);
}

Eigen::RowVectorXd BatchNormStats::unbiased_var() const
{
    if (n < 2)
        return Eigen::RowVectorXd::Zero(mean.size());
    return m2 / double(n - 1);
}

void BatchNorm::update_running_stats(const std::vector<const BatchNormCache*>& caches)
{
    BatchNormStats stats;
    for (const BatchNormCache* c : caches)
        if (c)
            stats.add(*c);
    update_running_stats(stats);
}

void BatchNorm::update_running_stats(const BatchNormStats& stats)
{
    if (stats.n == 0)
        return;
    const Scalar m = Scalar(kMomentum);
    running_mean->value.row(0) = (1 - m) * running_mean->value.row(0) + m * stats.mean.cast<Scalar>();
    running_var->value.row(0) = (1 - m) * running_var->value.row(0) + m * stats.unbiased_var().cast<Scalar>();
}

NormKind parse_norm_kind(const std::string& name)
{
    if (name == "layernorm")
        return NormKind::LayerNorm;
    if (name == "batchnorm")
        return NormKind::BatchNorm;
    throw Error("norm must be \"layernorm\" or \"batchnorm\", got \"" + name + "\"");
}

Norm::Norm(ParamStore& store, const std::string& prefix, int C, double eps, NormKind kind_)
    : kind(kind_)
{
    if (kind == NormKind::LayerNorm)
        ln = LayerNorm(store, prefix, C, eps);
    else
        bn = BatchNorm(store, prefix, C, eps);
}

} // namespace al
