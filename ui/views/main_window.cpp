// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/main_window.h"

#include "engine/error.h"
#include "engine/task_models.h"
#include "ui/app/app_paths.h"
#include "ui/views/decoding_panel.h"
#include "ui/export/export_ui.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/race_window.h"
#include "ui/views/task_probe_window.h"
#include "ui/views/positional_encoding_panel.h"
#include "ui/views/overview_panel.h"
#include "ui/views/compare_dialog.h"
#include "ui/views/stepper_panel.h"
#include "ui/views/synthesizer_panel.h"
#include "ui/views/training_plots_panel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QKeySequence>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

constexpr int kRedrawMs = 33;        // attention: ~30 frames/s at most, so typing feels immediate
// Loss and learning-rate curves and the "Now" figures: 5 updates/s, like the heatmaps, look live;
// faster only costs the training threads CPU (every label change lays the window out again, and
// on X11 every repainted pixel goes to the X server) - attention-lab bench-gui, docs/benchmark.md.
constexpr int kPlotRedrawMs = 200;
// A weight snapshot (and so a translation with a Trace and a redraw of every heatmap) at most
// 5 times a second: live to the eye, and half the GUI's cost to the training threads of 10/s
// (attention-lab bench-gui, docs/benchmark.md).
constexpr int kSnapshotMs = 200;
constexpr int kMaxTranslationTokens = 64;

QSpinBox* makeSpin(QWidget* parent, const char* name, int min, int max, int value, int step = 1)
{
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(QString::fromLatin1(name));
    spin->setRange(min, max);
    spin->setSingleStep(step);
    spin->setValue(value);
    return spin;
}

QString stateText(TrainingController::State s)
{
    switch (s) {
    case TrainingController::State::Idle: return MainWindow::tr("Idle");
    case TrainingController::State::Starting: return MainWindow::tr("Loading corpus and building the model…");
    case TrainingController::State::Running: return MainWindow::tr("Training");
    case TrainingController::State::Paused: return MainWindow::tr("Paused");
    case TrainingController::State::Stopping: return MainWindow::tr("Stopping (final validation)…");
    }
    return {};
}

std::string toLocalPath(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Attention Lab"));
    registerTrainingMetaTypes();
    m_training = new TrainingController(this);
    m_training->setObjectName(QStringLiteral("trainingController"));
    m_inference = new InferenceController(this);
    m_inference->setObjectName(QStringLiteral("inferenceController"));
    m_inference->setMaxLength(kMaxTranslationTokens);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(buildSettingsPanel());
    splitter->addWidget(buildTrainingPanel());
    m_viewTabs = new QTabWidget(splitter);
    m_viewTabs->setObjectName(QStringLiteral("viewTabs"));
    m_viewTabs->addTab(buildAttentionPanel(), tr("Attention"));
    m_synth = new SynthesizerPanel(m_viewTabs);
    m_synth->setObjectName(QStringLiteral("synthesizerPanel"));
    m_viewTabs->addTab(m_synth, tr("Synthesizer"));
    m_decoding = new DecodingPanel(m_viewTabs);
    m_decoding->setObjectName(QStringLiteral("decodingPanel"));
    m_viewTabs->addTab(m_decoding, tr("Decoding"));
    m_peLab = new PositionalEncodingPanel(m_viewTabs);
    m_peLab->setObjectName(QStringLiteral("positionalEncodingPanel"));
    m_viewTabs->addTab(m_peLab, tr("Positional encoding"));
    m_stepper = new StepperPanel(m_viewTabs);
    m_stepper->setObjectName(QStringLiteral("stepperPanel"));
    m_viewTabs->addTab(m_stepper, tr("Forward pass"));
    m_trainingPlots = new TrainingPlotsPanel(m_viewTabs);
    m_trainingPlots->setObjectName(QStringLiteral("trainingPlotsPanel"));
    m_viewTabs->addTab(m_trainingPlots, tr("Training plots"));
    m_overview = new OverviewPanel(m_viewTabs);
    m_overview->setObjectName(QStringLiteral("overviewPanel"));
    m_viewTabs->insertTab(1, m_overview, tr("Layers × heads"));
    connect(m_overview, &OverviewPanel::selected, this, [this](const AttentionSelection& sel) {
        m_kindCombo->setCurrentIndex(std::max(0, m_kindCombo->findData(static_cast<int>(sel.kind))));
        m_layerSpin->setMaximum(std::max(m_layerSpin->maximum(), sel.layer + 1));
        m_layerSpin->setValue(sel.layer + 1);
        m_headSpin->setMaximum(std::max(m_headSpin->maximum(), sel.head + 1));
        m_headSpin->setValue(sel.head + 1);
        m_viewTabs->setCurrentIndex(0);
    });
    connect(m_viewTabs, &QTabWidget::currentChanged, this, [this] {
        if (m_attentionDirty)
            scheduleRedraw();
    });
    splitter->addWidget(m_viewTabs);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 4);
    splitter->setSizes({290, 560, 750});
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);
    buildMenus();

    m_stateLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_stateLabel);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &MainWindow::redraw);
    m_plotTimer.setSingleShot(true);
    m_plotTimer.setInterval(kPlotRedrawMs);
    connect(&m_plotTimer, &QTimer::timeout, this, [this] {
        if (m_plotsDirty)
            redrawPlots();
    });

    connect(m_training, &TrainingController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_training, &TrainingController::started, this, &MainWindow::onStarted);
    connect(m_training, &TrainingController::metrics, this, &MainWindow::onMetrics);
    connect(m_training, &TrainingController::validated, this, &MainWindow::onValidated);
    connect(m_training, &TrainingController::snapshotReady, this, &MainWindow::onSnapshot);
    connect(m_training, &TrainingController::finished, this, &MainWindow::onFinished);
    connect(m_training, &TrainingController::saveFinished, this, &MainWindow::onSaveFinished);
    connect(m_training, &TrainingController::error, this,
            [this](const QString& message) { showError(tr("Training failed"), message); });
    connect(m_training, &TrainingController::taskSnapshotReady, this, &MainWindow::onTaskSnapshot);
    connect(m_inference, &InferenceController::translated, this, &MainWindow::onTranslated);
    m_taskInferenceTimer.setSingleShot(true);
    m_taskInferenceTimer.setInterval(150); // at most ~7 task-model runs a second while training
    connect(&m_taskInferenceTimer, &QTimer::timeout, this, &MainWindow::runTaskInference);

    m_inference->setSentence(m_sentenceEdit->text());
    connect(m_sentenceEdit, &QLineEdit::textChanged, m_decoding, &DecodingPanel::setSentence);
    m_decoding->setSentence(m_sentenceEdit->text());
    connect(m_taskCombo, &QComboBox::currentIndexChanged, this, &MainWindow::onTaskChanged);
    showTaskRows();
    onStateChanged(TrainingController::State::Idle);
    updateModelSource();
    resize(1560, 940);
    statusBar()->showMessage(tr("Press Train to train a model on the bundled English–Chinese corpus, "
                                "or open a model directory."));
}

MainWindow::~MainWindow()
{
    // Join the threads before any widget their signals could reach goes away.
    m_training->shutdown();
    m_inference->shutdown();
    m_synth->shutdown();
    m_decoding->shutdown();
}

// ---------------------------------------------------------------------------------------------
// Construction

