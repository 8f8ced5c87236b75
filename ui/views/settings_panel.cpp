// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/settings_panel.h"

#include "ui/views/retranslate.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>

namespace al::ui {

namespace {

QSpinBox* makeSpin(QWidget* parent, const char* name, int min, int max, int value, int step = 1)
{
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(QString::fromLatin1(name));
    spin->setRange(min, max);
    spin->setSingleStep(step);
    spin->setValue(value);
    return spin;
}

QString comboKey(const QComboBox* combo)
{
    return combo->currentData().toString();
}

/// Selects the item whose data is `key`; keeps the current item when there is none.
void selectKey(QComboBox* combo, const QString& key)
{
    const int i = combo->findData(key);
    if (i >= 0)
        combo->setCurrentIndex(i);
}

} // namespace

SettingsPanel::SettingsPanel(QWidget* parent) : QWidget(parent), m_form(new SettingsForm(this))
{
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);

    const char* const context = staticMetaObject.className();
    m_dataGroup = new QGroupBox(panel);
    trTitle(m_dataGroup, [] { return tr("Task and data"); });
    auto* dataForm = new QFormLayout(m_dataGroup);
    m_dataForm = dataForm;
    // What to train: translation, copy/reverse/sort or a task model (ui/view_models/training_session.h).
    m_taskCombo = new QComboBox(m_dataGroup);
    m_taskCombo->setObjectName(QStringLiteral("taskCombo"));
    for (const QString& t : trainingTasks())
        m_taskCombo->addItem(QString(), t);
    trItems(m_taskCombo, [](const QVariant& v) { return taskLabel(v.toString()); });
    trToolTip(m_taskCombo, [=] { return tr("What Train trains, as `attention-lab train --task`; choosing a task loads its "
                               "default model and training settings."); });
    addTrRow(dataForm, m_taskCombo, [=] { return tr("Task:"); });
    m_corpusEdit = new QLineEdit(m_dataGroup);
    m_corpusEdit->setObjectName(QStringLiteral("corpusEdit"));
    trPlaceholder(m_corpusEdit, [=] { return tr("Bundled: Tatoeba English–Chinese"); });
    trToolTip(m_corpusEdit, [=] { return tr("Tab-separated file of sentence pairs; empty uses the bundled corpus."); });
    auto* browse = new QPushButton(m_dataGroup);
    trText(browse, [] { return tr("Browse…"); });
    connect(browse, &QPushButton::clicked, this, &SettingsPanel::browseCorpus);
    auto* corpusRow = new QHBoxLayout;
    corpusRow->addWidget(m_corpusEdit, 1);
    corpusRow->addWidget(browse);
    addTrRow(dataForm, corpusRow, [=] { return tr("Corpus (TSV):"); });
    m_srcColumnSpin = makeSpin(m_dataGroup, "sourceColumnSpin", 1, 99, 2);
    trToolTip(m_srcColumnSpin, [=] { return tr("1-based column of the source sentence (bundled file: 2 = Chinese)."); });
    m_tgtColumnSpin = makeSpin(m_dataGroup, "targetColumnSpin", 1, 99, 1);
    trToolTip(m_tgtColumnSpin, [=] { return tr("1-based column of the target sentence (bundled file: 1 = English)."); });
    addTrRow(dataForm, m_srcColumnSpin, [=] { return tr("Source column:"); });
    addTrRow(dataForm, m_tgtColumnSpin, [=] { return tr("Target column:"); });
    // Task models: data paths (empty = bundled, where the task has bundled data).
    m_taskDataRow = new QWidget(m_dataGroup);
    auto* taskDataLayout = new QHBoxLayout(m_taskDataRow);
    taskDataLayout->setContentsMargins(0, 0, 0, 0);
    m_taskDataEdit = new QLineEdit(m_taskDataRow);
    m_taskDataEdit->setObjectName(QStringLiteral("taskDataEdit"));
    auto* taskBrowse = new QPushButton(m_taskDataRow);
    trText(taskBrowse, [] { return tr("Browse…"); });
    trPlaceholder(m_taskDataEdit, [this] { return m_form->taskDataPlaceholder(); });
    trToolTip(m_taskDataEdit, [this] { return m_form->taskDataToolTip(); });
    connect(taskBrowse, &QPushButton::clicked, this, &SettingsPanel::browseTaskData);
    taskDataLayout->addWidget(m_taskDataEdit, 1);
    taskDataLayout->addWidget(taskBrowse);
    addTrRow(dataForm, m_taskDataRow, [=] { return tr("Data:"); });
    // copy/reverse/sort generator (al::AlgorithmicTaskConfig, the ranges of its validate()).
    const al::AlgorithmicTaskConfig gen;
    m_symbolsSpin = makeSpin(m_dataGroup, "symbolsSpin", 2, 1000, gen.vocab);
    trToolTip(m_symbolsSpin, [=] { return tr("Symbols 0 … V−1 (--task-vocab)."); });
    m_minLenSpin = makeSpin(m_dataGroup, "minLenSpin", 1, 500, gen.min_len);
    trToolTip(m_minLenSpin, [=] { return tr("Shortest generated sequence (--min-len)."); });
    m_maxLenSpin = makeSpin(m_dataGroup, "maxLenSpin", 1, 500, gen.max_len);
    trToolTip(m_maxLenSpin, [=] { return tr("Longest generated sequence (--max-len)."); });
    m_pairsSpin = makeSpin(m_dataGroup, "pairsSpin", 1, 100000000, gen.train_size, 1000);
    trToolTip(m_pairsSpin, [=] { return tr("Training pairs generated (--task-pairs); %1 validation and %2 test sources are held out.")
                                .arg(gen.valid_size)
                                .arg(gen.test_size); });
    addTrRow(dataForm, m_symbolsSpin, [=] { return tr("Symbols:"); });
    addTrRow(dataForm, m_minLenSpin, [=] { return tr("Min length:"); });
    addTrRow(dataForm, m_maxLenSpin, [=] { return tr("Max length:"); });
    addTrRow(dataForm, m_pairsSpin, [=] { return tr("Training pairs:"); });
    // Task models (al::ModelConfig keys max_len, pooling, suffix_len; --min-count, --mask-prob).
    m_contextSpin = makeSpin(m_dataGroup, "contextSpin", 2, 100000, 128);
    trToolTip(m_contextSpin, [=] { return tr("max_len: longest sequence in tokens; for charlm the context window (--max-len)."); });
    m_minCountSpin = makeSpin(m_dataGroup, "minCountSpin", 1, 1 << 24, al::kDefaultTaskMinCount);
    trToolTip(m_minCountSpin, [=] { return tr("Words seen fewer times become <unk> (--min-count; charlm keeps every character)."); });
    m_maskProbSpin = new QDoubleSpinBox(m_dataGroup);
    m_maskProbSpin->setObjectName(QStringLiteral("maskProbSpin"));
    m_maskProbSpin->setRange(0, 1);
    m_maskProbSpin->setDecimals(3);
    m_maskProbSpin->setSingleStep(0.05);
    m_maskProbSpin->setValue(al::kDefaultMaskProb);
    trToolTip(m_maskProbSpin, [=] { return tr("Probability that a token is selected for prediction (--mask-prob; BERT: 0.15)."); });
    m_poolingCombo = new QComboBox(m_dataGroup);
    m_poolingCombo->setObjectName(QStringLiteral("poolingCombo"));
    addSourceItem(m_poolingCombo, QT_TR_NOOP("Mean over tokens"), QStringLiteral("mean"));
    addSourceItem(m_poolingCombo, QT_TR_NOOP("[CLS] position"), QStringLiteral("cls"));
    translateItems(m_poolingCombo, context);
    trToolTip(m_poolingCombo, [=] { return tr("Classifier pooling (--pooling)."); });
    m_suffixSpin = makeSpin(m_dataGroup, "suffixSpin", 0, 64, 3);
    trSpecialValue(m_suffixSpin, [=] { return tr("off"); });
    trToolTip(m_suffixSpin, [=] { return tr("Adds a suffix token (word ending and case) of n characters to each word (--suffix-len)."); });
    addTrRow(dataForm, m_contextSpin, [this] { return m_form->rows().contextLabel; });
    addTrRow(dataForm, m_minCountSpin, [=] { return tr("Min count:"); });
    addTrRow(dataForm, m_maskProbSpin, [=] { return tr("Mask probability:"); });
    addTrRow(dataForm, m_poolingCombo, [=] { return tr("Pooling:"); });
    addTrRow(dataForm, m_suffixSpin, [=] { return tr("Suffix length:"); });
    layout->addWidget(m_dataGroup);

