// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/timeline_panel.h"

#include "ui/app/language.h"
#include "ui/export/export_ui.h"
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/demo_catalog.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/retranslate.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace al::ui {

namespace {

constexpr int kFrameMs = 250; // Play: four recorded steps a second
// The items of the "Compare with:" box.
constexpr int kCompareNothing = 0;
constexpr int kCompareStep = 1;
constexpr int kCompareModel = 2;

QString patternName(int p)
{
    switch (static_cast<al::TimelinePattern>(p)) {
    case al::TimelinePattern::Diagonal: return TimelinePanel::tr("agreement: diagonal");
    case al::TimelinePattern::Previous: return TimelinePanel::tr("agreement: previous token");
    case al::TimelinePattern::First: return TimelinePanel::tr("agreement: first token");
    case al::TimelinePattern::Alignment: return TimelinePanel::tr("agreement: reference alignment");
    }
    return {};
}

} // namespace

TimelinePanel::TimelinePanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* nav = new QHBoxLayout;
    m_probe = new QComboBox(this);
    m_probe->setObjectName(QStringLiteral("timelineProbeCombo"));
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("timelineKindCombo"));
    m_layer = new QSpinBox(this);
    m_layer->setObjectName(QStringLiteral("timelineLayerSpin"));
    m_head = new QSpinBox(this);
    m_head->setObjectName(QStringLiteral("timelineHeadSpin"));
    for (QSpinBox* s : {m_layer, m_head})
        s->setRange(1, 1);
    auto* layerLabel = new QLabel(this);
    trText(layerLabel, [] { return tr("Layer:"); });
    auto* headLabel = new QLabel(this);
    trText(headLabel, [] { return tr("Head:"); });
    nav->addWidget(m_probe, 2);
    nav->addWidget(m_kind, 1);
    nav->addWidget(layerLabel);
    nav->addWidget(m_layer);
    nav->addWidget(headLabel);
    nav->addWidget(m_head);
    layout->addLayout(nav);

    auto* scrub = new QHBoxLayout;
    m_playButton = new QPushButton(this);
    m_playButton->setObjectName(QStringLiteral("timelinePlayButton"));
    m_playButton->setCheckable(true);
    trText(m_playButton, [] { return tr("Play"); });
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("timelineSlider"));
    m_slider->setRange(0, 0);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setObjectName(QStringLiteral("timelineStepLabel"));
    m_stepLabel->setMinimumWidth(140);
    scrub->addWidget(m_playButton);
    scrub->addWidget(m_slider, 1);
    scrub->addWidget(m_stepLabel);
    layout->addLayout(scrub);

    auto* diff = new QHBoxLayout;
    auto* compareLabel = new QLabel(this);
    trText(compareLabel, [] { return tr("Compare with:"); });
    m_compare = new QComboBox(this);
    m_compare->setObjectName(QStringLiteral("timelineCompareCombo"));
    m_baseStep = new QSpinBox(this);
    m_baseStep->setObjectName(QStringLiteral("timelineBaseSpin"));
    m_baseStep->setRange(1, 1);
    m_baseStep->setPrefix(QStringLiteral("#"));
    m_otherButton = new QPushButton(this);
    m_otherButton->setObjectName(QStringLiteral("timelineOtherModelButton"));
    diff->addWidget(compareLabel);
    diff->addWidget(m_compare);
    diff->addWidget(m_baseStep);
    diff->addWidget(m_otherButton);
    diff->addStretch(1);
    layout->addLayout(diff);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("timelineMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    auto* body = new QHBoxLayout;
    m_comparisonRow = new QWidget(this);
    auto* row = new QHBoxLayout(m_comparisonRow);
    row->setContentsMargins(0, 0, 0, 0);
    m_otherHeatmap = new HeatmapWidget(m_comparisonRow);
    m_otherHeatmap->setObjectName(QStringLiteral("timelineComparisonHeatmap"));
    m_diffHeatmap = new HeatmapWidget(m_comparisonRow);
    m_diffHeatmap->setObjectName(QStringLiteral("timelineDifferenceHeatmap"));
    m_diffHeatmap->setColorRange(ColorRange::Symmetric);
    for (HeatmapWidget* h : {m_otherHeatmap, m_diffHeatmap}) {
        h->setMinimumSize(280, 260);
        row->addWidget(h, 1);
    }
    m_comparisonRow->hide();
    m_heatmap = new HeatmapWidget(this);
    m_heatmap->setObjectName(QStringLiteral("timelineHeatmap"));
    m_heatmap->setMinimumSize(280, 280);
    m_curves = new QCustomPlot(this);
    m_curves->setObjectName(QStringLiteral("timelineCurves"));
    m_curves->setMinimumSize(300, 240);
    // The legend below the curves in two columns, never over them.
    m_curves->legend->setVisible(true);
    m_curves->legend->setBorderPen(Qt::NoPen);
    m_curves->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_curves->legend->setWrap(2);
    m_curves->installEventFilter(this); // the legend's columns follow the plot's width
    m_curves->axisRect()->insetLayout()->take(m_curves->legend);
    m_curves->plotLayout()->addElement(1, 0, m_curves->legend);
    m_curves->plotLayout()->setRowStretchFactor(1, 0.001);
    m_curves->yAxis2->setVisible(true);
    m_curves->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_curves->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_marker = new QCPItemStraightLine(m_curves);
    m_marker->setPen(QPen(QColor(214, 39, 40), 1.5, Qt::DashLine));
    installPlotExportMenu(m_curves, QStringLiteral("timeline_curves.png"));
    body->addWidget(m_heatmap, 1);
    body->addWidget(m_curves, 1);
    layout->addLayout(body, 1);
    layout->addWidget(m_comparisonRow, 1);
    onLanguageChange(this, [this] {
        m_heatmap->setPlaceholderText(tr("Train a model: its attention over training appears here."));
        {
            const QSignalBlocker block(m_compare);
            const int mode = std::max(0, m_compare->currentIndex());
            m_compare->clear();
            m_compare->addItem(tr("nothing"));
            m_compare->addItem(tr("an earlier recorded step"));
            m_compare->addItem(tr("another model"));
            m_compare->setCurrentIndex(mode);
        }
        m_otherButton->setText(m_otherName.isEmpty() ? tr("Choose a model…") : m_otherName);
        refreshControls();
        redraw();
    });

    auto changed = [this] { redraw(); };
    connect(m_probe, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        redraw();
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        redraw();
    });
    connect(m_layer, &QSpinBox::valueChanged, this, changed);
    connect(m_head, &QSpinBox::valueChanged, this, changed);
    connect(m_slider, &QSlider::valueChanged, this, [this] { redraw(); });
    connect(m_compare, &QComboBox::currentIndexChanged, this, changed);
    connect(m_baseStep, &QSpinBox::valueChanged, this, changed);
    connect(m_otherButton, &QPushButton::clicked, this, &TimelinePanel::chooseComparisonModel);
    connect(m_playButton, &QPushButton::toggled, this, &TimelinePanel::setPlaying);
    m_play.setInterval(kFrameMs);
    connect(&m_play, &QTimer::timeout, this, &TimelinePanel::advance);
}

