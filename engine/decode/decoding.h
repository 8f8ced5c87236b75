// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Decoding strategies for the autoregressive decoder: greedy search, beam search and sampling
// (temperature, top-k, top-p), with a forced prefix (teacher forcing by hand) and a per-step
// record of the next-token distribution for the "decoding step by step" view.
//
// Shape letters: V = target vocabulary size, C = d_model, S = source positions (with EOS),
// n = hypotheses fed to the model in one step.
#include "engine/core/tensor.h"
#include "engine/trace/trace.h"
#include "engine/models/transformer.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace al {

enum class DecodingStrategy { Greedy, Beam, Sample };

/// "greedy" | "beam" | "sample".
std::string to_string(DecodingStrategy s);
/// Inverse of to_string; throws al::Error naming `what` (e.g. "--decoding") otherwise.
DecodingStrategy decoding_strategy_from_string(const std::string& s, const std::string& what = "decoding");

/// How a translation is searched for. Every field applies to one strategy only (named in its
/// comment); the others ignore it.
struct DecodingOptions {
    DecodingStrategy strategy = DecodingStrategy::Greedy;
    int max_len = 64;              ///< most target tokens generated (without EOS); all strategies
    /// Beam: hypotheses kept per step (beam width). 1 gives greedy search.
    int beam_width = 4;
    /// Beam: alpha of the GNMT length penalty (Wu et al. 2016, "Google's Neural Machine
    /// Translation System", eq. 14): finished hypotheses are ranked by
    ///     s(Y) = log P(Y | X) / lp(Y),   lp(Y) = (5 + |Y|)^alpha / (5 + 1)^alpha,
    /// |Y| counting the generated tokens including EOS. 0 ranks by log-probability (favouring
    /// short outputs); larger alpha favours longer ones. GNMT uses 0.6-0.7. Must be >= 0.
    double length_penalty = 0.6;
    /// Sample: the logits are divided by the temperature before the softmax (> 0). Below 1
    /// sharpens the distribution (-> greedy as it goes to 0), above 1 flattens it.
    double temperature = 1.0;
    /// Sample: keep only the k most probable tokens (Fan et al. 2018); 0 = no limit.
    int top_k = 0;
    /// Sample: nucleus sampling (Holtzman et al. 2020): keep the smallest set of most probable
    /// tokens whose probability sums to >= top_p, in (0, 1]; 1 = no limit. Applied after
    /// temperature and top-k, then the kept probabilities are renormalised.
    double top_p = 1.0;
    uint64_t seed = 1;             ///< Sample: seed of the Rng; the same seed gives the same output
    /// Target token ids fed at steps 0 .. n-1 whatever the model predicts (teacher forcing by
    /// hand); decoding continues freely afterwards. EOS ends the output there. All strategies
    /// (beam search keeps one hypothesis until the prefix is consumed).
    std::vector<int> forced_prefix;
    /// Next-token probabilities recorded per step in the Trace (the k most probable); >= 1.
    int record_top_k = 10;

    /// Throws al::Error naming the option at fault ("beam_width must be >= 1, got 0",
    /// "temperature must be > 0", "top_p must be in (0, 1]", ...).
    void validate() const;
};

/// One finished hypothesis of a search.
struct Hypothesis {
    std::vector<int> tokens;     ///< generated target ids without BOS/EOS
    bool finished = false;       ///< ended with EOS (false: stopped at max_len)
    double log_prob = 0;         ///< sum of log p(y_t | y_<t, x) over the steps, EOS included
    double score = 0;            ///< ranking score: log_prob / lp(Y) for beam search, log_prob otherwise
    std::vector<DecodingStep> steps; ///< per-step record (filled when recording; cross left empty)
};

/// The model side of a search: next-token logits for a set of hypotheses that grows by one
/// token per step. Implementations keep whatever state they need (a key/value cache, or the
/// prefixes to recompute).
class NextTokenModel {
public:
    virtual ~NextTokenModel() = default;
    /// Target vocabulary size V.
    virtual int vocab_size() const = 0;
    /// One step: hypothesis i of the new set is hypothesis parents[i] of the previous set
    /// extended by tokens[i] (the first call has no previous set: the parents are ignored and
    /// the tokens are BOS). Returns logits (n, V) for the next token of each new hypothesis.
    virtual void step(const std::vector<int>& parents, const std::vector<int>& tokens, Mat& logits) = 0;
};

