// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/stepper_panel.h"

#include "ui/views/retranslate.h"
#include "ui/view_models/attention_selection.h"
#include "ui/export/export_ui.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/training_plots_panel.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace al::ui {

// ---------------------------------------------------------------------------------------------
// Block diagram

namespace {

constexpr int kMargin = 8;
constexpr int kHeader = 22;

QColor stageColor(const QString& text)
{
    if (text.contains(QStringLiteral("attention"), Qt::CaseInsensitive))
        return QColor(0xf6, 0xc3, 0x8f); // orange: attention
    if (text.startsWith(QStringLiteral("Feed"), Qt::CaseInsensitive))
        return QColor(0xa6, 0xcb, 0xe8); // blue: feed-forward
    if (text.startsWith(QStringLiteral("Add"), Qt::CaseInsensitive))
        return QColor(0xf3, 0xe9, 0x9a); // yellow: add & norm
    if (text.startsWith(QStringLiteral("Embedding"), Qt::CaseInsensitive))
        return QColor(0xb5, 0xe0, 0xb0); // green: embedding
    return QColor(0xd8, 0xd8, 0xd8);
}

} // namespace

BlockDiagramWidget::BlockDiagramWidget(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(240, 260);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
}

void BlockDiagramWidget::setBoxes(const QVector<DiagramBox>& boxes)
{
    m_boxes = boxes;
    m_rows = diagramRows(boxes);
    update();
}

void BlockDiagramWidget::setCurrent(int step)
{
    m_current = step;
    update();
}

QSize BlockDiagramWidget::sizeHint() const
{
    return QSize(320, std::max(300, kHeader + kMargin * 2 + m_rows * 24));
}

QRectF BlockDiagramWidget::boxRect(int step) const
{
    for (const DiagramBox& b : m_boxes) {
        if (b.step != step)
            continue;
        const double colW = (width() - 3.0 * kMargin) / 2.0;
        const double rowH = m_rows > 0 ? (height() - kHeader - 2.0 * kMargin) / m_rows : 0;
        const double x = kMargin + b.column * (colW + kMargin) + 14; // room for the layer label
        const double y = height() - kMargin - (b.row + 1) * rowH;
        return QRectF(x, y + 2, colW - 16, std::max(4.0, rowH - 5));
    }
    return QRectF();
}