void TimelinePanel::setTimeline(const TimelineSnapshot& timeline)
{
    if (timeline == m_view.timeline())
        return;
    const bool atEnd = m_slider->value() == m_slider->maximum();
    m_view = TimelineView(timeline);
    refreshControls();
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, std::max(0, m_view.stepCount() - 1));
        if (atEnd)
            m_slider->setValue(m_slider->maximum());
    }
    m_baseStep->setRange(1, std::max(1, m_view.stepCount()));
    redraw();
}

void TimelinePanel::refreshControls()
{
    const QSignalBlocker a(m_probe), b(m_kind), c(m_layer), d(m_head);
    const int probe = std::max(0, m_probe->currentIndex());
    if (m_probe->count() != m_view.probeCount()) {
        m_probe->clear();
        for (int i = 0; i < m_view.probeCount(); ++i)
            m_probe->addItem(m_view.probeText(i));
        m_probe->setCurrentIndex(std::min(probe, m_view.probeCount() - 1));
    }
    const QVector<al::AttentionKind> kinds = m_view.isEmpty() ? QVector<al::AttentionKind>{} : m_view.kinds(selection().probe);
    const int kindData = m_kind->currentData().isValid() ? m_kind->currentData().toInt() : -1;
    m_kind->clear();
    for (al::AttentionKind k : kinds)
        m_kind->addItem(attentionKindName(k), static_cast<int>(k));
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(kindData)));
    if (!kinds.isEmpty()) {
        const al::AttentionKind k = static_cast<al::AttentionKind>(m_kind->currentData().toInt());
        m_layer->setRange(1, std::max(1, m_view.layers(k, selection().probe)));
        m_head->setRange(1, std::max(1, m_view.heads(k, selection().probe)));
    }
}

