// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/decoding_panel.h"

#include "ui/view_models/lab_setup.h"

#include "ui/views/retranslate.h"

#include "ui/export/export_ui.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace al::ui {

namespace {

const QColor kBarColor(0x7f, 0xa7, 0xd0);
const QColor kChosenColor(0xe6, 0x7e, 0x22);
const QColor kForcedColor(0x8e, 0x44, 0xad);
const QColor kCrossColor(0x2c, 0x7f, 0xb8);

QCPTextElement* plotTitle(QCustomPlot* plot)
{
    return qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
}

QCustomPlot* makeBarPlot(QWidget* parent, const char* name)
{
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(QString::fromLatin1(name));
    plot->setMinimumSize(300, 180);
    plot->xAxis->grid()->setVisible(false);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = plot->font();
    titleFont.setBold(true);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QString(), titleFont));
    return plot;
}

QStringList sourceTokens(const al::Trace* trace)
{
    QStringList out;
    if (trace)
        for (const std::string& t : trace->src_tokens)
            out << QString::fromStdString(t);
    return out;
}

QString htmlEscaped(const QString& s)
{
    return s.toHtmlEscaped();
}

QString quoted(const QString& token)
{
    return QStringLiteral("“%1”").arg(token);
}

/// PNG/SVG/PDF through the export helpers; CSV from `csv` (the numbers with their labels).
void installExportMenu(QCustomPlot* plot, const QString& suggestedName, const std::function<QByteArray()>& csv)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, suggestedName, csv](const QPoint& pos) {
        QMenu menu(plot);
        QMap<QAction*, ExportFormat> actions;
        for (ExportFormat f : exportFormats())
            actions.insert(menu.addAction(f == ExportFormat::Csv
                                              ? DecodingPanel::tr("Export numbers as CSV…")
                                              : DecodingPanel::tr("Export as %1…").arg(exportFormatId(f).toUpper())),
                           f);
        QAction* chosen = menu.exec(plot->mapToGlobal(pos));
        if (!actions.contains(chosen))
            return;
        const ExportFormat format = actions.value(chosen);
        interactiveExport(plot, format, suggestedName, QSizeF(plot->size()),
                          [plot, csv, format](const QString& path, const FigureSize& size) {
                              writeFileAtomically(path, format == ExportFormat::Csv ? csv()
                                                                                    : renderPlot(plot, format, size));
                          });
    });
}

/// Bar labels turn by 45 degrees when upright ones would overlap in the axis rect.
double tickLabelRotation(QCustomPlot* plot, const QStringList& labels)
{
    if (labels.isEmpty())
        return 0.0;
    const QFontMetrics fm(plot->xAxis->tickLabelFont());
    int widest = 0;
    for (const QString& l : labels)
        widest = std::max(widest, fm.horizontalAdvance(l));
    const double slot = plot->axisRect()->width() / double(labels.size());
    return widest + 6 > slot ? -45.0 : 0.0;
}

QString probabilityLabel(double p)
{
    return p >= 0.01 ? QString::number(p, 'f', 2) : QString::number(p, 'g', 2);
}

} // namespace

