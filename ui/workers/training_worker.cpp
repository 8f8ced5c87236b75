// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/training_worker.h"

#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/train/numeric_fault.h"
#include "ui/workers/worker_thread.h"

#include <QFile>
#include <QThread>

#include <algorithm>
#include <exception>
#include <limits>

namespace al::ui {

namespace {

QString messageOf(const std::exception& e)
{
    return QString::fromStdString(e.what());
}

} // namespace

void registerTrainingMetaTypes()
{
    qRegisterMetaType<al::ui::TrainingRequest>("al::ui::TrainingRequest");
    qRegisterMetaType<al::ui::TrainingInfo>("al::ui::TrainingInfo");
    qRegisterMetaType<al::ui::TrainingMetrics>("al::ui::TrainingMetrics");
    qRegisterMetaType<al::ui::ValidationMetrics>("al::ui::ValidationMetrics");
    qRegisterMetaType<al::ui::ModelSnapshot>("al::ui::ModelSnapshot");
    qRegisterMetaType<al::ui::TaskModelSnapshot>("al::ui::TaskModelSnapshot");
    qRegisterMetaType<al::ui::TimelineSnapshot>("al::ui::TimelineSnapshot");
}

// ---------------------------------------------------------------------------------------------
// TrainingWorker (runs on its own thread)

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    m_clock.start();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::requestPause(bool paused)
{
    m_pauseRequested = paused;
    if (!paused)
        m_stepsRequested = 0;
    schedule();
}

void TrainingWorker::requestStep()
{
    ++m_stepsRequested;
    schedule();
}

void TrainingWorker::requestStop(bool fast)
{
    if (fast)
        m_fastStop = true;
    m_stopRequested = true;
    schedule();
}

void TrainingWorker::requestLearningRateFactor(double factor)
{
    m_lrFactorRequested = factor;
}

void TrainingWorker::schedule()
{
    // At most one runChunk is queued at any time; callable from any thread.
    if (!m_chunkPosted.exchange(true))
        QMetaObject::invokeMethod(this, &TrainingWorker::runChunk, Qt::QueuedConnection);
}

void TrainingWorker::start(const TrainingRequest& request)
{
    if (m_trainer || m_finished)
        return;
    m_request = request;
    TrainingInfo info;
    try {
        if (m_stopRequested) {
            finish(false);
            return;
        }
        m_trainer = makeTrainingSession(request);
        info = m_trainer->info();
        m_trainer->startTimeline(request);
        m_timelineDirty = m_trainer->recordTimeline(m_trainer->step(), std::numeric_limits<double>::quiet_NaN());
    } catch (const std::exception& e) {
        m_trainer.reset();
        emit error(messageOf(e));
        finish(false);
        return;
    }
    m_lastEvalStep = m_trainer->step();
    m_autosaveDirectory = request.autosaveDirectory;
    m_lastAutosaveMs = m_clock.elapsed();
    m_autosavedStep = m_trainer->step(); // the opened checkpoint is already on disk
    emit started(info);
    // The untrained (or resumed) model is worth showing at once.
    publishSnapshot();
    schedule();
}

void TrainingWorker::runChunk()
{
    m_chunkPosted = false;
    if (!m_trainer || m_finished)
        return;
    if (m_stopRequested) {
        finish(!m_fastStop);
        return;
    }
    const bool paused = m_pauseRequested;
    if (paused != m_paused) {
        m_paused = paused;
        emit pausedChanged(paused);
    }
    if (const double factor = m_lrFactorRequested.exchange(0); factor > 0) {
        try {
            m_trainer->setLearningRateFactor(factor);
        } catch (const std::exception& e) {
            emit error(messageOf(e));
        }
    }
    int allowed = -1; // -1: as many steps as fit into the chunk
    if (paused) {
        allowed = m_stepsRequested.exchange(0);
        if (allowed <= 0) {
            if (m_snapshotDirty)
                publishSnapshot();
            return; // idle until requestPause(false), requestStep() or requestStop() wakes us
        }
    }

    QElapsedTimer chunk;
    chunk.start();
    double lossSum = 0;
    qint64 tokens = 0;
    int steps = 0;
    al::StepStats last;
    QString fault;
    try {
        do {
            last = m_trainer->trainStep();
            // The probes run here, on the worker's thread, at the steps the timeline names.
            m_timelineDirty |= m_trainer->recordTimeline(m_trainer->step(), last.loss);
            lossSum += last.loss;
            tokens += last.tgt_tokens;
            ++steps;
        } while (!m_stopRequested && (allowed < 0 || steps < allowed)
                 && chunk.elapsed() < m_request.chunkMilliseconds);
    } catch (const al::NumericFault& e) {
        fault = messageOf(e);
    } catch (const std::exception& e) {
        emit error(messageOf(e));
        finish(false);
        return;
    }
    if (!fault.isEmpty()) {
        // The faulty step changed nothing: pause on the last good weights, which the user can
        // save, continue from with a lower learning rate, or stop on.
        m_pauseRequested = true;
        m_stepsRequested = 0;
        if (steps > 0)
            emitMetrics(steps, lossSum, tokens, last, chunk);
        emit numericFault(fault, m_trainer->step());
        publishSnapshot();
        schedule();
        return;
    }
    if (allowed > steps)
        m_stepsRequested += allowed - steps;

    emitMetrics(steps, lossSum, tokens, last, chunk);
    m_snapshotDirty = true;
    if (paused || m_lastSnapshotMs < 0 || m_clock.elapsed() - m_lastSnapshotMs >= m_request.snapshotMilliseconds)
        publishSnapshot();
    if (m_request.evalEverySteps > 0 && m_trainer->step() - m_lastEvalStep >= m_request.evalEverySteps)
        runValidation();
    autosaveIfDue();
    schedule();
}

void TrainingWorker::emitMetrics(int steps, double lossSum, qint64 tokens, const al::StepStats& last,
                                 const QElapsedTimer& chunk)
{
    TrainingMetrics m;
    m.step = last.step;
    m.stepsInChunk = steps;
    m.loss = lossSum / steps;
    m.learningRate = last.lr;
    m.gradNorm = last.grad_norm;
    const double seconds = double(chunk.nsecsElapsed()) * 1e-9;
    m.tokensPerSecond = seconds > 0 ? double(tokens) / seconds : 0.0;
    m.epoch = last.epoch;
    m.tokens = tokens;
    m.endNs = m_clock.nsecsElapsed();
    emit metrics(m);
}

void TrainingWorker::autosaveIfDue()
{
    if (!m_trainer || m_request.autosaveSeconds <= 0 || m_autosaveDirectory.isEmpty()
        || m_trainer->step() == m_autosavedStep
        || double(m_clock.elapsed() - m_lastAutosaveMs) < m_request.autosaveSeconds * 1000.0)
        return;
    m_lastAutosaveMs = m_clock.elapsed();
    const qint64 step = m_trainer->step();
    try {
        m_trainer->save(m_autosaveDirectory);
        m_autosavedStep = step;
        emit autosaved(m_autosaveDirectory, step, QString());
    } catch (const std::exception& e) {
        emit autosaved(m_autosaveDirectory, step, messageOf(e));
    }
}

void TrainingWorker::publishSnapshot()
{
    if (!m_trainer)
        return;
    try {
        m_snapshotDirty = false;
        m_lastSnapshotMs = m_clock.elapsed();
        if (TaskModelSnapshot task = m_trainer->taskSnapshot())
            emit taskSnapshotReady(task, m_trainer->step());
        else
            emit snapshotReady(m_trainer->translationSnapshot(), m_trainer->step());
        if (m_timelineDirty) {
            m_timelineDirty = false;
            if (TimelineSnapshot timeline = m_trainer->timelineSnapshot())
                emit timelineReady(timeline, m_trainer->step());
        }
    } catch (const std::exception& e) {
        emit error(messageOf(e));
    }
}

void TrainingWorker::runValidation()
{
    if (!m_trainer)
        return;
    m_lastEvalStep = m_trainer->step();
    try {
        const ValidationMetrics v = m_trainer->validate(m_request.evalMaxPairs);
        if (v.examples <= 0)
            return;
        emit validated(v);
    } catch (const std::exception& e) {
        emit error(messageOf(e));
    }
}

void TrainingWorker::finish(bool evaluate)
{
    if (m_finished)
        return;
    m_finished = true;
    if (evaluate && m_trainer) {
        if (m_trainer->step() > m_lastEvalStep)
            runValidation();
        if (m_snapshotDirty)
            publishSnapshot();
    }
    emit stopped(m_trainer ? m_trainer->step() : 0);
}

void TrainingWorker::save(const QString& directory)
{
    if (!m_trainer) {
        emit saveFinished(directory, tr("There is no model to save yet."));
        return;
    }
    try {
        m_trainer->save(directory);
        m_autosavedStep = m_trainer->step();
        m_lastAutosaveMs = m_clock.elapsed();
        if (m_request.autosaveDirectory.isEmpty())
            m_autosaveDirectory = directory;
        emit saveFinished(directory, QString());
    } catch (const std::exception& e) {
        emit saveFinished(directory, messageOf(e));
    }
}

// ---------------------------------------------------------------------------------------------
// TrainingController (GUI thread)

TrainingController::TrainingController(QObject* parent) : QObject(parent)
{
    registerTrainingMetaTypes();
}

TrainingController::~TrainingController()
{
    // Receivers may be half-destroyed by now: join without telling anyone.
    blockSignals(true);
    shutdown();
}

void TrainingController::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    emit stateChanged(s);
}

