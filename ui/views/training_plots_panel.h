// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/curve_store.h"
#include "ui/view_models/training_plots_model.h"
#include "ui/views/draw_when_shown.h"
#include "ui/workers/inference_worker.h"
#include "ui/workers/training_worker.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace al::ui {

/// Shows the value of the nearest plotted point (step and value, with the graph's name) as a
/// tooltip while the mouse moves over `plot`.
void installHoverValues(QCustomPlot* plot);
/// The tooltip installHoverValues() shows for a mouse at `pos` (pixels in `plot`): the point of
/// the visible graphs nearest in x (then in y); empty when no graph has data.
QString hoverText(QCustomPlot* plot, const QPointF& pos);

/// The "Training plots" tab: training loss with EMA smoothing (slider) beside validation loss,
/// gradient norm, tokens per second, each with a log-scale toggle and hover values, and the
/// mean attention entropy of every head of one layer over training, computed on a fixed probe
/// sentence from the periodic model snapshots (at most once per second, on a worker thread).
/// The curves are read from a CurveStore (its own, or the window's through setCurveStore());
/// logic in training_plots_model.h; every plot exports through its context menu.
class TrainingPlotsPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPlotsPanel(QWidget* parent = nullptr);
    ~TrainingPlotsPanel() override;

    /// Draws the curves of `store` (shared with other plots; not owned) instead of its own.
    void setCurveStore(CurveStore* store);
    CurveStore* curveStore() const { return m_curves; }
    /// Adds to the curve store.
    void addMetrics(const TrainingMetrics& m);
    void addValidation(const ValidationMetrics& v);
    /// A snapshot of training: translates the probe sentence (throttled) and records the
    /// entropies of its attention maps at `step`.
    void addSnapshot(const ModelSnapshot& model, qint64 step);
    /// Asks the worker thread for the probe's entropies now (no throttling); they are recorded
    /// when the translation arrives (a newer request replaces one not yet started). False
    /// without a model.
    bool sampleEntropy(const ModelSnapshot& model, qint64 step);
    /// A task model's snapshot (charlm, pos, ...): its self-attention entropies on the probe
    /// sentence (al::task_model_trace), throttled as addSnapshot.
    void addTaskSnapshot(const TaskModelSnapshot& model, qint64 step);
    /// The task metric of the validation passes (exact match, accuracy, bits/char), drawn on the
    /// right axis of the loss plot; empty for translation.
    QVector<double> metricValues() const { return m_curves->metricValues(); }
    /// The fixed probe sentence of the entropy curves (restarts them when it changes).
    void setProbeSentence(const QString& sentence);
    QString probeSentence() const;
    /// Forgets every curve (a new run).
    void reset();
    /// Joins the entropy worker thread (also done by the destructor).
    void shutdown();
    /// Draws pending metrics at once (they are otherwise drawn at most every ~200 ms).
    void redrawNow();

    QCustomPlot* lossPlot() const { return m_loss; }
    QCustomPlot* gradPlot() const { return m_grad; }
    QCustomPlot* speedPlot() const { return m_speed; }
    QCustomPlot* entropyPlot() const { return m_entropy; }
    const EntropyHistory& entropyHistory() const { return m_history; }
    /// Smoothing weight in [0, 1) from the slider.
    double smoothing() const;
    void setSmoothing(double weight);
    void setLogScale(QCustomPlot* plot, bool on);

protected:
    void showEvent(QShowEvent* event) override;

private:
    /// Redraws the curves on a coalescing timer (~5/s) when shown; while hidden (another tab)
    /// only marks them stale, so a hidden panel costs no rendering during training. showEvent()
    /// catches up. Metrics arrive every ~20 ms chunk: drawing each would cost the training threads.
    void refresh();
    void redraw();
    void redrawEntropy();
    void onSampled(const InferenceResult& result);
    /// Results of requests up to now are dropped (reset, a new probe).
    void dropPendingSamples();
    /// Posts an entropy sample of the probe sentence; false after shutdown().
    bool postSample(InferenceRequest request);

    QCustomPlot* m_loss = nullptr;
    QCustomPlot* m_grad = nullptr;
    QCustomPlot* m_speed = nullptr;
    QCustomPlot* m_entropy = nullptr;
    QSlider* m_ema = nullptr;
    QLabel* m_emaLabel = nullptr;
    QCheckBox* m_logLoss = nullptr;
    QCheckBox* m_logGrad = nullptr;
    QCheckBox* m_logSpeed = nullptr;
    QLineEdit* m_probe = nullptr;
    QComboBox* m_kind = nullptr;
    QSpinBox* m_layer = nullptr;
    CurveStore* m_curves = nullptr;
    QString m_metricName; ///< the task metric the loss plot's right axis is labelled with
    EntropyHistory m_history;
    InferenceController* m_sampler = nullptr; ///< translates the probe sentence off the GUI thread
    quint64 m_lastRequest = 0;           ///< id of the newest sample request
    quint64 m_firstValidRequest = 0;     ///< samples of older requests are dropped
    QElapsedTimer m_lastSample;
    qint64 m_lastSampleStep = -1;
    bool m_curvesStale = false;
    DrawWhenShown m_entropyDraw{this, [this] { redrawEntropy(); }};
    QTimer m_redrawTimer;
};

} // namespace al::ui