DecodingPanel::DecodingPanel(QWidget* parent) : QWidget(parent)
{
    m_controller = new DecodingController(this);
    m_controller->setObjectName(QStringLiteral("decodingController"));
    m_controller->setPaused(true); // until shown

    auto* layout = new QVBoxLayout(this);

    // Strategy and its parameters.
    auto* strategyRow = new QHBoxLayout;
    strategyRow->addWidget(trLabel(this, [=] { return tr("Strategy:"); }));
    m_strategyCombo = new QComboBox(this);
    m_strategyCombo->setObjectName(QStringLiteral("decodingStrategyCombo"));
    addSourceItem(m_strategyCombo, QT_TR_NOOP("Greedy"), int(al::DecodingStrategy::Greedy));
    addSourceItem(m_strategyCombo, QT_TR_NOOP("Beam search"), int(al::DecodingStrategy::Beam));
    addSourceItem(m_strategyCombo, QT_TR_NOOP("Sampling"), int(al::DecodingStrategy::Sample));
    translateItems(m_strategyCombo, staticMetaObject.className());
    strategyRow->addWidget(m_strategyCombo);

    m_beamBox = new QWidget(this);
    auto* beam = new QHBoxLayout(m_beamBox);
    beam->setContentsMargins(0, 0, 0, 0);
    m_beamWidthSpin = new QSpinBox(m_beamBox);
    m_beamWidthSpin->setObjectName(QStringLiteral("beamWidthSpin"));
    m_beamWidthSpin->setRange(1, kMaxBeamWidth);
    m_beamWidthSpin->setValue(4);
    trToolTip(m_beamWidthSpin, [=] { return tr("Beam width: hypotheses kept at each step (1 = greedy)."); });
    m_lengthPenaltySpin = new QDoubleSpinBox(m_beamBox);
    m_lengthPenaltySpin->setObjectName(QStringLiteral("lengthPenaltySpin"));
    m_lengthPenaltySpin->setRange(0.0, kMaxLengthPenalty);
    m_lengthPenaltySpin->setSingleStep(0.1);
    m_lengthPenaltySpin->setValue(0.6);
    trToolTip(m_lengthPenaltySpin, [=] { return tr("α of the GNMT length penalty ((5 + |Y|)^α / 6^α); 0 ranks by log-probability, "
                                       "larger values favour longer outputs."); });
    beam->addWidget(trLabel(m_beamBox, [=] { return tr("width"); }));
    beam->addWidget(m_beamWidthSpin);
    beam->addWidget(trLabel(m_beamBox, [=] { return tr("length penalty α"); }));
    beam->addWidget(m_lengthPenaltySpin);
    strategyRow->addWidget(m_beamBox);

    m_sampleBox = new QWidget(this);
    auto* sample = new QHBoxLayout(m_sampleBox);
    sample->setContentsMargins(0, 0, 0, 0);
    m_temperatureSpin = new QDoubleSpinBox(m_sampleBox);
    m_temperatureSpin->setObjectName(QStringLiteral("temperatureSpin"));
    m_temperatureSpin->setRange(0.05, 5.0);
    m_temperatureSpin->setSingleStep(0.1);
    m_temperatureSpin->setValue(1.0);
    trToolTip(m_temperatureSpin, [=] { return tr("The logits are divided by the temperature: below 1 sharpens, above 1 flattens."); });
    m_topKSpin = new QSpinBox(m_sampleBox);
    m_topKSpin->setObjectName(QStringLiteral("topKSpin"));
    m_topKSpin->setRange(0, 10000);
    trSpecialValue(m_topKSpin, [=] { return tr("off"); });
    trToolTip(m_topKSpin, [=] { return tr("Sample only among the k most probable tokens (0 = no limit)."); });
    m_topPSpin = new QDoubleSpinBox(m_sampleBox);
    m_topPSpin->setObjectName(QStringLiteral("topPSpin"));
    m_topPSpin->setRange(0.01, 1.0);
    m_topPSpin->setSingleStep(0.05);
    m_topPSpin->setValue(1.0);
    trToolTip(m_topPSpin, [=] { return tr("Nucleus sampling: the smallest set of most probable tokens whose probability sums to p."); });
    m_seedSpin = new QSpinBox(m_sampleBox);
    m_seedSpin->setObjectName(QStringLiteral("seedSpin"));
    m_seedSpin->setRange(0, 1000000000);
    m_seedSpin->setValue(1);
    trToolTip(m_seedSpin, [=] { return tr("The same seed gives the same sample."); });
    sample->addWidget(trLabel(m_sampleBox, [=] { return tr("T"); }));
    sample->addWidget(m_temperatureSpin);
    sample->addWidget(trLabel(m_sampleBox, [=] { return tr("top-k"); }));
    sample->addWidget(m_topKSpin);
    sample->addWidget(trLabel(m_sampleBox, [=] { return tr("top-p"); }));
    sample->addWidget(m_topPSpin);
    sample->addWidget(trLabel(m_sampleBox, [=] { return tr("seed"); }));
    sample->addWidget(m_seedSpin);
    strategyRow->addWidget(m_sampleBox);
    strategyRow->addStretch(1);
    strategyRow->addWidget(trLabel(this, [=] { return tr("Bars:"); }));
    m_barsSpin = new QSpinBox(this);
    m_barsSpin->setObjectName(QStringLiteral("decodingBarsSpin"));
    m_barsSpin->setRange(1, 30);
    m_barsSpin->setValue(10);
    trToolTip(m_barsSpin, [=] { return tr("How many of the most probable next tokens to show at each step."); });
    strategyRow->addWidget(m_barsSpin);
    layout->addLayout(strategyRow);

    // The output so far, how it was decoded.
    m_outputLabel = new QLabel(this);
    m_outputLabel->setObjectName(QStringLiteral("decodingOutputLabel"));
    m_outputLabel->setTextFormat(Qt::RichText);
    m_outputLabel->setWordWrap(true);
    QFont big = m_outputLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_outputLabel->setFont(big);
    layout->addWidget(m_outputLabel);
    m_summaryLabel = new QLabel(this);
    m_summaryLabel->setObjectName(QStringLiteral("decodingSummaryLabel"));
    m_summaryLabel->setWordWrap(true);
    layout->addWidget(m_summaryLabel);

    // Step navigation.
    auto* stepRow = new QHBoxLayout;
    auto* prev = new QToolButton(this);
    prev->setObjectName(QStringLiteral("decodingPrevStep"));
    prev->setArrowType(Qt::LeftArrow);
    trToolTip(prev, [=] { return tr("Previous step"); });
    auto* next = new QToolButton(this);
    next->setObjectName(QStringLiteral("decodingNextStep"));
    next->setArrowType(Qt::RightArrow);
    trToolTip(next, [=] { return tr("Next step"); });
    m_stepSlider = new QSlider(Qt::Horizontal, this);
    m_stepSlider->setObjectName(QStringLiteral("decodingStepSlider"));
    m_stepSlider->setRange(0, 0);
    m_stepSlider->setPageStep(1);
    m_stepSlider->setTickPosition(QSlider::TicksBelow);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(110);
    stepRow->addWidget(trLabel(this, [=] { return tr("Step:"); }));
    stepRow->addWidget(prev);
    stepRow->addWidget(m_stepSlider, 1);
    stepRow->addWidget(next);
    stepRow->addWidget(m_stepLabel);
    layout->addLayout(stepRow);

    // Bars and cross-attention (left), the list of steps (right).
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* plots = new QWidget(splitter);
    auto* plotsLayout = new QVBoxLayout(plots);
    plotsLayout->setContentsMargins(0, 0, 0, 0);
    m_probPlot = makeBarPlot(plots, "decodingProbabilityPlot");
    m_barsOther = new QCPBars(m_probPlot->xAxis, m_probPlot->yAxis);
    m_barsOther->setPen(Qt::NoPen);
    m_barsOther->setBrush(kBarColor);
    m_barsOther->setWidth(0.7);
    m_barsChosen = new QCPBars(m_probPlot->xAxis, m_probPlot->yAxis);
    m_barsChosen->setPen(Qt::NoPen);
    m_barsChosen->setBrush(kChosenColor);
    m_barsChosen->setWidth(0.7);
    m_sampleMarks = m_probPlot->addGraph();
    m_sampleMarks->setLineStyle(QCPGraph::lsNone);
    m_sampleMarks->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black, 1.5), QBrush(Qt::white), 9));
    onLanguageChange(m_probPlot, [this] {
        m_probPlot->yAxis->setLabel(tr("probability"));
        m_probPlot->xAxis->setLabel(tr("next token (click a bar to force it)"));
        m_barsOther->setName(tr("p(next token)"));
        m_barsChosen->setName(tr("chosen"));
        m_sampleMarks->setName(tr("sampled from (T, top-k, top-p)"));
    });
    m_probPlot->legend->setVisible(true);
    m_probPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    installExportMenu(m_probPlot, QStringLiteral("decoding_step_probabilities.png"),
                      [this] { return stepBarsCsv(m_bars); });
    plotsLayout->addWidget(m_probPlot, 3);

    auto* crossGroup = new QWidget(plots);
    auto* crossLayout = new QVBoxLayout(crossGroup);
    crossLayout->setContentsMargins(0, 0, 0, 0);
    auto* crossNav = new QHBoxLayout;
    crossNav->addWidget(trLabel(crossGroup, [=] { return tr("Cross-attention: layer"); }));
    m_layerSpin = new QSpinBox(crossGroup);
    m_layerSpin->setObjectName(QStringLiteral("decodingLayerSpin"));
    m_layerSpin->setRange(1, 1);
    crossNav->addWidget(m_layerSpin);
    crossNav->addWidget(trLabel(crossGroup, [=] { return tr("head"); }));
    m_headCombo = new QComboBox(crossGroup);
    m_headCombo->setObjectName(QStringLiteral("decodingHeadCombo"));
    m_headCombo->addItem(QString(), -1);
    onLanguageChange(m_headCombo, [this] {
        for (int i = 0; i < m_headCombo->count(); ++i) {
            const int head = m_headCombo->itemData(i).toInt();
            m_headCombo->setItemText(i, head < 0 ? tr("mean over heads") : tr("head %1").arg(head + 1));
        }
    });
    crossNav->addWidget(m_headCombo);
    crossNav->addStretch(1);
    crossLayout->addLayout(crossNav);
    m_crossPlot = makeBarPlot(crossGroup, "decodingCrossPlot");
    m_crossBars = new QCPBars(m_crossPlot->xAxis, m_crossPlot->yAxis);
    onLanguageChange(m_crossPlot, [this] {
        m_crossPlot->yAxis->setLabel(tr("attention weight"));
        m_crossPlot->xAxis->setLabel(tr("source token"));
        m_crossBars->setName(tr("cross-attention"));
    });
    m_crossBars->setPen(Qt::NoPen);
    m_crossBars->setBrush(kCrossColor);
    m_crossBars->setWidth(0.7);
    m_crossPlot->yAxis->setRange(0.0, 1.0);
    installExportMenu(m_crossPlot, QStringLiteral("decoding_step_cross_attention.png"),
                      [this] { return crossRowCsv(m_crossRow, sourceTokens(m_trace.get())); });
    crossLayout->addWidget(m_crossPlot, 1);
    plotsLayout->addWidget(crossGroup, 2);
    splitter->addWidget(plots);

    m_stepList = new QListWidget(splitter);
    m_stepList->setObjectName(QStringLiteral("decodingStepList"));
    trToolTip(m_stepList, [=] { return tr("Every step: the chosen token and its probability; forced tokens are marked ✎."); });
    splitter->addWidget(m_stepList);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({600, 170});
    layout->addWidget(splitter, 1);

    // Teacher forcing by hand.
    auto* forceRow = new QHBoxLayout;
    forceRow->addWidget(trLabel(this, [=] { return tr("Force at this step:"); }));
    m_forceCombo = new QComboBox(this);
    m_forceCombo->setObjectName(QStringLiteral("forceTokenCombo"));
    m_forceCombo->setEditable(true);
    m_forceCombo->setInsertPolicy(QComboBox::NoInsert);
    m_forceCombo->setMinimumWidth(140);
    trToolTip(m_forceCombo, [=] { return tr("Pick one of the top tokens or type any target token (or words); decoding "
                                "continues from it."); });
    forceRow->addWidget(m_forceCombo, 1);
    m_forceButton = trButton(this, [=] { return tr("Force"); });
    m_forceButton->setObjectName(QStringLiteral("forceTokenButton"));
    forceRow->addWidget(m_forceButton);
    m_clearButton = trButton(this, [=] { return tr("Clear forced prefix"); });
    m_clearButton->setObjectName(QStringLiteral("clearForcedButton"));
    forceRow->addWidget(m_clearButton);
    m_forcedLabel = new QLabel(this);
    m_forcedLabel->setObjectName(QStringLiteral("forcedPrefixLabel"));
    forceRow->addWidget(m_forcedLabel, 2);
    layout->addLayout(forceRow);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("decodingMessage"));
    m_message->setWordWrap(true);
    layout->addWidget(m_message);

    connect(m_strategyCombo, &QComboBox::currentIndexChanged, this, &DecodingPanel::onOptionsChanged);
    for (QSpinBox* s : {m_beamWidthSpin, m_topKSpin, m_seedSpin, m_barsSpin})
        connect(s, &QSpinBox::valueChanged, this, &DecodingPanel::onOptionsChanged);
    for (QDoubleSpinBox* s : {m_lengthPenaltySpin, m_temperatureSpin, m_topPSpin})
        connect(s, &QDoubleSpinBox::valueChanged, this, &DecodingPanel::onOptionsChanged);
    connect(m_stepSlider, &QSlider::valueChanged, this, &DecodingPanel::setCurrentStep);
    connect(prev, &QToolButton::clicked, this, [this] { setCurrentStep(m_step - 1); });
    connect(next, &QToolButton::clicked, this, [this] { setCurrentStep(m_step + 1); });
    connect(m_stepList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0)
            setCurrentStep(row);
    });
    connect(m_layerSpin, &QSpinBox::valueChanged, this, &DecodingPanel::redrawCross);
    connect(m_headCombo, &QComboBox::currentIndexChanged, this, &DecodingPanel::redrawCross);
    connect(m_probPlot, &QCustomPlot::plottableClick, this, [this](QCPAbstractPlottable* p, int dataIndex, QMouseEvent*) {
        auto* bars = qobject_cast<QCPBars*>(p);
        if (!bars || dataIndex < 0 || dataIndex >= bars->dataCount())
            return;
        forceBar(int(std::lround((bars->data()->constBegin() + dataIndex)->key)));
    });
    connect(m_forceButton, &QPushButton::clicked, this, [this] { forceText(m_forceCombo->currentText()); });
    connect(m_forceCombo->lineEdit(), &QLineEdit::returnPressed, this,
            [this] { forceText(m_forceCombo->currentText()); });
    connect(m_clearButton, &QPushButton::clicked, this, &DecodingPanel::clearForced);
    connect(m_controller, &DecodingController::decoded, this, &DecodingPanel::setResult);

    updateStrategyControls();
    m_controller->setOptions(options());
    // The output line, the step texts, the plot titles and the list are made when drawn.
    onLanguageChange(this, [this] { redraw(); });
}

