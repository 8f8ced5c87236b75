// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/training_loop.h"
#include "app/cli.h"
#include "app/text_format.h"
#include "engine/core/error.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <ostream>
#include <string>

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

// "step 3: gradient of X is not finite (NaN); training stopped, the weights of step 2 are kept
// [and saved to DIR]; try ...", saving them first when the caller has somewhere to save.
std::string faultMessage(const NumericFault& fault, const LoopHooks& h)
{
    std::string message = fmt("%s; training stopped, the weights of step %lld are kept", fault.what(),
                              (long long)fault.kept_step());
    if (h.save_kept) {
        try {
            message += " and saved to " + h.save_kept();
        } catch (const std::exception& e) {
            message += std::string(", but saving them failed: ") + e.what();
        }
    }
    return message + "; try a smaller --lr-factor or a longer --warmup";
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
        StepStats st;
        try {
            st = trainer.train_step();
        } catch (const NumericFault& fault) {
            throw Error(faultMessage(fault, h));
        }
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
