// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/task_trainer.h"
#include "engine/train/optimizer.h"
#include "engine/core/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace al {

namespace {

// Sequences [begin, end) of a batch (T kept; per-sequence or per-token targets sliced alike).
TaskBatch slice(const TaskBatch& b, int begin, int end, bool per_sequence)
{
    TaskBatch s;
    s.B = end - begin;
    s.T = b.T;
    const auto tok = [&](const std::vector<int>& v) {
        return std::vector<int>(v.begin() + ptrdiff_t(begin) * b.T, v.begin() + ptrdiff_t(end) * b.T);
    };
    s.ids = tok(b.ids);
    if (!b.segments.empty())
        s.segments = tok(b.segments);
    if (!b.aux.empty())
        s.aux = tok(b.aux);
    s.len.assign(b.len.begin() + begin, b.len.begin() + end);
    s.targets = per_sequence ? std::vector<int>(b.targets.begin() + begin, b.targets.begin() + end) : tok(b.targets);
    return s;
}

// One padded batch of the examples `idx` of `ex`; mlm masks with mask_prob from mask_rng.
TaskBatch make_batch(const ModelConfig& c, const Vocab& vocab, const std::vector<TaskExample>& ex,
                     const std::vector<int>& idx, double mask_prob, Rng* mask_rng)
{
    TaskBatch b;
    b.B = int(idx.size());
    for (int i : idx)
        b.T = std::max(b.T, int(ex[size_t(i)].ids.size()));
    b.T = std::max(b.T, 1);
    const size_t N = size_t(b.B) * size_t(b.T);
    const bool per_seq = c.kind() == ModelKind::EncoderClassifier;
    b.ids.assign(N, vocab.pad());
    b.targets.assign(per_seq ? size_t(b.B) : N, -1);
    if (c.task == "mlm")
        b.segments.assign(N, 0);
    if (c.suffix_len > 0)
        b.aux.assign(N, vocab.pad());
    for (int r = 0; r < b.B; ++r) {
        const TaskExample& e = ex[size_t(idx[size_t(r)])];
        std::vector<int> ids = e.ids, targets = e.targets;
        if (c.task == "mlm")
            mask_tokens(ids, targets, vocab, mask_prob, *mask_rng);
        const size_t off = size_t(r) * size_t(b.T);
        std::copy(ids.begin(), ids.end(), b.ids.begin() + ptrdiff_t(off));
        if (!e.segments.empty())
            std::copy(e.segments.begin(), e.segments.end(), b.segments.begin() + ptrdiff_t(off));
        if (c.suffix_len > 0)
            std::copy(e.aux.begin(), e.aux.end(), b.aux.begin() + ptrdiff_t(off));
        if (per_seq)
            b.targets[size_t(r)] = targets.at(0);
        else
            std::copy(targets.begin(), targets.end(), b.targets.begin() + ptrdiff_t(off));
        b.len.push_back(std::max(1, int(ids.size())));
    }
    return b;
}

} // namespace

TrainConfig default_task_train_config(const std::string& task)
{
    TrainConfig t;
    t.label_smoothing = 0.0;
    t.warmup_steps = 400;
    t.lr_factor = 0.5;
    t.max_tokens = 2000;
    t.micro_batch_tokens = 0; // each thread's whole share in one pass
    if (task == "charlm") {
        t.max_tokens = 4096; // 32 windows of 128 characters
        t.warmup_steps = 200;
    } else if (task == "sentiment" || task == "langid") {
        t.lr_factor = 0.3;
    } else if (task == "mlm") {
        t.max_tokens = 3000;
    }
    return t;
}