QWidget* MainWindow::buildSettingsPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);

    m_dataGroup = new QGroupBox(tr("Task and data"), panel);
    auto* dataForm = new QFormLayout(m_dataGroup);
    m_dataForm = dataForm;
    // What to train: translation, copy/reverse/sort or a task model (ui/training_session.h).
    m_taskCombo = new QComboBox(m_dataGroup);
    m_taskCombo->setObjectName(QStringLiteral("taskCombo"));
    for (const QString& t : trainingTasks())
        m_taskCombo->addItem(taskLabel(t), t);
    m_taskCombo->setToolTip(tr("What Train trains, as `attention-lab train --task`; choosing a task loads its "
                               "default model and training settings."));
    dataForm->addRow(tr("Task:"), m_taskCombo);
    m_corpusEdit = new QLineEdit(m_dataGroup);
    m_corpusEdit->setObjectName(QStringLiteral("corpusEdit"));
    m_corpusEdit->setPlaceholderText(tr("Bundled: Tatoeba English–Chinese"));
    m_corpusEdit->setToolTip(tr("Tab-separated file of sentence pairs; empty uses the bundled corpus."));
    auto* browse = new QPushButton(tr("Browse…"), m_dataGroup);
    connect(browse, &QPushButton::clicked, this, &MainWindow::browseCorpus);
    auto* corpusRow = new QHBoxLayout;
    corpusRow->addWidget(m_corpusEdit, 1);
    corpusRow->addWidget(browse);
    dataForm->addRow(tr("Corpus (TSV):"), corpusRow);
    m_srcColumnSpin = makeSpin(m_dataGroup, "sourceColumnSpin", 1, 99, 2);
    m_srcColumnSpin->setToolTip(tr("1-based column of the source sentence (bundled file: 2 = Chinese)."));
    m_tgtColumnSpin = makeSpin(m_dataGroup, "targetColumnSpin", 1, 99, 1);
    m_tgtColumnSpin->setToolTip(tr("1-based column of the target sentence (bundled file: 1 = English)."));
    dataForm->addRow(tr("Source column:"), m_srcColumnSpin);
    dataForm->addRow(tr("Target column:"), m_tgtColumnSpin);
    // Task models: data paths (empty = bundled, where the task has bundled data).
    m_taskDataRow = new QWidget(m_dataGroup);
    auto* taskDataLayout = new QHBoxLayout(m_taskDataRow);
    taskDataLayout->setContentsMargins(0, 0, 0, 0);
    m_taskDataEdit = new QLineEdit(m_taskDataRow);
    m_taskDataEdit->setObjectName(QStringLiteral("taskDataEdit"));
    auto* taskBrowse = new QPushButton(tr("Browse…"), m_taskDataRow);
    connect(taskBrowse, &QPushButton::clicked, this, &MainWindow::browseTaskData);
    taskDataLayout->addWidget(m_taskDataEdit, 1);
    taskDataLayout->addWidget(taskBrowse);
    dataForm->addRow(tr("Data:"), m_taskDataRow);
    // copy/reverse/sort generator (al::AlgorithmicTaskConfig, the ranges of its validate()).
    const al::AlgorithmicTaskConfig gen;
    m_symbolsSpin = makeSpin(m_dataGroup, "symbolsSpin", 2, 1000, gen.vocab);
    m_symbolsSpin->setToolTip(tr("Symbols 0 … V−1 (--task-vocab)."));
    m_minLenSpin = makeSpin(m_dataGroup, "minLenSpin", 1, 500, gen.min_len);
    m_minLenSpin->setToolTip(tr("Shortest generated sequence (--min-len)."));
    m_maxLenSpin = makeSpin(m_dataGroup, "maxLenSpin", 1, 500, gen.max_len);
    m_maxLenSpin->setToolTip(tr("Longest generated sequence (--max-len)."));
    m_pairsSpin = makeSpin(m_dataGroup, "pairsSpin", 1, 100000000, gen.train_size, 1000);
    m_pairsSpin->setToolTip(tr("Training pairs generated (--task-pairs); %1 validation and %2 test sources are held out.")
                                .arg(gen.valid_size)
                                .arg(gen.test_size));
    dataForm->addRow(tr("Symbols:"), m_symbolsSpin);
    dataForm->addRow(tr("Min length:"), m_minLenSpin);
    dataForm->addRow(tr("Max length:"), m_maxLenSpin);
    dataForm->addRow(tr("Training pairs:"), m_pairsSpin);
    // Task models (al::TaskModelConfig keys max_len, pooling, suffix_len; --min-count, --mask-prob).
    m_contextSpin = makeSpin(m_dataGroup, "contextSpin", 2, 100000, 128);
    m_contextSpin->setToolTip(tr("max_len: longest sequence in tokens; for charlm the context window (--max-len)."));
    m_minCountSpin = makeSpin(m_dataGroup, "minCountSpin", 1, 1 << 24, al::kDefaultTaskMinCount);
    m_minCountSpin->setToolTip(tr("Words seen fewer times become <unk> (--min-count; charlm keeps every character)."));
    m_maskProbSpin = new QDoubleSpinBox(m_dataGroup);
    m_maskProbSpin->setObjectName(QStringLiteral("maskProbSpin"));
    m_maskProbSpin->setRange(0, 1);
    m_maskProbSpin->setDecimals(3);
    m_maskProbSpin->setSingleStep(0.05);
    m_maskProbSpin->setValue(al::kDefaultMaskProb);
    m_maskProbSpin->setToolTip(tr("Probability that a token is selected for prediction (--mask-prob; BERT: 0.15)."));
    m_poolingCombo = new QComboBox(m_dataGroup);
    m_poolingCombo->setObjectName(QStringLiteral("poolingCombo"));
    m_poolingCombo->addItem(tr("Mean over tokens"), QStringLiteral("mean"));
    m_poolingCombo->addItem(tr("[CLS] position"), QStringLiteral("cls"));
    m_poolingCombo->setToolTip(tr("Classifier pooling (--pooling)."));
    m_suffixSpin = makeSpin(m_dataGroup, "suffixSpin", 0, 64, 3);
    m_suffixSpin->setSpecialValueText(tr("off"));
    m_suffixSpin->setToolTip(tr("Adds a suffix token (word ending and case) of n characters to each word (--suffix-len)."));
    dataForm->addRow(tr("Max length:"), m_contextSpin);
    dataForm->addRow(tr("Min count:"), m_minCountSpin);
    dataForm->addRow(tr("Mask probability:"), m_maskProbSpin);
    dataForm->addRow(tr("Pooling:"), m_poolingCombo);
    dataForm->addRow(tr("Suffix length:"), m_suffixSpin);
    layout->addWidget(m_dataGroup);

    m_modelGroup = new QGroupBox(tr("Model"), panel);
    auto* modelForm = new QFormLayout(m_modelGroup);
    const al::ModelConfig mc;
    const al::TrainConfig tc;
    m_dModelSpin = makeSpin(m_modelGroup, "dModelSpin", 8, 2048, mc.d_model, 8);
    m_headsSpin = makeSpin(m_modelGroup, "headsSpin", 1, 32, mc.nhead);
    m_encLayersSpin = makeSpin(m_modelGroup, "encoderLayersSpin", 1, 12, mc.num_encoder_layers);
    m_decLayersSpin = makeSpin(m_modelGroup, "decoderLayersSpin", 1, 12, mc.num_decoder_layers);
    m_dffSpin = makeSpin(m_modelGroup, "feedForwardSpin", 8, 8192, mc.dim_feedforward, 64);
    m_maxTokensSpin = makeSpin(m_modelGroup, "maxTokensSpin", 16, 100000, tc.max_tokens, 100);
    m_warmupSpin = makeSpin(m_modelGroup, "warmupSpin", 1, 100000, tc.warmup_steps, 100);
    m_seedSpin = makeSpin(m_modelGroup, "seedSpin", 0, 1000000, static_cast<int>(tc.seed));
    modelForm->addRow(tr("d_model:"), m_dModelSpin);
    modelForm->addRow(tr("Heads:"), m_headsSpin);
    modelForm->addRow(tr("Encoder layers:"), m_encLayersSpin);
    modelForm->addRow(tr("Decoder layers:"), m_decLayersSpin);
    modelForm->addRow(tr("d_ff:"), m_dffSpin);
    // Self-attention alignment: the paper's dot product or a Synthesizer (Tay et al. 2021).
    m_attentionCombo = new QComboBox(m_modelGroup);
    m_attentionCombo->setObjectName(QStringLiteral("attentionCombo"));
    const std::pair<const char*, QString> variants[] = {
        {"vanilla", tr("Dot-product (vanilla)")},
        {"dense", tr("Dense Synthesizer")},
        {"random", tr("Random Synthesizer")},
        {"fixed_random", tr("Fixed Random Synthesizer")},
        {"factorized_dense", tr("Factorized Dense Synthesizer")},
        {"factorized_random", tr("Factorized Random Synthesizer")},
        {"random+vanilla", tr("Mixture: Random + Vanilla")},
        {"dense+vanilla", tr("Mixture: Dense + Vanilla")},
        {"random+dense", tr("Mixture: Random + Dense")},
    };
    for (const auto& [key, label] : variants)
        m_attentionCombo->addItem(label, QString::fromLatin1(key));
    m_attentionCombo->setToolTip(tr("Alignment of encoder and decoder self-attention; cross-attention stays dot-product."));
    modelForm->addRow(tr("Attention:"), m_attentionCombo);
    // Attention scoring, normalisation and window; positional encoding; norm and activation.
    auto makeChoice = [this](const char* name, std::initializer_list<std::pair<const char*, QString>> items,
                             const std::string& current, const QString& tip) {
        auto* combo = new QComboBox(m_modelGroup);
        combo->setObjectName(QString::fromLatin1(name));
        for (const auto& [key, label] : items)
            combo->addItem(label, QString::fromLatin1(key));
        combo->setCurrentIndex(combo->findData(QString::fromStdString(current)));
        combo->setToolTip(tip);
        return combo;
    };
    m_scoringCombo = makeChoice("scoringCombo",
                                {{"scaled_dot", tr("Scaled dot-product")}, {"dot", tr("Dot-product (unscaled)")},
                                 {"additive", tr("Additive (Bahdanau)")}},
                                mc.attention_scoring, tr("Query-key score of dot-product attention (self and cross)."));
    m_normalizationCombo = makeChoice("normalizationCombo", {{"softmax", tr("Softmax")}, {"relu", tr("ReLU (unnormalised)")}},
                                      mc.attention_normalization, tr("How scores become attention weights."));
    m_windowSpin = makeSpin(m_modelGroup, "windowSpin", 0, 1024, mc.attention_window);
    m_windowSpin->setSpecialValueText(tr("unrestricted"));
    m_windowSpin->setToolTip(tr("Restricted self-attention: query i sees keys j with |i - j| <= window."));
    m_positionalCombo = makeChoice("positionalCombo",
                                   {{"sinusoidal", tr("Sinusoidal")}, {"learned", tr("Learned")}, {"none", tr("None")}},
                                   mc.positional_encoding, tr("Positional encoding added to the token embeddings."));
    m_normCombo = makeChoice("normCombo", {{"layernorm", tr("LayerNorm")}, {"batchnorm", tr("BatchNorm")}}, mc.norm,
                             tr("Normalisation in every block and after the encoder and decoder."));
    m_preLnCheck = new QCheckBox(tr("Pre-LN (norm before each sublayer)"), m_modelGroup);
    m_preLnCheck->setObjectName(QStringLiteral("preLnCheck"));
    m_preLnCheck->setChecked(mc.norm_first);
    m_activationCombo = makeChoice("activationCombo", {{"relu", tr("ReLU")}, {"gelu", tr("GELU")}}, mc.activation,
                                   tr("Feed-forward non-linearity."));
    modelForm->addRow(tr("Scoring:"), m_scoringCombo);
    modelForm->addRow(tr("Normalisation:"), m_normalizationCombo);
    modelForm->addRow(tr("Window:"), m_windowSpin);
    modelForm->addRow(tr("Positions:"), m_positionalCombo);
    modelForm->addRow(tr("Norm:"), m_normCombo);
    modelForm->addRow(m_preLnCheck);
    modelForm->addRow(tr("Activation:"), m_activationCombo);
    m_decoderCombo = makeChoice("decoderCombo",
                                {{"autoregressive", tr("Autoregressive")}, {"nat", tr("Non-autoregressive (NAT)")}},
                                mc.decoder, tr("NAT: length predictor, copied source inputs, no causal mask, "
                                               "all target tokens in one pass (Gu et al. 2018)."));
    modelForm->addRow(tr("Decoder:"), m_decoderCombo);
    m_dropoutSpin = new QDoubleSpinBox(m_modelGroup);
    m_dropoutSpin->setObjectName(QStringLiteral("dropoutSpin"));
    m_dropoutSpin->setRange(0, 0.95);
    m_dropoutSpin->setDecimals(2);
    m_dropoutSpin->setSingleStep(0.05);
    m_dropoutSpin->setValue(mc.dropout);
    m_dropoutSpin->setToolTip(tr("Dropout rate (--dropout)."));
    modelForm->addRow(tr("Dropout:"), m_dropoutSpin);
    auto makeDouble = [this](const char* name, double lo, double hi, int decimals, double step, double value,
                             const QString& tip) {
        auto* spin = new QDoubleSpinBox(m_modelGroup);
        spin->setObjectName(QLatin1String(name));
        spin->setRange(lo, hi);
        spin->setDecimals(decimals);
        spin->setSingleStep(step);
        spin->setValue(value);
        spin->setToolTip(tip);
        return spin;
    };
    // The minimum stands for "unset": attention weights use the dropout rate above.
    m_attentionDropoutSpin = makeDouble("attentionDropoutSpin", -0.05, 0.95, 2, 0.05,
                                        mc.attention_dropout.value_or(-0.05),
                                        tr("Dropout on the attention weights (--attention-dropout); "
                                           "'same as dropout' uses the dropout rate."));
    m_attentionDropoutSpin->setSpecialValueText(tr("same as dropout"));
    modelForm->addRow(tr("Attention dropout:"), m_attentionDropoutSpin);
    m_labelSmoothingSpin = makeDouble("labelSmoothingSpin", 0, 0.9, 2, 0.05, tc.label_smoothing,
                                      tr("Label smoothing of the cross-entropy (--label-smoothing)."));
    modelForm->addRow(tr("Label smoothing:"), m_labelSmoothingSpin);
    m_scheduledSamplingCombo = makeChoice(
        "scheduledSamplingCombo",
        {{"off", tr("Off (teacher forcing)")}, {"constant", tr("Constant p")}, {"linear", tr("Linear in the step")},
         {"inverse_sigmoid", tr("Inverse sigmoid")}},
        tc.scheduled_sampling,
        tr("Scheduled sampling (Bengio et al. 2015): with probability p a decoder input is the model's own "
           "prediction instead of the reference, to study exposure bias (--scheduled-sampling)."));
    m_scheduledSamplingPSpin = makeDouble("scheduledSamplingPSpin", 0, 1, 2, 0.05, tc.scheduled_sampling_p,
                                          tr("Constant: p; linear and inverse sigmoid: the largest p "
                                             "(--scheduled-sampling-p)."));
    m_scheduledSamplingKSpin = makeDouble("scheduledSamplingKSpin", 1, 1e6, 0, 100, tc.scheduled_sampling_k,
                                          tr("Linear: steps until p reaches its largest value; inverse sigmoid: "
                                             "k in 1 - k / (k + exp(step / k)) (--scheduled-sampling-k)."));
    modelForm->addRow(tr("Scheduled sampling:"), m_scheduledSamplingCombo);
    modelForm->addRow(tr("Sampling p:"), m_scheduledSamplingPSpin);
    modelForm->addRow(tr("Sampling k:"), m_scheduledSamplingKSpin);
    m_modelForm = modelForm;
    connect(m_scheduledSamplingCombo, &QComboBox::currentIndexChanged, this, &MainWindow::showTaskRows);
    m_lrFactorSpin = new QDoubleSpinBox(m_modelGroup);
    m_lrFactorSpin->setObjectName(QStringLiteral("lrFactorSpin"));
    m_lrFactorSpin->setRange(0.01, 100);
    m_lrFactorSpin->setDecimals(2);
    m_lrFactorSpin->setSingleStep(0.05);
    m_lrFactorSpin->setValue(tc.lr_factor);
    m_lrFactorSpin->setToolTip(tr("Noam learning-rate factor (--lr-factor)."));
    modelForm->addRow(tr("Max tokens/batch:"), m_maxTokensSpin);
    modelForm->addRow(tr("LR factor:"), m_lrFactorSpin);
    modelForm->addRow(tr("Warm-up steps:"), m_warmupSpin);
    modelForm->addRow(tr("Seed:"), m_seedSpin);
    m_threadsSpin = makeSpin(m_modelGroup, "threadsSpin", 1, std::max(QThread::idealThreadCount(), tc.threads), tc.threads);
    m_threadsSpin->setToolTip(tr("Data-parallel training threads; the window and the live translation use the "
                                 "cores left over."));
    modelForm->addRow(tr("Threads:"), m_threadsSpin);
    m_continueCheck = new QCheckBox(tr("Continue the current model"), m_modelGroup);
    m_continueCheck->setObjectName(QStringLiteral("continueCheck"));
    m_continueCheck->setToolTip(tr("Train the opened (or last trained) model further instead of a new one."));
    connect(m_continueCheck, &QCheckBox::toggled, this, &MainWindow::updateModelSource);
    modelForm->addRow(m_continueCheck);
    m_modelSourceLabel = new QLabel(m_modelGroup);
    m_modelSourceLabel->setWordWrap(true);
    m_modelSourceLabel->setForegroundRole(QPalette::PlaceholderText);
    modelForm->addRow(m_modelSourceLabel);
    layout->addWidget(m_modelGroup);

    auto* controls = new QGroupBox(tr("Training"), panel);
    auto* grid = new QGridLayout(controls);
    m_trainButton = new QPushButton(tr("Train"), controls);
    m_trainButton->setObjectName(QStringLiteral("trainButton"));
    m_pauseButton = new QPushButton(tr("Pause"), controls);
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_stepButton = new QPushButton(tr("Step"), controls);
    m_stepButton->setObjectName(QStringLiteral("stepButton"));
    m_stopButton = new QPushButton(tr("Stop"), controls);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    // Keyboard control for demos on a projector, with debugger-like keys.
    m_trainButton->setShortcut(QKeySequence(Qt::Key_F5));
    m_trainButton->setToolTip(tr("Train a new model, or continue the opened one (F5)."));
    m_pauseButton->setShortcut(QKeySequence(Qt::Key_F6));
    m_pauseButton->setToolTip(tr("Pause or resume training (F6)."));
    m_stepButton->setShortcut(QKeySequence(Qt::Key_F10));
    m_stepButton->setToolTip(tr("One optimizer step (starts a paused run when idle) (F10)."));
    m_stopButton->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stopButton->setToolTip(tr("Stop training: final validation, then the thread ends (Shift+F5)."));
    grid->addWidget(m_trainButton, 0, 0);
    grid->addWidget(m_pauseButton, 0, 1);
    grid->addWidget(m_stepButton, 1, 0);
    grid->addWidget(m_stopButton, 1, 1);
    connect(m_trainButton, &QPushButton::clicked, this, &MainWindow::startTraining);
    connect(m_pauseButton, &QPushButton::clicked, this, &MainWindow::togglePause);
    connect(m_stepButton, &QPushButton::clicked, this, &MainWindow::stepOnce);
    connect(m_stopButton, &QPushButton::clicked, this, &MainWindow::stopTraining);
    layout->addStretch(1);
    m_taskDefaults = taskDefaults(QStringLiteral("translate"));

    // The settings scroll; the Train / Pause / Step / Stop buttons stay in view below them.
    auto* scroll = new QScrollArea;
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(panel->sizeHint().width() + 20);
    auto* column = new QWidget;
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(scroll, 1);
    columnLayout->addWidget(controls);
    return column;
}

