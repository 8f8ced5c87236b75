// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Step-by-step decoding of the sentence being typed, off the GUI thread, on the newest model
// snapshot, with the strategy and forced prefix chosen in the decoding panel. Same pattern as
// ui/workers/inference_worker.h: a coalescing worker on its own thread (WorkerController),
// stale requests dropped.
#include "engine/decode/decoding.h"
#include "engine/trace/trace.h"
#include "ui/workers/training_worker.h"
#include "ui/workers/worker_thread.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace al::ui {

/// One decoding run with its full per-step record.
struct DecodingResult {
    quint64 requestId = 0;              ///< increases with every submitted request
    qint64 modelStep = 0;               ///< training step of the snapshot that decoded it
    QString sentence;
    al::DecodingOptions options;        ///< as requested (forced_prefix empty: see forcedTokens)
    QStringList forcedTokens;           ///< the forced prefix as target tokens
    QString translation;                ///< detokenised output (empty on error)
    std::shared_ptr<const al::Trace> trace; ///< null on error
    ModelSnapshot model;
    QString errorMessage;               ///< non-empty when decoding failed
};

/// Lives on its own thread. submit() is thread-safe and coalescing: only the newest request
/// is kept, so requests arriving while a run is under way replace each other.
class DecodingWorker : public QObject {
    Q_OBJECT
public:
    explicit DecodingWorker(QObject* parent = nullptr);
    /// Thread-safe. Replaces any pending request; returns its id.
    quint64 submit(const QString& sentence, const ModelSnapshot& model, qint64 modelStep,
                   const al::DecodingOptions& options, const QStringList& forcedTokens);

signals:
    void decoded(const al::ui::DecodingResult& result);

private:
    void processPending();

    LatestRequest<DecodingResult> m_requests; ///< only the newest request is decoded
};

/// GUI-side owner of the decoding thread: keeps the newest sentence, snapshot, options and
/// forced prefix, and asks for a run whenever one changes (request() forces one).
class DecodingController : public WorkerController {
    Q_OBJECT
public:
    explicit DecodingController(QObject* parent = nullptr);

    void setSentence(const QString& sentence);
    void setModel(const ModelSnapshot& model, qint64 step);
    void setOptions(const al::DecodingOptions& options);
    void setForcedTokens(const QStringList& tokens);
    QString sentence() const { return m_sentence; }
    ModelSnapshot model() const { return m_model; }
    qint64 modelStep() const { return m_step; }
    al::DecodingOptions options() const { return m_options; }
    QStringList forcedTokens() const { return m_forced; }
    /// While paused (the panel is hidden) changes are only remembered; resuming sends the
    /// newest request if anything changed.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    /// Submits the current state now (unless paused or without a model). Returns the id, or 0.
    quint64 request();

signals:
    void decoded(const al::ui::DecodingResult& result);

private:
    void changed();

    QString m_sentence;
    ModelSnapshot m_model;
    qint64 m_step = 0;
    al::DecodingOptions m_options;
    QStringList m_forced;
    bool m_paused = false;
    bool m_dirty = false;
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::DecodingResult)
