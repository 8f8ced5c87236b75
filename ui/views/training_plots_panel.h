// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/training_plots_model.h"
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
/// sentence from the periodic model snapshots (at most once per second). Logic in
/// training_plots_model.h; every plot exports through its context menu.
class TrainingPlotsPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPlotsPanel(QWidget* parent = nullptr);

    void addMetrics(const TrainingMetrics& m);
    void addValidation(const ValidationMetrics& v);
    /// A snapshot of training: translates the probe sentence (throttled) and records the
    /// entropies of its attention maps at `step`.
    void addSnapshot(const ModelSnapshot& model, qint64 step);
    /// Records the probe's entropies now (no throttling); false without a model or on failure.
    bool sampleEntropy(const ModelSnapshot& model, qint64 step);
    /// A task model's snapshot (charlm, pos, ...): its self-attention entropies on the probe
    /// sentence (al::task_model_trace), throttled as addSnapshot.
    void addTaskSnapshot(const TaskModelSnapshot& model, qint64 step);
    /// The task metric of the validation passes (exact match, accuracy, bits/char), drawn on the
    /// right axis of the loss plot; empty for translation.
    QVector<double> metricValues() const { return m_metricValues; }
    /// The fixed probe sentence of the entropy curves (restarts them when it changes).
    void setProbeSentence(const QString& sentence);
    QString probeSentence() const;
    /// Forgets every curve (a new run).
    void reset();
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
    void refreshEntropy();
    void redraw();
    void redrawEntropy();

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
    QVector<double> m_steps, m_lossValues, m_gradValues, m_speedValues, m_validSteps, m_validValues;
    QVector<double> m_metricSteps, m_metricValues;
    QString m_metricName;
    EntropyHistory m_history;
    QElapsedTimer m_lastSample;
    qint64 m_lastSampleStep = -1;
    bool m_curvesStale = false, m_entropyStale = false;
    QTimer m_redrawTimer;
};

} // namespace al::ui
