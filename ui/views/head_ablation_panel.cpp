// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/head_ablation_panel.h"

#include "ui/export/export_ui.h"
#include "ui/view_models/attention_selection.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/retranslate.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShowEvent>
#include <QToolButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <numeric>

namespace al::ui {

namespace {

constexpr int kRankedBars = 16; // more bars than this leave their head labels unreadable

/// The name of an importance measure of importanceMatrix (translated); `accuracy`: the metric
/// is accuracy (task models), else BLEU.
QString measureName(const QString& id, bool accuracy)
{
    if (id == QLatin1String("delta_metric"))
        return accuracy ? HeadAblationPanel::tr("fall in accuracy") : HeadAblationPanel::tr("fall in BLEU");
    if (id == QLatin1String("gradient"))
        return HeadAblationPanel::tr("gradient importance");
    return HeadAblationPanel::tr("rise in validation loss");
}

double measureOf(const al::HeadScore& s, const QString& id)
{
    return id == QLatin1String("delta_metric") ? s.delta_metric : id == QLatin1String("gradient") ? s.gradient : s.delta_loss;
}

QString signedText(double v, int decimals)
{
    return (v > 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', decimals);
}

} // namespace

HeadAblationPanel::HeadAblationPanel(QWidget* parent) : QWidget(parent)
{
    m_scorer = new AblationController(this, QStringLiteral("ablation"));
    m_ranker = new AblationController(this, QStringLiteral("importance"));
    connect(m_scorer, &AblationController::done, this, &HeadAblationPanel::onDone);
    connect(m_ranker, &AblationController::done, this, &HeadAblationPanel::onDone);

    auto* layout = new QVBoxLayout(this);
    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    layout->addWidget(m_intro);
    auto* controls = new QHBoxLayout;
    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("ablationModeCombo"));
    m_mode->addItem(QString(), static_cast<int>(al::AblationMode::Zero));
    m_mode->addItem(QString(), static_cast<int>(al::AblationMode::Mean));
    trItems(m_mode, [](const QVariant& v) {
        return static_cast<al::AblationMode>(v.toInt()) == al::AblationMode::Zero ? tr("Zero the head's output")
                                                                                 : tr("Replace it by its mean");
    });
    m_restore = new QPushButton(this);
    m_restore->setObjectName(QStringLiteral("restoreHeadsButton"));
    trText(m_restore, [] { return tr("Restore all heads"); });
    m_rank = new QPushButton(this);
    m_rank->setObjectName(QStringLiteral("headImportanceButton"));
    trText(m_rank, [] { return tr("Head importance"); });
    controls->addWidget(m_mode);
    controls->addWidget(m_restore);
    controls->addWidget(m_rank);
    m_measure = new QComboBox(this);
    m_measure->setObjectName(QStringLiteral("importanceMeasureCombo"));
    for (const char* id : {"delta_loss", "delta_metric", "gradient"})
        m_measure->addItem(QString(), QString::fromLatin1(id));
    controls->addWidget(m_measure);
    controls->addStretch(1);
    layout->addLayout(controls);

