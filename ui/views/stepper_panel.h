// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/forward_view_model.h"
#include "ui/workers/inference_worker.h"
#include "ui/workers/training_worker.h"

#include <QTimer>
#include <QWidget>

#include <optional>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace al::ui {

class HeatmapWidget;

/// The model's block diagram (encoder column, decoder column, one box per forward step from
/// diagramBoxes()), the current step highlighted; clicking a box selects its step.
class BlockDiagramWidget : public QWidget {
    Q_OBJECT
public:
    explicit BlockDiagramWidget(QWidget* parent = nullptr);
    void setBoxes(const QVector<DiagramBox>& boxes);
    void setCurrent(int step);
    int current() const { return m_current; }
    /// The rectangle of the box of `step` in widget coordinates (empty when absent).
    QRectF boxRect(int step) const;
    QSize sizeHint() const override;

signals:
    void stepClicked(int step);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QVector<DiagramBox> m_boxes;
    int m_rows = 0;
    int m_current = -1;
};

/// The "Forward pass" tab: translates a sentence with Trace::forward recorded and steps through
/// the forward pass (buttons; Left / Right / Space): embedding + positional encoding, every
/// encoder sublayer, every decoder sublayer. For attention steps it shows, for a chosen head,
/// Q, K, V, the scores before and after the 1/sqrt(d_k) scaling, the probabilities after
/// softmax and one query row as a weighted sum of V rows; for every step the residual stream,
/// and the mean residual norm per step as a plot. Logic in forward_view_model.h.
class StepperPanel : public QWidget {
    Q_OBJECT
public:
    explicit StepperPanel(QWidget* parent = nullptr);

    /// The model to run (null clears). Re-runs the sentence when the panel is visible (at most
    /// every 400 ms while snapshots stream in), else when it is shown.
    void setModel(const ModelSnapshot& model);
    /// Asks the panel's inference thread to translate the sentence box's text with the forward
    /// pass recorded; the steps are shown when it answers (passFinished). False (and a message in
    /// the panel) without a model.
    bool run();
    /// Sets the sentence box (the main window keeps it equal to the main sentence); with a model,
    /// re-runs shortly after (when visible) or when next shown.
    void setSentence(const QString& sentence);
    /// Joins the panel's inference thread (closing the window); run() does nothing afterwards.
    void shutdown();

    const ForwardStepper& stepper() const { return m_stepper; }
    BlockDiagramWidget* diagram() const { return m_diagram; }
    HeatmapWidget* heatmap(const QString& name) const; ///< "q", "k", "v", "scores", "scaled", "probs", "sum", "stream"
    QCustomPlot* normPlot() const { return m_normPlot; }
    /// Pages of the step's details: 0 scores/softmax/weighted sum, 1 Q K V, 2 residual stream
    /// (shown by itself for steps without attention).
    QTabWidget* pages() const { return m_pages; }
    int head() const;
    int query() const;
    void setHead(int head);
    void setQuery(int query);

    /// Goes to the step that computes `selection`'s attention (kind and layer) and shows its
    /// head; when the pass has not been run yet, as soon as it has (a lesson or session that
    /// opens the Forward pass tab on a head).
    void showAttention(const AttentionSelection& selection);

signals:
    /// A pass asked for by run() has been shown: `ok` is false when it failed (the panel says why).
    void passFinished(bool ok);

public slots:
    void nextStep();
    void previousStep();
    void firstStep();
    void lastStep();
    void goToStep(int step);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showStep();
    /// Shows the answer to the newest run(); older answers are dropped.
    void showPass(const InferenceResult& result);
    /// Moves to the step of `selection`'s attention and selects its head; the caller shows it.
    void goToAttention(const AttentionSelection& selection);

    ModelSnapshot m_model;
    InferenceController* m_inference = nullptr; ///< runs the passes on its own thread
    quint64 m_pendingRun = 0;                   ///< id of the newest request, 0 when none is out
    bool m_stale = false;
    QTimer m_runTimer; ///< coalesces re-runs while training publishes snapshots
    ForwardStepper m_stepper;
    std::optional<AttentionSelection> m_pendingAttention; ///< showAttention before the pass ran
    QLineEdit* m_sentence = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_sumLabel = nullptr;
    QSpinBox* m_headSpin = nullptr;
    QSpinBox* m_querySpin = nullptr;
    BlockDiagramWidget* m_diagram = nullptr;
    HeatmapWidget* m_q = nullptr;
    HeatmapWidget* m_k = nullptr;
    HeatmapWidget* m_v = nullptr;
    HeatmapWidget* m_scores = nullptr;
    HeatmapWidget* m_scaled = nullptr;
    HeatmapWidget* m_probs = nullptr;
    HeatmapWidget* m_sum = nullptr;
    HeatmapWidget* m_stream = nullptr;
    QCustomPlot* m_normPlot = nullptr;
    QTabWidget* m_pages = nullptr;
};

} // namespace al::ui
