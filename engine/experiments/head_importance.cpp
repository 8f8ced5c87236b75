// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/experiments/head_importance.h"
#include "engine/core/error.h"
#include "engine/data/vocab.h"
#include "engine/eval/evaluate.h"
#include "engine/models/task_models.h"
#include "engine/models/transformer.h"
#include "engine/models/translation_model.h"
#include "engine/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <omp.h>

namespace al {

namespace {

// One attention call of a pass, as the head statistics see it: its cache, the rows per
// sequence of its queries and the real query counts.
struct AttentionSite {
    AttentionKind kind;
    int layer;
    AttentionCache* cache;
    int rows_per_sequence;
    const std::vector<int>* query_len;
};

std::vector<AttentionSite> sites_of(Seq2SeqActivations& act, const Batch& batch)
{
    std::vector<AttentionSite> s;
    for (size_t l = 0; l < act.enc.size(); ++l)
        s.push_back({AttentionKind::EncoderSelf, int(l), &act.enc[l].sa, batch.S, &batch.src_len});
    for (size_t l = 0; l < act.dec.size(); ++l)
        s.push_back({AttentionKind::DecoderSelf, int(l), &act.dec[l].sa, batch.T, &batch.tgt_len});
    for (size_t l = 0; l < act.dec.size(); ++l)
        s.push_back({AttentionKind::Cross, int(l), &act.dec[l].ca, batch.T, &batch.tgt_len});
    return s;
}

std::vector<AttentionSite> sites_of(TaskActivations& act, const TaskBatch& batch)
{
    std::vector<AttentionSite> s;
    for (size_t l = 0; l < act.layers.size(); ++l)
        s.push_back({AttentionKind::EncoderSelf, int(l), &act.layers[l].sa, batch.T, &batch.len});
    return s;
}

// Index of (kind, layer, head) in all_heads order.
size_t head_index(const std::array<int, kAttentionKinds>& layers, int H, AttentionKind kind, int layer, int head)
{
    size_t offset = 0;
    for (int k = 0; k < int(kind); ++k)
        offset += size_t(layers[size_t(k)]) * size_t(H);
    return offset + size_t(layer) * size_t(H) + size_t(head);
}

// Sums of the head outputs over real query positions, per batch (summed afterwards in batch
// order, so the result does not depend on thread timing).
template <class Net, class BatchT, class Activations>
HeadMeans output_means(const Net& net, const std::vector<BatchT>& batches)
{
    const int H = net.config().nhead, D = net.config().d_model / H;
    const std::array<int, kAttentionKinds> layers = net.attention_layers();
    const size_t n_heads = all_heads(layers, H).size();
    std::vector<Mat> sums(batches.size());   // per batch (n_heads, D)
    std::vector<int64_t> counts(batches.size() * kAttentionKinds, 0);
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < batches.size(); ++i) {
        Activations act;
        net.forward(batches[i], act, false, nullptr);
        Mat sum = Mat::Zero(Eigen::Index(n_heads), D);
        for (const AttentionSite& site : sites_of(act, batches[i])) {
            const Mat& ctx = site.cache->ctx; // (B*L, C)
            int64_t n = 0;
            RowVec row_sum = RowVec::Zero(ctx.cols());
            for (size_t b = 0; b < site.query_len->size(); ++b) {
                const int len = (*site.query_len)[b];
                row_sum += ctx.middleRows(Eigen::Index(b) * site.rows_per_sequence, len).colwise().sum();
                n += len;
            }
            for (int h = 0; h < H; ++h)
                sum.row(Eigen::Index(head_index(layers, H, site.kind, site.layer, h))) = row_sum.segment(h * D, D);
            if (site.layer == 0)
                counts[i * kAttentionKinds + size_t(site.kind)] = n;
        }
        sums[i] = std::move(sum);
    }
    HeadMeans means;
    std::array<int64_t, kAttentionKinds> total{};
    Mat sum = Mat::Zero(Eigen::Index(n_heads), D);
    for (size_t i = 0; i < batches.size(); ++i) {
        sum += sums[i];
        for (int k = 0; k < kAttentionKinds; ++k)
            total[size_t(k)] += counts[i * kAttentionKinds + size_t(k)];
    }
    for (int k = 0; k < kAttentionKinds; ++k)
        for (int l = 0; l < layers[size_t(k)]; ++l) {
            Mat m(H, D);
            for (int h = 0; h < H; ++h)
                m.row(h) = sum.row(Eigen::Index(head_index(layers, H, AttentionKind(k), l, h))) /
                           Scalar(std::max<int64_t>(1, total[size_t(k)]));
            means[size_t(k)].push_back(std::move(m));
        }
    return means;
}

// The gradient importance loop shared by both model kinds. `loss_grad(batch, act, dlogits,
// per_seq)` writes the gradient of sum_x L(x) over the batch's examples into dlogits and, per
// sequence, whether it has a target (per_seq[b] = 1).
template <class Net, class BatchT, class Activations, class LossGrad>
GradientImportance gate_importance(const Net& net, const std::vector<BatchT>& batches, LossGrad loss_grad)
{
    const int H = net.config().nhead;
    const std::array<int, kAttentionKinds> layers = net.attention_layers();
    GradientImportance out;
    out.heads = all_heads(layers, H);
    const size_t n_heads = out.heads.size();
    Net work(net); // backward accumulates parameter gradients: on a copy, never on the caller's model
    work.params().zero_grad();
    const int workers = std::max(1, std::min(omp_get_max_threads(), int(batches.size())));
    work.params().zero_worker_grads(workers);
    std::vector<std::vector<double>> sums(batches.size(), std::vector<double>(n_heads, 0.0));
    std::vector<int64_t> examples(batches.size(), 0);
#pragma omp parallel for num_threads(workers) schedule(dynamic, 1)
    for (size_t i = 0; i < batches.size(); ++i) {
        const GradientWorker gradients(omp_get_thread_num());
        Activations act;
        work.forward(batches[i], act, false, nullptr);
        std::vector<AttentionSite> sites = sites_of(act, batches[i]);
        for (AttentionSite& s : sites)
            s.cache->want_gate_grad = true;
        Mat dlogits;
        std::vector<char> has_target;
        loss_grad(batches[i], act, dlogits, has_target);
        work.backward(batches[i], act, dlogits);
        for (const AttentionSite& s : sites)
            for (int b = 0; b < int(has_target.size()); ++b)
                if (has_target[size_t(b)])
                    for (int h = 0; h < H; ++h)
                        sums[i][head_index(layers, H, s.kind, s.layer, h)] += std::abs(double(s.cache->gate_grad(b, h)));
        examples[i] = std::count(has_target.begin(), has_target.end(), char(1));
    }
    out.raw.assign(n_heads, 0.0);
    for (size_t i = 0; i < batches.size(); ++i) {
        out.examples += examples[i];
        for (size_t j = 0; j < n_heads; ++j)
            out.raw[j] += sums[i][j];
    }
    for (double& v : out.raw)
        v /= double(std::max<int64_t>(1, out.examples));
    // Per attention layer: I_h / ||I_layer||_2.
    out.normalized.assign(n_heads, 0.0);
    for (size_t start = 0; start < n_heads; start += size_t(H)) {
        double sq = 0;
        for (int h = 0; h < H; ++h)
            sq += out.raw[start + size_t(h)] * out.raw[start + size_t(h)];
        const double norm = std::sqrt(sq);
        for (int h = 0; h < H; ++h)
            out.normalized[start + size_t(h)] = norm > 0 ? out.raw[start + size_t(h)] / norm : 0.0;
    }
    return out;
}

// dlogits of sum over examples of the mean cross-entropy of each example's targets: the rows of
// the batch mean's gradient (1/N) scaled by N / n_b for the rows of example b.
void per_example_gradient(const Mat& logits, const std::vector<int>& targets, int ignore,
                          const std::vector<int>& example_of_row, int examples, Mat& dlogits, std::vector<char>& has_target)
{
    int64_t n = 0;
    cross_entropy_forward_backward(logits, targets, ignore, 0.0, &dlogits, nullptr, nullptr, &n);
    std::vector<int64_t> per(size_t(examples), 0);
    for (size_t r = 0; r < targets.size(); ++r)
        if (targets[r] != ignore)
            ++per[size_t(example_of_row[r])];
    has_target.assign(size_t(examples), 0);
    for (int b = 0; b < examples; ++b)
        has_target[size_t(b)] = per[size_t(b)] > 0;
    for (Eigen::Index r = 0; r < dlogits.rows(); ++r) {
        const int64_t nb = per[size_t(example_of_row[size_t(r)])];
        if (nb > 0)
            dlogits.row(r) *= Scalar(double(n) / double(nb));
    }
}

// Restores a model's head mask when it goes out of scope (also on a throw).
template <class Net>
class MaskRestore {
public:
    explicit MaskRestore(Net& net) : m_net(net), m_saved(net.head_mask()) {}
    ~MaskRestore() { m_net.set_head_mask(m_saved); }
    MaskRestore(const MaskRestore&) = delete;
    MaskRestore& operator=(const MaskRestore&) = delete;

private:
    Net& m_net;
    HeadMask m_saved;
};

template <class Net, class Score>
HeadImportanceTable importance_table(Net& net, AblationMode mode, HeadMeans means, const GradientImportance& grad,
                                     const std::string& metric_name, Score score)
{
    HeadImportanceTable table;
    table.mode = mode;
    table.metric_name = metric_name;
    table.examples = grad.examples;
    MaskRestore<Net> restore(net);
    net.set_head_mask(HeadMask());
    table.intact = score();
    for (size_t j = 0; j < grad.heads.size(); ++j) {
        HeadMask mask;
        mask.mode = mode;
        mask.heads = {grad.heads[j]};
        mask.means = means;
        net.set_head_mask(mask);
        const AblationScore s = score();
        HeadScore row;
        row.head = grad.heads[j];
        row.loss = s.loss;
        row.delta_loss = s.loss - table.intact.loss;
        row.metric = s.metric;
        row.delta_metric = table.intact.metric - s.metric;
        row.gradient = grad.normalized[j];
        row.gradient_raw = grad.raw[j];
        table.heads.push_back(row);
    }
    table.means = std::move(means);
    return table;
}

AblationScore score_translation(const TranslationModel& model, const std::vector<Batch>& batches,
                                const std::vector<SentencePair>& bleu_pairs, const DecodingOptions& decoding)
{
    AblationScore s;
    s.loss = evaluate(model.net, batches).loss;
    if (!bleu_pairs.empty())
        s.metric = evaluate_bleu(model, bleu_pairs, decoding).bleu;
    return s;
}

AblationScore score_task(const TaskNet& net, const std::vector<TaskBatch>& batches)
{
    const EvalStats ev = evaluate(net, batches);
    return {ev.loss, ev.accuracy};
}

} // namespace

