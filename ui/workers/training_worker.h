// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Training off the GUI thread (Qt's worker-object pattern): a TrainingWorker lives on a QThread
// owned by a TrainingController, which the GUI talks to. Data crosses threads by value through
// queued signals; weights as std::shared_ptr<const al::TranslationModel> (translation, copy,
// reverse, sort) or std::shared_ptr<const al::TaskModel> (charlm, pos, ...) snapshots. What is
// trained is a TrainingSession (ui/training_session.h).
#include "engine/models/config.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"
#include "ui/view_models/training_session.h"

#include <QMetaType>
#include <QObject>
#include <QElapsedTimer>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace al::ui {

/// Everything a training run needs; copied into the worker thread.
struct TrainingRequest {
    /// What to train (task.task: translate, copy, reverse, sort, charlm, pos, sentiment, langid,
    /// mlm) and the task's own settings; the corpus fields below are for translate only.
    TaskSettings task;
    QString corpusPath;        ///< tab-separated pairs
    int srcColumn = 1;         ///< 0-based column of the source sentence (cmn.txt: 1 = Chinese)
    int tgtColumn = 0;         ///< 0-based column of the target sentence (cmn.txt: 0 = English)
    double validFraction = 0.05;
    double testFraction = 0.05;
    al::ModelConfig model;     ///< ignored when resuming (the resumed model keeps its config)
    al::TrainConfig train;
    al::DataOptions data;
    /// When set, training continues from this model (its vocabularies and tokenizers):
    /// translate, copy, reverse, sort.
    std::shared_ptr<const al::TranslationModel> resumeFrom;
    /// When set, training continues from this task model (its vocabulary and labels; the
    /// data is encoded with them), which must be of task.task: charlm, pos, ...
    std::shared_ptr<const al::TaskModel> resumeTaskModel;
    /// optimizer.safetensors to resume Adam's moments and the step count from (may be empty:
    /// then Adam starts afresh at step 0 on the resumed weights)
    QString optimizerPath;
    int chunkMilliseconds = 20;    ///< train this long between event-loop turns (at least one step)
    int snapshotMilliseconds = 100; ///< at most one snapshot per this interval
    int evalEverySteps = 200;  ///< validation loss every this many steps (0 = only at stop)
    int evalMaxPairs = 500;    ///< validation pairs (task models: examples, charlm windows) per evaluation
    bool startPaused = false;  ///< start paused (then stepOnce() advances one step)
    /// Autosave: every autosaveSeconds of training (0 = off) the worker saves the run's
    /// checkpoint (TrainingSession::save, atomic) into autosaveDirectory; when that is empty, into
    /// the directory the run was last saved to through TrainingController::saveModel, if any.
    QString autosaveDirectory;
    double autosaveSeconds = 0;
    /// The training timeline (docs/timeline.md): recorded on the worker's thread between steps.
    bool recordTimeline = true;
    /// Probe sentences of the timeline beside those chosen from the validation split (the
    /// sentence box's text).
    QStringList timelineSentences;
    double timelineMegabytes = 50;  ///< the timeline's memory bound, MB (10^6 bytes)
    /// A timeline to continue (the resumed model's), instead of new probes; may be null.
    std::shared_ptr<const al::TrainingTimeline> resumeTimeline;
};

/// Figures of one chunk of training steps.
struct TrainingMetrics {
    qint64 step = 0;           ///< optimizer steps done after this chunk
    int stepsInChunk = 0;
    double loss = 0;           ///< mean label-smoothed cross-entropy over the chunk (nats/token)
    double learningRate = 0;   ///< of the last step
    double gradNorm = 0;       ///< of the last step, before clipping
    double tokensPerSecond = 0; ///< target tokens per wall-clock second over the chunk
    double epoch = 0;          ///< fractional passes over the training set
    qint64 tokens = 0;         ///< target tokens trained in this chunk
    /// Worker clock at the end of the chunk (ns since the worker was made): throughput over
    /// many chunks, gaps between them included, is sum(tokens) / difference of endNs.
    qint64 endNs = 0;
};

/// Registers the types above for queued connections (idempotent).
void registerTrainingMetaTypes();

/// Runs on a worker thread and drives one TrainingSession. start() loads (or generates) the data
/// and builds the trainer, then training proceeds in chunks of ~chunkMilliseconds, each chunk re-posting the
/// next through the event loop so that stop/pause/save requests are handled between chunks.
/// A step that meets a NaN or an Inf pauses the run (numericFault()). requestPause/requestStep/
/// requestStop/requestLearningRateFactor are thread-safe (atomics); everything else runs on the
/// worker's thread. Never touches a widget; holds no lock across a training step.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    /// Thread-safe. Pausing takes effect between chunks.
    void requestPause(bool paused);
    /// Thread-safe. While paused, performs one more training step (then publishes a snapshot).
    void requestStep();
    /// Thread-safe. Stops between chunks; unless `fast`, evaluates once more and publishes a
    /// final snapshot before emitting stopped().
    void requestStop(bool fast = false);
    /// Thread-safe. The Noam learning-rate factor (> 0) of the steps after the current chunk.
    void requestLearningRateFactor(double factor);

public slots:
    /// Loads the corpus, splits it, builds (or resumes) the trainer and starts training.
    void start(const al::ui::TrainingRequest& request);
    /// Writes the model directory with optimizer state (al::Trainer::save); reports saveFinished().
    void save(const QString& directory);