DecodingPanel::~DecodingPanel()
{
    shutdown();
}

void DecodingPanel::shutdown()
{
    m_controller->shutdown();
}

void DecodingPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    m_controller->setPaused(false);
}

void DecodingPanel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_controller->setPaused(true);
}

void DecodingPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Whether bar labels must turn depends on the plots' width.
    redrawProbabilities();
    redrawCross();
}

void DecodingPanel::setModel(const ModelSnapshot& model, qint64 step)
{
    m_controller->setModel(model, step);
    if (!m_trace && model)
        setMessage(isVisible() ? tr("Decoding…") : QString(), false);
}

void DecodingPanel::setSentence(const QString& sentence)
{
    if (sentence == m_controller->sentence())
        return;
    // Forced tokens belong to the old sentence's output.
    m_controller->setForcedTokens({});
    m_controller->setSentence(sentence);
}

al::DecodingOptions DecodingPanel::options() const
{
    al::DecodingOptions o = m_controller->options();
    o.strategy = al::DecodingStrategy(m_strategyCombo->currentData().toInt());
    o.beam_width = m_beamWidthSpin->value();
    o.length_penalty = m_lengthPenaltySpin->value();
    o.temperature = m_temperatureSpin->value();
    o.top_k = m_topKSpin->value();
    o.top_p = m_topPSpin->value();
    o.seed = uint64_t(m_seedSpin->value());
    o.record_top_k = m_barsSpin->value();
    o.forced_prefix.clear();
    return o;
}