std::vector<HeadId> all_heads(const std::array<int, kAttentionKinds>& layers, int H)
{
    std::vector<HeadId> heads;
    for (int k = 0; k < kAttentionKinds; ++k)
        for (int l = 0; l < layers[size_t(k)]; ++l)
            for (int h = 0; h < H; ++h)
                heads.push_back({AttentionKind(k), l, h});
    return heads;
}

HeadMeans head_output_means(const Transformer& net, const std::vector<Batch>& batches)
{
    return output_means<Transformer, Batch, Seq2SeqActivations>(net, batches);
}

HeadMeans head_output_means(const TaskNet& net, const std::vector<TaskBatch>& batches)
{
    return output_means<TaskNet, TaskBatch, TaskActivations>(net, batches);
}

GradientImportance gradient_importance(const Transformer& net, const std::vector<Batch>& batches)
{
    return gate_importance<Transformer, Batch, Seq2SeqActivations>(
        net, batches, [](const Batch& batch, Seq2SeqActivations& act, Mat& dlogits, std::vector<char>& has_target) {
            std::vector<int> example_of_row(batch.tgt_out.size());
            for (size_t r = 0; r < example_of_row.size(); ++r)
                example_of_row[r] = int(r) / batch.T;
            per_example_gradient(act.logits, batch.tgt_out, Seq2SeqIds::PAD, example_of_row, batch.B, dlogits,
                                 has_target);
        });
}

