// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/main_window.h"

#include "ui/views/attention_panel.h"
#include "ui/views/compare_dialog.h"
#include "ui/views/decoding_panel.h"
#include "ui/views/demo_models.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/lesson_panel.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/overview_panel.h"
#include "ui/views/pane_scroller.h"
#include "ui/views/positional_encoding_panel.h"
#include "ui/views/presenter_mode.h"
#include "ui/views/race_window.h"
#include "ui/views/session_controller.h"
#include "ui/views/settings_panel.h"
#include "ui/views/stepper_panel.h"
#include "ui/views/attention_flow_panel.h"
#include "ui/views/hidden_states_panel.h"
#include "ui/views/head_ablation_panel.h"
#include "ui/views/timeline_panel.h"
#include "ui/views/synthesizer_panel.h"
#include "ui/views/task_probe_window.h"
#include "ui/views/train_question.h"
#include "ui/views/training_plots_panel.h"
#include "ui/view_models/sentence_input.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include <algorithm>

namespace al::ui {

namespace {

// A weight snapshot (and so a translation with a Trace and a redraw of every heatmap) at most
// 5 times a second: live to the eye, and half the GUI's cost to the training threads of 10/s
// (attention-lab bench-gui, docs/benchmark.md).
constexpr int kSnapshotMs = 200;
constexpr int kMaxTranslationTokens = 64;

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

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    registerTrainingMetaTypes();
    m_training = new TrainingController(this);
    m_training->setObjectName(QStringLiteral("trainingController"));
    m_inference = new InferenceController(this);
    m_inference->setObjectName(QStringLiteral("inferenceController"));
    m_inference->setMaxLength(kMaxTranslationTokens);
    m_curves = new CurveStore(this);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_settings = new SettingsPanel(splitter);
    m_settings->setObjectName(QStringLiteral("settingsPanel"));
    splitter->addWidget(m_settings);
    m_live = new LiveTrainingPanel(m_curves, splitter);
    m_live->setObjectName(QStringLiteral("liveTrainingPanel"));
    splitter->addWidget(m_live);
    m_viewTabs = new QTabWidget(splitter);
    m_viewTabs->setObjectName(QStringLiteral("viewTabs"));
    m_attention = new AttentionPanel(m_viewTabs);
    m_attention->setObjectName(QStringLiteral("attentionPanel"));
    m_viewTabs->addTab(m_attention, QString());
    m_synth = new SynthesizerPanel(m_viewTabs);
    m_synth->setObjectName(QStringLiteral("synthesizerPanel"));
    m_viewTabs->addTab(m_synth, QString());
    m_decoding = new DecodingPanel(m_viewTabs);
    m_decoding->setObjectName(QStringLiteral("decodingPanel"));
    m_viewTabs->addTab(m_decoding, QString());
    m_peLab = new PositionalEncodingPanel(m_viewTabs);
    m_peLab->setObjectName(QStringLiteral("positionalEncodingPanel"));
    m_viewTabs->addTab(m_peLab, QString());
    m_stepper = new StepperPanel(m_viewTabs);
    m_stepper->setObjectName(QStringLiteral("stepperPanel"));
    m_viewTabs->addTab(m_stepper, QString());
    m_flow = new AttentionFlowPanel(m_viewTabs);
    m_flow->setObjectName(QStringLiteral("attentionFlowPanel"));
    m_viewTabs->addTab(m_flow, QString());
    m_hidden = new HiddenStatesPanel(m_viewTabs);
    m_hidden->setObjectName(QStringLiteral("hiddenStatesPanel"));
    m_viewTabs->addTab(m_hidden, QString());
    m_ablation = new HeadAblationPanel(m_viewTabs);
    m_ablation->setObjectName(QStringLiteral("headAblationPanel"));
    m_viewTabs->addTab(m_ablation, QString());
    m_timeline = new TimelinePanel(m_viewTabs);
    m_timeline->setObjectName(QStringLiteral("timelinePanel"));
    m_viewTabs->addTab(m_timeline, QString());
    m_trainingPlots = new TrainingPlotsPanel(m_viewTabs);
    m_trainingPlots->setObjectName(QStringLiteral("trainingPlotsPanel"));
    m_trainingPlots->setCurveStore(m_curves);
    m_viewTabs->addTab(m_trainingPlots, QString());
    m_overview = new OverviewPanel(m_viewTabs);
    m_overview->setObjectName(QStringLiteral("overviewPanel"));
    m_viewTabs->insertTab(1, m_overview, QString());
    connect(m_overview, &OverviewPanel::selected, this, [this](const AttentionSelection& sel) {
        m_attention->setSelection(sel);
        m_viewTabs->setCurrentIndex(0);
    });
    splitter->addWidget(m_viewTabs);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 4);
    splitter->setSizes({290, 560, 750});
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);
    m_session = new SessionController(this);
    m_lessons = new LessonPanel(this);
    addDockWidget(Qt::RightDockWidgetArea, m_lessons);
    m_session->attachLessonPanel(m_lessons);
    m_panes = new PaneScroller(this);
    m_presenter = new PresenterMode(this);
    m_demos = new DemoModels(this);
    connect(m_presenter, &PresenterMode::activeChanged, this, &MainWindow::presenterModeChanged);
    connect(m_presenter, &PresenterMode::nextStepRequested, this, &MainWindow::nextStepRequested);
    connect(m_presenter, &PresenterMode::previousStepRequested, this, &MainWindow::previousStepRequested);
    connect(this, &MainWindow::nextStepRequested, m_lessons, &LessonPanel::next);
    connect(this, &MainWindow::previousStepRequested, m_lessons, &LessonPanel::previous);
    m_stateLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_stateLabel);
    buildMenus();
    nameViewTabs();

    connect(m_settings, &SettingsPanel::trainClicked, this, &MainWindow::startTraining);
    connect(m_settings, &SettingsPanel::pauseClicked, this, &MainWindow::togglePause);
    connect(m_settings, &SettingsPanel::stepClicked, this, &MainWindow::stepOnce);
    connect(m_settings, &SettingsPanel::stopClicked, this, &MainWindow::stopTraining);
    connect(m_settings, &SettingsPanel::taskChanged, this, &MainWindow::onTaskChanged);
    connect(m_settings, &SettingsPanel::errorOccurred, this, &MainWindow::showError);
    connect(m_lessons, &LessonPanel::errorOccurred, this, &MainWindow::showError);
    connect(m_attention, &AttentionPanel::compareRequested, this, &MainWindow::compareSentences);
    connect(m_attention, &AttentionPanel::colorsChanged, m_overview, &OverviewPanel::setColors);
    connect(m_attention, &AttentionPanel::errorOccurred, this, &MainWindow::showError);
    connect(m_attention, &AttentionPanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m); });
    connect(m_live, &LiveTrainingPanel::figuresShown, this, [this](qint64 step) {
        m_stateLabel->setText(stateText(m_training->state()) + QStringLiteral(" · ") + tr("step %1").arg(step));
    });

    connect(m_training, &TrainingController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_training, &TrainingController::started, this, &MainWindow::onStarted);
    connect(m_training, &TrainingController::metrics, m_curves, &CurveStore::addMetrics);
    connect(m_training, &TrainingController::validated, this, &MainWindow::onValidated);
    connect(m_training, &TrainingController::snapshotReady, this, &MainWindow::onSnapshot);
    connect(m_training, &TrainingController::finished, this, &MainWindow::onFinished);
    connect(m_training, &TrainingController::saveFinished, this, &MainWindow::onSaveFinished);
    // An autosave reports in the status bar only: a failing one must not interrupt training with a dialog.
    connect(m_training, &TrainingController::autosaved, this,
            [this](const QString& directory, qint64 step, const QString& errorMessage) {
                const QString where = QDir::toNativeSeparators(directory);
                statusBar()->showMessage(errorMessage.isEmpty()
                                             ? tr("Autosaved step %1 to %2.").arg(step).arg(where)
                                             : tr("Autosave to %1 failed: %2").arg(where, errorMessage));
            });
    connect(m_training, &TrainingController::error, this,
            [this](const QString& message) { showError(tr("Training failed"), message); });
    connect(m_training, &TrainingController::numericFault, this, [this](const QString& message, qint64 keptStep) {
        showError(tr("Training paused"),
                  tr("%1. Training paused with the weights of step %2; File → Save model directory saves them. "
                     "Lower the LR factor and press Resume, or press Stop.")
                      .arg(message)
                      .arg(keptStep));
    });
    connect(m_training, &TrainingController::taskSnapshotReady, this, &MainWindow::onTaskSnapshot);
    connect(m_training, &TrainingController::timelineReady, this,
            [this](const TimelineSnapshot& timeline, qint64) {
                m_document.setTimeline(timeline);
                m_timeline->setTimeline(timeline);
            });
    connect(m_inference, &InferenceController::translated, this, &MainWindow::onTranslated);

    // The typed sentence goes to every view that runs the model on it.
    connect(m_live, &LiveTrainingPanel::sentenceChanged, m_inference, &InferenceController::setSentence);
    connect(m_live, &LiveTrainingPanel::sentenceChanged, m_stepper, &StepperPanel::setSentence);
    connect(m_live, &LiveTrainingPanel::sentenceChanged, m_decoding, &DecodingPanel::setSentence);
    connect(m_live, &LiveTrainingPanel::sentenceChanged, this, &MainWindow::onSentenceChanged);
    connect(m_live, &LiveTrainingPanel::sentenceChanged, m_ablation, &HeadAblationPanel::setSentence);
    m_ablation->setSentence(m_live->sentence());
    // The tab's held-out sample follows the shown model and the settings (asked at each score).
    m_ablation->setSourceProvider([this] {
        const TaskModelSnapshot task = m_document.taskModel();
        return ablationSourceFor(task.get(), m_document.runSettings(), m_settings->form()->values(),
                                 m_settings->form()->corpusPath());
    });
    connect(m_settings->form(), &SettingsForm::changed, m_ablation, &HeadAblationPanel::checkSource);
    m_inference->setSentence(m_live->sentence());
    m_decoding->setSentence(m_live->sentence());
    // The first size: 1560 x 940, or the screen's free area where that is smaller (a laptop).
    QSize first(1560, 940);
    if (QScreen* s = screen())
        first = first.boundedTo(s->availableGeometry().size());
    resize(first);
    statusBar()->showMessage(tr("Press Train to train a model on the bundled English–Chinese corpus, "
                                "or open a model directory."));
}

