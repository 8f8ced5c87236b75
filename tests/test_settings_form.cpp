// SPDX-License-Identifier: GPL-3.0-or-later
// The settings form model without a window: task defaults, per-task rows, locks, checks and the
// TrainingRequest it builds, and continuing a model of either kind opened by the model document.
#include "ui/view_models/model_document.h"
#include "ui/view_models/settings_form.h"
#include "settings_test_support.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace al::ui;

namespace {

/// A translation model of d_model 16 (one layer each side, vocabularies of two words).
std::shared_ptr<const al::TranslationModel> tinyTranslationModel(al::ModelConfig* config = nullptr)
{
    al::ModelConfig small;
    small.d_model = 16;
    small.nhead = 2;
    small.dim_feedforward = 32;
    small.num_encoder_layers = small.num_decoder_layers = 1;
    al::Tokenizer tok(al::TokenKind::Word);
    al::Vocab sv = al::Vocab::build({{"a", "b"}}, 1);
    al::Vocab tv = al::Vocab::build({{"c", "d"}}, 1);
    small.src_vocab_size = sv.size();
    small.tgt_vocab_size = tv.size();
    if (config)
        *config = small;
    return std::make_shared<const al::TranslationModel>(
        al::TranslationModel{al::Transformer(small, 3), std::move(sv), std::move(tv), tok, tok});
}

/// True when both stores hold the same parameters with bit-identical values.
bool sameWeights(const al::ParamStore& a, const al::ParamStore& b)
{
    if (a.all().size() != b.all().size())
        return false;
    for (const auto& p : a.all()) {
        const al::Param* q = b.find(p->name);
        if (!q || q->value.rows() != p->value.rows() || q->value.cols() != p->value.cols() || q->value != p->value)
            return false;
    }
    return true;
}

} // namespace

class TestSettingsForm : public QObject {
    Q_OBJECT
private slots:
    void translateDefaults();
    void taskDefaultsAndRows();
    void requestCarriesEveryValue();
    void schedulingRows();
    void locks();
    void checks();
    void resume();
    void resumesATaskModel();
    void taskModelsContinueOnlyAsTheirTask();
};

void TestSettingsForm::translateDefaults()
{
    SettingsForm form;
    QCOMPARE(form.task(), QString("translate"));
    const TrainingRequest r = form.request();
    const al::ModelConfig mc;
    QCOMPARE(r.model.d_model, mc.d_model);
    QCOMPARE(r.model.num_encoder_layers, mc.num_encoder_layers);
    QCOMPARE(r.srcColumn, 1); // 1-based column 2 in the form
    QCOMPARE(r.tgtColumn, 0);
    QCOMPARE(r.snapshotMilliseconds, 200);
    QVERIFY(!r.resumeFrom);
    const SettingsRows rows = form.rows();
    QVERIFY(rows.corpus && rows.scheduledSampling);
    QVERIFY(!rows.taskData && !rows.generator && !rows.samplingP && !rows.samplingK);
    QCOMPARE(rows.sentenceTitle, QString("Translate"));
    QCOMPARE(rows.metricTitle, QString("Task metric:"));
}

void TestSettingsForm::taskDefaultsAndRows()
{
    SettingsForm form;
    QSignalSpy changed(&form, &SettingsForm::changed);
    QVERIFY(form.setTask("charlm").isEmpty());
    QVERIFY(changed.count() >= 1);
    const TaskDefaults d = taskDefaults("charlm");
    // Decoder-only: the encoder stack reads "none".
    QCOMPARE(form.values().encoderLayers, 0);
    QCOMPARE(form.values().decoderLayers, d.settings.taskModel.num_layers());
    QCOMPARE(form.values().context, d.settings.taskModel.max_len);
    QCOMPARE(form.values().maxTokens, d.train.max_tokens);
    SettingsRows rows = form.rows();
    QVERIFY(rows.taskData && rows.context && !rows.corpus && !rows.minCount && !rows.scheduledSampling);
    QCOMPARE(rows.contextLabel, QString("Context window:"));
    QCOMPARE(rows.sentenceTitle, QString("Try the model"));
    QVERIFY(rows.metricTitle.startsWith("Valid "));
    const TrainingRequest lm = form.request();
    QCOMPARE(lm.task.task, QString("charlm"));
    QCOMPARE(lm.model.num_encoder_layers, 0);

    QVERIFY(form.setTask("pos").isEmpty());
    QCOMPARE(form.values().decoderLayers, 0);
    rows = form.rows();
    QVERIFY(rows.suffixLen && rows.minCount && !rows.pooling && !rows.maskProb);
    QCOMPARE(rows.contextLabel, QString("Max length:"));
    QVERIFY(form.setTask("sentiment").isEmpty());
    QVERIFY(form.rows().pooling);
    QVERIFY(form.setTask("mlm").isEmpty());
    QVERIFY(form.rows().maskProb);

    QVERIFY(form.setTask("copy").isEmpty());
    rows = form.rows();
    QVERIFY(rows.generator && !rows.taskData && !rows.corpus);
    QCOMPARE(rows.sentenceTitle, QString("Translate"));
    QCOMPARE(form.values().symbols, taskDefaults("copy").settings.algorithmic.vocab);

    // An unknown task is reported and changes nothing.
    const SettingsValues before = form.values();
    QVERIFY(!form.setTask("no-such-task").isEmpty());
    QCOMPARE(form.task(), before.task);
}