    m_buttonHost = new QWidget(this);
    m_buttonGrid = new QGridLayout(m_buttonHost);
    m_buttonGrid->setContentsMargins(0, 0, 0, 0);
    m_buttonGrid->setSpacing(3);
    layout->addWidget(m_buttonHost);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("ablationResult"));
    m_result->setTextFormat(Qt::RichText);
    m_result->setWordWrap(true);
    layout->addWidget(m_result);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("ablationStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* importance = new QHBoxLayout;
    m_heatmap = new HeatmapWidget(this);
    m_heatmap->setObjectName(QStringLiteral("importanceHeatmap"));
    m_heatmap->setColorRange(ColorRange::MinMax);
    m_heatmap->setMinimumSize(260, 220);
    m_bars = new QCustomPlot(this);
    m_bars->setObjectName(QStringLiteral("importanceBars"));
    m_bars->setMinimumSize(260, 220);
    installPlotExportMenu(m_bars, QStringLiteral("head_importance.png"));
    importance->addWidget(m_heatmap, 1);
    importance->addWidget(m_bars, 1);
    layout->addLayout(importance, 1);
    onLanguageChange(this, [this] {
        updateMetricTexts();
        rebuildButtons();
        showOutcome();
        showImportance();
    });

    connect(m_mode, &QComboBox::currentIndexChanged, this, &HeadAblationPanel::score);
    connect(m_restore, &QPushButton::clicked, this, &HeadAblationPanel::restoreAll);
    connect(m_rank, &QPushButton::clicked, this, &HeadAblationPanel::computeImportance);
    connect(m_measure, &QComboBox::currentIndexChanged, this, &HeadAblationPanel::showImportance);
}

HeadAblationPanel::~HeadAblationPanel()
{
    shutdown();
}

void HeadAblationPanel::shutdown()
{
    m_scorer->shutdown();
    m_ranker->shutdown();
}

void HeadAblationPanel::setModel(const ModelSnapshot& model, qint64 step)
{
    const bool shapeChanged = m_taskModel || !m_model || !model || m_model->net.attention_layers() != model->net.attention_layers()
                              || m_model->net.config().nhead != model->net.config().nhead;
    const bool familyChanged = bool(m_taskModel);
    m_taskModel.reset();
    m_model = model;
    modelChanged(step, shapeChanged, familyChanged);
}

void HeadAblationPanel::setTaskModel(const TaskModelSnapshot& model, qint64 step)
{
    const bool shapeChanged = m_model || !m_taskModel || !model
                              || m_taskModel->net.attention_layers() != model->net.attention_layers()
                              || m_taskModel->net.config().nhead != model->net.config().nhead
                              || m_taskModel->net.config().task != model->net.config().task;
    const bool familyChanged = !m_taskModel;
    m_model.reset();
    m_taskModel = model;
    modelChanged(step, shapeChanged, familyChanged);
}

void HeadAblationPanel::modelChanged(qint64 step, bool shapeChanged, bool familyChanged)
{
    m_step = step;
    if (familyChanged)
        updateMetricTexts();
    if (shapeChanged) {
        m_table = al::HeadImportanceTable{};
        m_outcome = AblationOutcome{};
        rebuildButtons();
        showOutcome();
        showImportance();
    }
    score();
}

void HeadAblationPanel::setSource(const AblationSource& source)
{
    setSourceProvider([source] { return source; });
}

void HeadAblationPanel::setSourceProvider(std::function<AblationSource()> provider)
{
    m_source = std::move(provider);
    score();
}

void HeadAblationPanel::checkSource()
{
    if (m_source && hasModel() && m_source().key() != m_scoredSource)
        score();
}

void HeadAblationPanel::updateMetricTexts()
{
    const bool accuracy = accuracyMetric();
    m_intro->setText(accuracy ? tr("Click a head to switch it off (Michel et al. 2019): its output is zeroed or replaced by its "
                                   "mean, and the model's answer for the typed text, the validation loss and the accuracy of "
                                   "a held-out sample are computed again.")
                              : tr("Click a head to switch it off (Michel et al. 2019): its output is zeroed or replaced by its mean, "
                                   "and the translation, the validation loss and the BLEU of a held-out sample are computed again."));
    m_rank->setToolTip(tr("Switch each head off alone and rank the heads by the rise in validation loss."));
    for (int i = 0; i < m_measure->count(); ++i)
        m_measure->setItemText(i, measureName(m_measure->itemData(i).toString(), accuracy));
}

void HeadAblationPanel::setSentence(const QString& sentence)
{
    if (sentence == m_sentence)
        return;
    m_sentence = sentence;
    score();
}

void HeadAblationPanel::rebuildButtons()
{
    for (auto& b : m_buttons)
        delete b.second;
    m_buttons.clear();
    while (QLayoutItem* item = m_buttonGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!hasModel()) {
        m_layers = {};
        m_heads = 0;
        return;
    }
    m_layers = m_model ? m_model->net.attention_layers() : m_taskModel->net.attention_layers();
    m_heads = m_model ? m_model->net.config().nhead : m_taskModel->net.config().nhead;
    const bool causal = m_taskModel && m_taskModel->net.config().task == "charlm";
    int row = 0;
    for (al::AttentionKind kind : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross}) {
        const int layers = m_layers[size_t(kind)];
        if (layers == 0)
            continue;
        auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(attentionKindName(kind, causal)), m_buttonHost);
        m_buttonGrid->addWidget(title, row++, 0, 1, m_heads + 1);
        for (int l = 0; l < layers; ++l, ++row) {
            m_buttonGrid->addWidget(new QLabel(tr("layer %1").arg(l + 1), m_buttonHost), row, 0);
            for (int h = 0; h < m_heads; ++h) {
                const al::HeadId id{kind, l, h};
                auto* b = new QToolButton(m_buttonHost);
                b->setObjectName(QStringLiteral("head_%1").arg(QString::fromStdString(al::to_string(id)).replace(':', '_')));
                b->setCheckable(true);
                b->setText(tr("head %1").arg(h + 1));
                b->setToolTip(tr("%1, layer %2, head %3: click to switch it off").arg(attentionKindName(kind, causal)).arg(l + 1).arg(h + 1));
                b->setStyleSheet(QStringLiteral("QToolButton:checked { background: #d62728; color: white; }"));
                connect(b, &QToolButton::toggled, this, &HeadAblationPanel::score);
                m_buttonGrid->addWidget(b, row, h + 1);
                m_buttons.append({id, b});
            }
        }
    }
    m_buttonGrid->setColumnStretch(m_heads + 1, 1);
}

