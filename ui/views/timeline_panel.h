// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/timeline_view.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
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
/// head's entropy and pattern-agreement curves with the step marked, and the difference from an
/// earlier step. The data come from timeline_view.h; nothing here runs a model.
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
    /// Shows map(step) - map(`baseIndex`) instead of the map (-1: the map itself).
    void setDifferenceBase(int baseIndex);
    void setPlaying(bool playing);
    bool isPlaying() const { return m_play.isActive(); }

    HeatmapWidget* heatmap() const { return m_heatmap; }
    QCustomPlot* curvesPlot() const { return m_curves; }
    QString messageText() const;

private:
    void refreshControls();
    void redraw();
    void redrawCurves();
    void advance();

    TimelineView m_view;
    QComboBox* m_probe = nullptr;
    QComboBox* m_kind = nullptr;
    QSpinBox* m_layer = nullptr;
    QSpinBox* m_head = nullptr;
    QSlider* m_slider = nullptr;
    QPushButton* m_playButton = nullptr;
    QCheckBox* m_difference = nullptr;
    QSpinBox* m_baseStep = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_message = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QCustomPlot* m_curves = nullptr;
    QCPItemStraightLine* m_marker = nullptr;
    QTimer m_play;
};

} // namespace al::ui
