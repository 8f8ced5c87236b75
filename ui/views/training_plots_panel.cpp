// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/training_plots_panel.h"

#include "ui/view_models/attention_selection.h"
#include "ui/export/export_ui.h"
#include "ui/views/retranslate.h"
#include "ui/views/step_plot.h"

#include "ui/view_models/training_session.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QShowEvent>
#include <QSlider>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>
#include <limits>

namespace al::ui {

namespace {

const QColor kHeadColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                              QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                              QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f)};

QCustomPlot* makePlot(QWidget* parent, const char* name, const TextFn& title, const TextFn& yLabel)
{
    QCustomPlot* plot = makeStepPlot(parent, QString::fromLatin1(name), title, yLabel);
    plot->setMinimumHeight(170);
    installPlotExportMenu(plot, QString::fromLatin1(name).replace(QStringLiteral("Plot"), QString()) + QStringLiteral(".png"), title());
    installHoverValues(plot);
    return plot;
}

// Positive values only on a log axis (QCustomPlot cannot draw <= 0 there).
void rescaleY(QCustomPlot* plot, bool includeZero = true)
{
    const bool log = plot->yAxis->scaleType() == QCPAxis::stLogarithmic;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int g = 0; g < plot->graphCount(); ++g) {
        if (!plot->graph(g)->visible() || plot->graph(g)->valueAxis() != plot->yAxis)
            continue; // graphs on the right axis (the task metric) have their own range
        for (auto it = plot->graph(g)->data()->constBegin(); it != plot->graph(g)->data()->constEnd(); ++it) {
            const double v = it->value;
            if (!std::isfinite(v) || (log && v <= 0))
                continue;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (!(lo <= hi))
        return;
    if (log)
        plot->yAxis->setRange(lo / 1.2, hi * 1.2);
    else if (includeZero)
        plot->yAxis->setRange(std::min(0.0, lo), hi > 0 ? hi * 1.08 : 1.0);
    else
        plot->yAxis->setRange(lo - 0.08 * (hi - lo) - 1e-3, hi + 0.08 * (hi - lo) + 1e-3);
}

} // namespace

QString hoverText(QCustomPlot* plot, const QPointF& pos)
{
    QCPGraph* best = nullptr;
    int bestIndex = -1;
    double bestDx = std::numeric_limits<double>::infinity(), bestDy = bestDx;
    for (int g = 0; g < plot->graphCount(); ++g) {
        QCPGraph* graph = plot->graph(g);
        if (!graph->visible() || graph->data()->isEmpty())
            continue;
        QVector<double> keys;
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            keys << it->key;
        const double x = graph->keyAxis()->pixelToCoord(pos.x());
        const int i = nearestIndex(keys, x);
        if (i < 0)
            continue;
        const auto point = graph->data()->at(i);
        if (!std::isfinite(point->value))
            continue;
        const double dx = std::abs(graph->keyAxis()->coordToPixel(point->key) - pos.x());
        const double dy = std::abs(graph->valueAxis()->coordToPixel(point->value) - pos.y());
        if (dx < bestDx - 0.5 || (std::abs(dx - bestDx) <= 0.5 && dy < bestDy)) {
            best = graph;
            bestIndex = i;
            bestDx = dx;
            bestDy = dy;
        }
    }
    if (!best)
        return QString();
    const auto point = best->data()->at(bestIndex);
    return pointToolTip(point->key, point->value, best->name());
}

void installHoverValues(QCustomPlot* plot)
{
    QObject::connect(plot, &QCustomPlot::mouseMove, plot, [plot](QMouseEvent* event) {
        if (!plot->axisRect()->rect().contains(event->pos())) {
            QToolTip::hideText();
            return;
        }
        const QString text = hoverText(plot, event->position());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), text, plot);
    });
}

