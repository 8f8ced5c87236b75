// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The GUI's variant race: al::run_race on a worker thread (Qt's worker-object
// pattern), its progress as queued signals, and the race's data (curves, results table) kept
// in a RaceController on the GUI thread, apart from the RaceWindow that draws it.
#include "engine/data/algorithmic_tasks.h"
#include "engine/experiments/race.h"

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <vector>

class QThread;

namespace al::ui {

/// Everything a race needs; copied into the worker thread.
struct RaceRequest {
    QString task = QStringLiteral("reverse"); ///< translate, copy, reverse or sort
    al::AlgorithmicTaskConfig algorithmic;    ///< generator of copy/reverse/sort (task is set from `task`)
    QString corpusPath;                       ///< translate: tab-separated pairs
    int srcColumn = 1, tgtColumn = 0;         ///< translate: 0-based columns (cmn.txt: 1 = Chinese, 0 = English)
    al::RaceConfig config;                    ///< variants, model, optimiser, budget, evaluation
};

/// The request the race action starts with: the task's recommended model and optimiser (for
/// copy/reverse/sort al::algorithmic_*_defaults, for translate a small 2-layer model), every
/// default variant, and the budget `steps` (> 0) or else `minutes` per variant.
RaceRequest defaultRaceRequest(const QString& task, qint64 steps, double minutes, int threads);

/// Column titles of the results table: the score columns are test BLEU for translate, exact
/// match and token accuracy for the algorithmic tasks.
QStringList raceTableHeaders(bool algorithmic);
/// One table row for `r` (numbers formatted for display; speed relative to the vanilla entry of `all`).
QStringList raceTableRow(const al::RaceResult& r, const std::vector<al::RaceResult>& all, bool algorithmic);

/// Runs al::run_race on its own thread. cancel() is thread-safe (an atomic polled between steps).
class RaceWorker : public QObject {
    Q_OBJECT
public:
    void cancel() { m_cancel.store(true); }

public slots:
    /// Builds the splits (generated, or the corpus read and split 90/5/5) and races; emits
    /// progress and finally finished() (also after an error or a cancellation).
    void run(const al::ui::RaceRequest& request);

signals:
    void variantStarted(int index, const QString& variant, qint64 parameters);
    void evaluated(int index, qint64 step, double seconds, double validLoss);
    void variantFinished(int index, const al::RaceResult& result);
    void failed(const QString& message);
    void finished(bool cancelled);

private:
    std::atomic<bool> m_cancel{false};
};

/// One variant's validation curve (x: optimizer steps, y: valid loss in nats per token).
struct RaceSeries {
    QString variant;
    QVector<double> steps, loss;
};

/// Owns the race thread (one race at a time) and the race's data; lives on the GUI thread.
class RaceController : public QObject {
    Q_OBJECT
public:
    explicit RaceController(QObject* parent = nullptr);
    ~RaceController() override;

    bool isRunning() const { return m_thread != nullptr; }
    bool isAlgorithmic() const { return m_algorithmic; }
    /// One series per variant of the current (or last) race, in race order.
    const QVector<RaceSeries>& series() const { return m_series; }
    /// Finished variants, in race order.
    const std::vector<al::RaceResult>& results() const { return m_results; }

public slots:
    /// Starts a race; ignored (false) while one runs.
    bool start(const al::ui::RaceRequest& request);
    /// Asks the race to stop after the current step; finished() follows.
    void cancel();
    /// Cancels and joins the thread; safe when idle.
    void shutdown();

signals:
    void started();
    /// The curves or the results changed (redraw).
    void changed();
    void failed(const QString& message);
    void finished(bool cancelled);

private:
    void join();

    QThread* m_thread = nullptr;
    RaceWorker* m_worker = nullptr;
    quint64 m_runId = 0;
    bool m_algorithmic = true;
    QVector<RaceSeries> m_series;
    std::vector<al::RaceResult> m_results;
};

} // namespace al::ui

Q_DECLARE_METATYPE(al::ui::RaceRequest)
Q_DECLARE_METATYPE(al::RaceResult)