std::vector<std::vector<int>> length_batches(const std::vector<TaskExample>& examples, int max_tokens, uint64_t seed)
{
    if (max_tokens <= 0)
        throw Error("max_tokens must be >= 1, got " + std::to_string(max_tokens));
    Rng rng(seed);
    std::vector<uint64_t> tie(examples.size());
    for (auto& t : tie)
        t = rng.engine()();
    std::vector<int> order(examples.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const size_t la = examples[size_t(a)].ids.size(), lb = examples[size_t(b)].ids.size();
        return la != lb ? la < lb : tie[size_t(a)] < tie[size_t(b)];
    });
    std::vector<std::vector<int>> batches;
    std::vector<int> cur;
    size_t longest = 0;
    for (int i : order) {
        const size_t len = std::max<size_t>(1, examples[size_t(i)].ids.size());
        if (!cur.empty() && (cur.size() + 1) * std::max(longest, len) > size_t(max_tokens)) {
            batches.push_back(std::move(cur));
            cur.clear();
            longest = 0;
        }
        cur.push_back(i);
        longest = std::max(longest, len);
    }
    if (!cur.empty())
        batches.push_back(std::move(cur));
    for (size_t i = batches.size(); i > 1; --i)
        std::swap(batches[i - 1], batches[size_t(rng.below(i))]);
    return batches;
}

TaskTrainer::TaskTrainer(TaskModel model, TaskData data, const TrainConfig& train, double mask_prob)
    : TrainerBase(train), m_model(std::move(model)), m_data(std::move(data)), m_mask_prob(mask_prob)
{
    configure_training_threads(train.threads);
    const ModelConfig& c = m_model.net.config();
    if (c.task == "charlm") {
        if (m_data.lm_stream[0].size() < size_t(c.max_len) + 2)
            throw Error("the training text has fewer characters than the context window (max_len "
                        + std::to_string(c.max_len) + ") + 2");
    } else if (m_data.split[0].empty()) {
        throw Error("the training split is empty");
    }
    m_model.net.params().ensure_optimizer_state();
}

double TaskTrainer::learning_rate(int64_t s) const
{
    return noam_learning_rate(s, m_model.net.config().d_model, m_train);
}

std::vector<TaskBatch> TaskTrainer::epoch_batches(uint64_t seed)
{
    std::vector<TaskBatch> out;
    for (const auto& idx : length_batches(m_data.split[0], m_train.max_tokens, seed))
        out.push_back(make_batch(m_model.net.config(), m_model.vocab, m_data.split[0], idx, m_mask_prob, &m_rng));
    return out;
}

StepStats TaskTrainer::train_step()
{
    const auto t0 = std::chrono::steady_clock::now();
    const ModelConfig& c = m_model.net.config();
    const bool per_seq = c.kind() == ModelKind::EncoderClassifier;
    TaskBatch batch;
    double epoch = 0;
    if (c.task == "charlm") {
        // Random windows of T + 1 characters: input chars 0..T-1, targets 1..T.
        const std::vector<int>& s = m_data.lm_stream[0];
        const int T = c.max_len;
        batch.B = std::max(1, m_train.max_tokens / T);
        batch.T = T;
        batch.len.assign(size_t(batch.B), T);
        for (int b = 0; b < batch.B; ++b) {
            const size_t off = size_t(m_rng.below(s.size() - size_t(T)));
            batch.ids.insert(batch.ids.end(), s.begin() + ptrdiff_t(off), s.begin() + ptrdiff_t(off) + T);
            batch.targets.insert(batch.targets.end(), s.begin() + ptrdiff_t(off) + 1, s.begin() + ptrdiff_t(off) + T + 1);
        }
        epoch = double(m_step + 1) * double(batch.B) * T / double(s.size());
    } else {
        if (m_batch_pos >= m_batches.size()) {
            // mlm: masks drawn afresh every epoch (dynamic masking, as RoBERTa)
            m_epoch_rng = m_rng;
            m_batches = epoch_batches(m_train.seed * 1000003ull + uint64_t(m_epoch));
            m_batch_pos = 0;
            ++m_epoch;
        }
        batch = m_batches[m_batch_pos++];
        epoch = double(m_epoch - 1) + double(m_batch_pos) / double(m_batches.size());
    }
    const int64_t total = batch.num_targets();
    TaskNet& net = m_model.net;

    // Contiguous, even ranges of sequences per thread; every sequence is padded to T.
    StepPlan plan;
    plan.shards = even_split_points(batch.B, m_train.threads);
    m_acts.resize(plan.shards.size() - 1);
    plan.padded_length = [&](int, int) { return batch.T; };
    plan.micro_batch = [&](const MicroBatch& mb) {
        const TaskBatch piece = mb.whole ? batch : slice(batch, mb.begin, mb.end, per_seq);
        TaskActivations& act = m_acts[size_t(mb.worker)];
        net.forward(piece, act, true, mb.rng);
        net.accumulate_norm_statistics(act, *mb.norm_stats);
        const MicroBatchLoss l = micro_batch_cross_entropy(act.logits, act.targets, -1, m_train.label_smoothing, total);
        net.backward(piece, act, act.logits);
        return l;
    };
    plan.update_norm_statistics = [&](const std::vector<BatchNormStats>& stats) { net.update_norm_statistics(stats); };
    StepStats st = run_step(net.params(), c.d_model, plan);
    st.tgt_tokens = total;
    st.epoch = epoch;
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
}