void DecodingPanel::setOptions(const al::DecodingOptions& o)
{
    {
        const QSignalBlocker b1(m_strategyCombo), b2(m_beamWidthSpin), b3(m_lengthPenaltySpin), b4(m_temperatureSpin),
            b5(m_topKSpin), b6(m_topPSpin), b7(m_seedSpin), b8(m_barsSpin);
        m_strategyCombo->setCurrentIndex(m_strategyCombo->findData(int(o.strategy)));
        m_beamWidthSpin->setValue(o.beam_width);
        m_lengthPenaltySpin->setValue(o.length_penalty);
        m_temperatureSpin->setValue(o.temperature);
        m_topKSpin->setValue(o.top_k);
        m_topPSpin->setValue(o.top_p);
        m_seedSpin->setValue(int(std::min<uint64_t>(o.seed, 1000000000)));
        m_barsSpin->setValue(o.record_top_k);
    }
    al::DecodingOptions kept = o;
    kept.max_len = m_controller->options().max_len;
    m_controller->setOptions(kept);
    updateStrategyControls();
}

void DecodingPanel::onOptionsChanged()
{
    updateStrategyControls();
    m_controller->setOptions(options());
}

void DecodingPanel::updateStrategyControls()
{
    const auto s = al::DecodingStrategy(m_strategyCombo->currentData().toInt());
    m_beamBox->setVisible(s == al::DecodingStrategy::Beam);
    m_sampleBox->setVisible(s == al::DecodingStrategy::Sample);
}

