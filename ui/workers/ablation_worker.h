// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Head ablation off the GUI thread: the scores of a mask (each click of the Head ablation tab)
// and the per-head importance table, on the newest model snapshot (a translation or a task model). Same pattern as the other
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
    ModelSnapshot model;        ///< a translation model, or
    TaskModelSnapshot taskModel; ///< a task model (at most one of the two is set)
    qint64 step = 0;
    al::HeadMask mask;          ///< score: the heads off; importance: only its mode is read
    bool importance = false;
    QString sentence;           ///< score: translated (answered) intact and ablated
    AblationSource source;      ///< the held-out sample (Corpus or Algorithmic: translation; Task: task model)
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
    /// The sample of `source`, read once per source (the pairs of Corpus and Algorithmic).
    const std::vector<al::SentencePair>& pairs(const AblationSource& source);
    /// The sample of a Task source.
    const al::TaskCorpus& taskSample(const AblationSource& source);

    LatestRequest<AblationRequest> m_requests;
    // The cached sample, touched on the worker's thread only.
    QString m_sampleKey; ///< AblationSource::key of the sample held
    std::vector<al::SentencePair> m_pairs;
    al::TaskCorpus m_taskSample;
    // What the scores of one model on one sample share (the intact figures for one sentence,
    // the heads' mean outputs), kept from score to score.
    std::shared_ptr<const void> m_reuseModel; ///< held, so that its address is not reused
    QString m_reuseSampleKey;                 ///< AblationSource::key of m_reuse's sample
    QString m_reuseSentence;                  ///< the sentence of m_reuse.intact
    AblationReuse m_reuse;
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
