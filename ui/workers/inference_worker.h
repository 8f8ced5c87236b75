// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every model pass on the typed sentence (or a probe sentence) off the GUI thread, on the newest
// snapshot: translation, a task model's answer and attention, or only the attention Trace.
#include "engine/trace/trace.h"
#include "engine/models/translation_model.h"
#include "ui/workers/training_worker.h"
#include "ui/workers/worker_thread.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace al::ui {

/// One model pass to run: a task model when `taskModel` is set, else the translation `model`.
struct InferenceRequest {
    QString sentence;
    ModelSnapshot model;          ///< translation model
    TaskModelSnapshot taskModel;  ///< task model (charlm, pos, sentiment, langid, mlm)
    qint64 step = 0;              ///< training step of the snapshot
    int maxLength = 64;           ///< translation: longest output, in tokens
    bool traceOnly = false;       ///< task model: the attention Trace only (al::task_model_trace)
    bool forwardDetail = false;   ///< record Trace::forward (every sublayer, every head's Q, K, V): translation, and a task model's traceOnly pass
};

/// One translation (or task model pass) with what the attention views need.
struct InferenceResult {
    quint64 requestId = 0;     ///< increases with every submitted request
    qint64 modelStep = 0;      ///< training step of the snapshot that translated it
    QString sentence;          ///< the input
    QString translation;       ///< detokenised output (empty on error)
    QStringList srcTokens;     ///< as the model saw them (with <eos>)
    QStringList outTokens;     ///< generated tokens (without <eos>)
    std::shared_ptr<const al::Trace> trace; ///< null on error
    ModelSnapshot model;       ///< the snapshot that translated it (for views that read weights)
    TaskModelSnapshot taskModel; ///< set when a task model ran: `translation` is its answer (runTaskModel)
    QString errorMessage;      ///< non-empty when the pass failed
};

/// Lives on its own thread. submit() is thread-safe and coalescing: only the newest
/// (sentence, snapshot) pair is kept, so requests that arrive while a translation runs replace
/// each other and only the last one is translated next.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    explicit InferenceWorker(QObject* parent = nullptr);

    /// Thread-safe. Replaces any pending request; returns its id.
    quint64 submit(const QString& sentence, const ModelSnapshot& model, qint64 modelStep, int maxLength);
    quint64 submit(InferenceRequest request);

signals:
    void translated(const al::ui::InferenceResult& result);

private:
    void processPending();

    LatestRequest<InferenceRequest> m_requests; ///< only the newest request is run
};

/// GUI-side owner of an inference thread. Keeps the newest sentence and snapshot and asks
/// for a translation whenever either changes; a blank sentence (isBlankSentence) runs nothing.
/// A task model, once set, replaces the translation
/// model until the next setModel(); its runs are coalesced to at most one per 150 ms.
/// submit() runs a request of the caller's own instead (the training plots' entropy probe).
class InferenceController : public WorkerController {
    Q_OBJECT
public:
    /// `threadName` names the thread (debuggers, perf).
    explicit InferenceController(QObject* parent = nullptr, const QString& threadName = QStringLiteral("inference"));

    void setSentence(const QString& sentence);
    void setModel(const ModelSnapshot& model, qint64 step);
    void setTaskModel(const TaskModelSnapshot& model, qint64 step);
    ModelSnapshot model() const { return m_model; }
    TaskModelSnapshot taskModel() const { return m_taskModel; }
    qint64 modelStep() const { return m_step; }
    QString sentence() const { return m_sentence; }
    /// Longest output, in tokens.
    void setMaxLength(int tokens) { m_maxLength = tokens; }
    /// Posts `request` as it is (replacing any pending one); returns its id, 0 after shutdown().
    quint64 submit(InferenceRequest request);

signals:
    void translated(const al::ui::InferenceResult& result);

private:
    void request();

    QString m_sentence;
    ModelSnapshot m_model;
    qint64 m_step = 0;
    TaskModelSnapshot m_taskModel;
    qint64 m_taskStep = 0;
    QTimer m_taskTimer; ///< coalesces task-model runs on the typed sentence
    int m_maxLength = 64;
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::InferenceResult)