void BlockDiagramWidget::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const double colW = (width() - 3.0 * kMargin) / 2.0;
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().text().color());
    p.drawText(QRectF(kMargin, 2, colW, kHeader), Qt::AlignCenter, tr("Encoder"));
    p.drawText(QRectF(2 * kMargin + colW, 2, colW, kHeader), Qt::AlignCenter, tr("Decoder"));
    if (m_boxes.isEmpty()) {
        p.setFont(font());
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, tr("No forward pass recorded yet."));
        return;
    }
    QFont small = font();
    const double rowH = (height() - kHeader - 2.0 * kMargin) / std::max(m_rows, 1);
    small.setPixelSize(std::clamp(int(rowH * 0.5), 7, 12));
    // Fit the longest label into a box.
    auto widest = [&] {
        int w = 0;
        for (const DiagramBox& b : m_boxes)
            w = std::max(w, QFontMetrics(small).horizontalAdvance(b.text));
        return w;
    };
    while (small.pixelSize() > 7 && widest() > colW - 24)
        small.setPixelSize(small.pixelSize() - 1);
    p.setFont(small);

    // Arrows up each column, and from the encoder output (memory) to every cross-attention.
    QRectF memory;
    for (const DiagramBox& b : m_boxes)
        if (b.column == 0)
            memory = boxRect(b.step); // the last encoder box: the final norm
    for (int i = 0; i + 1 < m_boxes.size(); ++i) {
        if (m_boxes[i].column != m_boxes[i + 1].column)
            continue;
        const QRectF a = boxRect(m_boxes[i].step), c = boxRect(m_boxes[i + 1].step);
        p.setPen(QPen(palette().text().color(), 1));
        p.drawLine(QPointF(a.center().x(), a.top()), QPointF(c.center().x(), c.bottom()));
    }
    for (const DiagramBox& b : m_boxes) {
        if (!b.text.startsWith(QStringLiteral("Cross")) || memory.isEmpty())
            continue;
        const QRectF r = boxRect(b.step);
        QPainterPath path(QPointF(memory.right(), memory.center().y()));
        path.cubicTo(QPointF(memory.right() + kMargin * 2, memory.center().y()),
                     QPointF(r.left() - kMargin * 2, r.center().y()), QPointF(r.left(), r.center().y()));
        p.setPen(QPen(QColor(0x99, 0x66, 0x33), 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
    }
    // Boxes, the current one highlighted; a layer label at each layer's first box.
    int lastLayer[2] = {-2, -2};
    for (const DiagramBox& b : m_boxes) {
        const QRectF r = boxRect(b.step);
        const bool cur = b.step == m_current;
        QColor fill = stageColor(b.text);
        if (!cur && m_current >= 0)
            fill = fill.lighter(112);
        p.setBrush(fill);
        p.setPen(cur ? QPen(QColor(0xd6, 0x27, 0x28), 3) : QPen(QColor(0x55, 0x55, 0x55), 1));
        p.drawRoundedRect(r, 4, 4);
        p.setPen(Qt::black);
        p.drawText(r, Qt::AlignCenter, b.text);
        if (b.layer >= 0 && b.layer != lastLayer[b.column]) {
            p.setPen(palette().text().color());
            p.drawText(QRectF(r.left() - 14, r.top(), 14, r.height()), Qt::AlignCenter, QString::number(b.layer + 1));
        }
        lastLayer[b.column] = b.layer;
    }
}

void BlockDiagramWidget::mousePressEvent(QMouseEvent* event)
{
    for (const DiagramBox& b : m_boxes)
        if (boxRect(b.step).contains(event->position())) {
            emit stepClicked(b.step);
            return;
        }
    QWidget::mousePressEvent(event);
}

// ---------------------------------------------------------------------------------------------
// Panel

namespace {

QStringList numbers(int n)
{
    QStringList out;
    for (int i = 0; i < n; ++i)
        out << QString::number(i + 1);
    return out;
}

/// `title` and `scaleLabel` are set again on every language change; a map whose axes are
/// `positionAxes` has dimensions across and positions down.
HeatmapWidget* makeMap(QWidget* parent, const char* name, TextFn title, ColorRange range, TextFn scaleLabel,
                       const QString& exportName, bool positionAxes)
{
    auto* w = new HeatmapWidget(parent);
    w->setObjectName(QString::fromLatin1(name));
    w->setColorRange(range);
    onLanguageChange(w, [w, title = std::move(title), scaleLabel = std::move(scaleLabel), positionAxes] {
        w->setTitle(title());
        w->setScaleLabel(scaleLabel());
        w->setPlaceholderText(StepperPanel::tr("Run a sentence, then step."));
        if (positionAxes)
            w->setAxisTitles(StepperPanel::tr("dimension"), StepperPanel::tr("position"));
    });
    w->setExportFileName(exportName);
    w->setMinimumSize(140, 150);
    return w;
}

} // namespace

StepperPanel::StepperPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_sentence = new QLineEdit(QStringLiteral("我爱你。"), this);
    m_sentence->setObjectName(QStringLiteral("stepperSentence"));
    trToolTip(m_sentence, [=] { return tr("The sentence whose forward pass is recorded (Enter runs it)."); });
    auto* runButton = trButton(this, [=] { return tr("Run"); });
    runButton->setObjectName(QStringLiteral("stepperRun"));
    auto* firstButton = trButton(this, [=] { return tr("First"); });
    auto* prevButton = trButton(this, [=] { return tr("◀ Previous"); });
    auto* nextButton = trButton(this, [=] { return tr("Next ▶"); });
    auto* lastButton = trButton(this, [=] { return tr("Last"); });
    trToolTip(firstButton, [=] { return tr("First step (Home)"); });
    trToolTip(prevButton, [=] { return tr("Previous step (Left)"); });
    trToolTip(nextButton, [=] { return tr("Next step (Right or Space)"); });
    trToolTip(lastButton, [=] { return tr("Last step (End)"); });
    for (QPushButton* b : {firstButton, prevButton, nextButton, lastButton})
        b->setFocusPolicy(Qt::NoFocus); // keep Space for stepping
    top->addWidget(trLabel(this, [=] { return tr("Sentence:"); }));
    top->addWidget(m_sentence, 1);
    top->addWidget(runButton);
    top->addSpacing(12);
    top->addWidget(firstButton);
    top->addWidget(prevButton);
    top->addWidget(nextButton);
    top->addWidget(lastButton);
    layout->addLayout(top);

    auto* info = new QHBoxLayout;
    m_stepLabel = new QLabel(this);
    m_stepLabel->setObjectName(QStringLiteral("stepperStepLabel"));
    QFont bold = m_stepLabel->font();
    bold.setBold(true);
    m_stepLabel->setFont(bold);
    // A long step title is cut at the panel's edge (the whole title is the tooltip) rather than
    // widening the window: presenter mode's large type on a small screen. Not word-wrapped, so
    // the panel's height does not depend on its width.
    m_stepLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_headSpin = new QSpinBox(this);
    m_headSpin->setObjectName(QStringLiteral("stepperHead"));
    m_headSpin->setRange(1, 1);
    m_querySpin = new QSpinBox(this);
    m_querySpin->setObjectName(QStringLiteral("stepperQuery"));
    m_querySpin->setRange(1, 1);
    trToolTip(m_querySpin, [=] { return tr("The query row shown as a weighted sum of value rows."); });
    info->addWidget(m_stepLabel, 1);
    info->addWidget(trLabel(this, [=] { return tr("Head:"); }));
    info->addWidget(m_headSpin);
    info->addWidget(trLabel(this, [=] { return tr("Query row:"); }));
    info->addWidget(m_querySpin);
    layout->addLayout(info);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_message);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    m_diagram = new BlockDiagramWidget(splitter);
    m_diagram->setObjectName(QStringLiteral("blockDiagram"));
    splitter->addWidget(m_diagram);

    // Three pages, each with the full width: scores -> softmax -> weighted sum; Q, K, V; the
    // residual stream with the norm plot.
    m_pages = new QTabWidget(splitter);
    m_pages->setObjectName(QStringLiteral("stepperPages"));
    QWidget* right = m_pages;
    auto* scoresPage = new QWidget(m_pages);
    auto* qkvPage = new QWidget(m_pages);
    auto* streamPage = new QWidget(m_pages);
    auto* scoresGrid = new QGridLayout(scoresPage);
    auto* qkvGrid = new QGridLayout(qkvPage);
    auto* streamGrid = new QVBoxLayout(streamPage);
    const TextFn value = [] { return tr("value"); };
    const TextFn score = [] { return tr("score"); };
    m_q = makeMap(right, "stepperQ", [] { return tr("Q (queries)"); }, ColorRange::Symmetric, value,
                  QStringLiteral("q.png"), true);
    m_k = makeMap(right, "stepperK", [] { return tr("K (keys)"); }, ColorRange::Symmetric, value,
                  QStringLiteral("k.png"), true);
    m_v = makeMap(right, "stepperV", [] { return tr("V (values)"); }, ColorRange::Symmetric, value,
                  QStringLiteral("v.png"), true);
    m_scores = makeMap(right, "stepperScores", [] { return tr("Scores Q·Kᵀ"); }, ColorRange::Symmetric, score,
                       QStringLiteral("scores.png"), false);
    m_scaled = makeMap(right, "stepperScaled", [] { return tr("Scaled scores Q·Kᵀ/√d_k"); }, ColorRange::Symmetric,
                       score, QStringLiteral("scaled_scores.png"), false);
    m_probs = makeMap(right, "stepperProbs", [] { return tr("softmax (masked)"); }, ColorRange::Probability,
                      [] { return tr("attention weight"); }, QStringLiteral("probabilities.png"), false);
    m_sum = makeMap(right, "stepperSum", [] { return tr("Weighted sum of V rows"); }, ColorRange::Symmetric, value,
                    QStringLiteral("weighted_sum.png"), true);
    m_stream = makeMap(right, "stepperStream", [] { return tr("Residual stream"); }, ColorRange::Symmetric, value,
                       QStringLiteral("residual_stream.png"), true);
    qkvGrid->addWidget(m_q, 0, 0);
    qkvGrid->addWidget(m_k, 0, 1);
    qkvGrid->addWidget(m_v, 1, 0);
    scoresGrid->addWidget(m_scores, 0, 0);
    scoresGrid->addWidget(m_scaled, 0, 1);
    scoresGrid->addWidget(m_probs, 1, 0);
    scoresGrid->addWidget(m_sum, 1, 1);
    m_sumLabel = new QLabel(right);
    m_sumLabel->setWordWrap(true);
    m_sumLabel->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_sumLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    scoresGrid->addWidget(m_sumLabel, 2, 0, 1, 2);
    // Two equal columns: a long title (large type in presenter mode) does not starve its neighbour.
    for (QGridLayout* grid : {scoresGrid, qkvGrid}) {
        grid->setColumnStretch(0, 1);
        grid->setColumnStretch(1, 1);
    }
    scoresGrid->setRowStretch(0, 1);
    scoresGrid->setRowStretch(1, 1);
    streamGrid->addWidget(m_stream, 3);

    m_normPlot = new QCustomPlot(right);
    m_normPlot->setObjectName(QStringLiteral("residualNormPlot"));
    m_normPlot->plotLayout()->insertRow(0);
    auto* normTitle = new QCPTextElement(m_normPlot, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    m_normPlot->plotLayout()->addElement(0, 0, normTitle);
    QCPGraph* g = m_normPlot->addGraph();
    onLanguageChange(m_normPlot, [this, normTitle, g] {
        normTitle->setText(tr("Residual-stream norm per step"));
        m_normPlot->yAxis->setLabel(tr("mean ‖x‖₂ per position"));
        m_normPlot->xAxis->setLabel(tr("forward step"));
        g->setName(tr("residual norm"));
        m_normPlot->replot(QCustomPlot::rpQueuedReplot);
    });
    g->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.5));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    QCPGraph* cur = m_normPlot->addGraph();
    cur->setLineStyle(QCPGraph::lsNone);
    cur->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0xd6, 0x27, 0x28), 10));
    m_normPlot->setMinimumHeight(170);
    installPlotExportMenu(m_normPlot, QStringLiteral("residual_norms.png"), tr("Residual-stream norm per step"));
    installHoverValues(m_normPlot);
    streamGrid->addWidget(m_normPlot, 2);
    m_pages->addTab(scoresPage, QString());
    m_pages->addTab(qkvPage, QString());
    m_pages->addTab(streamPage, QString());
    onLanguageChange(m_pages, [this] {
        m_pages->setTabText(0, tr("Scores → softmax → weighted sum"));
        m_pages->setTabText(1, tr("Q, K, V"));
        m_pages->setTabText(2, tr("Residual stream"));
    });
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(runButton, &QPushButton::clicked, this, &StepperPanel::run);
    connect(m_sentence, &QLineEdit::returnPressed, this, &StepperPanel::run);
    connect(firstButton, &QPushButton::clicked, this, &StepperPanel::firstStep);
    connect(prevButton, &QPushButton::clicked, this, &StepperPanel::previousStep);
    connect(nextButton, &QPushButton::clicked, this, &StepperPanel::nextStep);
    connect(lastButton, &QPushButton::clicked, this, &StepperPanel::lastStep);
    connect(m_diagram, &BlockDiagramWidget::stepClicked, this, &StepperPanel::goToStep);
    connect(m_headSpin, &QSpinBox::valueChanged, this, &StepperPanel::showStep);
    connect(m_querySpin, &QSpinBox::valueChanged, this, &StepperPanel::showStep);
    auto shortcut = [this](QKeySequence key, void (StepperPanel::*slot)()) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence(Qt::Key_Right), &StepperPanel::nextStep);
    shortcut(QKeySequence(Qt::Key_Space), &StepperPanel::nextStep);
    shortcut(QKeySequence(Qt::Key_Left), &StepperPanel::previousStep);
    shortcut(QKeySequence(Qt::Key_Home), &StepperPanel::firstStep);
    shortcut(QKeySequence(Qt::Key_End), &StepperPanel::lastStep);
    setFocusPolicy(Qt::StrongFocus);
    m_runTimer.setSingleShot(true);
    m_runTimer.setInterval(400);
    connect(&m_runTimer, &QTimer::timeout, this, [this] { run(); });
    m_inference = new InferenceController(this, QStringLiteral("stepper"));
    connect(m_inference, &InferenceController::translated, this, &StepperPanel::showPass);
    // The step line, the map titles and the diagram's boxes are made when shown.
    onLanguageChange(this, [this] {
        if (const auto trace = m_stepper.trace())
            m_diagram->setBoxes(diagramBoxes(trace->forward));
        showStep();
    });
}

