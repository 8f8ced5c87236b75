// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/worker_thread.h"

#include "engine/train/train_step.h"

#include <QObject>
#include <QThread>

namespace al::ui {

QThread* newWorkerThread(QObject* owner, QObject* worker, const QString& name)
{
    al::configure_engine_process(); // before any worker thread runs an Eigen product
    installThreadSanitizerHandOver();
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

WorkerController::WorkerController(QObject* worker, const QString& name, QObject* parent)
    : QObject(parent), m_worker(worker)
{
    m_thread = newWorkerThread(this, worker, name);
    m_thread->start();
}

WorkerController::~WorkerController()
{
    blockSignals(true);
    shutdown();
}

void WorkerController::shutdown()
{
    joinWorkerThread(m_thread);
    m_worker = nullptr; // deleted on its thread
}

} // namespace al::ui
