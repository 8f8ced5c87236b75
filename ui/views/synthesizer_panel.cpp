// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/synthesizer_panel.h"

#include "ui/views/retranslate.h"

#include "ui/view_models/attention_selection.h"
#include "ui/export/export_ui.h"
#include "ui/views/heatmap_widget.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollArea>
#include <QShowEvent>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace al::ui {

namespace {

constexpr int kRedrawMs = 33;
constexpr int kMaxTranslationTokens = 64;

const QColor kComponentColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                   QColor(0x94, 0x67, 0xbd), QColor(0xff, 0x7f, 0x0e)};

QColor componentColor(int i)
{
    return kComponentColors[size_t(i) % std::size(kComponentColors)];
}

/// Context menu exporting PNG, SVG, PDF and CSV on a plain QCustomPlot, like the heatmaps'.
void enablePlotExport(QCustomPlot* plot, const QString& fileName)
{
    installPlotExportMenu(plot, fileName);
}

QString slug(const SynthSelection& sel)
{
    return QStringLiteral("%1_layer%2_head%3")
        .arg(sel.decoder ? QStringLiteral("dec-self") : QStringLiteral("enc-self"))
        .arg(sel.layer + 1)
        .arg(sel.head + 1);
}

HeatmapWidget* makeHeatmap(QWidget* parent, const char* name, ColorRange range, TextFn scaleLabel)
{
    auto* h = new HeatmapWidget(parent);
    h->setObjectName(QString::fromLatin1(name));
    h->setColorRange(range);
    onLanguageChange(h, [h, scaleLabel = std::move(scaleLabel)] { h->setScaleLabel(scaleLabel()); });
    h->setMinimumSize(240, 260);
    return h;
}

} // namespace

