// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/core/tensor.h"
#include "ui/view_models/color_maps.h"
#include "ui/export/exporters.h"
#include "ui/view_models/synthesizer_view_model.h"

#include <QFrame>
#include <QStringList>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QLabel;
class QMouseEvent;

namespace al::ui {

/// One attention matrix (queries x keys) as a QCustomPlot colour map: keys along the top,
/// queries from top to bottom, token tick labels on both axes, a colour scale (by default a
/// fixed 0..1 range for probabilities; symmetric or min..max for scores) and uninterpolated
/// cells. Compact mode (grid thumbnails) drops labels, ticks and the scale and emits clicked()
/// when pressed. With an export file name set, its context menu exports PNG, SVG, PDF and CSV
/// (ui/exporters.h) and chooses the colour map and colour range.
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

    /// Which values the colour scale spans (Probability: 0..1; Symmetric: -max|x|..max|x|;
    /// MinMax: the data's range). Applies at once.
    void setColorRange(ColorRange mode);
    ColorRange colorRange() const { return m_colorRange; }
    /// The colour map; until one is set, defaultColorMap(colorRange()) (viridis, or cool-warm for
    /// Symmetric).
    void setColorMap(ColorMap map);
    ColorMap colorMap() const;
    /// Pins the colour scale to `range` (e.g. shared by heatmaps shown side by side) until
    /// clearFixedDataRange(); the mode still chooses the gradient.
    void setFixedDataRange(const ValueRange& range);
    void clearFixedDataRange();
    /// The data range of the colour scale currently in use.
    ValueRange dataRange() const;
    /// Label of the colour scale (default "attention weight").
    void setScaleLabel(const QString& label);
    /// Axis titles of the keys (top) and queries (left); default "key" and "query".
    void setAxisTitles(const QString& keyTitle, const QString& queryTitle);
    /// Outlines the top-left block of rows x cols cells (0 hides the outline).
    void setOutlinedBlock(int rows, int cols);
    bool hasOutlinedBlock() const { return m_outlineRows > 0 && m_outlineCols > 0; }
    /// Enables the context menu's export entries, proposing `fileName` (its suffix is replaced
    /// by the chosen format's; empty disables the menu).
    void setExportFileName(const QString& fileName);
    QString exportFileName() const { return m_exportFileName; }

    /// The matrix shown (empty when none).
    const al::Mat& matrix() const { return m_values; }
    bool hasData() const { return m_values.rows() > 0 && m_values.cols() > 0; }
    int queryCount() const { return static_cast<int>(m_values.rows()); }
    int keyCount() const { return static_cast<int>(m_values.cols()); }
    /// The hover tooltip of a cell, also on thumbnails: "query 我 → key 你: 0.123" with the axis
    /// titles (compact: prefixed by the title); empty out of range.
    QString cellHoverText(int query, int key) const;
    /// The value at (query, key) as stored in the colour map (NaN when out of range).
    double cellValue(int query, int key) const;
    QStringList queryLabels() const { return m_queryLabels; }
    QStringList keyLabels() const { return m_keyLabels; }
    /// Labels currently on the axes' tickers (for tests): left (queries) and top (keys); with
    /// many tokens only every k-th position is labelled.
    QStringList queryTickLabels() const;
    QStringList keyTickLabels() const;

    /// Renders the plot into a PNG of exactly width x height pixels at 96 dpi; false on failure.
    bool exportPng(const QString& path, int width, int height);
    /// The figure (title included) as PNG, SVG or PDF bytes of `size` (see renderPlot), tick
    /// labels laid out for that size; Csv gives csv(). Throws al::Error.
    QByteArray renderFigure(ExportFormat format, const FigureSize& size);
    /// The matrix with its query and key labels as CSV (matrixCsv).
    QByteArray csv() const;
    /// Writes renderFigure() / csv() to `path` atomically. Throws al::Error (also when empty).
    void exportFigure(const QString& path, ExportFormat format, const FigureSize& size);

    QCustomPlot* plot() const { return m_plot; }
    /// Lays the token tick labels out again for the current size and tick-label font (after a
    /// font change, e.g. presenter mode) and queues a replot.
    void updateTickLayout();

signals:
    void clicked();
    /// The user chose a colour map / range in the context menu (already applied to this widget).
    void colorMapChosen(al::ui::ColorMap map);
    void colorRangeChosen(al::ui::ColorRange range);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyMode();
    /// Chooses upright or rotated key labels and every-k-th labels for a plot of width x height.
    void layoutTicks(int width, int height);
    void applyGradient();
    void updateCellHover(QMouseEvent* event);
    void applyColorRange();
    void showContextMenu(const QPoint& pos);

    QLabel* m_title = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_placeholder = nullptr;
    QCPItemRect* m_outline = nullptr;
    ColorRange m_colorRange = ColorRange::Probability;
    ColorMap m_colorMap = ColorMap::Viridis;
    bool m_hasColorMap = false;
    QString m_keyTitle, m_queryTitle, m_exportFileName;
    int m_outlineRows = 0, m_outlineCols = 0;
    bool m_hasFixedRange = false;
    ValueRange m_fixedRange;
    al::Mat m_values;
    QStringList m_queryLabels, m_keyLabels;
    bool m_compact = false;
    bool m_selected = false;
};

} // namespace al::ui
