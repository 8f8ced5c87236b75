// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/train_step.h"
#include "engine/data/batch.h"
#include "engine/io/checkpoint.h"
#include "engine/core/error.h"
#include "engine/train/optimizer.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <omp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace al {

void configure_engine_process()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // One OpenMP region per unit of work (the shards of a step) and Eigen's own products
        // single-threaded: fine-grained fork/join inside every product collapses when another
        // process (the GUI, a compiler) takes a core, while one barrier per step does not.
        Eigen::setNbThreads(1);
#ifdef __GLIBC__
        // A step frees and re-allocates the same activation buffers. By default glibc hands
        // large freed blocks back to the kernel (munmap, heap trim), so each step page-faults
        // them in again and zero-fills them (16% of a tiny-model step was kernel time in perf).
        // Peak memory does not grow.
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024); // the largest value glibc accepts on 64-bit
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    });
}

void configure_training_threads(int threads)
{
    configure_engine_process();
    if (threads > 0)
        omp_set_num_threads(threads); // the calling thread's parallel regions (an OpenMP ICV per thread)
}

MicroBatchLoss micro_batch_cross_entropy(Mat& logits, const std::vector<int>& targets, int ignore,
                                         double label_smoothing, int64_t batch_targets)
{
    // The loss gradient overwrites the logits in place (they are not needed afterwards): one
    // (rows x vocabulary) buffer per worker instead of two.
    int64_t n = 0;
    double nll = 0;
    const double l = cross_entropy_forward_backward(logits, targets, ignore, label_smoothing, &logits, &nll, nullptr, &n);
    const double share = batch_targets ? double(n) / double(batch_targets) : 0.0;
    logits *= Scalar(share);
    MicroBatchLoss out;
    out.loss = l * share;
    out.nll = nll * share;
    return out;
}