TimelineSelection TimelinePanel::selection() const
{
    TimelineSelection s;
    s.probe = std::max(0, m_probe->currentIndex());
    s.kind = m_kind->currentData().isValid() ? static_cast<al::AttentionKind>(m_kind->currentData().toInt())
                                             : al::AttentionKind::EncoderSelf;
    s.layer = m_layer->value() - 1;
    s.head = m_head->value() - 1;
    return s;
}

void TimelinePanel::setSelection(const TimelineSelection& selection)
{
    m_probe->setCurrentIndex(selection.probe);
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(static_cast<int>(selection.kind))));
    m_layer->setValue(selection.layer + 1);
    m_head->setValue(selection.head + 1);
}

int TimelinePanel::stepIndex() const
{
    return m_slider->value();
}

void TimelinePanel::setStepIndex(int index)
{
    m_slider->setValue(index);
}

void TimelinePanel::setDifferenceBase(int baseIndex)
{
    if (baseIndex >= 0)
        m_baseStep->setValue(baseIndex + 1);
    m_compare->setCurrentIndex(baseIndex >= 0 ? kCompareStep : kCompareNothing);
    redraw();
}

void TimelinePanel::setComparisonTimeline(const TimelineSnapshot& other, const QString& name)
{
    m_other = TimelineView(other);
    m_otherName = other ? name : QString();
    m_otherButton->setText(m_otherName.isEmpty() ? tr("Choose a model…") : m_otherName);
    m_compare->setCurrentIndex(other ? kCompareModel : kCompareNothing);
    redraw();
}

void TimelinePanel::compareWithModelDirectory(const QString& dir)
{
    m_message->setText(tr("Reading the timeline of %1…").arg(QDir::toNativeSeparators(dir)));
    QPointer<TimelinePanel> self(this);
    QThread* reader = QThread::create([self, dir] {
        TimelineSnapshot t;
        QString error;
        try {
            t = readModelTimeline(dir);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(qApp, [self, t, error, dir] {
            if (!self)
                return;
            if (!error.isEmpty()) {
                self->m_message->setText(error);
                return;
            }
            self->setComparisonTimeline(t, QDir(dir).dirName());
        }, Qt::QueuedConnection);
    });
    connect(reader, &QThread::finished, reader, &QObject::deleteLater);
    reader->start();
}

void TimelinePanel::chooseComparisonModel()
{
    QMenu menu(this);
    const DemoCatalog demos = [] {
        try {
            const QString file = DemoCatalog::findInstalled();
            return file.isEmpty() ? DemoCatalog() : DemoCatalog::read(file);
        } catch (const std::exception&) {
            return DemoCatalog(); // File → Open demo model reports a broken catalog
        }
    }();
    const QString language = uiLanguage();
    for (const DemoModel& d : demos.models())
        if (d.isInstalled() && QFileInfo::exists(QDir(d.directory).filePath(QStringLiteral("timeline.json")))) {
            const QString dir = d.directory;
            menu.addAction(tr("Demo: %1").arg(d.titleIn(language)), this, [this, dir] { compareWithModelDirectory(dir); });
        }
    if (!menu.isEmpty())
        menu.addSeparator();
    menu.addAction(tr("Model directory…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Compare with the timeline of a model directory"));
        if (!dir.isEmpty())
            compareWithModelDirectory(dir);
    });
    menu.exec(m_otherButton->mapToGlobal(QPoint(0, m_otherButton->height())));
}

void TimelinePanel::setPlaying(bool playing)
{
    if (playing && m_view.stepCount() > 1) {
        if (m_slider->value() == m_slider->maximum())
            m_slider->setValue(0);
        m_play.start();
    } else {
        m_play.stop();
    }
    const QSignalBlocker block(m_playButton);
    m_playButton->setChecked(m_play.isActive());
}

void TimelinePanel::advance()
{
    if (m_slider->value() >= m_slider->maximum()) {
        setPlaying(false);
        return;
    }
    m_slider->setValue(m_slider->value() + 1);
}

QString TimelinePanel::messageText() const
{
    return m_message->text();
}

