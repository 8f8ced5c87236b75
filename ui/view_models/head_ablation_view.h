// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of the Head ablation tab: a model with a set of heads switched off
// (engine/nn/head_mask.h; Michel et al. 2019), its output for the typed sentence, and the
// validation loss and metric of a held-out sample, each beside the intact model's; and the
// per-head importance table (engine/experiments/head_importance.h). Translation models
// (translation corpora and copy/reverse/sort) are scored by BLEU, task models (charlm, pos,
// sentiment, langid, mlm) by accuracy.
#include "engine/data/algorithmic_tasks.h"
#include "engine/data/corpus.h"
#include "engine/data/task_data.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/translation_model.h"
#include "ui/view_models/settings_form.h"
#include "ui/view_models/training_session.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace al::ui {

/// How many held-out examples the tab scores (sentence pairs, tagged sentences, texts, masked
/// sentence pairs): enough for a loss that moves visibly, few enough that a click answers in
/// well under a second on the demo models.
constexpr int kAblationSampleSize = 60;
/// How many windows of max_len characters the tab scores a charlm on (16 x 128 = 2048
/// characters on the demo, about twice the tokens of 60 tagged sentences).
constexpr int kAblationCharlmWindows = 16;
/// The examples the tab scores a task model on: kAblationCharlmWindows for charlm, else
/// kAblationSampleSize.
int taskAblationSampleSize(const QString& task);

/// Where the held-out sample comes from; it must suit the open model's family.
struct AblationSource {
    enum class Kind {
        None,        ///< no sample: nothing is scored
        Corpus,      ///< a translation corpus (TSV)
        Algorithmic, ///< the validation set of a copy/reverse/sort generator (task.json)
        Task,        ///< a task model's data (al::load_task_corpus)
    };
    Kind kind = Kind::None;
    QString corpusPath;                    ///< Corpus: the TSV file
    int srcColumn = 1, tgtColumn = 0;      ///< Corpus: 0-based columns
    al::AlgorithmicTaskConfig algorithmic; ///< Algorithmic: the generator
    QString task;                          ///< Task: charlm, pos, sentiment, langid or mlm
    QStringList taskData;                  ///< Task: the data paths load_task_corpus reads

    /// A translation corpus with 0-based columns.
    static AblationSource corpus(const QString& path, int srcColumn, int tgtColumn);
    /// The validation set of a copy/reverse/sort generator.
    static AblationSource generated(const al::AlgorithmicTaskConfig& generator);
    /// A task model's data: `typedPaths` (the settings' data field, paths separated by ';') or,
    /// when it is blank, the task's bundled data (bundledTaskData); the list may end up empty
    /// (pos and sentiment bundle none), which taskAblationSample reports.
    static AblationSource forTask(const QString& task, const QString& typedPaths);
    /// Identifies the sample: two sources with the same key give the same examples.
    QString key() const;
};

/// The sample the tab scores for the model the window shows: a task model (`taskModel` not
/// null) its task's data, the settings' Data paths when the settings show that task, else its
/// bundled data; a copy/reverse/sort model (`run.task`) the validation set of its generator
/// (`run.algorithmic`); any other translation model `corpusPath` (the corpus Train reads) with
/// the settings' 1-based columns.
AblationSource ablationSourceFor(const al::TaskModel* taskModel, const TaskSettings& run, const SettingsValues& settings,
                                 const QString& corpusPath);

/// The held-out sample of a TSV corpus (source and target columns 0-based): its validation split
/// as `train` cuts it by default (5 % valid, 5 % test, split seed 1), first `size` pairs.
/// Throws al::Error naming the file.
std::vector<al::SentencePair> ablationSample(const QString& corpusPath, int srcColumn, int tgtColumn,
                                             int size = kAblationSampleSize);