SynthesizerPanel::SynthesizerPanel(QWidget* parent) : QWidget(parent)
{
    m_probe = new InferenceController(this);
    m_probe->setObjectName(QStringLiteral("probeInference"));
    m_probe->setMaxLength(kMaxTranslationTokens);

    auto* layout = new QVBoxLayout(this);
    auto* nav = new QHBoxLayout;
    m_kindCombo = new QComboBox(this);
    m_kindCombo->setObjectName(QStringLiteral("synthKindCombo"));
    m_kindCombo->addItem(QString(), false);
    m_kindCombo->addItem(QString(), true);
    onLanguageChange(m_kindCombo, [this] {
        m_kindCombo->setItemText(0, attentionKindName(al::AttentionKind::EncoderSelf));
        m_kindCombo->setItemText(1, attentionKindName(al::AttentionKind::DecoderSelf));
    });
    m_layerSpin = new QSpinBox(this);
    m_layerSpin->setObjectName(QStringLiteral("synthLayerSpin"));
    m_layerSpin->setRange(1, 1);
    m_headSpin = new QSpinBox(this);
    m_headSpin->setObjectName(QStringLiteral("synthHeadSpin"));
    m_headSpin->setRange(1, 1);
    nav->addWidget(m_kindCombo, 1);
    nav->addWidget(trLabel(this, [=] { return tr("Layer:"); }));
    nav->addWidget(m_layerSpin);
    nav->addWidget(trLabel(this, [=] { return tr("Head:"); }));
    nav->addWidget(m_headSpin);
    layout->addLayout(nav);
    m_variantLabel = new QLabel(this);
    m_variantLabel->setObjectName(QStringLiteral("synthVariantLabel"));
    m_variantLabel->setWordWrap(true);
    layout->addWidget(m_variantLabel);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("synthMessage"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setMargin(24);
    layout->addWidget(m_message, 1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_content = new QWidget(scroll);
    auto* content = new QVBoxLayout(m_content);
    content->setContentsMargins(0, 0, 0, 0);
    scroll->setWidget(m_content);
    layout->addWidget(scroll, 1);
    m_scroll = scroll;

    // 1. Synthesized scores next to the resulting attention.
    auto* pairGroup = trGroup(m_content, [=] { return tr("Synthesized scores and the attention they produce"); });
    auto* pair = new QHBoxLayout(pairGroup);
    m_scores = makeHeatmap(pairGroup, "synthScoresHeatmap", ColorRange::Symmetric, [] { return tr("score (before softmax)"); });
    m_probabilities =
        makeHeatmap(pairGroup, "synthProbabilitiesHeatmap", ColorRange::Probability, [] { return tr("attention weight"); });
    pair->addWidget(m_scores, 1);
    pair->addWidget(m_probabilities, 1);
    content->addWidget(pairGroup, 3);

    // 2. The input-independent alignment R beside 3. the mixture weights (now and over training).
    auto* middle = new QHBoxLayout;
    m_alignmentGroup = trGroup(m_content, [=] { return tr("Input-independent alignment R"); });
    auto* alignment = new QVBoxLayout(m_alignmentGroup);
    m_alignment = makeHeatmap(m_alignmentGroup, "randomAlignmentHeatmap", ColorRange::Symmetric, [] { return tr("score"); });
    onLanguageChange(m_alignment, [this] { m_alignment->setAxisTitles(tr("key position"), tr("query position")); });
    m_alignment->setMinimumSize(300, 300);
    m_alignmentNote = new QLabel(m_alignmentGroup);
    m_alignmentNote->setWordWrap(true);
    alignment->addWidget(m_alignment, 1);
    alignment->addWidget(m_alignmentNote);
    middle->addWidget(m_alignmentGroup, 1);

    m_mixtureGroup = trGroup(m_content, [=] { return tr("Mixture weights α"); });
    auto* mixture = new QVBoxLayout(m_mixtureGroup);
    m_alphaBars = new QCustomPlot(m_mixtureGroup);
    m_alphaBars->setObjectName(QStringLiteral("alphaBarsPlot"));
    m_alphaBars->setMinimumSize(220, 150);
    m_alphaBars->yAxis->setRange(0.0, 1.0);

    m_alphaBars->xAxis->grid()->setVisible(false);
    m_alphaBars->plotLayout()->insertRow(0);
    auto* alphaTitle = new QCPTextElement(m_alphaBars, QString(), QFont());
    m_alphaBars->plotLayout()->addElement(0, 0, alphaTitle);
    onLanguageChange(m_alphaBars, [this, alphaTitle] {
        m_alphaBars->yAxis->setLabel(tr("α"));
        alphaTitle->setText(tr("α of this head now"));
    });
    enablePlotExport(m_alphaBars, QStringLiteral("synth_alpha.png"));
    m_alphaHistoryPlot = new QCustomPlot(m_mixtureGroup);
    m_alphaHistoryPlot->setObjectName(QStringLiteral("alphaHistoryPlot"));
    m_alphaHistoryPlot->setMinimumSize(220, 180);
    m_alphaHistoryPlot->yAxis->setRange(0.0, 1.0);
    m_alphaHistoryPlot->legend->setVisible(true);
    m_alphaHistoryPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_alphaHistoryPlot->plotLayout()->insertRow(0);
    auto* historyTitle = new QCPTextElement(m_alphaHistoryPlot, QString(), QFont());
    m_alphaHistoryPlot->plotLayout()->addElement(0, 0, historyTitle);
    onLanguageChange(m_alphaHistoryPlot, [this, historyTitle] {
        m_alphaHistoryPlot->yAxis->setLabel(tr("α"));
        m_alphaHistoryPlot->xAxis->setLabel(tr("training step"));
        historyTitle->setText(tr("α of this head over training"));
    });
    enablePlotExport(m_alphaHistoryPlot, QStringLiteral("synth_alpha_history.png"));
    mixture->addWidget(m_alphaBars, 2);
    mixture->addWidget(m_alphaHistoryPlot, 3);
    middle->addWidget(m_mixtureGroup, 1);
    content->addLayout(middle, 4);

    // 4. Input-dependence probe.
    auto* probeGroup = trGroup(m_content, [=] { return tr("Input-dependence probe"); });
    auto* probe = new QVBoxLayout(probeGroup);
    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(trLabel(probeGroup, [=] { return tr("Second sentence:"); }));
    m_probeEdit = new QLineEdit(QStringLiteral("他们明天去学校。"), probeGroup);
    m_probeEdit->setObjectName(QStringLiteral("probeSentenceEdit"));
    trToolTip(m_probeEdit, [=] { return tr("Translated by the same snapshot as the main sentence; its synthesized scores are "
                               "compared with the main sentence's."); });
    probeRow->addWidget(m_probeEdit, 1);
    probe->addLayout(probeRow);
    auto* probePair = new QHBoxLayout;
    m_probeFirst = makeHeatmap(probeGroup, "probeFirstHeatmap", ColorRange::Symmetric, [] { return tr("score"); });
    m_probeSecond = makeHeatmap(probeGroup, "probeSecondHeatmap", ColorRange::Symmetric, [] { return tr("score"); });
    probePair->addWidget(m_probeFirst, 1);
    probePair->addWidget(m_probeSecond, 1);
    probe->addLayout(probePair, 1);
    m_probeLabel = new QLabel(probeGroup);
    m_probeLabel->setObjectName(QStringLiteral("probeDifferenceLabel"));
    m_probeLabel->setWordWrap(true);
    m_probeLabel->setTextFormat(Qt::RichText);
    probe->addWidget(m_probeLabel);
    content->addWidget(probeGroup, 3);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &SynthesizerPanel::redraw);
    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, &SynthesizerPanel::scheduleRedraw);
    connect(m_layerSpin, &QSpinBox::valueChanged, this, &SynthesizerPanel::scheduleRedraw);
    connect(m_headSpin, &QSpinBox::valueChanged, this, &SynthesizerPanel::scheduleRedraw);
    connect(m_probeEdit, &QLineEdit::textChanged, m_probe, &InferenceController::setSentence);
    connect(m_probe, &InferenceController::translated, this, &SynthesizerPanel::onProbeTranslated);
    m_probe->setSentence(m_probeEdit->text());
    // The variant line, the notes, the plots' legends and the probe comparison are made when drawn.
    onLanguageChange(this, [this] { redraw(); });
}