MainWindow::~MainWindow()
{
    // Join the threads before any widget their signals could reach goes away.
    shutdownWorkers();
}

void MainWindow::shutdownWorkers()
{
    m_training->shutdown();
    m_inference->shutdown();
    m_synth->shutdown();
    if (m_raceWindow)
        m_raceWindow->controller()->shutdown();
    m_decoding->shutdown();
    m_trainingPlots->shutdown();
    m_stepper->shutdown();
    m_flow->shutdown();
    m_hidden->shutdown();
    m_ablation->shutdown();
    for (CompareDialog* dialog : findChildren<CompareDialog*>())
        dialog->shutdown();
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
// Panels

HeatmapWidget* MainWindow::focusedHeatmap() const
{
    return m_attention->focusedHeatmap();
}

QVector<HeatmapWidget*> MainWindow::headHeatmaps() const
{
    return m_attention->headHeatmaps();
}

AttentionSelection MainWindow::selection() const
{
    return m_attention->selection();
}

std::shared_ptr<const al::Trace> MainWindow::currentTrace() const
{
    return m_attention->trace();
}

QString MainWindow::corpusPath() const
{
    return m_settings->form()->corpusPath();
}

QString MainWindow::task() const
{
    return m_settings->task();
}

void MainWindow::setTask(const QString& task)
{
    m_settings->setTask(task);
}

QString MainWindow::taskOutputText() const
{
    return m_live->outputText();
}

TrainingRequest MainWindow::trainingRequest() const
{
    TrainingRequest r = m_settings->form()->request(kSnapshotMs);
    if (!isBlankSentence(m_live->sentence()))
        r.timelineSentences << m_live->sentence(); // a probe of the training timeline
    // A bundled demo model is not written to: a run continuing it autosaves once saved elsewhere.
    if (!r.autosaveDirectory.isEmpty()) {
        const QString dir = QFileInfo(r.autosaveDirectory).canonicalFilePath();
        for (const DemoModel& demo : m_demos->catalog().models())
            if (!dir.isEmpty() && QFileInfo(demo.directory).canonicalFilePath() == dir)
                r.autosaveDirectory.clear();
    }
    return r;
}

void MainWindow::onTaskChanged(const QString& task)
{
    m_live->setSentence(taskExampleInput(task));
    m_trainingPlots->setProbeSentence(taskExampleInput(task));
    if (taskFamily(task) == TaskFamily::Algorithmic) // their textbook pattern is in the cross-attention
        m_attention->setKind(al::AttentionKind::Cross);
    const SettingsRows rows = m_settings->form()->rows();
    m_live->setTitles(rows.sentenceTitle, rows.metricTitle);
}

void MainWindow::setPresenterMode(bool on)
{
    m_presenter->setActive(on);
}

bool MainWindow::presenterMode() const
{
    return m_presenter->isActive();
}

// ---------------------------------------------------------------------------------------------
// Training control

void MainWindow::startTraining()
{
    if (!m_training->isActive())
        askHowToTrain(this, m_settings, [this] { startRun(false); });
}

void MainWindow::stepOnce()
{
    if (m_training->state() == TrainingController::State::Idle) {
        startRun(true);
    } else {
        m_training->setLearningRateFactor(m_settings->form()->values().lrFactor);
        m_training->stepOnce();
    }
}

void MainWindow::startRun(bool paused)
{
    // Train's question is answered later, after Step may have started a run: that run stays,
    // with its curves and the task settings it saves.
    if (m_training->isActive())
        return;
    TrainingRequest request = trainingRequest();
    request.startPaused = paused;
    // The checks of the command line (architecture, generator, data paths), before any data is
    // read; Step leaves an unreadable corpus to the run to report, and reports others as Train.
    SettingsProblem problem = m_settings->form()->check(request, !paused);
    if (paused && !problem.isEmpty())
        problem = m_settings->form()->check(request);
    if (!problem.isEmpty()) {
        showError(problem.title, problem.message);
        return;
    }
    resetCurves();
    m_document.setRunSettings(request.task);
    m_training->start(request);
}

void MainWindow::togglePause()
{
    if (m_training->state() == TrainingController::State::Paused) {
        // The LR factor can be changed while paused (e.g. after a numeric fault).
        m_training->setLearningRateFactor(m_settings->form()->values().lrFactor);
        m_training->resume();
    } else
        m_training->pause();
}

void MainWindow::stopTraining()
{
    m_training->stop();
}

void MainWindow::resetCurves()
{
    m_curves->clear();
    m_trainingPlots->reset();
    m_live->clearValidation();
}

void MainWindow::onStateChanged(TrainingController::State state)
{
    m_settings->setTrainingState(state, m_training->isActive());
    m_stateLabel->setText(stateText(state));
}

void MainWindow::onStarted(const TrainingInfo& info)
{
    statusBar()->showMessage(trainingSummary(info));
    m_settings->showModelConfig(info.model);
}


void MainWindow::onValidated(const ValidationMetrics& v)
{
    m_curves->addValidation(v);
    const QString status = m_live->showValidation(v);
    if (!status.isEmpty())
        statusBar()->showMessage(status);
}

void MainWindow::onSnapshot(const ModelSnapshot& model, qint64 step)
{
    m_document.setTranslation(model, step);
    m_attention->setUnnormalizedWeights(model && model->net.config().attention_normalization == "relu");
    m_inference->setModel(model, step);
    m_decoding->setModel(model, step);
    m_peLab->setModel(model, step);
    m_stepper->setModel(model);
    m_hidden->setModel(model, step);
    m_ablation->setModel(model, step);
    m_timeline->setTimeline(m_document.timeline());
    m_trainingPlots->addSnapshot(model, step);
}

void MainWindow::onTaskSnapshot(const TaskModelSnapshot& model, qint64 step)
{
    m_document.setTaskModel(model, step);
    m_trainingPlots->addTaskSnapshot(model, step);
    m_inference->setTaskModel(model, step);
    m_hidden->setTaskModel(model, step);
    m_ablation->setTaskModel(model, step);
    m_timeline->setTimeline(m_document.timeline());
}

void MainWindow::onSentenceChanged(const QString& text)
{
    if (isBlankSentence(text)) {
        m_live->showBlankSentence(blankSentenceHint());
        return;
    }
    if (const TaskModelSnapshot task = m_document.taskModel())
        m_live->setNotice(checkSentence(text, *task).notice);
    else if (const ModelSnapshot model = m_document.translation())
        m_live->setNotice(checkSentence(text, *model).notice);
    else
        m_live->setNotice(QString());
}

void MainWindow::onTranslated(const InferenceResult& result)
{
    if (result.requestId < m_lastResultId)
        return;
    m_lastResultId = result.requestId;
    if (isBlankSentence(m_live->sentence()))
        return; // an answer to a sentence typed before the box was emptied
    if (result.taskModel) {
        if (!m_document.taskModel())
            return; // a translation model is current: this answer is of an earlier task model
        m_live->setNotice(checkSentence(result.sentence, *result.taskModel).notice);
        if (!result.errorMessage.isEmpty()) {
            m_live->showOutputError(tr("(cannot run the model: %1)").arg(result.errorMessage));
            return;
        }
        const al::Trace& t = *result.trace;
        const std::vector<std::string>& tokens = t.src_tokens.empty() ? t.tgt_in_tokens : t.src_tokens;
        QStringList shown;
        for (const std::string& tok : tokens)
            shown << QString::fromStdString(tok);
        m_live->showOutput(result.translation, tr("%1 tokens: %2 · %3 model step %4")
                                                   .arg(QString::fromStdString(result.taskModel->net.config().task))
                                                   .arg(shown.join(QLatin1Char(' ')))
                                                   .arg(t.src_tokens.empty() ? tr("causal self-attention ·") : tr("self-attention ·"))
                                                   .arg(result.modelStep));
        showTrace(result.trace, result.modelStep);
        return;
    }
    if (m_document.taskModel())
        return; // a task model is current: this translation is of an earlier model
    const SentenceCheck check = result.model ? checkSentence(result.sentence, *result.model) : SentenceCheck{};
    m_live->setNotice(check.notice);
    if (!result.errorMessage.isEmpty()) {
        m_live->showOutputError(tr("(cannot translate: %1)").arg(result.errorMessage));
        return;
    }
    // The source tokens as the model reads them: unknown ones as <unk>, then the <eos> it appends.
    QStringList source = check.shownTokens;
    if (!result.srcTokens.isEmpty())
        source << result.srcTokens.back();
    m_live->showOutput(result.translation,
                       tr("Source tokens: %1 · %n output token(s) · model step %2", nullptr, int(result.outTokens.size()))
                           .arg(source.join(QLatin1Char(' ')))
                           .arg(result.modelStep),
                       result.outTokens.join(QLatin1Char(' ')));
    m_synth->setResult(result);
    showTrace(result.trace, result.modelStep);
}

void MainWindow::showTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step)
{
    m_overview->setTrace(trace);
    m_attention->setTrace(trace, step);
    m_flow->setTrace(trace, step);
}

