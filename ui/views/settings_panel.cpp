// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/settings_panel.h"

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

    m_dataGroup = new QGroupBox(tr("Task and data"), panel);
    auto* dataForm = new QFormLayout(m_dataGroup);
    m_dataForm = dataForm;
    // What to train: translation, copy/reverse/sort or a task model (ui/view_models/training_session.h).
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
    connect(browse, &QPushButton::clicked, this, &SettingsPanel::browseCorpus);
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
    connect(taskBrowse, &QPushButton::clicked, this, &SettingsPanel::browseTaskData);
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
    // Task models (al::ModelConfig keys max_len, pooling, suffix_len; --min-count, --mask-prob).
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
    m_pauseButton->setText(state == S::Paused ? tr("Resume") : tr("Pause"));
    m_stepButton->setEnabled(idle || state == S::Paused);
    m_stopButton->setEnabled(state == S::Running || state == S::Paused || state == S::Starting);
    m_dataGroup->setEnabled(idle);
    for (QWidget* w : std::initializer_list<QWidget*>{m_maxTokensSpin, m_warmupSpin, m_seedSpin, m_lrFactorSpin,
                                                      m_threadsSpin, m_labelSmoothingSpin, m_scheduledSamplingCombo,
                                                      m_scheduledSamplingPSpin, m_scheduledSamplingKSpin})
        w->setEnabled(idle);
    updateModelSource();
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
    if (locks.resume) {
        const ResumePoint& resume = m_form->resumePoint();
        showModelConfig(resume.config());
        m_modelSourceLabel->setText(resume.directory.isEmpty()
                                        ? tr("Continues the last trained model.")
                                        : tr("Continues the model from %1.").arg(QDir::toNativeSeparators(resume.directory)));
    } else {
        m_modelSourceLabel->setText(tr("Train builds a new model."));
    }
}

} // namespace al::ui