QToolButton* HeadAblationPanel::headButton(const al::HeadId& head) const
{
    for (const auto& b : m_buttons)
        if (b.first == head)
            return b.second;
    return nullptr;
}

void HeadAblationPanel::setHeadOff(const al::HeadId& head, bool off)
{
    if (QToolButton* b = headButton(head))
        b->setChecked(off);
}

void HeadAblationPanel::restoreAll()
{
    for (const auto& b : m_buttons) {
        const QSignalBlocker block(b.second);
        b.second->setChecked(false);
    }
    score();
}

al::HeadMask HeadAblationPanel::mask() const
{
    al::HeadMask m;
    m.mode = static_cast<al::AblationMode>(m_mode->currentData().toInt());
    for (const auto& b : m_buttons)
        if (b.second->isChecked())
            m.heads.push_back(b.first);
    return m;
}

void HeadAblationPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        score();
    else
        checkSource();
}

void HeadAblationPanel::score()
{
    if (!hasModel() || !m_source)
        return;
    const AblationSource source = m_source();
    if (source.kind == AblationSource::Kind::None)
        return;
    // Behind another tab nothing is scored; showing the tab catches up.
    if (window()->isVisible() && !isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    m_scoredSource = source.key();
    AblationRequest r;
    r.model = m_model;
    r.taskModel = m_taskModel;
    r.step = m_step;
    r.mask = mask();
    r.sentence = m_sentence;
    r.source = source;
    m_pendingScore = m_scorer->submit(std::move(r));
    m_status->setText(tr("Scoring…"));
}

void HeadAblationPanel::computeImportance()
{
    if (!hasModel() || !m_source)
        return;
    AblationRequest r;
    r.model = m_model;
    r.taskModel = m_taskModel;
    r.step = m_step;
    r.mask.mode = static_cast<al::AblationMode>(m_mode->currentData().toInt());
    r.importance = true;
    r.source = m_source();
    if (r.source.kind == AblationSource::Kind::None)
        return;
    m_pendingTable = m_ranker->submit(std::move(r));
    m_rank->setEnabled(false);
    m_status->setText(tr("Switching each head off in turn…"));
}

void HeadAblationPanel::onDone(const AblationReply& reply)
{
    if (reply.importance) {
        if (reply.requestId != m_pendingTable)
            return;
        m_rank->setEnabled(true);
        m_status->setText(reply.error);
        if (reply.error.isEmpty()) {
            m_table = reply.table;
            showImportance();
            emit importanceShown();
        }
        return;
    }
    if (reply.requestId != m_pendingScore)
        return;
    m_outcome = reply.outcome;
    m_status->setText(reply.error);
    showOutcome();
    emit scored();
}

QString HeadAblationPanel::resultText() const
{
    return m_result->text();
}

void HeadAblationPanel::showOutcome()
{
    const AblationOutcome& o = m_outcome;
    if (o.examples == 0 || !o.error.isEmpty()) {
        m_result->setText(hasModel() ? QString() : tr("Open or train a model to switch its heads off."));
        return;
    }
    const bool accuracy = o.metricName == QLatin1String("accuracy");
    QString outputName = tr("Translation");
    if (o.task == QLatin1String("pos"))
        outputName = tr("Tags");
    else if (o.task == QLatin1String("sentiment") || o.task == QLatin1String("langid"))
        outputName = tr("Class");
    else if (o.task == QLatin1String("charlm"))
        outputName = tr("Continuation");
    else if (o.task == QLatin1String("mlm"))
        outputName = tr("[MASK] fillers");
    const QString row = QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>");
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3'>");
    html += row.arg(QString(), tr("<b>all heads</b>"), tr("<b>%n head(s) off</b>", nullptr, o.headsOff), tr("<b>change</b>"));
    html += row.arg(outputName, o.intact.output.toHtmlEscaped(), o.ablated.output.toHtmlEscaped(), QString());
    html += row.arg(tr("Validation loss"), QString::number(o.intact.loss, 'f', 3), QString::number(o.ablated.loss, 'f', 3),
                    signedText(o.ablated.loss - o.intact.loss, 3));
    if (accuracy)
        html += row.arg(tr("Accuracy"), tr("%1 %").arg(100 * o.intact.metric, 0, 'f', 1),
                        tr("%1 %").arg(100 * o.ablated.metric, 0, 'f', 1),
                        tr("%1 points").arg(signedText(100 * (o.ablated.metric - o.intact.metric), 1)));
    else
        html += row.arg(tr("BLEU"), QString::number(o.intact.metric, 'f', 1), QString::number(o.ablated.metric, 'f', 1),
                        signedText(o.ablated.metric - o.intact.metric, 1));
    html += QStringLiteral("</table><small>");
    if (o.task == QLatin1String("charlm"))
        html += tr("%1 held-out windows of %2 characters of the text (its validation part as <tt>train --task</tt> cuts "
                   "it), accuracy of the next character; greedy continuation; model step %3.")
                    .arg(o.examples)
                    .arg(m_taskModel ? m_taskModel->net.config().max_len : 0)
                    .arg(m_step);
    else if (!o.task.isEmpty())
        html += tr("%1 held-out examples of the task's data (its validation split as <tt>train --task</tt> cuts it); "
                   "model step %2.")
                    .arg(o.examples)
                    .arg(m_step);
    else if (m_scoredSource.startsWith(QLatin1String("generated")))
        html += tr("%1 held-out pairs of the validation set regenerated from the model's task.json, greedy decoding; "
                   "model step %2.")
                    .arg(o.examples)
                    .arg(m_step);
    else
        html += tr("%1 held-out sentence pairs of the corpus (its validation split as <tt>train</tt> cuts it), "
                   "greedy decoding; model step %2.")
                    .arg(o.examples)
                    .arg(m_step);
    html += QStringLiteral("</small>");
    m_result->setText(html);
}

void HeadAblationPanel::showImportance()
{
    m_bars->clearPlottables();
    // The importance plots appear once there is a table.
    m_heatmap->setVisible(!m_table.heads.empty());
    m_bars->setVisible(!m_table.heads.empty());
    if (m_table.heads.empty()) {
        m_heatmap->clearMatrix();
        m_bars->replot();
        return;
    }
    const QString measure = m_measure->currentData().toString();
    const bool accuracy = m_table.metric_name == "accuracy";
    const QString name = measureName(measure, accuracy);
    // One heatmap row per (kind, layer): enc 1 .. enc N, dec 1 .., cross 1 ..
    QStringList rows, cols;
    std::vector<al::Mat> blocks;
    for (al::AttentionKind kind : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross}) {
        const al::Mat m = importanceMatrix(m_table, kind, measure);
        for (int l = 0; l < m.rows(); ++l)
            rows << QStringLiteral("%1 %2").arg(QString::fromStdString(al::to_string(kind))).arg(l + 1);
        if (m.size() > 0)
            blocks.push_back(m);
    }
    const int H = blocks.empty() ? 0 : int(blocks.front().cols());
    int total = 0;
    for (const al::Mat& b : blocks)
        total += int(b.rows());
    al::Mat all(total, H);
    int at = 0;
    for (const al::Mat& b : blocks) {
        all.middleRows(at, b.rows()) = b;
        at += int(b.rows());
    }
    for (int h = 0; h < H; ++h)
        cols << tr("head %1").arg(h + 1);
    m_heatmap->setMatrix(all, rows, cols);
    m_heatmap->setAxisTitles(tr("head"), tr("attention, layer"));
    m_heatmap->setScaleLabel(name);
    m_heatmap->setTitle(measure == QLatin1String("gradient")
                            ? tr("Gradient importance (Michel et al. 2019), normalised per layer")
                        : measure == QLatin1String("delta_metric")
                            ? (accuracy ? tr("Accuracy fall with the head alone off (intact %1)").arg(m_table.intact.metric, 0, 'f', 3)
                                        : tr("BLEU fall with the head alone off (intact %1)").arg(m_table.intact.metric, 0, 'f', 1))
                            : tr("Loss rise with the head alone off (intact %1)").arg(m_table.intact.loss, 0, 'f', 3));
    m_heatmap->setExportFileName(QStringLiteral("head_importance_heatmap.png"));

    // Ranked bars: the most important heads first, as many as can carry a readable label.
    std::vector<size_t> order(m_table.heads.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [this, &measure](size_t a, size_t b) {
                         return measureOf(m_table.heads[a], measure) > measureOf(m_table.heads[b], measure);
                     });
    QVector<double> keys, values;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const size_t shown = std::min(order.size(), size_t(kRankedBars));
    for (size_t i = 0; i < shown; ++i) {
        const al::HeadScore& s = m_table.heads[order[i]];
        keys << double(i);
        values << measureOf(s, measure);
        ticker->addTick(double(i), headLabel(s.head));
    }
    auto* bars = new QCPBars(m_bars->xAxis, m_bars->yAxis);
    bars->setName(name);
    bars->setData(keys, values, true);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(214, 39, 40));
    m_bars->xAxis->setTicker(ticker);
    m_bars->xAxis->setTickLabelRotation(-60);
    if (m_bars->plotLayout()->rowCount() < 2) {
        m_bars->plotLayout()->insertRow(0);
        m_bars->plotLayout()->addElement(0, 0, new QCPTextElement(m_bars, QString()));
    }
    if (auto* title = qobject_cast<QCPTextElement*>(m_bars->plotLayout()->element(0, 0)))
        title->setText(tr("The %1 most important of %2 heads").arg(shown).arg(order.size()));
    m_bars->yAxis->setLabel(name);
    m_bars->rescaleAxes(true);
    m_bars->xAxis->setRange(-0.7, double(shown) - 0.3);
    m_bars->yAxis->setRange(std::min(0.0, m_bars->yAxis->range().lower), m_bars->yAxis->range().upper * 1.1);
    m_bars->replot();
}

} // namespace al::ui
