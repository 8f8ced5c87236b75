// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/settings_form.h"

#include "engine/models/task_models.h"
#include "ui/app/app_paths.h"

#include "ui/view_models/training_session.h"

#include <QDir>
#include <QFileInfo>

#include <exception>

namespace al::ui {

SettingsForm::SettingsForm(QObject* parent) : QObject(parent), m_defaults(taskDefaults(QStringLiteral("translate"))) {}

QString SettingsForm::setTask(const QString& task)
{
    TaskDefaults d;
    try {
        d = taskDefaults(task);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    m_defaults = d;
    SettingsValues& v = m_values;
    v.task = task;
    showModelConfig(d.model);
    if (taskFamily(task) == TaskFamily::TaskModel) {
        // One stack (charlm: decoder-only, the others: encoder-only); the other says "none".
        const bool lm = task == QLatin1String("charlm");
        (lm ? v.decoderLayers : v.encoderLayers) = d.settings.taskModel.num_layers();
        (lm ? v.encoderLayers : v.decoderLayers) = 0;
    }
    v.lrFactor = d.train.lr_factor;
    v.labelSmoothing = d.train.label_smoothing;
    v.maxTokens = d.train.max_tokens;
    v.warmupSteps = d.train.warmup_steps;
    const al::AlgorithmicTaskConfig& g = d.settings.algorithmic;
    v.symbols = g.vocab;
    v.minLen = g.min_len;
    v.maxLen = g.max_len;
    v.pairs = g.train_size;
    const al::ModelConfig& tm = d.settings.taskModel;
    v.context = tm.max_len;
    v.minCount = d.settings.minCount;
    v.maskProb = d.settings.maskProb;
    v.pooling = QString::fromStdString(tm.pooling);
    v.suffixLen = tm.suffix_len;
    v.taskData.clear();
    emit changed();
    return {};
}

void SettingsForm::showModelConfig(const al::ModelConfig& c)
{
    SettingsValues& v = m_values;
    v.dModel = c.d_model;
    v.heads = c.nhead;
    v.encoderLayers = c.num_encoder_layers;
    v.decoderLayers = c.num_decoder_layers;
    v.feedForward = c.dim_feedforward;
    v.attention = QString::fromStdString(c.attention);
    v.scoring = QString::fromStdString(c.attention_scoring);
    v.normalization = QString::fromStdString(c.attention_normalization);
    v.window = c.attention_window;
    v.positional = QString::fromStdString(c.positional_encoding);
    v.norm = QString::fromStdString(c.norm);
    v.preLn = c.norm_first;
    v.activation = QString::fromStdString(c.activation);
    v.decoder = QString::fromStdString(c.decoder);
    v.dropout = c.dropout;
    v.attentionDropout = c.attention_dropout;
    if (!c.task.empty()) { // a task model's own keys: context window, pooling, suffix length
        v.context = c.max_len;
        v.pooling = QString::fromStdString(c.pooling);
        v.suffixLen = c.suffix_len;
    }
    emit changed();
}

QString SettingsForm::corpusPath() const
{
    const QString typed = m_values.corpus.trimmed();
    return typed.isEmpty() ? findBundledCorpus() : typed;
}

QString SettingsForm::taskDataPlaceholder() const
{
    const std::string t = m_values.task.toStdString();
    if (bundledTaskData(m_values.task).isEmpty())
        return tr("Required: %1").arg(QString::fromStdString(al::task_data_hint(t)));
    QStringList names;
    for (const std::string& rel : al::bundled_task_data_files(t))
        names << QString::fromStdString(rel);
    return tr("Bundled: %1").arg(names.join(QStringLiteral(", ")));
}

QString SettingsForm::taskDataToolTip() const
{
    return tr("%1; several paths are separated by ';'; empty uses the bundled data where the task has some.")
        .arg(QString::fromStdString(al::task_data_hint(m_values.task.toStdString())));
}

SettingsRows SettingsForm::rows() const
{
    const QString& t = m_values.task;
    const TaskFamily family = taskFamily(t);
    const bool translate = family == TaskFamily::Translation;
    const bool algorithmic = family == TaskFamily::Algorithmic;
    const bool taskModel = family == TaskFamily::TaskModel;
    SettingsRows r;
    r.corpus = translate;
    r.taskData = taskModel;
    r.generator = algorithmic;
    r.context = taskModel;
    r.contextLabel = t == QLatin1String("charlm") ? tr("Context window:") : tr("Max length:");
    r.minCount = taskModel && t != QLatin1String("charlm");
    r.maskProb = t == QLatin1String("mlm");
    r.pooling = t == QLatin1String("sentiment") || t == QLatin1String("langid");
    r.suffixLen = t == QLatin1String("pos");
    const QString& schedule = m_values.scheduledSampling;
    r.scheduledSampling = translate;
    r.samplingP = translate && schedule != QLatin1String("off");
    r.samplingK = translate && (schedule == QLatin1String("linear") || schedule == QLatin1String("inverse_sigmoid"));
    r.sentenceTitle = translate || algorithmic ? tr("Translate") : tr("Try the model");
    const QString metric = taskMetricName(t);
    r.metricTitle = metric.isEmpty() ? tr("Task metric:") : tr("Valid %1:").arg(taskMetricDisplayName(metric));
    return r;
}

bool SettingsForm::resumes() const
{
    return m_values.continueModel && m_resume.continues(m_values.task);
}

SettingsLocks SettingsForm::locks(bool active) const
{
    const bool taskModel = taskFamily(m_values.task) == TaskFamily::TaskModel;
    SettingsLocks l;
    l.resume = resumes();
    l.continueModel = m_resume.continues(m_values.task) && !active;
    l.architecture = !l.resume && !active;
    l.encoderLayers = l.decoderLayers = l.decoder = l.architecture;
    // Task models have one stack (charlm: decoder-only; the others: encoder-only) and no NAT.
    if (taskModel) {
        (m_values.task == QLatin1String("charlm") ? l.encoderLayers : l.decoderLayers) = false;
        l.decoder = false;
    }
    return l;
}

TrainingRequest SettingsForm::request(int snapshotMilliseconds) const
{
    const SettingsValues& v = m_values;
    TrainingRequest r;
    // Keys without a form value (max_len, tokens, Adam betas, ...) are the task's defaults.
    r.model = m_defaults.model;
    r.train = m_defaults.train;
    r.task = m_defaults.settings;
    r.task.task = v.task;
    const TaskFamily family = taskFamily(r.task.task);
    if (family == TaskFamily::Algorithmic) {
        r.task.algorithmic.vocab = v.symbols;
        r.task.algorithmic.min_len = v.minLen;
        r.task.algorithmic.max_len = v.maxLen;
        r.task.algorithmic.train_size = v.pairs;
    } else if (family == TaskFamily::TaskModel) {
        for (const QString& p : v.taskData.split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (!p.trimmed().isEmpty())
                r.task.data << p.trimmed();
        r.task.taskModel.max_len = v.context;
        r.task.minCount = v.minCount;
        r.task.maskProb = v.maskProb;
        r.task.taskModel.pooling = v.pooling.toStdString();
        r.task.taskModel.suffix_len = r.task.task == QLatin1String("pos") ? v.suffixLen : 0;
    }
    r.model.dropout = v.dropout;
    r.model.attention_dropout = v.attentionDropout;
    r.train.label_smoothing = v.labelSmoothing;
    if (family == TaskFamily::Translation) {
        r.train.scheduled_sampling = v.scheduledSampling.toStdString();
        r.train.scheduled_sampling_p = v.samplingP;
        r.train.scheduled_sampling_k = v.samplingK;
    }
    r.train.lr_factor = v.lrFactor;
    r.corpusPath = corpusPath();
    r.srcColumn = v.srcColumn - 1;
    r.tgtColumn = v.tgtColumn - 1;
    r.model.d_model = v.dModel;
    r.model.nhead = v.heads;
    r.model.num_encoder_layers = v.encoderLayers;
    r.model.num_decoder_layers = v.decoderLayers;
    r.model.dim_feedforward = v.feedForward;
    r.model.attention = v.attention.toStdString();
    r.model.attention_scoring = v.scoring.toStdString();
    r.model.attention_normalization = v.normalization.toStdString();
    r.model.attention_window = v.window;
    r.model.positional_encoding = v.positional.toStdString();
    r.model.norm = v.norm.toStdString();
    r.model.norm_first = v.preLn;
    r.model.activation = v.activation.toStdString();
    r.model.decoder = v.decoder.toStdString();
    r.train.max_tokens = v.maxTokens;
    r.train.warmup_steps = v.warmupSteps;
    r.train.seed = static_cast<uint64_t>(v.seed);
    r.train.threads = v.threads;
    r.snapshotMilliseconds = snapshotMilliseconds;
    r.autosaveSeconds = std::max(0, v.autosaveMinutes) * 60;
    if (resumes()) {
        r.autosaveDirectory = m_resume.directory;
        r.resumeFrom = m_resume.translation;
        r.resumeTaskModel = m_resume.taskModel;
        r.resumeTimeline = m_resume.timeline;
        if (!m_resume.directory.isEmpty()) {
            const QString opt = QDir(m_resume.directory).filePath(QStringLiteral("optimizer.safetensors"));
            if (QFileInfo::exists(opt))
                r.optimizerPath = opt;
        }
    }
    return r;
}

SettingsProblem SettingsForm::check(const TrainingRequest& request, bool readable) const
{
    if (taskFamily(request.task.task) == TaskFamily::Translation) {
        if (request.corpusPath.isEmpty())
            return {tr("No corpus"), tr("The bundled corpus (%1) was not found next to the program or in %2. "
                                        "Choose a tab-separated corpus file in the Data settings.")
                                         .arg(QString::fromLatin1(kBundledCorpusRelative), compileTimeResourceDir())};
        if (readable && !QFileInfo(request.corpusPath).isReadable())
            return {tr("No corpus"), tr("Cannot read '%1'.").arg(request.corpusPath)};
    }
    const bool resuming = request.resumeFrom || request.resumeTaskModel;
    const QString problem = checkTrainingSettings(request.model, request.train, request.task, resuming);
    if (!problem.isEmpty())
        return {tr("Invalid model settings"), problem};
    return {};
}

} // namespace al::ui
