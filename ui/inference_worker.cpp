// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/inference_worker.h"

#include <QMutexLocker>
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
    QMutexLocker lock(&m_mutex);
    Request r;
    r.id = ++m_nextId;
    r.sentence = sentence;
    r.model = model;
    r.step = modelStep;
    r.maxLength = maxLength;
    m_pending = std::move(r);
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(this, &InferenceWorker::processPending, Qt::QueuedConnection);
    }
    return m_nextId;
}

void InferenceWorker::processPending()
{
    Request r;
    {
        QMutexLocker lock(&m_mutex);
        m_scheduled = false;
        if (!m_pending)
            return;
        r = std::move(*m_pending);
        m_pending.reset();
    }
    InferenceResult result;
    result.requestId = r.id;
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
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("inference"));
    m_worker = new InferenceWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
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
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    m_worker = nullptr;
    delete m_thread;
    m_thread = nullptr;
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
