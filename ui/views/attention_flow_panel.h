// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/attention_flow_view.h"
#include "ui/workers/attention_flow_worker.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// The "Attention flow" tab: for one self-attention stack up to a layer, raw attention (the
/// layer's head mean) beside attention rollout and attention flow (Abnar & Zuidema 2020), or for
/// translation the source attribution of a decoder layer: its cross-attention, and that composed
/// with the encoder's rollout and flow. The matrices come from attention_flow_view.h, computed
/// on the panel's own thread (AttentionFlowController); each heatmap's context menu exports it
/// (PNG, SVG, PDF, CSV). A hidden tab computes nothing and catches up when shown.
class AttentionFlowPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionFlowPanel(QWidget* parent = nullptr);
    ~AttentionFlowPanel() override;

    /// Shows `trace` (null: none), recorded at training step `step`. Until a layer is chosen the
    /// top layer is shown (rollout and flow through the whole stack).
    void setTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step);
    FlowSelection selection() const;
    void setSelection(const FlowSelection& selection);
    /// Joins the flow thread (also done by the destructor).
    void shutdown();

    HeatmapWidget* rawHeatmap() const { return m_raw; }
    HeatmapWidget* rolloutHeatmap() const { return m_rollout; }
    HeatmapWidget* flowHeatmap() const { return m_flow; }
    /// The newest result drawn (its selection's matrices; empty before the first).
    const FlowResult& shownResult() const { return m_shown; }
    QString statusText() const;

signals:
    /// A result for the current Trace and selection was drawn.
    void resultShown();

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void refreshControls();
    void requestCompute();
    void onComputed(const FlowReply& reply);
    void drawResult();

    AttentionFlowController* m_controller = nullptr;
    QComboBox* m_viewCombo = nullptr;
    QSpinBox* m_layerSpin = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_explanation = nullptr;
    HeatmapWidget* m_raw = nullptr;
    HeatmapWidget* m_rollout = nullptr;
    HeatmapWidget* m_flow = nullptr;
    std::shared_ptr<const al::Trace> m_trace;
    qint64 m_step = 0;
    quint64 m_pendingId = 0;
    bool m_stale = false;
    bool m_layerChosen = false; ///< the user chose a layer; until then the top layer is shown
    FlowResult m_shown;
};

} // namespace al::ui
