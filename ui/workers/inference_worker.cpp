// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/inference_worker.h"

#include <QThread>

#include <exception>

namespace al::ui {

namespace {

QStringList toQStringList(const std::vector<std::string>& tokens)
{
    QStringList out;
    for (const std::string& t : tokens)
        out << QString::fromStdString(t);
    return out;
}

} // namespace

InferenceWorker::InferenceWorker(QObject* parent) : QObject(parent) {}

quint64 InferenceWorker::submit(const QString& sentence, const ModelSnapshot& model, qint64 modelStep,
                                int maxLength)
{
    Request r;
    r.sentence = sentence;
    r.model = model;
    r.step = modelStep;
    r.maxLength = maxLength;
    const auto put = m_requests.put(std::move(r));
    if (put.wake)
        QMetaObject::invokeMethod(this, &InferenceWorker::processPending, Qt::QueuedConnection);
    return put.id;
}

void InferenceWorker::processPending()
{
    auto next = m_requests.take();
    if (!next)
        return;
    const Request r = std::move(next->second);
    InferenceResult result;
    result.requestId = next->first;
    result.modelStep = r.step;
    result.sentence = r.sentence;
    result.model = r.model;
    if (r.model) {
        try {
            auto trace = std::make_shared<al::Trace>();
            const al::Translation t = al::translate(*r.model, r.sentence.toStdString(), r.maxLength, trace.get());
            result.translation = QString::fromStdString(t.text);
            result.srcTokens = toQStringList(t.src_tokens);
            result.outTokens = toQStringList(t.out_tokens);
            result.trace = std::move(trace);
        } catch (const std::exception& e) {
            result.errorMessage = QString::fromStdString(e.what());
        }
    }
    emit translated(result);
}

InferenceController::InferenceController(QObject* parent) : QObject(parent)
{
    registerTrainingMetaTypes();
    qRegisterMetaType<al::ui::InferenceResult>("al::ui::InferenceResult");
    m_worker = new InferenceWorker;
    m_thread = newWorkerThread(this, m_worker, QStringLiteral("inference"));
    connect(m_worker, &InferenceWorker::translated, this, &InferenceController::translated);
    m_thread->start();
}

InferenceController::~InferenceController()
{
    blockSignals(true);
    shutdown();
}

void InferenceController::shutdown()
{
    joinWorkerThread(m_thread);
    m_worker = nullptr; // deleted on its thread
}

void InferenceController::setSentence(const QString& sentence)
{
    if (sentence == m_sentence)
        return;
    m_sentence = sentence;
    request();
}

void InferenceController::setModel(const ModelSnapshot& model, qint64 step)
{
    m_model = model;
    m_step = step;
    request();
}

void InferenceController::request()
{
    if (m_worker && m_model)
        m_worker->submit(m_sentence, m_model, m_step, m_maxLength);
}

} // namespace al::ui
