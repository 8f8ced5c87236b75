// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Head ablation: switching attention heads off at inference and evaluation time (Michel, Levy
// and Neubig 2019, "Are Sixteen Heads Really Better than One?", section 2.2: a gate xi_h in
//   MHAtt(x) = sum_h xi_h Att_h(x)
// set to 0 removes head h). Here a head's output is its D columns of the concatenated head
// outputs ctx (B*Tq, C) before out_proj (engine/nn/attention.h); an ablated head's columns are
//   zero:  ctx[:, hD:(h+1)D] = 0                                  (Michel et al., xi_h = 0)
//   mean:  ctx[:, hD:(h+1)D] = m_h for every row, m_h (D) the mean of the head's output over
//          the real (non-padding) query positions of a reference set of batches ("mean
//          ablation" of the interpretability literature; head_output_means in
//          engine/experiments/head_importance.h computes it).
// The mean is a constant per head, so the full forward, the one-step decoding path and the
// Trace substitute the same vector and a decoder head's replacement does not depend on future
// positions.
// Shapes use the legend of engine/core/tensor.h.
#include "engine/core/tensor.h"

#include <array>
#include <string>
#include <vector>

namespace al {

/// The three kinds of attention of the models: encoder self-attention (also the one stack of a
/// task model, causal for the decoder-only LM), decoder self-attention, and cross-attention
/// (decoder queries over the encoder memory). Spelled "enc", "dec", "cross".
enum class AttentionKind { EncoderSelf = 0, DecoderSelf = 1, Cross = 2 };
constexpr int kAttentionKinds = 3;
std::string to_string(AttentionKind kind);
/// "enc", "dec" or "cross"; throws al::Error naming the accepted spellings otherwise.
AttentionKind parse_attention_kind(const std::string& name);

/// What replaces an ablated head's output: zero, or its mean over a reference set.
enum class AblationMode { Zero, Mean };
std::string to_string(AblationMode mode);
/// "zero" or "mean"; throws al::Error otherwise.
AblationMode parse_ablation_mode(const std::string& name);

/// One head of a model: attention kind, layer (0-based) and head (0-based).
struct HeadId {
    AttentionKind kind = AttentionKind::EncoderSelf;
    int layer = 0, head = 0;
    bool operator==(const HeadId& o) const { return kind == o.kind && layer == o.layer && head == o.head; }
    bool operator!=(const HeadId& o) const { return !(*this == o); }
};
/// "enc:0:1": kind, layer, head.
std::string to_string(const HeadId& id);
/// Reads "kind:layer:head" (e.g. "cross:1:0"); throws al::Error quoting the text.
HeadId parse_head_id(const std::string& text);

/// Per attention kind, per layer, the (H, D) mean output of every head (row h = m_h); what
/// mean ablation substitutes. means[int(kind)] is empty for a kind the model lacks.
using HeadMeans = std::array<std::vector<Mat>, kAttentionKinds>;

/// The heads of a model that are switched off, and how. Set on a model with
/// Transformer::set_head_mask or TaskNet::set_head_mask, which check every head against the
/// model; an empty mask leaves every computation as without one, bit for bit.
struct HeadMask {
    AblationMode mode = AblationMode::Zero;
    std::vector<HeadId> heads;  ///< the heads switched off (order irrelevant, duplicates ignored)
    HeadMeans means;            ///< mode Mean: every masked head's m_h (see head_output_means)
    bool empty() const { return heads.empty(); }
    bool contains(const HeadId& id) const;
};

/// The ablation of one MultiHeadAttention: the heads switched off and what replaces them.
/// Empty (no head) costs one branch per call.
struct HeadAblation {
    std::vector<int> heads;       ///< masked head indices, ascending, no duplicates
    AblationMode mode = AblationMode::Zero;
    Mat mean;                     ///< mode Mean: (heads.size(), D), row i replaces head heads[i]
    bool empty() const { return heads.empty(); }
    /// ctx (N, C), the concatenated head outputs, with D = C / H columns per head: the masked
    /// heads' columns overwritten (zero or their mean row).
    void apply(Mat& ctx, int D) const;
    /// dctx (N, C): the masked heads' columns zeroed (their output is a constant).
    void apply_backward(Mat& dctx, int D) const;
};

/// The HeadAblation of the attention (kind, layer) with H heads of size D under `mask`.
/// Throws al::Error when mode is Mean and the mask holds no (H, D) mean for that attention.
HeadAblation head_ablation_for(const HeadMask& mask, AttentionKind kind, int layer, int H, int D);

/// Checks every head of `mask` against a model with `layers[int(kind)]` layers of each kind
/// (0 = the model has no such attention) and H heads; throws al::Error naming the head
/// ("cross:3:0: layer 3 out of range, the model has 2 cross-attention layers").
void check_head_mask(const HeadMask& mask, const std::array<int, kAttentionKinds>& layers, int H);

} // namespace al