bool TrainingController::start(const TrainingRequest& request)
{
    if (m_state != State::Idle)
        return false;
    const quint64 run = ++m_runId;
    m_worker = new TrainingWorker;
    m_thread = newWorkerThread(this, m_worker, QStringLiteral("training"));

    // Forward the worker's queued signals, dropping any that arrive after their run ended.
    TrainingWorker* w = m_worker;
    connect(w, &TrainingWorker::started, this, [this, run](const TrainingInfo& info) {
        if (run != m_runId)
            return;
        if (m_state == State::Starting)
            setState(m_worker && m_pausedAtStart ? State::Paused : State::Running);
        emit started(info);
    });
    connect(w, &TrainingWorker::metrics, this, [this, run](const TrainingMetrics& m) {
        if (run == m_runId)
            emit metrics(m);
    });
    connect(w, &TrainingWorker::snapshotReady, this, [this, run](const ModelSnapshot& s, qint64 step) {
        if (run == m_runId)
            emit snapshotReady(s, step);
    });
    connect(w, &TrainingWorker::taskSnapshotReady, this, [this, run](const TaskModelSnapshot& s, qint64 step) {
        if (run == m_runId)
            emit taskSnapshotReady(s, step);
    });
    connect(w, &TrainingWorker::timelineReady, this, [this, run](const TimelineSnapshot& t, qint64 step) {
        if (run == m_runId)
            emit timelineReady(t, step);
    });
    connect(w, &TrainingWorker::validated, this, [this, run](const ValidationMetrics& v) {
        if (run == m_runId)
            emit validated(v);
    });
    connect(w, &TrainingWorker::saveFinished, this, [this, run](const QString& dir, const QString& err) {
        if (run == m_runId)
            emit saveFinished(dir, err);
    });
    connect(w, &TrainingWorker::autosaved, this, [this, run](const QString& dir, qint64 step, const QString& err) {
        if (run == m_runId)
            emit autosaved(dir, step, err);
    });
    connect(w, &TrainingWorker::pausedChanged, this, [this, run](bool paused) {
        if (run == m_runId)
            emit workerPaused(paused);
    });
    connect(w, &TrainingWorker::numericFault, this, [this, run](const QString& message, qint64 keptStep) {
        if (run != m_runId)
            return;
        m_pausedAtStart = true;
        if (m_state == State::Running)
            setState(State::Paused);
        emit numericFault(message, keptStep);
    });
    connect(w, &TrainingWorker::error, this, [this, run](const QString& message) {
        if (run == m_runId)
            emit error(message);
    });
    connect(w, &TrainingWorker::stopped, this, [this, run](qint64 step) {
        if (run == m_runId)
            onWorkerStopped(step);
    });

    m_pausedAtStart = request.startPaused;
    w->requestPause(request.startPaused);
    m_thread->start();
    queueOnThread(w, [w, request] { w->start(request); });
    if (request.startPaused)
        w->requestStep();
    setState(State::Starting);
    return true;
}