    m_modelGroup = new QGroupBox(panel);
    trTitle(m_modelGroup, [] { return tr("Model"); });
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
    addTrRow(modelForm, m_dModelSpin, [=] { return tr("d_model:"); });
    addTrRow(modelForm, m_headsSpin, [=] { return tr("Heads:"); });
    addTrRow(modelForm, m_encLayersSpin, [=] { return tr("Encoder layers:"); });
    addTrRow(modelForm, m_decLayersSpin, [=] { return tr("Decoder layers:"); });
    addTrRow(modelForm, m_dffSpin, [=] { return tr("d_ff:"); });
    // Self-attention alignment: the paper's dot product or a Synthesizer (Tay et al. 2021).
    m_attentionCombo = new QComboBox(m_modelGroup);
    m_attentionCombo->setObjectName(QStringLiteral("attentionCombo"));
    const std::pair<const char*, const char*> variants[] = {
        {"vanilla", QT_TR_NOOP("Dot-product (vanilla)")},
        {"dense", QT_TR_NOOP("Dense Synthesizer")},
        {"random", QT_TR_NOOP("Random Synthesizer")},
        {"fixed_random", QT_TR_NOOP("Fixed Random Synthesizer")},
        {"factorized_dense", QT_TR_NOOP("Factorized Dense Synthesizer")},
        {"factorized_random", QT_TR_NOOP("Factorized Random Synthesizer")},
        {"random+vanilla", QT_TR_NOOP("Mixture: Random + Vanilla")},
        {"dense+vanilla", QT_TR_NOOP("Mixture: Dense + Vanilla")},
        {"random+dense", QT_TR_NOOP("Mixture: Random + Dense")},
    };
    for (const auto& [key, label] : variants)
        addSourceItem(m_attentionCombo, label, QString::fromLatin1(key));
    translateItems(m_attentionCombo, context);
    trToolTip(m_attentionCombo, [=] { return tr("Alignment of encoder and decoder self-attention; cross-attention stays dot-product."); });
    addTrRow(modelForm, m_attentionCombo, [=] { return tr("Attention:"); });
    // Attention scoring, normalisation and window; positional encoding; norm and activation.
    // items: {config key, QT_TR_NOOP label}.
    auto makeChoice = [this, context](const char* name, std::initializer_list<std::pair<const char*, const char*>> items,
                                      const std::string& current, TextFn tip) {
        auto* combo = new QComboBox(m_modelGroup);
        combo->setObjectName(QString::fromLatin1(name));
        for (const auto& [key, label] : items)
            addSourceItem(combo, label, QString::fromLatin1(key));
        translateItems(combo, context);
        combo->setCurrentIndex(combo->findData(QString::fromStdString(current)));
        trToolTip(combo, std::move(tip));
        return combo;
    };
    m_scoringCombo = makeChoice("scoringCombo",
                                {{"scaled_dot", QT_TR_NOOP("Scaled dot-product")}, {"dot", QT_TR_NOOP("Dot-product (unscaled)")},
                                 {"additive", QT_TR_NOOP("Additive (Bahdanau)")}},
                                mc.attention_scoring, [] { return tr("Query-key score of dot-product attention (self and cross)."); });
    m_normalizationCombo = makeChoice("normalizationCombo", {{"softmax", QT_TR_NOOP("Softmax")}, {"relu", QT_TR_NOOP("ReLU (unnormalised)")}},
                                      mc.attention_normalization, [] { return tr("How scores become attention weights."); });
    m_windowSpin = makeSpin(m_modelGroup, "windowSpin", 0, 1024, mc.attention_window);
    trSpecialValue(m_windowSpin, [=] { return tr("unrestricted"); });
    trToolTip(m_windowSpin, [=] { return tr("Restricted self-attention: query i sees keys j with |i - j| <= window."); });
    m_positionalCombo = makeChoice("positionalCombo",
                                   {{"sinusoidal", QT_TR_NOOP("Sinusoidal")}, {"learned", QT_TR_NOOP("Learned")}, {"none", QT_TR_NOOP("None")}},
                                   mc.positional_encoding, [] { return tr("Positional encoding added to the token embeddings."); });
    m_normCombo = makeChoice("normCombo", {{"layernorm", QT_TR_NOOP("LayerNorm")}, {"batchnorm", QT_TR_NOOP("BatchNorm")}}, mc.norm,
                             [] { return tr("Normalisation in every block and after the encoder and decoder."); });
    m_preLnCheck = new QCheckBox(m_modelGroup);
    trText(m_preLnCheck, [] { return tr("Pre-LN (norm before each sublayer)"); });
    m_preLnCheck->setObjectName(QStringLiteral("preLnCheck"));
    m_preLnCheck->setChecked(mc.norm_first);
    m_activationCombo = makeChoice("activationCombo", {{"relu", QT_TR_NOOP("ReLU")}, {"gelu", QT_TR_NOOP("GELU")}}, mc.activation,
                                   [] { return tr("Feed-forward non-linearity."); });
    addTrRow(modelForm, m_scoringCombo, [=] { return tr("Scoring:"); });
    addTrRow(modelForm, m_normalizationCombo, [=] { return tr("Normalisation:"); });
    addTrRow(modelForm, m_windowSpin, [=] { return tr("Window:"); });
    addTrRow(modelForm, m_positionalCombo, [=] { return tr("Positions:"); });
    addTrRow(modelForm, m_normCombo, [=] { return tr("Norm:"); });
    modelForm->addRow(m_preLnCheck);
    addTrRow(modelForm, m_activationCombo, [=] { return tr("Activation:"); });
    m_decoderCombo = makeChoice("decoderCombo",
                                {{"autoregressive", QT_TR_NOOP("Autoregressive")}, {"nat", QT_TR_NOOP("Non-autoregressive (NAT)")}},
                                mc.decoder, [] { return tr("NAT: length predictor, copied source inputs, no causal mask, "
                                               "all target tokens in one pass (Gu et al. 2018)."); });
    addTrRow(modelForm, m_decoderCombo, [=] { return tr("Decoder:"); });
    m_dropoutSpin = new QDoubleSpinBox(m_modelGroup);
    m_dropoutSpin->setObjectName(QStringLiteral("dropoutSpin"));
    m_dropoutSpin->setRange(0, 0.95);
    m_dropoutSpin->setDecimals(2);
    m_dropoutSpin->setSingleStep(0.05);
    m_dropoutSpin->setValue(mc.dropout);
    trToolTip(m_dropoutSpin, [=] { return tr("Dropout rate (--dropout)."); });
    addTrRow(modelForm, m_dropoutSpin, [=] { return tr("Dropout:"); });
    auto makeDouble = [this](const char* name, double lo, double hi, int decimals, double step, double value,
                             TextFn tip) {
        auto* spin = new QDoubleSpinBox(m_modelGroup);
        spin->setObjectName(QLatin1String(name));
        spin->setRange(lo, hi);
        spin->setDecimals(decimals);
        spin->setSingleStep(step);
        spin->setValue(value);
        trToolTip(spin, std::move(tip));
        return spin;
    };
    // The minimum stands for "unset": attention weights use the dropout rate above.
    m_attentionDropoutSpin = makeDouble("attentionDropoutSpin", -0.05, 0.95, 2, 0.05,
                                        mc.attention_dropout.value_or(-0.05),
                                        [] { return tr("Dropout on the attention weights (--attention-dropout); "
                                           "'same as dropout' uses the dropout rate."); });
    trSpecialValue(m_attentionDropoutSpin, [=] { return tr("same as dropout"); });
    addTrRow(modelForm, m_attentionDropoutSpin, [=] { return tr("Attention dropout:"); });
    m_labelSmoothingSpin = makeDouble("labelSmoothingSpin", 0, 0.9, 2, 0.05, tc.label_smoothing,
                                      [] { return tr("Label smoothing of the cross-entropy (--label-smoothing)."); });
    addTrRow(modelForm, m_labelSmoothingSpin, [=] { return tr("Label smoothing:"); });
    m_scheduledSamplingCombo = makeChoice(
        "scheduledSamplingCombo",
        {{"off", QT_TR_NOOP("Off (teacher forcing)")}, {"constant", QT_TR_NOOP("Constant p")}, {"linear", QT_TR_NOOP("Linear in the step")},
         {"inverse_sigmoid", QT_TR_NOOP("Inverse sigmoid")}},
        tc.scheduled_sampling,
        [] { return tr("Scheduled sampling (Bengio et al. 2015): with probability p a decoder input is the model's own "
           "prediction instead of the reference, to study exposure bias (--scheduled-sampling)."); });
    m_scheduledSamplingPSpin = makeDouble("scheduledSamplingPSpin", 0, 1, 2, 0.05, tc.scheduled_sampling_p,
                                          [] { return tr("Constant: p; linear and inverse sigmoid: the largest p "
                                             "(--scheduled-sampling-p)."); });
    m_scheduledSamplingKSpin = makeDouble("scheduledSamplingKSpin", 1, 1e6, 0, 100, tc.scheduled_sampling_k,
                                          [] { return tr("Linear: steps until p reaches its largest value; inverse sigmoid: "
                                             "k in 1 - k / (k + exp(step / k)) (--scheduled-sampling-k)."); });
    addTrRow(modelForm, m_scheduledSamplingCombo, [=] { return tr("Scheduled sampling:"); });
    addTrRow(modelForm, m_scheduledSamplingPSpin, [=] { return tr("Sampling p:"); });
    addTrRow(modelForm, m_scheduledSamplingKSpin, [=] { return tr("Sampling k:"); });
    m_modelForm = modelForm;
        m_lrFactorSpin = new QDoubleSpinBox(m_modelGroup);
    m_lrFactorSpin->setObjectName(QStringLiteral("lrFactorSpin"));
    m_lrFactorSpin->setRange(0.01, 100);
    m_lrFactorSpin->setDecimals(2);
    m_lrFactorSpin->setSingleStep(0.05);
    m_lrFactorSpin->setValue(tc.lr_factor);
    trToolTip(m_lrFactorSpin, [=] { return tr("Noam learning-rate factor (--lr-factor)."); });
    addTrRow(modelForm, m_maxTokensSpin, [=] { return tr("Max tokens/batch:"); });
    addTrRow(modelForm, m_lrFactorSpin, [=] { return tr("LR factor:"); });
    addTrRow(modelForm, m_warmupSpin, [=] { return tr("Warm-up steps:"); });
    addTrRow(modelForm, m_seedSpin, [=] { return tr("Seed:"); });
    m_threadsSpin = makeSpin(m_modelGroup, "threadsSpin", 1, std::max(QThread::idealThreadCount(), tc.threads), tc.threads);
    trToolTip(m_threadsSpin, [=] { return tr("Data-parallel training threads; the window and the live translation use the "
                                 "cores left over."); });
    addTrRow(modelForm, m_threadsSpin, [=] { return tr("Threads:"); });
    m_autosaveSpin = makeSpin(m_modelGroup, "autosaveSpin", 0, 24 * 60, SettingsValues{}.autosaveMinutes);
    trSpecialValue(m_autosaveSpin, [=] { return tr("off"); });
    trToolTip(m_autosaveSpin, [=] { return tr("Minutes between saves of the training model (with its optimizer state) into "
                                              "its model directory: the one it was opened from, or the one the run was "
                                              "last saved to. Each save replaces the directory whole, so a crash keeps "
                                              "the previous checkpoint."); });
    addTrRow(modelForm, m_autosaveSpin, [=] { return tr("Autosave (minutes):"); });
    m_continueCheck = new QCheckBox(m_modelGroup);
    trText(m_continueCheck, [] { return tr("Continue the current model"); });
    m_continueCheck->setObjectName(QStringLiteral("continueCheck"));
    trToolTip(m_continueCheck, [=] { return tr("Train the opened (or last trained) model further instead of a new one."); });
        modelForm->addRow(m_continueCheck);
    m_modelSourceLabel = new QLabel(m_modelGroup);
    m_modelSourceLabel->setWordWrap(true);
    m_modelSourceLabel->setForegroundRole(QPalette::PlaceholderText);
    modelForm->addRow(m_modelSourceLabel);
    layout->addWidget(m_modelGroup);

