// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/eval/evaluate.h"
#include "engine/data/vocab.h"
#include "engine/models/task_models.h"
#include "engine/models/transformer.h"
#include "engine/models/translation_model.h"
#include "engine/nn/loss.h"

#include <cmath>

namespace al {

namespace {

// The one evaluation loop: `forward(batch, act)` runs a batch in evaluation mode and returns its
// logits (N, V); `targets(batch, act)` the N targets, `ignore` marking rows that are not scored.
// Batches run in parallel; the sums are of per-batch nll x targets.
template <class Activations, class BatchT, class Forward, class Targets>
EvalStats score_batches(const std::vector<BatchT>& batches, int ignore, Forward forward, Targets targets)
{
    double total = 0;
    int64_t correct_total = 0, n_total = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : total, correct_total, n_total)
    for (size_t i = 0; i < batches.size(); ++i) {
        Activations act;
        const Mat& logits = forward(batches[i], act);
        double nll = 0;
        int64_t correct = 0, n = 0;
        cross_entropy_forward_backward(logits, targets(batches[i], act), ignore, 0.0, nullptr, &nll, &correct, &n);
        total += nll * double(n);
        correct_total += correct;
        n_total += n;
    }
    EvalStats ev;
    ev.targets = n_total;
    if (n_total) {
        ev.loss = total / double(n_total);
        ev.perplexity = std::exp(ev.loss);
        ev.bits = ev.loss / std::log(2.0);
        ev.accuracy = double(correct_total) / double(n_total);
    }
    return ev;
}

} // namespace

EvalStats evaluate(const Transformer& net, const std::vector<Batch>& batches)
{
    return score_batches<Seq2SeqActivations>(
        batches, Seq2SeqIds::PAD,
        [&](const Batch& b, Seq2SeqActivations& act) -> const Mat& {
            net.forward(b, act, false, nullptr);
            return act.logits;
        },
        [](const Batch& b, const Seq2SeqActivations&) -> const std::vector<int>& { return b.tgt_out; });
}

EvalStats evaluate(const TaskNet& net, const std::vector<TaskBatch>& batches)
{
    return score_batches<TaskActivations>(
        batches, -1,
        [&](const TaskBatch& b, TaskActivations& act) -> const Mat& {
            net.forward(b, act, false, nullptr);
            return act.logits;
        },
        [](const TaskBatch&, const TaskActivations& act) -> const std::vector<int>& { return act.targets; });
}

std::vector<EncodedPair> encode_pairs(const TranslationModel& model, const std::vector<SentencePair>& pairs, int limit,
                                      bool drop_long)
{
    std::vector<EncodedPair> out;
    out.reserve(pairs.size());
    for (const auto& p : pairs) {
        EncodedPair e{model.src_vocab.encode(model.src_tokenizer.tokenize(p.src)),
                      model.tgt_vocab.encode(model.tgt_tokenizer.tokenize(p.tgt))};
        if (e.src.empty() || e.tgt.empty())
            continue;
        if (int(e.src.size()) > limit || int(e.tgt.size()) > limit) {
            if (drop_long)
                continue;
            e.src.resize(std::min(e.src.size(), size_t(limit)));
            e.tgt.resize(std::min(e.tgt.size(), size_t(limit)));
        }
        out.push_back(std::move(e));
    }
    return out;
}

BleuResult evaluate_bleu(const TranslationModel& model, const std::vector<SentencePair>& test,
                         const DecodingOptions& decoding, std::vector<std::string>* samples)
{
    decoding.validate();
    std::vector<std::string> sources;
    sources.reserve(test.size());
    for (const auto& p : test)
        sources.push_back(p.src);
    const std::vector<std::vector<std::string>> hyps = decode_corpus(model, sources, decoding);
    std::vector<std::vector<std::vector<std::string>>> refs;
    refs.reserve(test.size());
    for (size_t i = 0; i < test.size(); ++i) {
        refs.push_back({model.tgt_tokenizer.tokenize(test[i].tgt)});
        if (samples)
            samples->push_back(test[i].src + "\t" + test[i].tgt + "\t" + model.tgt_tokenizer.detokenize(hyps[i]));
    }
    return corpus_bleu(hyps, refs);
}

} // namespace al
