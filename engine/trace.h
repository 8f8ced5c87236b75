// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/tensor.h"

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

/// What one inference recorded, for the views. The UI draws from Traces only.
struct Trace {
    std::vector<std::string> src_tokens;     ///< S encoder positions: "x1 .. xm <eos>"
    std::vector<std::string> tgt_in_tokens;  ///< T decoder inputs: "<bos> y1 .. yn"
    std::vector<std::string> tgt_out_tokens; ///< T decoder outputs: "y1 .. yn <eos>" (the prediction at each position)
    AttentionMaps enc_self; ///< [layer][head]: S x S (query = source, key = source)
    AttentionMaps dec_self; ///< [layer][head]: T x T, causal (query = decoder input, key = decoder input)
    AttentionMaps cross;    ///< [layer][head]: T x S (query = decoder position, key = source)
    SynthesizerTrace enc_synth; ///< encoder self-attention synthesizer (S x S maps)
    SynthesizerTrace dec_synth; ///< decoder self-attention synthesizer (T x T maps)
};

enum class AttentionKind { EncoderSelf, DecoderSelf, Cross };

/// The maps of one kind; empty when the trace holds none.
inline const AttentionMaps& attention_maps(const Trace& t, AttentionKind k)
{
    return k == AttentionKind::EncoderSelf ? t.enc_self : k == AttentionKind::DecoderSelf ? t.dec_self : t.cross;
}

} // namespace al