    auto* controls = new QGroupBox(panel);
    trTitle(controls, [] { return tr("Training"); });
    auto* grid = new QGridLayout(controls);
    m_trainButton = new QPushButton(controls);
    trText(m_trainButton, [] { return tr("Train"); });
    m_trainButton->setObjectName(QStringLiteral("trainButton"));
    m_pauseButton = new QPushButton(controls);
    onLanguageChange(m_pauseButton, [this] { showPauseText(); });
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_stepButton = new QPushButton(controls);
    trText(m_stepButton, [] { return tr("Step"); });
    m_stepButton->setObjectName(QStringLiteral("stepButton"));
    m_stopButton = new QPushButton(controls);
    trText(m_stopButton, [] { return tr("Stop"); });
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    // Keyboard control for demos on a projector, with debugger-like keys.
    m_trainButton->setShortcut(QKeySequence(Qt::Key_F5));
    trToolTip(m_trainButton, [=] { return tr("Train a new model, or continue the opened one (F5)."); });
    m_pauseButton->setShortcut(QKeySequence(Qt::Key_F6));
    trToolTip(m_pauseButton, [=] { return tr("Pause or resume training (F6)."); });
    m_stepButton->setShortcut(QKeySequence(Qt::Key_F10));
    trToolTip(m_stepButton, [=] { return tr("One optimizer step (starts a paused run when idle) (F10)."); });
    m_stopButton->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    trToolTip(m_stopButton, [=] { return tr("Stop training: final validation, then the thread ends (Shift+F5)."); });
    grid->addWidget(m_trainButton, 0, 0);
    grid->addWidget(m_pauseButton, 0, 1);
    grid->addWidget(m_stepButton, 1, 0);
    grid->addWidget(m_stopButton, 1, 1);
    connect(m_trainButton, &QPushButton::clicked, this, &SettingsPanel::trainClicked);
    connect(m_pauseButton, &QPushButton::clicked, this, &SettingsPanel::pauseClicked);
    connect(m_stepButton, &QPushButton::clicked, this, &SettingsPanel::stepClicked);
    connect(m_stopButton, &QPushButton::clicked, this, &SettingsPanel::stopClicked);
    layout->addStretch(1);