void TestSettingsForm::requestCarriesEveryValue()
{
    SettingsForm form;
    QVERIFY(form.setTask("pos").isEmpty());
    SettingsValues v = form.values();
    v.taskData = " a.conllu ; ;b.conllu";
    v.context = 77;
    v.minCount = 3;
    v.suffixLen = 2;
    v.dModel = 48;
    v.heads = 3;
    v.encoderLayers = 2;
    v.feedForward = 96;
    v.attention = "dense";
    v.scoring = "additive";
    v.normalization = "relu";
    v.window = 5;
    v.positional = "learned";
    v.norm = "batchnorm";
    v.preLn = true;
    v.activation = "gelu";
    v.dropout = 0.25;
    v.attentionDropout = 0.4;
    v.labelSmoothing = 0.2;
    v.maxTokens = 123;
    v.lrFactor = 0.5;
    v.warmupSteps = 17;
    v.seed = 99;
    v.threads = 2;
    form.setValues(v);
    const TrainingRequest r = form.request();
    QCOMPARE(r.task.data, QStringList({"a.conllu", "b.conllu"}));
    QCOMPARE(r.task.taskModel.max_len, 77);
    QCOMPARE(r.task.minCount, 3);
    QCOMPARE(r.task.taskModel.suffix_len, 2);
    QCOMPARE(r.model.d_model, 48);
    QCOMPARE(r.model.nhead, 3);
    QCOMPARE(r.model.num_encoder_layers, 2);
    QCOMPARE(r.model.dim_feedforward, 96);
    QCOMPARE(r.model.attention, std::string("dense"));
    QCOMPARE(r.model.attention_scoring, std::string("additive"));
    QCOMPARE(r.model.attention_normalization, std::string("relu"));
    QCOMPARE(r.model.attention_window, 5);
    QCOMPARE(r.model.positional_encoding, std::string("learned"));
    QCOMPARE(r.model.norm, std::string("batchnorm"));
    QVERIFY(r.model.norm_first);
    QCOMPARE(r.model.activation, std::string("gelu"));
    QCOMPARE(r.model.dropout, 0.25);
    QCOMPARE(r.model.attention_dropout.value_or(-1), 0.4);
    QCOMPARE(r.train.label_smoothing, 0.2);
    QCOMPARE(r.train.max_tokens, 123);
    QCOMPARE(r.train.lr_factor, 0.5);
    QCOMPARE(r.train.warmup_steps, 17);
    QCOMPARE(r.train.seed, uint64_t(99));
    QCOMPARE(r.train.threads, 2);
    // Scheduled sampling is for translation only: a task keeps the default.
    QCOMPARE(r.train.scheduled_sampling, al::TrainConfig{}.scheduled_sampling);
    // Unset attention dropout follows the dropout rate.
    v.attentionDropout.reset();
    form.setValues(v);
    QVERIFY(!form.request().model.attention_dropout);
    // The suffix token is a pos option only.
    QVERIFY(form.setTask("sentiment").isEmpty());
    v = form.values();
    v.suffixLen = 4;
    form.setValues(v);
    QCOMPARE(form.request().task.taskModel.suffix_len, 0);
}

void TestSettingsForm::schedulingRows()
{
    SettingsForm form;
    SettingsValues v = form.values();
    v.scheduledSampling = "constant";
    v.samplingP = 0.3;
    form.setValues(v);
    QVERIFY(form.rows().samplingP && !form.rows().samplingK);
    QCOMPARE(form.request().train.scheduled_sampling, std::string("constant"));
    QCOMPARE(form.request().train.scheduled_sampling_p, 0.3);
    v.scheduledSampling = "linear";
    form.setValues(v);
    QVERIFY(form.rows().samplingP && form.rows().samplingK);
}

