// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/training_loop.h"
#include "app/cli.h"
#include "app/text_format.h"
#include "engine/core/error.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ostream>

namespace al::cli {

namespace {

std::atomic<bool> g_interrupted{false};
void (*g_previous)(int) = SIG_DFL;
bool g_installed = false;

// First Ctrl-C: ask the loop to stop after the current step, and make the next one kill
// (SIG_DFL), so a stuck final evaluation can still be interrupted.
extern "C" void onSigint(int)
{
    g_interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);
}

void installInterruptHandler()
{
    g_interrupted.store(false);
    void (*prev)(int) = std::signal(SIGINT, onSigint);
    if (!g_installed) g_previous = prev == SIG_ERR ? SIG_DFL : prev;
    g_installed = true;
}

} // namespace

void releaseInterruptHandler()
{
    if (!g_installed) return;
    std::signal(SIGINT, g_previous);
    g_installed = false;
}

LoopSchedule loopSchedule(const TrainOptions& o)
{
    return LoopSchedule{o.minutes,     o.steps,     o.log_every, o.log_seconds,
                        o.valid_every, o.valid_max, o.keep_best, o.out.isEmpty() ? 0.0 : o.save_every};
}

LoopResult runTrainingLoop(const LoopSchedule& s, TrainerBase& trainer, const LoopHooks& h, std::ostream& out)
{
    using Clock = std::chrono::steady_clock;
    installInterruptHandler();
    const auto t0 = Clock::now();
    auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    const int64_t first = trainer.step();
    LoopResult r;
    ProgressWindow w;
    auto last_log = Clock::now(), last_valid = Clock::now(), last_save = Clock::now();
    for (;;) {
        if (g_interrupted.load()) {
            out << "interrupted: stopping after step " << trainer.step() << std::endl;
            r.interrupted = true;
            break;
        }
        if (s.steps > 0 && trainer.step() - first >= s.steps) break;
        if (s.minutes > 0 && since(t0) >= s.minutes * 60) break;
        const StepStats st = trainer.train_step();
        if (!std::isfinite(st.loss))
            throw Error(fmt("training diverged: loss is %g at step %lld; try a smaller --lr-factor or a longer --warmup",
                            st.loss, (long long)st.step));
        r.tokens += st.tgt_tokens;
        r.step_seconds += st.seconds;
        w.last = st;
        ++w.steps;
        w.loss_sum += st.loss;
        w.nll_sum += st.nll;
        w.tokens += st.tgt_tokens;
        w.step_seconds += st.seconds;
        if ((s.log_every > 0 && w.steps >= s.log_every) || since(last_log) >= s.log_seconds) {
            w.elapsed = since(t0);
            h.progress(w);
            w = ProgressWindow{};
            last_log = Clock::now();
        }
        if (h.validated && s.valid_every > 0 && since(last_valid) >= s.valid_every * 60) {
            const EvalStats ev = trainer.validate(s.valid_max);
            h.validated(ev, since(t0));
            if (s.keep_best) trainer.keep_if_best(h.score(ev));
            last_valid = Clock::now();
        }
        if (h.save && s.save_every > 0 && since(last_save) >= s.save_every * 60) {
            h.save();
            last_save = Clock::now();
        }
    }
    r.steps = trainer.step() - first;
    r.seconds = since(t0);
    return r;
}

bool restoreBestPass(const LoopSchedule& s, TrainerBase& trainer, const LoopHooks& h, std::ostream& out)
{
    if (!s.keep_best || !trainer.best().has_best()) return false;
    if (!trainer.restore_best(h.score(trainer.validate(s.valid_max)))) return false;
    out << fmt("keep-best: back to the weights of step %lld (best validation pass)", (long long)trainer.best().best_step())
        << std::endl;
    return true;
}

} // namespace al::cli
