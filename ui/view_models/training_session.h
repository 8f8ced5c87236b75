// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of "what to train" in the GUI: the Task choice of the model
// settings — translation of a corpus, the algorithmic tasks copy/reverse/sort (encoder-decoder on
// generated data) and the task models charlm/pos/sentiment/langid/mlm — with the command line's
// defaults and checks, and one TrainingSession per run that the TrainingWorker drives on its
// thread: a training step, a validation pass with the task's metric, a snapshot, a save.
#include "engine/data/algorithmic_tasks.h"
#include "engine/models/config.h"
#include "engine/data/task_data.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"
#include "engine/trace/timeline.h"
#include "engine/trace/trace.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QString>
#include <QStringList>

#include <limits>
#include <memory>

namespace al::ui {

using ModelSnapshot = std::shared_ptr<const al::TranslationModel>;
using TaskModelSnapshot = std::shared_ptr<const al::TaskModel>;
/// A copy of a run's training timeline (its records are shared, not copied).
using TimelineSnapshot = std::shared_ptr<const al::TrainingTimeline>;

/// How a task is trained.
enum class TaskFamily {
    Translation, ///< "translate": a TSV corpus, al::Trainer
    Algorithmic, ///< copy, reverse, sort: generated pairs, al::Trainer (encoder-decoder)
    TaskModel,   ///< charlm, pos, sentiment, langid, mlm: al::TaskTrainer
};

/// The display name of a metric id of taskMetricName() ("exact match", "bits/char", ...) in the
/// current UI language.
QString taskMetricDisplayName(const QString& metric);

/// Every task of the Task choice, in menu order: translate, copy, reverse, sort, charlm, pos,
/// sentiment, langid, mlm (the names of `attention-lab train --task`).
QStringList trainingTasks();
/// Family of a task name; throws al::Error for an unknown name.
TaskFamily taskFamily(const QString& task);
/// Menu text, e.g. "pos — part-of-speech tagger (encoder)".
QString taskLabel(const QString& task);
/// The validation metric a task reports beside its loss: "" for translate (token accuracy and
/// perplexity), "exact match" (copy, reverse, sort), "accuracy" (pos, sentiment, langid),
/// "masked-token accuracy" (mlm), "bits/char" (charlm).
QString taskMetricName(const QString& task);

/// Task-specific settings of a run (beside TrainingRequest::model and ::train).
struct TaskSettings {
    QString task = QStringLiteral("translate");
    /// Task models: data paths (langid may take several TSV files); empty = the bundled data
    /// (charlm, langid, mlm); pos and sentiment need one (see al::task_data_hint).
    QStringList data;
    al::AlgorithmicTaskConfig algorithmic; ///< copy/reverse/sort generator (task, vocab, lengths, ...)
    /// Task models: tokens, pooling, suffix_len, num_segments and arch.max_len (context window);
    /// the other architecture keys come from TrainingRequest::model.
    al::ModelConfig taskModel;
    int minCount = al::kDefaultTaskMinCount; ///< task models (charlm keeps every character)
    double maskProb = al::kDefaultMaskProb;  ///< mlm
};

/// The defaults `attention-lab train --task <task>` uses: architecture (al::ModelConfig{} for
/// translate, al::algorithmic_model_defaults(), al::default_task_config(task)), optimisation
/// (al::TrainConfig{}, al::algorithmic_train_defaults(), al::default_task_train_config()) and
/// the task settings. Throws al::Error for an unknown task.
struct TaskDefaults {
    al::ModelConfig model;
    al::TrainConfig train;
    TaskSettings settings;
};
TaskDefaults taskDefaults(const QString& task);

/// The bundled data of a task model, resolved like the command line (installed share
/// directory, next to the executable, the source tree); empty when the task has none or it was
/// not found. Needs a QCoreApplication for the installed locations.
QStringList bundledTaskData(const QString& task);

/// The configuration of a task model run: settings.taskModel with the architecture keys of
/// `model` (d_model, nhead, dim_feedforward, dropout, norm_first and the block switches); the
/// layer count is model.num_decoder_layers for charlm (decoder-only) and
/// model.num_encoder_layers for the encoders, the other side 0.
al::ModelConfig taskModelConfig(const al::ModelConfig& model, const TaskSettings& settings);

/// Checks a run's settings before any data is read, as the command line checks its options;
/// returns "" or a message naming the setting: d_model divisible by nhead, the architecture
/// (al::ModelConfig::validate / al::ModelConfig::validate, with placeholder vocabulary and
/// labels), the generator (al::AlgorithmicTaskConfig::validate), and for task models that a
/// data path is given where the task needs one and that every path exists. `resuming`: a model
/// is continued, whose architecture is its own (not checked).
QString checkTrainingSettings(const al::ModelConfig& model, const al::TrainConfig& train, const TaskSettings& settings,
                              bool resuming);

/// Validation figures at a step.
struct ValidationMetrics {
    qint64 step = 0;
    double loss = 0;           ///< cross-entropy per target (nats), no label smoothing (charlm: per character)
    double perplexity = 0;     ///< exp(loss)
    double tokenAccuracy = 0;  ///< argmax == target over the targets (pos: tags, mlm: masked tokens, classifiers: texts)
    /// The task's headline metric (taskMetricName), empty for translation; `metric` is a
    /// fraction for the accuracies and bits per character for charlm.
    QString metricName;
    double metric = std::numeric_limits<double>::quiet_NaN();
    qint64 examples = 0;       ///< targets scored (exact match: sequences decoded)
};

/// What a run is about, published once after the data is loaded and the model built.
struct TrainingInfo {
    QString task = QStringLiteral("translate");
    qint64 trainPairs = 0, validPairs = 0, testPairs = 0; ///< examples per split (charlm: characters)
    qint64 skippedLines = 0;   ///< malformed corpus lines that were skipped
    int srcVocabSize = 0, tgtVocabSize = 0; ///< task models: the one vocabulary twice
    int labels = 0;            ///< task models: tags or classes (0 for charlm and mlm)
    qint64 parameters = 0;
    qint64 synthesizerParameters = 0; ///< synthesizer part of all self-attention blocks (0 = vanilla)
    qint64 startStep = 0;      ///< > 0 when resuming
    al::ModelConfig model;     ///< the configuration actually trained (task models: their arch)
    QString dataSummary;       ///< e.g. "train 12544, valid 2001, test 2077 sentences"
};
/// The status line of a run that started: its data, vocabularies and parameter counts.
QString trainingSummary(const TrainingInfo& info);

struct TrainingRequest;

/// One training run of any task, driven by one thread (TrainingWorker).
class TrainingSession {
public:
    virtual ~TrainingSession() = default;
    /// One optimizer step. Throws al::NumericFault when the step meets a NaN or an Inf; the
    /// weights and step count are then those of the step before, and training may go on.
    virtual al::StepStats trainStep() = 0;
    virtual qint64 step() const = 0;
    /// The Noam learning-rate factor of the steps that follow (al::TrainerBase::set_lr_factor).
    virtual void setLearningRateFactor(double factor) = 0;
    /// A validation pass over at most maxExamples examples (0 = all) with the task's metric.
    virtual ValidationMetrics validate(int maxExamples) = 0;
    /// Writes the model directory as `attention-lab train --task ... --out DIR` does: model
    /// files and optimizer.safetensors, plus task.json for copy/reverse/sort.
    virtual void save(const QString& directory) const = 0;
    /// The newest weights (exactly one of the two is non-null).
    virtual ModelSnapshot translationSnapshot() const { return {}; }
    virtual TaskModelSnapshot taskSnapshot() const { return {}; }
    const TrainingInfo& info() const { return m_info; }

