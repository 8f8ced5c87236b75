// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/thread_sanitizer_handover.h"

#if defined(__SANITIZE_THREAD__)
#define AL_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AL_THREAD_SANITIZER 1
#endif
#endif

#if defined(AL_THREAD_SANITIZER)
#include <QCoreApplication>
#include <QThread>
#include <QtCore/private/qobject_p.h>

#include <mutex>
#endif

namespace al::ui {

#if defined(AL_THREAD_SANITIZER)

namespace {

/// The one hand-over mutex. Recursive: a slot that a signal reaches directly may emit again.
std::recursive_mutex& handOverMutex()
{
    static std::recursive_mutex mutex;
    return mutex;
}

bool onGuiThread()
{
    const QCoreApplication* app = QCoreApplication::instance();
    return app && QThread::currentThread() == app->thread();
}

// Worker threads hold the mutex from the start to the end of each emission. The GUI thread does
// not: its direct slots may wait for a worker thread to finish (closing the window joins them).
void signalBegin(QObject*, int, void**)
{
    if (!onGuiThread())
        handOverMutex().lock();
}

void signalEnd(QObject*, int)
{
    if (!onGuiThread())
        handOverMutex().unlock();
}

bool beforeEvent(void**)
{
    std::lock_guard<std::recursive_mutex> lock(handOverMutex());
    return false; // deliver the event as usual
}

QSignalSpyCallbackSet g_callbacks{signalBegin, nullptr, signalEnd, nullptr};

} // namespace

void installThreadSanitizerHandOver()
{
    static std::once_flag once;
    std::call_once(once, [] {
        qt_register_signal_spy_callbacks(&g_callbacks);
        QInternal::registerCallback(QInternal::EventNotifyCallback, beforeEvent);
    });
}

HandOverScope::HandOverScope()
{
    handOverMutex().lock();
}

HandOverScope::~HandOverScope()
{
    handOverMutex().unlock();
}

#else

void installThreadSanitizerHandOver() {}
HandOverScope::HandOverScope() = default;
HandOverScope::~HandOverScope() = default;

#endif

} // namespace al::ui
