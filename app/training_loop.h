// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The training loop of `attention-lab train`, shared by every --task: the time and step budget,
// progress lines, periodic validation, keep-best and saving, a numeric fault, and Ctrl-C (the
// first SIGINT stops after the current step, so the caller still evaluates and saves; the second
// one kills the process). The loop drives any trainer through TrainerBase (train_step, validate,
// keep_if_best / restore_best); what a progress line, a validation line, a keep-best score and a
// save are is up to the caller (translation, the algorithmic tasks, NAT or a language task),
// through the hooks.
#include "engine/train/trainer_base.h"
#include "engine/trace/timeline.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

namespace al::cli {

struct TrainOptions;

/// When the loop stops and how often it reports, validates and saves (fields in this order).
struct LoopSchedule {
    double minutes = 0;     ///< wall-clock budget; 0 = none
    int64_t steps = 0;      ///< optimizer steps of this run; 0 = none
    int log_every = 0;      ///< progress line every N steps; 0 = by time only
    double log_seconds = 10;///< and at least every this many seconds
    double valid_every = 0; ///< minutes between validation passes; 0 = none in the loop
    size_t valid_max = 0;   ///< validation examples of a periodic pass; 0 = all
    bool keep_best = false; ///< keep the weights of the best validation pass (TrainerBase::keep_if_best)
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

/// The schedule of `train` options: budget, --log-every/--log-seconds, --valid-every,
/// --valid-max, --keep-best, and --save-every when --out is given.
LoopSchedule loopSchedule(const TrainOptions& opts);

struct LoopHooks {
    std::function<void(const ProgressWindow&)> progress; ///< print one progress line
    /// Print the line of a periodic validation pass (may be empty: no validation in the loop).
    std::function<void(const EvalStats&, double elapsed)> validated;
    /// Keep-best score of a validation pass, higher is better (needed with keep_best).
    std::function<double(const EvalStats&)> score;
    std::function<void()> save;                          ///< periodic save (may be empty)
    /// Saves the weights a NumericFault kept (those of the last good step) and returns where
    /// (may be empty: nothing is saved).
    std::function<std::string()> save_kept;
    /// Called with the step count and no loss (NaN) before the first step, then after every
    /// step with its StepStats::loss (may be empty): the timeline's recorder.
    std::function<void(int64_t step, double loss)> stepped;
};

/// What the loop did.
struct LoopResult {
    int64_t steps = 0;        ///< optimizer steps of this run
    int64_t tokens = 0;       ///< target tokens of this run
    double step_seconds = 0;  ///< time spent in train_step
    double seconds = 0;       ///< wall time of the loop (hooks included)
    bool interrupted = false; ///< stopped by Ctrl-C
};

/// Runs trainer.train_step() until the budget is spent or Ctrl-C, printing "interrupted: stopping
/// after step N" on `out` for the latter; every valid_every minutes a validation pass
/// (trainer.validate(valid_max)), reported through hooks.validated and, with keep_best, offered to
/// trainer.keep_if_best(hooks.score(...)). A step that meets a NaN or an Inf (al::NumericFault)
/// stops the loop: hooks.save_kept saves the weights of the step before, and al::Error is thrown,
/// "step 3: gradient of P is not finite (NaN); training stopped, the weights of step 2 are kept
/// and saved to DIR; try a smaller --lr-factor or a longer --warmup".
/// A SIGINT handler is installed while it runs (and until the returned process ends or the next
/// call: a second Ctrl-C during the caller's final evaluation kills).
LoopResult runTrainingLoop(const LoopSchedule& schedule, TrainerBase& trainer, const LoopHooks& hooks,
                           std::ostream& out);

/// Keep-best at the end of a run: when a periodic pass was kept, the last step is scored the same
/// way (trainer.validate(valid_max), hooks.score) and, when the kept pass scored higher, its
/// weights come back ("keep-best: back to the weights of step N (best validation pass)" on `out`).
/// Returns true then. The step count and Adam moments stay the last step's.
bool restoreBestPass(const LoopSchedule& schedule, TrainerBase& trainer, const LoopHooks& hooks, std::ostream& out);

/// The training timeline a `train` run records (--timeline, --timeline-probe, --timeline-mb;
/// docs/timeline.md): the probes run on the trainer's thread between steps, at the steps the
/// timeline's schedule names, and the timeline is saved with every checkpoint.
class TimelineRecording {
public:
    /// `probe` runs one probe on the current weights (timeline_frame of the run's model).
    /// `timeline` may be null: nothing is recorded, and a save removes an older timeline.
    TimelineRecording(std::unique_ptr<TrainingTimeline> timeline,
                      std::function<TimelineFrame(const TimelineProbe&)> probe);
    /// LoopHooks::stepped: records the step when the timeline says it is due.
    void record(int64_t step, double loss);
    /// Writes the timeline into a checkpoint's staging directory (write_model_timeline).
    void write(const std::string& staging) const;
    const TrainingTimeline* timeline() const { return m_timeline.get(); }
    /// Seconds spent in probe passes.
    double seconds() const { return m_seconds; }
    /// "timeline: 57 records, steps 0-3072, 3 probes, 4.1 MB of 50.0 MB, probes 0.9 s" or
    /// "timeline: off".
    std::string summary() const;

private:
    std::unique_ptr<TrainingTimeline> m_timeline;
    std::function<TimelineFrame(const TimelineProbe&)> m_probe;
    double m_seconds = 0;
};

/// The timeline of a run of `opts`: none with --timeline false; the timeline of --resume DIR
/// when DIR has one and no --timeline-probe is given (a refused one is reported on `err` and a
/// new timeline started); else a new one over the --timeline-probe texts, or over `defaults`
/// (probes chosen by the caller from the validation split) when none is given, bounded by
/// --timeline-mb. `cfg` is the model's (to check a resumed timeline against).
std::unique_ptr<TrainingTimeline> makeRunTimeline(const TrainOptions& opts, const ModelConfig& cfg,
                                                  const std::function<std::vector<TimelineProbe>(
                                                      const std::vector<std::string>& texts, int from_valid)>& probes,
                                                  std::ostream& err);

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
