// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/inference_worker.h"

#include "engine/trace/task_trace.h"

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
    InferenceRequest r;
    r.sentence = sentence;
    r.model = model;
    r.step = modelStep;
    r.maxLength = maxLength;
    return submit(std::move(r));
}

quint64 InferenceWorker::submit(InferenceRequest request)
{
    const auto put = m_requests.put(std::move(request));
    if (put.wake)
        QMetaObject::invokeMethod(this, &InferenceWorker::processPending, Qt::QueuedConnection);
    return put.id;
}

void InferenceWorker::processPending()
{
    auto next = m_requests.take();
    if (!next)
        return;
    const InferenceRequest r = std::move(next->second);
    InferenceResult result;
    result.requestId = next->first;
    result.modelStep = r.step;
    result.sentence = r.sentence;
    result.model = r.model;
    result.taskModel = r.taskModel;
    if (r.taskModel && r.traceOnly) {
        try {
            result.trace = std::make_shared<const al::Trace>(al::task_model_trace(*r.taskModel, r.sentence.toStdString()));
        } catch (const std::exception& e) {
            result.errorMessage = QString::fromStdString(e.what());
        }
    } else if (r.taskModel) {
        const TaskModelOutput out = runTaskModel(*r.taskModel, r.sentence);
        result.translation = out.output;
        result.trace = out.trace;
        result.errorMessage = out.error;
    } else if (r.model) {
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
    m_taskTimer.setSingleShot(true);
    m_taskTimer.setInterval(150); // at most ~7 task-model runs a second while training
    connect(&m_taskTimer, &QTimer::timeout, this, [this] {
        if (m_taskModel)
            request();
    });
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
    if (m_taskModel)
        m_taskTimer.start();
    else
        request();
}

void InferenceController::setModel(const ModelSnapshot& model, qint64 step)
{
    m_taskModel.reset();
    m_model = model;
    m_step = step;
    request();
}

void InferenceController::setTaskModel(const TaskModelSnapshot& model, qint64 step)
{
    m_taskModel = model;
    m_taskStep = step;
    if (!m_taskTimer.isActive())
        m_taskTimer.start();
}

void InferenceController::request()
{
    if (!m_worker)
        return;
    if (m_taskModel) {
        InferenceRequest r;
        r.sentence = m_sentence;
        r.taskModel = m_taskModel;
        r.step = m_taskStep;
        m_worker->submit(std::move(r));
    } else if (m_model) {
        m_worker->submit(m_sentence, m_model, m_step, m_maxLength);
    }
}

} // namespace al::ui