GradientImportance gradient_importance(const TaskNet& net, const std::vector<TaskBatch>& batches)
{
    return gate_importance<TaskNet, TaskBatch, TaskActivations>(
        net, batches, [](const TaskBatch& batch, TaskActivations& act, Mat& dlogits, std::vector<char>& has_target) {
            // The example of each logits row: per token (B*T rows), the masked tokens of mlm
            // (act.rows), or one row per text (pooled classifiers).
            std::vector<int> example_of_row(size_t(act.logits.rows()));
            for (size_t r = 0; r < example_of_row.size(); ++r)
                example_of_row[r] = !act.rows.empty()                         ? act.rows[r] / batch.T
                                    : act.logits.rows() == Eigen::Index(batch.B) * batch.T ? int(r) / batch.T
                                                                                          : int(r);
            per_example_gradient(act.logits, act.targets, -1, example_of_row, batch.B, dlogits, has_target);
        });
}

AblationScore score_with_mask(TranslationModel& model, const HeadMask& mask, const std::vector<Batch>& batches,
                              const std::vector<SentencePair>& bleu_pairs, const DecodingOptions& decoding)
{
    MaskRestore<Transformer> restore(model.net);
    model.net.set_head_mask(mask);
    return score_translation(model, batches, bleu_pairs, decoding);
}

