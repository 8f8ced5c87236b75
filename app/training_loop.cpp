// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/training_loop.h"
#include "app/cli.h"
#include "app/text_format.h"
#include "engine/core/error.h"
#include "engine/io/model_dir.h"

#include <QFile>

#include <atomic>
#include <chrono>
#include <csignal>
#include <limits>
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
    if (h.stepped) h.stepped(first, std::numeric_limits<double>::quiet_NaN());
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
        if (h.stepped) h.stepped(trainer.step(), st.loss);
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

TimelineRecording::TimelineRecording(std::unique_ptr<TrainingTimeline> timeline,
                                     std::function<TimelineFrame(const TimelineProbe&)> probe)
    : m_timeline(std::move(timeline)), m_probe(std::move(probe))
{
}

void TimelineRecording::record(int64_t step, double loss)
{
    if (!m_timeline || !m_timeline->due(step)) return;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<TimelineFrame> frames;
    frames.reserve(m_timeline->probes().size());
    for (const TimelineProbe& p : m_timeline->probes()) frames.push_back(m_probe(p));
    m_timeline->add(step, loss, std::move(frames));
    m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void TimelineRecording::write(const std::string& staging) const { write_model_timeline(staging, m_timeline.get()); }

std::string TimelineRecording::summary() const
{
    if (!m_timeline) return "timeline: off";
    const auto& recs = m_timeline->records();
    std::string steps = recs.empty() ? std::string("none")
                                     : fmt("steps %lld-%lld", (long long)recs.front()->step, (long long)recs.back()->step);
    std::string s = fmt("timeline: %zu records, %s, %zu probes, %.1f MB of %.1f MB, probes %.1f s", recs.size(),
                        steps.c_str(), m_timeline->probes().size(), double(m_timeline->bytes()) / 1e6,
                        double(m_timeline->max_bytes()) / 1e6, m_seconds);
    if (m_timeline->refused() > 0) s += fmt(", %lld refused", (long long)m_timeline->refused());
    return s;
}

std::unique_ptr<TrainingTimeline> makeRunTimeline(const TrainOptions& o, const ModelConfig& cfg,
                                                  const std::function<std::vector<TimelineProbe>(
                                                      const std::vector<std::string>&, int)>& probes,
                                                  std::ostream& err)
{
    if (!o.timeline) return nullptr;
    if (!o.resume.isEmpty() && o.timeline_probes.isEmpty()) {
        std::string problem;
        const std::string dir = QFile::encodeName(o.resume).toStdString();
        if (const auto old = load_model_timeline(dir, cfg, &problem))
            return std::make_unique<TrainingTimeline>(*old);
        if (!problem.empty()) err << "warning: " << problem << "; the timeline starts afresh\n";
    }
    std::vector<std::string> texts;
    for (const QString& t : o.timeline_probes) texts.push_back(t.toStdString());
    std::vector<TimelineProbe> chosen = probes(texts, texts.empty() ? kDefaultTimelineProbes : 0);
    if (chosen.empty()) {
        err << "warning: no timeline probe has a token; no timeline is recorded\n";
        return nullptr;
    }
    return std::make_unique<TrainingTimeline>(std::move(chosen), TimelineSchedule{},
                                              size_t(o.timeline_mb * 1e6));
}

} // namespace al::cli
