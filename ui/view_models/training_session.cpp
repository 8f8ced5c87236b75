// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/training_session.h"

#include "engine/io/model_dir.h"

#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/trace/task_trace.h"
#include "ui/app/app_paths.h"
#include "ui/workers/training_worker.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

std::string local8(const QString& path) { return QFile::encodeName(path).toStdString(); }

std::vector<std::string> paths8(const QStringList& l)
{
    std::vector<std::string> v;
    for (const QString& s : l)
        v.push_back(local8(s));
    return v;
}

// ---------------------------------------------------------------------------------------------
// Translation and copy/reverse/sort: al::Trainer on sentence pairs

class TranslationSession : public TrainingSession {
public:
    TranslationSession(const TrainingRequest& r)
    {
        const TaskFamily family = taskFamily(r.task.task);
        al::CorpusSplits splits;
        if (family == TaskFamily::Algorithmic) {
            m_algorithmic = true;
            m_generator = r.task.algorithmic;
            splits = al::generate_algorithmic_splits(m_generator);
            m_info.dataSummary = QCoreApplication::translate("al::ui::TrainingSession", "%1 task, %2 symbols, lengths %3 to %4")
                                     .arg(QString::fromStdString(al::to_string(m_generator.task)))
                                     .arg(m_generator.vocab)
                                     .arg(m_generator.min_len)
                                     .arg(m_generator.max_len);
        } else {
            const al::CorpusReadResult read = al::read_tsv_pairs(local8(r.corpusPath), r.srcColumn, r.tgtColumn);
            if (read.pairs.empty())
                throw al::Error("'" + r.corpusPath.toStdString() + "' holds no sentence pairs in columns "
                                + std::to_string(r.srcColumn + 1) + " and " + std::to_string(r.tgtColumn + 1));
            splits = al::split_corpus(read.pairs, r.validFraction, r.testFraction, r.train.seed);
            m_info.skippedLines = qint64(read.summary.skipped);
            m_info.dataSummary = r.corpusPath;
        }
        m_valid = splits.valid;
        al::TrainConfig train = r.train;
        if (m_algorithmic)
            train.max_len = m_generator.max_len; // as `train --task`: no generated pair is dropped
        if (r.resumeFrom)
            m_trainer = std::make_unique<al::Trainer>(splits, al::TranslationModel(*r.resumeFrom), train,
                                                      local8(r.optimizerPath));
        else
            m_trainer = std::make_unique<al::Trainer>(splits, r.model, train,
                                                      m_algorithmic ? al::algorithmic_data_options() : r.data);
        m_info.task = r.task.task;
        m_info.trainPairs = qint64(m_trainer->train_pairs());
        m_info.validPairs = qint64(splits.valid.size());
        m_info.testPairs = qint64(splits.test.size());
        const al::TranslationModel& model = m_trainer->model();
        m_info.srcVocabSize = model.src_vocab.size();
        m_info.tgtVocabSize = model.tgt_vocab.size();
        m_info.parameters = model.net.params().numel();
        m_info.synthesizerParameters = model.net.synthesizer_parameters();
        m_info.startStep = m_trainer->step();
        m_info.model = model.net.config();
    }

    al::StepStats trainStep() override { return m_trainer->train_step(); }
    qint64 step() const override { return m_trainer->step(); }
    void setLearningRateFactor(double factor) override { m_trainer->set_lr_factor(factor); }

    ValidationMetrics validate(int maxExamples) override
    {
        const size_t max = size_t(std::max(maxExamples, 0));
        const al::EvalStats s = m_trainer->evaluate(max);
        ValidationMetrics v;
        v.step = m_trainer->step();
        v.loss = s.loss;
        v.perplexity = s.perplexity;
        v.tokenAccuracy = s.accuracy;
        v.examples = s.targets;
        if (m_algorithmic) {
            // Greedy decoding of the validation sources, as `train --task` scores its test set.
            std::vector<al::SentencePair> pairs = m_valid;
            if (max > 0 && pairs.size() > max)
                pairs.resize(max);
            const al::SequenceAccuracy acc = al::decode_accuracy(m_trainer->model(), pairs);
            v.metricName = taskMetricName(m_info.task);
            v.metric = acc.exact_match();
            v.examples = acc.sequences;
        }
        return v;
    }