QCustomPlot* MainWindow::makePlot(const QString& title)
{
    auto* plot = new QCustomPlot;
    plot->setNoAntialiasingOnDrag(true);
    plot->setPlottingHint(QCP::phImmediateRefresh, false); // merged paints (see HeatmapWidget)
    plot->setNotAntialiasedElements(QCP::aePlottables);     // cheaper redraws while training (TrainingPlotsPanel)
    plot->plotLayout()->insertRow(0);
    auto* text = new QCPTextElement(plot, title, QFont(font().family(), font().pointSize(), QFont::Bold));
    plot->plotLayout()->addElement(0, 0, text);
    plot->xAxis->setLabel(tr("step"));
    return plot;
}

QWidget* MainWindow::buildTrainingPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);

    m_lossPlot = makePlot(tr("Loss (nats per target token)"));
    m_lossPlot->setObjectName(QStringLiteral("lossPlot"));
    m_lossPlot->yAxis->setLabel(tr("loss"));
    QCPGraph* train = m_lossPlot->addGraph();
    train->setName(tr("train"));
    train->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.5));
    QCPGraph* valid = m_lossPlot->addGraph();
    valid->setName(tr("validation"));
    valid->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    valid->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_lossPlot->legend->setVisible(true);
    m_lossPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_lossPlot->setMinimumHeight(220);
    installPlotExportMenu(m_lossPlot, QStringLiteral("loss.png"));
    layout->addWidget(m_lossPlot, 3);

    auto* row = new QHBoxLayout;
    m_lrPlot = makePlot(tr("Learning rate"));
    m_lrPlot->setObjectName(QStringLiteral("lrPlot"));
    QCPGraph* lr = m_lrPlot->addGraph();
    lr->setPen(QPen(QColor(0x2c, 0xa0, 0x2c), 1.5));
    m_lrPlot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_lrPlot->yAxis->setNumberPrecision(2);
    m_lrPlot->xAxis->ticker()->setTickCount(3); // a narrow plot: 4-digit step labels ran together at 5 ticks
    m_lrPlot->setMinimumHeight(150);
    installPlotExportMenu(m_lrPlot, QStringLiteral("learning_rate.png"));
    row->addWidget(m_lrPlot, 3);

    auto* figures = new QGroupBox(tr("Now"), panel);
    auto* form = new QFormLayout(figures);
    auto makeValue = [figures](const char* name) {
        auto* l = new QLabel(QStringLiteral("–"), figures);
        l->setObjectName(QString::fromLatin1(name));
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setMinimumWidth(80);
        return l;
    };
    m_stepLabel = makeValue("stepLabel");
    m_epochLabel = makeValue("epochLabel");
    m_lossLabel = makeValue("lossLabel");
    m_validLabel = makeValue("validLabel");
    m_perplexityLabel = makeValue("perplexityLabel");
    m_accuracyLabel = makeValue("accuracyLabel");
    m_lrLabel = makeValue("lrLabel");
    m_gradLabel = makeValue("gradNormLabel");
    m_speedLabel = makeValue("speedLabel");
    form->addRow(tr("Step:"), m_stepLabel);
    form->addRow(tr("Epoch:"), m_epochLabel);
    form->addRow(tr("Train loss:"), m_lossLabel);
    form->addRow(tr("Validation loss:"), m_validLabel);
    form->addRow(tr("Perplexity:"), m_perplexityLabel);
    form->addRow(tr("Token accuracy:"), m_accuracyLabel);
    m_metricLabel = makeValue("metricLabel");
    m_metricTitle = new QLabel(tr("Task metric:"), figures);
    m_metricTitle->setObjectName(QStringLiteral("metricTitle"));
    form->addRow(m_metricTitle, m_metricLabel);
    form->addRow(tr("Learning rate:"), m_lrLabel);
    form->addRow(tr("Gradient norm:"), m_gradLabel);
    form->addRow(tr("Tokens/s:"), m_speedLabel);
    row->addWidget(figures, 2);
    layout->addLayout(row, 2);

    auto* sentenceBox = new QGroupBox(tr("Translate"), panel);
    m_sentenceBox = sentenceBox;
    auto* sentenceLayout = new QVBoxLayout(sentenceBox);
    m_sentenceEdit = new QLineEdit(QStringLiteral("我爱你。"), sentenceBox);
    m_sentenceEdit->setObjectName(QStringLiteral("sentenceEdit"));
    m_sentenceEdit->setClearButtonEnabled(true);
    QFont big = m_sentenceEdit->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    m_sentenceEdit->setFont(big);
    m_translationLabel = new QLabel(sentenceBox);
    m_translationLabel->setObjectName(QStringLiteral("translationLabel"));
    m_translationLabel->setFont(big);
    m_translationLabel->setWordWrap(true);
    m_translationLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_translationLabel->setText(tr("(no model yet — press Train or open a model directory)"));
    // An untrained model babbles up to the length limit: keep the box from squeezing the plots.
    m_translationLabel->setMaximumHeight(QFontMetrics(big).lineSpacing() * 3 + 4);
    m_tokensLabel = new QLabel(sentenceBox);
    m_tokensLabel->setWordWrap(true);
    m_tokensLabel->setMaximumHeight(m_tokensLabel->fontMetrics().lineSpacing() * 2 + 4);
    m_tokensLabel->setForegroundRole(QPalette::PlaceholderText);
    sentenceLayout->addWidget(m_sentenceEdit);
    sentenceLayout->addWidget(m_translationLabel);
    sentenceLayout->addWidget(m_tokensLabel);
    connect(m_sentenceEdit, &QLineEdit::textChanged, m_inference, &InferenceController::setSentence);
    connect(m_sentenceEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (m_stepper)
            m_stepper->setSentence(text);
        if (m_taskModel)
            m_taskInferenceTimer.start();
    });
    layout->addWidget(sentenceBox, 0);
    return panel;
}

