// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/export/exporters.h"
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/color_maps.h"

#include <QTimer>
#include <QVector>
#include <QWidget>

#include <memory>

class QComboBox;
class QGridLayout;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// The "Attention" tab: the navigator (kind, layer, head), the colour controls, a grid of
/// per-head thumbnails of the selected layer and one focused heatmap with its tokens and colour
/// scale. Shows one Trace; which matrix and labels come from attention_selection.h; redraws are
/// coalesced on a timer and wait while the tab is hidden.
class AttentionPanel : public QWidget {
    Q_OBJECT
public:
    explicit AttentionPanel(QWidget* parent = nullptr);

    /// Shows `trace` (null: none), recorded at training step `step`. A trace without maps of the
    /// selected kind (a task model records one kind) switches to the first kind it has.
    void setTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step);
    std::shared_ptr<const al::Trace> trace() const { return m_trace; }
    /// ReLU attention weights are not probabilities: colour them min..max instead of 0..1.
    void setUnnormalizedWeights(bool on);

    AttentionSelection selection() const;
    /// Selects a map (the layer and head ranges grow to hold it until the next redraw).
    void setSelection(const AttentionSelection& selection);
    void setKind(al::AttentionKind kind);

    HeatmapWidget* focusedHeatmap() const { return m_focused; }
    QVector<HeatmapWidget*> headHeatmaps() const { return m_thumbs; }

    void setHeatmapColors(ColorMap map, ColorRange range);
    ColorMap heatmapColorMap() const;
    ColorRange heatmapColorRange() const;

    /// Exports the focused heatmap (size dialog, then save dialog).
    void exportHeatmap(ExportFormat format);
    /// Batch export of the Trace without a dialog (exportAttention, the code `attention-lab
    /// export` runs) in the panel's colours, `caption` under each figure; the files written.
    QStringList exportAttentionTo(AttentionExportRequest request, const QString& caption);
    /// "Export all layers and heads…": the batch dialog, then exportAttentionTo.
    void exportAllHeads(const QString& caption);

signals:
    void compareRequested();
    void colorsChanged(al::ui::ColorMap map, al::ui::ColorRange range);
    void statusMessage(const QString& message);
    void errorOccurred(const QString& title, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void scheduleRedraw();
    void redraw();
    void redrawMaps();
    void rebuildThumbnails(int count);
    void applyHeatmapColors();

    QComboBox* m_kindCombo = nullptr;
    QSpinBox* m_layerSpin = nullptr;
    QSpinBox* m_headSpin = nullptr;
    QComboBox* m_colorMapCombo = nullptr;
    QComboBox* m_colorRangeCombo = nullptr;
    QWidget* m_gridHost = nullptr;
    QGridLayout* m_grid = nullptr;
    QVector<HeatmapWidget*> m_thumbs;
    HeatmapWidget* m_focused = nullptr;
    std::shared_ptr<const al::Trace> m_trace;
    qint64 m_traceStep = 0;
    bool m_unnormalized = false;
    bool m_dirty = false;
    QTimer m_redrawTimer;
};

} // namespace al::ui