    /// Starts the run's training timeline (docs/timeline.md) as the request says: none when
    /// request.recordTimeline is off; request.resumeTimeline continued when given; else new
    /// probes: request.timelineSentences, then al::kDefaultTimelineProbes from the validation
    /// split, within request.timelineMegabytes.
    void startTimeline(const TrainingRequest& request);
    /// Records the probes on the current weights when the timeline's schedule names `step`
    /// (`loss`: the step's training loss, NaN for none). Returns true when a record was added.
    /// Runs on the caller's thread (the training worker's).
    bool recordTimeline(qint64 step, double loss);
    /// A copy of the timeline for another thread; null when none is recorded.
    TimelineSnapshot timelineSnapshot() const;

protected:
    /// Probes of this run: `texts` and `fromValid` chosen from the validation split.
    virtual std::vector<al::TimelineProbe> timelineProbes(const std::vector<std::string>& texts, int fromValid) const = 0;
    /// One probe on the current weights (al::timeline_frame).
    virtual al::TimelineFrame timelineFrame(const al::TimelineProbe& probe) const = 0;
    /// Writes the timeline into a checkpoint's staging directory (al::write_model_timeline).
    void writeTimeline(const std::string& staging) const;

    TrainingInfo m_info;
    std::unique_ptr<al::TrainingTimeline> m_timeline;
};

/// A task model's answer for one typed text, as one line: pos "word/TAG ..." (al::tag_text),
/// sentiment and langid the labels by decreasing probability ("pos 0.93 · neg 0.07",
/// al::classify_text), mlm the three most probable fillers of each [MASK] (a note asking for
/// one when there is none), charlm the text and its greedy continuation (temperature 0) of
/// `continuation` characters (al::generate_text). Throws al::Error as those functions.
QString taskModelAnswer(const al::TaskModel& model, const QString& text, int continuation = 60);

/// A task model run on one typed text, for the main window: the self-attention Trace
/// (al::task_model_trace) and taskModelAnswer. On failure trace is null and error holds the
/// engine's message.
struct TaskModelOutput {
    std::shared_ptr<const al::Trace> trace;
    QString output;
    QString error;
};
TaskModelOutput runTaskModel(const al::TaskModel& model, const QString& text, int continuation = 60);

/// A text that suits the task, for the sentence box ("3 1 4 1 5 9 2" for copy/reverse/sort,
/// "The old man sat on the bench ." for pos, ...); the bundled corpus's "我爱你。" for translate.
QString taskExampleInput(const QString& task);

struct TrainingRequest;
/// Loads or generates the data and builds the model for `request`, or continues
/// request.resumeFrom / request.resumeTaskModel (with the optimizer state of
/// request.optimizerPath when given); throws al::Error (naming the file, key or setting, or a
/// model of another task) when that fails.
std::unique_ptr<TrainingSession> makeTrainingSession(const TrainingRequest& request);

} // namespace al::ui
