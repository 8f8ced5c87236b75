// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/export/exporters.h"
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/color_maps.h"
#include "ui/view_models/curve_store.h"
#include "ui/view_models/model_document.h"
#include "ui/workers/inference_worker.h"
#include "ui/workers/training_worker.h"

#include <QMainWindow>
#include <QVector>

#include <memory>

class QLabel;
class QTabWidget;

namespace al::ui {

class AttentionPanel;
class DecodingPanel;
class DemoModels;
class PaneScroller;
class PresenterMode;
class HeatmapWidget;
class LessonPanel;
class LiveTrainingPanel;
class SettingsPanel;
class RaceWindow;
class SessionController;
class PositionalEncodingPanel;
class OverviewPanel;
class StepperPanel;
class AttentionFlowPanel;
class HiddenStatesPanel;
class HeadAblationPanel;
class TimelinePanel;
class SynthesizerPanel;
class TrainingPlotsPanel;

/// The lab's main window. It only wires panels: the settings panel (over a SettingsForm) with
/// Train / Pause / Step / Stop, the live training panel (loss and learning-rate curves of the
/// one CurveStore, the sentence box and its answer), the attention panel and the other view
/// tabs. The shown model of any kind is a ModelDocument; training runs in TrainingController,
/// every model pass on the typed sentence in InferenceController, both off the GUI thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The request Train would send now (settings, corpus, resume model).
    TrainingRequest trainingRequest() const;
    /// The corpus Train would read: the path in the settings, else the bundled one.
    QString corpusPath() const;

