// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/hidden_states_panel.h"

#include "engine/models/task_models.h"
#include "ui/export/export_ui.h"
#include "ui/view_models/color_maps.h"
#include "ui/views/retranslate.h"

#include <QComboBox>
#include <QStandardItemModel>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QResizeEvent>
#include <QShowEvent>
#include <QSpinBox>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

constexpr int kRunDelayMs = 250; // typing in a sentence box runs once it pauses

QCustomPlot* makePlot(QWidget* parent, const char* name)
{
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(QString::fromLatin1(name));
    plot->setMinimumSize(300, 220);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = plot->font();
    titleFont.setBold(true);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QString(), titleFont));
    return plot;
}

void setPlotTitle(QCustomPlot* plot, const QString& title)
{
    if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0)))
        t->setText(title);
}

const QColor kSentenceColors[2] = {QColor(31, 119, 180), QColor(255, 127, 14)};

} // namespace

HiddenStatesPanel::HiddenStatesPanel(QWidget* parent) : QWidget(parent)
{
    for (int side = 0; side < 2; ++side) {
        m_inference[side] = new InferenceController(this, side == 0 ? QStringLiteral("hidden-a") : QStringLiteral("hidden-b"));
        connect(m_inference[side], &InferenceController::translated, this,
                [this, side](const InferenceResult& r) { answer(side, r); });
    }
    m_runTimer = new QTimer(this);
    m_runTimer->setSingleShot(true);
    m_runTimer->setInterval(kRunDelayMs);
    connect(m_runTimer, &QTimer::timeout, this, &HiddenStatesPanel::run);

    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_examples = new QComboBox(this);
    m_examples->setObjectName(QStringLiteral("hiddenExampleCombo"));
    const QVector<ContextExample> examples = contextExamples();
    for (const ContextExample& e : examples)
        m_examples->addItem(QStringLiteral("%1 — %2 / %3").arg(e.word, e.sentenceA, e.sentenceB));
    onLanguageChange(m_examples, [this] {
        const QVector<ContextExample> ex = contextExamples();
        for (int i = 0; i < ex.size() && i < m_examples->count(); ++i)
            m_examples->setItemData(i, ex[i].note, Qt::ToolTipRole);
    });
    auto* exampleLabel = new QLabel(this);
    trText(exampleLabel, [] { return tr("Example:"); });
    form->addRow(exampleLabel, m_examples);
    for (int side = 0; side < 2; ++side) {
        auto* row = new QHBoxLayout;
        m_sentence[side] = new QLineEdit(this);
        m_sentence[side]->setObjectName(side == 0 ? QStringLiteral("hiddenSentenceA") : QStringLiteral("hiddenSentenceB"));
        m_occurrence[side] = new QSpinBox(this);
        m_occurrence[side]->setObjectName(side == 0 ? QStringLiteral("hiddenOccurrenceA") : QStringLiteral("hiddenOccurrenceB"));
        m_occurrence[side]->setRange(1, 1);
        auto* occurrenceLabel = new QLabel(this);
        trText(occurrenceLabel, [] { return tr("occurrence:"); });
        row->addWidget(m_sentence[side], 1);
        row->addWidget(occurrenceLabel);
        row->addWidget(m_occurrence[side]);
        auto* label = new QLabel(this);
        trText(label, [side] { return side == 0 ? tr("Sentence A:") : tr("Sentence B:"); });
        form->addRow(label, row);
    }
    auto* wordRow = new QHBoxLayout;
    m_word = new QLineEdit(this);
    m_word->setObjectName(QStringLiteral("hiddenWord"));
    m_word->setMaximumWidth(160);
    m_layer = new QComboBox(this);
    m_layer->setObjectName(QStringLiteral("hiddenLayerCombo"));
    auto* layerLabel = new QLabel(this);
    trText(layerLabel, [] { return tr("PCA of layer:"); });
    wordRow->addWidget(m_word);
    wordRow->addSpacing(16);
    wordRow->addWidget(layerLabel);
    wordRow->addWidget(m_layer);
    m_colourBy = new QComboBox(this);
    m_colourBy->setObjectName(QStringLiteral("hiddenColourCombo"));
    auto* colourLabel = new QLabel(this);
    trText(colourLabel, [] { return tr("Colour by:"); });
    wordRow->addSpacing(16);
    wordRow->addWidget(colourLabel);
    wordRow->addWidget(m_colourBy);
    wordRow->addStretch(1);
    auto* wordLabel = new QLabel(this);
    trText(wordLabel, [] { return tr("Word:"); });
    form->addRow(wordLabel, wordRow);
    layout->addLayout(form);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("hiddenMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    m_similarity = makePlot(this, "hiddenSimilarityPlot");
    m_similarity->legend->setVisible(true);
    m_similarity->legend->setBrush(QColor(255, 255, 255, 210));
    m_similarity->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignVCenter | Qt::AlignRight);
    installPlotExportMenu(m_similarity, QStringLiteral("hidden_states_similarity.png"));
    // The fonts (presenter mode) and the width are those of the replot at hand.
    connect(m_similarity, &QCustomPlot::beforeReplot, this, &HiddenStatesPanel::fitLayerLabels);
    m_plots = new QBoxLayout(QBoxLayout::TopToBottom);
    m_plots->addWidget(m_similarity, 1);
    layout->addLayout(m_plots, 1);
    m_scatterPlot = makePlot(this, "hiddenScatterPlot");
    m_scatterPlot->installEventFilter(this);
    // The legend in one row below the points, never over them.
    m_scatterPlot->legend->setVisible(true);
    m_scatterPlot->legend->setBrush(QColor(255, 255, 255, 210));
    m_scatterPlot->legend->setBorderPen(Qt::NoPen);
    m_scatterPlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_scatterPlot->axisRect()->insetLayout()->take(m_scatterPlot->legend);
    m_scatterPlot->plotLayout()->addElement(2, 0, m_scatterPlot->legend);
    m_scatterPlot->plotLayout()->setRowStretchFactor(2, 0.001);
    installPlotExportMenu(m_scatterPlot, QStringLiteral("hidden_states_pca.png"));
    m_plots->addWidget(m_scatterPlot, 1);
    onLanguageChange(this, [this] {
        const QSignalBlocker block(m_colourBy);
        const int keep = std::max(0, m_colourBy->currentIndex());
        m_colourBy->clear();
        // In the order of ScatterColouring.
        m_colourBy->addItems({tr("sentence"), tr("position"), tr("token"), tr("tag (taggers)")});
        m_colourBy->setCurrentIndex(keep);
        redraw();
    });
    connect(m_colourBy, &QComboBox::currentIndexChanged, this, &HiddenStatesPanel::redrawScatter);

    connect(m_examples, &QComboBox::activated, this, [this](int i) {
        const QVector<ContextExample> ex = contextExamples();
        if (i >= 0 && i < ex.size()) {
            m_exampleChosen = true;
            setInputs(ex[i].sentenceA, ex[i].sentenceB, ex[i].word);
        }
    });
    for (int side = 0; side < 2; ++side) {
        connect(m_sentence[side], &QLineEdit::textEdited, this, [this] { m_runTimer->start(); });
        connect(m_occurrence[side], &QSpinBox::valueChanged, this, &HiddenStatesPanel::redraw);
    }
    connect(m_word, &QLineEdit::textEdited, this, &HiddenStatesPanel::redraw);
    connect(m_layer, &QComboBox::currentIndexChanged, this, &HiddenStatesPanel::redrawScatter);
    setInputs(examples[0].sentenceA, examples[0].sentenceB, examples[0].word);
}