/// The held-out sample of a copy/reverse/sort model: the first `size` pairs of the validation
/// set that `generator` regenerates (al::generate_algorithmic_splits), as `eval` and `ablate` do.
/// Throws al::Error as the generator's validate().
std::vector<al::SentencePair> ablationSample(const al::AlgorithmicTaskConfig& generator, int size = kAblationSampleSize);
/// The held-out sample of a task model: `paths` read as `train --task` reads them
/// (al::load_task_corpus, split seed 1, the default of `train` and `ablate`), only the first
/// `size` examples of the validation split kept (charlm: its whole held-out text, of which
/// taskAblationBatches takes its windows). Throws al::Error naming the path, or naming the
/// settings' data field when `paths` is empty.
al::TaskCorpus taskAblationSample(const QString& task, const QStringList& paths, int size = kAblationSampleSize);
/// The batches a task model is scored on: the sample in the model's ids, the first `size`
/// examples (al::task_eval_batches of the validation split; the token budget of
/// default_task_train_config; mlm masks from a fixed seed); `size` 0: taskAblationSampleSize.
/// Throws al::Error for data whose task or tags the model does not know.
std::vector<al::TaskBatch> taskAblationBatches(const al::TaskModel& model, const al::TaskCorpus& sample, int size = 0);

/// The figures of one model state (intact or ablated).
struct AblationFigures {
    QString output;   ///< the typed sentence's translation, or the task model's answer (taskModelAnswer)
    double loss = 0;   ///< teacher-forced loss over the sample, nats per target token
    double metric = 0; ///< corpus BLEU (0..100) of the sample decoded greedily, or accuracy (0..1)
};

/// What the tab shows for one mask.
struct AblationOutcome {
    AblationFigures intact, ablated;
    QString task;          ///< empty for a translation model, else the task model's task
    QString metricName;    ///< "bleu" or "accuracy"
    int examples = 0;      ///< examples in the sample (pairs, sentences, texts, windows)
    int headsOff = 0;
    QString error;         ///< non-empty when the model could not be scored
};

/// What successive scores of one model on one sample share. The caller keeps it between calls
/// of runAblation and empties it when the model or the sample changes (`intact` also when the
/// sentence does); runAblation takes what it holds and fills in what it computes.
struct AblationReuse {
    std::optional<AblationFigures> intact; ///< the intact model's figures for the sentence
    std::optional<al::HeadMeans> means;     ///< every head's mean output over the sample (mode Mean)
};

/// Scores `model` as it stands and under `mask` on `sample`, and translates `sentence` both
/// ways (greedy). Mode Mean replaces a head by its mean output over the sample's batches
/// (al::head_output_means). The model is copied, never changed. Costs two evaluations and two
/// greedy decodings of the sample, and one more evaluation for the means; `reuse` (may be null)
/// saves the intact evaluation and decoding and the means once it holds them.
AblationOutcome runAblation(const al::TranslationModel& model, const al::HeadMask& mask, const QString& sentence,
                            const std::vector<al::SentencePair>& sample, AblationReuse* reuse = nullptr);
/// The same for a task model (al::score_with_mask(TaskNet&, ...): loss and accuracy over
/// taskAblationBatches of `sample`); its answer for `sentence` both ways (taskModelAnswer: the
/// tags, the classes, the [MASK] fillers, the greedy continuation).
AblationOutcome runAblation(const al::TaskModel& model, const al::HeadMask& mask, const QString& sentence,
                            const al::TaskCorpus& sample, AblationReuse* reuse = nullptr);

/// The per-head importance table of `model` on `sample` (one evaluation and decoding per head).
al::HeadImportanceTable runImportance(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample,
                                      al::AblationMode mode);
/// The per-head importance table of a task model on taskAblationBatches of `sample`; the
/// metric is accuracy (one evaluation per head).
al::HeadImportanceTable runImportance(const al::TaskModel& model, const al::TaskCorpus& sample, al::AblationMode mode);

/// One kind's (layers x heads) matrix of a table's values: `which` is "delta_loss",
/// "delta_metric" or "gradient" (the normalised gradient importance). Empty for a kind the
/// table has no rows of.
al::Mat importanceMatrix(const al::HeadImportanceTable& table, al::AttentionKind kind, const QString& which);

/// "enc 1.2" style label of a head (1-based layer and head), for buttons and bars.
QString headLabel(const al::HeadId& id);

} // namespace al::ui