HeatmapWidget* StepperPanel::heatmap(const QString& name) const
{
    if (name == QLatin1String("q")) return m_q;
    if (name == QLatin1String("k")) return m_k;
    if (name == QLatin1String("v")) return m_v;
    if (name == QLatin1String("scores")) return m_scores;
    if (name == QLatin1String("scaled")) return m_scaled;
    if (name == QLatin1String("probs")) return m_probs;
    if (name == QLatin1String("sum")) return m_sum;
    if (name == QLatin1String("stream")) return m_stream;
    return nullptr;
}

int StepperPanel::head() const { return m_headSpin->value() - 1; }
int StepperPanel::query() const { return m_querySpin->value() - 1; }
void StepperPanel::setHead(int head) { m_headSpin->setValue(head + 1); }
void StepperPanel::setQuery(int query) { m_querySpin->setValue(query + 1); }
void StepperPanel::setSentence(const QString& sentence)
{
    if (m_sentence->text() == sentence)
        return;
    m_sentence->setText(sentence);
    if (!m_model)
        return;
    if (isVisible())
        m_runTimer.start(); // coalesces typing
    else
        m_stale = true;
}

void StepperPanel::setModel(const ModelSnapshot& model)
{
    const bool first = !m_model || !m_stepper.trace();
    m_model = model;
    if (!isVisible())
        m_stale = true;
    else if (first)
        run();
    else if (!m_runTimer.isActive())
        m_runTimer.start();
}

void StepperPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        run();
}

bool StepperPanel::run()
{
    m_stale = false;
    if (!m_model) {
        m_pendingRun = 0;
        m_message->setText(tr("No model yet — train one (F5) or open a model directory."));
        m_stepper.setTrace(nullptr);
        showStep();
        return false;
    }
    InferenceRequest request;
    request.sentence = m_sentence->text();
    request.model = m_model;
    request.maxLength = 48;
    request.forwardDetail = true;
    m_pendingRun = m_inference->submit(std::move(request));
    return m_pendingRun != 0;
}

void StepperPanel::shutdown()
{
    m_runTimer.stop();
    m_pendingRun = 0;
    m_inference->shutdown();
}

void StepperPanel::showPass(const InferenceResult& result)
{
    if (m_pendingRun == 0 || result.requestId != m_pendingRun)
        return; // an older sentence or snapshot: a newer pass is on its way
    m_pendingRun = 0;
    if (!result.errorMessage.isEmpty() || !result.trace) {
        m_message->setText(tr("Cannot run the sentence: %1").arg(result.errorMessage));
        m_stepper.setTrace(nullptr);
        showStep();
        emit passFinished(false);
        return;
    }
    m_message->setText(tr("Translation: %1").arg(result.translation));
    const std::shared_ptr<const al::Trace> trace = result.trace;
    const int keep = m_stepper.current();
    m_stepper.setTrace(trace);
    if (keep > 0)
        m_stepper.setCurrent(keep);
    if (m_pendingAttention) {
        goToAttention(*m_pendingAttention);
        m_pendingAttention.reset();
    }
    m_diagram->setBoxes(diagramBoxes(trace->forward));
    // Norms per step: the whole pass, the current step marked in showStep().
    const QVector<double> norms = residualNorms(trace->forward);
    QVector<double> xs;
    for (int i = 0; i < norms.size(); ++i)
        xs << i + 1; // 1-based, as "Step k / n" above
    m_normPlot->graph(0)->setData(xs, norms, true);
    m_normPlot->xAxis->setRange(0.5, std::max(1.5, norms.size() + 0.5));
    m_normPlot->yAxis->rescale();
    m_normPlot->yAxis->setRangeLower(0);
    m_normPlot->yAxis->setRangeUpper(m_normPlot->yAxis->range().upper * 1.1 + 1e-6);
    if (m_stepper.count() == 0)
        m_message->setText(m_message->text() + QStringLiteral(" — ") + tr("(empty sentence: nothing to step through)"));
    showStep();
    emit passFinished(true);
}

