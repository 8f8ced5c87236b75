// SPDX-License-Identifier: GPL-3.0-or-later
// The background-thread plumbing shared by the GUI's controllers (training, race, decoding,
// inference): a QObject worker living in its own QThread, a latest-request-wins mailbox, and the
// controller that owns one worker thread for its whole life.
#pragma once

#include <QObject>
#include <QString>
#include <QtGlobal>

#include "ui/workers/thread_sanitizer_handover.h"

#include <mutex>
#include <optional>
#include <utility>

class QObject;
class QThread;

namespace al::ui {

/// Creates a QThread owned by `owner` and named `name` (shown by debuggers and perf), moves
/// `worker` (which must have no parent) to it and deletes the worker on that thread when the
/// thread finishes. The thread is not started: connect the worker's signals, then start() it.
/// Installs the ThreadSanitizer hand-over hooks on first use (thread_sanitizer_handover.h).
QThread* newWorkerThread(QObject* owner, QObject* worker, const QString& name);

/// Quits `thread`'s event loop, waits for it (its worker has been deleted by then), deletes it
/// and sets `thread` to nullptr. A no-op when `thread` is nullptr.
void joinWorkerThread(QThread*& thread);

/// Hands requests from the GUI thread to a worker thread when only the newest one matters
/// (typing a sentence while the previous one is still being translated): put() replaces any
/// request not yet taken. Thread-safe.
template <class Request>
class LatestRequest {
public:
    struct Put {
        quint64 id;  ///< 1, 2, ... in submission order
        bool wake;   ///< no wake-up is queued yet: the caller must schedule one take()
    };
    Put put(Request request)
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_pending = std::move(request);
        ++m_nextId;
        const bool wake = !m_scheduled;
        m_scheduled = true;
        return {m_nextId, wake};
    }
    /// put(), and when no take is queued yet, queues `process` (a member of `worker` that calls
    /// take()) on the worker's thread. Returns the request's id.
    template <class Worker>
    quint64 post(Worker* worker, void (Worker::*process)(), Request request)
    {
        const Put p = put(std::move(request));
        if (p.wake)
            queueOnThread(worker, process);
        return p.id;
    }
    /// The newest request and its id, or nothing when it was already taken.
    std::optional<std::pair<quint64, Request>> take()
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_scheduled = false;
        if (!m_pending)
            return std::nullopt;
        // The pending request is always the newest one put, so its id is m_nextId.
        std::optional<std::pair<quint64, Request>> out(std::in_place, m_nextId, std::move(*m_pending));
        m_pending.reset();
        return out;
    }

private:
    std::mutex m_mutex; ///< a pthread mutex, which ThreadSanitizer sees (Qt's futex-based QMutex it does not)
    std::optional<Request> m_pending;
    quint64 m_nextId = 0;
    bool m_scheduled = false;
};

/// GUI-side owner of one worker that lives on its own thread as long as the controller does
/// (decoding, inference): the constructor moves the worker to a new thread and starts it;
/// shutdown() (also run by the destructor, with the controller's signals blocked) quits and joins
/// the thread, and the worker is deleted on it. Results come back through the worker's signals,
/// which the subclass connects in its constructor (no request is posted before that).
class WorkerController : public QObject {
    Q_OBJECT
public:
    ~WorkerController() override;
    /// Quits and joins the thread; worker() is nullptr afterwards. Idempotent.
    void shutdown();

protected:
    /// Takes `worker` (which must have no parent) to a thread named `name` (shown by debuggers
    /// and perf) and starts that thread.
    WorkerController(QObject* worker, const QString& name, QObject* parent);
    /// The worker, as the subclass made it; nullptr after shutdown().
    template <class Worker>
    Worker* worker() const
    {
        return static_cast<Worker*>(m_worker);
    }

private:
    QThread* m_thread = nullptr;
    QObject* m_worker = nullptr; ///< lives on m_thread; deleted when it finishes
};

} // namespace al::ui