HiddenStatesPanel::~HiddenStatesPanel()
{
    shutdown();
}

void HiddenStatesPanel::shutdown()
{
    for (InferenceController* c : m_inference)
        c->shutdown();
}

void HiddenStatesPanel::setModel(const ModelSnapshot& model, qint64 step)
{
    const bool first = !m_model;
    m_model = model;
    m_taskModel.reset();
    m_step = step;
    if (first)
        chooseDefaultExample();
    run();
}

void HiddenStatesPanel::setTaskModel(const TaskModelSnapshot& model, qint64 step)
{
    const bool first = !m_taskModel;
    m_taskModel = model;
    m_model.reset();
    m_step = step;
    if (first)
        chooseDefaultExample();
    run();
}

void HiddenStatesPanel::chooseDefaultExample()
{
    if (m_exampleChosen)
        return;
    // The first example whose word the model reads without <unk>.
    const int i = defaultContextExample([this](const QString& word) {
        const std::string w = word.toStdString();
        std::vector<std::string> tokens;
        const al::Vocab* vocab = nullptr;
        if (m_model) {
            tokens = m_model->src_tokenizer.tokenize(w);
            vocab = &m_model->src_vocab;
        } else if (m_taskModel) {
            tokens = al::task_tokenize(m_taskModel->net.config().tokens, w);
            vocab = &m_taskModel->vocab;
        }
        if (!vocab || tokens.size() != 1)
            return false;
        return vocab->id(tokens[0]) != vocab->unk();
    });
    const ContextExample e = contextExamples()[i];
    m_examples->setCurrentIndex(i);
    setInputs(e.sentenceA, e.sentenceB, e.word);
}