    // The settings scroll; the Train / Pause / Step / Stop buttons stay in view below them.
    auto* scroll = new QScrollArea;
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(panel->sizeHint().width() + 20);
    auto* columnLayout = new QVBoxLayout(this);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(scroll, 1);
    columnLayout->addWidget(controls);

    // Every edit goes into the form model; the model's own changes come back through push().
    for (QSpinBox* spin : findChildren<QSpinBox*>())
        connect(spin, &QSpinBox::valueChanged, this, &SettingsPanel::onEdited);
    for (QDoubleSpinBox* spin : findChildren<QDoubleSpinBox*>())
        connect(spin, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::onEdited);
    for (QComboBox* combo : findChildren<QComboBox*>())
        if (combo != m_taskCombo)
            connect(combo, &QComboBox::currentIndexChanged, this, &SettingsPanel::onEdited);
    for (QLineEdit* edit : {m_corpusEdit, m_taskDataEdit})
        connect(edit, &QLineEdit::textChanged, this, &SettingsPanel::onEdited);
    connect(m_preLnCheck, &QCheckBox::toggled, this, &SettingsPanel::onEdited);
    connect(m_continueCheck, &QCheckBox::toggled, this, [this] {
        onEdited();
        updateModelSource();
    });
    connect(m_continueCheck, &QCheckBox::clicked, this, [this] { m_continueChosen = true; });
    connect(m_taskCombo, &QComboBox::currentIndexChanged, this, &SettingsPanel::onTaskChanged);
    connect(m_form, &SettingsForm::changed, this, &SettingsPanel::push);
    pull();
    showRows();
    updateModelSource();
    onLanguageChange(m_modelSourceLabel, [this] { showModelSource(); });
    for (QSpinBox* spin : {m_encLayersSpin, m_decLayersSpin})
        trSpecialValue(spin, [spin] { return spin->minimum() == 0 ? tr("none") : QString(); });
}