void TimelinePanel::redraw()
{
    if (m_view.isEmpty()) {
        m_heatmap->clearMatrix();
        m_stepLabel->clear();
        m_message->setText(tr("No training timeline yet: press Train (the lab records the probe sentences' attention "
                              "at steps dense early and sparse late), or open a model saved with one."));
        m_curves->clearGraphs();
        m_curves->replot();
        return;
    }
    const TimelineSelection sel = selection();
    const QString problem = m_view.check(sel);
    if (!problem.isEmpty()) {
        m_message->setText(problem);
        return;
    }
    const int index = std::clamp(m_slider->value(), 0, m_view.stepCount() - 1);
    try {
        const TimelineFrameView f = m_view.frame(sel, index);
        m_stepLabel->setText(tr("step %1 (%2 of %3)").arg(f.step).arg(index + 1).arg(m_view.stepCount()));
        const QString head = tr("%1 · layer %2 · head %3").arg(attentionKindName(sel.kind)).arg(sel.layer + 1).arg(sel.head + 1);
        m_heatmap->setColorRange(ColorRange::Probability);
        m_heatmap->setMatrix(f.map.cast<al::Scalar>(), f.rowTokens, f.colTokens);
        m_heatmap->setScaleLabel(tr("attention weight"));
        m_heatmap->setTitle(tr("%1 · step %2").arg(head).arg(f.step));
        redrawComparison(sel, index, f, head);
        m_heatmap->setExportFileName(QStringLiteral("timeline_%1_layer%2_head%3_step%4.png")
                                         .arg(attentionKindId(sel.kind))
                                         .arg(sel.layer + 1)
                                         .arg(sel.head + 1)
                                         .arg(f.step));
        QString message = std::isfinite(f.loss) ? tr("Training loss at this step: %1.").arg(f.loss, 0, 'f', 3) : QString();
        if (m_compare->currentIndex() == kCompareModel && m_other.isEmpty())
            message += (message.isEmpty() ? QString() : QStringLiteral(" ")) +
                       tr("Choose a model with a training timeline to compare with.");
        m_message->setText(message);
    } catch (const std::exception& e) {
        m_message->setText(QString::fromStdString(e.what()));
    }
    redrawCurves();
}

void TimelinePanel::redrawComparison(const TimelineSelection& sel, int index, const TimelineFrameView& current,
                                     const QString& head)
{
    const int mode = m_compare->currentIndex();
    m_baseStep->setVisible(mode == kCompareStep);
    m_otherButton->setVisible(mode == kCompareModel);
    // Nothing to compare with yet: the message line says how to choose it.
    m_comparisonRow->setVisible(mode == kCompareStep || (mode == kCompareModel && !m_other.isEmpty()));
    m_otherHeatmap->clearMatrix();
    m_diffHeatmap->clearMatrix();
    if (mode == kCompareStep) {
        const int base = m_baseStep->value() - 1;
        const TimelineFrameView b = m_view.frame(sel, base);
        m_otherHeatmap->setMatrix(b.map.cast<al::Scalar>(), b.rowTokens, b.colTokens);
        m_otherHeatmap->setScaleLabel(tr("attention weight"));
        m_otherHeatmap->setTitle(tr("%1 · step %2").arg(head).arg(b.step));
        const al::MapF d = m_view.difference(sel, base, index);
        m_diffHeatmap->setMatrix(d.cast<al::Scalar>(), current.rowTokens, current.colTokens);
        m_diffHeatmap->setScaleLabel(tr("change in attention weight"));
        m_diffHeatmap->setTitle(tr("step %1 minus step %2").arg(current.step).arg(b.step));
        m_otherHeatmap->setExportFileName(QStringLiteral("timeline_step%1.png").arg(b.step));
        m_diffHeatmap->setExportFileName(QStringLiteral("timeline_step%1_minus_step%2.png").arg(current.step).arg(b.step));
    } else if (mode == kCompareModel) {
        if (m_other.isEmpty())
            return;
        const TimelineModelComparison c = m_view.compareWithModel(sel, index, m_other);
        m_otherHeatmap->setMatrix(c.other.map.cast<al::Scalar>(), c.other.rowTokens, c.other.colTokens);
        m_otherHeatmap->setScaleLabel(tr("attention weight"));
        m_otherHeatmap->setTitle(tr("%1 · layer %2 · head %3 · step %4").arg(m_otherName).arg(sel.layer + 1)
                                     .arg(sel.head + 1).arg(c.other.step));
        m_diffHeatmap->setMatrix(c.difference.cast<al::Scalar>(), current.rowTokens, current.colTokens);
        m_diffHeatmap->setScaleLabel(tr("difference in attention weight"));
        m_diffHeatmap->setTitle(tr("this model minus %1").arg(m_otherName));
        m_otherHeatmap->setExportFileName(QStringLiteral("timeline_%1_step%2.png").arg(m_otherName).arg(c.other.step));
        m_diffHeatmap->setExportFileName(QStringLiteral("timeline_minus_%1.png").arg(m_otherName));
    }
}

