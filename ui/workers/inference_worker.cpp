// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/inference_worker.h"

#include "engine/trace/task_trace.h"
#include "ui/view_models/sentence_input.h"

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
    return m_requests.post(this, &InferenceWorker::processPending, std::move(request));
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
            al::TraceOptions topts;
            topts.forward_detail = r.forwardDetail;
            result.trace = std::make_shared<const al::Trace>(al::task_model_trace(*r.taskModel, r.sentence.toStdString(), topts));
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
            al::DecodingOptions opts;
            opts.max_len = r.maxLength;
            al::TraceOptions topts;
            topts.forward_detail = r.forwardDetail;
            const al::Translation t = al::translate(*r.model, r.sentence.toStdString(), opts, trace.get(), topts);
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

InferenceController::InferenceController(QObject* parent, const QString& threadName)
    : WorkerController(new InferenceWorker, threadName, parent)
{
    registerTrainingMetaTypes();
    qRegisterMetaType<al::ui::InferenceResult>("al::ui::InferenceResult");
    connect(worker<InferenceWorker>(), &InferenceWorker::translated, this, &InferenceController::translated);
    m_taskTimer.setSingleShot(true);
    m_taskTimer.setInterval(150); // at most ~7 task-model runs a second while training
    connect(&m_taskTimer, &QTimer::timeout, this, [this] {
        if (m_taskModel)
            request();
    });
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

quint64 InferenceController::submit(InferenceRequest request)
{
    InferenceWorker* w = worker<InferenceWorker>();
    return w ? w->submit(std::move(request)) : 0;
}

void InferenceController::request()
{
    if (isBlankSentence(m_sentence))
        return; // no model pass on a blank sentence: the box shows a hint instead
    InferenceRequest r;
    r.sentence = m_sentence;
    if (m_taskModel) {
        r.taskModel = m_taskModel;
        r.step = m_taskStep;
    } else if (m_model) {
        r.model = m_model;
        r.step = m_step;
        r.maxLength = m_maxLength;
    } else {
        return;
    }
    submit(std::move(r));
}

} // namespace al::ui
