// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/ablation_worker.h"

#include "engine/core/error.h"

#include <exception>

namespace al::ui {

quint64 AblationWorker::submit(AblationRequest request)
{
    return m_requests.post(this, &AblationWorker::processPending, std::move(request));
}

const std::vector<al::SentencePair>& AblationWorker::sample(const AblationRequest& r)
{
    const QString key = QStringLiteral("%1\t%2\t%3").arg(r.corpusPath).arg(r.srcColumn).arg(r.tgtColumn);
    if (key != m_sampleKey) {
        m_sample = ablationSample(r.corpusPath, r.srcColumn, r.tgtColumn);
        m_sampleKey = key;
    }
    return m_sample;
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
        if (!r.model)
            throw al::Error("no translation model is open");
        const std::vector<al::SentencePair>& pairs = sample(r);
        if (r.importance)
            reply.table = runImportance(*r.model, pairs, r.mask.mode);
        else {
            reply.outcome = runAblation(*r.model, r.mask, r.sentence, pairs);
            reply.error = reply.outcome.error;
        }
    } catch (const std::exception& e) {
        m_sampleKey.clear();
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