void TestSettingsForm::locks()
{
    SettingsForm form;
    SettingsLocks l = form.locks(false);
    QVERIFY(l.architecture && l.encoderLayers && l.decoderLayers && l.decoder && !l.continueModel && !l.resume);
    QVERIFY(!form.locks(true).architecture); // training
    form.setResumePoint({tinyTranslationModel(), nullptr, QString(), nullptr});
    QVERIFY(form.locks(false).continueModel);
    SettingsValues v = form.values();
    v.continueModel = true;
    form.setValues(v);
    l = form.locks(false);
    QVERIFY(l.resume && !l.architecture);
    QVERIFY(form.setTask("charlm").isEmpty());
    v = form.values();
    v.continueModel = true;
    form.setValues(v);
    l = form.locks(false);
    QVERIFY(!l.resume && !l.continueModel); // a charlm run does not continue a translation model
    QVERIFY(l.architecture && !l.encoderLayers && l.decoderLayers && !l.decoder);
}

void TestSettingsForm::checks()
{
    SettingsForm form;
    SettingsValues v = form.values();
    QTemporaryDir tmp;
    v.corpus = tmp.filePath("missing.tsv");
    form.setValues(v);
    TrainingRequest r = form.request();
    QCOMPARE(r.corpusPath, v.corpus);
    QCOMPARE(form.check(r).title, QString("No corpus"));
    QVERIFY(form.check(r, false).isEmpty()); // Step leaves an unreadable file to the run
    v.corpus.clear();
    v.heads = 5; // d_model 256 is not a multiple of 5
    form.setValues(v);
    r = form.request();
    if (!r.corpusPath.isEmpty())
        QCOMPARE(form.check(r, false).title, QString("Invalid model settings"));
    v.heads = 4;
    form.setValues(v);
    r = form.request();
    if (!r.corpusPath.isEmpty())
        QVERIFY(form.check(r).isEmpty());
    else
        QCOMPARE(form.check(r).title, QString("No corpus"));
}

void TestSettingsForm::resume()
{
    SettingsForm form;
    al::ModelConfig small;
    const auto model = tinyTranslationModel(&small);
    QTemporaryDir dir;
    QFile opt(dir.filePath("optimizer.safetensors"));
    QVERIFY(opt.open(QIODevice::WriteOnly));
    opt.close();
    form.setResumePoint({model, nullptr, dir.path(), nullptr});
    QVERIFY(!form.request().resumeFrom); // "Continue" unchecked
    SettingsValues v = form.values();
    v.continueModel = true;
    form.setValues(v);
    const TrainingRequest r = form.request();
    QCOMPARE(r.resumeFrom, model);
    QVERIFY(!r.resumeTaskModel);
    QCOMPARE(r.optimizerPath, dir.filePath("optimizer.safetensors"));
    form.setResumePoint({model, nullptr, QString(), nullptr});
    QVERIFY(form.request().optimizerPath.isEmpty());
    // The shown configuration is the model's.
    form.showModelConfig(small);
    QCOMPARE(form.values().dModel, 16);
    QCOMPARE(form.values().heads, 2);
    QCOMPARE(form.values().feedForward, 32);
}

