// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Affine layer, torch.nn.Linear:
//   y = x W^T + b                       W (out, in), b (out)
//   dW += dy^T x,  db += sum_rows(dy),  dx = dy W
// ("Attention Is All You Need" uses it for every projection: W^Q, W^K, W^V, W^O in section
// 3.2.2, W_1, W_2 in eq. 2, and the pre-softmax linear transformation of section 3.4.)
// Shapes use the legend of engine/core/tensor.h; N = number of rows (B*T).
#include "engine/core/params.h"
#include "engine/core/tensor.h"

#include <string>

namespace al {

/// torch.nn.Linear: y = x W^T + b. Parameters "<prefix>.weight" (out, in) and, with bias,
/// "<prefix>.bias" (out).
class Linear {
public:
    Linear() = default;
    Linear(ParamStore& store, const std::string& prefix, int in, int out, bool bias = true);
    /// x (N, in) -> y (N, out)
    void forward(const Mat& x, Mat& y) const;
    /// dy (N, out), x the forward input -> W.grad += dy^T x, b.grad += sum_rows(dy);
    /// dx (N, in) = dy W when dx != nullptr (overwritten).
    void backward(const Mat& x, const Mat& dy, Mat* dx);
    Param* weight = nullptr;
    Param* bias = nullptr;
};
struct LinearCache {}; // Linear needs only its input, which the caller keeps

} // namespace al
