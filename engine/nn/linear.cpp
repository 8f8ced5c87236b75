// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/linear.h"

namespace al {

Linear::Linear(ParamStore& store, const std::string& prefix, int in, int out, bool with_bias)
{
    weight = store.add(prefix + ".weight", {out, in});
    if (with_bias)
        bias = store.add(prefix + ".bias", {out});
}

void Linear::forward(const Mat& x, Mat& y) const
{
    // x is (N, in), W is (out, in), y is (N, out)
    y.noalias() = x * weight->value.transpose();
    if (bias)
        y.rowwise() += bias->value.row(0);
}

void Linear::backward(const Mat& x, const Mat& dy, Mat* dx)
{
    // forward: y = x W^T + b
    weight->grad_target().noalias() += dy.transpose() * x;
    if (bias)
        bias->grad_target().row(0) += dy.colwise().sum();
    if (dx)
        dx->noalias() = dy * weight->value;
}

} // namespace al