void HiddenStatesPanel::setInputs(const QString& sentenceA, const QString& sentenceB, const QString& word)
{
    m_sentence[0]->setText(sentenceA);
    m_sentence[1]->setText(sentenceB);
    m_word->setText(word);
    const QPair<int, int> occ = defaultOccurrences(sentenceA, sentenceB);
    for (int side = 0; side < 2; ++side) {
        const QSignalBlocker block(m_occurrence[side]);
        const int v = (side == 0 ? occ.first : occ.second) + 1;
        m_occurrence[side]->setRange(1, std::max(v, m_occurrence[side]->maximum()));
        m_occurrence[side]->setValue(v);
    }
    run();
}

void HiddenStatesPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Side by side in a wide tab (presenter mode, a large screen), one above the other otherwise.
    m_plots->setDirection(width() > 900 ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
}

void HiddenStatesPanel::fitLayerLabels()
{
    // Slanted layer names when they would not fit side by side.
    const int labels = std::max(1, int(m_comparison.layerLabels.size()));
    const QFontMetrics fm(m_similarity->xAxis->tickLabelFont());
    int widest = 0;
    for (const QString& l : m_comparison.layerLabels)
        widest = std::max(widest, fm.horizontalAdvance(l));
    const bool crowded = m_similarity->axisRect()->width() < labels * (widest + 16);
    m_similarity->xAxis->setTickLabelRotation(crowded ? -30 : 0);
    // A slanted first label reaches left of its tick: leave it room inside the axis.
    m_similarity->xAxis->setRange(crowded ? -0.9 : -0.3, std::max(1, labels - 1) + 0.3);
}

void HiddenStatesPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        run();
}