void TrainingController::pause()
{
    if (!m_worker || (m_state != State::Running && m_state != State::Starting))
        return;
    m_worker->requestPause(true);
    m_pausedAtStart = true;
    if (m_state == State::Running)
        setState(State::Paused);
}

void TrainingController::resume()
{
    if (!m_worker || (m_state != State::Paused && m_state != State::Starting))
        return;
    m_worker->requestPause(false);
    m_pausedAtStart = false;
    if (m_state == State::Paused)
        setState(State::Running);
}

void TrainingController::stepOnce()
{
    if (m_worker && m_state == State::Paused)
        m_worker->requestStep();
}

void TrainingController::stop()
{
    if (!m_worker || m_state == State::Stopping || m_state == State::Idle)
        return;
    m_worker->requestStop(false);
    setState(State::Stopping);
}

bool TrainingController::saveModel(const QString& directory)
{
    if (!m_worker || m_state == State::Idle)
        return false;
    TrainingWorker* w = m_worker;
    queueOnThread(w, [w, directory] { w->save(directory); });
    return true;
}

void TrainingController::setLearningRateFactor(double factor)
{
    if (m_worker && m_state != State::Idle)
        m_worker->requestLearningRateFactor(factor);
}

void TrainingController::onWorkerStopped(qint64 step)
{
    joinThread();
    setState(State::Idle);
    emit finished(step);
}

void TrainingController::shutdown()
{
    if (!m_thread)
        return;
    ++m_runId; // anything the old run still has queued is dropped
    if (m_worker)
        m_worker->requestStop(true);
    joinThread();
    setState(State::Idle);
}

void TrainingController::joinThread()
{
    joinWorkerThread(m_thread);
    m_worker = nullptr; // deleted on its thread (finished -> deleteLater)
}

} // namespace al::ui