QWidget* MainWindow::buildAttentionPanel()
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    auto* nav = new QHBoxLayout;
    m_kindCombo = new QComboBox(panel);
    m_kindCombo->setObjectName(QStringLiteral("kindCombo"));
    for (al::AttentionKind kind : attentionKinds())
        m_kindCombo->addItem(attentionKindName(kind), static_cast<int>(kind));
    m_layerSpin = makeSpin(panel, "layerSpin", 1, 1, 1);
    m_headSpin = makeSpin(panel, "headSpin", 1, 1, 1);
    nav->addWidget(m_kindCombo, 1);
    nav->addWidget(new QLabel(tr("Layer:"), panel));
    nav->addWidget(m_layerSpin);
    nav->addWidget(new QLabel(tr("Head:"), panel));
    nav->addWidget(m_headSpin);
    auto* compare = new QPushButton(tr("Compare…"), panel);
    compare->setObjectName(QStringLiteral("compareButton"));
    compare->setToolTip(tr("The same attention of two sentences side by side."));
    connect(compare, &QPushButton::clicked, this, &MainWindow::compareSentences);
    nav->addWidget(compare);
    layout->addLayout(nav);
    auto* colors = new QHBoxLayout;
    m_colorMapCombo = new QComboBox(panel);
    m_colorMapCombo->setObjectName(QStringLiteral("colorMapCombo"));
    for (ColorMap map : colorMaps())
        if (map != ColorMap::CoolWarm) // diverging: for signed scores, not probabilities
            m_colorMapCombo->addItem(colorMapName(map), static_cast<int>(map));
    m_colorRangeCombo = new QComboBox(panel);
    m_colorRangeCombo->setObjectName(QStringLiteral("colorRangeCombo"));
    for (ColorRange range : {ColorRange::Probability, ColorRange::MinMax})
        m_colorRangeCombo->addItem(colorRangeName(range), static_cast<int>(range));
    m_colorRangeCombo->setToolTip(tr("Fixed 0–1 makes heads comparable; per head stretches each map's own range."));
    colors->addWidget(new QLabel(tr("Colours:"), panel));
    colors->addWidget(m_colorMapCombo, 1);
    colors->addWidget(m_colorRangeCombo, 1);
    layout->addLayout(colors);

    m_gridHost = new QWidget(panel);
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(4);
    layout->addWidget(m_gridHost, 0);

    m_focused = new HeatmapWidget(panel);
    m_focused->setObjectName(QStringLiteral("focusedHeatmap"));
    m_focused->setPlaceholderText(tr("Attention appears here once a model translates the sentence."));
    m_focused->setMinimumSize(300, 300);
    layout->addWidget(m_focused, 1);

    auto changed = [this] {
        m_attentionDirty = true;
        scheduleRedraw();
    };
    connect(m_kindCombo, &QComboBox::currentIndexChanged, this, changed);
    connect(m_layerSpin, &QSpinBox::valueChanged, this, changed);
    connect(m_headSpin, &QSpinBox::valueChanged, this, changed);
    connect(m_colorMapCombo, &QComboBox::currentIndexChanged, this, &MainWindow::applyHeatmapColors);
    connect(m_colorRangeCombo, &QComboBox::currentIndexChanged, this, &MainWindow::applyHeatmapColors);
    // The focused heatmap's context menu speaks for all of them.
    connect(m_focused, &HeatmapWidget::colorMapChosen, this,
            [this](ColorMap map) { setHeatmapColors(map, heatmapColorRange()); });
    connect(m_focused, &HeatmapWidget::colorRangeChosen, this,
            [this](ColorRange range) { setHeatmapColors(heatmapColorMap(), range); });
    return panel;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open model directory…"), this, &MainWindow::openModelDirectory);
    open->setShortcut(QKeySequence::Open);
    QAction* save = file->addAction(tr("&Save model directory…"), this, &MainWindow::saveModelDirectory);
    save->setShortcut(QKeySequence::Save);
    QMenu* exportMenu = file->addMenu(tr("&Export focused heatmap"));
    for (ExportFormat f : exportFormats())
        exportMenu->addAction(f == ExportFormat::Csv ? tr("Numbers as &CSV…") : tr("As &%1…").arg(exportFormatId(f).toUpper()),
                              this, [this, f] { exportHeatmap(f); });
    file->addAction(tr("Export &all layers and heads…"), this, &MainWindow::exportAllHeads);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* experiments = menuBar()->addMenu(tr("&Experiments"));
    QAction* race = experiments->addAction(tr("&Race attention variants…"), this, &MainWindow::showRaceWindow);
    race->setObjectName(QStringLiteral("raceAction"));
    race->setToolTip(tr("Train vanilla attention and the Synthesizer variants on the same task and budget; compare "
                        "their validation curves and scores."));
    QAction* probe = experiments->addAction(tr("&Task model probe…"), this, [this] {
        auto* w = findChild<TaskProbeWindow*>(QStringLiteral("taskProbeWindow"));
        if (!w) {
            w = new TaskProbeWindow(this);
            w->setObjectName(QStringLiteral("taskProbeWindow"));
        }
        w->show();
        w->raise();
        w->activateWindow();
    });
    probe->setObjectName(QStringLiteral("taskProbeAction"));
    probe->setToolTip(tr("Try a trained task model (mlm, sentiment, langid, pos, charlm) on a sentence."));
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Attention Lab"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showRaceWindow()
{
    if (!m_raceWindow) {
        m_raceWindow = new RaceWindow(this);
        m_raceWindow->setObjectName(QStringLiteral("raceWindow"));
    }
    m_raceWindow->show();
    m_raceWindow->raise();
    m_raceWindow->activateWindow();
}