TrainingPlotsPanel::TrainingPlotsPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    m_ema = new QSlider(Qt::Horizontal, this);
    m_ema->setObjectName(QStringLiteral("emaSlider"));
    m_ema->setRange(0, 99);
    m_ema->setValue(60);
    trToolTip(m_ema, [] { return tr("Smoothing weight w of the training loss: s = w·s + (1 − w)·loss."); });
    m_emaLabel = new QLabel(this);
    m_emaLabel->setMinimumWidth(40);
    m_logLoss = new QCheckBox(this);
    trText(m_logLoss, [] { return tr("log loss"); });
    m_logLoss->setObjectName(QStringLiteral("logLoss"));
    m_logGrad = new QCheckBox(this);
    trText(m_logGrad, [] { return tr("log gradient norm"); });
    m_logGrad->setObjectName(QStringLiteral("logGrad"));
    m_logSpeed = new QCheckBox(this);
    trText(m_logSpeed, [] { return tr("log tokens/s"); });
    m_logSpeed->setObjectName(QStringLiteral("logSpeed"));
    auto* smoothingLabel = new QLabel(this);
    trText(smoothingLabel, [] { return tr("Smoothing:"); });
    controls->addWidget(smoothingLabel);
    controls->addWidget(m_ema, 1);
    controls->addWidget(m_emaLabel);
    controls->addSpacing(12);
    controls->addWidget(m_logLoss);
    controls->addWidget(m_logGrad);
    controls->addWidget(m_logSpeed);
    layout->addLayout(controls);

    auto* grid = new QGridLayout;
    m_loss = makePlot(this, "smoothedLossPlot", [] { return tr("Training loss (smoothed)"); },
                      [] { return tr("loss (nats/token)"); });
    QCPGraph* raw = m_loss->addGraph();
    raw->setPen(QPen(QColor(0x1f, 0x77, 0xb4, 70), 1));
    QCPGraph* smooth = m_loss->addGraph();
    smooth->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 2));
    QCPGraph* valid = m_loss->addGraph();
    valid->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    valid->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    // The task's metric (exact match, accuracy, bits/char) on the right axis, when there is one.
    QCPGraph* metric = m_loss->addGraph(m_loss->xAxis, m_loss->yAxis2);
    onLanguageChange(m_loss, [raw, smooth, valid, metric] {
        raw->setName(tr("train"));
        smooth->setName(tr("train (EMA)"));
        valid->setName(tr("validation"));
        metric->setName(tr("validation metric"));
    });
    metric->setPen(QPen(QColor(0x94, 0x67, 0xbd), 2, Qt::DashLine));
    metric->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 7));
    m_loss->legend->setVisible(true);
    m_loss->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_grad = makePlot(this, "gradNormPlot", [] { return tr("Gradient norm (before clipping)"); }, [] { return tr("‖g‖₂"); });
    QCPGraph* grad = m_grad->addGraph();
    onLanguageChange(m_grad, [grad] { grad->setName(tr("gradient norm")); });
    m_grad->graph(0)->setPen(QPen(QColor(0xd6, 0x27, 0x28), 1.5));
    m_speed = makePlot(this, "tokensPerSecondPlot", [] { return tr("Throughput"); }, [] { return tr("target tokens / s"); });
    QCPGraph* speed = m_speed->addGraph();
    onLanguageChange(m_speed, [speed] { speed->setName(tr("tokens/s")); });
    m_speed->graph(0)->setPen(QPen(QColor(0x2c, 0xa0, 0x2c), 1.5));
    m_entropy = makePlot(this, "entropyPlot", [] { return tr("Attention entropy per head (probe sentence)"); },
                         [] { return tr("mean row entropy (nats)"); });
    m_entropy->legend->setVisible(true);
    m_entropy->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    grid->addWidget(m_loss, 0, 0);
    grid->addWidget(m_grad, 0, 1);
    grid->addWidget(m_speed, 1, 0);

    auto* entropyBox = new QWidget(this);
    auto* eLayout = new QVBoxLayout(entropyBox);
    eLayout->setContentsMargins(0, 0, 0, 0);
    auto* eControls = new QHBoxLayout;
    m_probe = new QLineEdit(QStringLiteral("我爱你。"), entropyBox);
    m_probe->setObjectName(QStringLiteral("entropyProbe"));
    trToolTip(m_probe, [] { return tr("Fixed probe sentence; changing it restarts the entropy curves."); });
    m_kind = new QComboBox(entropyBox);
    m_kind->setObjectName(QStringLiteral("entropyKind"));
    // Short by default (the full name shows when open), so this column is not wider than the loss column.
    m_kind->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_kind->setMinimumContentsLength(12);
    for (al::AttentionKind k : attentionKinds())
        m_kind->addItem(QString(), int(k));
    trItems(m_kind, [](const QVariant& v) { return attentionKindName(static_cast<al::AttentionKind>(v.toInt())); });
    m_layer = new QSpinBox(entropyBox);
    m_layer->setObjectName(QStringLiteral("entropyLayer"));
    m_layer->setRange(1, 1);
    auto* probeLabel = new QLabel(entropyBox);
    trText(probeLabel, [] { return tr("Probe:"); });
    eControls->addWidget(probeLabel);
    eControls->addWidget(m_probe, 1);
    eControls->addWidget(m_kind);
    auto* layerLabel = new QLabel(entropyBox);
    trText(layerLabel, [] { return tr("Layer:"); });
    eControls->addWidget(layerLabel);
    eControls->addWidget(m_layer);
    eLayout->addLayout(eControls);
    eLayout->addWidget(m_entropy, 1);
    grid->addWidget(entropyBox, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    m_probe->setMinimumWidth(80);
    layout->addLayout(grid, 1);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(200); // 5 updates/s, as the window's own plots
    connect(&m_redrawTimer, &QTimer::timeout, this, &TrainingPlotsPanel::redraw);
    connect(m_ema, &QSlider::valueChanged, this, &TrainingPlotsPanel::redraw);
    for (QCheckBox* c : {m_logLoss, m_logGrad, m_logSpeed})
        connect(c, &QCheckBox::toggled, this, &TrainingPlotsPanel::redraw);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] { m_entropyDraw.draw(); });
    connect(m_layer, &QSpinBox::valueChanged, this, [this] { m_entropyDraw.draw(); });
    connect(m_probe, &QLineEdit::editingFinished, this, [this] {
        m_history.clear();
        m_lastSampleStep = -1;
        dropPendingSamples();
        m_entropyDraw.draw();
    });
    setCurveStore(new CurveStore(this));
    m_sampler = new InferenceController(this, QStringLiteral("entropy"));
    connect(m_sampler, &InferenceController::translated, this, &TrainingPlotsPanel::onSampled);
    // The metric's legend and axis names and the entropy plot's head names are made when drawn.
    onLanguageChange(this, [this] {
        m_metricName.clear();
        redraw();
        m_entropyDraw.draw();
    });
}

