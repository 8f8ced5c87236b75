// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/synthesizer.h"
#include "engine/core/error.h"
#include "engine/nn/activation.h"

#include <algorithm>
#include <iterator>

namespace al {

void SynthesizerConfig::validate() const
{
    static const char* const kKnown[] = {"vanilla", "dense", "random", "fixed_random", "factorized_dense",
                                         "factorized_random", "random+vanilla", "dense+vanilla", "random+dense"};
    if (std::find(std::begin(kKnown), std::end(kKnown), attention) == std::end(kKnown))
        throw Error("attention must be one of vanilla, dense, random, fixed_random, factorized_dense, "
                    "factorized_random, random+vanilla, dense+vanilla, random+dense; got \"" + attention + "\"");
    if (attention != "vanilla" && max_len < 1)
        throw Error("attention \"" + attention + "\" needs max_len >= 1");
    if (attention == "factorized_random" && k < 1)
        throw Error("synthesizer_k must be >= 1, got " + std::to_string(k));
}

bool SynthesizerConfig::uses_vanilla() const
{
    return attention == "vanilla" || attention == "random+vanilla" || attention == "dense+vanilla";
}

Synthesizer::Synthesizer(ParamStore& store, const std::string& prefix, int C, int H_, const SynthesizerConfig& config)
    : H(H_), l(config.max_len)
{
    config.validate();
    const std::string& v = config.attention;
    if (v == "dense" || v == "dense+vanilla" || v == "random+dense")
        m_components.push_back(Component::Dense);
    if (v == "random" || v == "fixed_random" || v == "random+vanilla" || v == "random+dense")
        m_components.push_back(Component::Random);
    if (v == "factorized_dense")
        m_components.push_back(Component::FactorizedDense);
    if (v == "factorized_random")
        m_components.push_back(Component::FactorizedRandom);
    if (has(Component::Dense) || has(Component::FactorizedDense))
        dense1 = Linear(store, prefix + ".dense1", C, C);
    if (has(Component::Dense))
        dense2 = Linear(store, prefix + ".dense2", C, H * l);
    if (has(Component::Random)) {
        random_r = store.add(prefix + ".random_R", {int64_t(H) * l, l});
        random_r->trainable = v != "fixed_random";
    }
    if (has(Component::FactorizedDense)) {
        // a * b = l with a the divisor of l closest to sqrt(l) from below.
        a = 1;
        for (int d = 1; d * d <= l; ++d)
            if (l % d == 0)
                a = d;
        b = l / a;
        fdense_a = Linear(store, prefix + ".fdense_a", C, H * a);
        fdense_b = Linear(store, prefix + ".fdense_b", C, H * b);
    }
    if (has(Component::FactorizedRandom)) {
        k = config.k;
        frandom_r1 = store.add(prefix + ".frandom_R1", {int64_t(H) * l, k});
        frandom_r2 = store.add(prefix + ".frandom_R2", {int64_t(H) * k, l});
    }
}

bool Synthesizer::has(Component c) const
{
    return std::find(m_components.begin(), m_components.end(), c) != m_components.end();
}

const char* Synthesizer::component_name(Component c)
{
    switch (c) {
    case Component::Dense:
        return "dense";
    case Component::Random:
        return "random";
    case Component::FactorizedDense:
        return "factorized_dense";
    case Component::FactorizedRandom:
        return "factorized_random";
    }
    return "";
}

void Synthesizer::forward(const Mat& x, SynthesizerCache& c) const
{
    if (has(Component::Dense) || has(Component::FactorizedDense)) {
        dense1.forward(x, c.hidden);
        c.hidden = c.hidden.cwiseMax(Scalar(0));
    }
    if (has(Component::Dense))
        dense2.forward(c.hidden, c.dense_out); // (B*Tq, H*l)
    if (has(Component::FactorizedDense)) {
        fdense_a.forward(c.hidden, c.fa); // (B*Tq, H*a)
        fdense_b.forward(c.hidden, c.fb); // (B*Tq, H*b)
    }
    if (has(Component::FactorizedRandom)) {
        c.frandom.resize(Eigen::Index(H) * l, l);
        for (int h = 0; h < H; ++h)
            c.frandom.middleRows(Eigen::Index(h) * l, l).noalias() =
                frandom_r1->value.middleRows(Eigen::Index(h) * l, l) * frandom_r2->value.middleRows(Eigen::Index(h) * k, k);
    }
}

Mat Synthesizer::scores(Component comp, const SynthesizerCache& c, int bb, int h, int Tq, int Tk) const
{
    switch (comp) {
    case Component::Dense:
        return c.dense_out.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * l, Tq, Tk);
    case Component::Random:
        return random_r->value.block(Eigen::Index(h) * l, 0, Tq, Tk);
    case Component::FactorizedDense: {
        Mat S(Tq, Tk);
        for (int i = 0; i < Tq; ++i)
            for (int j = 0; j < Tk; ++j)
                S(i, j) = c.fa(Eigen::Index(bb) * Tq + i, Eigen::Index(h) * a + j % a) *
                          c.fb(Eigen::Index(bb) * Tq + i, Eigen::Index(h) * b + j / a);
        return S;
    }
    case Component::FactorizedRandom:
        return c.frandom.block(Eigen::Index(h) * l, 0, Tq, Tk);
    }
    return Mat();
}

