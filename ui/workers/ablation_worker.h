// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Head ablation off the GUI thread: the scores of a mask (each click of the Head ablation tab)
// and the per-head importance table, on the newest model snapshot. Same pattern as the other
// workers (WorkerController, latest request wins); the tab owns one controller for clicks and
// one for the table, so a click never waits behind a table.
#include "ui/view_models/head_ablation_view.h"
#include "ui/workers/training_worker.h"
#include "ui/workers/worker_thread.h"

#include <QMetaType>
#include <QObject>

namespace al::ui {

/// One job: a mask to score, or (importance) the whole table.
struct AblationRequest {
    ModelSnapshot model;
    qint64 step = 0;
    al::HeadMask mask;          ///< score: the heads off; importance: only its mode is read
    bool importance = false;
    QString sentence;           ///< score: translated intact and ablated
    QString corpusPath;         ///< the held-out sample's corpus (ablationSample)
    int srcColumn = 1, tgtColumn = 0;
};

/// What a job gives back.
struct AblationReply {
    quint64 requestId = 0;
    qint64 step = 0;
    bool importance = false;
    AblationOutcome outcome;          ///< score
    al::HeadImportanceTable table;    ///< importance
    QString error;                    ///< non-empty when the job failed (the sample, the model)
};

/// Lives on its own thread; submit() is thread-safe and coalescing.
class AblationWorker : public QObject {
    Q_OBJECT
public:
    quint64 submit(AblationRequest request);

signals:
    void done(const al::ui::AblationReply& reply);

private:
    void processPending();
    const std::vector<al::SentencePair>& sample(const AblationRequest& r);

    LatestRequest<AblationRequest> m_requests;
    QString m_sampleKey; ///< corpus and columns of m_sample (touched on the worker's thread only)
    std::vector<al::SentencePair> m_sample;
};

/// GUI-side owner of one ablation thread.
class AblationController : public WorkerController {
    Q_OBJECT
public:
    AblationController(QObject* parent, const QString& threadName);
    /// Posts `request` (replacing a pending one); returns its id, 0 after shutdown().
    quint64 submit(AblationRequest request);

signals:
    void done(const al::ui::AblationReply& reply);
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::AblationReply)