AblationScore score_with_mask(TaskNet& net, const HeadMask& mask, const std::vector<TaskBatch>& batches)
{
    MaskRestore<TaskNet> restore(net);
    net.set_head_mask(mask);
    return score_task(net, batches);
}

HeadImportanceTable head_importance(TranslationModel& model, const std::vector<Batch>& batches,
                                    const std::vector<SentencePair>& bleu_pairs, const DecodingOptions& decoding,
                                    AblationMode mode)
{
    decoding.validate();
    if (batches.empty())
        throw Error("head importance needs at least one validation batch");
    HeadMeans means;
    GradientImportance grad;
    {
        MaskRestore<Transformer> restore(model.net);
        model.net.set_head_mask(HeadMask());
        if (mode == AblationMode::Mean)
            means = head_output_means(model.net, batches);
        grad = gradient_importance(model.net, batches);
    }
    return importance_table(model.net, mode, std::move(means), grad, "bleu",
                            [&] { return score_translation(model, batches, bleu_pairs, decoding); });
}

HeadImportanceTable head_importance(TaskNet& net, const std::vector<TaskBatch>& batches, AblationMode mode)
{
    if (batches.empty())
        throw Error("head importance needs at least one validation batch");
    HeadMeans means;
    GradientImportance grad;
    {
        MaskRestore<TaskNet> restore(net);
        net.set_head_mask(HeadMask());
        if (mode == AblationMode::Mean)
            means = head_output_means(net, batches);
        grad = gradient_importance(net, batches);
    }
    return importance_table(net, mode, std::move(means), grad, "accuracy", [&] { return score_task(net, batches); });
}

ImportanceRanking parse_importance_ranking(const std::string& name)
{
    if (name == "gradient")
        return ImportanceRanking::Gradient;
    if (name == "loss")
        return ImportanceRanking::Loss;
    throw Error("importance ranking must be \"gradient\" or \"loss\", got \"" + name + "\"");
}

std::vector<HeadId> rank_heads(const HeadImportanceTable& table, ImportanceRanking by)
{
    std::vector<size_t> order(table.heads.size());
    std::iota(order.begin(), order.end(), size_t(0));
    auto key = [&](size_t i) { return by == ImportanceRanking::Gradient ? table.heads[i].gradient : table.heads[i].delta_loss; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
    std::vector<HeadId> out;
    for (const size_t i : order)
        out.push_back(table.heads[i].head);
    return out;
}

} // namespace al