SynthesizerGrads Synthesizer::start_backward(const SynthesizerCache& c) const
{
    SynthesizerGrads g;
    if (has(Component::Dense))
        g.dense = Mat::Zero(c.dense_out.rows(), c.dense_out.cols());
    if (has(Component::FactorizedDense)) {
        g.fa = Mat::Zero(c.fa.rows(), c.fa.cols());
        g.fb = Mat::Zero(c.fb.rows(), c.fb.cols());
    }
    if (has(Component::FactorizedRandom))
        g.frandom = Mat::Zero(Eigen::Index(H) * l, l);
    return g;
}

void Synthesizer::scores_backward(Component comp, const Mat& g, const SynthesizerCache& c, int bb, int h, int Tq,
                                  int Tk, SynthesizerGrads& d)
{
    switch (comp) {
    case Component::Dense:
        // forward: S = dense_out[rows of b, columns h*l .. h*l + Tk)
        d.dense.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * l, Tq, Tk) += g;
        break;
    case Component::Random:
        // forward: S = R_h[0:Tq, 0:Tk]
        if (random_r->trainable)
            random_r->grad_target().block(Eigen::Index(h) * l, 0, Tq, Tk) += g;
        break;
    case Component::FactorizedDense:
        // forward: S[i, j] = A[i, j mod a] * B[i, j div a]
        for (int i = 0; i < Tq; ++i) {
            const Eigen::Index r = Eigen::Index(bb) * Tq + i;
            for (int j = 0; j < Tk; ++j) {
                d.fa(r, Eigen::Index(h) * a + j % a) += g(i, j) * c.fb(r, Eigen::Index(h) * b + j / a);
                d.fb(r, Eigen::Index(h) * b + j / a) += g(i, j) * c.fa(r, Eigen::Index(h) * a + j % a);
            }
        }
        break;
    case Component::FactorizedRandom:
        d.frandom.block(Eigen::Index(h) * l, 0, Tq, Tk) += g;
        break;
    }
}

void Synthesizer::backward(const Mat& x, const SynthesizerCache& c, SynthesizerGrads& d, Mat& dx)
{
    if (has(Component::FactorizedRandom))
        for (int h = 0; h < H; ++h) {
            // forward: R_h = R1_h R2_h
            const auto R1 = frandom_r1->value.middleRows(Eigen::Index(h) * l, l);
            const auto R2 = frandom_r2->value.middleRows(Eigen::Index(h) * k, k);
            const auto dR = d.frandom.middleRows(Eigen::Index(h) * l, l);
            frandom_r1->grad_target().middleRows(Eigen::Index(h) * l, l).noalias() += dR * R2.transpose();
            frandom_r2->grad_target().middleRows(Eigen::Index(h) * k, k).noalias() += R1.transpose() * dR;
        }
    if (!has(Component::Dense) && !has(Component::FactorizedDense))
        return;
    Mat dhidden;
    if (has(Component::Dense)) {
        Mat dh;
        dense2.backward(c.hidden, d.dense, &dh);
        dhidden = dh;
    }
    if (has(Component::FactorizedDense)) {
        Mat dh;
        fdense_a.backward(c.hidden, d.fa, &dh);
        dhidden = dh;
        fdense_b.backward(c.hidden, d.fb, &dh);
        dhidden += dh;
    }
    // forward: hidden = relu(x W1^T + b1)
    relu_backward(dhidden, c.hidden);
    Mat dx1;
    dense1.backward(x, dhidden, &dx1);
    dx += dx1;
}

Mat Synthesizer::random_alignment(int h) const
{
    if (random_r)
        return random_r->value.middleRows(Eigen::Index(h) * l, l);
    if (frandom_r1)
        return frandom_r1->value.middleRows(Eigen::Index(h) * l, l) * frandom_r2->value.middleRows(Eigen::Index(h) * k, k);
    return Mat();
}

int64_t Synthesizer::parameter_count() const
{
    int64_t n = 0;
    for (const Linear* lin : {&dense1, &dense2, &fdense_a, &fdense_b})
        if (lin->weight)
            n += lin->weight->numel() + (lin->bias ? lin->bias->numel() : 0);
    for (const Param* p : {random_r, frandom_r1, frandom_r2})
        if (p)
            n += p->numel();
    return n;
}

void mixture_weights(const Mat& logits, Mat& alpha)
{
    alpha = logits;
    for (Eigen::Index h = 0; h < alpha.rows(); ++h) {
        auto row = alpha.row(h);
        row = (row.array() - row.maxCoeff()).exp();
        row /= row.sum();
    }
}

void mixture_weights_backward(const Mat& alpha, const Mat& dalpha, Mat& logits_grad)
{
    // forward: alpha = softmax(logits) per head
    for (Eigen::Index h = 0; h < alpha.rows(); ++h) {
        const Scalar dot = (dalpha.row(h).array() * alpha.row(h).array()).sum();
        logits_grad.row(h).array() += alpha.row(h).array() * (dalpha.row(h).array() - dot);
    }
}

} // namespace al