SynthesizerPanel::~SynthesizerPanel()
{
    shutdown();
}

void SynthesizerPanel::shutdown()
{
    m_probe->shutdown();
}

SynthSelection SynthesizerPanel::selection() const
{
    SynthSelection sel;
    sel.decoder = m_kindCombo->currentData().toBool();
    sel.layer = m_layerSpin->value() - 1;
    sel.head = m_headSpin->value() - 1;
    return sel;
}

void SynthesizerPanel::setSelection(const SynthSelection& sel)
{
    m_kindCombo->setCurrentIndex(sel.decoder ? 1 : 0);
    m_layerSpin->setValue(sel.layer + 1);
    m_headSpin->setValue(sel.head + 1);
    scheduleRedraw();
}

QString SynthesizerPanel::probeSentence() const
{
    return m_probeEdit->text();
}

void SynthesizerPanel::setProbeSentence(const QString& sentence)
{
    m_probeEdit->setText(sentence);
}

QString SynthesizerPanel::messageText() const
{
    return m_message->isVisible() || !m_content->isVisible() ? m_message->text() : QString();
}

void SynthesizerPanel::setResult(const InferenceResult& result)
{
    if (!result.trace || !result.model)
        return;
    m_trace = result.trace;
    m_model = result.model;
    m_step = result.modelStep;
    m_history.add(result.modelStep, *result.trace);
    m_comparison.setFirst(result.trace, result.model);
    // The probe follows the snapshot of the main sentence, so both sides can be compared.
    if (isVisible() && m_probe->model() != result.model)
        m_probe->setModel(result.model, result.modelStep);
    scheduleRedraw();
}

void SynthesizerPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_model && m_probe->model() != m_model)
        m_probe->setModel(m_model, m_step);
    if (m_dirty)
        scheduleRedraw();
}

void SynthesizerPanel::resetHistory()
{
    m_history.clear();
    scheduleRedraw();
}

void SynthesizerPanel::onProbeTranslated(const InferenceResult& result)
{
    if (result.requestId < m_lastProbeId)
        return;
    m_lastProbeId = result.requestId;
    m_comparison.setSecond(result.trace, result.model);
    m_probeStep = result.modelStep;
    scheduleRedraw();
}