void HiddenStatesPanel::run()
{
    if (!m_model && !m_taskModel)
        return;
    // Behind another tab nothing runs; showing the tab catches up.
    if (window()->isVisible() && !isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    for (int side = 0; side < 2; ++side) {
        InferenceRequest request;
        request.sentence = m_sentence[side]->text();
        request.step = m_step;
        request.forwardDetail = true;
        if (m_taskModel) {
            request.taskModel = m_taskModel;
            request.traceOnly = true;
        } else {
            request.model = m_model;
            request.maxLength = 8; // the encoder's states are what is compared; a short output suffices
        }
        m_pending[side] = m_inference[side]->submit(std::move(request));
    }
}

void HiddenStatesPanel::answer(int side, const InferenceResult& result)
{
    if (result.requestId != m_pending[side])
        return; // a newer request is under way
    if (!result.errorMessage.isEmpty()) {
        m_traces[side].reset();
        m_message->setText(tr("Sentence %1: %2").arg(side == 0 ? QStringLiteral("A") : QStringLiteral("B"), result.errorMessage));
        return;
    }
    m_traces[side] = result.trace;
    m_pending[side] = 0;
    if (m_pending[0] == 0 && m_pending[1] == 0 && m_traces[0] && m_traces[1]) {
        redraw();
        emit compared();
    }
}

QString HiddenStatesPanel::messageText() const
{
    return m_message->text();
}

void HiddenStatesPanel::redraw()
{
    m_similarity->clearGraphs();
    if (!m_traces[0] || !m_traces[1]) {
        m_message->setText((m_model || m_taskModel) ? QString() : tr("Open or train a model to compare hidden states."));
        m_similarity->replot();
        return;
    }
    m_comparison = compareHiddenStates(*m_traces[0], *m_traces[1], m_word->text().trimmed(),
                                       m_occurrence[0]->value() - 1, m_occurrence[1]->value() - 1);
    for (int side = 0; side < 2; ++side) {
        const QStringList& tokens = side == 0 ? m_comparison.tokensA : m_comparison.tokensB;
        const int count = int(wordPositions(tokens, m_word->text().trimmed()).size());
        const QSignalBlocker block(m_occurrence[side]);
        m_occurrence[side]->setRange(1, std::max(1, count));
    }
    m_message->setText(m_comparison.error.isEmpty()
                           ? tr("Cosine similarity of “%1” (position %2 of A, %3 of B) after each layer; model step %4. "
                                "At the embedding the two differ only by their positional encodings; self-attention "
                                "then mixes in each context.")
                                 .arg(m_word->text().trimmed())
                                 .arg(m_comparison.positionA + 1)
                                 .arg(m_comparison.positionB + 1)
                                 .arg(m_step)
                           : m_comparison.error);
    {
        const QSignalBlocker block(m_layer);
        const int keep = m_layer->currentIndex();
        const bool fresh = m_layer->count() != m_comparison.layerLabels.size();
        m_layer->clear();
        m_layer->addItems(m_comparison.layerLabels);
        // By default the last layer before the final norm, where context has mixed in most.
        const int deflt = std::max(0, int(m_comparison.layerLabels.size()) - 2);
        m_layer->setCurrentIndex(fresh || keep < 0 ? deflt : keep);
    }
    if (m_comparison.error.isEmpty()) {
        QVector<double> x;
        for (int i = 0; i < m_comparison.sameWord.size(); ++i)
            x << i;
        auto* same = m_similarity->addGraph();
        same->setName(tr("“%1” in A vs in B").arg(m_word->text().trimmed()));
        same->setData(x, m_comparison.sameWord);
        same->setPen(QPen(QColor(214, 39, 40), 2.5));
        same->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
        auto* other = m_similarity->addGraph();
        other->setName(tr("different words (mean)"));
        other->setData(x, m_comparison.otherWords);
        QPen dashed(QColor(120, 120, 120), 1.8);
        dashed.setStyle(Qt::DashLine);
        other->setPen(dashed);
        other->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < m_comparison.layerLabels.size(); ++i)
            ticker->addTick(i, m_comparison.layerLabels[i]);
        m_similarity->xAxis->setTicker(ticker);
        double lo = 0;
        for (double v : m_comparison.sameWord + m_comparison.otherWords)
            if (std::isfinite(v))
                lo = std::min(lo, v);
        m_similarity->yAxis->setRange(lo - 0.05, 1.05);
    }
    m_similarity->yAxis->setLabel(tr("cosine similarity"));
    m_similarity->xAxis->setLabel(tr("representation after"));
    setPlotTitle(m_similarity, tr("The same word in two contexts"));
    fitLayerLabels();
    m_similarity->replot();
    redrawScatter();
}

