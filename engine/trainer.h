// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/batch.h"
#include "engine/bleu.h"
#include "engine/config.h"
#include "engine/corpus.h"
#include "engine/translation_model.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace al {

/// Figures of one optimizer step.
struct StepStats {
    int64_t step = 0;          ///< optimizer steps done so far (after this one)
    double loss = 0;           ///< label-smoothed cross-entropy per target token (nats)
    double nll = 0;            ///< plain cross-entropy per target token (nats)
    double lr = 0;             ///< learning rate used
    double grad_norm = 0;      ///< global L2 norm before clipping
    int64_t tgt_tokens = 0;    ///< target tokens in the batch
    double seconds = 0;        ///< wall time of the step
    double epoch = 0;          ///< fractional passes over the training set
    double sampling_prob = 0;  ///< scheduled-sampling probability p used at this step (0 when off)
    int64_t sampled_inputs = 0;///< decoder inputs replaced by the model's prediction at this step
    double length_loss = 0;    ///< NAT models: cross-entropy of the length predictor per sentence (nats); 0 otherwise
    int micro_batches = 0;     ///< forward + backward passes of the step, over all threads
    int64_t max_micro_batch_tokens = 0; ///< padded tokens (B_micro * max(S, T)) of the largest one
};

/// Scheduled-sampling probability p at optimizer step `step` (1-based) under train's
/// scheduled_sampling keys (see TrainConfig); 0 when scheduled sampling is off.
double scheduled_sampling_probability(const TrainConfig& train, int64_t step);

/// Scheduled sampling by the two-pass approximation for Transformers (Mihaylova & Martins 2019,
/// "Scheduled Sampling for Transformers"): a first teacher-forced pass without dropout and
/// without gradient gives the model's prediction argmax p(y_t | y_<t, x) at every position;
/// each decoder input tgt_in[t] (t >= 1, not PAD) is then replaced, with probability p, by the
/// prediction for position t (made from the reference prefix, not from earlier replacements as
/// in Bengio et al.'s sequential RNN version, and argmax rather than a sample). BOS, PAD,
/// src and tgt_out are unchanged. Returns the new batch; `replaced` (optional) receives the
/// number of inputs changed (a replacement equal to the reference counts as not changed).
Batch scheduled_sampling_batch(const Transformer& net, const Batch& batch, double p, Rng& rng,
                               int64_t* replaced = nullptr);

/// Validation figures (dropout off, no label smoothing).
struct EvalStats {
    double loss = 0;           ///< cross-entropy per target token (nats)
    double perplexity = 0;     ///< exp(loss)
    double token_accuracy = 0; ///< argmax == reference, over non-PAD target tokens
    int64_t tokens = 0;
};

/// Options that decide how a corpus becomes a model (vocabulary and tokenizers).
struct DataOptions {
    TokenKind src_tokens = TokenKind::Auto;
    TokenKind tgt_tokens = TokenKind::Auto;
    int min_count = 2;          ///< tokens seen fewer times become <unk>
};

/// Trains a TranslationModel on corpus splits: batching, label-smoothed cross-entropy,
/// Adam with the Noam schedule, gradient clipping. Not thread-safe: one thread drives it;
/// other threads read snapshot()s.
class Trainer {
public:
    /// New model: tokenizes the splits (resolving Auto from the training data), builds the
    /// vocabularies from the training split, initialises the network with train.seed.
    Trainer(const CorpusSplits& data, ModelConfig model, const TrainConfig& train,
            const DataOptions& opts);
    /// Resume: keeps the model's vocabularies and tokenizers; optimizer state is loaded from
    /// `optimizer_path` when non-empty.
    Trainer(const CorpusSplits& data, TranslationModel model, const TrainConfig& train,
            const std::string& optimizer_path = {});

    /// One optimizer step on the next batch; with scheduled sampling on, the decoder inputs are
    /// first mixed with the model's predictions (scheduled_sampling_batch). NAT models
    /// (decoder "nat") add length_loss_weight x the length cross-entropy to the token loss
    /// (reported in StepStats::length_loss; StepStats::loss stays the token loss).
    StepStats train_step();
    /// Validation loss over the first max_pairs validation pairs (0 = all).
    EvalStats evaluate(size_t max_pairs = 0) const;
    /// Decodes the first max_sentences test pairs (0 = all) with `decoding` (greedy by default;
    /// max_len is raised to cover 2 x source + 10 tokens) and scores corpus BLEU on target
    /// tokens. `samples` (optional) receives "source\treference\thypothesis" lines.
    BleuResult test_bleu(size_t max_sentences = 0, std::vector<std::string>* samples = nullptr,
                         const DecodingOptions& decoding = DecodingOptions{}) const;

    const TranslationModel& model() const { return m_model; }
    std::shared_ptr<const TranslationModel> snapshot() const;
    int64_t step() const { return m_step; }
    const TrainConfig& train_config() const { return m_train; }
    size_t train_pairs() const { return m_train_pairs.size(); }
    /// Learning rate of the Noam schedule at step s (1-based).
    double learning_rate(int64_t s) const;

    /// Writes the model directory plus optimizer.safetensors (Adam moments + step).
    void save(const std::string& dir) const;

private:
    static TranslationModel new_model(const CorpusSplits& data, ModelConfig cfg, const TrainConfig& train,
                                      const DataOptions& opts);
    void prepare(const CorpusSplits& data);
    void next_epoch();

    TranslationModel m_model;
    TrainConfig m_train;
    CorpusSplits m_raw;
    std::vector<EncodedPair> m_train_pairs, m_valid_pairs;
    std::vector<Batch> m_batches;
    size_t m_batch_pos = 0;
    int64_t m_epoch = 0;
    int64_t m_step = 0;
    Rng m_rng;
    std::vector<Rng> m_worker_rngs; ///< dropout streams of data-parallel workers 1, 2, ...
    std::vector<Seq2SeqActivations> m_acts;               ///< per worker
    /// Per worker: BatchNorm statistics of every micro-batch of the current step (pooled into
    /// one running-statistics update per step).
    std::vector<std::vector<BatchNormStats>> m_norm_stats;
};

} // namespace al