std::vector<TaskBatch> task_eval_batches(const TaskModel& model, const TaskData& data, int split, size_t max_examples,
                                         int max_tokens, double mask_prob)
{
    if (split < 1 || split > 2)
        throw Error("evaluate: split must be 1 (validation) or 2 (test)");
    const ModelConfig& c = model.net.config();
    std::vector<TaskBatch> batches;
    if (c.task == "charlm") {
        // Consecutive windows of the validation text (charlm has one held-out part).
        const std::vector<int>& s = data.lm_stream[1];
        const int T = c.max_len;
        const int per_batch = std::max(1, max_tokens / T);
        size_t windows = s.size() > 1 ? (s.size() - 2) / size_t(T) + 1 : 0;
        if (max_examples && windows > max_examples)
            windows = max_examples;
        for (size_t w = 0; w < windows; w += size_t(per_batch)) {
            TaskBatch b;
            for (size_t k = w; k < std::min(windows, w + size_t(per_batch)); ++k) {
                const size_t off = k * size_t(T);
                const size_t n = std::min(size_t(T), s.size() - 1 - off);
                std::vector<int> ids(s.begin() + ptrdiff_t(off), s.begin() + ptrdiff_t(off + n));
                std::vector<int> tg(s.begin() + ptrdiff_t(off) + 1, s.begin() + ptrdiff_t(off + n) + 1);
                ids.resize(size_t(T), model.vocab.pad());
                tg.resize(size_t(T), -1);
                b.ids.insert(b.ids.end(), ids.begin(), ids.end());
                b.targets.insert(b.targets.end(), tg.begin(), tg.end());
                b.len.push_back(int(n));
                ++b.B;
            }
            b.T = T;
            batches.push_back(std::move(b));
        }
    } else {
        std::vector<TaskExample> ex = data.split[split];
        if (max_examples && ex.size() > max_examples)
            ex.resize(max_examples);
        const auto groups = length_batches(ex, max_tokens, 0);
        Rng mask_rng(12345); // fixed masks: comparable figures across evaluations
        for (const auto& g : groups)
            batches.push_back(make_batch(c, model.vocab, ex, g, mask_prob, &mask_rng));
    }
    return batches;
}

EvalStats TaskTrainer::evaluate(int split, size_t max_examples) const
{
    return al::evaluate(m_model.net, task_eval_batches(m_model, m_data, split, max_examples, m_train.max_tokens, m_mask_prob));
}

void TaskTrainer::write_model(const std::string& dir) const
{
    write_task_model_files(m_model, dir);
}

void TaskTrainer::restore_weights(const TaskModel& snapshot)
{
    m_model.net.params().copy_values_from(snapshot.net.params());
}

void TaskTrainer::load_optimizer(const std::string& path)
{
    resume(m_model.net.params(), path);
    int64_t epoch = 0;
    size_t batch_pos = 0;
    if (!take_resumed_position(epoch, batch_pos) || m_model.net.config().task == "charlm")
        return;
    // The epoch's batches (and mlm's masks) are drawn from the trainer's stream as it was when
    // the epoch began: made again from that state, then the stream goes on from where it was.
    const Rng now = m_rng;
    m_rng = m_epoch_rng;
    m_epoch = epoch - 1;
    m_batches = epoch_batches(m_train.seed * 1000003ull + uint64_t(m_epoch));
    ++m_epoch;
    m_rng = now;
    m_batch_pos = std::min(batch_pos, m_batches.size());
}

} // namespace al
