// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Elementwise non-linearities of the feed-forward network and the dense synthesizer:
//   ReLU:  relu(x) = max(0, x)  ("Attention Is All You Need" eq. 2);  relu'(x) = [x > 0]
//   GELU:  gelu(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))  (Hendrycks & Gimpel 2016,
//          "Gaussian Error Linear Units", section 2; the exact form, torch's default);
//          gelu'(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
// Shapes use the legend of engine/core/tensor.h.
#include "engine/core/tensor.h"

#include <cmath>
#include <string>

namespace al {

/// Feed-forward non-linearity (config key "activation"): ReLU (the paper) or the exact GELU.
enum class Activation { Relu, Gelu };
/// Throws al::Error naming the key "activation" unless name is "relu" or "gelu".
Activation parse_activation(const std::string& name);

/// gelu(v) = 0.5 v (1 + erf(v / sqrt 2)).
inline Scalar gelu(Scalar v) { return Scalar(0.5) * v * (Scalar(1) + std::erf(v * Scalar(M_SQRT1_2))); }
/// gelu'(v) = Phi(v) + v phi(v).
inline Scalar gelu_derivative(Scalar v)
{
    const Scalar inv_sqrt_2pi = Scalar(0.5 * M_2_SQRTPI * M_SQRT1_2);
    return Scalar(0.5) * (Scalar(1) + std::erf(v * Scalar(M_SQRT1_2))) + v * inv_sqrt_2pi * std::exp(Scalar(-0.5) * v * v);
}

/// Backward of a ReLU (or of any map that keeps x where x > 0 and gives 0 elsewhere):
/// g = x > 0 ? g : 0, in place; g and x of one shape. A plain loop the compiler vectorises
/// with a masked blend; Eigen's (x > 0).cast<Scalar>() converts every comparison result one
/// scalar at a time.
inline void relu_backward(Mat& g, const Mat& x)
{
    Scalar* gd = g.data();
    const Scalar* xd = x.data();
    for (Eigen::Index i = 0, n = g.size(); i < n; ++i)
        gd[i] = xd[i] > Scalar(0) ? gd[i] : Scalar(0);
}

} // namespace al