void HiddenStatesPanel::redrawScatter()
{
    m_scatterPlot->clearGraphs();
    m_scatterPlot->clearItems();
    if (!m_traces[0] || !m_traces[1] || m_layer->currentIndex() < 0) {
        m_scatter = StateScatter{};
        m_scatterPlot->replot();
        return;
    }
    m_scatter = projectHiddenStates(*m_traces[0], *m_traces[1], m_layer->currentIndex());
    const bool tags = scatterHasTags(m_scatter);
    {
        // "tag" applies to a tagger only.
        auto* model = qobject_cast<QStandardItemModel*>(m_colourBy->model());
        if (QStandardItem* item = model ? model->item(int(ScatterColouring::Tag)) : nullptr)
            item->setEnabled(tags);
        if (!tags && m_colourBy->currentIndex() == int(ScatterColouring::Tag)) {
            const QSignalBlocker block(m_colourBy);
            m_colourBy->setCurrentIndex(int(ScatterColouring::Sentence));
        }
    }
    const auto colouring = static_cast<ScatterColouring>(std::max(0, m_colourBy->currentIndex()));
    const QVector<ScatterGroup> groups = scatterGroups(m_scatter, colouring);
    // Sentence: A and B in their colours (discs and squares); position: a sequential colour map;
    // token and tag: the categorical palette, repeated past ten.
    static const QColor kPalette[10] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                        QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                        QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                        QColor(23, 190, 207)};
    QCPColorGradient sequential = colorGradient(ColorMap::Viridis);
    QVector<QColor> pointColour(m_scatter.points.size());
    for (int gi = 0; gi < groups.size(); ++gi) {
        const ScatterGroup& group = groups[gi];
        QColor c = colouring == ScatterColouring::Sentence ? kSentenceColors[gi % 2]
                   : colouring == ScatterColouring::Position
                       ? QColor::fromRgb(sequential.color(0.85 * group.shade, QCPRange(0, 1)))
                       : kPalette[gi % 10];
        QVector<double> x, y;
        for (int i : group.points) {
            x << m_scatter.points[i].x;
            y << m_scatter.points[i].y;
            pointColour[i] = c;
        }
        auto* g = m_scatterPlot->addGraph();
        g->setName(colouring == ScatterColouring::Sentence ? (gi == 0 ? tr("A") : tr("B")) : group.label);
        g->setLineStyle(QCPGraph::lsNone);
        const auto shape = colouring == ScatterColouring::Sentence && gi == 1 ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssDisc;
        g->setScatterStyle(QCPScatterStyle(shape, c, c, 8));
        g->setData(x, y); // sorted by x inside the graph; no line joins them
    }
    QVector<double> hx, hy;
    for (int i = 0; i < m_scatter.points.size(); ++i) {
        const StatePoint& p = m_scatter.points[i];
        if (p.position == (p.sentence == 0 ? m_comparison.positionA : m_comparison.positionB)) {
            hx << p.x;
            hy << p.y;
        }
        auto* label = new QCPItemText(m_scatterPlot);
        label->position->setCoords(p.x, p.y);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(5, 0, 0, 2));
        label->setText(p.token);
        label->setColor(pointColour[i].isValid() ? pointColour[i].darker(130) : QColor(Qt::black));
    }
    // Many groups (tokens, positions) wrap in the legend below the plot.
    m_scatterPlot->legend->setWrap(colouring == ScatterColouring::Sentence ? 0 : 8);
    auto* highlight = m_scatterPlot->addGraph();
    highlight->setName(tr("“%1” compared").arg(m_word->text().trimmed()));
    highlight->setLineStyle(QCPGraph::lsNone);
    highlight->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(214, 39, 40), 2.5), Qt::NoBrush, 16));
    highlight->setData(hx, hy);
    m_scatterPlot->rescaleAxes();
    // Room for the token labels right of and above each point.
    m_scatterPlot->xAxis->scaleRange(1.2, m_scatterPlot->xAxis->range().center());
    m_scatterPlot->yAxis->scaleRange(1.2, m_scatterPlot->yAxis->range().center());
    m_scatterPlot->xAxis->setLabel(tr("PC1 (%1 % of variance)").arg(100 * m_scatter.explained[0], 0, 'f', 0));
    m_scatterPlot->yAxis->setLabel(tr("PC2 (%1 % of variance)").arg(100 * m_scatter.explained[1], 0, 'f', 0));
    setPlotTitle(m_scatterPlot, m_scatter.error.isEmpty()
                                    ? tr("Hidden states after %1 (PCA)").arg(m_scatter.layerLabel)
                                    : m_scatter.error);
    m_scatterPlot->replot();
}

QString HiddenStatesPanel::pointToolTip(const QPoint& pos) const
{
    if (m_scatter.points.isEmpty())
        return {};
    const double x = m_scatterPlot->xAxis->pixelToCoord(pos.x()), y = m_scatterPlot->yAxis->pixelToCoord(pos.y());
    const double rx = std::abs(m_scatterPlot->xAxis->pixelToCoord(pos.x() + 8) - x);
    const double ry = std::abs(m_scatterPlot->yAxis->pixelToCoord(pos.y() + 8) - y);
    const int i = nearestPoint(m_scatter, x, y, std::max(rx, 1e-12), std::max(ry, 1e-12));
    if (i < 0)
        return {};
    const StatePoint& p = m_scatter.points[i];
    const QString where = tr("%1 · sentence %2, position %3").arg(p.token, p.sentence == 0 ? QStringLiteral("A") : QStringLiteral("B")).arg(p.position + 1);
    return p.tag.isEmpty() ? where : tr("%1 · tag %2").arg(where, p.tag);
}

bool HiddenStatesPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_scatterPlot && event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = pointToolTip(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, m_scatterPlot);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace al::ui
