// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/training_loop.h"
#include "app/cli.h"

#include <atomic>
#include <chrono>
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
    LoopSchedule s;
    s.minutes = o.minutes;
    s.steps = o.steps;
    s.log_every = o.log_every;
    s.log_seconds = o.log_seconds;
    s.valid_every = o.valid_every;
    s.save_every = o.out.isEmpty() ? 0 : o.save_every;
    return s;
}

LoopResult runTrainingLoop(const LoopSchedule& s, const LoopHooks& h, std::ostream& out)
{
    using Clock = std::chrono::steady_clock;
    installInterruptHandler();
    const auto t0 = Clock::now();
    auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    const int64_t first = h.current_step();
    LoopResult r;
    ProgressWindow w;
    auto last_log = Clock::now(), last_valid = Clock::now(), last_save = Clock::now();
    for (;;) {
        if (g_interrupted.load()) {
            out << "interrupted: stopping after step " << h.current_step() << std::endl;
            r.interrupted = true;
            break;
        }
        if (s.steps > 0 && h.current_step() - first >= s.steps) break;
        if (s.minutes > 0 && since(t0) >= s.minutes * 60) break;
        const StepStats st = h.step();
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
        if (h.validate && s.valid_every > 0 && since(last_valid) >= s.valid_every * 60) {
            h.validate(since(t0));
            last_valid = Clock::now();
        }
        if (h.save && s.save_every > 0 && since(last_save) >= s.save_every * 60) {
            h.save();
            last_save = Clock::now();
        }
    }
    r.steps = h.current_step() - first;
    r.seconds = since(t0);
    return r;
}

} // namespace al::cli
