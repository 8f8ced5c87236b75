// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/attention_flow_worker.h"

namespace al::ui {

quint64 AttentionFlowWorker::submit(const std::shared_ptr<const al::Trace>& trace, const FlowSelection& selection)
{
    const LatestRequest<Request>::Put p = m_requests.put(Request{trace, selection});
    m_newest.store(p.id);
    if (p.wake)
        queueOnThread(this, &AttentionFlowWorker::processPending);
    return p.id;
}

void AttentionFlowWorker::processPending()
{
    auto next = m_requests.take();
    if (!next)
        return;
    const quint64 id = next->first;
    FlowReply reply;
    reply.requestId = id;
    reply.trace = next->second.trace;
    reply.result = computeFlow(*reply.trace, next->second.selection, [this, id] { return m_newest.load() != id; });
    if (m_newest.load() == id) // a newer request is queued: its answer replaces this one
        emit computed(reply);
}

AttentionFlowController::AttentionFlowController(QObject* parent)
    : WorkerController(new AttentionFlowWorker, QStringLiteral("attention-flow"), parent)
{
    qRegisterMetaType<al::ui::FlowReply>("al::ui::FlowReply");
    connect(worker<AttentionFlowWorker>(), &AttentionFlowWorker::computed, this, &AttentionFlowController::computed);
}

quint64 AttentionFlowController::request(const std::shared_ptr<const al::Trace>& trace, const FlowSelection& selection)
{
    AttentionFlowWorker* w = worker<AttentionFlowWorker>();
    return w && trace ? w->submit(trace, selection) : 0;
}

} // namespace al::ui