bool TimelinePanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_curves && event->type() == QEvent::Resize) {
        const int wrap = m_curves->legend->wrap();
        fitLegendColumns();
        if (m_curves->legend->wrap() != wrap)
            m_curves->replot(QCustomPlot::rpQueuedReplot);
    }
    return QWidget::eventFilter(watched, event);
}

void TimelinePanel::fitLegendColumns()
{
    QCPLegend* legend = m_curves->legend;
    const QFontMetrics metrics(legend->font());
    int widest = 0;
    for (int i = 0; i < m_curves->graphCount(); ++i)
        widest = std::max(widest, metrics.horizontalAdvance(m_curves->graph(i)->name()));
    const QMargins pad = legend->margins();
    const int entry = widest + legend->iconSize().width() + legend->iconTextPadding() + 2 * (pad.left() + pad.right());
    const int columns = 2 * entry + legend->columnSpacing() <= m_curves->width() ? 2 : 1;
    if (legend->wrap() != columns) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
}

void TimelinePanel::redrawCurves()
{
    m_curves->clearGraphs();
    const TimelineSelection sel = selection();
    TimelineCurves c;
    try {
        c = m_view.curves(sel);
    } catch (const std::exception&) {
        m_curves->replot();
        return;
    }
    // Step 0 cannot sit on a logarithmic axis: it is drawn at step 0.5.
    QVector<double> x = c.steps;
    for (double& v : x)
        v = std::max(v, 0.5);
    auto* loss = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis);
    loss->setName(tr("training loss"));
    loss->setData(x, c.loss);
    loss->setPen(QPen(QColor(31, 119, 180), 2));
    auto* entropy = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis);
    entropy->setName(tr("head entropy (nats)"));
    entropy->setData(x, c.entropy);
    entropy->setPen(QPen(QColor(44, 160, 44), 2));
    const QColor colours[al::kTimelinePatterns] = {QColor(214, 39, 40), QColor(148, 103, 189), QColor(140, 86, 75),
                                                   QColor(255, 127, 14)};
    for (int p = 0; p < al::kTimelinePatterns; ++p) {
        if (!c.applies[size_t(p)])
            continue;
        auto* g = m_curves->addGraph(m_curves->xAxis, m_curves->yAxis2);
        g->setName(patternName(p));
        g->setData(x, c.agreement[size_t(p)]);
        QPen pen(colours[p], 1.6);
        pen.setStyle(Qt::DashLine);
        g->setPen(pen);
    }
    fitLegendColumns();
    m_curves->xAxis->setLabel(tr("training step"));
    m_curves->yAxis->setLabel(tr("loss, entropy (nats)"));
    // Short enough for the plot's height in presenter mode; the tooltip says what it measures.
    m_curves->yAxis2->setLabel(tr("pattern agreement"));
    m_curves->setToolTip(tr("Agreement: the share of the head's attention that falls on the pattern's "
                            "positions (1 = all of it). Entropy: how spread the head's attention is."));
    m_curves->rescaleAxes();
    // Room right of the last record, so that its marker shows.
    m_curves->xAxis->setRange(0.4, m_curves->xAxis->range().upper * 1.5);
    m_curves->yAxis->setRangeLower(0);
    m_curves->yAxis2->setRange(0, 1.02);
    const int index = std::clamp(m_slider->value(), 0, std::max(0, m_view.stepCount() - 1));
    const double at = std::max(0.5, double(m_view.stepAt(index)));
    m_marker->point1->setCoords(at, 0);
    m_marker->point2->setCoords(at, 1);
    m_curves->replot();
}

} // namespace al::ui
