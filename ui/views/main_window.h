// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/color_maps.h"
#include "ui/export/exporters.h"
#include "ui/workers/inference_worker.h"
#include "ui/workers/training_worker.h"

#include <QMainWindow>
#include <QTimer>
#include <QVector>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QCustomPlot;
class QGridLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QWidget;

namespace al::ui {

class DecodingPanel;
class HeatmapWidget;
class RaceWindow;
class PositionalEncodingPanel;
class OverviewPanel;
class StepperPanel;
class SynthesizerPanel;
class TrainingPlotsPanel;

/// The lab's main window: data and model settings, Train / Pause / Step / Stop, live loss and
/// learning-rate plots, a sentence box with its translation, and the attention navigator (kind,
/// layer, head; a grid of per-head thumbnails and one focused heatmap). Thin: training and
/// inference run in TrainingController / InferenceController, drawing decisions come from
/// attention_selection.h, redraws are coalesced on one timer.
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
    InferenceController* inferenceController() const { return m_inference; }
    HeatmapWidget* focusedHeatmap() const { return m_focused; }
    QVector<HeatmapWidget*> headHeatmaps() const { return m_thumbs; }
    AttentionSelection selection() const;
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
    TrainingPlotsPanel* trainingPlotsPanel() const { return m_trainingPlots; }
    /// Layer x head thumbnails of all three attention kinds (a tab beside the attention view).
    OverviewPanel* overviewPanel() const { return m_overview; }
    /// Newest model (from training or opened from disk); null before either.
    ModelSnapshot currentModel() const { return m_model; }
    /// Newest task model (charlm, pos, sentiment, langid, mlm) from training or opened from
    /// disk; null while the current model is a translation (or copy/reverse/sort) model.
    TaskModelSnapshot currentTaskModel() const { return m_taskModel; }
    /// The Task choice of the model settings ("translate", "copy", ..., "mlm").
    QString task() const;
    /// Selects a task: its command-line defaults go into the model and training settings.
    void setTask(const QString& task);
    /// The task's answer for the sentence box (translation label text).
    QString taskOutputText() const;

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
    std::shared_ptr<const al::Trace> currentTrace() const { return m_trace; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildSettingsPanel();
    QWidget* buildTrainingPanel();
    QWidget* buildAttentionPanel();
    void buildMenus();
    QCustomPlot* makePlot(const QString& title);

    void onStateChanged(TrainingController::State state);
    void onStarted(const TrainingInfo& info);
    void onMetrics(const TrainingMetrics& m);
    void onValidated(const ValidationMetrics& v);
    void onSnapshot(const ModelSnapshot& model, qint64 step);
    void onTranslated(const InferenceResult& result);
    void onFinished(qint64 step);
    void onSaveFinished(const QString& directory, const QString& errorMessage);
    void showError(const QString& title, const QString& message);
    void updateModelSource();
    void showModelConfig(const al::ModelConfig& config);
    void browseCorpus();
    void browseTaskData();
    void onTaskChanged();
    void showTaskRows();
    void onTaskSnapshot(const TaskModelSnapshot& model, qint64 step);
    void runTaskInference();
    void showTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step);

    void scheduleRedraw();
    /// Plots and the "Now" figures follow the metrics on their own, slower timer.
    void schedulePlotRedraw();
    void redraw();
    void redrawPlots();
    void redrawAttention();
    void rebuildThumbnails(int count);
    void focusHead(int head);
    void applyHeatmapColors();
    void resetCurves();

    TrainingController* m_training = nullptr;
    InferenceController* m_inference = nullptr;