void SynthesizerPanel::scheduleRedraw()
{
    // Hidden (another tab is shown): only remember; showEvent draws.
    m_dirty = true;
    if (!isVisible())
        return;
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void SynthesizerPanel::redraw()
{
    m_dirty = false;
    const std::string variant = m_model ? m_model->net.config().attention : std::string();
    const bool synth = m_trace && isSynthesizerVariant(variant) && !synthesizerTrace(*m_trace, false).scores.empty();
    m_variantLabel->setText(m_model ? tr("Model: <b>%1</b> · step %2").arg(variantDisplayName(variant)).arg(m_step)
                                    : QString());
    if (!m_trace) {
        m_message->setText(tr("The Synthesizer view appears once a model translates the sentence. "
                              "Choose a Synthesizer under Model settings → Attention and press Train."));
    } else if (!synth) {
        m_message->setText(
            tr("<p><b>This model uses dot-product attention</b> (softmax(QKᵀ/√d<sub>k</sub>)): every weight "
               "comes from comparing a query with a key, so nothing is synthesized.</p>"
               "<p>To see what a Synthesizer learns (Tay et al. 2021), stop training, choose one under "
               "<i>Model settings → Attention</i> — Dense, Random, Fixed Random, Factorized, or a "
               "mixture such as Random + Dense — and press Train.</p>"));
    }
    m_message->setVisible(!synth);
    m_scroll->setVisible(synth);
    if (!synth) {
        for (HeatmapWidget* h : {m_scores, m_probabilities, m_alignment, m_probeFirst, m_probeSecond})
            h->clearMatrix();
        return;
    }

    const al::Trace& trace = *m_trace;
    SynthSelection sel = selection();
    {
        const QSignalBlocker block(m_layerSpin);
        m_layerSpin->setRange(1, std::max(1, selfAttentionLayerCount(trace, sel.decoder)));
    }
    sel = clampSynthSelection(trace, selection());
    {
        const QSignalBlocker block(m_headSpin);
        m_headSpin->setRange(1, std::max(1, selfAttentionHeadCount(trace, sel.decoder, sel.layer)));
    }
    sel = clampSynthSelection(trace, selection());
    const QStringList tokens = selfAttentionTokens(trace, sel.decoder);

    if (const al::Mat* s = selectSynthesizedScores(trace, sel))
        m_scores->setMatrix(*s, tokens, tokens);
    else
        m_scores->clearMatrix();
    m_scores->setTitle(isMixtureVariant(variant) ? tr("Synthesized scores Σ αᵢSᵢ (without the dot-product part)")
                                                 : tr("Synthesized scores (before softmax)"));
    m_scores->setExportFileName(QStringLiteral("synth_scores_%1.png").arg(slug(sel)));
    if (const al::Mat* p = selectSelfAttention(trace, sel))
        m_probabilities->setMatrix(*p, tokens, tokens);
    else
        m_probabilities->clearMatrix();
    m_probabilities->setTitle(tr("Attention weights (after mask and softmax)"));
    m_probabilities->setExportFileName(QStringLiteral("synth_attention_%1.png").arg(slug(sel)));

    // R (or R1 R2), l x l; the sentence uses its top-left block.
    const bool random = hasRandomAlignment(variant);
    m_alignmentGroup->setVisible(random);
    if (random) {
        const al::Mat r = randomAlignment(*m_model, sel);
        const int l = int(r.rows());
        const int n = int(tokens.size());
        m_alignment->setMatrix(r, positionLabels(l), positionLabels(int(r.cols())));
        m_alignment->setOutlinedBlock(n, n);
        const bool factorized = variant.find("factorized_random") != std::string::npos;
        m_alignment->setTitle(factorized ? tr("R = R₁R₂ (%1 × %2)").arg(l).arg(r.cols())
                                         : tr("R (%1 × %2)").arg(l).arg(r.cols()));
        m_alignment->setExportFileName(QStringLiteral("synth_R_%1.png").arg(slug(sel)));
        QString note = tr("The same matrix for every input. This sentence (%n token(s)) uses only the outlined "
                          "top-left block.", nullptr, n);
        if (variant == "fixed_random")
            note += QLatin1Char(' ') + tr("Fixed Random: R keeps its random initial values (never trained).");
        else if (factorized)
            note += QLatin1Char(' ') + tr("Factorized: R is the product of two thin matrices (low rank).");
        m_alignmentNote->setText(note);
    } else {
        m_alignment->clearMatrix();
    }

    m_mixtureGroup->setVisible(isMixtureVariant(variant));
    if (isMixtureVariant(variant))
        redrawAlpha(trace, sel);
    redrawProbe(sel);
}

void SynthesizerPanel::redrawAlpha(const al::Trace& trace, const SynthSelection& sel)
{
    const QVector<double> weights = mixtureWeights(trace, sel);
    const QStringList names = mixtureComponentNames(trace, sel.decoder);
    m_alphaBars->clearPlottables();
    auto* bars = new QCPBars(m_alphaBars->xAxis, m_alphaBars->yAxis);
    bars->setWidth(0.6);
    bars->setPen(Qt::NoPen);
    bars->setBrush(componentColor(0));
    QVector<double> x;
    for (int i = 0; i < weights.size(); ++i)
        x << i;
    bars->setData(x, weights, true);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < names.size(); ++i)
        ticker->addTick(i, names[i]);
    m_alphaBars->xAxis->setTicker(ticker);
    m_alphaBars->xAxis->setRange(-0.6, std::max<int>(int(weights.size()), 1) - 0.4);
    m_alphaBars->replot(QCustomPlot::rpQueuedReplot);

    m_alphaHistoryPlot->clearGraphs();
    const QVector<double> steps = m_history.steps();
    const std::vector<std::string> comps = m_history.components(sel.decoder);
    for (int c = 0; c < int(comps.size()); ++c) {
        QCPGraph* g = m_alphaHistoryPlot->addGraph();
        g->setName(componentDisplayName(comps[size_t(c)]));
        g->setPen(QPen(componentColor(c), 2));
        g->setData(steps, m_history.series(sel, c), true);
    }
    if (!steps.isEmpty())
        m_alphaHistoryPlot->xAxis->setRange(steps.first(), std::max(steps.last(), steps.first() + 1.0));
    m_alphaHistoryPlot->replot(QCustomPlot::rpQueuedReplot);
}