// ---------------------------------------------------------------------------------------------
// Settings -> request

QString MainWindow::corpusPath() const
{
    const QString typed = m_corpusEdit->text().trimmed();
    return typed.isEmpty() ? findBundledCorpus() : typed;
}

QString MainWindow::task() const
{
    return m_taskCombo->currentData().toString();
}

void MainWindow::setTask(const QString& task)
{
    const int i = m_taskCombo->findData(task);
    if (i >= 0)
        m_taskCombo->setCurrentIndex(i);
}

QString MainWindow::taskOutputText() const
{
    return m_translationLabel->text();
}

TrainingRequest MainWindow::trainingRequest() const
{
    TrainingRequest r;
    // Keys without a widget (max_len, tokens, Adam betas, ...) are the task's defaults.
    r.model = m_taskDefaults.model;
    r.train = m_taskDefaults.train;
    r.task = m_taskDefaults.settings;
    r.task.task = task();
    const TaskFamily family = taskFamily(r.task.task);
    if (family == TaskFamily::Algorithmic) {
        r.task.algorithmic.vocab = m_symbolsSpin->value();
        r.task.algorithmic.min_len = m_minLenSpin->value();
        r.task.algorithmic.max_len = m_maxLenSpin->value();
        r.task.algorithmic.train_size = m_pairsSpin->value();
    } else if (family == TaskFamily::TaskModel) {
        for (const QString& p : m_taskDataEdit->text().split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (!p.trimmed().isEmpty())
                r.task.data << p.trimmed();
        r.task.taskModel.arch.max_len = m_contextSpin->value();
        r.task.minCount = m_minCountSpin->value();
        r.task.maskProb = m_maskProbSpin->value();
        r.task.taskModel.pooling = m_poolingCombo->currentData().toString().toStdString();
        r.task.taskModel.suffix_len = r.task.task == QLatin1String("pos") ? m_suffixSpin->value() : 0;
    }
    r.model.dropout = m_dropoutSpin->value();
    if (m_attentionDropoutSpin->value() > m_attentionDropoutSpin->minimum())
        r.model.attention_dropout = m_attentionDropoutSpin->value();
    else
        r.model.attention_dropout.reset();
    r.train.label_smoothing = m_labelSmoothingSpin->value();
    if (family == TaskFamily::Translation) {
        r.train.scheduled_sampling = m_scheduledSamplingCombo->currentData().toString().toStdString();
        r.train.scheduled_sampling_p = m_scheduledSamplingPSpin->value();
        r.train.scheduled_sampling_k = m_scheduledSamplingKSpin->value();
    }
    r.train.lr_factor = m_lrFactorSpin->value();
    r.corpusPath = corpusPath();
    r.srcColumn = m_srcColumnSpin->value() - 1;
    r.tgtColumn = m_tgtColumnSpin->value() - 1;
    r.model.d_model = m_dModelSpin->value();
    r.model.nhead = m_headsSpin->value();
    r.model.num_encoder_layers = m_encLayersSpin->value();
    r.model.num_decoder_layers = m_decLayersSpin->value();
    r.model.dim_feedforward = m_dffSpin->value();
    r.model.attention = m_attentionCombo->currentData().toString().toStdString();
    r.model.attention_scoring = m_scoringCombo->currentData().toString().toStdString();
    r.model.attention_normalization = m_normalizationCombo->currentData().toString().toStdString();
    r.model.attention_window = m_windowSpin->value();
    r.model.positional_encoding = m_positionalCombo->currentData().toString().toStdString();
    r.model.norm = m_normCombo->currentData().toString().toStdString();
    r.model.norm_first = m_preLnCheck->isChecked();
    r.model.activation = m_activationCombo->currentData().toString().toStdString();
    r.model.decoder = m_decoderCombo->currentData().toString().toStdString();
    r.train.max_tokens = m_maxTokensSpin->value();
    r.train.warmup_steps = m_warmupSpin->value();
    r.train.seed = static_cast<uint64_t>(m_seedSpin->value());
    r.train.threads = m_threadsSpin->value();
    r.snapshotMilliseconds = kSnapshotMs;
    if (m_continueCheck->isChecked() && m_resumeModel && family != TaskFamily::TaskModel) {
        r.resumeFrom = m_resumeModel;
        if (!m_resumeDirectory.isEmpty()) {
            const QString opt = QDir(m_resumeDirectory).filePath(QStringLiteral("optimizer.safetensors"));
            if (QFileInfo::exists(opt))
                r.optimizerPath = opt;
        }
    }
    return r;
}

void MainWindow::browseCorpus()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a corpus"), QFileInfo(corpusPath()).path(),
                                                      tr("Tab-separated text (*.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        m_corpusEdit->setText(path);
}

void MainWindow::browseTaskData()
{
    const QString t = task();
    QString path;
    if (t == QLatin1String("pos") || t == QLatin1String("sentiment"))
        path = QFileDialog::getExistingDirectory(this, t == QLatin1String("pos") ? tr("UD treebank directory (e.g. UD_English-EWT)")
                                                                                 : tr("rt-polarity directory"));
    else
        path = QFileDialog::getOpenFileName(this, tr("Choose the data"), QString(), tr("Text (*.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        m_taskDataEdit->setText(path);
}

void MainWindow::onTaskChanged()
{
    const QString t = task();
    try {
        m_taskDefaults = taskDefaults(t);
    } catch (const std::exception& e) {
        showError(tr("Unknown task"), QString::fromStdString(e.what()));
        return;
    }
    // The command line's defaults of the task (ui/training_session.h taskDefaults).
    const TaskDefaults& d = m_taskDefaults;
    for (QSpinBox* spin : {m_encLayersSpin, m_decLayersSpin}) {
        spin->setMinimum(1);
        spin->setSpecialValueText(QString());
    }
    showModelConfig(d.model);
    if (taskFamily(t) == TaskFamily::TaskModel) {
        // One stack (charlm: decoder-only, the others: encoder-only); the other box says "none".
        const bool lm = t == QLatin1String("charlm");
        QSpinBox* unused = lm ? m_encLayersSpin : m_decLayersSpin;
        (lm ? m_decLayersSpin : m_encLayersSpin)->setValue(d.settings.taskModel.num_layers());
        unused->setMinimum(0);
        unused->setSpecialValueText(tr("none"));
        unused->setValue(0);
    }
    m_dropoutSpin->setValue(d.model.dropout);
    m_attentionDropoutSpin->setValue(d.model.attention_dropout.value_or(m_attentionDropoutSpin->minimum()));
    m_lrFactorSpin->setValue(d.train.lr_factor);
    m_labelSmoothingSpin->setValue(d.train.label_smoothing);
    m_maxTokensSpin->setValue(d.train.max_tokens);
    m_warmupSpin->setValue(d.train.warmup_steps);
    const al::AlgorithmicTaskConfig& g = d.settings.algorithmic;
    m_symbolsSpin->setValue(g.vocab);
    m_minLenSpin->setValue(g.min_len);
    m_maxLenSpin->setValue(g.max_len);
    m_pairsSpin->setValue(g.train_size);
    const al::TaskModelConfig& tm = d.settings.taskModel;
    m_contextSpin->setValue(tm.arch.max_len);
    m_minCountSpin->setValue(d.settings.minCount);
    m_maskProbSpin->setValue(d.settings.maskProb);
    m_poolingCombo->setCurrentIndex(std::max(0, m_poolingCombo->findData(QString::fromStdString(tm.pooling))));
    m_suffixSpin->setValue(tm.suffix_len);
    m_taskDataEdit->clear();
    const QStringList bundled = bundledTaskData(t);
    m_taskDataEdit->setPlaceholderText(
        bundled.isEmpty() ? tr("Required: %1").arg(QString::fromStdString(al::task_data_hint(t.toStdString())))
                          : tr("Bundled: %1").arg(QStringList([&] {
                                QStringList names;
                                for (const std::string& rel : al::bundled_task_data_files(t.toStdString()))
                                    names << QString::fromStdString(rel);
                                return names;
                            }()).join(QStringLiteral(", "))));
    m_taskDataEdit->setToolTip(tr("%1; several paths are separated by ';'; empty uses the bundled data where the task has some.")
                                   .arg(QString::fromStdString(al::task_data_hint(t.toStdString()))));
    m_sentenceEdit->setText(taskExampleInput(t));
    m_trainingPlots->setProbeSentence(taskExampleInput(t));
    if (taskFamily(t) == TaskFamily::Algorithmic) // their textbook pattern is in the cross-attention
        m_kindCombo->setCurrentIndex(std::max(0, m_kindCombo->findData(static_cast<int>(al::AttentionKind::Cross))));
    showTaskRows();
    updateModelSource();
}

void MainWindow::showTaskRows()
{
    const QString t = task();
    const TaskFamily family = taskFamily(t);
    const bool translate = family == TaskFamily::Translation;
    const bool algorithmic = family == TaskFamily::Algorithmic;
    const bool taskModel = family == TaskFamily::TaskModel;
    m_dataForm->setRowVisible(1, translate); // corpus row (a layout)
    m_dataForm->setRowVisible(m_srcColumnSpin, translate);
    m_dataForm->setRowVisible(m_tgtColumnSpin, translate);
    m_dataForm->setRowVisible(m_taskDataRow, taskModel);
    for (QWidget* w : std::initializer_list<QWidget*>{m_symbolsSpin, m_minLenSpin, m_maxLenSpin, m_pairsSpin})
        m_dataForm->setRowVisible(w, algorithmic);
    m_dataForm->setRowVisible(m_contextSpin, taskModel);
    if (auto* label = qobject_cast<QLabel*>(m_dataForm->labelForField(m_contextSpin)))
        label->setText(t == QLatin1String("charlm") ? tr("Context window:") : tr("Max length:"));
    m_dataForm->setRowVisible(m_minCountSpin, taskModel && t != QLatin1String("charlm"));
    m_dataForm->setRowVisible(m_maskProbSpin, t == QLatin1String("mlm"));
    m_dataForm->setRowVisible(m_poolingCombo, t == QLatin1String("sentiment") || t == QLatin1String("langid"));
    m_dataForm->setRowVisible(m_suffixSpin, t == QLatin1String("pos"));
    // Scheduled sampling feeds an autoregressive decoder its own predictions: translation only.
    const QString schedule = m_scheduledSamplingCombo->currentData().toString();
    m_modelForm->setRowVisible(m_scheduledSamplingCombo, translate);
    m_modelForm->setRowVisible(m_scheduledSamplingPSpin, translate && schedule != QLatin1String("off"));
    m_modelForm->setRowVisible(m_scheduledSamplingKSpin, translate && (schedule == QLatin1String("linear") ||
                                                                       schedule == QLatin1String("inverse_sigmoid")));
    m_sentenceBox->setTitle(translate || algorithmic ? tr("Translate") : tr("Try the model"));
    const QString metric = taskMetricName(t);
    m_metricTitle->setText(metric.isEmpty() ? tr("Task metric:") : tr("Valid %1:").arg(metric));
}

void MainWindow::updateModelSource()
{
    const bool taskModel = taskFamily(task()) == TaskFamily::TaskModel;
    const bool resume = m_continueCheck->isChecked() && m_resumeModel && !taskModel;
    m_continueCheck->setEnabled(m_resumeModel != nullptr && !m_training->isActive() && !taskModel);
    for (QSpinBox* s : {m_dModelSpin, m_headsSpin, m_encLayersSpin, m_decLayersSpin, m_dffSpin})
        s->setEnabled(!resume && !m_training->isActive());
    for (QWidget* w : std::initializer_list<QWidget*>{m_attentionCombo, m_scoringCombo, m_normalizationCombo, m_windowSpin,
                                                      m_positionalCombo, m_normCombo, m_preLnCheck, m_activationCombo,
                                                      m_decoderCombo, m_dropoutSpin, m_attentionDropoutSpin})
        w->setEnabled(!resume && !m_training->isActive());
    // Task models have one stack (charlm: decoder-only; the others: encoder-only) and no NAT.
    if (taskModel) {
        const bool lm = task() == QLatin1String("charlm");
        (lm ? m_encLayersSpin : m_decLayersSpin)->setEnabled(false);
        m_decoderCombo->setEnabled(false);
    }
    if (resume) {
        showModelConfig(m_resumeModel->net.config());
        m_modelSourceLabel->setText(m_resumeDirectory.isEmpty()
                                        ? tr("Continues the last trained model.")
                                        : tr("Continues the model from %1.").arg(QDir::toNativeSeparators(m_resumeDirectory)));
    } else {
        m_modelSourceLabel->setText(tr("Train builds a new model."));
    }
}

void MainWindow::showModelConfig(const al::ModelConfig& c)
{
    m_dModelSpin->setValue(c.d_model);
    m_headsSpin->setValue(c.nhead);
    m_encLayersSpin->setValue(c.num_encoder_layers);
    m_decLayersSpin->setValue(c.num_decoder_layers);
    m_dffSpin->setValue(c.dim_feedforward);
    const int index = m_attentionCombo->findData(QString::fromStdString(c.attention));
    if (index >= 0)
        m_attentionCombo->setCurrentIndex(index);
    auto select = [](QComboBox* combo, const std::string& key) {
        const int i = combo->findData(QString::fromStdString(key));
        if (i >= 0)
            combo->setCurrentIndex(i);
    };
    select(m_scoringCombo, c.attention_scoring);
    select(m_normalizationCombo, c.attention_normalization);
    m_windowSpin->setValue(c.attention_window);
    select(m_positionalCombo, c.positional_encoding);
    select(m_normCombo, c.norm);
    m_preLnCheck->setChecked(c.norm_first);
    select(m_activationCombo, c.activation);
    select(m_decoderCombo, c.decoder);
    m_dropoutSpin->setValue(c.dropout);
    m_attentionDropoutSpin->setValue(c.attention_dropout.value_or(m_attentionDropoutSpin->minimum()));
}

// ---------------------------------------------------------------------------------------------
// Training control

void MainWindow::startTraining()
{
    if (m_training->isActive())
        return;
    TrainingRequest request = trainingRequest();
    const TaskFamily family = taskFamily(request.task.task);
    if (family == TaskFamily::Translation) {
        if (request.corpusPath.isEmpty()) {
            showError(tr("No corpus"), tr("The bundled corpus (%1) was not found next to the program or in %2. "
                                          "Choose a tab-separated corpus file in the Data settings.")
                                           .arg(QString::fromLatin1(kBundledCorpusRelative), QStringLiteral(AL_RESOURCE_DIR)));
            return;
        }
        if (!QFileInfo(request.corpusPath).isReadable()) {
            showError(tr("No corpus"), tr("Cannot read '%1'.").arg(request.corpusPath));
            return;
        }
    }
    // The checks of the command line (architecture, generator, data paths), before any data is read.
    const QString problem = checkTrainingSettings(request.model, request.train, request.task, request.resumeFrom != nullptr);
    if (!problem.isEmpty()) {
        showError(tr("Invalid model settings"), problem);
        return;
    }
    resetCurves();
    m_taskModelSettings = request.task;
    m_training->start(request);
}

void MainWindow::togglePause()
{
    if (m_training->state() == TrainingController::State::Paused)
        m_training->resume();
    else
        m_training->pause();
}

void MainWindow::stepOnce()
{
    if (m_training->state() == TrainingController::State::Idle) {
        TrainingRequest request = trainingRequest();
        request.startPaused = true;
        const bool translate = taskFamily(request.task.task) == TaskFamily::Translation;
        if ((translate && request.corpusPath.isEmpty())
            || !checkTrainingSettings(request.model, request.train, request.task, request.resumeFrom != nullptr).isEmpty()) {
            startTraining(); // reports the problem
            return;
        }
        resetCurves();
        m_taskModelSettings = request.task;
        m_training->start(request);
    } else {
        m_training->stepOnce();
    }
}

void MainWindow::stopTraining()
{
    m_training->stop();
}

void MainWindow::resetCurves()
{
    m_trainSteps.clear();
    m_trainLoss.clear();
    m_validSteps.clear();
    m_validLoss.clear();
    m_lrValues.clear();
    m_trainingPlots->reset();
    m_haveMetrics = false;
    for (QLabel* l : {m_validLabel, m_perplexityLabel, m_accuracyLabel, m_metricLabel})
        l->setText(QStringLiteral("–"));
    m_plotsDirty = true;
    schedulePlotRedraw();
}

void MainWindow::onStateChanged(TrainingController::State state)
{
    using S = TrainingController::State;
    const bool idle = state == S::Idle;
    m_trainButton->setEnabled(idle);
    m_pauseButton->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    m_pauseButton->setText(state == S::Paused ? tr("Resume") : tr("Pause"));
    m_stepButton->setEnabled(idle || state == S::Paused);
    m_stopButton->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    m_dataGroup->setEnabled(idle);
    for (QWidget* w : std::initializer_list<QWidget*>{m_maxTokensSpin, m_warmupSpin, m_seedSpin, m_lrFactorSpin,
                                                      m_threadsSpin, m_labelSmoothingSpin, m_scheduledSamplingCombo,
                                                      m_scheduledSamplingPSpin, m_scheduledSamplingKSpin})
        w->setEnabled(idle);
    updateModelSource();
    m_stateLabel->setText(stateText(state));
}

void MainWindow::onStarted(const TrainingInfo& info)
{
    const QLocale loc;
    if (taskFamily(info.task) == TaskFamily::TaskModel) {
        QString msg = tr("Training %1: %2; vocabulary %3").arg(info.task, info.dataSummary, loc.toString(info.srcVocabSize));
        if (info.labels > 0)
            msg += tr(", %n label(s)", nullptr, info.labels);
        msg += tr("; %1 parameters.").arg(loc.toString(info.parameters));
        if (info.skippedLines > 0)
            msg += QLatin1Char(' ') + tr("%n malformed line(s) skipped.", nullptr, int(info.skippedLines));
        statusBar()->showMessage(msg);
        showModelConfig(info.model);
        return;
    }
    QString msg = tr("Training on %1 pairs (validation %2, test %3); vocabularies %4 / %5; %6 parameters.")
                      .arg(loc.toString(info.trainPairs), loc.toString(info.validPairs), loc.toString(info.testPairs),
                           loc.toString(info.srcVocabSize), loc.toString(info.tgtVocabSize),
                           loc.toString(info.parameters));
    if (taskFamily(info.task) == TaskFamily::Algorithmic)
        msg = tr("Training %1 (%2) on %3 generated pairs (validation %4, test %5, held out); vocabularies %6 / %7; %8 parameters.")
                  .arg(info.task, info.dataSummary, loc.toString(info.trainPairs), loc.toString(info.validPairs),
                       loc.toString(info.testPairs), loc.toString(info.srcVocabSize), loc.toString(info.tgtVocabSize),
                       loc.toString(info.parameters));
    if (info.synthesizerParameters > 0)
        msg += QLatin1Char(' ') + tr("Synthesizer: %1 parameters.").arg(loc.toString(info.synthesizerParameters));
    if (info.skippedLines > 0)
        msg += QLatin1Char(' ') + tr("%n malformed line(s) skipped.", nullptr, int(info.skippedLines));
    statusBar()->showMessage(msg);
    showModelConfig(info.model);
}

void MainWindow::onMetrics(const TrainingMetrics& m)
{
    m_trainSteps << double(m.step);
    m_trainLoss << m.loss;
    m_lrValues << m.learningRate;
    m_trainingPlots->addMetrics(m);
    m_lastMetrics = m;
    m_haveMetrics = true;
    m_plotsDirty = true;
    schedulePlotRedraw();
}

void MainWindow::onValidated(const ValidationMetrics& v)
{
    m_validSteps << double(v.step);
    m_validLoss << v.loss;
    m_trainingPlots->addValidation(v);
    m_validLabel->setText(QString::number(v.loss, 'f', 3));
    m_validLabel->setToolTip(tr("At step %1").arg(v.step));
    m_perplexityLabel->setText(QString::number(v.perplexity, 'f', 1));
    m_accuracyLabel->setText(tr("%1%").arg(v.tokenAccuracy * 100.0, 0, 'f', 1));
    if (!v.metricName.isEmpty()) {
        // charlm: bits per character; the others: a fraction shown in percent.
        const bool bits = v.metricName == QLatin1String("bits/char");
        const QString value = bits ? QString::number(v.metric, 'f', 3) : tr("%1%").arg(v.metric * 100.0, 0, 'f', 1);
        m_metricTitle->setText(tr("Valid %1:").arg(v.metricName));
        m_metricLabel->setText(value);
        m_metricLabel->setToolTip(tr("At step %1, over %2 %3").arg(v.step).arg(v.examples).arg(bits ? tr("characters") : tr("examples")));
        statusBar()->showMessage(bits ? tr("Validation at step %1: %2 nats/char, %3 bits/char, next-character accuracy %4%.")
                                            .arg(v.step)
                                            .arg(v.loss, 0, 'f', 3)
                                            .arg(v.metric, 0, 'f', 3)
                                            .arg(v.tokenAccuracy * 100.0, 0, 'f', 1)
                                      : tr("Validation at step %1: loss %2, %3 %4.")
                                            .arg(v.step)
                                            .arg(v.loss, 0, 'f', 3)
                                            .arg(v.metricName, value));
    } else {
        m_metricLabel->setText(QStringLiteral("–"));
    }
    m_plotsDirty = true;
    schedulePlotRedraw();
}

void MainWindow::onTaskSnapshot(const TaskModelSnapshot& model, qint64 step)
{
    m_taskModel = model;
    m_taskModelStep = step;
    m_trainingPlots->addTaskSnapshot(model, step);
    if (!m_taskInferenceTimer.isActive())
        m_taskInferenceTimer.start();
}

void MainWindow::runTaskInference()
{
    if (!m_taskModel)
        return;
    const TaskModelOutput out = runTaskModel(*m_taskModel, m_sentenceEdit->text());
    if (!out.error.isEmpty()) {
        m_translationLabel->setText(tr("(cannot run the model: %1)").arg(out.error));
        m_tokensLabel->clear();
        return;
    }
    m_translationLabel->setText(out.output.isEmpty() ? tr("(empty)") : out.output);
    m_translationLabel->setToolTip(out.output);
    const al::Trace& t = *out.trace;
    const std::vector<std::string>& tokens = t.src_tokens.empty() ? t.tgt_in_tokens : t.src_tokens;
    QStringList shown;
    for (const std::string& tok : tokens)
        shown << QString::fromStdString(tok);
    m_tokensLabel->setText(tr("%1 tokens: %2 · %3 model step %4")
                               .arg(QString::fromStdString(m_taskModel->net.config().task))
                               .arg(shown.join(QLatin1Char(' ')))
                               .arg(t.src_tokens.empty() ? tr("causal self-attention ·") : tr("self-attention ·"))
                               .arg(m_taskModelStep));
    showTrace(out.trace, m_taskModelStep);
}

void MainWindow::showTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step)
{
    m_trace = trace;
    m_traceStep = step;
    m_overview->setTrace(trace);
    // A task model records one kind (encoder or decoder self-attention): show it.
    if (trace && attention_maps(*trace, selection().kind).empty()) {
        for (al::AttentionKind k : attentionKinds())
            if (!attention_maps(*trace, k).empty()) {
                m_kindCombo->setCurrentIndex(std::max(0, m_kindCombo->findData(static_cast<int>(k))));
                break;
            }
    }
    m_attentionDirty = true;
    scheduleRedraw();
}

void MainWindow::onSnapshot(const ModelSnapshot& model, qint64 step)
{
    m_taskModel.reset();
    m_model = model;
    m_modelStep = step;
    m_inference->setModel(model, step);
    m_decoding->setModel(model, step);
    m_peLab->setModel(model, step);
    m_stepper->setModel(model);
    m_trainingPlots->addSnapshot(model, step);
}

void MainWindow::onFinished(qint64 step)
{
    if (m_model && !m_taskModel) {
        // The last run's model is what "continue" picks up (unless a directory was opened);
        // a task model run leaves the translation model to continue as it was.
        m_resumeModel = m_model;
        m_resumeDirectory.clear();
    }
    updateModelSource();
    statusBar()->showMessage(tr("Training stopped at step %1.").arg(step));
}

void MainWindow::onSaveFinished(const QString& directory, const QString& errorMessage)
{
    if (errorMessage.isEmpty())
        statusBar()->showMessage(m_taskModel ? tr("Saved the %1 model to %2; Experiments → Task model probe opens it.")
                                                   .arg(QString::fromStdString(m_taskModel->net.config().task),
                                                        QDir::toNativeSeparators(directory))
                                             : tr("Saved the model to %1.").arg(QDir::toNativeSeparators(directory)));
    else
        showError(tr("Saving failed"), errorMessage);
}

void MainWindow::onTranslated(const InferenceResult& result)
{
    if (result.requestId < m_lastResultId)
        return;
    m_lastResultId = result.requestId;
    if (m_taskModel)
        return; // a task model is current: this translation is of an earlier model
    if (!result.errorMessage.isEmpty()) {
        m_translationLabel->setText(tr("(cannot translate: %1)").arg(result.errorMessage));
        m_tokensLabel->clear();
        return;
    }
    m_translationLabel->setText(result.translation.isEmpty() ? tr("(empty)") : result.translation);
    m_translationLabel->setToolTip(result.translation);
    m_tokensLabel->setText(tr("Source tokens: %1 · %n output token(s) · model step %2", nullptr,
                              int(result.outTokens.size()))
                               .arg(result.srcTokens.join(QLatin1Char(' ')))
                               .arg(result.modelStep));
    m_tokensLabel->setToolTip(result.outTokens.join(QLatin1Char(' ')));
    m_synth->setResult(result);
    showTrace(result.trace, result.modelStep);
}

void MainWindow::compareSentences()
{
    auto* dialog = new CompareDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setModel(m_model);
    dialog->setFirstSentence(m_sentenceEdit->text());
    dialog->setSelection(selection());
    dialog->show();
    if (m_model)
        dialog->compare();
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(title + QStringLiteral(": ") + message);
    // Window-modal but non-blocking: errors never stall the worker signals or the event loop.
    auto* box = new QMessageBox(QMessageBox::Warning, title, title, QMessageBox::Ok, this);
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// ---------------------------------------------------------------------------------------------
// Drawing (coalesced)

void MainWindow::scheduleRedraw()
{
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void MainWindow::schedulePlotRedraw()
{
    if (!m_plotTimer.isActive())
        m_plotTimer.start();
}

void MainWindow::redraw()
{
    // Behind another tab of a shown window the heatmaps wait; switching back draws them.
    if (m_attentionDirty && !(isVisible() && !m_focused->isVisible()))
        redrawAttention();
}

void MainWindow::redrawPlots()
{
    m_plotsDirty = false;
    m_lossPlot->graph(0)->setData(m_trainSteps, m_trainLoss, true);
    m_lossPlot->graph(1)->setData(m_validSteps, m_validLoss, true);
    m_lrPlot->graph(0)->setData(m_trainSteps, m_lrValues, true);
    if (!m_trainSteps.isEmpty()) {
        const double lastStep = std::max(m_trainSteps.last(), 1.0);
        m_lossPlot->xAxis->setRange(0, lastStep);
        m_lrPlot->xAxis->setRange(0, lastStep);
        double maxLoss = 0;
        for (double v : m_trainLoss)
            if (std::isfinite(v))
                maxLoss = std::max(maxLoss, v);
        for (double v : m_validLoss)
            if (std::isfinite(v))
                maxLoss = std::max(maxLoss, v);
        m_lossPlot->yAxis->setRange(0, std::max(maxLoss * 1.05, 0.1));
        m_lrPlot->yAxis->rescale();
        const QCPRange r = m_lrPlot->yAxis->range();
        m_lrPlot->yAxis->setRange(0, std::max(r.upper * 1.1, 1e-9));
    }
    m_lossPlot->replot(QCustomPlot::rpQueuedReplot);
    m_lrPlot->replot(QCustomPlot::rpQueuedReplot);

    if (m_haveMetrics) {
        const TrainingMetrics& m = m_lastMetrics;
        const QLocale loc;
        m_stepLabel->setText(loc.toString(m.step));
        m_epochLabel->setText(QString::number(m.epoch, 'f', 2));
        m_lossLabel->setText(QString::number(m.loss, 'f', 3));
        m_lrLabel->setText(QString::number(m.learningRate, 'g', 3));
        m_gradLabel->setText(QString::number(m.gradNorm, 'f', 2));
        m_speedLabel->setText(loc.toString(qRound64(m.tokensPerSecond)));
        m_stateLabel->setText(stateText(m_training->state()) + QStringLiteral(" · ") + tr("step %1").arg(m.step));
    } else {
        for (QLabel* l : {m_stepLabel, m_epochLabel, m_lossLabel, m_lrLabel, m_gradLabel, m_speedLabel})
            l->setText(QStringLiteral("–"));
    }
}

AttentionSelection MainWindow::selection() const
{
    AttentionSelection sel;
    sel.kind = static_cast<al::AttentionKind>(m_kindCombo->currentData().toInt());
    sel.layer = m_layerSpin->value() - 1;
    sel.head = m_headSpin->value() - 1;
    return sel;
}

void MainWindow::rebuildThumbnails(int count)
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
        thumb->setTitle(tr("Head %1").arg(h + 1));
        thumb->setMinimumSize(90, 110);
        thumb->setMaximumHeight(170);
        thumb->setToolTip(tr("Click to focus head %1").arg(h + 1));
        connect(thumb, &HeatmapWidget::clicked, this, [this, h] { focusHead(h); });
        thumb->setColorMap(heatmapColorMap());
        thumb->setColorRange(heatmapColorRange());
        m_grid->addWidget(thumb, h / columns, h % columns);
        m_thumbs << thumb;
    }
}

void MainWindow::focusHead(int head)
{
    m_headSpin->setValue(head + 1);
}

void MainWindow::redrawAttention()
{
    m_attentionDirty = false;
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
    const ColorRange range = m_model && m_model->net.config().attention_normalization == "relu" ? ColorRange::MinMax
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

// ---------------------------------------------------------------------------------------------
// Files

void MainWindow::openModelDirectory()
{
    if (m_training->isActive()) {
        showError(tr("Training is running"), tr("Stop training before opening another model."));
        return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open model directory"));
    if (!dir.isEmpty())
        loadModelDirectory(dir);
}

bool MainWindow::loadModelDirectory(const QString& directory)
{
    if (m_training->isActive())
        return false;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        const std::string taskName = al::task_of_model_dir(toLocalPath(directory));
        if (!taskName.empty()) {
            // A task model (charlm, pos, ...): its attention on the typed text; Train trains a new one.
            auto model = std::make_shared<const al::TaskModel>(al::load_task_model_dir(toLocalPath(directory)));
            QApplication::restoreOverrideCursor();
            setTask(QString::fromStdString(taskName));
            m_taskModelSettings = m_taskDefaults.settings;
            resetCurves();
            onTaskSnapshot(model, 0);
            statusBar()->showMessage(tr("Opened the %1 model %2 (Experiments → Task model probe tries it too).")
                                         .arg(QString::fromStdString(taskName), QDir::toNativeSeparators(directory)));
            return true;
        }
        auto model = std::make_shared<const al::TranslationModel>(al::load_model_dir(toLocalPath(directory)));
        QApplication::restoreOverrideCursor();
        m_taskModelSettings = TaskSettings{};
        if (al::load_algorithmic_task_file(toLocalPath(directory), m_taskModelSettings.algorithmic))
            m_taskModelSettings.task = QString::fromStdString(al::to_string(m_taskModelSettings.algorithmic.task));
        m_resumeModel = model;
        m_resumeDirectory = directory;
        m_continueCheck->setChecked(true);
        resetCurves();
        onSnapshot(model, 0);
        updateModelSource();
        statusBar()->showMessage(tr("Opened %1; Train continues training it.").arg(QDir::toNativeSeparators(directory)));
        return true;
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        showError(tr("Cannot open the model"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::saveModelDirectory()
{
    if (!m_model && !m_taskModel && !m_training->isActive()) {
        showError(tr("Nothing to save"), tr("Train a model or open one first."));
        return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Save model directory"));
    if (!dir.isEmpty())
        saveModelTo(dir);
}

bool MainWindow::saveModelTo(const QString& directory)
{
    // While a run is active the trainer's own thread writes it (with optimizer state); otherwise
    // the immutable snapshot is written here.
    if (m_training->isActive())
        return m_training->saveModel(directory);
    if (!m_model && !m_taskModel)
        return false;
    try {
        if (m_taskModel) {
            al::save_task_model_dir(*m_taskModel, toLocalPath(directory));
        } else {
            al::save_model_dir(*m_model, toLocalPath(directory));
            if (taskFamily(m_taskModelSettings.task) == TaskFamily::Algorithmic)
                al::save_algorithmic_task_file(m_taskModelSettings.algorithmic, toLocalPath(directory));
        }
        onSaveFinished(directory, QString());
        return true;
    } catch (const std::exception& e) {
        onSaveFinished(directory, QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::exportHeatmap(ExportFormat format)
{
    if (!m_focused->hasData()) {
        showError(tr("Nothing to export"), tr("The focused heatmap is empty."));
        return;
    }
    const AttentionSelection sel = selection();
    const QString path = interactiveExport(this, format, attentionFileName(sel.kind, sel.layer, sel.head, format),
                                           QSizeF(m_focused->plot()->size()),
                                           [this, format](const QString& p, const FigureSize& size) {
                                               m_focused->exportFigure(p, format, size);
                                           });
    if (!path.isEmpty())
        statusBar()->showMessage(tr("Wrote %1.").arg(QDir::toNativeSeparators(path)));
}

void MainWindow::exportAllHeads()
{
    if (!m_trace) {
        showError(tr("Nothing to export"), tr("No attention yet: train a model or open one, and type a sentence."));
        return;
    }
    BatchExportDialog dialog(selection().kind, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    exportAttentionTo(dialog.request());
}

QStringList MainWindow::exportAttentionTo(AttentionExportRequest request)
{
    if (!m_trace) {
        showError(tr("Nothing to export"), tr("No attention yet: train a model or open one, and type a sentence."));
        return {};
    }
    request.colorMap = heatmapColorMap();
    request.colorRange = heatmapColorRange();
    QString caption = m_sentenceEdit->text().trimmed();
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
        statusBar()->showMessage(tr("Wrote %n file(s) to %1.", nullptr, int(written.size()))
                                     .arg(QDir::toNativeSeparators(request.directory)));
        return written;
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
        return {};
    }
}

void MainWindow::setHeatmapColors(ColorMap map, ColorRange range)
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

ColorMap MainWindow::heatmapColorMap() const
{
    return static_cast<ColorMap>(m_colorMapCombo->currentData().toInt());
}

ColorRange MainWindow::heatmapColorRange() const
{
    return static_cast<ColorRange>(m_colorRangeCombo->currentData().toInt());
}

void MainWindow::applyHeatmapColors()
{
    QVector<HeatmapWidget*> all = m_thumbs;
    all << m_focused;
    for (HeatmapWidget* h : all) {
        h->setColorMap(heatmapColorMap());
        h->setColorRange(heatmapColorRange());
    }
    if (m_overview)
        m_overview->setColors(heatmapColorMap(), heatmapColorRange());
}

void MainWindow::showAbout()
{
    const QString text =
        tr("<h3>Attention Lab</h3>"
           "<p>A desktop laboratory for the Transformer: train a small model and watch its attention.</p>"
           "<p>Licence: GNU General Public License, version 3 or later (GPL-3.0-or-later).<br>"
           "Plots: QCustomPlot by Emanuel Eichhammer, GPL.<br>Built with Qt %1 and Eigen.</p>"
           "<p>Data: %2</p>")
            .arg(QString::fromLatin1(qVersion()),
                 QStringLiteral("English–Chinese sentence pairs from the Tatoeba Project (tatoeba.org), via "
                                "ManyThings.org (www.manythings.org/anki), licensed CC BY 2.0 FR.<br>"
                                "English–French sentence pairs from the Tatoeba Project (tatoeba.org), via "
                                "ManyThings.org (www.manythings.org/anki), licensed CC BY 2.0 FR.<br>"
                                "Tiny Shakespeare (from Andrej Karpathy's char-rnn); Shakespeare's text is in the "
                                "public domain."));
    QMessageBox::about(this, tr("About Attention Lab"), text);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_training->isActive())
        statusBar()->showMessage(tr("Stopping training…"));
    m_training->shutdown();
    m_inference->shutdown();
    m_synth->shutdown();
    if (m_raceWindow)
        m_raceWindow->controller()->shutdown();
    m_decoding->shutdown();
    event->accept();
}

} // namespace al::ui
