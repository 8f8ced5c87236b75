// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/attention_panel.h"

#include "ui/views/retranslate.h"

#include "ui/export/export_ui.h"
#include "ui/views/heatmap_widget.h"

#include <QComboBox>
#include <QDir>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressDialog>
#include <QPushButton>
#include <QShowEvent>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace al::ui {

namespace {

constexpr int kRedrawMs = 33; // ~30 frames/s at most, so typing feels immediate

QSpinBox* makeSpin(QWidget* parent, const char* name)
{
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(QString::fromLatin1(name));
    spin->setRange(1, 1);
    spin->setValue(1);
    return spin;
}

} // namespace

AttentionPanel::AttentionPanel(QWidget* parent) : QWidget(parent)
{
    auto* panel = this;
    auto* layout = new QVBoxLayout(panel);
    auto* nav = new QHBoxLayout;
    m_kindCombo = new QComboBox(panel);
    m_kindCombo->setObjectName(QStringLiteral("kindCombo"));
    for (al::AttentionKind kind : attentionKinds())
        m_kindCombo->addItem(QString(), static_cast<int>(kind));
    trItems(m_kindCombo, [](const QVariant& v) { return attentionKindName(static_cast<al::AttentionKind>(v.toInt())); });
    m_layerSpin = makeSpin(panel, "layerSpin");
    m_headSpin = makeSpin(panel, "headSpin");
    nav->addWidget(m_kindCombo, 1);
    auto* layerLabel = new QLabel(panel);
    trText(layerLabel, [] { return tr("Layer:"); });
    auto* headLabel = new QLabel(panel);
    trText(headLabel, [] { return tr("Head:"); });
    nav->addWidget(layerLabel);
    nav->addWidget(m_layerSpin);
    nav->addWidget(headLabel);
    nav->addWidget(m_headSpin);
    auto* compare = new QPushButton(panel);
    compare->setObjectName(QStringLiteral("compareButton"));
    trText(compare, [] { return tr("Compare…"); });
    trToolTip(compare, [] { return tr("The same attention of two sentences side by side."); });
    connect(compare, &QPushButton::clicked, this, &AttentionPanel::compareRequested);
    nav->addWidget(compare);
    layout->addLayout(nav);
    auto* colorControls = new QWidget(panel);
    colorControls->setObjectName(QStringLiteral("colorControls"));
    auto* colors = new QHBoxLayout(colorControls);
    colors->setContentsMargins(0, 0, 0, 0);
    m_colorMapCombo = new QComboBox(panel);
    m_colorMapCombo->setObjectName(QStringLiteral("colorMapCombo"));
    for (ColorMap map : colorMaps())
        if (map != ColorMap::CoolWarm) // diverging: for signed scores, not probabilities
            m_colorMapCombo->addItem(QString(), static_cast<int>(map));
    trItems(m_colorMapCombo, [](const QVariant& v) { return colorMapName(static_cast<ColorMap>(v.toInt())); });
    m_colorRangeCombo = new QComboBox(panel);
    m_colorRangeCombo->setObjectName(QStringLiteral("colorRangeCombo"));
    for (ColorRange range : {ColorRange::Probability, ColorRange::MinMax})
        m_colorRangeCombo->addItem(QString(), static_cast<int>(range));
    trItems(m_colorRangeCombo, [](const QVariant& v) { return colorRangeName(static_cast<ColorRange>(v.toInt())); });
    trToolTip(m_colorRangeCombo, [] { return tr("Fixed 0–1 makes heads comparable; per head stretches each map's own range."); });
    auto* colorsLabel = new QLabel(panel);
    trText(colorsLabel, [] { return tr("Colours:"); });
    colors->addWidget(colorsLabel);
    colors->addWidget(m_colorMapCombo, 1);
    colors->addWidget(m_colorRangeCombo, 1);
    layout->addWidget(colorControls);

    m_gridHost = new QWidget(panel);
    m_gridHost->setObjectName(QStringLiteral("headsGrid"));
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(4);
    layout->addWidget(m_gridHost, 0);

    m_focused = new HeatmapWidget(panel);
    m_focused->setObjectName(QStringLiteral("focusedHeatmap"));
    onLanguageChange(m_focused, [this] {
        m_focused->setPlaceholderText(tr("Attention appears here once a model translates the sentence."));
    });
    m_focused->setMinimumSize(300, 300);
    layout->addWidget(m_focused, 1);

    auto changed = [this] {
        m_dirty = true;
        scheduleRedraw();
    };
    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, changed);
    connect(m_layerSpin, &QSpinBox::valueChanged, this, changed);
    connect(m_headSpin, &QSpinBox::valueChanged, this, changed);
    connect(m_colorMapCombo, &QComboBox::currentIndexChanged, this, &AttentionPanel::applyHeatmapColors);
    connect(m_colorRangeCombo, &QComboBox::currentIndexChanged, this, &AttentionPanel::applyHeatmapColors);
    // The focused heatmap's context menu speaks for all of them.
    connect(m_focused, &HeatmapWidget::colorMapChosen, this,
            [this](ColorMap map) { setHeatmapColors(map, heatmapColorRange()); });
    connect(m_focused, &HeatmapWidget::colorRangeChosen, this,
            [this](ColorRange range) { setHeatmapColors(heatmapColorMap(), range); });
    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &AttentionPanel::redraw);
    // The focused map's title is made when drawn.
    onLanguageChange(this, [this] {
        m_dirty = true;
        scheduleRedraw();
    });
}