TrainingPlotsPanel::~TrainingPlotsPanel()
{
    shutdown();
}

void TrainingPlotsPanel::shutdown()
{
    m_sampler->shutdown();
}

void TrainingPlotsPanel::setCurveStore(CurveStore* store)
{
    if (m_curves)
        disconnect(m_curves, nullptr, this, nullptr);
    m_curves = store;
    connect(m_curves, &CurveStore::changed, this, &TrainingPlotsPanel::refresh);
    refresh();
}

double TrainingPlotsPanel::smoothing() const
{
    return m_ema->value() / 100.0;
}

void TrainingPlotsPanel::setSmoothing(double weight)
{
    m_ema->setValue(int(std::lround(weight * 100)));
}

void TrainingPlotsPanel::setLogScale(QCustomPlot* plot, bool on)
{
    QCheckBox* c = plot == m_loss ? m_logLoss : plot == m_grad ? m_logGrad : plot == m_speed ? m_logSpeed : nullptr;
    if (c)
        c->setChecked(on);
}

void TrainingPlotsPanel::addMetrics(const TrainingMetrics& m)
{
    m_curves->addMetrics(m);
}

void TrainingPlotsPanel::addValidation(const ValidationMetrics& v)
{
    m_curves->addValidation(v);
}

void TrainingPlotsPanel::setProbeSentence(const QString& sentence)
{
    if (m_probe->text() == sentence)
        return;
    m_probe->setText(sentence);
    m_history.clear();
    m_lastSampleStep = -1;
    dropPendingSamples();
    m_entropyDraw.draw();
}

QString TrainingPlotsPanel::probeSentence() const
{
    return m_probe->text();
}

void TrainingPlotsPanel::addTaskSnapshot(const TaskModelSnapshot& model, qint64 step)
{
    if (!model || step == m_lastSampleStep)
        return;
    if (m_lastSample.isValid() && m_lastSample.elapsed() < 1000 && m_lastSampleStep >= 0)
        return;
    InferenceRequest r;
    r.sentence = m_probe->text();
    r.taskModel = model;
    r.step = step;
    r.traceOnly = true;
    postSample(std::move(r));
}

void TrainingPlotsPanel::addSnapshot(const ModelSnapshot& model, qint64 step)
{
    if (!model || step == m_lastSampleStep)
        return;
    if (m_lastSample.isValid() && m_lastSample.elapsed() < 1000 && m_lastSampleStep >= 0)
        return;
    sampleEntropy(model, step);
}

bool TrainingPlotsPanel::sampleEntropy(const ModelSnapshot& model, qint64 step)
{
    if (!model)
        return false;
    InferenceRequest r;
    r.sentence = m_probe->text();
    r.model = model;
    r.step = step;
    r.maxLength = 32;
    return postSample(std::move(r));
}

bool TrainingPlotsPanel::postSample(InferenceRequest request)
{
    const qint64 step = request.step;
    const quint64 id = m_sampler->submit(std::move(request));
    if (!id)
        return false; // shut down
    m_lastSample.start();
    m_lastSampleStep = step;
    m_lastRequest = id;
    return true;
}