QString SettingsPanel::task() const
{
    return m_form->task();
}

void SettingsPanel::setTask(const QString& task)
{
    const int i = m_taskCombo->findData(task);
    if (i >= 0)
        m_taskCombo->setCurrentIndex(i);
}

void SettingsPanel::setValues(const SettingsValues& values)
{
    if (values.task != task())
        setTask(values.task);
    m_form->setValues(values);
    push();
    showRows();
    updateModelSource();
}

void SettingsPanel::showModelConfig(const al::ModelConfig& config)
{
    m_form->showModelConfig(config);
}

void SettingsPanel::setResumePoint(const ResumePoint& resume)
{
    m_form->setResumePoint(resume);
    m_continueChosen = false;
    updateModelSource();
}

void SettingsPanel::setContinueChecked(bool on)
{
    m_continueCheck->setChecked(on);
}

void SettingsPanel::chooseContinue(bool on)
{
    m_continueCheck->setChecked(on);
    m_continueChosen = true;
}

void SettingsPanel::setTrainingState(TrainingController::State state, bool active)
{
    using S = TrainingController::State;
    const bool idle = state == S::Idle;
    m_active = active;
    m_trainButton->setEnabled(idle);
    m_pauseButton->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    m_pauseButton->setProperty("paused", state == S::Paused);
    showPauseText();
    m_stepButton->setEnabled(idle || state == S::Paused);
    m_stopButton->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    m_dataGroup->setEnabled(idle);
    for (QWidget* w : std::initializer_list<QWidget*>{m_maxTokensSpin, m_warmupSpin, m_seedSpin, m_threadsSpin,
                                                      m_autosaveSpin, m_labelSmoothingSpin, m_scheduledSamplingCombo,
                                                      m_scheduledSamplingPSpin, m_scheduledSamplingKSpin})
        w->setEnabled(idle);
    // A paused run takes a new LR factor on Resume or Step.
    m_lrFactorSpin->setEnabled(idle || state == S::Paused);
    updateModelSource();
}

