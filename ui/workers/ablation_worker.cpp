// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/ablation_worker.h"

#include "engine/core/error.h"

#include <exception>

namespace al::ui {

quint64 AblationWorker::submit(AblationRequest request)
{
    return m_requests.post(this, &AblationWorker::processPending, std::move(request));
}

const std::vector<al::SentencePair>& AblationWorker::pairs(const AblationSource& source)
{
    if (source.key() != m_sampleKey) {
        m_sampleKey.clear();
        if (source.kind == AblationSource::Kind::Algorithmic)
            m_pairs = ablationSample(source.algorithmic);
        else if (source.kind == AblationSource::Kind::Corpus)
            m_pairs = ablationSample(source.corpusPath, source.srcColumn, source.tgtColumn);
        else
            throw al::Error("a translation model is scored on a translation corpus or its task.json generator");
        m_taskSample = al::TaskCorpus{};
        m_sampleKey = source.key();
    }
    return m_pairs;
}

const al::TaskCorpus& AblationWorker::taskSample(const AblationSource& source)
{
    if (source.kind != AblationSource::Kind::Task)
        throw al::Error("a task model is scored on its task's data");
    if (source.key() != m_sampleKey) {
        m_sampleKey.clear();
        m_taskSample = taskAblationSample(source.task, source.taskData);
        m_pairs.clear();
        m_sampleKey = source.key();
    }
    return m_taskSample;
}

void AblationWorker::processPending()
{
    auto next = m_requests.take();
    if (!next)
        return;
    const AblationRequest& r = next->second;
    AblationReply reply;
    reply.requestId = next->first;
    reply.step = r.step;
    reply.importance = r.importance;
    try {
        const std::shared_ptr<const void> model =
            r.taskModel ? std::shared_ptr<const void>(r.taskModel) : std::shared_ptr<const void>(r.model);
        if (model != m_reuseModel || r.source.key() != m_reuseSampleKey) {
            m_reuse = AblationReuse{};
            m_reuseModel = model;
            m_reuseSampleKey = r.source.key();
        } else if (r.sentence != m_reuseSentence) {
            m_reuse.intact.reset();
        }
        m_reuseSentence = r.sentence;
        if (r.taskModel) {
            const al::TaskCorpus& sample = taskSample(r.source);
            if (r.importance)
                reply.table = runImportance(*r.taskModel, sample, r.mask.mode);
            else
                reply.outcome = runAblation(*r.taskModel, r.mask, r.sentence, sample, &m_reuse);
        } else if (r.model) {
            const std::vector<al::SentencePair>& sample = pairs(r.source);
            if (r.importance)
                reply.table = runImportance(*r.model, sample, r.mask.mode);
            else
                reply.outcome = runAblation(*r.model, r.mask, r.sentence, sample, &m_reuse);
        } else {
            throw al::Error("no model is open");
        }
        reply.error = reply.outcome.error;
    } catch (const std::exception& e) {
        reply.error = QString::fromStdString(e.what());
    }
    emit done(reply);
}

AblationController::AblationController(QObject* parent, const QString& threadName)
    : WorkerController(new AblationWorker, threadName, parent)
{
    registerTrainingMetaTypes();
    qRegisterMetaType<al::ui::AblationReply>("al::ui::AblationReply");
    connect(worker<AblationWorker>(), &AblationWorker::done, this, &AblationController::done);
}

quint64 AblationController::submit(AblationRequest request)
{
    AblationWorker* w = worker<AblationWorker>();
    return w ? w->submit(std::move(request)) : 0;
}

} // namespace al::ui
