// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One optimizer step of data-parallel training, shared by every model kind (encoder-decoder,
// NAT, encoder + head, masked LM, decoder-only LM):
//
//   g = 0;  for each worker w (one thread, a contiguous shard of the batch's sequences):
//             for each micro-batch m of the shard (at most micro_batch_tokens / workers
//             padded tokens):  forward, loss_m, g_w += d(share_m * loss_m)/dtheta
//   g = g_0 + g_1 + ...  (worker order: reproducible for a given thread count)
//   loss, g and the Adam update checked for NaN / Inf (a NumericFault leaves the model as it was)
//   g *= min(1, max_norm / (||g|| + 1e-6));  lr = Noam(step);  Adam(theta, g, lr)
//   BatchNorm running statistics: one momentum update from the statistics pooled over every
//   micro-batch of every shard (the whole batch)
//
// share_m = targets_m / targets_batch, so the sum of the weighted micro-batch means is the mean
// loss of the whole batch ("Attention Is All You Need" section 5.3-5.4 for Adam, Noam and
// label smoothing; gradient accumulation is the usual sum of per-micro-batch gradients).
// The model kind supplies the forward + loss + backward of one micro-batch as a callable.
#include "engine/models/config.h"
#include "engine/nn/loss.h"
#include "engine/nn/norm.h"
#include "engine/core/params.h"
#include "engine/core/tensor.h"
#include "engine/train/numeric_fault.h"

#include <cstdint>
#include <functional>
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

/// The engine's process-wide settings, made once per process (thread-safe; later calls do
/// nothing): Eigen's own products single-threaded (the engine parallelises over sequences only)
/// and freed memory kept in the process, so that every step reuses the previous step's activation
/// buffers. Eigen's thread count is one unsynchronised global that every product reads in an
/// OpenMP build: call this before starting threads that run the engine (the GUI does so before
/// its first worker thread).
void configure_engine_process();

/// Set-up of a trainer's thread: configure_engine_process(), then `threads` OpenMP workers for
/// the calling thread's parallel regions (0 keeps the current number).
void configure_training_threads(int threads);

/// One micro-batch handed to the model's forward + loss + backward.
struct MicroBatch {
    int worker = 0;            ///< data-parallel worker (thread), 0-based
    int index = 0;             ///< micro-batch number inside the worker's shard, 0-based
    int begin = 0, end = 0;    ///< sequences [begin, end) of the step's batch
    bool whole = false;        ///< the range is the whole batch (no slice needed)
    Rng* rng = nullptr;        ///< the worker's dropout stream
    /// Where the micro-batch's BatchNorm statistics go (accumulate_norm_statistics).
    std::vector<BatchNormStats>* norm_stats = nullptr;
};

/// What one micro-batch adds to the step's figures, each already weighted by its share of the
/// batch (so that the sums over micro-batches are the batch's means).
struct MicroBatchLoss {
    double loss = 0;           ///< share x label-smoothed cross-entropy
    double nll = 0;            ///< share x plain cross-entropy
    double length_loss = 0;    ///< NAT: share x length cross-entropy
    int64_t sampled_inputs = 0;///< scheduled sampling: decoder inputs replaced
};

/// The token loss of one micro-batch as its share of the batch mean: cross_entropy_forward_backward
/// on logits (N, V) with `targets` (N; `ignore` rows do not count), then the gradient (written
/// over `logits`) scaled by share = n / batch_targets, n the counted rows. Returns share x loss and
/// share x nll.
MicroBatchLoss micro_batch_cross_entropy(Mat& logits, const std::vector<int>& targets, int ignore,
                                         double label_smoothing, int64_t batch_targets);

/// How a trainer's batch is run through one step.
struct StepPlan {
    /// Shard cut points: worker w runs sequences [shards[w], shards[w + 1]); size = workers + 1.
    std::vector<int> shards;
    /// Padded length of every sequence of the range [begin, end) once sliced (max(S, T) for a
    /// translation batch): micro-batches hold at most micro_batch_tokens / workers of these.
    std::function<int(int begin, int end)> padded_length;
    /// Forward + loss + backward of one micro-batch, accumulating into the gradients of the
    /// calling thread (the step opens a GradientWorker scope). Called concurrently from the workers.
    std::function<MicroBatchLoss(const MicroBatch&)> micro_batch;
    /// One running-statistics update from the pooled BatchNorm statistics (empty without BatchNorm).
    std::function<void(const std::vector<BatchNormStats>&)> update_norm_statistics;
};