    void save(const QString& directory) const override
    {
        // task.json and the timeline go into the same checkpoint, swapped in with the model.
        m_trainer->save(local8(directory), [this](const std::string& staging) {
            if (m_algorithmic)
                al::save_algorithmic_task_file(m_generator, staging);
            writeTimeline(staging);
        });
    }

    ModelSnapshot translationSnapshot() const override { return m_trainer->snapshot(); }

protected:
    std::vector<al::TimelineProbe> timelineProbes(const std::vector<std::string>& texts, int fromValid) const override
    {
        return al::translation_timeline_probes(m_trainer->model(), texts, m_valid, fromValid,
                                               m_algorithmic ? &m_generator.task : nullptr);
    }
    al::TimelineFrame timelineFrame(const al::TimelineProbe& probe) const override
    {
        return al::timeline_frame(m_trainer->model(), probe);
    }

private:
    std::unique_ptr<al::Trainer> m_trainer;
    bool m_algorithmic = false;
    al::AlgorithmicTaskConfig m_generator;
    std::vector<al::SentencePair> m_valid;
};

// ---------------------------------------------------------------------------------------------
// Task models: al::TaskTrainer

class TaskModelSession : public TrainingSession {
public:
    TaskModelSession(const TrainingRequest& r)
    {
        const std::string task = r.task.task.toStdString();
        const QStringList data = r.task.data.isEmpty() ? bundledTaskData(r.task.task) : r.task.data;
        if (data.isEmpty())
            throw al::Error("task " + task + " needs a data path (" + al::task_data_hint(task) + ")");
        const al::TaskCorpus corpus = al::load_task_corpus(task, paths8(data), r.train.seed);
        m_probeCorpus.task = corpus.task;
        m_probeCorpus.lm_valid = corpus.lm_valid;
        m_probeCorpus.tagged[1] = corpus.tagged[1];
        m_probeCorpus.labelled[1] = corpus.labelled[1];
        m_probeCorpus.sentence_pairs[1] = corpus.sentence_pairs[1];
        // Continuing a model keeps its vocabulary and labels (as `train --task ... --resume DIR`).
        al::TaskModel model = r.resumeTaskModel
                                  ? al::TaskModel(*r.resumeTaskModel)
                                  : al::new_task_model(corpus, taskModelConfig(r.model, r.task), r.task.minCount, r.train.seed);
        if (model.net.config().task != task)
            throw al::Error("the model to continue is a " + model.net.config().task + " model, not " + task);
        al::TaskData encoded = al::encode_task_corpus(model, corpus);
        m_trainer = std::make_unique<al::TaskTrainer>(std::move(model), std::move(encoded), r.train, r.task.maskProb);
        if (r.resumeTaskModel && !r.optimizerPath.isEmpty())
            m_trainer->load_optimizer(local8(r.optimizerPath));
        const al::ModelConfig& c = m_trainer->model().net.config();
        m_info.task = r.task.task;
        if (task == "charlm") {
            m_info.trainPairs = qint64(m_trainer->data().lm_stream[0].size());
            m_info.validPairs = qint64(m_trainer->data().lm_stream[1].size());
        } else {
            m_info.trainPairs = qint64(m_trainer->data().split[0].size());
            m_info.validPairs = qint64(m_trainer->data().split[1].size());
            m_info.testPairs = qint64(m_trainer->data().split[2].size());
        }
        m_info.skippedLines = qint64(al::skipped_lines(corpus.reads));
        m_info.srcVocabSize = m_info.tgtVocabSize = c.vocab_size;
        m_info.labels = int(c.labels.size());
        m_info.parameters = m_trainer->model().net.params().numel();
        m_info.startStep = m_trainer->step();
        m_info.model = c;
        m_info.dataSummary = data.join(QStringLiteral(", ")) + QStringLiteral(": ") + QString::fromStdString(corpus.describe());
    }