void SettingsPanel::showPauseText()
{
    m_pauseButton->setText(m_pauseButton->property("paused").toBool() ? tr("Resume") : tr("Pause"));
}

void SettingsPanel::setTrainingActive(bool active)
{
    m_active = active;
    updateModelSource();
}

void SettingsPanel::browseCorpus()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a corpus"), QFileInfo(m_form->corpusPath()).path(),
                                                      tr("Tab-separated text (*.txt *.tsv);;All files (*)"));
    if (!path.isEmpty())
        m_corpusEdit->setText(path);
}

void SettingsPanel::browseTaskData()
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

void SettingsPanel::onTaskChanged()
{
    if (m_pushing)
        return;
    pull();
    const QString error = m_form->setTask(m_taskCombo->currentData().toString());
    if (!error.isEmpty()) {
        emit errorOccurred(tr("Unknown task"), error);
        return;
    }
    m_taskDataEdit->setPlaceholderText(m_form->taskDataPlaceholder());
    m_taskDataEdit->setToolTip(m_form->taskDataToolTip());
    emit taskChanged(task());
    showRows();
    updateModelSource();
}

void SettingsPanel::onEdited()
{
    if (m_pushing)
        return;
    pull();
    showRows();
}

void SettingsPanel::pull()
{
    SettingsValues v;
    v.task = m_taskCombo->currentData().toString();
    v.corpus = m_corpusEdit->text();
    v.srcColumn = m_srcColumnSpin->value();
    v.tgtColumn = m_tgtColumnSpin->value();
    v.taskData = m_taskDataEdit->text();
    v.symbols = m_symbolsSpin->value();
    v.minLen = m_minLenSpin->value();
    v.maxLen = m_maxLenSpin->value();
    v.pairs = m_pairsSpin->value();
    v.context = m_contextSpin->value();
    v.minCount = m_minCountSpin->value();
    v.maskProb = m_maskProbSpin->value();
    v.pooling = comboKey(m_poolingCombo);
    v.suffixLen = m_suffixSpin->value();
    v.dModel = m_dModelSpin->value();
    v.heads = m_headsSpin->value();
    v.encoderLayers = m_encLayersSpin->value();
    v.decoderLayers = m_decLayersSpin->value();
    v.feedForward = m_dffSpin->value();
    v.attention = comboKey(m_attentionCombo);
    v.scoring = comboKey(m_scoringCombo);
    v.normalization = comboKey(m_normalizationCombo);
    v.window = m_windowSpin->value();
    v.positional = comboKey(m_positionalCombo);
    v.norm = comboKey(m_normCombo);
    v.preLn = m_preLnCheck->isChecked();
    v.activation = comboKey(m_activationCombo);
    v.decoder = comboKey(m_decoderCombo);
    v.dropout = m_dropoutSpin->value();
    // The spin's minimum stands for "unset": the attention weights use the dropout rate.
    if (m_attentionDropoutSpin->value() > m_attentionDropoutSpin->minimum())
        v.attentionDropout = m_attentionDropoutSpin->value();
    v.labelSmoothing = m_labelSmoothingSpin->value();
    v.scheduledSampling = comboKey(m_scheduledSamplingCombo);
    v.samplingP = m_scheduledSamplingPSpin->value();
    v.samplingK = m_scheduledSamplingKSpin->value();
    v.maxTokens = m_maxTokensSpin->value();
    v.lrFactor = m_lrFactorSpin->value();
    v.warmupSteps = m_warmupSpin->value();
    v.seed = m_seedSpin->value();
    v.threads = m_threadsSpin->value();
    v.autosaveMinutes = m_autosaveSpin->value();
    v.continueModel = m_continueCheck->isChecked();
    m_form->setValues(v);
}