void TestSettingsForm::resumesATaskModel()
{
    // A tiny charlm trained 3 steps through the form (the bundled text) and saved as Train's
    // "Save model" does: model files and optimizer.safetensors.
    SettingsForm form;
    QVERIFY(form.setTask("charlm").isEmpty());
    SettingsValues v = al::test::tinyCharlm(form);
    form.setValues(v);
    const TrainingRequest fresh = form.request();
    if (fresh.task.data.isEmpty() && bundledTaskData("charlm").isEmpty())
        QSKIP("the bundled charlm text (resources/data/tinyshakespeare) was not found");
    QVERIFY2(form.check(fresh).isEmpty(), qPrintable(form.check(fresh).message));
    QVERIFY(!fresh.resumeTaskModel && !fresh.resumeFrom);
    std::unique_ptr<TrainingSession> first = makeTrainingSession(fresh);
    for (int i = 0; i < 3; ++i)
        first->trainStep();
    QTemporaryDir dir;
    first->save(dir.path());

    // Opening the directory makes it the model to continue; "Continue" continues it.
    ModelDocument doc;
    QString task;
    QCOMPARE(doc.load(dir.path(), &task), ModelDocument::Kind::Task);
    QCOMPARE(task, QString("charlm"));
    QCOMPARE(doc.resumePoint().taskModel, doc.taskModel());
    QCOMPARE(doc.resumePoint().directory, dir.path());
    form.setResumePoint(doc.resumePoint());
    QVERIFY(form.locks(false).continueModel);
    QVERIFY(!form.resumes() && !form.request().resumeTaskModel); // "Continue" unchecked: a new model
    v = form.values();
    v.continueModel = true;
    form.setValues(v);
    QVERIFY(form.resumes());
    const SettingsLocks l = form.locks(false);
    QVERIFY(l.resume && !l.architecture && !l.decoderLayers);
    // The panel shows the model's configuration, its own context window among it.
    v = form.values();
    v.context = 128;
    form.setValues(v);
    form.showModelConfig(doc.resumePoint().config());
    QCOMPARE(form.values().dModel, 16);
    QCOMPARE(form.values().encoderLayers, 0);
    QCOMPARE(form.values().decoderLayers, 1);
    QCOMPARE(form.values().context, 16);
    const TrainingRequest r = form.request();
    QCOMPARE(r.resumeTaskModel, doc.taskModel());
    QVERIFY(!r.resumeFrom);
    QCOMPARE(r.optimizerPath, QDir(dir.path()).filePath("optimizer.safetensors"));
    QVERIFY2(form.check(r).isEmpty(), qPrintable(form.check(r).message));

    // The run starts at the saved step from the loaded weights ...
    std::unique_ptr<TrainingSession> resumed = makeTrainingSession(r);
    QCOMPARE(resumed->step(), qint64(3));
    QCOMPARE(resumed->info().startStep, qint64(3));
    QVERIFY(sameWeights(resumed->taskSnapshot()->net.params(), doc.taskModel()->net.params()));
    QVERIFY(sameWeights(resumed->taskSnapshot()->net.params(), first->taskSnapshot()->net.params()));
    // ... and its first step is the one `attention-lab train --task charlm --resume DIR` takes:
    // the same weights, data, optimizer state and seed give the same loss and the same weights.
    al::TaskModel cliModel = al::load_task_model_dir(QFile::encodeName(dir.path()).toStdString());
    std::vector<std::string> paths;
    for (const QString& p : bundledTaskData("charlm"))
        paths.push_back(QFile::encodeName(p).toStdString());
    const al::TaskCorpus corpus = al::load_task_corpus("charlm", paths, r.train.seed);
    al::TaskData data = al::encode_task_corpus(cliModel, corpus);
    al::TaskTrainer cli(std::move(cliModel), std::move(data), r.train, r.task.maskProb);
    cli.load_optimizer(QFile::encodeName(r.optimizerPath).toStdString());
    QCOMPARE(cli.step(), int64_t(3));
    const al::StepStats a = resumed->trainStep();
    const al::StepStats b = cli.train_step();
    QCOMPARE(a.step, int64_t(4));
    QCOMPARE(a.loss, b.loss);
    QCOMPARE(a.lr, b.lr);
    QVERIFY(sameWeights(resumed->taskSnapshot()->net.params(), cli.model().net.params()));
    QVERIFY(!sameWeights(resumed->taskSnapshot()->net.params(), doc.taskModel()->net.params()));

    // The run's model is then the one to continue (no directory: Adam starts afresh).
    doc.setTaskModel(resumed->taskSnapshot(), resumed->step());
    doc.finishRun();
    QCOMPARE(doc.resumePoint().taskModel, doc.taskModel());
    QVERIFY(doc.resumePoint().directory.isEmpty());
}

void TestSettingsForm::taskModelsContinueOnlyAsTheirTask()
{
    // The pos fixture (saved without optimizer state) continues as pos only.
    ModelDocument doc;
    QString task;
    QCOMPARE(doc.load(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/pos"), &task), ModelDocument::Kind::Task);
    QCOMPARE(task, QString("pos"));
    SettingsForm form;
    form.setResumePoint(doc.resumePoint());
    QVERIFY(form.setTask("charlm").isEmpty());
    SettingsValues v = form.values();
    v.continueModel = true;
    form.setValues(v);
    QVERIFY(!form.resumes() && !form.locks(false).continueModel);
    QVERIFY(!form.request().resumeTaskModel);
    QVERIFY(form.setTask("translate").isEmpty());
    v = form.values();
    v.continueModel = true;
    form.setValues(v);
    QVERIFY(!form.resumes() && !form.request().resumeFrom && !form.request().resumeTaskModel);
    QVERIFY(form.setTask("pos").isEmpty());
    v = form.values();
    v.continueModel = true;
    form.setValues(v);
    QVERIFY(form.resumes());
    const TrainingRequest r = form.request();
    QCOMPARE(r.resumeTaskModel, doc.taskModel());
    QVERIFY(r.optimizerPath.isEmpty()); // the fixture has no optimizer.safetensors
    // Resuming skips the architecture checks (the model fixes it) but not the data paths.
    v.taskData = QStringLiteral("/nonexistent/pos.conllu");
    form.setValues(v);
    QCOMPARE(form.check(form.request()).title, QString("Invalid model settings"));
}

QTEST_GUILESS_MAIN(TestSettingsForm)
#include "test_settings_form.moc"
