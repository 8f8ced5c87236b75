// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/head_ablation_view.h"

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/eval/evaluate.h"
#include "engine/models/config.h"
#include "engine/train/task_trainer.h"

#include <QCoreApplication>
#include <QFile>

#include <exception>

namespace al::ui {

namespace {

/// The split seed of `train` and `ablate` when none is given.
constexpr uint64_t kSplitSeed = 1;

std::vector<al::Batch> sampleBatches(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample)
{
    return al::make_batches(al::encode_pairs(model, sample, model.net.config().max_len - 1, false), al::TrainConfig{}.max_tokens, 0);
}

QString translateWith(const al::TranslationModel& model, const QString& sentence)
{
    if (sentence.trimmed().isEmpty())
        return {};
    al::DecodingOptions greedy;
    greedy.max_len = 64;
    return QString::fromStdString(al::translate(model, sentence.toStdString(), greedy).text);
}

QString answerOf(const al::TaskModel& model, const QString& sentence)
{
    return sentence.trimmed().isEmpty() ? QString() : taskModelAnswer(model, sentence);
}

std::string local8(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}

template <class T>
void keepFirst(std::vector<T>& v, int size)
{
    if (int(v.size()) > size)
        v.resize(size_t(size));
}

} // namespace

AblationSource AblationSource::corpus(const QString& path, int srcColumn, int tgtColumn)
{
    AblationSource s;
    s.kind = Kind::Corpus;
    s.corpusPath = path;
    s.srcColumn = srcColumn;
    s.tgtColumn = tgtColumn;
    return s;
}

AblationSource AblationSource::generated(const al::AlgorithmicTaskConfig& generator)
{
    AblationSource s;
    s.kind = Kind::Algorithmic;
    s.algorithmic = generator;
    return s;
}

AblationSource AblationSource::forTask(const QString& task, const QString& typedPaths)
{
    AblationSource s;
    s.kind = Kind::Task;
    s.task = task;
    for (const QString& p : typedPaths.split(QLatin1Char(';'), Qt::SkipEmptyParts))
        if (!p.trimmed().isEmpty())
            s.taskData << p.trimmed();
    if (s.taskData.isEmpty())
        s.taskData = bundledTaskData(task);
    return s;
}

QString AblationSource::key() const
{
    switch (kind) {
    case Kind::None: return {};
    case Kind::Corpus: return QStringLiteral("corpus\t%1\t%2\t%3").arg(corpusPath).arg(srcColumn).arg(tgtColumn);
    case Kind::Algorithmic: {
        const al::AlgorithmicTaskConfig& g = algorithmic;
        return QStringLiteral("generated\t%1\t%2\t%3\t%4\t%5\t%6\t%7\t%8")
            .arg(QString::fromStdString(al::to_string(g.task)))
            .arg(g.vocab)
            .arg(g.min_len)
            .arg(g.max_len)
            .arg(g.train_size)
            .arg(g.valid_size)
            .arg(g.test_size)
            .arg(g.seed);
    }
    case Kind::Task: return QStringLiteral("task\t%1\t%2").arg(task, taskData.join(QLatin1Char('\t')));
    }
    return {};
}

AblationSource ablationSourceFor(const al::TaskModel* taskModel, const TaskSettings& run, const SettingsValues& settings,
                                 const QString& corpusPath)
{
    if (taskModel) {
        const QString task = QString::fromStdString(taskModel->net.config().task);
        return AblationSource::forTask(task, settings.task == task ? settings.taskData : QString());
    }
    if (taskFamily(run.task) == TaskFamily::Algorithmic)
        return AblationSource::generated(run.algorithmic);
    return AblationSource::corpus(corpusPath, settings.srcColumn - 1, settings.tgtColumn - 1);
}

std::vector<al::SentencePair> ablationSample(const QString& corpusPath, int srcColumn, int tgtColumn, int size)
{
    const al::CorpusReadResult read = al::read_tsv_pairs(local8(corpusPath), srcColumn, tgtColumn);
    if (read.pairs.empty())
        throw al::Error("'" + corpusPath.toStdString() + "' holds no sentence pairs");
    al::CorpusSplits splits = al::split_corpus(read.pairs, 0.05, 0.05, kSplitSeed);
    std::vector<al::SentencePair> sample = std::move(splits.valid);
    keepFirst(sample, size);
    return sample;
}

std::vector<al::SentencePair> ablationSample(const al::AlgorithmicTaskConfig& generator, int size)
{
    generator.validate();
    std::vector<al::SentencePair> sample = al::generate_algorithmic_splits(generator).valid;
    keepFirst(sample, size);
    return sample;
}

al::TaskCorpus taskAblationSample(const QString& task, const QStringList& paths, int size)
{
    if (paths.isEmpty())
        throw al::Error("data: task " + task.toStdString() + " needs a data path ("
                        + al::task_data_hint(task.toStdString()) + "); name it in the settings' Data field");
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(local8(p));
    al::TaskCorpus corpus = al::load_task_corpus(task.toStdString(), files, kSplitSeed);
    // Only the validation split is scored; the rest is dropped to keep the worker's copy small.
    corpus.lm_train.clear();
    for (int s : {0, 2}) {
        corpus.tagged[s].clear();
        corpus.labelled[s].clear();
        corpus.sentence_pairs[s].clear();
    }
    keepFirst(corpus.tagged[1], size);
    keepFirst(corpus.labelled[1], size);
    keepFirst(corpus.sentence_pairs[1], size);
    corpus.reads.clear();
    const bool empty = task == QLatin1String("charlm") ? corpus.lm_valid.empty()
                                                      : corpus.tagged[1].empty() && corpus.labelled[1].empty()
                                                            && corpus.sentence_pairs[1].empty();
    if (empty)
        throw al::Error("'" + paths.join(QStringLiteral("', '")).toStdString() + "': the validation split of task "
                        + task.toStdString() + " is empty");
    return corpus;
}

int taskAblationSampleSize(const QString& task)
{
    return task == QLatin1String("charlm") ? kAblationCharlmWindows : kAblationSampleSize;
}

std::vector<al::TaskBatch> taskAblationBatches(const al::TaskModel& model, const al::TaskCorpus& sample, int size)
{
    const std::string& task = model.net.config().task;
    if (size <= 0)
        size = taskAblationSampleSize(QString::fromStdString(task));
    return al::task_eval_batches(model, al::encode_task_corpus(model, sample), 1, size_t(size),
                                 al::default_task_train_config(task).max_tokens, al::kDefaultMaskProb);
}

AblationOutcome runAblation(const al::TranslationModel& model, const al::HeadMask& mask, const QString& sentence,
                            const std::vector<al::SentencePair>& sample, AblationReuse* reuse)
{
    AblationReuse local;
    AblationReuse& kept = reuse ? *reuse : local;
    AblationOutcome out;
    out.metricName = QStringLiteral("bleu");
    out.examples = int(sample.size());
    out.headsOff = int(mask.heads.size());
    try {
        al::TranslationModel copy = model;
        const std::vector<al::Batch> batches = sampleBatches(copy, sample);
        const al::DecodingOptions greedy;
        al::HeadMask m = mask;
        if (m.mode == al::AblationMode::Mean && !m.empty()) {
            if (!kept.means)
                kept.means = al::head_output_means(copy.net, batches);
            m.means = *kept.means;
        }
        if (!kept.intact) {
            const al::AblationScore whole = al::score_with_mask(copy, al::HeadMask{}, batches, sample, greedy);
            kept.intact = AblationFigures{translateWith(copy, sentence), whole.loss, whole.metric};
        }
        out.intact = *kept.intact;
        const al::AblationScore ablated = al::score_with_mask(copy, m, batches, sample, greedy);
        copy.net.set_head_mask(m);
        out.ablated = {translateWith(copy, sentence), ablated.loss, ablated.metric};
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

AblationOutcome runAblation(const al::TaskModel& model, const al::HeadMask& mask, const QString& sentence,
                            const al::TaskCorpus& sample, AblationReuse* reuse)
{
    AblationReuse local;
    AblationReuse& kept = reuse ? *reuse : local;
    AblationOutcome out;
    out.task = QString::fromStdString(model.net.config().task);
    out.metricName = QStringLiteral("accuracy");
    out.headsOff = int(mask.heads.size());
    try {
        al::TaskModel copy = model;
        const std::vector<al::TaskBatch> batches = taskAblationBatches(copy, sample);
        for (const al::TaskBatch& b : batches)
            out.examples += b.B;
        al::HeadMask m = mask;
        if (m.mode == al::AblationMode::Mean && !m.empty()) {
            if (!kept.means)
                kept.means = al::head_output_means(copy.net, batches);
            m.means = *kept.means;
        }
        if (!kept.intact) {
            const al::AblationScore whole = al::score_with_mask(copy.net, al::HeadMask{}, batches);
            kept.intact = AblationFigures{answerOf(copy, sentence), whole.loss, whole.metric};
        }
        out.intact = *kept.intact;
        const al::AblationScore ablated = al::score_with_mask(copy.net, m, batches);
        copy.net.set_head_mask(m);
        out.ablated = {answerOf(copy, sentence), ablated.loss, ablated.metric};
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

al::HeadImportanceTable runImportance(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample,
                                      al::AblationMode mode)
{
    al::TranslationModel copy = model;
    const std::vector<al::Batch> batches = sampleBatches(copy, sample);
    return al::head_importance(copy, batches, sample, al::DecodingOptions{}, mode);
}

al::HeadImportanceTable runImportance(const al::TaskModel& model, const al::TaskCorpus& sample, al::AblationMode mode)
{
    al::TaskModel copy = model;
    return al::head_importance(copy.net, taskAblationBatches(copy, sample), mode);
}

al::Mat importanceMatrix(const al::HeadImportanceTable& table, al::AttentionKind kind, const QString& which)
{
    int layers = 0, heads = 0;
    for (const al::HeadScore& s : table.heads)
        if (s.head.kind == kind) {
            layers = std::max(layers, s.head.layer + 1);
            heads = std::max(heads, s.head.head + 1);
        }
    al::Mat m = al::Mat::Zero(layers, heads);
    for (const al::HeadScore& s : table.heads)
        if (s.head.kind == kind)
            m(s.head.layer, s.head.head) = al::Scalar(which == QLatin1String("delta_loss")     ? s.delta_loss
                                                      : which == QLatin1String("delta_metric") ? s.delta_metric
                                                                                               : s.gradient);
    return m;
}

QString headLabel(const al::HeadId& id)
{
    return QStringLiteral("%1 %2.%3").arg(QString::fromStdString(al::to_string(id.kind))).arg(id.layer + 1).arg(id.head + 1);
}

} // namespace al::ui