void TrainingPlotsPanel::onSampled(const InferenceResult& result)
{
    // A failed pass (e.g. the probe has no token the model knows) adds no sample.
    if (result.requestId < m_firstValidRequest || !result.trace)
        return;
    m_history.add(double(result.modelStep), *result.trace);
    m_entropyDraw.request();
}

void TrainingPlotsPanel::dropPendingSamples()
{
    m_firstValidRequest = m_lastRequest + 1;
}

void TrainingPlotsPanel::refresh()
{
    m_curvesStale = true;
    if (isVisible() && !m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void TrainingPlotsPanel::redrawNow()
{
    m_redrawTimer.stop();
    redraw();
}

void TrainingPlotsPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_curvesStale)
        redraw();
    m_entropyDraw.shown();
}

void TrainingPlotsPanel::reset()
{
    m_history.clear();
    m_lastSampleStep = -1;
    m_lastSample.invalidate();
    dropPendingSamples();
    m_curves->clear();
    redraw();
    m_entropyDraw.draw();
}

void TrainingPlotsPanel::redraw()
{
    m_curvesStale = false;
    const CurveStore& c = *m_curves;
    const QVector<double>& steps = c.steps();
    const QVector<double>& metricValues = c.metricValues();
    if (m_metricName != c.metricName() && !c.metricName().isEmpty()) {
        m_metricName = c.metricName();
        const QString metric = taskMetricDisplayName(m_metricName);
        m_loss->graph(3)->setName(tr("valid %1").arg(metric));
        m_loss->yAxis2->setLabel(m_metricName != QLatin1String("bits/char") ? tr("%1 (%)").arg(metric) : metric);
    }
    const double w = smoothing();
    m_emaLabel->setText(QString::number(w, 'f', 2));
    m_loss->graph(0)->setData(steps, c.loss(), true);
    m_loss->graph(1)->setData(steps, emaSmooth(c.loss(), w), true);
    m_loss->graph(2)->setData(c.validSteps(), c.validLoss(), true);
    m_loss->graph(3)->setData(c.metricSteps(), metricValues, true);
    m_loss->graph(3)->setVisible(!metricValues.isEmpty());
    m_loss->graph(3)->removeFromLegend();
    if (!metricValues.isEmpty())
        m_loss->graph(3)->addToLegend();
    m_loss->yAxis2->setVisible(!metricValues.isEmpty());
    if (!metricValues.isEmpty()) {
        double hi = 0;
        for (double v : metricValues)
            if (std::isfinite(v))
                hi = std::max(hi, v);
        m_loss->yAxis2->setRange(0, m_metricName == QLatin1String("bits/char") ? std::max(hi * 1.1, 0.1) : 100.0);
    }
    m_grad->graph(0)->setData(steps, c.gradNorm(), true);
    m_speed->graph(0)->setData(steps, c.tokensPerSecond(), true);
    const std::pair<QCustomPlot*, QCheckBox*> plots[] = {{m_loss, m_logLoss}, {m_grad, m_logGrad}, {m_speed, m_logSpeed}};
    for (const auto& [plot, check] : plots) {
        const bool log = check->isChecked();
        const QCPAxis::ScaleType scale = log ? QCPAxis::stLogarithmic : QCPAxis::stLinear;
        if (plot->yAxis->scaleType() != scale) { // a new ticker drops the cached tick labels
            plot->yAxis->setScaleType(scale);
            if (log)
                plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
            else
                plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        }
        if (!steps.isEmpty()) // a resumed run starts at its first step
            plot->xAxis->setRange(steps.first(), std::max(steps.last(), steps.first() + 1.0));
        rescaleY(plot);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void TrainingPlotsPanel::redrawEntropy()
{
    const auto kind = static_cast<al::AttentionKind>(m_kind->currentData().toInt());
    const int layers = m_history.layers(kind);
    {
        const QSignalBlocker b(m_layer);
        m_layer->setRange(1, std::max(1, layers));
    }
    const int layer = m_layer->value() - 1;
    const int heads = m_history.heads(kind, layer);
    m_entropy->clearGraphs();
    const QVector<double> steps = m_history.steps();
    for (int h = 0; h < heads; ++h) {
        QCPGraph* g = m_entropy->addGraph();
        g->setName(tr("head %1").arg(h + 1));
        g->setPen(QPen(kHeadColors[h % 8], 1.5));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        g->setData(steps, m_history.series(kind, layer, h), true);
    }
    m_entropy->legend->setVisible(heads > 0);
    if (!steps.isEmpty())
        m_entropy->xAxis->setRange(steps.first(), std::max(steps.last(), steps.first() + 1.0));
    rescaleY(m_entropy, false);
    m_entropy->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace al::ui