int DecodingPanel::stepCount() const
{
    return m_trace ? decodingStepCount(*m_trace) : 0;
}

void DecodingPanel::setCurrentStep(int step)
{
    const int n = stepCount();
    step = n > 0 ? std::clamp(step, 0, n - 1) : 0;
    if (step == m_step && m_bars.step == step)
        return;
    m_step = step;
    redraw();
}

void DecodingPanel::setCrossSelection(int layer, int head)
{
    m_layerSpin->setValue(layer + 1);
    const int index = m_headCombo->findData(head);
    if (index >= 0)
        m_headCombo->setCurrentIndex(index);
    redrawCross();
}

int DecodingPanel::crossLayer() const
{
    return m_layerSpin->value() - 1;
}

int DecodingPanel::crossHead() const
{
    return m_headCombo->currentData().toInt();
}

QStringList DecodingPanel::forcedTokens() const
{
    return m_controller->forcedTokens();
}

bool DecodingPanel::forceBar(int rank)
{
    if (rank < 0 || rank >= m_bars.tokens.size())
        return false;
    return forceTokens({m_bars.tokens[rank]});
}

bool DecodingPanel::forceText(const QString& text)
{
    const ModelSnapshot model = m_shownModel ? m_shownModel : m_controller->model();
    if (!model) {
        setMessage(tr("Open or train a model first."), true);
        return false;
    }
    QStringList tokens;
    try {
        tokens = typedTargetTokens(model->tgt_tokenizer, text);
    } catch (const std::exception& e) {
        setMessage(QString::fromStdString(e.what()), true);
        return false;
    }
    if (tokens.isEmpty()) {
        setMessage(tr("Type a target token to force."), true);
        return false;
    }
    std::vector<int> ids;
    QString error;
    if (!encodeForcedPrefix(model->tgt_vocab, tokens, ids, &error)) {
        setMessage(tr("Cannot force: %1.").arg(error), true);
        return false;
    }
    return forceTokens(tokens);
}

