// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/tensor.h"

#include <QFrame>
#include <QStringList>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QLabel;
class QMouseEvent;

namespace al::ui {

/// One attention matrix (queries x keys, values 0..1) as a QCustomPlot colour map: keys along
/// the top, queries from top to bottom, token tick labels on both axes, a colour scale with a
/// fixed 0..1 data range and uninterpolated cells. Compact mode (grid thumbnails) drops labels,
/// ticks and the scale and emits clicked() when pressed.
class HeatmapWidget : public QFrame {
    Q_OBJECT
public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    void setCompact(bool compact);
    bool isCompact() const { return m_compact; }
    /// Caption above the plot (empty hides it).
    void setTitle(const QString& title);
    QString title() const;
    /// Text shown in the empty plot.
    void setPlaceholderText(const QString& text);
    /// Highlights the frame (the focused head in a grid).
    void setSelected(bool selected);
    bool isSelected() const { return m_selected; }

    /// Shows `m` (rows = queries, columns = keys). Missing labels become position numbers.
    void setMatrix(const al::Mat& m, const QStringList& queryLabels, const QStringList& keyLabels);
    void clearMatrix();

    bool hasData() const { return m_values.rows() > 0 && m_values.cols() > 0; }
    int queryCount() const { return static_cast<int>(m_values.rows()); }
    int keyCount() const { return static_cast<int>(m_values.cols()); }
    /// The value at (query, key) as stored in the colour map (NaN when out of range).
    double cellValue(int query, int key) const;
    QStringList queryLabels() const { return m_queryLabels; }
    QStringList keyLabels() const { return m_keyLabels; }
    /// Labels currently on the axes' tickers (for tests): left (queries) and top (keys); with
    /// many tokens only every k-th position is labelled.
    QStringList queryTickLabels() const;
    QStringList keyTickLabels() const;

    /// Renders the plot into a PNG of exactly width x height pixels; false on failure.
    bool exportPng(const QString& path, int width, int height);

    QCustomPlot* plot() const { return m_plot; }

signals:
    void clicked();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyMode();
    void layoutTicks();
    void updateCellHover(QMouseEvent* event);

    QLabel* m_title = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_placeholder = nullptr;
    al::Mat m_values;
    QStringList m_queryLabels, m_keyLabels;
    bool m_compact = false;
    bool m_selected = false;
};

} // namespace al::ui
