// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every trainer shares, whatever the model kind (Trainer: encoder-decoder, algorithmic tasks
// and NAT; TaskTrainer: encoder + head, masked LM, decoder-only LM): the optimizer step count, the
// data-parallel step (DataParallelStep: micro-batches, BatchNorm statistics, clipping, Noam, Adam),
// the trainer's random stream and its position in the epoch's batch order, keep-best (KeepBest:
// model selection on the validation split), the checkpoint (save: model directory,
// optimizer.safetensors and trainer_state.json, swapped in whole by atomic_write_dir) and resume,
// and the surface a training loop drives: train_step, validate, save. One thread drives a
// trainer; other threads read its snapshots.
#include "engine/core/error.h"
#include "engine/eval/evaluate.h"
#include "engine/models/config.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer_state.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

namespace al {

class TrainerBase {
public:
    virtual ~TrainerBase() = default;
    TrainerBase(const TrainerBase&) = delete;
    TrainerBase& operator=(const TrainerBase&) = delete;

    /// One optimizer step on the next training batch. Throws al::NumericFault when the step meets
    /// a NaN or an Inf (DataParallelStep::run); the model and step count are then as before the
    /// call, and training may go on (e.g. after set_lr_factor).
    virtual StepStats train_step() = 0;
    /// Figures of the first max_examples validation examples (0 = all; charlm: windows).
    virtual EvalStats validate(size_t max_examples = 0) const = 0;

    /// Saves the checkpoint into `dir` atomically (atomic_write_dir: written whole beside `dir`,
    /// then swapped in): write_checkpoint's files plus whatever `extra` writes into the same
    /// staging directory (e.g. task.json); the other files of an existing `dir` are kept.
    /// Throws al::Error naming the directory or file.
    void save(const std::string& dir, const std::function<void(const std::string& staging)>& extra = {}) const;
    /// Writes the checkpoint's files into the existing directory `dir`, one file at a time: the
    /// model directory (config.json, model.safetensors, vocabularies), optimizer.safetensors
    /// (Adam moments + step) and trainer_state.json (trainer_state()). save() is the atomic form.
    void write_checkpoint(const std::string& dir) const;
    /// Step count, position in the batch order and random streams, as trainer_state.json holds them.
    TrainerState trainer_state() const;

    /// Optimizer steps done so far.
    int64_t step() const { return m_step; }
    const TrainConfig& train_config() const { return m_train; }
    /// The Noam schedule's factor (TrainConfig::lr_factor) of the steps that follow. Throws
    /// al::Error unless `factor` is finite and > 0.
    void set_lr_factor(double factor)
    {
        if (!(factor > 0) || !std::isfinite(factor))
            throw Error("lr_factor must be a finite number > 0, not " + std::to_string(factor));
        m_train.lr_factor = factor;
    }

    /// Keep-best (KeepBest): after a validation pass, keeps a copy of the weights when `score`
    /// (higher is better, e.g. an accuracy or minus the validation loss) beats every earlier pass;
    /// returns true when kept.
    bool keep_if_best(double score) { return m_best.offer(score, m_step, parameters()); }
    /// When a kept pass scored above `final_score`, puts its weights back (step count and Adam
    /// moments stay the latest) and returns true.
    bool restore_best(double final_score) { return m_best.restore_if_better(final_score, parameters()); }
    /// The kept pass (keep_if_best): has_best(), best_score(), best_step().
    const KeepBest& best() const { return m_best; }

protected:
    /// `train.seed` seeds the trainer's stream (batching order, masks, worker 0's dropout) and the
    /// other workers' dropout streams.
    explicit TrainerBase(const TrainConfig& train)
        : m_train(train), m_rng(train.seed), m_epoch_rng(train.seed), m_parallel(train.seed) {}

    /// The weights being trained.
    virtual ParamStore& parameters() = 0;
    virtual const ParamStore& parameters() const = 0;
    /// Writes the model directory files (config.json, model.safetensors, vocabularies) into `dir`.
    virtual void write_model(const std::string& dir) const = 0;
    /// One optimizer step of `plan` (DataParallelStep::run) at the Noam rate for d_model.
    StepStats run_step(ParamStore& params, int d_model, const StepPlan& plan)
    {
        return m_parallel.run(params, m_train, d_model, m_step, m_rng, plan);
    }
    /// Continues from optimizer state written by save_optimizer (resume_optimizer: Adam moments,
    /// step count). With trainer_state.json beside `optimizer_path`, its streams are put back and
    /// its epoch and batch position kept for take_resumed_position (its step must match the
    /// optimizer's); without it the trainer's stream is re-seeded with seed + step and the batch
    /// order starts a new epoch. Throws al::Error naming the file and key.
    void resume(ParamStore& params, const std::string& optimizer_path);
    /// After resume() from a trainer_state.json: true once, with the epoch count and the batches
    /// of that epoch already trained (TrainerState::epoch, batch_pos); the trainer remakes that
    /// epoch's batches and continues after them.
    bool take_resumed_position(int64_t& epoch, size_t& batch_pos);

    TrainConfig m_train;
    int64_t m_step = 0;
    Rng m_rng;                  ///< batching order, masks and worker 0's dropout stream
    Rng m_epoch_rng;            ///< m_rng as it was when the current epoch's batches were made
    int64_t m_epoch = 0;        ///< epochs started
    size_t m_batch_pos = 0;     ///< batches of the current epoch already trained
    DataParallelStep m_parallel;
    KeepBest m_best;

private:
    bool m_has_resumed_position = false;
    int64_t m_resumed_epoch = 0;
    size_t m_resumed_batch_pos = 0;
};

} // namespace al