void SettingsPanel::push()
{
    m_pushing = true;
    const SettingsValues& v = m_form->values();
    // Task models have one stack: the other layer count reads "none" (0).
    const bool taskModel = taskFamily(v.task) == TaskFamily::TaskModel;
    const bool lm = v.task == QLatin1String("charlm");
    for (QSpinBox* spin : {m_encLayersSpin, m_decLayersSpin}) {
        const bool unused = taskModel && (spin == m_encLayersSpin) == lm;
        spin->setMinimum(unused ? 0 : 1);
        spin->setSpecialValueText(unused ? tr("none") : QString());
    }
    if (m_corpusEdit->text() != v.corpus)
        m_corpusEdit->setText(v.corpus);
    m_srcColumnSpin->setValue(v.srcColumn);
    m_tgtColumnSpin->setValue(v.tgtColumn);
    m_symbolsSpin->setValue(v.symbols);
    m_minLenSpin->setValue(v.minLen);
    m_maxLenSpin->setValue(v.maxLen);
    m_pairsSpin->setValue(v.pairs);
    m_contextSpin->setValue(v.context);
    m_minCountSpin->setValue(v.minCount);
    m_maskProbSpin->setValue(v.maskProb);
    m_poolingCombo->setCurrentIndex(std::max(0, m_poolingCombo->findData(v.pooling)));
    m_suffixSpin->setValue(v.suffixLen);
    if (m_taskDataEdit->text() != v.taskData)
        m_taskDataEdit->setText(v.taskData);
    m_dModelSpin->setValue(v.dModel);
    m_headsSpin->setValue(v.heads);
    m_encLayersSpin->setValue(v.encoderLayers);
    m_decLayersSpin->setValue(v.decoderLayers);
    m_dffSpin->setValue(v.feedForward);
    selectKey(m_attentionCombo, v.attention);
    selectKey(m_scoringCombo, v.scoring);
    selectKey(m_normalizationCombo, v.normalization);
    m_windowSpin->setValue(v.window);
    selectKey(m_positionalCombo, v.positional);
    selectKey(m_normCombo, v.norm);
    m_preLnCheck->setChecked(v.preLn);
    selectKey(m_activationCombo, v.activation);
    selectKey(m_decoderCombo, v.decoder);
    m_dropoutSpin->setValue(v.dropout);
    m_attentionDropoutSpin->setValue(v.attentionDropout.value_or(m_attentionDropoutSpin->minimum()));
    m_lrFactorSpin->setValue(v.lrFactor);
    m_labelSmoothingSpin->setValue(v.labelSmoothing);
    m_maxTokensSpin->setValue(v.maxTokens);
    m_warmupSpin->setValue(v.warmupSteps);
    selectKey(m_scheduledSamplingCombo, v.scheduledSampling);
    m_scheduledSamplingPSpin->setValue(v.samplingP);
    m_scheduledSamplingKSpin->setValue(v.samplingK);
    m_seedSpin->setValue(v.seed);
    m_threadsSpin->setValue(v.threads);
    m_autosaveSpin->setValue(v.autosaveMinutes);
    {
        // setValues() shows the model source once all values are in.
        const QSignalBlocker blocker(m_continueCheck);
        m_continueCheck->setChecked(v.continueModel);
    }
    m_pushing = false;
    pull(); // what the widgets hold (within their ranges and decimals) is what Train sends
}

