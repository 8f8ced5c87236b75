// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/worker_thread.h"

#include <QObject>
#include <QThread>

namespace al::ui {

QThread* newWorkerThread(QObject* owner, QObject* worker, const QString& name)
{
    auto* thread = new QThread(owner);
    thread->setObjectName(name);
    worker->moveToThread(thread);
    QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    return thread;
}

void joinWorkerThread(QThread*& thread)
{
    if (!thread)
        return;
    thread->quit();
    thread->wait();
    delete thread;
    thread = nullptr;
}

} // namespace al::ui