    al::StepStats trainStep() override { return m_trainer->train_step(); }
    qint64 step() const override { return m_trainer->step(); }
    void setLearningRateFactor(double factor) override { m_trainer->set_lr_factor(factor); }

    ValidationMetrics validate(int maxExamples) override
    {
        // charlm: maxExamples windows of max_len characters; the others: examples.
        const al::EvalStats e = m_trainer->evaluate(1, size_t(std::max(maxExamples, 0)));
        ValidationMetrics v;
        v.step = m_trainer->step();
        v.loss = e.loss;
        v.perplexity = std::exp(e.loss);
        v.tokenAccuracy = e.accuracy;
        v.examples = e.targets;
        v.metricName = taskMetricName(m_info.task);
        v.metric = m_info.task == QLatin1String("charlm") ? e.bits : e.accuracy;
        return v;
    }

    void save(const QString& directory) const override
    {
        m_trainer->save(local8(directory), [this](const std::string& staging) { writeTimeline(staging); });
    }
    TaskModelSnapshot taskSnapshot() const override { return m_trainer->snapshot(); }

protected:
    std::vector<al::TimelineProbe> timelineProbes(const std::vector<std::string>& texts, int fromValid) const override
    {
        return al::task_timeline_probes(m_probeCorpus, texts, fromValid);
    }
    al::TimelineFrame timelineFrame(const al::TimelineProbe& probe) const override
    {
        return al::timeline_frame(m_trainer->model(), probe);
    }

private:
    std::unique_ptr<al::TaskTrainer> m_trainer;
    al::TaskCorpus m_probeCorpus; ///< the validation split only: where the timeline's probes come from
};

} // namespace

QStringList trainingTasks()
{
    return {QStringLiteral("translate"), QStringLiteral("copy"),   QStringLiteral("reverse"),
            QStringLiteral("sort"),      QStringLiteral("charlm"), QStringLiteral("pos"),
            QStringLiteral("sentiment"), QStringLiteral("langid"), QStringLiteral("mlm")};
}

TaskFamily taskFamily(const QString& task)
{
    if (task == QLatin1String("translate"))
        return TaskFamily::Translation;
    if (al::is_algorithmic_task(task.toStdString()))
        return TaskFamily::Algorithmic;
    if (al::is_task_model_name(task.toStdString()))
        return TaskFamily::TaskModel;
    throw al::Error("task: expected translate, copy, reverse, sort, charlm, pos, sentiment, langid or mlm, got '"
                    + task.toStdString() + "'");
}

QString taskLabel(const QString& task)
{
    if (task == QLatin1String("translate"))
        return QCoreApplication::translate("TaskSettings", "translate — a corpus of sentence pairs");
    if (task == QLatin1String("copy"))
        return QCoreApplication::translate("TaskSettings", "copy — symbols (encoder-decoder)");
    if (task == QLatin1String("reverse"))
        return QCoreApplication::translate("TaskSettings", "reverse — symbols (encoder-decoder)");
    if (task == QLatin1String("sort"))
        return QCoreApplication::translate("TaskSettings", "sort — symbols (encoder-decoder)");
    if (task == QLatin1String("charlm"))
        return QCoreApplication::translate("TaskSettings", "charlm — character LM (decoder-only)");
    if (task == QLatin1String("pos"))
        return QCoreApplication::translate("TaskSettings", "pos — part-of-speech tagger (encoder)");
    if (task == QLatin1String("sentiment"))
        return QCoreApplication::translate("TaskSettings", "sentiment — classifier (encoder)");
    if (task == QLatin1String("langid"))
        return QCoreApplication::translate("TaskSettings", "langid — language identification (encoder)");
    if (task == QLatin1String("mlm"))
        return QCoreApplication::translate("TaskSettings", "mlm — masked LM, BERT-style (encoder)");
    return task;
}