void SynthesizerPanel::redrawProbe(const SynthSelection& sel)
{
    const al::Trace* first = m_comparison.first();
    const al::Trace* second = m_comparison.second();
    auto show = [&](HeatmapWidget* h, const al::Trace* t, const QString& which) {
        const al::Mat* s = t ? selectSynthesizedScores(*t, sel) : nullptr;
        if (s) {
            const QStringList tokens = selfAttentionTokens(*t, sel.decoder);
            h->setMatrix(*s, tokens, tokens);
        } else {
            h->clearMatrix();
        }
        h->setTitle(which);
        h->setExportFileName(QStringLiteral("synth_probe_%1_%2.png").arg(h == m_probeFirst ? 1 : 2).arg(slug(sel)));
    };
    show(m_probeFirst, first, tr("Main sentence"));
    show(m_probeSecond, second, tr("Second sentence"));
    // One colour scale for both, so equal scores look equal.
    const ValueRange a = valueRange(m_probeFirst->hasData() ? m_probeFirst->matrix() : al::Mat(), ColorRange::Symmetric);
    const ValueRange b = valueRange(m_probeSecond->hasData() ? m_probeSecond->matrix() : al::Mat(), ColorRange::Symmetric);
    double bound = 0.0;
    if (m_probeFirst->hasData())
        bound = std::max(bound, a.upper);
    if (m_probeSecond->hasData())
        bound = std::max(bound, b.upper);
    for (HeatmapWidget* h : {m_probeFirst, m_probeSecond}) {
        if (bound > 0.0)
            h->setFixedDataRange({-bound, bound});
        else
            h->clearFixedDataRange();
    }

    if (m_comparison.sameModel()) {
        m_difference = m_comparison.difference(sel);
        if (!m_difference.valid) {
            m_probeLabel->setText(tr("No synthesized scores to compare."));
            return;
        }
        const bool same = m_difference.maxAbs == 0.0;
        m_probeLabel->setText(
            tr("max |difference| over the common top-left %1 × %2 block: <b>%3</b> (step %4) — %5")
                .arg(m_difference.rows)
                .arg(m_difference.cols)
                .arg(m_difference.maxAbs, 0, 'g', 4)
                .arg(m_step)
                .arg(same ? tr("identical: these scores do not depend on the input (Random).")
                          : tr("the scores change with the input (Dense).")));
    } else if (!second) {
        m_probeLabel->setText(tr("Translating the second sentence…"));
    } else {
        m_probeLabel->setText(tr("Waiting for both sentences to run on the same snapshot…"));
    }
}

} // namespace al::ui
