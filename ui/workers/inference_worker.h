// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Translation of the sentence being typed, off the GUI thread, on the newest model snapshot.
#include "engine/trace.h"
#include "engine/translation_model.h"
#include "ui/workers/training_worker.h"
#include "ui/workers/worker_thread.h"

#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QThread;

namespace al::ui {

/// One translation with what the attention views need.
struct InferenceResult {
    quint64 requestId = 0;     ///< increases with every submitted request
    qint64 modelStep = 0;      ///< training step of the snapshot that translated it
    QString sentence;          ///< the input
    QString translation;       ///< detokenised output (empty on error)
    QStringList srcTokens;     ///< as the model saw them (with <eos>)
    QStringList outTokens;     ///< generated tokens (without <eos>)
    std::shared_ptr<const al::Trace> trace; ///< null on error
    ModelSnapshot model;       ///< the snapshot that translated it (for views that read weights)
    QString errorMessage;      ///< non-empty when translation failed
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

signals:
    void translated(const al::ui::InferenceResult& result);

private:
    void processPending();

    struct Request {
        QString sentence;
        ModelSnapshot model;
        qint64 step = 0;
        int maxLength = 64;
    };
    LatestRequest<Request> m_requests; ///< only the newest request is translated
};

/// GUI-side owner of the inference thread. Keeps the newest sentence and snapshot and asks
/// for a translation whenever either changes.
class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    ~InferenceController() override;

    void setSentence(const QString& sentence);
    void setModel(const ModelSnapshot& model, qint64 step);
    ModelSnapshot model() const { return m_model; }
    qint64 modelStep() const { return m_step; }
    QString sentence() const { return m_sentence; }
    /// Longest output, in tokens.
    void setMaxLength(int tokens) { m_maxLength = tokens; }
    /// Quits and joins the thread (also done by the destructor).
    void shutdown();

signals:
    void translated(const al::ui::InferenceResult& result);

private:
    void request();

    QThread* m_thread = nullptr;
    InferenceWorker* m_worker = nullptr;
    QString m_sentence;
    ModelSnapshot m_model;
    qint64 m_step = 0;
    int m_maxLength = 64;
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::InferenceResult)
