// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/heatmap_widget.h"

#include "ui/views/retranslate.h"

#include "engine/core/error.h"
#include "ui/view_models/attention_selection.h"
#include "ui/export/export_ui.h"

#include <QHelpEvent>
#include <QLabel>
#include <QMap>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace al::ui {

namespace {

QStringList tickerLabels(const QCPAxis* axis)
{
    QStringList out;
    auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
    if (!ticker)
        return out;
    for (const QString& s : ticker->ticks())
        out << s;
    return out;
}

void setTokenTicks(QCPAxis* axis, const QStringList& tokens, int n, int stride = 1)
{
    const TickLabels ticks = makeTickLabels(tokens, n, 12, stride);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->setSubTickCount(0);
    ticker->setTicks(ticks.positions, ticks.labels);
    axis->setTicker(ticker);
}

int widestLabel(const QFontMetrics& fm, const QStringList& tokens)
{
    int widest = 0;
    for (const QString& t : makeTickLabels(tokens, int(tokens.size())).labels)
        widest = std::max(widest, fm.horizontalAdvance(t));
    return widest;
}

} // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(1);
    m_title = new QLabel(this);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    m_title->hide();
    layout->addWidget(m_title);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumSize(40, 40);
    // QCustomPlot repaints (and flushes) at once after every replot by default; during training
    // the heatmaps, thumbnails and plots replot several times per frame, so let Qt merge their
    // paints into one update pass instead.
    m_plot->setPlottingHint(QCP::phImmediateRefresh, false);
    layout->addWidget(m_plot, 1);

    // Keys along the top (xAxis2), queries top to bottom (yAxis reversed).
    m_plot->xAxis->setVisible(false);
    m_plot->xAxis2->setVisible(true);
    m_plot->yAxis->setRangeReversed(true);
    for (QCPAxis* axis : {m_plot->xAxis2, m_plot->yAxis}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLength(0, 3);
    }

    m_map = new QCPColorMap(m_plot->xAxis2, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_map->setDataRange(QCPRange(0.0, 1.0));

    m_scale = new QCPColorScale(m_plot);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setDataRange(QCPRange(0.0, 1.0));
    m_scale->setBarWidth(12);
    m_map->setColorScale(m_scale);
    applyGradient();
    m_plot->plotLayout()->addElement(0, 1, m_scale);

    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->setClipToAxisRect(false);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setPositionAlignment(Qt::AlignCenter);
    m_placeholder->setColor(palette().color(QPalette::PlaceholderText));

    m_outline = new QCPItemRect(m_plot);
    m_outline->setClipToAxisRect(true);
    m_outline->topLeft->setAxes(m_plot->xAxis2, m_plot->yAxis);
    m_outline->bottomRight->setAxes(m_plot->xAxis2, m_plot->yAxis);
    m_outline->setPen(QPen(QColor(0x10, 0x10, 0x10), 3));
    m_outline->setBrush(Qt::NoBrush);
    m_outline->setVisible(false);

    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &HeatmapWidget::showContextMenu);

    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent*) { emit clicked(); });
    connect(m_plot, &QCustomPlot::mouseMove, this, &HeatmapWidget::updateCellHover);
    m_plot->installEventFilter(this); // the cell's value wins over the widget's own tooltip
    setSelected(false);
    clearMatrix();
    // The default texts; an owner that sets its own registers its handler on this widget after
    // this one, so its texts win on every language change.
    onLanguageChange(this, [this] {
        m_scale->setLabel(tr("attention weight"));
        m_placeholder->setText(tr("No attention yet"));
        setAxisTitles(tr("key"), tr("query"));
    });
}

void HeatmapWidget::setCompact(bool compact)
{
    if (m_compact == compact)
        return;
    m_compact = compact;
    applyMode();
}