    // Settings
    QComboBox* m_taskCombo = nullptr;
    QFormLayout* m_dataForm = nullptr;
    QFormLayout* m_modelForm = nullptr; ///< model and training settings (rows shown per task)
    QLineEdit* m_taskDataEdit = nullptr;   ///< task models: data paths separated by ';'
    QWidget* m_taskDataRow = nullptr;
    QSpinBox* m_symbolsSpin = nullptr;     ///< copy/reverse/sort: vocab
    QSpinBox* m_minLenSpin = nullptr;      ///< copy/reverse/sort: min_len
    QSpinBox* m_maxLenSpin = nullptr;      ///< copy/reverse/sort: max_len
    QSpinBox* m_pairsSpin = nullptr;       ///< copy/reverse/sort: train_size
    QSpinBox* m_contextSpin = nullptr;     ///< task models: max_len (charlm: context window)
    QSpinBox* m_minCountSpin = nullptr;    ///< task models
    QDoubleSpinBox* m_maskProbSpin = nullptr; ///< mlm
    QComboBox* m_poolingCombo = nullptr;   ///< sentiment, langid
    QSpinBox* m_suffixSpin = nullptr;      ///< pos
    QDoubleSpinBox* m_dropoutSpin = nullptr;
    QDoubleSpinBox* m_lrFactorSpin = nullptr;
    QDoubleSpinBox* m_attentionDropoutSpin = nullptr; ///< ModelConfig::attention_dropout; minimum = "same as dropout"
    QDoubleSpinBox* m_labelSmoothingSpin = nullptr;   ///< TrainConfig::label_smoothing
    QComboBox* m_scheduledSamplingCombo = nullptr;    ///< TrainConfig::scheduled_sampling (translation only)
    QDoubleSpinBox* m_scheduledSamplingPSpin = nullptr;
    QDoubleSpinBox* m_scheduledSamplingKSpin = nullptr;
    TaskDefaults m_taskDefaults;           ///< of the selected task: keys without a widget come from here
    QGroupBox* m_dataGroup = nullptr;
    QGroupBox* m_modelGroup = nullptr;
    QLineEdit* m_corpusEdit = nullptr;
    QSpinBox* m_srcColumnSpin = nullptr;
    QSpinBox* m_tgtColumnSpin = nullptr;
    QSpinBox* m_dModelSpin = nullptr;
    QSpinBox* m_headsSpin = nullptr;
    QSpinBox* m_encLayersSpin = nullptr;
    QSpinBox* m_decLayersSpin = nullptr;
    QSpinBox* m_dffSpin = nullptr;
    QComboBox* m_attentionCombo = nullptr;
    // Attention and block options (ModelConfig keys attention_scoring, attention_normalization,
    // attention_window, positional_encoding, norm, norm_first, activation).
    QComboBox* m_scoringCombo = nullptr;
    QComboBox* m_normalizationCombo = nullptr;
    QSpinBox* m_windowSpin = nullptr;
    QComboBox* m_positionalCombo = nullptr;
    QComboBox* m_normCombo = nullptr;
    QCheckBox* m_preLnCheck = nullptr;
    QComboBox* m_activationCombo = nullptr;
    QComboBox* m_decoderCombo = nullptr; ///< autoregressive | nat (docs/nat.md)
    QSpinBox* m_maxTokensSpin = nullptr;
    QSpinBox* m_warmupSpin = nullptr;
    QSpinBox* m_seedSpin = nullptr;
    QSpinBox* m_threadsSpin = nullptr; ///< TrainConfig::threads (data-parallel training threads)
    QCheckBox* m_continueCheck = nullptr;
    QLabel* m_modelSourceLabel = nullptr;
    QPushButton* m_trainButton = nullptr;
    QPushButton* m_pauseButton = nullptr;
    QPushButton* m_stepButton = nullptr;
    QPushButton* m_stopButton = nullptr;

    // Live figures
    QCustomPlot* m_lossPlot = nullptr;
    QCustomPlot* m_lrPlot = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_epochLabel = nullptr;
    QLabel* m_lossLabel = nullptr;
    QLabel* m_validLabel = nullptr;
    QLabel* m_perplexityLabel = nullptr;
    QLabel* m_accuracyLabel = nullptr;
    QLabel* m_metricTitle = nullptr;      ///< "Exact match:", "Bits/char:", ... (the task's metric)
    QLabel* m_metricLabel = nullptr;
    QLabel* m_lrLabel = nullptr;
    QLabel* m_gradLabel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QLabel* m_stateLabel = nullptr;

    // Sentence
    QGroupBox* m_sentenceBox = nullptr;
    QLineEdit* m_sentenceEdit = nullptr;
    QLabel* m_translationLabel = nullptr;
    QLabel* m_tokensLabel = nullptr;

    // Attention
    QComboBox* m_kindCombo = nullptr;
    QSpinBox* m_layerSpin = nullptr;
    QSpinBox* m_headSpin = nullptr;
    QComboBox* m_colorMapCombo = nullptr;
    QComboBox* m_colorRangeCombo = nullptr;
    QWidget* m_gridHost = nullptr;
    QGridLayout* m_grid = nullptr;
    QVector<HeatmapWidget*> m_thumbs;
    HeatmapWidget* m_focused = nullptr;
    QTabWidget* m_viewTabs = nullptr;
    SynthesizerPanel* m_synth = nullptr;
    RaceWindow* m_raceWindow = nullptr;
    DecodingPanel* m_decoding = nullptr;
    PositionalEncodingPanel* m_peLab = nullptr;
    StepperPanel* m_stepper = nullptr;
    TrainingPlotsPanel* m_trainingPlots = nullptr;
    OverviewPanel* m_overview = nullptr;

    // Model and data buffers (GUI thread only)
    ModelSnapshot m_model;
    qint64 m_modelStep = 0;
    TaskModelSnapshot m_taskModel;   ///< the current model when it is a task model
    qint64 m_taskModelStep = 0;
    TaskSettings m_taskModelSettings; ///< of the last run (copy/reverse/sort: task.json when saved later)
    QTimer m_taskInferenceTimer;     ///< coalesces task-model runs on the typed sentence
    ModelSnapshot m_resumeModel;     ///< opened from disk (or the last run) for "continue"
    QString m_resumeDirectory;       ///< where m_resumeModel came from, if a directory
    QString m_exportDirectory;       ///< last folder an image was exported to
    std::shared_ptr<const al::Trace> m_trace;
    qint64 m_traceStep = 0;
    quint64 m_lastResultId = 0;
    QVector<double> m_trainSteps, m_trainLoss, m_validSteps, m_validLoss, m_lrValues;
    TrainingMetrics m_lastMetrics;
    bool m_haveMetrics = false;
    bool m_plotsDirty = false;
    bool m_attentionDirty = false;
    QTimer m_redrawTimer;
    QTimer m_plotTimer;
};

} // namespace al::ui
