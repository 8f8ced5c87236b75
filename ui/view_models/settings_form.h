// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The widget-free model behind the settings panel: every value of the "Task and data" and
// "Model" forms, the task defaults they start from, which rows each task shows, the checks run
// before training and the TrainingRequest the values produce. ui/views/settings_panel.h shows it.
#include "ui/view_models/model_document.h"
#include "ui/view_models/training_session.h"
#include "ui/workers/training_worker.h"

#include <QObject>
#include <QString>

#include <optional>

namespace al::ui {

/// The values of the settings form, as its widgets show them (columns 1-based, as typed).
struct SettingsValues {
    QString task = QStringLiteral("translate");
    // Translation data
    QString corpus;      ///< typed TSV path; empty = the bundled corpus
    int srcColumn = 2;   ///< 1-based (bundled file: 2 = Chinese)
    int tgtColumn = 1;   ///< 1-based (bundled file: 1 = English)
    // Task models and copy/reverse/sort
    QString taskData;    ///< task models: data paths separated by ';'
    int symbols = al::AlgorithmicTaskConfig{}.vocab;
    int minLen = al::AlgorithmicTaskConfig{}.min_len;
    int maxLen = al::AlgorithmicTaskConfig{}.max_len;
    int pairs = al::AlgorithmicTaskConfig{}.train_size;
    int context = 128;   ///< task models: max_len (charlm: the context window)
    int minCount = al::kDefaultTaskMinCount;
    double maskProb = al::kDefaultMaskProb;
    QString pooling = QStringLiteral("mean");
    int suffixLen = 3;
    // Model (al::ModelConfig keys)
    int dModel = al::ModelConfig{}.d_model;
    int heads = al::ModelConfig{}.nhead;
    int encoderLayers = al::ModelConfig{}.num_encoder_layers; ///< 0 = none (decoder-only task model)
    int decoderLayers = al::ModelConfig{}.num_decoder_layers; ///< 0 = none (encoder-only task model)
    int feedForward = al::ModelConfig{}.dim_feedforward;
    QString attention = QString::fromStdString(al::ModelConfig{}.attention);
    QString scoring = QString::fromStdString(al::ModelConfig{}.attention_scoring);
    QString normalization = QString::fromStdString(al::ModelConfig{}.attention_normalization);
    int window = al::ModelConfig{}.attention_window;
    QString positional = QString::fromStdString(al::ModelConfig{}.positional_encoding);
    QString norm = QString::fromStdString(al::ModelConfig{}.norm);
    bool preLn = al::ModelConfig{}.norm_first;
    QString activation = QString::fromStdString(al::ModelConfig{}.activation);
    QString decoder = QString::fromStdString(al::ModelConfig{}.decoder);
    double dropout = al::ModelConfig{}.dropout;
    std::optional<double> attentionDropout = al::ModelConfig{}.attention_dropout; ///< unset = the dropout rate
    // Training (al::TrainConfig keys)
    double labelSmoothing = al::TrainConfig{}.label_smoothing;
    QString scheduledSampling = QString::fromStdString(al::TrainConfig{}.scheduled_sampling);
    double samplingP = al::TrainConfig{}.scheduled_sampling_p;
    double samplingK = al::TrainConfig{}.scheduled_sampling_k;
    int maxTokens = al::TrainConfig{}.max_tokens;
    double lrFactor = al::TrainConfig{}.lr_factor;
    int warmupSteps = al::TrainConfig{}.warmup_steps;
    int seed = static_cast<int>(al::TrainConfig{}.seed);
    int threads = al::TrainConfig{}.threads;
    bool continueModel = false; ///< "Continue the current model"
    /// Minutes between autosaves of the training model into its directory (0 = off): the
    /// directory a continued model was opened from, or the one a run was last saved to.
    int autosaveMinutes = 5;
};

/// Which rows of the form the selected task shows, and the texts that depend on the task.
struct SettingsRows {
    bool corpus = true;            ///< corpus, source and target column (translation)
    bool taskData = false;         ///< task models
    bool generator = false;        ///< symbols, lengths, pairs (copy/reverse/sort)
    bool context = false;          ///< task models
    bool minCount = false;         ///< task models but charlm
    bool maskProb = false;         ///< mlm
    bool pooling = false;          ///< sentiment, langid
    bool suffixLen = false;        ///< pos
    bool scheduledSampling = true; ///< translation (an autoregressive decoder fed its own predictions)
    bool samplingP = false;        ///< a schedule other than "off"
    bool samplingK = false;        ///< linear and inverse sigmoid
    QString contextLabel;          ///< "Context window:" (charlm) or "Max length:"
    QString sentenceTitle;         ///< title of the sentence box: "Translate" or "Try the model"
    QString metricTitle;           ///< "Task metric:" or "Valid <metric>:"
};

/// Which controls can be changed now.
struct SettingsLocks {
    bool architecture = true;      ///< sizes, attention and block options, dropout
    bool encoderLayers = true;
    bool decoderLayers = true;
    bool decoder = true;           ///< autoregressive | nat
    bool continueModel = false;    ///< "Continue the current model": the task can continue the resume point
    bool resume = false;           ///< Train continues the resume point (its configuration is shown)
};

/// A problem that keeps Train from starting: a title and the message to show.
struct SettingsProblem {
    QString title;
    QString message;
    bool isEmpty() const { return title.isEmpty(); }
};

/// The settings form without its widgets. setTask() loads the task's command-line defaults
/// (ui/view_models/training_session.h taskDefaults); request() builds what Train sends, keys
/// without a form value coming from those defaults. Emits changed() whenever the model itself
/// changes the values (task defaults, a model's configuration), not on setValues().
class SettingsForm : public QObject {
    Q_OBJECT
public:
    explicit SettingsForm(QObject* parent = nullptr);

