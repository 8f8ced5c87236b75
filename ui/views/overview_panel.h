// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/color_maps.h"
#include "ui/view_models/forward_view_model.h"
#include "ui/views/draw_when_shown.h"

#include <QVector>
#include <QWidget>

#include <memory>

class QGridLayout;
class QLabel;

namespace al::ui {

class HeatmapWidget;

/// The layer x head overview: a thumbnail of every head of every layer of all three attention
/// kinds of the current Trace (cells from overviewCells()). Hovering a cell shows query, key and
/// weight; clicking a thumbnail emits its selection (the main window focuses it).
class OverviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit OverviewPanel(QWidget* parent = nullptr);
    /// Redraws now when visible, else when next shown.
    void setTrace(std::shared_ptr<const al::Trace> trace);
    void setColors(ColorMap map, ColorRange range);
    QVector<HeatmapWidget*> thumbnails() const { return m_thumbs; }
    QVector<OverviewCell> cells() const { return m_cells; }

signals:
    void selected(const al::ui::AttentionSelection& sel);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void rebuild();
    DrawWhenShown m_rebuild{this, [this] { rebuild(); }};

    std::shared_ptr<const al::Trace> m_trace;
    QWidget* m_host = nullptr;
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr;
    QVector<HeatmapWidget*> m_thumbs;
    QVector<QLabel*> m_captions;
    QVector<OverviewCell> m_cells;
    ColorMap m_map = ColorMap::Viridis;
    ColorRange m_range = ColorRange::Probability;
};

} // namespace al::ui
