// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/workers/inference_worker.h"
#include "ui/view_models/synthesizer_view_model.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QGroupBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// The Synthesizer view (Tay et al. 2021) for one self-attention block (encoder or decoder,
/// layer, head): synthesized scores beside the resulting attention, the input-independent
/// alignment R of Random variants, mixture weights alpha now and over training, and an
/// input-dependence probe that translates a second sentence on the same snapshot (off the GUI
/// thread) and measures how much the scores change. Decisions come from
/// synthesizer_view_model.h; redraws are coalesced on a timer.
class SynthesizerPanel : public QWidget {
    Q_OBJECT
public:
    explicit SynthesizerPanel(QWidget* parent = nullptr);
    ~SynthesizerPanel() override;

    /// The main sentence's newest translation (trace and snapshot); also feeds the alpha
    /// history and translates the probe sentence on the same snapshot. While the panel is hidden
    /// (another tab shown) only the history is kept; the probe and the drawing catch up when it
    /// is shown, so training with the window open pays for what is on screen only.
    void setResult(const InferenceResult& result);
    /// Forgets the alpha history (a new training run).
    void resetHistory();
    /// Joins the probe's inference thread (also done by the destructor).
    void shutdown();

    SynthSelection selection() const;
    void setSelection(const SynthSelection& sel);
    QString probeSentence() const;
    void setProbeSentence(const QString& sentence);

    HeatmapWidget* scoresHeatmap() const { return m_scores; }
    HeatmapWidget* probabilitiesHeatmap() const { return m_probabilities; }
    HeatmapWidget* alignmentHeatmap() const { return m_alignment; }
    HeatmapWidget* probeFirstHeatmap() const { return m_probeFirst; }
    HeatmapWidget* probeSecondHeatmap() const { return m_probeSecond; }
    QCustomPlot* alphaBarsPlot() const { return m_alphaBars; }
    QCustomPlot* alphaHistoryPlot() const { return m_alphaHistoryPlot; }
    const AlphaHistory& alphaHistory() const { return m_history; }
    /// The newest probe measurement (invalid until both sentences ran on the same snapshot).
    ProbeDifference probeDifference() const { return m_difference; }
    QString messageText() const;

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onProbeTranslated(const InferenceResult& result);
    void scheduleRedraw();
    void redraw();
    void redrawAlpha(const al::Trace& trace, const SynthSelection& sel);
    void redrawProbe(const SynthSelection& sel);

    InferenceController* m_probe = nullptr;
    ProbeComparison m_comparison;
    AlphaHistory m_history;
    ProbeDifference m_difference;
    std::shared_ptr<const al::Trace> m_trace;
    ModelSnapshot m_model;
    qint64 m_step = 0;
    qint64 m_probeStep = 0;
    quint64 m_lastProbeId = 0;

    QComboBox* m_kindCombo = nullptr;
    QSpinBox* m_layerSpin = nullptr;
    QSpinBox* m_headSpin = nullptr;
    QLabel* m_variantLabel = nullptr;
    QLabel* m_message = nullptr;
    QScrollArea* m_scroll = nullptr;
    QWidget* m_content = nullptr;
    QGroupBox* m_alignmentGroup = nullptr;
    QGroupBox* m_mixtureGroup = nullptr;
    QLabel* m_alignmentNote = nullptr;
    HeatmapWidget* m_scores = nullptr;
    HeatmapWidget* m_probabilities = nullptr;
    HeatmapWidget* m_alignment = nullptr;
    HeatmapWidget* m_probeFirst = nullptr;
    HeatmapWidget* m_probeSecond = nullptr;
    QCustomPlot* m_alphaBars = nullptr;
    QCustomPlot* m_alphaHistoryPlot = nullptr;
    QLineEdit* m_probeEdit = nullptr;
    QLabel* m_probeLabel = nullptr;
    QTimer m_redrawTimer;
    bool m_dirty = false;      ///< a redraw was skipped while hidden
};

} // namespace al::ui
