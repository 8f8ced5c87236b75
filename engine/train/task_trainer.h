// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Training loop of the task models (charlm, pos, sentiment, langid, mlm) on the step the
// translation Trainer uses (DataParallelStep, engine/train/train_step.h: micro-batches, BatchNorm
// statistics, global-norm clipping, Adam with the Noam warm-up schedule, data parallelism over
// sequences: one set of weights, per-thread gradients summed in a fixed order).
#include "engine/models/config.h"
#include "engine/data/task_data.h"
#include "engine/models/task_models.h"
#include "engine/train/trainer.h"

#include <memory>
#include <string>
#include <vector>

namespace al {

/// Figures of a pass over a validation or test split (dropout off, no label smoothing).
struct TaskEvalStats {
    double loss = 0;       ///< cross-entropy per target (nats): per character for charlm,
                           ///< per tag for pos, per masked token for mlm, per text for classifiers
    double bits = 0;       ///< loss / ln 2 (bits per character for charlm)
    double accuracy = 0;   ///< argmax == target over the targets
    int64_t targets = 0;   ///< number of targets scored
};

/// Trains a TaskModel on encoded data. One thread drives it; snapshot() copies for others.
class TaskTrainer {
public:
    /// train.max_tokens is the token budget of a batch (B * T); for charlm, batches are
    /// max_tokens / max_len random windows of max_len + 1 characters from the training stream.
    /// train.micro_batch_tokens > 0 runs each thread's share in micro-batches of at most
    /// micro_batch_tokens / threads padded tokens (B_micro * T); the gradient is the same sum.
    /// mask_prob: mlm selection probability (0.15 in BERT).
    TaskTrainer(TaskModel model, TaskData data, const TrainConfig& train, double mask_prob = 0.15);

    StepStats train_step();
    /// split 1 = validation, 2 = test. max_examples > 0 scores only the first ones (charlm:
    /// that many windows). mlm masks with a fixed seed, so figures are comparable across calls.
    TaskEvalStats evaluate(int split = 1, size_t max_examples = 0) const;

    const TaskModel& model() const { return m_model; }
    std::shared_ptr<const TaskModel> snapshot() const { return std::make_shared<const TaskModel>(m_model); }
    int64_t step() const { return m_step; }
    double learning_rate(int64_t s) const; ///< Noam, as Trainer::learning_rate
    const TaskData& data() const { return m_data; }
    /// Model directory + optimizer.safetensors.
    void save(const std::string& dir) const;
    /// Continues from optimizer state saved by save() (Adam moments and step).
    void load_optimizer(const std::string& path);
    /// Puts back the weights of an earlier snapshot() (early stopping / keep-best selection);
    /// step count and Adam moments stay those of the latest step.
    void restore_weights(const TaskModel& snapshot);
    /// Keep-best (KeepBest): after a validation pass, keeps a copy of the weights when `score`
    /// (higher is better: accuracy, or minus the loss for charlm) beats every earlier pass;
    /// returns true when kept.
    bool keep_if_best(double score);
    /// When a kept pass scored above `final_score`, puts its weights back (step count and Adam
    /// moments stay the latest) and returns true.
    bool restore_best(double final_score);
    /// The kept pass (keep_if_best): has_best(), best_score(), best_step().
    const KeepBest& best() const { return m_best; }

private:
    std::vector<TaskBatch> epoch_batches(uint64_t seed);
    TaskBatch make_batch(const std::vector<int>& idx, int split, Rng* mask_rng) const;

    TaskModel m_model;
    TaskData m_data;
    TrainConfig m_train;
    double m_mask_prob;
    std::vector<TaskBatch> m_batches;
    size_t m_batch_pos = 0;
    int64_t m_epoch = 0, m_step = 0;
    Rng m_rng;                           ///< batches, masks and worker 0's dropout stream
    DataParallelStep m_parallel{m_train.seed};
    std::vector<TaskActivations> m_acts; ///< per worker
    KeepBest m_best;
};

/// Optimisation defaults of `attention-lab train --task <task>` (docs/cli.md): no label
/// smoothing, warm-up 400, Noam factor 0.5, batches of 2000 tokens; charlm 4096 tokens (32
/// windows of 128 characters) and warm-up 200; sentiment and langid factor 0.3; mlm 3000 tokens.
/// The other keys keep the TrainConfig defaults.
TrainConfig default_task_train_config(const std::string& task);

/// Words seen fewer times become <unk> (`--min-count`; charlm keeps every character).
inline constexpr int kDefaultTaskMinCount = 2;
/// BERT's masking probability (`--mask-prob`; the TaskTrainer default).
inline constexpr double kDefaultMaskProb = 0.15;

/// Cuts `ids` (one example's token ids) into batches: examples sorted by length with a seeded
/// tie-break, cut so that B * T <= max_tokens, batch order shuffled. Returns index groups.
std::vector<std::vector<int>> length_batches(const std::vector<TaskExample>& examples, int max_tokens, uint64_t seed);

} // namespace al
