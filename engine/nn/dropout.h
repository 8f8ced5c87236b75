// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Inverted dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks
// from Overfitting", section 10 of the JMLR paper; "inverted" scaling at training time):
//   y = x * m / (1 - p),   m ~ Bernoulli(1 - p) elementwise,
//   dL/dx = dL/dy * m / (1 - p).
// "Attention Is All You Need" section 5.4 applies it to every sublayer output, to the summed
// embeddings and (in most implementations) to the attention weights.
// Shapes use the legend of engine/core/tensor.h; N = number of rows (B*T), K = columns.
#include "engine/core/tensor.h"

#include <cstdint>

namespace al {

/// Fast seeded generator for dropout masks (splitmix64); reproducible per seed.
class DropoutRng {
public:
    explicit DropoutRng(uint64_t seed = 0) : m_state(seed) {}
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    uint64_t m_state;
};

/// The mask of one dropout call. With p == 0 or train == false the mask is empty and y = x.
/// The mask is kept as one byte per element (a float mask would be 4x the memory of the
/// activations it drops).
struct DropoutCache {
    Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> keep; ///< (N, K): 1 = kept; empty when inactive
    Scalar scale = 1;                                                              ///< 1 / (1 - p)
    bool active() const { return keep.size() > 0; }
    /// Rows [row, row + n) of the mask m / (1 - p) as a float array expression.
    auto mask_rows(Eigen::Index row, Eigen::Index n) const
    {
        return keep.middleRows(row, n).cast<Scalar>().array() * scale;
    }
};

/// x (N, K) in place: x = x * m / (1 - p). Draws one 64-bit seed from rng per active call.
void dropout_forward(Mat& x, double p, bool train, Rng* rng, DropoutCache& cache);
/// dx (N, K) in place: dx = dx * m / (1 - p) (nothing when the forward call was inactive).
void dropout_backward(Mat& dx, const DropoutCache& cache);

} // namespace al
