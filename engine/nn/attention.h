// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Multi-head attention ("Attention Is All You Need", Vaswani et al. 2017, section 3.2):
//   Q = x_q W_q^T + b_q,  K = x_kv W_k^T + b_k,  V = x_kv W_v^T + b_v       (section 3.2.2)
//   head_h = norm(S_h + mask) V_h,  out = concat(head_1..head_H) W_o^T + b_o
// with the score S_h of each query-key pair, per head with D = C / H:
//   scaled dot  S = Q_h K_h^T / sqrt(D)                     (eq. 1, section 3.2.1)
//   dot         S = Q_h K_h^T                               (Luong et al. 2015, "dot")
//   additive    S[i, j] = v_h . tanh(Q_h[i] + K_h[j])       (Bahdanau et al. 2015, eq. 6 / appendix
//               A.1.2: v^T tanh(W_q q + W_k k), W_q, W_k the query/key projections)
//   or synthesized scores (engine/nn/synthesizer.h), alone or mixed with the above;
// the normalisation norm = softmax per query row (eq. 1) or relu (unnormalised);
// and the masks, which compose: padding (keys >= key_len[b]), causal (section 3.2.3: query t
// sees keys <= t) and a local window (section 4, restricted self-attention: |i - j| <= w).
// Backward: dV = P^T dC, dP = dC V^T, softmax: dS = P * (dP - rowsum(dP * P)), relu: dS = dP [P > 0],
// dQ = dS K * scale, dK = dS^T Q * scale.
// The one-step path (forward_step) serves incremental decoding with a key/value cache: the
// same projections, mask and normalisation for one query row per sequence.
// Shapes use the legend of engine/core/tensor.h; Tq, Tk = query and key lengths.
#include "engine/nn/dropout.h"
#include "engine/nn/head_mask.h"
#include "engine/nn/linear.h"
#include "engine/nn/synthesizer.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace al {

/// Visible keys [first, end) of one query row.
struct KeyRange {
    int first = 0, end = 0;
};

/// Key masks of one attention call. Keys at positions >= key_len[b] are padding (their score
/// is -inf before the softmax); with causal, query t sees keys <= t only; with window w > 0
/// (restricted self-attention, section 4), query i sees keys j with |i - j| <= w only. They compose.
struct AttentionMask {
    const std::vector<int>* key_len = nullptr; ///< B real key lengths, nullptr = no padding
    bool causal = false;
    int window = 0;                            ///< 0 = unrestricted
    /// Real keys of sequence b among Tk.
    int key_count(int b, int Tk) const { return key_len ? (*key_len)[size_t(b)] : Tk; }
    /// Keys visible to query i when the sequence has klen real keys (empty when end <= first).
    KeyRange visible(int i, int klen) const
    {
        KeyRange r{0, causal ? std::min(klen, i + 1) : klen};
        if (window > 0) {
            r.first = std::max(0, i - window);
            r.end = std::min(r.end, i + window + 1);
        }
        return r;
    }
};

/// How a query-key pair is scored (config key "attention_scoring"); see the top of this file.
enum class AttentionScoring { ScaledDot, Dot, Additive };
/// How scores become weights (config key "attention_normalization"):
///   Softmax: P = softmax(S + mask) per query row (rows sum to 1).
///   Relu:    P = relu(S) on visible keys, exactly 0 on masked keys; rows are NOT normalised,
///            so a row may sum to anything >= 0 (all zero when every score is negative).
enum class AttentionNormalization { Softmax, Relu };
/// The factor on Q K^T: 1/sqrt(D) for ScaledDot, 1 otherwise (additive scores are not scaled).
/// Section 3.2.1: for q, k with independent unit-variance entries, q . k has variance D.
inline double attention_scale(AttentionScoring s, int D) { return s == AttentionScoring::ScaledDot ? 1.0 / std::sqrt(double(D)) : 1.0; }
/// Throw al::Error naming the config key for an unknown name.
AttentionScoring parse_attention_scoring(const std::string& name);
AttentionNormalization parse_attention_normalization(const std::string& name);

/// Normalises the visible scores of one query row in place (softmax or relu); `seen` is the
/// segment [first, end) of the row, a row vector expression.
template <class Row>
void normalize_visible(Row&& seen, AttentionNormalization normalization)
{
    if (normalization == AttentionNormalization::Relu) {
        seen = seen.cwiseMax(Scalar(0));
    } else {
        const Scalar mx = seen.maxCoeff();
        seen = (seen.array() - mx).exp();
        seen /= seen.sum();
    }
}

/// Activations of one multi-head attention call.
struct AttentionCache {
    int B = 0, Tq = 0, Tk = 0;
    Mat q;       ///< (B*Tq, C) projected queries
    Mat k, v;    ///< (B*Tk, C) projected keys and values
    Mat probs;   ///< (B*H*Tq, Tk) attention weights (softmax or relu); block (b*H + h) is one head
    Mat dropped; ///< (B*H*Tq, Tk) probabilities after attention dropout; empty when inactive
    DropoutCache prob_drop;
    Mat ctx;     ///< (B*Tq, C) concatenated head outputs before out_proj (after the head ablation, if any)
    /// Set before backward to have it write gate_grad: the head-importance gradient of Michel
    /// et al. 2019 (section 4.1), with a gate xi_h on each head's output at xi = 1,
    ///   gate_grad(b, h) = dL/dxi_{b,h} = sum_{t < Tq} ctx[b*Tq + t, hD:(h+1)D] . dL/dctx[b*Tq + t, hD:(h+1)D]
    /// per sequence b (a gate of its own per sequence), (B, H).
    bool want_gate_grad = false;
    Mat gate_grad;
    SynthesizerCache synth;        ///< synthesizer activations (empty when unused)
    std::vector<Mat> comp_scores;  ///< per mixture component, (B*H*Tq, Tk) raw scores
    Mat alpha;                     ///< (H, n_components) mixture weights
    Mat synth_scores;              ///< (B*H*Tq, Tk) synthesized scores (non-vanilla part), for the Trace
};

