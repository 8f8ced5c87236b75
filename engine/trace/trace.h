// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/core/tensor.h"
#include "engine/nn/head_mask.h" // AttentionKind

#include <string>
#include <vector>

namespace al {

/// Attention probabilities of one attention kind: maps[layer][head] is a (queries x keys)
/// matrix whose rows are probability distributions over the unmasked keys.
using AttentionMaps = std::vector<std::vector<Mat>>;

/// What a Synthesizer self-attention recorded (Tay et al. 2021). Empty for dot-product attention.
struct SynthesizerTrace {
    std::vector<std::string> components; ///< alignment components in mixture order, e.g. {"vanilla", "random"}
    /// [layer][head]: the synthesized scores before masking and softmax (queries x keys, the
    /// top-left block of the l x l alignment): B(X) for dense, R for random, A*B for factorized
    /// dense, R1 R2 for factorized random; for a mixture, sum of alpha_i S_i over its
    /// synthesizer (non-vanilla) components.
    AttentionMaps scores;
    std::vector<Mat> alpha; ///< [layer]: (H, n_components) mixture weights; empty unless a mixture
};

/// One step of autoregressive decoding: what the model predicted and what was fed next.
struct DecodingStep {
    /// The record_top_k most probable next tokens under the model, p(y_t | y_<t, x) =
    /// softmax(logits) (no temperature), by decreasing probability (ties: lower id first).
    std::vector<int> top_ids;
    std::vector<std::string> top_tokens;
    std::vector<double> top_probs;
    /// The same tokens' probabilities under the distribution actually sampled from
    /// (temperature, top-k, top-p applied); equal to top_probs for greedy and beam search.
    std::vector<double> top_sample_probs;
    int token_id = -1;     ///< the token chosen at this step (EOS ends the output)
    std::string token;
    double prob = 0;       ///< its model probability p(y_t | y_<t, x)
    bool forced = false;   ///< fixed by the forced prefix rather than chosen by the search
    /// [layer][head]: this step's cross-attention row over the S source positions (the query
    /// is the decoder input at this step); equal to row t of Trace::cross.
    std::vector<std::vector<RowVec>> cross;
};

/// How the output in a Trace was decoded, and the per-step record (empty when the Trace does
/// not come from decoding).
struct DecodingTrace {
    std::string strategy;        ///< "greedy" | "beam" | "sample"; empty: no decoding recorded
    int beam_width = 0;          ///< beam only (NAT: the number of length candidates)
    double length_penalty = 0;   ///< beam only: GNMT alpha
    double temperature = 0;      ///< sample only
    int top_k = 0;               ///< sample only (0 = no limit)
    double top_p = 0;            ///< sample only
    uint64_t seed = 0;           ///< sample only
    int forced = 0;              ///< length of the forced prefix
    double log_prob = 0;         ///< log P(output incl. EOS | source) of the chosen hypothesis
    double score = 0;            ///< its ranking score (beam: log_prob / GNMT lp)
    std::vector<DecodingStep> steps; ///< one per generated token, EOS included when generated
};

/// One attention head of one layer in detail ("Attention Is All You Need" eq. 1), recorded
/// only on request (TraceOptions::forward_detail). Rows are queries, columns keys; D = d_model / nhead.
struct HeadDetail {
    Mat q;       ///< (queries x D) projected queries Q_h = x_q W_q^T + b_q, this head's columns; empty without a query-key score (synthesizer only)
    Mat k;       ///< (keys x D) projected keys K_h; empty like q
    Mat v;       ///< (keys x D) projected values V_h
    Mat scores;  ///< (queries x keys) before scaling: Q_h K_h^T (additive scoring: v_h . tanh(Q_h[i] + K_h[j])); empty like q
    Mat scaled;  ///< (queries x keys) scores * scale (1/sqrt(D) for scaled_dot, 1 for dot and additive), unmasked
    Mat visible; ///< (queries x keys) 1 where the query may see the key (padding, causal and window masks), 0 where masked (-inf)
    Mat probs;   ///< (queries x keys) the attention weights after softmax (or ReLU) = the attention map
    Mat context; ///< (queries x D) probs * V_h: each query row's weighted sum of value rows (head output before out_proj)
};
/// [layer][head]
using HeadDetails = std::vector<std::vector<HeadDetail>>;

/// What a forward step computes; the order of ForwardTrace::steps is the order of computation.
enum class ForwardStage {
    Embedding,      ///< token embedding * sqrt(d_model) + positional encoding
    SelfAttention,  ///< residual stream + self-attention output (Pre-LN: x + SA(LN(x)))
    CrossAttention, ///< residual stream + cross-attention output (decoder)
    FeedForward,    ///< residual stream + feed-forward output
    AddNorm,        ///< Post-LN: the norm of the preceding residual sum
    FinalNorm       ///< the encoder's / decoder's final norm (encoder: the memory)
};

/// One step of the forward pass and the residual stream after it.
struct ForwardStep {
    bool decoder = false;     ///< decoder stack (else encoder)
    int layer = -1;           ///< 0-based layer; -1 for the embedding and the final norm
    ForwardStage stage = ForwardStage::Embedding;
    std::string label;        ///< e.g. "encoder 1 · self-attention"
    Mat stream;               ///< (positions x d_model) the residual stream after this step
    std::vector<double> norms; ///< per position: L2 norm of its stream row
    double mean_norm = 0;     ///< mean of norms over positions
};

/// The forward pass of a Trace step by step (empty unless TraceOptions::forward_detail).
struct ForwardTrace {
    double scale = 1;          ///< the factor on Q K^T (1/sqrt(D) for scaled_dot)
    bool norm_first = false;   ///< Pre-LN blocks
    HeadDetails enc_self, dec_self, cross; ///< [layer][head], same shapes as the Trace's maps
    std::vector<ForwardStep> steps; ///< encoder embedding, its layers' sublayers, final norm, then the decoder's
    bool empty() const { return steps.empty(); }
};

/// What a traced inference records beyond the attention maps (off by default: costs memory).
struct TraceOptions {
    bool forward_detail = false; ///< fill Trace::forward (Q, K, V, scores, residual stream)
};

/// What one inference recorded, for the views. The UI draws from Traces only.
struct Trace {
    std::vector<std::string> src_tokens;     ///< S encoder positions: "x1 .. xm <eos>"
    std::vector<std::string> tgt_in_tokens;  ///< T decoder inputs: "<bos> y1 .. yn"
    std::vector<std::string> tgt_out_tokens; ///< T decoder outputs: "y1 .. yn <eos>" (the prediction at each position)
    std::vector<std::string> src_tags;       ///< S predicted tags of a tagger (pos: the UPOS tag of each token); else empty
    AttentionMaps enc_self; ///< [layer][head]: S x S (query = source, key = source)
    AttentionMaps dec_self; ///< [layer][head]: T x T, causal (query = decoder input, key = decoder input)
    AttentionMaps cross;    ///< [layer][head]: T x S (query = decoder position, key = source)
    SynthesizerTrace enc_synth; ///< encoder self-attention synthesizer (S x S maps)
    SynthesizerTrace dec_synth; ///< decoder self-attention synthesizer (T x T maps)
    DecodingTrace decoding;     ///< how tgt_out_tokens were decoded, step by step
    ForwardTrace forward;       ///< step-by-step forward pass (TraceOptions::forward_detail only)
};

/// The maps of one kind; empty when the trace holds none.
inline const AttentionMaps& attention_maps(const Trace& t, AttentionKind k)
{
    return k == AttentionKind::EncoderSelf ? t.enc_self : k == AttentionKind::DecoderSelf ? t.dec_self : t.cross;
}

/// The head details of one kind; empty when not recorded.
inline const HeadDetails& head_details(const Trace& t, AttentionKind k)
{
    return k == AttentionKind::EncoderSelf ? t.forward.enc_self : k == AttentionKind::DecoderSelf ? t.forward.dec_self : t.forward.cross;
}

/// Human-readable name of a forward stage ("self-attention", "add & norm", ...).
inline const char* forward_stage_name(ForwardStage s)
{
    switch (s) {
    case ForwardStage::Embedding: return "embedding + PE";
    case ForwardStage::SelfAttention: return "self-attention";
    case ForwardStage::CrossAttention: return "cross-attention";
    case ForwardStage::FeedForward: return "feed-forward";
    case ForwardStage::AddNorm: return "add & norm";
    case ForwardStage::FinalNorm: return "final norm";
    }
    return "";
}

} // namespace al
