// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/experiments/race.h"

#include "engine/core/error.h"

#include <chrono>
#include <cmath>
#include <memory>

namespace al {

std::vector<double> race_checkpoints(const RaceConfig& c)
{
    if ((c.steps > 0) == (c.seconds > 0))
        throw Error("race: exactly one budget (steps or seconds) must be set");
    if (c.eval_points < 1)
        throw Error("race: eval_points must be >= 1, got " + std::to_string(c.eval_points));
    std::vector<double> marks;
    for (int i = 1; i <= c.eval_points; ++i) {
        if (c.steps > 0) {
            const double s = std::ceil(double(c.steps) * i / c.eval_points);
            if (marks.empty() || s > marks.back())
                marks.push_back(s);
        } else {
            marks.push_back(c.seconds * i / c.eval_points);
        }
    }
    return marks;
}

std::vector<RaceResult> run_race(const RaceConfig& config, const CorpusSplits& splits, const RaceEvents& events)
{
    using Clock = std::chrono::steady_clock;
    if (splits.valid.empty())
        throw Error("the validation split is empty");
    if (splits.test.empty())
        throw Error("the test split is empty");
    const std::vector<double> marks = race_checkpoints(config);
    auto cancelled = [&] { return events.cancelled && events.cancelled(); };
    std::vector<RaceResult> results;
    for (int vi = 0; vi < int(config.variants.size()); ++vi) {
        if (cancelled())
            break;
        RaceResult r;
        r.variant = config.variants[size_t(vi)];
        ModelConfig cfg = config.model;
        cfg.attention = r.variant;
        auto trainer = std::make_unique<Trainer>(splits, cfg, config.train, config.data);
        r.parameters = trainer->model().net.params().numel();
        r.synthesizer_parameters = trainer->model().net.synthesizer_parameters();
        if (events.variant_started)
            events.variant_started(vi, r);

        size_t next = 0;
        while (next < marks.size()) {
            if (cancelled())
                return results;
            const auto t0 = Clock::now();
            const StepStats st = trainer->train_step();
            r.train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
            if (!std::isfinite(st.loss))
                throw Error(r.variant + ": training diverged: loss is " + std::to_string(st.loss) + " at step " +
                            std::to_string(st.step) + "; try a longer warm-up or a smaller learning-rate factor");
            r.train_tokens += st.tgt_tokens;
            r.steps = trainer->step();
            if (events.stepped)
                events.stepped(vi, r, st);
            const double progress = config.steps > 0 ? double(r.steps) : r.train_seconds;
            if (progress < marks[next])
                continue;
            while (next < marks.size() && progress >= marks[next])
                ++next; // a slow step may pass several marks
            const EvalStats ev = trainer->evaluate(0);
            r.curve.push_back({r.steps, r.train_seconds, ev.loss});
            r.valid_loss = ev.loss;
            r.valid_ppl = ev.perplexity;
            r.valid_accuracy = ev.accuracy;
            if (events.evaluated)
                events.evaluated(vi, r, ev);
        }
        r.steps_per_s = r.train_seconds > 0 ? double(r.steps) / r.train_seconds : 0;
        r.tokens_per_s = r.train_seconds > 0 ? double(r.train_tokens) / r.train_seconds : 0;
        if (config.algorithmic) {
            const SequenceAccuracy acc = decode_accuracy(trainer->model(), splits.test);
            r.exact_match = acc.exact_match();
            r.test_token_accuracy = acc.token_accuracy();
            r.test_sequences = acc.sequences;
        } else {
            r.bleu = trainer->test_bleu(config.bleu_sentences).bleu;
            r.bleu_sentences = config.bleu_sentences ? std::min(config.bleu_sentences, splits.test.size())
                                                     : splits.test.size();
        }
        trainer.reset();
        results.push_back(r);
        if (events.variant_finished)
            events.variant_finished(vi, results.back());
    }
    return results;
}

} // namespace al
