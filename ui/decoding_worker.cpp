// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/decoding_worker.h"

#include "ui/decoding_view_model.h"

#include <QMutexLocker>
#include <QThread>

namespace al::ui {

DecodingWorker::DecodingWorker(QObject* parent) : QObject(parent) {}

quint64 DecodingWorker::submit(const QString& sentence, const ModelSnapshot& model, qint64 modelStep,
                               const al::DecodingOptions& options, const QStringList& forcedTokens)
{
    QMutexLocker lock(&m_mutex);
    DecodingResult r;
    r.requestId = ++m_nextId;
    r.sentence = sentence;
    r.model = model;
    r.modelStep = modelStep;
    r.options = options;
    r.options.forced_prefix.clear();
    r.forcedTokens = forcedTokens;
    m_pending = std::move(r);
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(this, &DecodingWorker::processPending, Qt::QueuedConnection);
    }
    return m_nextId;
}

void DecodingWorker::processPending()
{
    DecodingResult r;
    {
        QMutexLocker lock(&m_mutex);
        m_scheduled = false;
        if (!m_pending)
            return;
        r = std::move(*m_pending);
        m_pending.reset();
    }
    if (r.model) {
        DecodingRun run = runDecoding(*r.model, r.sentence, r.options, r.forcedTokens);
        r.translation = run.translation;
        r.trace = std::move(run.trace);
        r.errorMessage = run.errorMessage;
    }
    emit decoded(r);
}

DecodingController::DecodingController(QObject* parent) : QObject(parent)
{
    registerTrainingMetaTypes();
    qRegisterMetaType<al::ui::DecodingResult>("al::ui::DecodingResult");
    m_options.max_len = 64;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("decoding"));
    m_worker = new DecodingWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &DecodingWorker::decoded, this, &DecodingController::decoded);
    m_thread->start();
}

DecodingController::~DecodingController()
{
    blockSignals(true);
    shutdown();
}

void DecodingController::shutdown()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    m_worker = nullptr;
    delete m_thread;
    m_thread = nullptr;
}

void DecodingController::setSentence(const QString& sentence)
{
    if (sentence == m_sentence)
        return;
    m_sentence = sentence;
    changed();
}

void DecodingController::setModel(const ModelSnapshot& model, qint64 step)
{
    m_model = model;
    m_step = step;
    changed();
}

void DecodingController::setOptions(const al::DecodingOptions& options)
{
    m_options = options;
    m_options.forced_prefix.clear();
    changed();
}

void DecodingController::setForcedTokens(const QStringList& tokens)
{
    m_forced = tokens;
    changed();
}

void DecodingController::setPaused(bool paused)
{
    m_paused = paused;
    if (!m_paused && m_dirty)
        request();
}

void DecodingController::changed()
{
    m_dirty = true;
    if (!m_paused)
        request();
}

quint64 DecodingController::request()
{
    if (m_paused || !m_worker || !m_model)
        return 0;
    m_dirty = false;
    return m_worker->submit(m_sentence, m_model, m_step, m_options, m_forced);
}

} // namespace al::ui