/// The data-parallel step driver. Holds what persists between steps: the dropout streams of
/// workers 1, 2, ... (worker 0 uses the trainer's own stream) and the per-worker statistics
/// buffers. Not thread-safe: one trainer thread calls run().
class DataParallelStep {
public:
    /// `seed`: TrainConfig::seed; worker w >= 1 draws dropout from Rng(seed * 7919 + w).
    explicit DataParallelStep(uint64_t seed) : m_seed(seed) {}

    /// Runs one optimizer step: zeroes the gradients, runs plan.micro_batch over the micro-batches
    /// of every shard (one thread per shard; micro-batches of at most train.micro_batch_tokens /
    /// workers padded tokens, 0 = one per shard), reduces the worker gradients, clips to
    /// train.clip_grad_norm, applies Adam at the Noam rate for d_model, updates the BatchNorm
    /// statistics and advances `step`. `rng` is worker 0's dropout stream. Fills loss, nll,
    /// length_loss, sampled_inputs, micro_batches, max_micro_batch_tokens, grad_norm, lr, step.
    /// Throws al::NumericFault, before any weight, Adam moment, BatchNorm statistic or `step`
    /// changes, when a gradient (the first parameter in ParamStore order), the loss, the NAT length
    /// loss or the Adam update (verified before it is written) holds a NaN or an Inf; only the
    /// gradients and the dropout streams have moved then.
    StepStats run(ParamStore& params, const TrainConfig& train, int d_model, int64_t& step, Rng& rng,
                  const StepPlan& plan);

    /// The dropout streams of workers 1, 2, ... made so far (a checkpoint saves them).
    const std::vector<Rng>& worker_rngs() const { return m_worker_rngs; }
    /// Puts back streams of worker_rngs() (a resumed run); workers beyond them start from the seed.
    void set_worker_rngs(std::vector<Rng> rngs) { m_worker_rngs = std::move(rngs); }

private:
    uint64_t m_seed;
    std::vector<Rng> m_worker_rngs;
    std::vector<std::vector<BatchNormStats>> m_norm_stats;
};

/// Writes `dir`/optimizer.safetensors: Adam moments of `params` and the step count.
void save_optimizer(const ParamStore& params, int64_t step, const std::string& dir);
/// Resume: loads Adam moments and the step count saved by save_optimizer from the file `path`
/// (allocating moment buffers first), and re-seeds the trainer's stream `rng` with seed + step so
/// that a resumed run does not repeat the dropout and batch draws of its first steps (a checkpoint
/// with trainer_state.json then puts back the saved stream instead: TrainerBase::resume). Returns
/// the step. Throws al::Error on a missing or mismatching file (load_optimizer_state).
int64_t resume_optimizer(ParamStore& params, const std::string& path, uint64_t seed, Rng& rng);

/// Keep-best: model selection on the validation split (early stopping by keeping the weights of
/// the best validation pass). Scores are "higher is better" (accuracy, or minus a loss).
class KeepBest {
public:
    /// Records a copy of every parameter value (weights and BatchNorm buffers; not gradients or
    /// Adam moments) when `score` beats every earlier offer. Returns true when kept.
    bool offer(double score, int64_t step, const ParamStore& params);
    /// When a kept pass scored above `final_score`, puts its values back into `params` (same
    /// names and order as offered) and returns true; otherwise leaves `params` alone.
    bool restore_if_better(double final_score, ParamStore& params) const;
    bool has_best() const { return !m_values.empty(); }
    double best_score() const { return m_score; }
    int64_t best_step() const { return m_step; }

private:
    std::vector<Mat> m_values;
    double m_score = 0;
    int64_t m_step = 0;
};

} // namespace al