void MainWindow::onFinished(qint64 step)
{
    m_document.finishRun();
    m_settings->setResumePoint(m_document.resumePoint());
    m_settings->setTrainingActive(m_training->isActive());
    statusBar()->showMessage(tr("Training stopped at step %1.").arg(step));
}

void MainWindow::onSaveFinished(const QString& directory, const QString& errorMessage)
{
    const TaskModelSnapshot taskModel = m_document.taskModel();
    if (errorMessage.isEmpty())
        statusBar()->showMessage(taskModel ? tr("Saved the %1 model to %2; Experiments → Task model probe opens it.")
                                                 .arg(QString::fromStdString(taskModel->net.config().task),
                                                      QDir::toNativeSeparators(directory))
                                           : tr("Saved the model to %1.").arg(QDir::toNativeSeparators(directory)));
    else
        showError(tr("Saving failed"), errorMessage);
}

void MainWindow::compareSentences()
{
    auto* dialog = new CompareDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setModel(m_document.translation());
    dialog->setFirstSentence(m_live->sentence());
    dialog->setSelection(selection());
    dialog->show();
    if (m_document.translation())
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
// Files

void MainWindow::openModelDirectory()
{
    if (m_training->isActive()) {
        showError(tr("Training is running"), tr("Stop training before opening another model."));
        return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open model directory"), m_session->lastModelDirectory());
    if (!dir.isEmpty())
        loadModelDirectory(dir);
}

bool MainWindow::loadModelDirectory(const QString& directory)
{
    if (m_training->isActive())
        return false;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    QString taskName;
    ModelDocument::Kind kind;
    try {
        kind = m_document.load(directory, &taskName);
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        showError(tr("Cannot open the model"), QString::fromStdString(e.what()));
        return false;
    }
    QApplication::restoreOverrideCursor();
    resetCurves();
    // Either kind becomes the model Train continues; a task model (charlm, pos, ...) selects its task.
    const bool task = kind == ModelDocument::Kind::Task;
    if (task)
        setTask(taskName);
    m_settings->setResumePoint(m_document.resumePoint());
    m_settings->setContinueChecked(true);
    if (task)
        onTaskSnapshot(m_document.taskModel(), 0);
    else
        onSnapshot(m_document.translation(), 0);
    const QString where = QDir::toNativeSeparators(directory);
    statusBar()->showMessage(task ? tr("Opened the %1 model %2; Train continues training it (Experiments → Task "
                                       "model probe tries it too).").arg(taskName, where)
                                  : tr("Opened %1; Train continues training it.").arg(where));
    emit modelOpened(directory);
    return true;
}

void MainWindow::saveModelDirectory()
{
    if (m_document.isEmpty() && !m_training->isActive()) {
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
    if (m_document.isEmpty())
        return false;
    try {
        m_document.save(directory);
        onSaveFinished(directory, QString());
        return true;
    } catch (const std::exception& e) {
        onSaveFinished(directory, QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::exportHeatmap(ExportFormat format)
{
    m_attention->exportHeatmap(format);
}

void MainWindow::exportAllHeads()
{
    m_attention->exportAllHeads(m_live->sentence());
}

QStringList MainWindow::exportAttentionTo(AttentionExportRequest request)
{
    return m_attention->exportAttentionTo(std::move(request), m_live->sentence());
}

void MainWindow::setHeatmapColors(ColorMap map, ColorRange range)
{
    m_attention->setHeatmapColors(map, range);
}

ColorMap MainWindow::heatmapColorMap() const
{
    return m_attention->heatmapColorMap();
}

ColorRange MainWindow::heatmapColorRange() const
{
    return m_attention->heatmapColorRange();
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
                                "public domain.<br>"
                                "Samples of Universal Dependencies English EWT v2.16 (annotations © 2013-2021 The "
                                "Board of Trustees of The Leland Stanford Junior University; texts from the LDC "
                                "English Web Treebank) and of UD Chinese GSDSimp, licensed CC BY-SA 4.0; the "
                                "part-of-speech demo models trained on them are CC BY-SA 4.0 too."));
    QMessageBox::about(this, tr("About Attention Lab"), text);
}


void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_training->isActive())
        statusBar()->showMessage(tr("Stopping training…"));
    m_session->saveSettings();
    shutdownWorkers();
    event->accept();
}

} // namespace al::ui