void HeatmapWidget::applyMode()
{
    const bool full = !m_compact;
    m_plot->xAxis2->setTicks(full);
    m_plot->xAxis2->setTickLabels(full);
    m_plot->yAxis->setTicks(full);
    m_plot->yAxis->setTickLabels(full);
    m_plot->xAxis2->setLabel(full ? m_keyTitle : QString());
    m_plot->yAxis->setLabel(full ? m_queryTitle : QString());
    m_scale->setVisible(full);
    if (full) {
        if (m_plot->plotLayout()->elementCount() < 2 || m_plot->plotLayout()->element(0, 1) != m_scale)
            m_plot->plotLayout()->addElement(0, 1, m_scale);
        m_plot->axisRect()->setAutoMargins(QCP::msAll);
        m_plot->plotLayout()->setColumnStretchFactor(1, 0.01);
    } else {
        m_plot->plotLayout()->take(m_scale);
        m_plot->plotLayout()->simplify();
        m_plot->axisRect()->setAutoMargins(QCP::msNone);
        m_plot->axisRect()->setMargins(QMargins(1, 1, 1, 1));
    }
    m_placeholder->setVisible(!hasData() && full);
    setCursor(m_compact ? Qt::PointingHandCursor : Qt::ArrowCursor);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setTitle(const QString& title)
{
    m_title->setText(title);
    m_title->setVisible(!title.isEmpty());
}

QString HeatmapWidget::title() const
{
    return m_title->text();
}

void HeatmapWidget::setPlaceholderText(const QString& text)
{
    m_placeholder->setText(text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setSelected(bool selected)
{
    if (m_selected == selected)
        return;
    m_selected = selected;
    update();
}

void HeatmapWidget::setMatrix(const al::Mat& m, const QStringList& queryLabels, const QStringList& keyLabels)
{
    if (m.rows() == 0 || m.cols() == 0) {
        clearMatrix();
        return;
    }
    m_values = m;
    m_queryLabels = queryLabels;
    m_keyLabels = keyLabels;
    const int nq = static_cast<int>(m.rows());
    const int nk = static_cast<int>(m.cols());
    // A colour map of one cell along a dimension has zero width in QCustomPlot 2.1; two equal
    // cells over [-0.25, 0.25] cover [-0.5, 0.5] like any other cell.
    const int sk = std::max(nk, 2), sq = std::max(nq, 2);
    auto* data = m_map->data();
    data->setSize(sk, sq);
    data->setRange(nk > 1 ? QCPRange(0, nk - 1) : QCPRange(-0.25, 0.25),
                   nq > 1 ? QCPRange(0, nq - 1) : QCPRange(-0.25, 0.25));
    for (int k = 0; k < sk; ++k)
        for (int q = 0; q < sq; ++q)
            data->setCell(k, q, double(m(std::min(q, nq - 1), std::min(k, nk - 1))));
    applyColorRange();
    m_plot->xAxis2->setRange(-0.5, nk - 0.5);
    m_plot->yAxis->setRange(-0.5, nq - 0.5);
    layoutTicks(m_plot->width(), m_plot->height());
    m_placeholder->setVisible(false);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setColorRange(ColorRange mode)
{
    m_colorRange = mode;
    applyGradient();
    applyColorRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setColorMap(ColorMap map)
{
    m_colorMap = map;
    m_hasColorMap = true;
    applyGradient();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

ColorMap HeatmapWidget::colorMap() const
{
    return m_hasColorMap ? m_colorMap : defaultColorMap(m_colorRange);
}

void HeatmapWidget::applyGradient()
{
    const QCPColorGradient g = colorGradient(colorMap());
    m_map->setGradient(g);
    m_scale->setGradient(g);
}

void HeatmapWidget::setFixedDataRange(const ValueRange& range)
{
    m_hasFixedRange = range.upper > range.lower;
    m_fixedRange = range;
    applyColorRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::clearFixedDataRange()
{
    m_hasFixedRange = false;
    applyColorRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::applyColorRange()
{
    const ValueRange r = m_hasFixedRange ? m_fixedRange : valueRange(m_values, m_colorRange);
    m_map->setDataRange(QCPRange(r.lower, r.upper));
}

ValueRange HeatmapWidget::dataRange() const
{
    const QCPRange r = m_map->dataRange();
    return {r.lower, r.upper};
}

void HeatmapWidget::setScaleLabel(const QString& label)
{
    m_scale->setLabel(label);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setAxisTitles(const QString& keyTitle, const QString& queryTitle)
{
    m_keyTitle = keyTitle;
    m_queryTitle = queryTitle;
    applyMode();
}

void HeatmapWidget::setOutlinedBlock(int rows, int cols)
{
    m_outlineRows = std::max(rows, 0);
    m_outlineCols = std::max(cols, 0);
    m_outline->topLeft->setCoords(-0.5, -0.5);
    m_outline->bottomRight->setCoords(m_outlineCols - 0.5, m_outlineRows - 0.5);
    m_outline->setVisible(hasOutlinedBlock());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::setExportFileName(const QString& fileName)
{
    m_exportFileName = fileName;
}

void HeatmapWidget::showContextMenu(const QPoint& pos)
{
    if (m_exportFileName.isEmpty())
        return;
    QMenu menu(this);
    QMap<QAction*, ExportFormat> exports;
    for (ExportFormat f : exportFormats()) {
        QAction* a = menu.addAction(f == ExportFormat::Csv ? tr("Export numbers as CSV…")
                                                           : tr("Export as %1…").arg(exportFormatId(f).toUpper()));
        a->setEnabled(hasData());
        exports.insert(a, f);
    }
    menu.addSeparator();
    QMenu* maps = menu.addMenu(tr("Colour map"));
    QMap<QAction*, ColorMap> mapActions;
    for (ColorMap m : colorMaps()) {
        QAction* a = maps->addAction(colorMapName(m));
        a->setCheckable(true);
        a->setChecked(m == colorMap());
        mapActions.insert(a, m);
    }
    QMenu* ranges = menu.addMenu(tr("Colour range"));
    QMap<QAction*, ColorRange> rangeActions;
    for (ColorRange r : {ColorRange::Probability, ColorRange::MinMax, ColorRange::Symmetric}) {
        QAction* a = ranges->addAction(colorRangeName(r));
        a->setCheckable(true);
        a->setChecked(r == m_colorRange);
        rangeActions.insert(a, r);
    }
    QAction* chosen = menu.exec(m_plot->mapToGlobal(pos));
    if (mapActions.contains(chosen)) {
        setColorMap(mapActions.value(chosen));
        emit colorMapChosen(mapActions.value(chosen));
    } else if (rangeActions.contains(chosen)) {
        setColorRange(rangeActions.value(chosen));
        emit colorRangeChosen(rangeActions.value(chosen));
    } else if (exports.contains(chosen)) {
        const ExportFormat format = exports.value(chosen);
        interactiveExport(this, format, m_exportFileName, QSizeF(m_plot->size()),
                          [this, format](const QString& path, const FigureSize& size) { exportFigure(path, format, size); });
    }
}

void HeatmapWidget::clearMatrix()
{
    m_values.resize(0, 0);
    m_queryLabels.clear();
    m_keyLabels.clear();
    m_map->data()->clear();
    applyColorRange();
    m_plot->xAxis2->setRange(-0.5, 0.5);
    m_plot->yAxis->setRange(-0.5, 0.5);
    setTokenTicks(m_plot->xAxis2, {}, 0);
    setTokenTicks(m_plot->yAxis, {}, 0);
    m_placeholder->setVisible(!m_compact);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapWidget::layoutTicks(int plotWidth, int plotHeight)
{
    const int nq = queryCount(), nk = keyCount();
    // Room for the cells: the plot minus what the labels, titles and colour scale take; a
    // coarse estimate is enough to decide between every label and every k-th.
    const QFontMetrics fm(m_plot->xAxis2->tickLabelFont());
    const int keyWidest = widestLabel(fm, m_keyLabels);
    const int queryWidest = widestLabel(fm, m_queryLabels);
    const double width = std::max(40, plotWidth - queryWidest - (m_compact ? 10 : 110));
    const bool upright = keyWidest + fm.averageCharWidth() <= width / std::max(nk, 1);
    const double height = std::max(40, plotHeight - (upright ? fm.height() : keyWidest) - 60);
    m_plot->xAxis2->setTickLabelRotation(upright ? 0 : -90);
    setTokenTicks(m_plot->xAxis2, m_keyLabels, nk, upright ? 1 : tickStride(nk, width, fm.height() + 2));
    setTokenTicks(m_plot->yAxis, m_queryLabels, nq, tickStride(nq, height, fm.height() + 2));
}

void HeatmapWidget::paintEvent(QPaintEvent* event)
{
    QFrame::paintEvent(event);
    if (!m_selected)
        return;
    QPainter painter(this);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.drawRect(QRectF(rect()).adjusted(1, 1, -1, -1));
}

void HeatmapWidget::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    updateTickLayout();
}

void HeatmapWidget::updateTickLayout()
{
    if (hasData() && !m_compact) {
        layoutTicks(m_plot->width(), m_plot->height());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

double HeatmapWidget::cellValue(int query, int key) const
{
    if (query < 0 || key < 0 || query >= queryCount() || key >= keyCount())
        return std::numeric_limits<double>::quiet_NaN();
    return m_map->data()->cell(key, query);
}

QStringList HeatmapWidget::queryTickLabels() const
{
    return tickerLabels(m_plot->yAxis);
}

QStringList HeatmapWidget::keyTickLabels() const
{
    return tickerLabels(m_plot->xAxis2);
}

bool HeatmapWidget::exportPng(const QString& path, int width, int height)
{
    try {
        exportFigure(path, ExportFormat::Png, FigureSize{width, height, 96.0});
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

QByteArray HeatmapWidget::renderFigure(ExportFormat format, const FigureSize& size)
{
    if (format == ExportFormat::Csv)
        return csv();
    const QSize logical = size.logicalSize();
    if (hasData())
        layoutTicks(logical.width(), logical.height());
    QByteArray bytes;
    try {
        bytes = renderPlot(m_plot, format, size, title());
    } catch (...) {
        if (hasData())
            layoutTicks(m_plot->width(), m_plot->height());
        throw;
    }
    if (hasData()) {
        layoutTicks(m_plot->width(), m_plot->height());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    return bytes;
}

QByteArray HeatmapWidget::csv() const
{
    return matrixCsv(m_values, m_queryLabels, m_keyLabels,
                     m_queryTitle + QStringLiteral(" \\ ") + m_keyTitle);
}

void HeatmapWidget::exportFigure(const QString& path, ExportFormat format, const FigureSize& size)
{
    if (!hasData())
        throw al::Error("the heatmap is empty: nothing to export to '" + path.toStdString() + "'");
    writeFileAtomically(path, renderFigure(format, size));
}

QString HeatmapWidget::cellHoverText(int query, int key) const
{
    if (query < 0 || key < 0 || query >= queryCount() || key >= keyCount())
        return QString();
    const QString q = query < m_queryLabels.size() ? m_queryLabels[query] : QString::number(query + 1);
    const QString k = key < m_keyLabels.size() ? m_keyLabels[key] : QString::number(key + 1);
    QString text = tr("%1 %2 → %3 %4: %5").arg(m_queryTitle, q, m_keyTitle, k).arg(double(m_values(query, key)), 0, 'f', 3);
    // Thumbnails show no axes: name the map too.
    if (m_compact && !title().isEmpty())
        text = title() + QStringLiteral(" · ") + text;
    return text;
}

bool HeatmapWidget::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_plot && event->type() == QEvent::ToolTip && hasData()) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int key = static_cast<int>(std::lround(m_plot->xAxis2->pixelToCoord(help->pos().x())));
        const int query = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(help->pos().y())));
        QString text = m_plot->axisRect()->rect().contains(help->pos()) ? cellHoverText(query, key) : QString();
        if (!text.isEmpty()) {
            if (!toolTip().isEmpty())
                text += QLatin1Char('\n') + toolTip();
            QToolTip::showText(help->globalPos(), text, m_plot);
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void HeatmapWidget::updateCellHover(QMouseEvent* event)
{
    if (!hasData())
        return;
    const double x = m_plot->xAxis2->pixelToCoord(event->pos().x());
    const double y = m_plot->yAxis->pixelToCoord(event->pos().y());
    const int key = static_cast<int>(std::lround(x));
    const int query = static_cast<int>(std::lround(y));
    QString text = m_plot->axisRect()->rect().contains(event->pos()) ? cellHoverText(query, key) : QString();
    if (text.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    if (!toolTip().isEmpty())
        text += QLatin1Char('\n') + toolTip();
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

} // namespace al::ui
