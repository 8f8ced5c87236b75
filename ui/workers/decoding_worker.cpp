// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/decoding_worker.h"

#include "ui/view_models/decoding_view_model.h"

#include <QThread>

namespace al::ui {

DecodingWorker::DecodingWorker(QObject* parent) : QObject(parent) {}

quint64 DecodingWorker::submit(const QString& sentence, const ModelSnapshot& model, qint64 modelStep,
                               const al::DecodingOptions& options, const QStringList& forcedTokens)
{
    DecodingResult r;
    r.sentence = sentence;
    r.model = model;
    r.modelStep = modelStep;
    r.options = options;
    r.options.forced_prefix.clear();
    r.forcedTokens = forcedTokens;
    const auto put = m_requests.put(std::move(r));
    if (put.wake)
        QMetaObject::invokeMethod(this, &DecodingWorker::processPending, Qt::QueuedConnection);
    return put.id;
}

void DecodingWorker::processPending()
{
    auto next = m_requests.take();
    if (!next)
        return;
    DecodingResult r = std::move(next->second);
    r.requestId = next->first;
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
    m_worker = new DecodingWorker;
    m_thread = newWorkerThread(this, m_worker, QStringLiteral("decoding"));
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
    joinWorkerThread(m_thread);
    m_worker = nullptr; // deleted on its thread
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
