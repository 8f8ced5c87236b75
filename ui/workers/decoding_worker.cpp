// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/decoding_worker.h"

#include "ui/view_models/decoding_view_model.h"

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
    return m_requests.post(this, &DecodingWorker::processPending, std::move(r));
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

DecodingController::DecodingController(QObject* parent)
    : WorkerController(new DecodingWorker, QStringLiteral("decoding"), parent)
{
    registerTrainingMetaTypes();
    qRegisterMetaType<al::ui::DecodingResult>("al::ui::DecodingResult");
    m_options.max_len = 64;
    connect(worker<DecodingWorker>(), &DecodingWorker::decoded, this, &DecodingController::decoded);
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
    DecodingWorker* w = worker<DecodingWorker>();
    if (m_paused || !w || !m_model)
        return 0;
    m_dirty = false;
    return w->submit(m_sentence, m_model, m_step, m_options, m_forced);
}

} // namespace al::ui
