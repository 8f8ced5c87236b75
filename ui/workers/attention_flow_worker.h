// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Attention rollout and flow of the Attention flow tab, off the GUI thread: the flow solves n^2
// maximum flows, which for a long sentence takes a second. Same pattern as the other workers: a
// coalescing worker on its own thread (WorkerController); a newer request stops the flow of an
// older one between rows.
#include "ui/view_models/attention_flow_view.h"
#include "ui/workers/worker_thread.h"

#include <QMetaType>
#include <QObject>

#include <atomic>
#include <memory>

namespace al::ui {

/// One computed selection, tagged with its request.
struct FlowReply {
    quint64 requestId = 0;
    std::shared_ptr<const al::Trace> trace; ///< the Trace it was computed on
    FlowResult result;
};

/// Lives on its own thread. submit() is thread-safe and coalescing.
class AttentionFlowWorker : public QObject {
    Q_OBJECT
public:
    /// Replaces any pending request; returns its id. The request being computed stops early.
    quint64 submit(const std::shared_ptr<const al::Trace>& trace, const FlowSelection& selection);

signals:
    void computed(const al::ui::FlowReply& reply);

private:
    struct Request {
        std::shared_ptr<const al::Trace> trace;
        FlowSelection selection;
    };
    void processPending();

    LatestRequest<Request> m_requests;
    std::atomic<quint64> m_newest{0}; ///< id of the newest submitted request
};

/// GUI-side owner of the flow thread.
class AttentionFlowController : public WorkerController {
    Q_OBJECT
public:
    explicit AttentionFlowController(QObject* parent = nullptr);
    /// Computes `selection` on `trace` (non-null); the answer arrives as computed() with the id returned.
    quint64 request(const std::shared_ptr<const al::Trace>& trace, const FlowSelection& selection);

signals:
    void computed(const al::ui::FlowReply& reply);
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::FlowReply)
