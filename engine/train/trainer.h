// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/data/batch.h"
#include "engine/data/corpus.h"
#include "engine/eval/bleu.h"
#include "engine/eval/evaluate.h"
#include "engine/models/config.h"
#include "engine/models/translation_model.h"
#include "engine/train/trainer_base.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace al {

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

/// Options that decide how a corpus becomes a model (vocabulary and tokenizers).
struct DataOptions {
    TokenKind src_tokens = TokenKind::Auto;
    TokenKind tgt_tokens = TokenKind::Auto;
    int min_count = 2;          ///< tokens seen fewer times become <unk>
};

/// Trains a TranslationModel on corpus splits: batching, label-smoothed cross-entropy, and the
/// shared data-parallel step (DataParallelStep: micro-batches, BatchNorm statistics, clipping,
/// Adam with the Noam schedule; TrainerBase). Not thread-safe: one thread drives it;
/// other threads read snapshot()s.
class Trainer : public TrainerBase {
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
    StepStats train_step() override;
    /// Validation figures (al::evaluate) over the first max_pairs validation pairs (0 = all).
    EvalStats evaluate(size_t max_pairs = 0) const;
    EvalStats validate(size_t max_pairs = 0) const override { return evaluate(max_pairs); }
    /// Decodes the first max_sentences test pairs (0 = all) with `decoding` (greedy by default)
    /// and scores corpus BLEU on target tokens (al::evaluate_bleu). `samples` (optional)
    /// receives "source\treference\thypothesis" lines.
    BleuResult test_bleu(size_t max_sentences = 0, std::vector<std::string>* samples = nullptr,
                         const DecodingOptions& decoding = DecodingOptions{}) const;

    const TranslationModel& model() const { return m_model; }
    std::shared_ptr<const TranslationModel> snapshot() const;
    size_t train_pairs() const { return m_train_pairs.size(); }
    /// Learning rate of the Noam schedule at step s (1-based).
    double learning_rate(int64_t s) const;

    /// Puts back the weights of an earlier snapshot() (same architecture); step count and Adam
    /// moments stay those of the latest step.
    void restore_weights(const TranslationModel& snapshot);

private:
    ParamStore& parameters() override { return m_model.net.params(); }
    const ParamStore& parameters() const override { return m_model.net.params(); }
    void write_model(const std::string& dir) const override;
    static TranslationModel new_model(const CorpusSplits& data, ModelConfig cfg, const TrainConfig& train,
                                      const DataOptions& opts);
    void prepare(const CorpusSplits& data);
    void next_epoch();

    TranslationModel m_model;
    CorpusSplits m_raw;
    std::vector<EncodedPair> m_train_pairs, m_valid_pairs;
    std::vector<Batch> m_batches;
    std::vector<Seq2SeqActivations> m_acts; ///< per worker
};

} // namespace al