bool DecodingPanel::forceTokens(const QStringList& tokens)
{
    const QStringList prefix = m_trace ? forcedPrefixAt(*m_trace, m_step, tokens) : tokens;
    m_stepAfterResult = prefix.size() - tokens.size();
    setMessage(tr("Decoding again with %n forced token(s)…", nullptr, int(prefix.size())), false);
    m_controller->setForcedTokens(prefix);
    m_forcedLabel->setText(tr("forced: %1").arg(prefix.join(QLatin1Char(' '))));
    return true;
}

void DecodingPanel::clearForced()
{
    m_controller->setForcedTokens({});
    m_forcedLabel->clear();
}

QString DecodingPanel::messageText() const
{
    return m_message->text();
}

QString DecodingPanel::summaryText() const
{
    return m_summaryLabel->text();
}

QString DecodingPanel::outputText() const
{
    QStringList parts;
    if (m_trace)
        for (const al::DecodingStep& s : m_trace->decoding.steps) {
            const QString t = QString::fromStdString(s.token);
            parts << (s.forced ? QStringLiteral("[%1]").arg(t) : t);
        }
    return parts.join(QLatin1Char(' '));
}

void DecodingPanel::setMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

void DecodingPanel::setResult(const DecodingResult& result)
{
    if (result.requestId != 0 && result.requestId < m_lastId)
        return;
    m_lastId = std::max(m_lastId, result.requestId);
    if (!result.errorMessage.isEmpty() || !result.trace) {
        setMessage(result.errorMessage.isEmpty() ? tr("Nothing decoded.") : tr("Cannot decode: %1").arg(result.errorMessage),
                   true);
        emit resultShown();
        return;
    }
    m_trace = result.trace;
    m_shownModel = result.model;
    m_shownStep = result.modelStep;
    m_resultForced = result.forcedTokens;
    m_forcedLabel->setText(m_resultForced.isEmpty() ? QString()
                                                    : tr("forced: %1").arg(m_resultForced.join(QLatin1Char(' '))));
    const int n = decodingStepCount(*m_trace);
    if (m_stepAfterResult >= 0) {
        m_step = m_stepAfterResult;
        m_stepAfterResult = -1;
    }
    m_step = n > 0 ? std::clamp(m_step, 0, n - 1) : 0;
    setMessage(n == 0 ? tr("The sentence is empty: type one in the sentence box.") : QString(), false);

    // Layer and head choices follow the model.
    const int layers = decodingCrossLayerCount(*m_trace);
    {
        const QSignalBlocker block(m_layerSpin);
        m_layerSpin->setRange(1, std::max(1, layers));
    }
    const int heads = decodingCrossHeadCount(*m_trace, crossLayer());
    if (m_headCombo->count() != heads + 1) {
        const QSignalBlocker block(m_headCombo);
        const int keep = crossHead();
        m_headCombo->clear();
        m_headCombo->addItem(tr("mean over heads"), -1);
        for (int h = 0; h < heads; ++h)
            m_headCombo->addItem(tr("head %1").arg(h + 1), h);
        m_headCombo->setCurrentIndex(std::max(0, m_headCombo->findData(keep)));
    }
    rebuildStepList();
    redraw();
    emit resultShown();
}

