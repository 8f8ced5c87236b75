// SPDX-License-Identifier: GPL-3.0-or-later
// What ThreadSanitizer needs to see the hand-overs between the GUI thread and the worker threads.
//
// Results travel from a worker to the GUI (and requests the other way) as queued signals and
// queued calls: Qt copies the arguments into an event on the sending thread and posts it to the
// receiving thread's queue under a QMutex. That QMutex, and everything else in the Debian Qt
// libraries, is not instrumented (Qt's mutexes are futex-based, not pthread), so TSan sees the
// arguments written on one thread and read on another with nothing ordering the two, and reports
// every hand-over as a data race. A build with -fsanitize=thread therefore adds one real mutex
// that TSan does see around each hand-over:
//   - a worker thread holds it while it emits a signal (Qt's signal-spy callbacks: from the
//     first argument copy to the last queued post),
//   - the GUI thread holds it while it queues a call on a worker (queueOnThread()),
//   - every thread takes and releases it before it delivers an event (Qt's event-notify
//     callback), so the receiver is ordered after the sender's post.
// The GUI thread never holds it while it waits for anything, so it cannot deadlock; in every other
// build all of this compiles to nothing.
#pragma once

#include <QMetaObject>
#include <QObject>

#include <utility>

namespace al::ui {

/// Installs the hand-over hooks described above, once per process; call it on the GUI thread
/// before the first worker thread starts (newWorkerThread() does). A no-op unless the build is a
/// ThreadSanitizer build.
void installThreadSanitizerHandOver();

/// Holds the hand-over mutex for its lifetime in a ThreadSanitizer build; nothing otherwise.
class HandOverScope {
public:
    HandOverScope();
    ~HandOverScope();
    HandOverScope(const HandOverScope&) = delete;
    HandOverScope& operator=(const HandOverScope&) = delete;
};

/// Queues `call` (a functor) on the thread of `target` (QMetaObject::invokeMethod with
/// Qt::QueuedConnection), holding the hand-over mutex while Qt copies and posts it.
template <class Functor>
void queueOnThread(QObject* target, Functor&& call)
{
    HandOverScope scope;
    QMetaObject::invokeMethod(target, std::forward<Functor>(call), Qt::QueuedConnection);
}

/// Queues the member `method` of `target` on its thread, as above.
template <class Object>
void queueOnThread(Object* target, void (Object::*method)())
{
    HandOverScope scope;
    QMetaObject::invokeMethod(target, method, Qt::QueuedConnection);
}

} // namespace al::ui