/// torch.nn.MultiheadAttention with the scoring, normalisation and masks above and, in
/// self-attention, an optional Synthesizer (alone or mixed with the query-key scores).
/// Parameters "<prefix>.in_proj_weight" (3C, C) with row blocks W_q, W_k, W_v and
/// ".in_proj_bias" (3C) — or ".v_proj_weight" (C, C) / ".v_proj_bias" (C) when the
/// query-key alignment is absent — ".out_proj.*", then the synthesizer's and ".mix_logits"
/// (H, n) for a mixture of n components.
class MultiHeadAttention {
public:
    MultiHeadAttention() = default;
    /// `synth` selects the alignment (vanilla by default; cross-attention is always vanilla).
    /// `scoring` and `normalization` apply to the query-key (vanilla) component; additive
    /// scoring adds "<prefix>.additive_v" (H, D), the per-head vector v of Bahdanau's score.
    /// Throws al::Error when H does not divide C or the synthesizer config is invalid.
    MultiHeadAttention(ParamStore& store, const std::string& prefix, int C, int H,
                       const SynthesizerConfig& synth = {},
                       AttentionScoring scoring = AttentionScoring::ScaledDot,
                       AttentionNormalization normalization = AttentionNormalization::Softmax);
    /// xq (B*Tq, C), xkv (B*Tk, C) -> out (B*Tq, C). dropout_p applies to the probabilities.
    /// The heads of `ablation` have their context columns replaced before out_proj.
    /// Throws al::Error when a synthesizer-only block gets a sequence longer than l.
    void forward(const Mat& xq, const Mat& xkv, int B, const AttentionMask& mask, double dropout_p,
                 bool train, Rng* rng, AttentionCache& cache, Mat& out) const;
    /// dout (B*Tq, C) -> dxq (B*Tq, C) and dxkv (B*Tk, C), both overwritten. Ablated heads
    /// (a constant output) pass no gradient to their probabilities and values; with
    /// cache.want_gate_grad, cache.gate_grad receives dL/dxi (B, H) (see AttentionCache). When xq and xkv are
    /// the same tensor (self-attention) the caller may pass one matrix as dxq and dxkv: it then
    /// receives their sum, dL/dx.
    void backward(const Mat& xq, const Mat& xkv, const Mat& dout, AttentionCache& cache, Mat& dxq,
                  Mat& dxkv);

    /// Incremental decoding: the keys K = x W_k^T + b_k and values V = x W_v^T + b_v of x
    /// (N, C), each (N, C) (e.g. the encoder memory for cross-attention, projected once).
    void project_keys_values(const Mat& x, Mat& K, Mat& V) const;
    /// Incremental decoding: one query row per sequence, xq (B, C) at position t, against a
    /// key/value cache K, V (B*stride, C) whose row b*stride + j holds key/value j of sequence b.
    /// With append (self-attention) the key and value of xq are first written at rows
    /// b*stride + t. The keys visible to query t under `mask` (with Tk = stride) are attended
    /// with the scale and normalisation of forward(); out (B, C). Equal to row t of forward()
    /// up to rounding; ablated heads are replaced as in forward(). Needs the query-key alignment with dot-product scoring (throws al::Error).
    void forward_step(const Mat& xq, int t, const AttentionMask& mask, bool append, Mat& K, Mat& V, int stride,
                      Mat& out) const;

    /// in_proj (3C, C) with rows W_q, W_k, W_v when the vanilla component is present;
    /// otherwise v_proj (C, C) alone (a synthesizer needs no queries or keys).
    Param* in_proj_weight = nullptr;
    Param* in_proj_bias = nullptr;
    Linear out_proj;
    int C = 0, H = 0;
    AttentionScoring scoring = AttentionScoring::ScaledDot;
    AttentionNormalization normalization = AttentionNormalization::Softmax;
    Param* additive_v = nullptr;    ///< (H, D) when scoring is Additive
    bool use_vanilla = true;        ///< the query-key alignment is a component
    Synthesizer synth;              ///< synthesized score providers (empty for vanilla)
    Param* mix_logits = nullptr;    ///< (H, n_components) when a mixture
    /// Heads switched off (engine/nn/head_mask.h), set by the model's set_head_mask; empty = none.
    HeadAblation ablation;
    /// Component names in mixture order (subset of vanilla, dense, random, factorized_dense, factorized_random).
    std::vector<std::string> component_names() const;
    int components() const { return int(use_vanilla) + int(synth.components().size()); }
    /// Rows of the value projection inside in_proj_weight (2 with vanilla, 0 otherwise).
    int value_block() const { return use_vanilla ? 2 : 0; }
};

/// Parameters of one self-attention block's synthesizer part (excluding value and output
/// projections), the counts at the top of engine/nn/synthesizer.h including mixture logits.
int64_t synthesizer_parameter_count(const MultiHeadAttention& m);

} // namespace al
