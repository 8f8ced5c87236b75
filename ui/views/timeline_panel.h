// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/timeline_view.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCPItemStraightLine;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// The "Timeline" tab: a head of a probe sentence at any recorded training step (the training
/// timeline, docs/timeline.md), a scrubber over the recorded steps with Play, the loss and the
/// head's entropy and pattern-agreement curves with the step marked, and a comparison side by
/// side with a difference heatmap: against an earlier recorded step, or against the same head in
/// another model's timeline (a demo model or a model directory, read off the GUI thread). The
/// data come from timeline_view.h; nothing here runs a model.
class TimelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePanel(QWidget* parent = nullptr);

    /// Shows `timeline` (null: none); the scrubber stays on the newest step while it was there.
    void setTimeline(const TimelineSnapshot& timeline);
    const TimelineView& view() const { return m_view; }
    TimelineSelection selection() const;
    void setSelection(const TimelineSelection& selection);
    /// The recorded step shown (an index into the view's steps).
    int stepIndex() const;
    void setStepIndex(int index);
    /// Compares with the recorded step `baseIndex`: its map and map(step) - map(`baseIndex`) beside
    /// the map (-1: no comparison).
    void setDifferenceBase(int baseIndex);
    /// Compares with the same head in `other`, another model's timeline called `name` (null: no
    /// comparison).
    void setComparisonTimeline(const TimelineSnapshot& other, const QString& name);
    /// Reads the timeline of the model directory `dir` off the GUI thread, then compares with it;
    /// a failure shows its reason in the message line.
    void compareWithModelDirectory(const QString& dir);
    void setPlaying(bool playing);
    bool isPlaying() const { return m_play.isActive(); }

    HeatmapWidget* heatmap() const { return m_heatmap; }
    /// The map compared with (an earlier step, or the other model) and the difference heatmap.
    HeatmapWidget* comparisonHeatmap() const { return m_otherHeatmap; }
    HeatmapWidget* differenceHeatmap() const { return m_diffHeatmap; }
    QCustomPlot* curvesPlot() const { return m_curves; }
    QString messageText() const;

private:
    void refreshControls();
    void redraw();
    void redrawCurves();
    /// Two legend columns when the widest entry fits twice across the plot, else one (presenter
    /// mode's large fonts, a narrow window).
    void fitLegendColumns();
    bool eventFilter(QObject* watched, QEvent* event) override;
    void advance();
    void redrawComparison(const TimelineSelection& sel, int index, const TimelineFrameView& current, const QString& head);
    void chooseComparisonModel();

    TimelineView m_view;
    QComboBox* m_probe = nullptr;
    QComboBox* m_kind = nullptr;
    QSpinBox* m_layer = nullptr;
    QSpinBox* m_head = nullptr;
    QSlider* m_slider = nullptr;
    QPushButton* m_playButton = nullptr;
    QComboBox* m_compare = nullptr;
    QSpinBox* m_baseStep = nullptr;
    QPushButton* m_otherButton = nullptr;
    TimelineView m_other;
    QString m_otherName;
    HeatmapWidget* m_otherHeatmap = nullptr;
    HeatmapWidget* m_diffHeatmap = nullptr;
    QWidget* m_comparisonRow = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_message = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QCustomPlot* m_curves = nullptr;
    QCPItemStraightLine* m_marker = nullptr;
    QTimer m_play;
};

} // namespace al::ui