void StepperPanel::showAttention(const AttentionSelection& selection)
{
    if (!m_stepper.trace() || m_stale) {
        m_pendingAttention = selection; // applied when the pass of the current sentence has run
        return;
    }
    m_pendingAttention.reset();
    goToAttention(selection);
    showStep();
}

void StepperPanel::goToAttention(const AttentionSelection& selection)
{
    const int step = m_stepper.stepOf(selection.kind, selection.layer);
    if (step < 0)
        return; // the model has no such layer: the stepper stays where it is
    m_stepper.setCurrent(step);
    // The head spin box may still have a step without attention's range; showStep() narrows it
    // to the step's heads.
    m_headSpin->setMaximum(std::max(m_headSpin->maximum(), selection.head + 1));
    m_headSpin->setValue(selection.head + 1);
}

void StepperPanel::nextStep()
{
    if (m_stepper.next())
        showStep();
}

void StepperPanel::previousStep()
{
    if (m_stepper.previous())
        showStep();
}

void StepperPanel::firstStep()
{
    if (m_stepper.first())
        showStep();
}

void StepperPanel::lastStep()
{
    if (m_stepper.last())
        showStep();
}

void StepperPanel::goToStep(int step)
{
    if (m_stepper.setCurrent(step))
        showStep();
}

