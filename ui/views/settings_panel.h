// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/settings_form.h"
#include "ui/workers/training_worker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace al::ui {

/// The settings column of the main window: "Task and data" and "Model" forms (scrolling) over
/// the Train / Pause / Step / Stop buttons. Shows a SettingsForm: every edit goes into the form,
/// the form's own changes (task defaults, a model's configuration) come back into the widgets;
/// rows are shown per task and locked while training or continuing a model as the form says.
class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPanel(QWidget* parent = nullptr);

    SettingsForm* form() const { return m_form; }
    /// The Task choice ("translate", "copy", ..., "mlm").
    QString task() const;
    /// Selects a task: its command-line defaults go into the model and training settings.
    void setTask(const QString& task);
    /// Shows every value of `values` (ui/view_models/lab_setup.h applies a setup through this):
    /// a task other than the current one is selected first, as in the Task box (its defaults
    /// load and taskChanged() is emitted), then all values go into the widgets. What the
    /// widgets hold afterwards (within their ranges and choices) is form()->values().
    void setValues(const SettingsValues& values);
    /// Shows a model's configuration in the model settings.
    void showModelConfig(const al::ModelConfig& config);
    /// The model "Continue" would train further, of either kind (empty: none). A resume point
    /// is a new question: continueChosen() is false until the box is clicked or chooseContinue().
    void setResumePoint(const ResumePoint& resume);
    void setContinueChecked(bool on);
    /// Sets "Continue the current model" as a decision (the user's answer, or a setup's):
    /// Train then does not ask (ui/view_models/train_start.h).
    void chooseContinue(bool on);
    bool continueChosen() const { return m_continueChosen; }
    /// Enables the buttons and settings for a training state (the training settings while idle,
    /// the LR factor also while paused); `active`: a run is in progress.
    void setTrainingState(TrainingController::State state, bool active);
    void setTrainingActive(bool active);

signals:
    void trainClicked();
    void pauseClicked();
    void stepClicked();
    void stopClicked();
    /// A task was chosen and its defaults loaded.
    void taskChanged(const QString& task);
    void errorOccurred(const QString& title, const QString& message);

private:
    void browseCorpus();
    void browseTaskData();
    void onTaskChanged();
    void onEdited();
    /// Widgets -> form.
    void pull();
    /// Form -> widgets (then pull(): the widgets' ranges and decimals have the last word).
    void push();
    void showRows();
    void updateModelSource();
    /// The model-source line and the Pause / Resume text in the current language.
    void showModelSource();
    void showPauseText();

    SettingsForm* m_form = nullptr;
    bool m_active = false;
    bool m_pushing = false;
    bool m_continueChosen = false;

    QComboBox* m_taskCombo = nullptr;
    QFormLayout* m_dataForm = nullptr;
    QFormLayout* m_modelForm = nullptr;
    QGroupBox* m_dataGroup = nullptr;
    QGroupBox* m_modelGroup = nullptr;
    QLineEdit* m_corpusEdit = nullptr;
    QSpinBox* m_srcColumnSpin = nullptr;
    QSpinBox* m_tgtColumnSpin = nullptr;
    QLineEdit* m_taskDataEdit = nullptr;
    QWidget* m_taskDataRow = nullptr;
    QSpinBox* m_symbolsSpin = nullptr;
    QSpinBox* m_minLenSpin = nullptr;
    QSpinBox* m_maxLenSpin = nullptr;
    QSpinBox* m_pairsSpin = nullptr;
    QSpinBox* m_contextSpin = nullptr;
    QSpinBox* m_minCountSpin = nullptr;
    QDoubleSpinBox* m_maskProbSpin = nullptr;
    QComboBox* m_poolingCombo = nullptr;
    QSpinBox* m_suffixSpin = nullptr;
    QSpinBox* m_dModelSpin = nullptr;
    QSpinBox* m_headsSpin = nullptr;
    QSpinBox* m_encLayersSpin = nullptr;
    QSpinBox* m_decLayersSpin = nullptr;
    QSpinBox* m_dffSpin = nullptr;
    QComboBox* m_attentionCombo = nullptr;
    QComboBox* m_scoringCombo = nullptr;
    QComboBox* m_normalizationCombo = nullptr;
    QSpinBox* m_windowSpin = nullptr;
    QComboBox* m_positionalCombo = nullptr;
    QComboBox* m_normCombo = nullptr;
    QCheckBox* m_preLnCheck = nullptr;
    QComboBox* m_activationCombo = nullptr;
    QComboBox* m_decoderCombo = nullptr;
    QDoubleSpinBox* m_dropoutSpin = nullptr;
    QDoubleSpinBox* m_attentionDropoutSpin = nullptr; ///< minimum = "same as dropout"
    QDoubleSpinBox* m_labelSmoothingSpin = nullptr;
    QComboBox* m_scheduledSamplingCombo = nullptr;
    QDoubleSpinBox* m_scheduledSamplingPSpin = nullptr;
    QDoubleSpinBox* m_scheduledSamplingKSpin = nullptr;
    QSpinBox* m_maxTokensSpin = nullptr;
    QDoubleSpinBox* m_lrFactorSpin = nullptr;
    QSpinBox* m_warmupSpin = nullptr;
    QSpinBox* m_seedSpin = nullptr;
    QSpinBox* m_threadsSpin = nullptr;
    QSpinBox* m_autosaveSpin = nullptr;
    QCheckBox* m_continueCheck = nullptr;
    QLabel* m_modelSourceLabel = nullptr;
    QPushButton* m_trainButton = nullptr;
    QPushButton* m_pauseButton = nullptr;
    QPushButton* m_stepButton = nullptr;
    QPushButton* m_stopButton = nullptr;
};

} // namespace al::ui