QString taskMetricDisplayName(const QString& metric)
{
    // The metric names of taskMetricName(), for lupdate.
    static const char* const kNames[] = {QT_TRANSLATE_NOOP("TaskMetric", "exact match"),
                                         QT_TRANSLATE_NOOP("TaskMetric", "accuracy"),
                                         QT_TRANSLATE_NOOP("TaskMetric", "masked-token accuracy"),
                                         QT_TRANSLATE_NOOP("TaskMetric", "bits/char")};
    Q_UNUSED(kNames);
    return QCoreApplication::translate("TaskMetric", metric.toUtf8().constData());
}

QString taskMetricName(const QString& task)
{
    if (task == QLatin1String("copy") || task == QLatin1String("reverse") || task == QLatin1String("sort"))
        return QStringLiteral("exact match");
    if (task == QLatin1String("pos") || task == QLatin1String("sentiment") || task == QLatin1String("langid"))
        return QStringLiteral("accuracy");
    if (task == QLatin1String("mlm"))
        return QStringLiteral("masked-token accuracy");
    if (task == QLatin1String("charlm"))
        return QStringLiteral("bits/char");
    return QString();
}

TaskDefaults taskDefaults(const QString& task)
{
    TaskDefaults d;
    d.settings.task = task;
    switch (taskFamily(task)) {
    case TaskFamily::Translation:
        break;
    case TaskFamily::Algorithmic:
        d.settings.algorithmic.task = al::algorithmic_task_from_string(task.toStdString(), "task");
        d.model = al::algorithmic_model_defaults();
        d.train = al::algorithmic_train_defaults(d.settings.algorithmic);
        d.settings.minCount = al::algorithmic_data_options().min_count;
        break;
    case TaskFamily::TaskModel:
        d.settings.taskModel = al::default_task_config(task.toStdString());
        d.model = d.settings.taskModel;
        d.train = al::default_task_train_config(task.toStdString());
        break;
    }
    return d;
}

QStringList bundledTaskData(const QString& task)
{
    QStringList out;
    const QString appDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    for (const std::string& rel : al::bundled_task_data_files(task.toStdString())) {
        const QString p = findResourceFile(QStringLiteral("data/") + QString::fromStdString(rel), appDir,
                                           compileTimeResourceDir());
        if (!p.isEmpty())
            out << p;
    }
    return out;
}

al::ModelConfig taskModelConfig(const al::ModelConfig& model, const TaskSettings& settings)
{
    al::ModelConfig c = al::with_task_keys(model, settings.taskModel);
    c.task = settings.task.toStdString();
    c.max_len = settings.taskModel.max_len;
    if (c.task == "charlm") {
        c.num_encoder_layers = 0;
    } else {
        c.num_decoder_layers = 0;
    }
    return c;
}