signals:
    void started(const al::ui::TrainingInfo& info);
    void metrics(const al::ui::TrainingMetrics& metrics);
    void snapshotReady(const al::ui::ModelSnapshot& model, qint64 step);
    /// A task model run's snapshot (instead of snapshotReady).
    void taskSnapshotReady(const al::ui::TaskModelSnapshot& model, qint64 step);
    /// The training timeline after it gained records, posted with the model snapshots (at most
    /// once per snapshot interval); `step` is the newest training step.
    void timelineReady(const al::ui::TimelineSnapshot& timeline, qint64 step);
    void validated(const al::ui::ValidationMetrics& metrics);
    void pausedChanged(bool paused);
    void saveFinished(const QString& directory, const QString& errorMessage);
    /// A step met a NaN or an Inf (al::NumericFault; `message` names the step and the loss or the
    /// parameter): the step was not applied, the worker pauses with the weights of `keptStep`
    /// (a snapshot of them follows) and training may go on after requestPause(false).
    void numericFault(const QString& message, qint64 keptStep);
    /// An autosave into `directory` at optimizer step `step` ended (errorMessage empty: saved).
    void autosaved(const QString& directory, qint64 step, const QString& errorMessage);
    /// The run failed (corpus unreadable, invalid configuration, ...); stopped() follows.
    void error(const QString& message);
    /// The run is over; the worker is idle and its thread may be quit.
    void stopped(qint64 step);

private:
    void runChunk();
    /// metrics() of the `steps` steps of a chunk, the last one `last`.
    void emitMetrics(int steps, double lossSum, qint64 tokens, const al::StepStats& last, const QElapsedTimer& chunk);
    void schedule();
    void finish(bool evaluate);
    void publishSnapshot();
    void runValidation();
    void autosaveIfDue();

    std::unique_ptr<TrainingSession> m_trainer;
    TrainingRequest m_request;
    std::atomic<bool> m_pauseRequested{false};
    std::atomic<bool> m_stopRequested{false};
    std::atomic<bool> m_fastStop{false};
    std::atomic<int> m_stepsRequested{0};
    std::atomic<bool> m_chunkPosted{false};
    std::atomic<double> m_lrFactorRequested{0}; ///< 0: no change requested
    bool m_paused = false;     ///< as last reported through pausedChanged (worker thread)
    bool m_finished = false;
    bool m_snapshotDirty = false;
    bool m_timelineDirty = false; ///< the timeline gained records since it was last posted
    qint64 m_lastSnapshotMs = -1;
    qint64 m_lastEvalStep = 0;
    QElapsedTimer m_clock;
    QString m_autosaveDirectory;  ///< where autosaves go (empty: none yet)
    qint64 m_lastAutosaveMs = 0;  ///< m_clock time of the start of the run or the last save
    qint64 m_autosavedStep = -1;  ///< step of the last save (an unchanged model is not saved again)
};

/// Owns the worker thread of one training run at a time; lives on the GUI thread. start() makes
/// a new QThread + TrainingWorker; when the run stops the thread is quit and joined, and
/// finished() is emitted. shutdown() (also run by the destructor) stops quickly and joins.
class TrainingController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Starting, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;

    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle; }
    /// The worker thread of the current run (nullptr when idle); for tests and diagnostics.
    QThread* workerThread() const { return m_thread; }

public slots:
    /// Starts a run; ignored (returns false) unless idle.
    bool start(const al::ui::TrainingRequest& request);
    void pause();
    void resume();
    void stepOnce();
    /// Asks the run to stop (final evaluation and snapshot); finished() follows.
    void stop();
    /// Saves through the worker (with optimizer state); only while a run is active.
    bool saveModel(const QString& directory);
    /// The Noam learning-rate factor (> 0) of the run's next steps; ignored when idle.
    void setLearningRateFactor(double factor);
    /// Stops without the final evaluation, quits and joins the thread. Safe to call when idle.
    void shutdown();

signals:
    void stateChanged(al::ui::TrainingController::State state);
    void started(const al::ui::TrainingInfo& info);
    void metrics(const al::ui::TrainingMetrics& metrics);
    void snapshotReady(const al::ui::ModelSnapshot& model, qint64 step);
    void taskSnapshotReady(const al::ui::TaskModelSnapshot& model, qint64 step);
    /// The run's training timeline (TrainingWorker::timelineReady).
    void timelineReady(const al::ui::TimelineSnapshot& timeline, qint64 step);
    void validated(const al::ui::ValidationMetrics& metrics);
    void saveFinished(const QString& directory, const QString& errorMessage);
    void autosaved(const QString& directory, qint64 step, const QString& errorMessage);
    /// The worker itself has entered (true) or left (false) the paused state: after
    /// workerPaused(true) no training step runs until resume() or stepOnce().
    void workerPaused(bool paused);
    /// A step met a NaN or an Inf and the run paused with the weights of `keptStep`
    /// (TrainingWorker::numericFault); the state is Paused.
    void numericFault(const QString& message, qint64 keptStep);
    void error(const QString& message);
    /// The run is over and its thread has been joined.
    void finished(qint64 step);

private:
    void setState(State s);
    void onWorkerStopped(qint64 step);
    void joinThread();

    QThread* m_thread = nullptr;
    TrainingWorker* m_worker = nullptr; ///< lives on m_thread; deleted when it finishes
    quint64 m_runId = 0;               ///< drops queued signals of an earlier run
    bool m_pausedAtStart = false;
    State m_state = State::Idle;
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::TrainingRequest)
Q_DECLARE_METATYPE(al::ui::TrainingInfo)
Q_DECLARE_METATYPE(al::ui::TrainingMetrics)
Q_DECLARE_METATYPE(al::ui::ValidationMetrics)
Q_DECLARE_METATYPE(al::ui::ModelSnapshot)
Q_DECLARE_METATYPE(al::ui::TaskModelSnapshot)
Q_DECLARE_METATYPE(al::ui::TimelineSnapshot)