void AttentionPanel::setTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step)
{
    m_trace = trace;
    m_traceStep = step;
    // A task model records one kind (encoder or decoder self-attention): show it.
    if (trace && attention_maps(*trace, selection().kind).empty()) {
        for (al::AttentionKind k : attentionKinds())
            if (!attention_maps(*trace, k).empty()) {
                setKind(k);
                break;
            }
    }
    m_dirty = true;
    scheduleRedraw();
}

void AttentionPanel::setUnnormalizedWeights(bool on)
{
    m_unnormalized = on;
}

void AttentionPanel::setKind(al::AttentionKind kind)
{
    m_kindCombo->setCurrentIndex(std::max(0, m_kindCombo->findData(static_cast<int>(kind))));
}

void AttentionPanel::setSelection(const AttentionSelection& sel)
{
    setKind(sel.kind);
    m_layerSpin->setMaximum(std::max(m_layerSpin->maximum(), sel.layer + 1));
    m_layerSpin->setValue(sel.layer + 1);
    m_headSpin->setMaximum(std::max(m_headSpin->maximum(), sel.head + 1));
    m_headSpin->setValue(sel.head + 1);
}

void AttentionPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        scheduleRedraw();
}

void AttentionPanel::scheduleRedraw()
{
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void AttentionPanel::redraw()
{
    // Behind another tab of a shown window the heatmaps wait; switching back draws them.
    if (m_dirty && !(window()->isVisible() && !m_focused->isVisible()))
        redrawMaps();
}

AttentionSelection AttentionPanel::selection() const
{
    AttentionSelection sel;
    sel.kind = static_cast<al::AttentionKind>(m_kindCombo->currentData().toInt());
    sel.layer = m_layerSpin->value() - 1;
    sel.head = m_headSpin->value() - 1;
    return sel;
}

void AttentionPanel::rebuildThumbnails(int count)
{
    if (m_thumbs.size() == count)
        return;
    qDeleteAll(m_thumbs);
    m_thumbs.clear();
    // Up to 4 heads in a row; more heads in two rows (at most 8 per row) to leave room for the focus.
    const int columns = std::clamp((count + 1) / 2, 4, 8);
    for (int h = 0; h < count; ++h) {
        auto* thumb = new HeatmapWidget(m_gridHost);
        thumb->setObjectName(QStringLiteral("headHeatmap%1").arg(h + 1));
        thumb->setCompact(true);
        onLanguageChange(thumb, [thumb, h] {
            thumb->setTitle(tr("Head %1").arg(h + 1));
            thumb->setToolTip(tr("Click to focus head %1").arg(h + 1));
        });
        thumb->setMinimumSize(90, 110);
        thumb->setMaximumHeight(170);
        connect(thumb, &HeatmapWidget::clicked, this, [this, h] { m_headSpin->setValue(h + 1); });
        thumb->setColorMap(heatmapColorMap());
        thumb->setColorRange(heatmapColorRange());
        m_grid->addWidget(thumb, h / columns, h % columns);
        m_thumbs << thumb;
    }
}

void AttentionPanel::redrawMaps()
{
    m_dirty = false;
    if (!m_trace) {
        rebuildThumbnails(0);
        m_focused->clearMatrix();
        return;
    }
    const al::Trace& trace = *m_trace;
    AttentionSelection sel = selection();
    const int layers = layerCount(trace, sel.kind);
    {
        const QSignalBlocker block(m_layerSpin);
        m_layerSpin->setRange(1, std::max(layers, 1));
    }
    sel = clampSelection(trace, selection());
    const int heads = headCount(trace, sel.kind, sel.layer);
    {
        const QSignalBlocker block(m_headSpin);
        m_headSpin->setRange(1, std::max(heads, 1));
    }
    sel = clampSelection(trace, selection());

    const QStringList queries = queryTokens(trace, sel.kind);
    const QStringList keys = keyTokens(trace, sel.kind);
    rebuildThumbnails(heads);
    // ReLU attention weights are not probabilities (rows need not sum to 1): colour min..max.
    const ColorRange range = m_unnormalized ? ColorRange::MinMax
                                      : ColorRange::Probability;
    for (HeatmapWidget* w : m_thumbs + QVector<HeatmapWidget*>{m_focused})
        if (w->colorRange() != range)
            w->setColorRange(range);
    for (int h = 0; h < heads; ++h) {
        AttentionSelection s = sel;
        s.head = h;
        if (const al::Mat* m = selectAttention(trace, s))
            m_thumbs[h]->setMatrix(*m, queries, keys);
        else
            m_thumbs[h]->clearMatrix();
        m_thumbs[h]->setSelected(h == sel.head);
    }
    if (const al::Mat* m = selectAttention(trace, sel)) {
        m_focused->setMatrix(*m, queries, keys);
        m_focused->setExportFileName(attentionFileName(sel.kind, sel.layer, sel.head, ExportFormat::Png));
        m_focused->setTitle(tr("%1 · layer %2 · head %3 · step %4")
                                .arg(attentionKindName(sel.kind))
                                .arg(sel.layer + 1)
                                .arg(sel.head + 1)
                                .arg(m_traceStep));
    } else {
        m_focused->clearMatrix();
        m_focused->setTitle(tr("%1: not recorded by this model").arg(attentionKindName(sel.kind)));
    }
}

void AttentionPanel::exportHeatmap(ExportFormat format)
{
    if (!m_focused->hasData()) {
        emit errorOccurred(tr("Nothing to export"), tr("The focused heatmap is empty."));
        return;
    }
    const AttentionSelection sel = selection();
    const QString path = interactiveExport(this, format, attentionFileName(sel.kind, sel.layer, sel.head, format),
                                           QSizeF(m_focused->plot()->size()),
                                           [this, format](const QString& p, const FigureSize& size) {
                                               m_focused->exportFigure(p, format, size);
                                           });
    if (!path.isEmpty())
        emit statusMessage(tr("Wrote %1.").arg(QDir::toNativeSeparators(path)));
}

void AttentionPanel::exportAllHeads(const QString& caption)
{
    if (!m_trace) {
        emit errorOccurred(tr("Nothing to export"), tr("No attention yet: train a model or open one, and type a sentence."));
        return;
    }
    BatchExportDialog dialog(selection().kind, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    exportAttentionTo(dialog.request(), caption);
}

QStringList AttentionPanel::exportAttentionTo(AttentionExportRequest request, const QString& sentence)
{
    if (!m_trace) {
        emit errorOccurred(tr("Nothing to export"), tr("No attention yet: train a model or open one, and type a sentence."));
        return {};
    }
    request.colorMap = heatmapColorMap();
    request.colorRange = heatmapColorRange();
    QString caption = sentence.trimmed();
    if (caption.size() > 40)
        caption = caption.left(39) + QChar(0x2026);
    request.caption = caption;
    QProgressDialog progress(tr("Exporting attention maps…"), tr("Stop"), 0, 0, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    const std::shared_ptr<const al::Trace> trace = m_trace; // the Trace may be replaced meanwhile
    try {
        const QStringList written = exportAttention(*trace, request, [&progress](int done, int total) {
            progress.setMaximum(total);
            progress.setValue(done);
            return !progress.wasCanceled();
        });
        setLastExportDirectory(request.directory);
        emit statusMessage(tr("Wrote %n file(s) to %1.", nullptr, int(written.size()))
                                     .arg(QDir::toNativeSeparators(request.directory)));
        return written;
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Export failed"), QString::fromStdString(e.what()));
        return {};
    }
}

void AttentionPanel::setHeatmapColors(ColorMap map, ColorRange range)
{
    const QSignalBlocker a(m_colorMapCombo), b(m_colorRangeCombo);
    const int mapIndex = m_colorMapCombo->findData(static_cast<int>(map));
    if (mapIndex < 0) // cool-warm is offered only where values are signed
        m_colorMapCombo->addItem(colorMapName(map), static_cast<int>(map));
    m_colorMapCombo->setCurrentIndex(m_colorMapCombo->findData(static_cast<int>(map)));
    const int rangeIndex = m_colorRangeCombo->findData(static_cast<int>(range));
    if (rangeIndex < 0)
        m_colorRangeCombo->addItem(colorRangeName(range), static_cast<int>(range));
    m_colorRangeCombo->setCurrentIndex(m_colorRangeCombo->findData(static_cast<int>(range)));
    applyHeatmapColors();
}

ColorMap AttentionPanel::heatmapColorMap() const
{
    return static_cast<ColorMap>(m_colorMapCombo->currentData().toInt());
}

ColorRange AttentionPanel::heatmapColorRange() const
{
    return static_cast<ColorRange>(m_colorRangeCombo->currentData().toInt());
}

void AttentionPanel::applyHeatmapColors()
{
    QVector<HeatmapWidget*> all = m_thumbs;
    all << m_focused;
    for (HeatmapWidget* h : all) {
        h->setColorMap(heatmapColorMap());
        h->setColorRange(heatmapColorRange());
    }
    emit colorsChanged(heatmapColorMap(), heatmapColorRange());
}

} // namespace al::ui
