// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shape legend used everywhere in the engine (comments name tensors with these letters):
//   B batch size, S source length, T target length, C = d_model, H = nhead,
//   D = C / H head size, F = dim_feedforward, V vocabulary size.
// A batch's activations are row-major (B*T, C) matrices; row b*T + t is token t of sequence b.
// A linear layer's weight is (out, in) as in torch.nn.Linear, so y = x W^T + b.
#include <Eigen/Core>
#include <cstdint>
#include <random>

namespace al {

#ifdef AL_SCALAR_DOUBLE
using Scalar = double; // gradient-check build of the engine (tests only)
#else
using Scalar = float;
#endif

using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVec = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
using MatMap = Eigen::Map<Mat>;
using ConstMatMap = Eigen::Map<const Mat>;

/// Seeded random source. Every random choice in the engine (initialisation, dropout,
/// shuffling) draws from one of these so that a run is reproducible from its seed.
class Rng {
public:
    explicit Rng(uint64_t seed = 0) : m_gen(seed) {}
    void seed(uint64_t s) { m_gen.seed(s); }
    /// Uniform in [lo, hi).
    double uniform(double lo = 0.0, double hi = 1.0) {
        return std::uniform_real_distribution<double>(lo, hi)(m_gen);
    }
    double normal(double mean = 0.0, double stddev = 1.0) {
        return std::normal_distribution<double>(mean, stddev)(m_gen);
    }
    /// Uniform integer in [0, n).
    uint64_t below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(m_gen); }
    std::mt19937_64& engine() { return m_gen; }

private:
    std::mt19937_64 m_gen;
};

} // namespace al