void StepperPanel::showStep()
{
    const al::ForwardStep* step = m_stepper.step();
    m_diagram->setCurrent(m_stepper.current());
    const QVector<HeatmapWidget*> attention{m_q, m_k, m_v, m_scores, m_scaled, m_probs, m_sum};
    if (!step) {
        m_stepLabel->setText(tr("No step"));
        for (HeatmapWidget* w : attention + QVector<HeatmapWidget*>{m_stream})
            w->clearMatrix();
        m_sumLabel->clear();
        m_normPlot->graph(1)->data()->clear();
        m_normPlot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const al::Trace& trace = *m_stepper.trace();
    m_stepLabel->setText(tr("Step %1 / %2: %3 — mean residual norm %4")
                             .arg(m_stepper.current() + 1)
                             .arg(m_stepper.count())
                             .arg(QString::fromStdString(step->label))
                             .arg(step->mean_norm, 0, 'f', 2));
    m_stepLabel->setToolTip(m_stepLabel->text());
    const QStringList positions = m_stepper.positionTokens();
    m_stream->setMatrix(step->stream, positions, numbers(int(step->stream.cols())));
    m_stream->setTitle(tr("Residual stream after %1").arg(QString::fromStdString(step->label)));
    m_normPlot->graph(1)->setData({double(m_stepper.current() + 1)}, {step->mean_norm}, true);
    m_normPlot->replot(QCustomPlot::rpQueuedReplot);

    const auto kind = ForwardStepper::attentionKind(*step);
    const al::HeadDetails* details = kind ? &al::head_details(trace, *kind) : nullptr;
    if (!kind || !details || step->layer < 0 || step->layer >= int(details->size()) || (*details)[size_t(step->layer)].empty()) {
        for (HeatmapWidget* w : attention) {
            w->clearMatrix();
            w->setPlaceholderText(tr("no attention"));
        }
        m_sumLabel->setText(tr("Steps without attention: the residual stream is what this step produced."));
        if (m_pages->currentIndex() != 2)
            m_pages->setCurrentIndex(2);
        return;
    }
    if (m_pages->currentIndex() == 2) {
        m_pages->setCurrentIndex(0);
    }
    const auto& heads = (*details)[size_t(step->layer)];
    {
        const QSignalBlocker b(m_headSpin);
        m_headSpin->setRange(1, int(heads.size()));
    }
    const al::HeadDetail& hd = heads[size_t(head())];
    const QStringList queries = queryTokens(trace, *kind);
    const QStringList keys = keyTokens(trace, *kind);
    {
        const QSignalBlocker b(m_querySpin);
        m_querySpin->setRange(1, std::max(1, int(hd.probs.rows())));
    }
    const QString where = tr("%1 · layer %2 · head %3").arg(attentionKindName(*kind)).arg(step->layer + 1).arg(head() + 1);
    const int D = int(hd.v.cols());
    const QString slug = attentionKindSlug(*kind) + QStringLiteral("_layer%1_head%2").arg(step->layer + 1).arg(head() + 1);
    auto show = [&](HeatmapWidget* w, const al::Mat& m, const QStringList& rows, const QStringList& cols, const QString& title,
                    const QString& file) {
        w->setTitle(title);
        w->setExportFileName(file + QLatin1Char('_') + slug + QStringLiteral(".png"));
        if (m.size() == 0) {
            w->clearMatrix();
            w->setPlaceholderText(tr("Not recorded: this attention has no query-key scores (synthesizer)."));
        } else {
            w->setMatrix(m, rows, cols);
        }
    };
    show(m_q, hd.q, queries, numbers(D), tr("Q (%1 × d_k = %2)").arg(hd.q.rows()).arg(D), QStringLiteral("q"));
    show(m_k, hd.k, keys, numbers(D), tr("K (%1 × d_k = %2)").arg(hd.k.rows()).arg(D), QStringLiteral("k"));
    show(m_v, hd.v, keys, numbers(D), tr("V (%1 × d_v = %2)").arg(hd.v.rows()).arg(D), QStringLiteral("v"));
    show(m_scores, hd.scores, queries, keys, tr("Scores Q·Kᵀ (before scaling)"), QStringLiteral("scores"));
    const double scale = trace.forward.scale;
    show(m_scaled, hd.scaled, queries, keys,
         std::abs(scale - 1.0) < 1e-12 ? tr("Scores (no scaling: ×1)") : tr("Scores × 1/√d_k = ×%1").arg(scale, 0, 'g', 3),
         QStringLiteral("scaled_scores"));
    show(m_probs, hd.probs, queries, keys, tr("After softmax (masked keys → 0): %1").arg(where), QStringLiteral("probabilities"));
    for (HeatmapWidget* w : {m_q, m_k, m_v, m_scores, m_scaled, m_probs})
        w->setOutlinedBlock(0, 0);
    const int qi = query();
    if (qi >= 0 && qi < hd.probs.rows()) {
        // Outline the chosen query row in the probabilities.
        const WeightedSum ws = weightedSum(hd, qi);
        al::Mat m(ws.terms.rows() + 1, ws.terms.cols());
        m.topRows(ws.terms.rows()) = ws.terms;
        m.bottomRows(1) = ws.sum;
        QStringList rows;
        for (int j = 0; j < int(ws.weights.size()); ++j)
            rows << QStringLiteral("%1 ×%2").arg(j < keys.size() ? keys[j] : QString::number(j + 1)).arg(double(ws.weights[j]), 0, 'f', 2);
        rows << tr("= Σ output");
        const QString q = qi < queries.size() ? queries[qi] : QString::number(qi + 1);
        m_sum->setMatrix(m, rows, numbers(D));
        m_sum->setTitle(tr("Query “%1”: rows p_j · V_j, bottom row their sum").arg(q));
        m_sum->setAxisTitles(tr("dimension"), tr("key × weight"));
        m_sum->setExportFileName(QStringLiteral("weighted_sum_") + slug + QStringLiteral(".png"));
        QStringList top;
        QVector<int> order(int(ws.weights.size()));
        for (int j = 0; j < order.size(); ++j)
            order[j] = j;
        std::sort(order.begin(), order.end(), [&](int a, int b) { return ws.weights[a] > ws.weights[b]; });
        for (int j = 0; j < std::min<int>(4, int(order.size())); ++j)
            top << QStringLiteral("%1 (%2)").arg(order[j] < keys.size() ? keys[order[j]] : QString::number(order[j] + 1))
                       .arg(double(ws.weights[order[j]]), 0, 'f', 3);
        m_sumLabel->setText(tr("<b>Query “%1”</b> (row %2): its probability row weights the value rows; the output is "
                               "their sum.<br>Largest weights: %3.<br>Row sum %4.")
                                .arg(q.toHtmlEscaped())
                                .arg(qi + 1)
                                .arg(top.join(QStringLiteral(", ")).toHtmlEscaped())
                                .arg(double(ws.weights.sum()), 0, 'f', 3));
    }
}

} // namespace al::ui
