// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Synthesizer family: alignment scores that do not come from query-key dot products
// (Tay et al., "Synthesizer: Rethinking Self-Attention in Transformer Models", ICML 2021,
// section 3). A Synthesizer is a score provider plugged into MultiHeadAttention
// (engine/nn/attention.h): it returns the raw scores S_h (Tq, Tk) of each head, attention
// applies the masks and the normalisation, and the values always come from the value
// projection G(X) = X W_v^T + b_v:  Y_h = softmax(S_h) G(X)_h  (eq. 3 with B = S).
//
//   Dense              S(X) = W2 relu(W1 X + b1) + b2, W1 (C, C), W2 (H*l, C); row i of
//                      sequence b gives the l scores of token i per head (eq. 2)
//   Random             S = R_h, an l x l matrix per head, learned; Fixed Random: not trained (eq. 4)
//   Factorized Dense   hidden = relu(W1 X + b1); A = W_a hidden (a per head), B = W_b hidden
//                      (b per head), a*b = l; S[i, j] = A[i, j mod a] * B[i, j div a] (section 3.2)
//   Factorized Random  R_h = R1_h R2_h, R1_h (l, k), R2_h (k, l) (section 3.2)
//   Mixtures           S = sum_i alpha_i S_i, alpha = softmax(learned logits) per head over the
//                      components (vanilla Q K^T / sqrt(D) among them) (section 3.3)
// Sequences shorter than l use the top-left block of each l-wide score.
//
// Parameters of the synthesizer part of one block (value and output projections excluded;
// the counts the paper's table 1 compares, with biases):
//   dense              C^2 + C + H*l*C + H*l
//   random             H*l^2            (fixed random: the same, not trainable)
//   factorized dense   C^2 + C + H*(a + b)*(C + 1)
//   factorized random  2*H*l*k
//   mixtures           the sum of their components + H*n mixture logits (n components)
// Shapes use the legend of engine/core/tensor.h; l = max_len, Tq and Tk <= l.
#include "engine/nn/linear.h"

#include <string>
#include <vector>

namespace al {

/// Which alignment scores a self-attention block uses (config keys "attention",
/// "synthesizer_k"): the scaled dot product of the paper ("vanilla") and/or synthesized ones.
struct SynthesizerConfig {
    std::string attention = "vanilla"; ///< vanilla | dense | random | fixed_random |
                                       ///< factorized_dense | factorized_random |
                                       ///< random+vanilla | dense+vanilla | random+dense
    int max_len = 0;                   ///< l (needed by every synthesizer)
    int k = 8;                         ///< rank of the factorized random synthesizer
    /// Throws al::Error naming the key "attention" for an unknown value.
    void validate() const;
    /// True when the query-key (vanilla) alignment is one of the components.
    bool uses_vanilla() const;
};

/// The input-dependent parts of one synthesizer call (empty when a component is unused).
struct SynthesizerCache {
    Mat hidden;    ///< (B*Tq, C) relu(W1 x + b1) of the (factorized) dense synthesizer
    Mat dense_out; ///< (B*Tq, H*l) dense synthesizer scores
    Mat fa, fb;    ///< (B*Tq, H*a), (B*Tq, H*b) factorized dense factors
    Mat frandom;   ///< (H*l, l) R1_h R2_h of every head
};

/// Gradients at the synthesizer's intermediate outputs during one backward call.
struct SynthesizerGrads {
    Mat dense, fa, fb, frandom; ///< shapes of dense_out, fa, fb, frandom
};

/// The synthesized score providers of one self-attention block (vanilla excluded).
class Synthesizer {
public:
    enum class Component { Dense, Random, FactorizedDense, FactorizedRandom };
    Synthesizer() = default;
    /// Registers "<prefix>.dense1", ".dense2", ".random_R", ".fdense_a", ".fdense_b",
    /// ".frandom_R1", ".frandom_R2" as the config needs. Throws al::Error for a bad config.
    Synthesizer(ParamStore& store, const std::string& prefix, int C, int H, const SynthesizerConfig& config);
    /// Components in mixture order (dense, random, factorized dense, factorized random).
    const std::vector<Component>& components() const { return m_components; }
    static const char* component_name(Component c);
    bool empty() const { return m_components.empty(); }

    /// x (B*Tq, C) -> the input-dependent parts of every component (cache).
    void forward(const Mat& x, SynthesizerCache& cache) const;
    /// Raw scores S (Tq, Tk) of component `comp` for head h of sequence b.
    Mat scores(Component comp, const SynthesizerCache& cache, int b, int h, int Tq, int Tk) const;
    /// Zeroed gradient buffers for one backward call.
    SynthesizerGrads start_backward(const SynthesizerCache& cache) const;
    /// Backward of scores(): dS (Tq, Tk) of component `comp`, head h, sequence b, accumulated
    /// into grads (or into random_R's gradient).
    void scores_backward(Component comp, const Mat& dS, const SynthesizerCache& cache, int b, int h, int Tq, int Tk,
                         SynthesizerGrads& grads);
    /// Backward of forward(): parameter gradients from `grads`; dx (B*Tq, C) += dL/dx.
    void backward(const Mat& x, const SynthesizerCache& cache, SynthesizerGrads& grads, Mat& dx);
    /// The input-independent l x l scores of head h (Random: R_h; Factorized Random: R1_h R2_h);
    /// empty for the other components.
    Mat random_alignment(int h) const;
    /// Parameters of every component (the counts at the top of this file, without mixtures).
    int64_t parameter_count() const;

    int H = 0, l = 0, a = 0, b = 0, k = 0;
    Linear dense1, dense2;          ///< W1 (C, C) shared by dense and factorized dense; W2 (H*l, C)
    Param* random_r = nullptr;      ///< (H*l, l); trainable == false for fixed_random
    Linear fdense_a, fdense_b;      ///< (H*a, C), (H*b, C)
    Param* frandom_r1 = nullptr;    ///< (H*l, k)
    Param* frandom_r2 = nullptr;    ///< (H*k, l)

private:
    bool has(Component c) const;
    std::vector<Component> m_components;
};

/// Mixture weights alpha (H, n) = softmax of the logits (H, n) per head (section 3.3).
void mixture_weights(const Mat& logits, Mat& alpha);
/// Backward of mixture_weights: logits_grad (H, n) += alpha * (dalpha - rowsum(dalpha * alpha)).
void mixture_weights_backward(const Mat& alpha, const Mat& dalpha, Mat& logits_grad);

} // namespace al