/// NextTokenModel of a Transformer for one source sentence. With `use_cache` (and dot-product
/// decoder self-attention) each step feeds one token per hypothesis through
/// Transformer::decode_step, reordering the key/value cache by `parents` (O(t) per step);
/// otherwise every step re-runs the decoder over the whole prefixes (O(t^2), needed by the
/// Synthesizer variants). Both give the same logits, the causal mask being what it is.
class TransformerNextToken : public NextTokenModel {
public:
    /// `src`: source ids without EOS (EOS is appended; longer than max_len - 1 is cut).
    /// `max_steps`: most steps that will be taken (<= model max_len).
    TransformerNextToken(const Transformer& net, const std::vector<int>& src, int max_steps, bool use_cache = true);
    /// Several sources at once (padded to the longest): the first step feeds one row per
    /// source, in order; afterwards row i belongs to the source of its parent. Used to search
    /// several sentences in lockstep (decode_all).
    TransformerNextToken(const Transformer& net, const std::vector<std::vector<int>>& sources, int max_steps,
                         bool use_cache = true);
    int vocab_size() const override { return m_net.config().tgt_vocab_size; }
    void step(const std::vector<int>& parents, const std::vector<int>& tokens, Mat& logits) override;

private:
    const Transformer& m_net;
    bool m_cache;
    int m_max_steps;
    Batch m_src;                          // B = sources, padded to S
    Seq2SeqActivations m_enc;             // memory (B*S, C)
    std::vector<int> m_row_src;           // source of each row of the last step
    DecoderState m_state;
    std::vector<Mat> m_cross_k, m_cross_v; // per layer (B*S, C): projected memory per source
    std::vector<std::vector<int>> m_prefixes; // recompute path: "BOS y1 .. yt" per hypothesis
};

/// NextTokenModel from a function of the prefixes ("BOS y1 .. yt" per hypothesis -> logits
/// (n, V)); for hand-built distributions in tests and for models without a cache.
class PrefixNextToken : public NextTokenModel {
public:
    using Fn = std::function<void(const std::vector<std::vector<int>>& prefixes, Mat& logits)>;
    PrefixNextToken(int vocab_size, Fn fn) : m_v(vocab_size), m_fn(std::move(fn)) {}
    int vocab_size() const override { return m_v; }
    void step(const std::vector<int>& parents, const std::vector<int>& tokens, Mat& logits) override;

private:
    int m_v;
    Fn m_fn;
    std::vector<std::vector<int>> m_prefixes;
};

/// The result of a search: the best hypothesis first, then (beam search) the other finished
/// hypotheses by decreasing score. Greedy search and sampling return one hypothesis.
struct SearchResult {
    std::vector<Hypothesis> hypotheses;
    const Hypothesis& best() const { return hypotheses.front(); }
};

/// Runs the search that `opts` selects on `model` (opts.validate() first; throws al::Error).
/// Greedy: y_t = argmax p(y_t | y_<t, x). Beam: at each step every alive hypothesis is
/// extended by every token; the 2 * beam_width best extensions by log-probability are taken in
/// order: an EOS among the first beam_width finishes its hypothesis (scored with the length
/// penalty), other tokens continue until beam_width hypotheses are alive (fairseq's
/// BeamSearch). The search stops when beam_width hypotheses have finished, none is alive, or
/// after max_len tokens (alive hypotheses then count as finished without EOS). Sample: y_t is
/// drawn from softmax(logits / temperature) restricted by top-k and top-p.
/// With `record`, each hypothesis carries its DecodingStep per step (top record_top_k tokens of
/// the model's softmax, the chosen token; token strings left empty).
SearchResult search(NextTokenModel& model, const DecodingOptions& opts, bool record = false);

/// The sampling distribution of one step: softmax(logits / temperature) with everything outside
/// the top-k and the top-p nucleus set to 0, renormalised. logits (V) -> probabilities (V).
/// Ties at the top-k / top-p boundary are broken by lower token id. Throws al::Error on invalid opts.
std::vector<double> sampling_distribution(const RowVec& logits, const DecodingOptions& opts);

/// GNMT length penalty lp(Y) = (5 + length)^alpha / 6^alpha (Wu et al. 2016, eq. 14).
double gnmt_length_penalty(int length, double alpha);

/// NAT models (ModelConfig::decoder "nat") accept greedy decoding (the argmax length) and beam
/// search, where beam_width is the number of length candidates (nat_decode), without a forced
/// prefix; throws al::Error naming the option otherwise (sampling, forced_prefix).
void require_nat_options(const DecodingOptions& opts);
/// The length candidates of a NAT decoding: beam_width for beam search, 1 otherwise.
int nat_length_candidates(const DecodingOptions& opts);

/// Decodes one source (ids without EOS) with a Transformer: search() on a
/// TransformerNextToken (key/value cache when the model supports it). A NAT model decodes in
/// one pass instead (nat_decode; one hypothesis, no steps recorded).
SearchResult decode(const Transformer& net, const std::vector<int>& src, const DecodingOptions& opts,
                    bool record = false);

/// Decodes many sources, returning per source the best hypothesis' tokens (without BOS/EOS).
/// Greedy search runs batched (greedy_decode); beam search and sampling search chunks of 16
/// sentences in lockstep (one model step for all their hypotheses), chunks in parallel
/// (OpenMP). Sampling uses seed opts.seed + index for source `index`, so the output does not
/// depend on the thread count. Equal to decode() per source up to float rounding (padding).
/// A NAT model: nat_decode over all sources in one pass.
std::vector<std::vector<int>> decode_all(const Transformer& net, const std::vector<std::vector<int>>& sources,
                                         const DecodingOptions& opts);

} // namespace al
