// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/feed_forward.h"

namespace al {

FeedForward::FeedForward(ParamStore& store, const std::string& prefix, int C, int F, Activation act)
    : activation(act)
{
    linear1 = Linear(store, prefix + "linear1", C, F);
    linear2 = Linear(store, prefix + "linear2", F, C);
}

void FeedForward::forward(const Mat& x, double dropout_p, bool train, Rng* rng, FeedForwardCache& c,
                          Mat& out) const
{
    if (activation == Activation::Gelu) { // x Phi(x), exact erf form; its backward needs pre
        linear1.forward(x, c.pre);        // (N, F)
        c.h = c.pre.unaryExpr([](Scalar v) { return gelu(v); });
    } else {
        // ReLU in place: its backward needs only where h > 0 (see backward), so pre is not kept.
        linear1.forward(x, c.h);
        c.h.array() = c.h.array().max(Scalar(0));
        c.pre.resize(0, 0);
    }
    dropout_forward(c.h, dropout_p, train, rng, c.drop);
    linear2.forward(c.h, out);          // (N, C)
}

void FeedForward::backward(const Mat& x, const Mat& dout, FeedForwardCache& c, Mat& dx)
{
    // The hidden gradient (N, F) lives in this thread's scratch: same shape every step, so
    // nothing is allocated after the first one.
    thread_local Mat dh;
    linear2.backward(c.h, dout, &dh);
    dropout_backward(dh, c.drop);
    if (activation == Activation::Gelu) {
        // forward: h = pre * Phi(pre) -> dh/dpre = Phi(pre) + pre * phi(pre)
        dh.array() *= c.pre.unaryExpr([](Scalar v) { return gelu_derivative(v); }).array();
    } else {
        // forward: h = drop(relu(pre)). Where an element was kept, h > 0 exactly when pre > 0;
        // where it was dropped, dh is already 0. So [h > 0] is the ReLU's derivative here.
        relu_backward(dh, c.h);
    }
    linear1.backward(x, dh, &dx);
}

} // namespace al
