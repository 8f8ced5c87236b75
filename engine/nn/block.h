// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Encoder and decoder layers ("Attention Is All You Need" section 3.1, figure 1): each
// sublayer F (self-attention, cross-attention, feed-forward) sits in a residual connection
// (He et al. 2016) with dropout (section 5.4) and a norm, either after the sum (Post-LN,
// the paper) or before F (Pre-LN, Xiong et al. 2020, "On Layer Normalization in the
// Transformer Architecture", figure 1 (b)):
//   Post-LN:  y = Norm(x + drop(F(x)))
//   Pre-LN:   y = x + drop(F(Norm(x)))
// Encoder layer: F1 = self-attention, F2 = feed-forward. Decoder layer: F1 = masked (causal)
// self-attention, F2 = attention over the encoder memory, F3 = feed-forward.
// Shapes use the legend of engine/core/tensor.h.
#include "engine/nn/attention.h"
#include "engine/nn/dropout.h"
#include "engine/nn/feed_forward.h"
#include "engine/nn/norm.h"

#include <string>
#include <vector>

namespace al {

/// Block options shared by encoder and decoder layers beyond torch.nn.Transformer's: attention
/// scoring and normalisation (self and cross attention), the local window of self-attention,
/// the norm, the feed-forward activation and a separate dropout on attention weights.
struct BlockOptions {
    SynthesizerConfig synth;        ///< self-attention alignment
    AttentionScoring scoring = AttentionScoring::ScaledDot;
    AttentionNormalization normalization = AttentionNormalization::Softmax;
    int window = 0;                 ///< self-attention window w (0 = unrestricted)
    NormKind norm = NormKind::LayerNorm;
    Activation activation = Activation::Relu;
    double attention_dropout = -1;  ///< dropout on attention weights; < 0: the layer's dropout
    /// Decoder self-attention: causal (autoregressive, query t sees keys <= t) or, false, every
    /// non-padding target position (the non-autoregressive decoder, Gu et al. 2018).
    bool causal_self_attention = true;
};

/// Activations of one encoder layer. Post-LN: x1 = LN1(x + drop(SA(x))), y = LN2(x1 + drop(FF(x1))).
/// Pre-LN: x1 = x + drop(SA(LN1(x))), y = x1 + drop(FF(LN2(x1))).
struct EncoderLayerCache {
    Mat x;            ///< (B*S, C) layer input
    Mat n1, n2;       ///< Pre-LN only: LN1(x), LN2(x1)
    AttentionCache sa;
    Mat sa_out;       ///< (B*S, C) attention output after dropout
    DropoutCache sa_drop;
    Mat x1;           ///< (B*S, C) after the first residual (and LN1 for Post-LN)
    NormCache ln1, ln2;
    FeedForwardCache ff;
    Mat ff_out;       ///< (B*S, C) feed-forward output after dropout
    DropoutCache ff_drop;
    Mat y;            ///< (B*S, C) layer output
};

/// torch.nn.TransformerEncoderLayer (ReLU, batch_first), Post-LN or Pre-LN (norm_first).
class EncoderLayer {
public:
    using Cache = EncoderLayerCache;
    EncoderLayer() = default;
    EncoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const SynthesizerConfig& synth = {});
    EncoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const BlockOptions& options);
    /// x (B*S, C) -> cache.y (B*S, C); key_len masks padded source positions.
    void forward(const Mat& x, int B, const std::vector<int>& key_len, double dropout_p, bool train,
                 Rng* rng, EncoderLayerCache& cache) const;
    /// dy (B*S, C) -> dx (B*S, C)
    void backward(const Mat& dy, EncoderLayerCache& cache, Mat& dx);
    MultiHeadAttention self_attn;
    FeedForward ff;
    Norm norm1, norm2;
    bool norm_first = false;
    int window = 0;                 ///< self-attention window (0 = unrestricted)
    double attention_dropout = -1;  ///< < 0: the dropout passed to forward
    /// Causal self-attention (query t sees keys <= t): the block of a decoder-only language model.
    bool causal = false;
};

/// Activations of one decoder layer (masked self-attention, cross-attention, feed-forward).
struct DecoderLayerCache {
    Mat x;            ///< (B*T, C) layer input
    Mat n1, n2, n3;   ///< Pre-LN only
    AttentionCache sa, ca;
    Mat sa_out, ca_out, ff_out;
    DropoutCache sa_drop, ca_drop, ff_drop;
    Mat x1, x2;
    NormCache ln1, ln2, ln3;
    FeedForwardCache ff;
    Mat y;
};

/// torch.nn.TransformerDecoderLayer (ReLU, batch_first), Post-LN or Pre-LN. Self-attention is
/// causal (unless `causal` is false: NAT) with target padding; cross-attention attends to
/// `memory` with source padding.
class DecoderLayer {
public:
    using Cache = DecoderLayerCache;
    DecoderLayer() = default;
    DecoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const SynthesizerConfig& synth = {});
    DecoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const BlockOptions& options);
    /// x (B*T, C), memory (B*S, C) -> cache.y (B*T, C)
    void forward(const Mat& x, const Mat& memory, int B, const std::vector<int>& tgt_len,
                 const std::vector<int>& src_len, double dropout_p, bool train, Rng* rng,
                 DecoderLayerCache& cache) const;
    /// dy (B*T, C) -> dx (B*T, C); dmemory (B*S, C) is accumulated (+=).
    void backward(const Mat& dy, const Mat& memory, DecoderLayerCache& cache, Mat& dx, Mat& dmemory);
    MultiHeadAttention self_attn, cross_attn;
    FeedForward ff;
    Norm norm1, norm2, norm3;
    bool norm_first = false;
    int window = 0;                 ///< self-attention window (0 = unrestricted)
    double attention_dropout = -1;  ///< < 0: the dropout passed to forward
    bool causal = true;             ///< causal self-attention mask (false: non-autoregressive)
};

} // namespace al
