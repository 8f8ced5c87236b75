// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Position-wise feed-forward network ("Attention Is All You Need" section 3.3, eq. 2):
//   FFN(x) = act(x W_1^T + b_1) W_2^T + b_2,   W_1 (F, C), W_2 (C, F)
// with act = ReLU (the paper) or GELU (engine/nn/activation.h) and dropout on the hidden
// activations, as torch.nn.TransformerEncoderLayer.
// Shapes use the legend of engine/core/tensor.h; N = number of rows (B*T).
#include "engine/nn/activation.h"
#include "engine/nn/dropout.h"
#include "engine/nn/linear.h"

#include <string>

namespace al {

/// Activations of one feed-forward call.
struct FeedForwardCache {
    Mat h;      ///< (N, F) after the activation and dropout
    Mat pre;    ///< (N, F) before the activation (GELU only; ReLU's backward reads h)
    DropoutCache drop;
};

/// FFN(x) = W2 dropout(act(W1 x + b1)) + b2; parameters "<prefix>linear1.*", "<prefix>linear2.*".
class FeedForward {
public:
    FeedForward() = default;
    FeedForward(ParamStore& store, const std::string& prefix, int C, int F, Activation act = Activation::Relu);
    /// x (N, C) -> out (N, C).
    void forward(const Mat& x, double dropout_p, bool train, Rng* rng, FeedForwardCache& cache,
                 Mat& out) const;
    /// dout (N, C), x the forward input -> dx (N, C) (overwritten); accumulates the gradients.
    void backward(const Mat& x, const Mat& dout, FeedForwardCache& cache, Mat& dx);
    Linear linear1, linear2;
    Activation activation = Activation::Relu;
};

} // namespace al
