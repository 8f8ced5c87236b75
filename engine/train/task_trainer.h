// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Training loop of the task models (charlm, pos, sentiment, langid, mlm) on the step the
// translation Trainer uses (DataParallelStep, engine/train/train_step.h: micro-batches, BatchNorm
// statistics, global-norm clipping, Adam with the Noam warm-up schedule, data parallelism over
// sequences: one set of weights, per-thread gradients summed in a fixed order).
#include "engine/data/task_data.h"
#include "engine/eval/evaluate.h"
#include "engine/models/config.h"
#include "engine/models/task_models.h"
#include "engine/train/trainer_base.h"

#include <memory>
#include <string>
#include <vector>

namespace al {

/// Trains a TaskModel on encoded data (TrainerBase). One thread drives it; snapshot() copies for others.
class TaskTrainer : public TrainerBase {
public:
    /// train.max_tokens is the token budget of a batch (B * T); for charlm, batches are
    /// max_tokens / max_len random windows of max_len + 1 characters from the training stream.
    /// train.micro_batch_tokens > 0 runs each thread's share in micro-batches of at most
    /// micro_batch_tokens / threads padded tokens (B_micro * T); the gradient is the same sum.
    /// mask_prob: mlm selection probability (0.15 in BERT).
    TaskTrainer(TaskModel model, TaskData data, const TrainConfig& train, double mask_prob = 0.15);

    StepStats train_step() override;
    /// Figures (al::evaluate) of split 1 = validation or 2 = test (task_eval_batches).
    /// max_examples > 0 scores only the first ones (charlm: that many windows).
    EvalStats evaluate(int split = 1, size_t max_examples = 0) const;
    EvalStats validate(size_t max_examples = 0) const override { return evaluate(1, max_examples); }

    const TaskModel& model() const { return m_model; }
    std::shared_ptr<const TaskModel> snapshot() const { return std::make_shared<const TaskModel>(m_model); }
    double learning_rate(int64_t s) const; ///< Noam, as Trainer::learning_rate
    const TaskData& data() const { return m_data; }
    /// Continues from optimizer state saved by save() (Adam moments and step; with the
    /// checkpoint's trainer_state.json also the batch position and the random streams:
    /// TrainerBase::resume).
    void load_optimizer(const std::string& path);
    /// Puts back the weights of an earlier snapshot() (early stopping / keep-best selection);
    /// step count and Adam moments stay those of the latest step.
    void restore_weights(const TaskModel& snapshot);

private:
    ParamStore& parameters() override { return m_model.net.params(); }
    const ParamStore& parameters() const override { return m_model.net.params(); }
    void write_model(const std::string& dir) const override;
    std::vector<TaskBatch> epoch_batches(uint64_t seed);

    TaskModel m_model;
    TaskData m_data;
    double m_mask_prob;
    std::vector<TaskBatch> m_batches;
    std::vector<TaskActivations> m_acts; ///< per worker
};

/// The batches a held-out split of `data` is scored on: split 1 = validation, 2 = test (charlm:
/// consecutive windows of max_len characters of its one held-out text, max_tokens / max_len per
/// batch); the first max_examples examples (0 = all), cut by length_batches under max_tokens.
/// mlm masks with `mask_prob` from a fixed seed, so figures are comparable across calls and runs.
/// Throws al::Error for another split.
std::vector<TaskBatch> task_eval_batches(const TaskModel& model, const TaskData& data, int split, size_t max_examples,
                                         int max_tokens, double mask_prob = 0.15);

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