    TrainingController* trainingController() const { return m_training; }
    /// The training timeline of the shown model (the run's newest, or the opened directory's);
    /// may be null.
    TimelineSnapshot trainingTimeline() const { return m_document.timeline(); }
    InferenceController* inferenceController() const { return m_inference; }
    HeatmapWidget* focusedHeatmap() const;
    QVector<HeatmapWidget*> headHeatmaps() const;
    AttentionSelection selection() const;
    SettingsPanel* settingsPanel() const { return m_settings; }
    AttentionPanel* attentionPanel() const { return m_attention; }
    /// The loss curves and the sentence box with the model's answer (the middle column).
    LiveTrainingPanel* liveTrainingPanel() const { return m_live; }
    /// Session files, the setup a session or lesson captures, the remembered settings.
    SessionController* sessionController() const { return m_session; }
    /// The training curves both loss plots draw.
    CurveStore* curveStore() const { return m_curves; }
    /// The Synthesizer view (a tab beside the attention view).
    SynthesizerPanel* synthesizerPanel() const { return m_synth; }
    QTabWidget* viewTabs() const { return m_viewTabs; }
    /// The variant race window; null until the race action was first used.
    RaceWindow* raceWindow() const { return m_raceWindow; }
    /// "Decoding step by step" and the positional-encoding lab (tabs beside the attention view).
    DecodingPanel* decodingPanel() const { return m_decoding; }
    PositionalEncodingPanel* positionalEncodingPanel() const { return m_peLab; }
    /// The forward-pass stepper and the live training plots (tabs beside the attention view).
    StepperPanel* stepperPanel() const { return m_stepper; }
    AttentionFlowPanel* attentionFlowPanel() const { return m_flow; }
    HiddenStatesPanel* hiddenStatesPanel() const { return m_hidden; }
    HeadAblationPanel* headAblationPanel() const { return m_ablation; }
    TimelinePanel* timelinePanel() const { return m_timeline; }
    TrainingPlotsPanel* trainingPlotsPanel() const { return m_trainingPlots; }
    /// Layer x head thumbnails of all three attention kinds (a tab beside the attention view).
    OverviewPanel* overviewPanel() const { return m_overview; }
    /// The lesson dock (Lessons menu, Page Down / Page Up step it).
    LessonPanel* lessonPanel() const { return m_lessons; }
    /// Newest model (from training or opened from disk); null before either.
    ModelSnapshot currentModel() const { return m_document.translation(); }
    /// Newest task model (charlm, pos, sentiment, langid, mlm) from training or opened from
    /// disk; null while the current model is a translation (or copy/reverse/sort) model.
    TaskModelSnapshot currentTaskModel() const { return m_document.taskModel(); }
    /// The Task choice of the model settings ("translate", "copy", ..., "mlm").
    QString task() const;
    /// Selects a task: its command-line defaults go into the model and training settings.
    void setTask(const QString& task);
    /// The task's answer for the sentence box (translation label text).
    QString taskOutputText() const;
    /// Presenter mode (ui/views/presenter_mode.h: full screen, large type, F11) and the demo
    /// models (File > Open demo model, ui/views/demo_models.h).
    void setPresenterMode(bool on);
    bool presenterMode() const;
    PresenterMode* presenter() const { return m_presenter; }
    /// The panes' scroll areas (presenter mode holds them while on).
    PaneScroller* paneScroller() const { return m_panes; }
    DemoModels* demoModels() const { return m_demos; }

signals:
    void presenterModeChanged(bool on);
    /// Page Down / Page Up (a presentation clicker): the next / previous lesson step.
    void nextStepRequested();
    void previousStepRequested();

public slots:
    void startTraining();
    void togglePause();
    void stepOnce();
    void stopTraining();
    void openModelDirectory();
    void saveModelDirectory();
    /// Exports the focused heatmap (size dialog, then save dialog).
    void exportHeatmap(al::ui::ExportFormat format = al::ui::ExportFormat::Png);
    /// "Export all layers and heads…": the batch dialog, then exportAttentionTo.
    void exportAllHeads();
    void showAbout();
    /// Opens (creating on first use) the variant race window.
    void showRaceWindow();
    /// "Compare two sentences…": the same attention of two inputs side by side.
    void compareSentences();
    /// Opens a model directory without a dialog; false (and a message) on failure.
    bool loadModelDirectory(const QString& directory);
    /// Saves the current model without a dialog (through the worker while training).
    bool saveModelTo(const QString& directory);
    /// Batch export of the current Trace without a dialog (ui/exporters exportAttention, the code
    /// `attention-lab export` runs), in the window's colour map and range, the sentence as caption.
    /// Returns the files written; empty (and a message) when there is no Trace or writing fails.
    QStringList exportAttentionTo(al::ui::AttentionExportRequest request);
    /// The colour map and range of every attention heatmap (the "Colours" controls).
    void setHeatmapColors(al::ui::ColorMap map, al::ui::ColorRange range);
    al::ui::ColorMap heatmapColorMap() const;
    al::ui::ColorRange heatmapColorRange() const;
    /// The Trace shown (null before the first translation).
    std::shared_ptr<const al::Trace> currentTrace() const;
    /// Shows an error in the status bar and a window-modal, non-blocking message box.
    void showError(const QString& title, const QString& message);

signals:
    /// A model directory was opened (loadModelDirectory succeeded).
    void modelOpened(const QString& directory);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    /// Menus and tab names (main_window_menus.cpp), set again on every language change.
    void buildMenus();
    void buildLanguageMenu();
    void nameViewTabs();
    void onStateChanged(TrainingController::State state);
    void onStarted(const TrainingInfo& info);
    void onValidated(const ValidationMetrics& v);
    void onSnapshot(const ModelSnapshot& model, qint64 step);
    void onTaskSnapshot(const TaskModelSnapshot& model, qint64 step);
    void onTranslated(const InferenceResult& result);
    /// The sentence box's notice for `text` and the current model (a hint when it is blank).
    void onSentenceChanged(const QString& text);
    void onFinished(qint64 step);
    void onSaveFinished(const QString& directory, const QString& errorMessage);
    void onTaskChanged(const QString& task);
    void showTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step);
    void startRun(bool paused);
    void resetCurves();
    void shutdownWorkers();

    TrainingController* m_training = nullptr;
    InferenceController* m_inference = nullptr;
    CurveStore* m_curves = nullptr;
    ModelDocument m_document;
    quint64 m_lastResultId = 0;

    SettingsPanel* m_settings = nullptr;
    LiveTrainingPanel* m_live = nullptr;
    AttentionPanel* m_attention = nullptr;
    QTabWidget* m_viewTabs = nullptr;
    SynthesizerPanel* m_synth = nullptr;
    RaceWindow* m_raceWindow = nullptr;
    DecodingPanel* m_decoding = nullptr;
    PositionalEncodingPanel* m_peLab = nullptr;
    StepperPanel* m_stepper = nullptr;
    AttentionFlowPanel* m_flow = nullptr;
    HiddenStatesPanel* m_hidden = nullptr;
    HeadAblationPanel* m_ablation = nullptr;
    TimelinePanel* m_timeline = nullptr;
    TrainingPlotsPanel* m_trainingPlots = nullptr;
    OverviewPanel* m_overview = nullptr;
    SessionController* m_session = nullptr;
    LessonPanel* m_lessons = nullptr;
    QLabel* m_stateLabel = nullptr;
    PresenterMode* m_presenter = nullptr;
    PaneScroller* m_panes = nullptr;
    DemoModels* m_demos = nullptr;
};

} // namespace al::ui