void DecodingPanel::rebuildStepList()
{
    const QSignalBlocker block(m_stepList);
    m_stepList->clear();
    if (!m_trace)
        return;
    for (int t = 0; t < decodingStepCount(*m_trace); ++t) {
        const al::DecodingStep& s = m_trace->decoding.steps[size_t(t)];
        m_stepList->addItem(QStringLiteral("%1. %2  %3%4")
                                .arg(QString::number(t + 1), QString::fromStdString(s.token),
                                     probabilityLabel(s.prob), s.forced ? QStringLiteral("  ✎") : QString()));
    }
}

void DecodingPanel::redraw()
{
    const int n = stepCount();
    {
        const QSignalBlocker b1(m_stepSlider), b2(m_stepList);
        m_stepSlider->setRange(0, std::max(0, n - 1));
        m_stepSlider->setValue(m_step);
        m_stepSlider->setEnabled(n > 1);
        m_stepList->setCurrentRow(n > 0 ? m_step : -1);
    }
    m_stepLabel->setText(n > 0 ? tr("step %1 of %2").arg(m_step + 1).arg(n) : tr("no steps"));
    m_bars = m_trace ? stepBars(*m_trace, m_step) : StepBars{};
    {
        const QSignalBlocker block(m_forceCombo);
        const QString typed = m_forceCombo->currentText();
        m_forceCombo->clear();
        m_forceCombo->addItems(m_bars.tokens);
        m_forceCombo->setCurrentIndex(-1);
        m_forceCombo->setEditText(m_bars.tokens.contains(typed) ? QString() : typed);
    }
    m_forceButton->setEnabled(m_trace != nullptr);
    m_summaryLabel->setText(m_trace ? tr("%1 · model step %2").arg(decodingSummary(m_trace->decoding), QString::number(m_shownStep))
                                    : tr("Decoding step by step appears once a model is trained or opened."));
    redrawOutput();
    redrawProbabilities();
    redrawCross();
}

void DecodingPanel::redrawOutput()
{
    if (!m_trace) {
        m_outputLabel->clear();
        return;
    }
    QString html;
    const int n = decodingStepCount(*m_trace);
    for (int t = 0; t < n; ++t) {
        const al::DecodingStep& s = m_trace->decoding.steps[size_t(t)];
        QString style;
        if (t == m_step)
            style = QStringLiteral("background-color:%1; color:white;").arg((s.forced ? kForcedColor : kChosenColor).name());
        else if (t > m_step)
            style = QStringLiteral("color:#999999;");
        else if (s.forced)
            style = QStringLiteral("color:%1;").arg(kForcedColor.name());
        QString token = htmlEscaped(QString::fromStdString(s.token));
        if (s.forced)
            token = QStringLiteral("<u>%1</u>").arg(token);
        html += QStringLiteral("<span style=\"%1\">&nbsp;%2&nbsp;</span> ").arg(style, token);
    }
    m_outputLabel->setText(n > 0 ? tr("Output: %1").arg(html) : QString());
}

QString DecodingPanel::probabilityTitle() const
{
    if (m_bars.isEmpty())
        return tr("Next-token probabilities");
    const QString input = m_trace ? decoderInputAt(*m_trace, m_step) : QString();
    return tr("Step %1 · after %2 · %3 %4 (p = %5)")
        .arg(QString::number(m_step + 1), quoted(input), m_bars.forced ? tr("forced") : tr("chosen"),
             quoted(m_bars.chosenToken), QString::number(m_bars.chosenProb, 'f', 3));
}