    const SettingsValues& values() const { return m_values; }
    /// The values the user typed (the panel calls this on every edit).
    void setValues(const SettingsValues& values) { m_values = values; }
    QString task() const { return m_values.task; }
    /// Selects a task and loads its defaults into the values; the error message of an unknown
    /// task (the values are then left as they were).
    QString setTask(const QString& task);
    const TaskDefaults& defaults() const { return m_defaults; }
    /// Shows a model's configuration (sizes, attention and block options, dropout; a task
    /// model's context window, pooling and suffix length).
    void showModelConfig(const al::ModelConfig& config);

    /// The corpus Train would read: the typed path, else the bundled one (empty when missing).
    QString corpusPath() const;
    /// Placeholder and tooltip of the task data row: the bundled files, or what must be given.
    QString taskDataPlaceholder() const;
    QString taskDataToolTip() const;
    SettingsRows rows() const;
    /// The model "Continue" trains further (ModelDocument::resumePoint()); empty: none.
    void setResumePoint(const ResumePoint& resume) { m_resume = resume; }
    const ResumePoint& resumePoint() const { return m_resume; }
    /// True when Train continues the resume point: "Continue" is checked and the selected task
    /// can continue it (ResumePoint::continues).
    bool resumes() const;
    /// `active`: a run is in progress.
    SettingsLocks locks(bool active) const;

    /// The request Train sends. When resumes(), it continues the resume point: resumeFrom (a
    /// translation model) or resumeTaskModel (a task model), with optimizerPath the
    /// optimizer.safetensors of the directory it was opened from when there is one, and that
    /// directory the autosave directory (every autosaveMinutes minutes).
    TrainingRequest request(int snapshotMilliseconds = 200) const;
    /// The checks of the command line (architecture, generator, data paths) and of the corpus;
    /// `readable` also requires the corpus file to be readable.
    SettingsProblem check(const TrainingRequest& request, bool readable = true) const;

signals:
    void changed();

private:
    SettingsValues m_values;
    TaskDefaults m_defaults;
    ResumePoint m_resume;
};

} // namespace al::ui