void SettingsPanel::showRows()
{
    const SettingsRows rows = m_form->rows();
    m_dataForm->setRowVisible(1, rows.corpus); // corpus row (a layout)
    m_dataForm->setRowVisible(m_srcColumnSpin, rows.corpus);
    m_dataForm->setRowVisible(m_tgtColumnSpin, rows.corpus);
    m_dataForm->setRowVisible(m_taskDataRow, rows.taskData);
    for (QWidget* w : std::initializer_list<QWidget*>{m_symbolsSpin, m_minLenSpin, m_maxLenSpin, m_pairsSpin})
        m_dataForm->setRowVisible(w, rows.generator);
    m_dataForm->setRowVisible(m_contextSpin, rows.context);
    if (auto* label = qobject_cast<QLabel*>(m_dataForm->labelForField(m_contextSpin)))
        label->setText(rows.contextLabel);
    m_dataForm->setRowVisible(m_minCountSpin, rows.minCount);
    m_dataForm->setRowVisible(m_maskProbSpin, rows.maskProb);
    m_dataForm->setRowVisible(m_poolingCombo, rows.pooling);
    m_dataForm->setRowVisible(m_suffixSpin, rows.suffixLen);
    m_modelForm->setRowVisible(m_scheduledSamplingCombo, rows.scheduledSampling);
    m_modelForm->setRowVisible(m_scheduledSamplingPSpin, rows.samplingP);
    m_modelForm->setRowVisible(m_scheduledSamplingKSpin, rows.samplingK);
}

void SettingsPanel::updateModelSource()
{
    const SettingsLocks locks = m_form->locks(m_active);
    m_continueCheck->setEnabled(locks.continueModel);
    for (QWidget* w : std::initializer_list<QWidget*>{m_dModelSpin, m_headsSpin, m_dffSpin, m_attentionCombo,
                                                      m_scoringCombo, m_normalizationCombo, m_windowSpin,
                                                      m_positionalCombo, m_normCombo, m_preLnCheck, m_activationCombo,
                                                      m_dropoutSpin, m_attentionDropoutSpin})
        w->setEnabled(locks.architecture);
    m_encLayersSpin->setEnabled(locks.encoderLayers);
    m_decLayersSpin->setEnabled(locks.decoderLayers);
    m_decoderCombo->setEnabled(locks.decoder);
    if (locks.resume)
        showModelConfig(m_form->resumePoint().config());
    showModelSource();
}

void SettingsPanel::showModelSource()
{
    if (m_form->locks(m_active).resume) {
        const ResumePoint& resume = m_form->resumePoint();
        m_modelSourceLabel->setText(resume.directory.isEmpty()
                                        ? tr("Continues the last trained model.")
                                        : tr("Continues the model from %1.").arg(QDir::toNativeSeparators(resume.directory)));
    } else {
        m_modelSourceLabel->setText(tr("Train builds a new model."));
    }
}

} // namespace al::ui
