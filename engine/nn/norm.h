// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Normalisation layers of a residual block.
//   LayerNorm (Ba, Kiros & Hinton 2016, "Layer Normalization", eq. 4), per row of C features:
//     mu = mean_c x,  var = mean_c (x - mu)^2 (biased),  y = (x - mu) / sqrt(var + eps) * gamma + beta
//   BatchNorm (Ioffe & Szegedy 2015, "Batch Normalization", algorithm 1), per feature over the
//     counted rows of the batch: the same formula with mu_B, var_B taken down the column, and
//     the running statistics of section 3.1 (algorithm 2) at evaluation time.
// "Attention Is All You Need" section 3.1 wraps every sublayer as LayerNorm(x + Sublayer(x)).
// Shapes use the legend of engine/core/tensor.h; N = number of rows (B*T).
#include "engine/core/params.h"
#include "engine/core/tensor.h"

#include <string>
#include <vector>

namespace al {

/// torch.nn.LayerNorm over the last dimension (Ba et al. 2016):
/// y = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance.
struct LayerNormCache {
    Mat xhat;      ///< (N, C) normalised input
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> rstd; ///< (N) 1 / sqrt(var + eps)
};
class LayerNorm {
public:
    LayerNorm() = default;
    LayerNorm(ParamStore& store, const std::string& prefix, int C, double eps);
    void forward(const Mat& x, Mat& y, LayerNormCache& cache) const;
    /// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma.
    void backward(const Mat& dy, const LayerNormCache& cache, Mat& dx);
    Param* weight = nullptr;
    Param* bias = nullptr;
    double eps = 1e-5;
};

/// Which rows of a (B*L, C) activation are real tokens: row b*L + t with t < len[b]. An empty
/// mask (len == nullptr) means every row counts.
struct RowMask {
    const std::vector<int>* len = nullptr; ///< B lengths
    int L = 0;                             ///< rows per sequence
    bool counts(Eigen::Index r) const { return !len || int(r % L) < (*len)[size_t(r / L)]; }
};

/// torch.nn.BatchNorm1d over the C features of token rows (Ioffe & Szegedy 2015, algorithm 1).
/// Training: y = (x - mu_B) / sqrt(var_B + eps) * gamma + beta with mu_B and the biased var_B over
/// the n non-padding rows of the batch (padding rows are normalised with them but do not count).
/// Evaluation: mu and var are the running statistics, updated after each training step by
/// update_running_stats(): running = (1 - momentum) * running + momentum * batch value, with the
/// unbiased batch variance, momentum 0.1, as torch. Parameters "<prefix>.weight", ".bias" (C)
/// and the non-trainable buffers ".running_mean", ".running_var" (C), saved in checkpoints.
struct BatchNormCache {
    bool train = false;
    Mat xhat;        ///< (N, C) normalised input
    RowVec rstd;     ///< (C) 1 / sqrt(var + eps) used
    RowVec mean;     ///< (C) batch mean (training only)
    RowVec var_unbiased; ///< (C) unbiased batch variance (training only; 0 when n < 2)
    int64_t n = 0;   ///< rows that counted (training only)
    std::vector<char> counted; ///< (N) 1 for rows that counted
};
struct BatchNormStats;
class BatchNorm {
public:
    BatchNorm() = default;
    BatchNorm(ParamStore& store, const std::string& prefix, int C, double eps);
    /// x (N, C) -> y (N, C). Throws al::Error when training on a batch with no counted row.
    void forward(const Mat& x, Mat& y, bool train, const RowMask& rows, BatchNormCache& cache) const;
    /// Training: g = dy * gamma; counted rows dx = rstd * (g - sum_all(g)/n - xhat * sum_all(g * xhat)/n)
    /// (sums over every row, since padding rows are normalised with the batch statistics too);
    /// padding rows dx = rstd * g. Evaluation: dx = rstd * g.
    void backward(const Mat& dy, const BatchNormCache& cache, Mat& dx);
    /// Folds the statistics of one training step into the running buffers. `caches` are the
    /// forward caches of this norm on every data-parallel shard of the step; their statistics
    /// are pooled (exact mean and unbiased variance of the union of counted rows) before one
    /// momentum update. Caches of evaluation passes are ignored.
    void update_running_stats(const std::vector<const BatchNormCache*>& caches);
    /// One momentum update from statistics pooled over a whole step (every micro-batch of every
    /// shard): running_mean = (1 - m) running_mean + m mean, running_var = (1 - m) running_var
    /// + m unbiased var, as torch.nn.BatchNorm1d on the whole batch. Nothing when stats.n == 0.
    void update_running_stats(const BatchNormStats& stats);
    Param* weight = nullptr;
    Param* bias = nullptr;
    Param* running_mean = nullptr;
    Param* running_var = nullptr;
    double eps = 1e-5;
    static constexpr double kMomentum = 0.1;
};

/// The batch statistics of one BatchNorm pooled over several training forward passes (the
/// micro-batches and data-parallel shards of one step): counted rows n, per-feature mean and
/// M2 = sum over counted rows of (x - mean)^2, in double precision. Passes are merged with the
/// pairwise update of Chan, Golub & LeVeque (1979): for parts a, b with d = mean_b - mean_a,
/// mean = mean_a + d n_b / n, M2 = M2_a + M2_b + d^2 n_a n_b / n, n = n_a + n_b. The result
/// is the mean and unbiased variance M2 / (n - 1) of the union of the counted rows, whatever
/// the split.
struct BatchNormStats {
    int64_t n = 0;
    Eigen::RowVectorXd mean, m2; ///< (C) each; empty while n == 0
    /// Adds the statistics of one training forward pass; evaluation caches are ignored.
    void add(const BatchNormCache& cache);
    void merge(const BatchNormStats& other);
    Eigen::RowVectorXd unbiased_var() const; ///< (C) M2 / (n - 1); zeros when n < 2
};

/// Layer normalisation or batch normalisation (config key "norm"), one at a time.
enum class NormKind { LayerNorm, BatchNorm };
/// Throws al::Error naming the key "norm" unless name is "layernorm" or "batchnorm".
NormKind parse_norm_kind(const std::string& name);
struct NormCache {
    LayerNormCache ln;
    BatchNormCache bn;
};
/// The norm of a residual sublayer or of the encoder/decoder output: a LayerNorm (the paper)
/// or a BatchNorm with the same parameter names (weight, bias; BatchNorm adds running_mean and
/// running_var). `train` and `rows` matter to BatchNorm only.
class Norm {
public:
    Norm() = default;
    Norm(ParamStore& store, const std::string& prefix, int C, double eps, NormKind kind = NormKind::LayerNorm);
    void forward(const Mat& x, Mat& y, NormCache& cache, bool train = false, const RowMask& rows = {}) const
    {
        if (kind == NormKind::LayerNorm)
            ln.forward(x, y, cache.ln);
        else
            bn.forward(x, y, train, rows, cache.bn);
    }
    void backward(const Mat& dy, const NormCache& cache, Mat& dx)
    {
        if (kind == NormKind::LayerNorm)
            ln.backward(dy, cache.ln, dx);
        else
            bn.backward(dy, cache.bn, dx);
    }
    NormKind kind = NormKind::LayerNorm;
    LayerNorm ln;
    BatchNorm bn;
};

} // namespace al