QString checkTrainingSettings(const al::ModelConfig& model, const al::TrainConfig& train, const TaskSettings& settings,
                              bool resuming)
{
    try {
        const TaskFamily family = taskFamily(settings.task);
        if (!resuming && model.nhead > 0 && model.d_model % model.nhead != 0)
            return QCoreApplication::translate("al::ui::TrainingSession", "d_model (%1) must be divisible by the number of heads (%2)").arg(model.d_model).arg(model.nhead);
        train.validate();
        if (family == TaskFamily::Algorithmic)
            settings.algorithmic.validate();
        if (family == TaskFamily::TaskModel) {
            if (!resuming) { // a resumed model keeps its architecture
                al::ModelConfig c = taskModelConfig(model, settings);
                c.vocab_size = std::max(c.vocab_size, int(al::special_tokens(al::VocabLayout::Task).size()) + 1); // from the data later
                if (c.task == "pos" || c.task == "sentiment" || c.task == "langid")
                    c.labels = {"a", "b"};
                c.validate();
            }
            const QStringList data = settings.data.isEmpty() ? bundledTaskData(settings.task) : settings.data;
            if (data.isEmpty())
                return QCoreApplication::translate("al::ui::TrainingSession", "data: task %1 needs a data path (%2)")
                    .arg(settings.task, QString::fromStdString(al::task_data_hint(settings.task.toStdString())));
            for (const QString& p : data)
                if (!QFileInfo::exists(p))
                    return QCoreApplication::translate("al::ui::TrainingSession", "data: '%1' does not exist").arg(p);
        } else if (!resuming) {
            al::ModelConfig check = model;
            check.src_vocab_size = std::max(check.src_vocab_size, 4);
            check.tgt_vocab_size = std::max(check.tgt_vocab_size, 4);
            check.validate();
        }
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

QString taskModelAnswer(const al::TaskModel& model, const QString& text, int continuation)
{
    const std::string s = text.toStdString();
    const std::string task = model.net.config().task;
    QStringList parts;
    if (task == "pos") {
        for (const auto& [word, tag] : al::tag_text(model, s))
            parts << QString::fromStdString(word + "/" + tag);
        return parts.join(QLatin1Char(' '));
    }
    if (task == "sentiment" || task == "langid") {
        std::vector<al::TokenProb> probs = al::classify_text(model, s);
        std::stable_sort(probs.begin(), probs.end(), [](const al::TokenProb& a, const al::TokenProb& b) { return a.prob > b.prob; });
        for (const al::TokenProb& p : probs)
            parts << QStringLiteral("%1 %2").arg(QString::fromStdString(p.token)).arg(p.prob, 0, 'f', 2);
        return parts.join(QStringLiteral(" · "));
    }
    if (task == "mlm") {
        if (s.find("[MASK]") == std::string::npos)
            return QCoreApplication::translate("al::ui::TrainingSession", "(write [MASK] in the sentence to see its fillers)");
        const auto rows = al::masked_token_probabilities(model, s, 3);
        for (size_t m = 0; m < rows.size(); ++m) {
            QStringList fillers;
            for (const al::TokenProb& p : rows[m])
                fillers << QStringLiteral("%1 %2").arg(QString::fromStdString(p.token)).arg(p.prob, 0, 'f', 2);
            parts << QStringLiteral("[MASK] %1: %2").arg(m + 1).arg(fillers.join(QStringLiteral(", ")));
        }
        return parts.join(QStringLiteral(" · "));
    }
    if (task == "charlm")
        return text + QString::fromStdString(al::generate_text(model, s, continuation, 0.0, 1));
    return {};
}

TaskModelOutput runTaskModel(const al::TaskModel& model, const QString& text, int continuation)
{
    TaskModelOutput out;
    try {
        out.trace = std::make_shared<const al::Trace>(al::task_model_trace(model, text.toStdString()));
        out.output = taskModelAnswer(model, text, continuation);
    } catch (const std::exception& e) {
        out.trace.reset();
        out.output.clear();
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

QString taskExampleInput(const QString& task)
{
    if (task == QLatin1String("copy") || task == QLatin1String("reverse") || task == QLatin1String("sort"))
        return QStringLiteral("3 1 4 1 5 9 2");
    if (task == QLatin1String("charlm"))
        return QStringLiteral("ROMEO: What light");
    if (task == QLatin1String("pos"))
        return QStringLiteral("The old man sat on the bench .");
    if (task == QLatin1String("sentiment"))
        return QStringLiteral("a moving and funny film");
    if (task == QLatin1String("langid"))
        return QStringLiteral("where is the station?");
    if (task == QLatin1String("mlm"))
        return QStringLiteral("i have a [MASK] . ||| it is very [MASK] .");
    return QStringLiteral("我爱你。");
}

void TrainingSession::startTimeline(const TrainingRequest& r)
{
    m_timeline.reset();
    if (!r.recordTimeline)
        return;
    if (r.resumeTimeline) {
        m_timeline = std::make_unique<al::TrainingTimeline>(*r.resumeTimeline);
        return;
    }
    std::vector<std::string> texts;
    for (const QString& t : r.timelineSentences)
        if (!t.trimmed().isEmpty())
            texts.push_back(t.toStdString());
    std::vector<al::TimelineProbe> probes = timelineProbes(texts, al::kDefaultTimelineProbes);
    if (!probes.empty())
        m_timeline = std::make_unique<al::TrainingTimeline>(std::move(probes), al::TimelineSchedule{},
                                                            size_t(std::max(r.timelineMegabytes, 0.001) * 1e6));
}

bool TrainingSession::recordTimeline(qint64 step, double loss)
{
    if (!m_timeline || !m_timeline->due(step))
        return false;
    std::vector<al::TimelineFrame> frames;
    frames.reserve(m_timeline->probes().size());
    for (const al::TimelineProbe& p : m_timeline->probes())
        frames.push_back(timelineFrame(p));
    return m_timeline->add(step, loss, std::move(frames));
}

TimelineSnapshot TrainingSession::timelineSnapshot() const
{
    return m_timeline ? std::make_shared<const al::TrainingTimeline>(*m_timeline) : nullptr;
}

void TrainingSession::writeTimeline(const std::string& staging) const
{
    al::write_model_timeline(staging, m_timeline.get());
}

std::unique_ptr<TrainingSession> makeTrainingSession(const TrainingRequest& request)
{
    if (taskFamily(request.task.task) == TaskFamily::TaskModel)
        return std::make_unique<TaskModelSession>(request);
    return std::make_unique<TranslationSession>(request);
}

QString trainingSummary(const TrainingInfo& info)
{
    const QLocale loc;
    if (taskFamily(info.task) == TaskFamily::TaskModel) {
        QString msg = QCoreApplication::translate("al::ui::TrainingSession", "Training %1: %2; vocabulary %3").arg(info.task, info.dataSummary, loc.toString(info.srcVocabSize));
        if (info.labels > 0)
            msg += QCoreApplication::translate("al::ui::TrainingSession", ", %n label(s)", nullptr, info.labels);
        msg += QCoreApplication::translate("al::ui::TrainingSession", "; %1 parameters.").arg(loc.toString(info.parameters));
        if (info.skippedLines > 0)
            msg += QLatin1Char(' ') + QCoreApplication::translate("al::ui::TrainingSession", "%n malformed line(s) skipped.", nullptr, int(info.skippedLines));
        return msg;
    }
    QString msg = QCoreApplication::translate("al::ui::TrainingSession", "Training on %1 pairs (validation %2, test %3); vocabularies %4 / %5; %6 parameters.")
                      .arg(loc.toString(info.trainPairs), loc.toString(info.validPairs), loc.toString(info.testPairs),
                           loc.toString(info.srcVocabSize), loc.toString(info.tgtVocabSize),
                           loc.toString(info.parameters));
    if (taskFamily(info.task) == TaskFamily::Algorithmic)
        msg = QCoreApplication::translate("al::ui::TrainingSession", "Training %1 (%2) on %3 generated pairs (validation %4, test %5, held out); vocabularies %6 / %7; %8 parameters.")
                  .arg(info.task, info.dataSummary, loc.toString(info.trainPairs), loc.toString(info.validPairs),
                       loc.toString(info.testPairs), loc.toString(info.srcVocabSize), loc.toString(info.tgtVocabSize),
                       loc.toString(info.parameters));
    if (info.synthesizerParameters > 0)
        msg += QLatin1Char(' ') + QCoreApplication::translate("al::ui::TrainingSession", "Synthesizer: %1 parameters.").arg(loc.toString(info.synthesizerParameters));
    if (info.skippedLines > 0)
        msg += QLatin1Char(' ') + QCoreApplication::translate("al::ui::TrainingSession", "%n malformed line(s) skipped.", nullptr, int(info.skippedLines));
    return msg;
}

} // namespace al::ui