StepStats DataParallelStep::run(ParamStore& params, const TrainConfig& train, int d_model, int64_t& step, Rng& rng,
                                const StepPlan& plan)
{
    if (plan.shards.size() < 2)
        throw Error("DataParallelStep: a step needs at least one shard");
    const int workers = int(plan.shards.size()) - 1;
    while (int(m_worker_rngs.size()) < workers - 1)
        m_worker_rngs.emplace_back(m_seed * 7919ull + (m_worker_rngs.size() + 1));
    m_norm_stats.assign(size_t(workers), {});
    params.zero_grad();
    params.zero_worker_grads(workers);
    const int B = plan.shards.back();
    std::vector<MicroBatchLoss> sums(static_cast<size_t>(workers));
    std::vector<int> pieces_run(static_cast<size_t>(workers), 0);
    std::vector<int64_t> largest_piece(size_t(workers), 0);
    // Micro-batches: activation memory follows micro_batch_tokens, not the batch size nor the
    // thread count (the workers share the budget: each has micro_batch_tokens / workers).
    const int budget = train.micro_batch_tokens > 0 ? std::max(1, train.micro_batch_tokens / workers) : 0;
#pragma omp parallel for num_threads(workers) schedule(static, 1)
    for (int w = 0; w < workers; ++w) {
        // One set of weights; each worker accumulates into its own gradient buffer.
        const GradientWorker gradients(w);
        const int b0 = plan.shards[size_t(w)], b1 = plan.shards[size_t(w) + 1];
        const std::vector<int> micro = micro_batch_cuts(b1 - b0, plan.padded_length(b0, b1), budget);
        MicroBatch mb;
        mb.worker = w;
        mb.rng = w == 0 ? &rng : &m_worker_rngs[size_t(w - 1)];
        mb.norm_stats = &m_norm_stats[size_t(w)];
        MicroBatchLoss& sum = sums[size_t(w)];
        for (size_t m = 0; m + 1 < micro.size(); ++m) {
            mb.index = int(m);
            mb.begin = b0 + micro[m];
            mb.end = b0 + micro[m + 1];
            mb.whole = mb.begin == 0 && mb.end == B;
            ++pieces_run[size_t(w)];
            largest_piece[size_t(w)] =
                std::max(largest_piece[size_t(w)], int64_t(mb.end - mb.begin) * plan.padded_length(mb.begin, mb.end));
            const MicroBatchLoss l = plan.micro_batch(mb);
            sum.loss += l.loss;
            sum.nll += l.nll;
            sum.length_loss += l.length_loss;
            sum.sampled_inputs += l.sampled_inputs;
        }
    }
    StepStats st;
    for (int w = 0; w < workers; ++w) {
        st.loss += sums[size_t(w)].loss;
        st.nll += sums[size_t(w)].nll;
        st.sampled_inputs += sums[size_t(w)].sampled_inputs;
        st.length_loss += sums[size_t(w)].length_loss;
        st.micro_batches += pieces_run[size_t(w)];
        st.max_micro_batch_tokens = std::max(st.max_micro_batch_tokens, largest_piece[size_t(w)]);
    }
    params.reduce_worker_grads();
    const GradClip clip = clip_grad_norm(params, train.clip_grad_norm);
    st.grad_norm = clip.norm;
    const int64_t next = step + 1;
    // Nothing has changed the model yet. The squared norm of the gradients is NaN or Inf when
    // one of them is, so the finite case costs nothing beyond the norm clipping needs.
    if (!std::isfinite(clip.norm))
        if (const NonFiniteParam bad = first_non_finite_gradient(params))
            throw NumericFault(next, FaultSite::Gradient, bad.param->name, bad.kind);
    if (!std::isfinite(st.loss))
        throw NumericFault(next, FaultSite::Loss, "", std::isnan(st.loss) ? NonFinite::NaN : NonFinite::Inf);
    if (!std::isfinite(st.length_loss))
        throw NumericFault(next, FaultSite::LengthLoss, "", std::isnan(st.length_loss) ? NonFinite::NaN : NonFinite::Inf);
    st.lr = noam_learning_rate(next, d_model, train);
    if (const NonFiniteParam bad = adam_update(params, train, next, st.lr, clip.scale))
        throw NumericFault(next, FaultSite::Update, bad.param->name, bad.kind);
    {
        // BatchNorm running statistics: one update from every micro-batch of every shard, pooled
        // in worker order (the statistics of the whole batch). After the checks, so that a step
        // that faults leaves them alone too; their values do not enter the gradients or Adam.
        std::vector<BatchNormStats>& stats = m_norm_stats[0];
        for (int w = 1; w < workers; ++w) {
            stats.resize(std::max(stats.size(), m_norm_stats[size_t(w)].size()));
            for (size_t i = 0; i < m_norm_stats[size_t(w)].size(); ++i)
                stats[i].merge(m_norm_stats[size_t(w)][i]);
        }
        if (plan.update_norm_statistics)
            plan.update_norm_statistics(stats);
    }
    step = next;
    st.step = step;
    return st;
}

void save_optimizer(const ParamStore& params, int64_t step, const std::string& dir)
{
    save_optimizer_state(params, step, (std::filesystem::path(dir) / "optimizer.safetensors").string());
}

int64_t resume_optimizer(ParamStore& params, const std::string& path, uint64_t seed, Rng& rng)
{
    params.ensure_optimizer_state();
    const int64_t step = load_optimizer_state(params, path);
    rng.seed(seed + uint64_t(step));
    return step;
}

bool KeepBest::offer(double score, int64_t step, const ParamStore& params)
{
    if (has_best() && !(score > m_score))
        return false;
    m_values.clear();
    m_values.reserve(params.all().size());
    for (const auto& p : params.all())
        m_values.push_back(p->value);
    m_score = score;
    m_step = step;
    return true;
}

bool KeepBest::restore_if_better(double final_score, ParamStore& params) const
{
    if (!has_best() || !(final_score < m_score))
        return false;
    const auto& all = params.all();
    if (all.size() != m_values.size())
        throw Error("keep-best: the model has " + std::to_string(all.size()) + " parameters, the kept weights "
                    + std::to_string(m_values.size()));
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i]->value.rows() != m_values[i].rows() || all[i]->value.cols() != m_values[i].cols())
            throw Error("keep-best: parameter '" + all[i]->name + "' changed shape");
        all[i]->value = m_values[i];
    }
    return true;
}

} // namespace al