void DecodingPanel::redrawProbabilities()
{
    m_probPlot->clearItems();
    const bool sampling = m_trace && m_trace->decoding.strategy == "sample";
    QVector<double> xOther, yOther, xChosen, yChosen, xSample, ySample;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double top = 0.0;
    for (int i = 0; i < m_bars.tokens.size(); ++i) {
        ticker->addTick(i, m_bars.tokens[i]);
        (i == m_bars.chosenRank ? xChosen : xOther) << i;
        (i == m_bars.chosenRank ? yChosen : yOther) << m_bars.probs[i];
        xSample << i;
        ySample << m_bars.sampleProbs[i];
        top = std::max({top, m_bars.probs[i], m_bars.sampleProbs[i]});
        auto* label = new QCPItemText(m_probPlot);
        label->position->setCoords(i, m_bars.probs[i]);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(probabilityLabel(m_bars.probs[i]));
        // Above the sampling-distribution marker when there is one.
        label->setPadding(QMargins(0, 0, 0, sampling ? 8 : 2));
        QFont f = m_probPlot->font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        label->setFont(f);
    }
    m_barsOther->setData(xOther, yOther, true);
    m_barsChosen->setData(xChosen, yChosen, true);
    m_barsChosen->setBrush(m_bars.forced ? kForcedColor : kChosenColor);
    m_barsChosen->setName(m_bars.forced ? tr("forced") : tr("chosen"));
    m_sampleMarks->setData(sampling ? xSample : QVector<double>(), sampling ? ySample : QVector<double>(), true);
    m_sampleMarks->setVisible(sampling);
    if (sampling)
        m_sampleMarks->addToLegend();
    else
        m_sampleMarks->removeFromLegend();
    m_probPlot->xAxis->setTicker(ticker);
    m_probPlot->xAxis->setTickLabelRotation(tickLabelRotation(m_probPlot, m_bars.tokens));
    m_probPlot->xAxis->setRange(-0.6, std::max<int>(int(m_bars.tokens.size()), 1) - 0.4);
    m_probPlot->yAxis->setRange(0.0, std::min(1.0, std::max(0.05, top * 1.2)));
    if (QCPTextElement* title = plotTitle(m_probPlot))
        title->setText(probabilityTitle());
    m_probPlot->replot(QCustomPlot::rpQueuedReplot);
}

QString DecodingPanel::crossTitle() const
{
    const QString head = crossHead() < 0 ? tr("mean over heads") : tr("head %1").arg(crossHead() + 1);
    if (!m_trace || m_bars.isEmpty())
        return tr("Cross-attention over the source");
    return tr("Cross-attention of step %1 (query %2) · layer %3 · %4")
        .arg(QString::number(m_step + 1), quoted(decoderInputAt(*m_trace, m_step)), QString::number(crossLayer() + 1),
             head);
}

void DecodingPanel::redrawCross()
{
    m_crossRow = m_trace ? crossAttentionRow(*m_trace, m_step, crossLayer(), crossHead()) : QVector<double>();
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    QVector<double> x;
    for (int j = 0; j < m_crossRow.size(); ++j) {
        x << j;
        ticker->addTick(j, m_trace && j < int(m_trace->src_tokens.size())
                               ? QString::fromStdString(m_trace->src_tokens[size_t(j)])
                               : QString::number(j + 1));
    }
    m_crossBars->setData(x, m_crossRow, true);
    m_crossPlot->xAxis->setTicker(ticker);
    m_crossPlot->xAxis->setTickLabelRotation(tickLabelRotation(m_crossPlot, sourceTokens(m_trace.get()).mid(0, int(m_crossRow.size()))));
    m_crossPlot->xAxis->setRange(-0.6, std::max<int>(int(m_crossRow.size()), 1) - 0.4);
    if (QCPTextElement* title = plotTitle(m_crossPlot))
        title->setText(crossTitle());
    m_crossPlot->replot(QCustomPlot::rpQueuedReplot);
}

void DecodingPanel::exportProbabilities(const QString& path, ExportFormat format, const FigureSize& size)
{
    writeFileAtomically(path, format == ExportFormat::Csv ? stepBarsCsv(m_bars) : renderPlot(m_probPlot, format, size));
}

void DecodingPanel::exportCrossAttention(const QString& path, ExportFormat format, const FigureSize& size)
{
    writeFileAtomically(path, format == ExportFormat::Csv ? crossRowCsv(m_crossRow, sourceTokens(m_trace.get()))
                                                          : renderPlot(m_crossPlot, format, size));
}

} // namespace al::ui
