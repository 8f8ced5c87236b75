// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The training loop of `attention-lab train`, shared by every --task: the time and step budget,
// progress lines, periodic validation and saving, and Ctrl-C (the first SIGINT stops after the
// current step, so the caller still evaluates and saves; the second one kills the process).
// What a step, a progress line, a validation pass and a save are is up to the caller (the
// translation Trainer or the TaskTrainer), through the hooks.
#include "engine/train/trainer.h"

#include <cstdint>
#include <functional>
#include <iosfwd>

namespace al::cli {

struct TrainOptions;

/// When the loop stops and how often it reports, validates and saves.
struct LoopSchedule {
    double minutes = 0;     ///< wall-clock budget; 0 = none
    int64_t steps = 0;      ///< optimizer steps of this run; 0 = none
    int log_every = 0;      ///< progress line every N steps; 0 = by time only
    double log_seconds = 10;///< and at least every this many seconds
    double valid_every = 0; ///< minutes between validation passes; 0 = none in the loop
    double save_every = 0;  ///< minutes between periodic saves; 0 = none in the loop
};

/// Figures since the previous progress line.
struct ProgressWindow {
    StepStats last;          ///< the newest step
    int64_t steps = 0;
    double loss_sum = 0;     ///< sum of StepStats::loss (label-smoothed)
    double nll_sum = 0;      ///< sum of StepStats::nll (plain cross-entropy)
    int64_t tokens = 0;      ///< target tokens
    double step_seconds = 0; ///< time spent in train_step
    double elapsed = 0;      ///< seconds since the loop started
};

/// The schedule of `train` options: budget, --log-every/--log-seconds, --valid-every, and
/// --save-every when --out is given.
LoopSchedule loopSchedule(const TrainOptions& opts);

struct LoopHooks {
    std::function<StepStats()> step;                     ///< one optimizer step (may throw al::Error)
    std::function<int64_t()> current_step;               ///< optimizer steps done so far
    std::function<void(const ProgressWindow&)> progress; ///< print one progress line
    std::function<void(double elapsed)> validate;        ///< periodic validation pass (may be empty)
    std::function<void()> save;                          ///< periodic save (may be empty)
};

/// What the loop did.
struct LoopResult {
    int64_t steps = 0;        ///< optimizer steps of this run
    int64_t tokens = 0;       ///< target tokens of this run
    double step_seconds = 0;  ///< time spent in train_step
    double seconds = 0;       ///< wall time of the loop
    bool interrupted = false; ///< stopped by Ctrl-C
};

/// Runs steps until the budget is spent or Ctrl-C, printing "interrupted: stopping after step N"
/// on `out` for the latter. A SIGINT handler is installed while it runs (and until the returned
/// process ends or the next call: a second Ctrl-C during the caller's final evaluation kills).
LoopResult runTrainingLoop(const LoopSchedule& schedule, const LoopHooks& hooks, std::ostream& out);

/// Restores the SIGINT disposition that was in place before runTrainingLoop.
void releaseInterruptHandler();

/// Calls releaseInterruptHandler() when the run that trained (and then evaluated and saved) ends.
struct InterruptScope {
    InterruptScope() = default;
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;
    ~InterruptScope() { releaseInterruptHandler(); }
};

} // namespace al::cli
