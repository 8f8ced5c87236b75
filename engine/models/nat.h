// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Non-autoregressive decoding (Gu et al. 2018, "Non-Autoregressive Neural Machine Translation",
// ICLR 2018), simplified: the target length comes from a classifier on the mean-pooled encoder
// memory instead of fertilities, the decoder inputs are the uniformly copied source embeddings
// (the paper's "uniform copy", section 3.1), the decoder self-attention has no causal mask and
// every target position is predicted at once (argmax per position, no EOS loop). See docs/nat.md.
#include "engine/data/batch.h"
#include "engine/models/transformer.h"

#include <vector>

namespace al {

/// Source position copied to decoder position t of T when the source has S positions (with
/// EOS): round(t * (S - 1) / (T - 1)) (0 when T == 1), so position 0 copies the first source
/// token and the last position the source EOS. Gu et al. 2018, section 3.1 ("uniform copy").
int uniform_copy_position(int t, int T, int S);

/// The NAT decoder input ids (B*T, row-major, PAD beyond tgt_len[b]): position t of sequence b
/// is source token src[b, uniform_copy_position(t, tgt_len[b], src_len[b])]. They index the
/// SOURCE vocabulary (embedded with src_tok_emb). Uses batch.src, src_len, tgt_len, B, S, T.
std::vector<int> nat_decoder_inputs(const Batch& batch);

/// The target length classes of a NAT batch: class tgt_len[b] - 1 (the length counts EOS), so
/// the predictor's max_len classes cover lengths 1 .. max_len.
std::vector<int> nat_length_targets(const Batch& batch);

/// One NAT translation.
struct NatOutput {
    std::vector<int> tokens;     ///< target ids without EOS: the argmax tokens up to the first EOS
    std::vector<int> positions;  ///< argmax token of every decoder position (length entries)
    int length = 0;              ///< predicted number of decoder positions T (tokens + EOS)
    double log_prob = 0;         ///< sum over the T positions of log p(argmax token)
    double length_log_prob = 0;  ///< log p(T | x) of the length predictor for the chosen T
};

/// Translates sources (ids without EOS; EOS is appended) with a NAT model in one encoder and one
/// decoder pass for the whole batch: the `length_candidates` (l) most probable lengths T of the
/// length predictor (at most max_tokens + 1 and the model's max_len; ties: shorter first), argmax
/// per position for each, and per sentence the candidate with the highest mean log-probability
/// log_prob / T ("length beam", as Mask-Predict's, Ghazvininejad et al. 2019; Gu et al. 2018
/// rescore fertility samples with a teacher instead). l = 1: the argmax length.
/// forced_lengths (optional, one per source, each in 1 .. max_len, counting EOS): decode with
/// these lengths instead of predicted ones (e.g. the reference lengths, to separate length
/// errors from token errors); length_candidates is then ignored.
/// Throws al::Error when the model is not a NAT model or a forced length is invalid.
std::vector<NatOutput> nat_decode(const Transformer& net, const std::vector<std::vector<int>>& sources,
                                  int max_tokens, int length_candidates = 1,
                                  const std::vector<int>* forced_lengths = nullptr);

} // namespace al
