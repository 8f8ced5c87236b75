// SPDX-License-Identifier: GPL-3.0-or-later
// Training task models from the main window's settings (offscreen): the Task choice loads the
// command line's defaults and checks; copy (encoder-decoder on generated pairs), a character LM
// and a POS tagger (on small generated files) train for a few steps with Train / Step / Pause /
// Stop; the loss curve gets points; the validation metric shown equals the one the engine
// computes on the same model (exact match, bits/char, accuracy); the attention view shows the
// task model's self-attention; Save writes a directory that the engine and the Task model probe
// load, and that a new window opens and continues training.
#include "engine/data/algorithmic_tasks.h"
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"
#include "engine/trace/task_trace.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"
#include "ui/views/task_probe_window.h"
#include "ui/views/training_plots_panel.h"
#include "ui/view_models/training_session.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al;
using namespace al::ui;

namespace {

template <class W>
W* child(QObject& parent, const char* name)
{
    return parent.findChild<W*>(QString::fromLatin1(name));
}

/// A tiny architecture in the model settings.
void tinyModel(MainWindow& w, int layers)
{
    child<QSpinBox>(w, "dModelSpin")->setValue(32);
    child<QSpinBox>(w, "headsSpin")->setValue(2);
    child<QSpinBox>(w, "encoderLayersSpin")->setValue(layers);
    child<QSpinBox>(w, "decoderLayersSpin")->setValue(layers);
    child<QSpinBox>(w, "feedForwardSpin")->setValue(64);
    child<QDoubleSpinBox>(w, "dropoutSpin")->setValue(0.0);
    child<QSpinBox>(w, "warmupSpin")->setValue(20);
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

/// Waits until at least `steps` optimizer steps were reported.
bool waitForSteps(QSignalSpy& metrics, qint64 steps, int timeoutMs = 20000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (!metrics.isEmpty() && metrics.last().first().value<TrainingMetrics>().step >= steps)
            return true;
        metrics.wait(200);
    }
    return false;
}

/// Presses Stop and waits for the run to end; returns the last validation.
ValidationMetrics stopAndValidate(MainWindow& w, QSignalSpy& validated)
{
    QSignalSpy finished(w.trainingController(), &TrainingController::finished);
    child<QPushButton>(w, "stopButton")->click();
    if (!finished.wait(30000))
        return {};
    QCoreApplication::processEvents();
    return validated.isEmpty() ? ValidationMetrics{} : validated.last().first().value<ValidationMetrics>();
}

} // namespace

class TestGuiTaskTraining : public QObject {
    Q_OBJECT

private slots:
    void taskChoiceLoadsTheCommandLineDefaults()
    {
        MainWindow w;
        QCOMPARE(w.task(), QString("translate"));
        QCOMPARE(child<QComboBox>(w, "taskCombo")->count(), 9);
        // translate keeps the translation model's defaults (ModelConfig, TrainConfig).
        TrainingRequest r = w.trainingRequest();
        QCOMPARE(r.model.d_model, ModelConfig{}.d_model);
        QCOMPARE(r.train.lr_factor, TrainConfig{}.lr_factor);

        w.setTask("reverse");
        r = w.trainingRequest();
        const ModelConfig am = algorithmic_model_defaults();
        const TrainConfig at = algorithmic_train_defaults(AlgorithmicTaskConfig{});
        QCOMPARE(r.task.task, QString("reverse"));
        QCOMPARE(r.task.algorithmic.task, AlgorithmicTask::Reverse);
        QCOMPARE(r.model.d_model, am.d_model);
        QCOMPARE(r.model.norm_first, true);
        QCOMPARE(r.model.dropout, am.dropout);
        QCOMPARE(r.train.lr_factor, at.lr_factor);
        QCOMPARE(r.train.adam_beta2, at.adam_beta2);
        QCOMPARE(r.train.warmup_steps, at.warmup_steps);
        QCOMPARE(r.train.max_tokens, at.max_tokens);
        QCOMPARE(r.task.algorithmic.vocab, AlgorithmicTaskConfig{}.vocab);
        QCOMPARE(child<QCheckBox>(w, "preLnCheck")->isChecked(), true);
        QVERIFY(child<QSpinBox>(w, "symbolsSpin")->isVisibleTo(&w));
        QVERIFY(!child<QLineEdit>(w, "corpusEdit")->isVisibleTo(&w));

        w.setTask("pos");
        r = w.trainingRequest();
        const ModelConfig pc = default_task_config("pos");
        const TrainConfig pt = default_task_train_config("pos");
        QCOMPARE(r.model.dim_feedforward, pc.dim_feedforward);
        QCOMPARE(r.model.dropout, pc.dropout);
        QCOMPARE(r.task.taskModel.max_len, pc.max_len);
        QCOMPARE(r.task.taskModel.suffix_len, pc.suffix_len);
        QCOMPARE(r.task.minCount, kDefaultTaskMinCount);
        QCOMPARE(r.train.max_tokens, pt.max_tokens);
        QCOMPARE(r.train.lr_factor, pt.lr_factor);
        QCOMPARE(r.train.label_smoothing, pt.label_smoothing);
        const ModelConfig composed = taskModelConfig(r.model, r.task);
        QCOMPARE(composed.num_encoder_layers, pc.num_encoder_layers);
        QCOMPARE(composed.num_decoder_layers, 0);
        QVERIFY(child<QLineEdit>(w, "taskDataEdit")->isVisibleTo(&w));
        QVERIFY(!child<QSpinBox>(w, "symbolsSpin")->isVisibleTo(&w));

        w.setTask("charlm");
        r = w.trainingRequest();
        QCOMPARE(r.train.max_tokens, default_task_train_config("charlm").max_tokens);
        QCOMPARE(taskModelConfig(r.model, r.task).num_decoder_layers, default_task_config("charlm").num_decoder_layers);
        QCOMPARE(taskModelConfig(r.model, r.task).num_encoder_layers, 0);
        QVERIFY(!child<QSpinBox>(w, "encoderLayersSpin")->isEnabled());
        QCOMPARE(child<QSpinBox>(w, "encoderLayersSpin")->text(), QString("none"));
        w.setTask("translate"); // back to an encoder-decoder: both stacks, at least one layer each
        QCOMPARE(child<QSpinBox>(w, "encoderLayersSpin")->minimum(), 1);
        QCOMPARE(child<QSpinBox>(w, "encoderLayersSpin")->value(), ModelConfig{}.num_encoder_layers);
        QVERIFY(child<QSpinBox>(w, "encoderLayersSpin")->isEnabled());
        QCOMPARE(bundledTaskData("charlm").size(), 1); // Tiny Shakespeare, from the source tree
    }

    void taskModelTracesHoldTheSelfAttention()
    {
        // Untrained models suffice: shapes, tokens, probabilities, causality.
        auto check = [](const al::AttentionMaps& maps, int layers, int heads, size_t n, bool causal) {
            QCOMPARE(int(maps.size()), layers);
            for (const auto& layer : maps) {
                QCOMPARE(int(layer.size()), heads);
                for (const al::Mat& m : layer) {
                    QCOMPARE(size_t(m.rows()), n);
                    QCOMPARE(size_t(m.cols()), n);
                    for (Eigen::Index r = 0; r < m.rows(); ++r) {
                        QVERIFY(std::abs(m.row(r).sum() - 1.0) < 1e-5);
                        if (causal)
                            for (Eigen::Index c = r + 1; c < m.cols(); ++c)
                                QCOMPARE(double(m(r, c)), 0.0);
                    }
                }
            }
        };
        TaskCorpus mlm;
        mlm.task = "mlm";
        for (int i = 0; i < 20; ++i)
            mlm.sentence_pairs[0].emplace_back("the cat sat", "a dog ran");
        ModelConfig mc = default_task_config("mlm");
        mc.d_model = 16;
        mc.nhead = 2;
        mc.dim_feedforward = 32;
        const TaskModel m = new_task_model(mlm, mc, 1, 1);
        const Trace t = task_model_trace(m, "the [MASK] sat ||| a dog");
        const std::vector<std::string> tokens = {"[CLS]", "the", "[MASK]", "sat", "[SEP]", "a", "dog", "[SEP]"};
        QVERIFY(t.src_tokens == tokens);
        QVERIFY(t.dec_self.empty() && t.cross.empty());
        check(t.enc_self, mc.num_encoder_layers, 2, tokens.size(), false);

        TaskCorpus lm;
        lm.task = "charlm";
        lm.lm_train = "hello world\nhello there\n";
        lm.lm_valid = "hello\n";
        ModelConfig lc = default_task_config("charlm");
        lc.d_model = 16;
        lc.nhead = 2;
        lc.num_decoder_layers = 2;
        lc.max_len = 8;
        const TaskModel l = new_task_model(lm, lc, 1, 1);
        const Trace u = task_model_trace(l, "oh hello there"); // 14 characters: the last 8 are kept
        QCOMPARE(int(u.tgt_in_tokens.size()), 8);
        QCOMPARE(u.tgt_in_tokens[1], std::string("o"));
        QCOMPARE(u.tgt_in_tokens[2], std::string("\u2423")); // a space is shown as ␣
        QCOMPARE(u.tgt_out_tokens.size(), size_t(8));
        QVERIFY(u.enc_self.empty() && u.src_tokens.empty());
        check(u.dec_self, 2, 2, 8, true);
        bool refused = false;
        try {
            task_model_trace(l, "");
        } catch (const al::Error&) {
            refused = true;
        }
        QVERIFY(refused); // no token
    }

    void dropoutSmoothingAndScheduledSamplingSettings()
    {
        MainWindow w;
        // Defaults: attention dropout unset (follows dropout), the engine's label smoothing, teacher forcing.
        TrainingRequest r = w.trainingRequest();
        QVERIFY(!r.model.attention_dropout.has_value());
        QCOMPARE(r.train.label_smoothing, TrainConfig{}.label_smoothing);
        QCOMPARE(r.train.scheduled_sampling, std::string("off"));
        auto* schedule = child<QComboBox>(w, "scheduledSamplingCombo");
        QVERIFY(schedule->isVisibleTo(&w));
        QVERIFY(!child<QDoubleSpinBox>(w, "scheduledSamplingPSpin")->isVisibleTo(&w)); // no p without a schedule

        child<QDoubleSpinBox>(w, "attentionDropoutSpin")->setValue(0.2);
        child<QDoubleSpinBox>(w, "labelSmoothingSpin")->setValue(0.05);
        schedule->setCurrentIndex(schedule->findData(QString("linear")));
        child<QDoubleSpinBox>(w, "scheduledSamplingPSpin")->setValue(0.5);
        child<QDoubleSpinBox>(w, "scheduledSamplingKSpin")->setValue(300);
        QVERIFY(child<QDoubleSpinBox>(w, "scheduledSamplingPSpin")->isVisibleTo(&w));
        QVERIFY(child<QDoubleSpinBox>(w, "scheduledSamplingKSpin")->isVisibleTo(&w));
        r = w.trainingRequest();
        QVERIFY(r.model.attention_dropout.has_value());
        QCOMPARE(*r.model.attention_dropout, 0.2);
        QCOMPARE(r.train.label_smoothing, 0.05);
        QCOMPARE(r.train.scheduled_sampling, std::string("linear"));
        QCOMPARE(r.train.scheduled_sampling_p, 0.5);
        QCOMPARE(r.train.scheduled_sampling_k, 300.0);
        schedule->setCurrentIndex(schedule->findData(QString("constant")));
        QVERIFY(!child<QDoubleSpinBox>(w, "scheduledSamplingKSpin")->isVisibleTo(&w)); // constant has no k

        // A task model has no autoregressive decoder to feed: the rows hide and the request keeps "off".
        w.setTask("charlm");
        QVERIFY(!schedule->isVisibleTo(&w));
        QCOMPARE(w.trainingRequest().train.scheduled_sampling, std::string("off"));
        // Back to "same as dropout" (the spin box's minimum).
        auto* ad = child<QDoubleSpinBox>(w, "attentionDropoutSpin");
        ad->setValue(ad->minimum());
        QVERIFY(!w.trainingRequest().model.attention_dropout.has_value());
    }

    void settingsAreCheckedLikeTheCommandLine()
    {
        TaskDefaults pos = taskDefaults("pos");
        QString msg = checkTrainingSettings(pos.model, pos.train, pos.settings, false);
        QVERIFY2(msg.contains("data") && msg.contains("UD"), qPrintable(msg)); // pos is not bundled
        pos.settings.data = {"/nonexistent/UD_English-EWT"};
        msg = checkTrainingSettings(pos.model, pos.train, pos.settings, false);
        QVERIFY2(msg.contains("/nonexistent/UD_English-EWT"), qPrintable(msg));
        TaskDefaults lm = taskDefaults("charlm");
        QCOMPARE(checkTrainingSettings(lm.model, lm.train, lm.settings, false), QString());
        lm.model.d_model = 30;
        msg = checkTrainingSettings(lm.model, lm.train, lm.settings, false);
        QVERIFY2(msg.contains("d_model") && msg.contains("divisible"), qPrintable(msg));
        TaskDefaults copy = taskDefaults("copy");
        copy.settings.algorithmic.vocab = 2;
        copy.settings.algorithmic.max_len = 2;
        msg = checkTrainingSettings(copy.model, copy.train, copy.settings, false);
        QVERIFY2(msg.contains("valid_size + test_size"), qPrintable(msg));

        // The window refuses to start and names the problem.
        MainWindow w;
        w.setTask("sentiment");
        w.startTraining();
        QCOMPARE(w.trainingController()->state(), TrainingController::State::Idle);
        QVERIFY(w.statusBar()->currentMessage().contains("rt-polarity"));
    }

    void copyTrainsFromTheSettings()
    {
        MainWindow w;
        w.setTask("copy");
        tinyModel(w, 1);
        child<QSpinBox>(w, "symbolsSpin")->setValue(6);
        child<QSpinBox>(w, "minLenSpin")->setValue(2);
        child<QSpinBox>(w, "maxLenSpin")->setValue(5);
        child<QSpinBox>(w, "pairsSpin")->setValue(2000);
        child<QSpinBox>(w, "maxTokensSpin")->setValue(300);
        child<QLineEdit>(w, "sentenceEdit")->setText("3 1 4 1 5");
        QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
        QSignalSpy validated(w.trainingController(), &TrainingController::validated);
        child<QPushButton>(w, "trainButton")->click();
        QVERIFY(waitForSteps(metrics, 30));
        const ValidationMetrics v = stopAndValidate(w, validated);
        QCOMPARE(w.trainingController()->state(), TrainingController::State::Idle);
        QCOMPARE(v.metricName, QString("exact match"));
        QVERIFY2(v.metric > 0, "40 steps of copy get some sequences right: the comparison below is not 0 == 0");

        // The loss curve got points (main plot and the Training plots tab).
        QTRY_VERIFY_WITH_TIMEOUT(child<QCustomPlot>(w, "lossPlot")->graph(0)->dataCount() >= 1, 5000);
        w.trainingPlotsPanel()->redrawNow(); // the tab draws lazily (it is not the one shown)
        QVERIFY(w.trainingPlotsPanel()->lossPlot()->graph(0)->dataCount() >= 1);
        QVERIFY(!w.trainingPlotsPanel()->metricValues().isEmpty());
        QCOMPARE(w.trainingPlotsPanel()->metricValues().last(), 100.0 * v.metric); // percent, right axis
        QCOMPARE(w.trainingPlotsPanel()->probeSentence(), taskExampleInput("copy"));

        // The metric is greedy exact match on the regenerated validation sources, of the final model.
        ModelSnapshot model = w.currentModel();
        QVERIFY(model);
        AlgorithmicTaskConfig gen;
        gen.vocab = 6;
        gen.min_len = 2;
        gen.max_len = 5;
        gen.train_size = 2000;
        std::vector<SentencePair> valid = generate_algorithmic_splits(gen).valid;
        valid.resize(std::min<size_t>(valid.size(), size_t(w.trainingRequest().evalMaxPairs)));
        const SequenceAccuracy acc = decode_accuracy(*model, valid);
        QCOMPARE(v.examples, qint64(valid.size()));
        QCOMPARE(v.metric, acc.exact_match());
        QCOMPARE(child<QLabel>(w, "metricLabel")->text(), QString("%1%").arg(acc.exact_match() * 100.0, 0, 'f', 1));
        QVERIFY(child<QLabel>(w, "metricTitle")->text().contains("exact match"));

        // A copy model is an encoder-decoder: the cross-attention view shows it.
        QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() && !w.currentTrace()->cross.empty(), 10000);

        // Save (idle): the model directory and task.json, as `train --task copy --out`.
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("copy");
        QVERIFY(w.saveModelTo(dir));
        const TranslationModel loaded = load_model_dir(dir.toStdString());
        QCOMPARE(loaded.net.params().numel(), model->net.params().numel());
        AlgorithmicTaskConfig back;
        QVERIFY(load_algorithmic_task_file(dir.toStdString(), back));
        QCOMPARE(back.vocab, 6);
        QCOMPARE(back.max_len, 5);
        QCOMPARE(back.task, AlgorithmicTask::Copy);
    }

    void charLmTrainsStepsPausesSavesAndStops()
    {
        QTemporaryDir tmp;
        const QString text = tmp.filePath("text.txt");
        QByteArray bytes;
        for (int i = 0; i < 300; ++i)
            bytes += (i % 3 == 0 ? "the cat sat on the mat.\n" : i % 3 == 1 ? "a dog ran in the fog.\n" : "to be or not to be.\n");
        writeFile(text, bytes);

        MainWindow w;
        w.setTask("charlm");
        tinyModel(w, 1);
        child<QLineEdit>(w, "taskDataEdit")->setText(text);
        child<QSpinBox>(w, "contextSpin")->setValue(16);
        child<QSpinBox>(w, "maxTokensSpin")->setValue(256);
        child<QLineEdit>(w, "sentenceEdit")->setText("the cat");
        QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
        QSignalSpy validated(w.trainingController(), &TrainingController::validated);
        QSignalSpy taskSnapshots(w.trainingController(), &TrainingController::taskSnapshotReady);

        // Step while idle starts a paused run with one step; Step adds one more.
        child<QPushButton>(w, "stepButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingController()->state(), TrainingController::State::Paused, 20000);
        QVERIFY(waitForSteps(metrics, 1));
        child<QPushButton>(w, "stepButton")->click();
        QVERIFY(waitForSteps(metrics, 2));
        QCOMPARE(metrics.last().first().value<TrainingMetrics>().stepsInChunk, 1);
        // Resume, train a little, pause.
        child<QPushButton>(w, "pauseButton")->click();
        QVERIFY(waitForSteps(metrics, 25));
        child<QPushButton>(w, "pauseButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.trainingController()->state(), TrainingController::State::Paused, 10000);
        QVERIFY(!taskSnapshots.isEmpty());

        // The attention view: the decoder-only LM's causal self-attention on the typed text.
        QTRY_VERIFY_WITH_TIMEOUT(w.currentTaskModel() && w.currentTrace() && !w.currentTrace()->dec_self.empty(), 10000);
        QCOMPARE(w.selection().kind, AttentionKind::DecoderSelf);
        QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), 5000);
        QCOMPARE(int(w.currentTrace()->tgt_in_tokens.size()), 7); // "the cat", one token per character
        QVERIFY(w.taskOutputText().startsWith("the cat"));

        // Save while paused: through the worker, with optimizer state.
        const QString dir = tmp.filePath("lm");
        QSignalSpy saved(w.trainingController(), &TrainingController::saveFinished);
        QVERIFY(w.saveModelTo(dir));
        QVERIFY(saved.wait(20000));
        QCOMPARE(saved.first().at(1).toString(), QString());
        QVERIFY(QFile::exists(dir + "/optimizer.safetensors"));
        const qint64 stepsBeforeStop = metrics.last().first().value<TrainingMetrics>().step;

        // Stop: a final validation of the paused model, then the thread ends.
        const ValidationMetrics v = stopAndValidate(w, validated);
        QCOMPARE(w.trainingController()->state(), TrainingController::State::Idle);
        QVERIFY(w.trainingController()->workerThread() == nullptr);
        QCOMPARE(v.step, stepsBeforeStop);
        QCOMPARE(v.metricName, QString("bits/char"));
        w.trainingPlotsPanel()->redrawNow();
        QVERIFY(w.trainingPlotsPanel()->lossPlot()->graph(0)->dataCount() >= 3);
        QCOMPARE(w.trainingPlotsPanel()->metricValues().last(), v.metric); // bits/char as is
        QTRY_VERIFY(!w.trainingPlotsPanel()->entropyHistory().isEmpty()); // the LM's heads on the probe text

        // The engine scores the saved model on the same data alike.
        const TaskModel model = load_task_model_dir(dir.toStdString());
        QCOMPARE(model.net.config().task, std::string("charlm"));
        QCOMPARE(model.net.config().max_len, 16);
        const TrainingRequest r = w.trainingRequest();
        TaskCorpus corpus = load_task_corpus("charlm", {text.toStdString()}, r.train.seed);
        TaskData data = encode_task_corpus(model, corpus);
        const TaskTrainer engine(load_task_model_dir(dir.toStdString()), std::move(data), r.train);
        const EvalStats e = engine.evaluate(1, size_t(r.evalMaxPairs));
        QVERIFY2(std::abs(v.metric - e.bits) < 1e-9, qPrintable(QString("%1 vs %2").arg(v.metric).arg(e.bits)));
        QVERIFY(std::abs(v.loss - e.loss) < 1e-9);
        QVERIFY(std::abs(v.tokenAccuracy - e.accuracy) < 1e-12);
        QCOMPARE(child<QLabel>(w, "metricLabel")->text(), QString::number(e.bits, 'f', 3));

        // The Task model probe opens it.
        TaskProbeWindow probe;
        QVERIFY2(probe.openModel(dir), qPrintable(probe.messageLabel()->text()));
        QCOMPARE(probe.probe().task(), QString("charlm"));

        // A new window opens the directory and Train continues it: from the saved weights and
        // optimizer state, the step count going on from the saved step.
        MainWindow again;
        again.show();
        QVERIFY(again.loadModelDirectory(dir));
        QCOMPARE(again.task(), QString("charlm"));
        QVERIFY(child<QCheckBox>(again, "continueCheck")->isChecked());
        QVERIFY(child<QCheckBox>(again, "continueCheck")->isEnabled());
        QVERIFY(!child<QSpinBox>(again, "dModelSpin")->isEnabled()); // the model fixes its architecture
        QCOMPARE(child<QSpinBox>(again, "dModelSpin")->value(), 32);
        child<QLineEdit>(again, "taskDataEdit")->setText(text);
        child<QSpinBox>(again, "maxTokensSpin")->setValue(256);
        const TrainingRequest resume = again.trainingRequest();
        QVERIFY(resume.resumeTaskModel && !resume.resumeFrom);
        QCOMPARE(resume.optimizerPath, dir + "/optimizer.safetensors");
        again.settingsPanel()->chooseContinue(true); // Train's question answered beforehand
        QSignalSpy started(again.trainingController(), &TrainingController::started);
        QSignalSpy moreMetrics(again.trainingController(), &TrainingController::metrics);
        child<QPushButton>(again, "trainButton")->click();
        QVERIFY(started.wait(20000));
        QCOMPARE(started.first().first().value<TrainingInfo>().startStep, stepsBeforeStop);
        QVERIFY(waitForSteps(moreMetrics, stepsBeforeStop + 10));
        const TrainingMetrics firstChunk = moreMetrics.first().first().value<TrainingMetrics>();
        QCOMPARE(firstChunk.step - firstChunk.stepsInChunk, stepsBeforeStop);
        QSignalSpy againValidated(again.trainingController(), &TrainingController::validated);
        QVERIFY(stopAndValidate(again, againValidated).step > stepsBeforeStop);
    }

    void posTaggerTrainsAndShowsEncoderAttention()
    {
        QTemporaryDir tmp;
        const QString conllu = tmp.filePath("tiny.conllu");
        QByteArray bytes;
        const char* dets[] = {"the", "a"};
        const char* nouns[] = {"cat", "dog", "man", "bird"};
        const char* verbs[] = {"runs", "sleeps", "sings"};
        for (int i = 0; i < 80; ++i) {
            const QByteArray words[3] = {dets[i % 2], nouns[i % 4], verbs[i % 3]};
            const char* tags[3] = {"DET", "NOUN", "VERB"};
            bytes += "# sent_id = " + QByteArray::number(i) + "\n";
            for (int k = 0; k < 3; ++k)
                bytes += QByteArray::number(k + 1) + "\t" + words[k] + "\t_\t" + tags[k] + "\t_\t_\t0\t_\t_\t_\n";
            bytes += "\n";
        }
        writeFile(conllu, bytes);

        MainWindow w;
        w.setTask("pos");
        tinyModel(w, 1);
        child<QLineEdit>(w, "taskDataEdit")->setText(conllu);
        child<QSpinBox>(w, "minCountSpin")->setValue(1);
        child<QSpinBox>(w, "maxTokensSpin")->setValue(60);
        child<QLineEdit>(w, "sentenceEdit")->setText("the dog sings");
        QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
        QSignalSpy validated(w.trainingController(), &TrainingController::validated);
        child<QPushButton>(w, "trainButton")->click();
        QVERIFY(waitForSteps(metrics, 20));
        const ValidationMetrics v = stopAndValidate(w, validated);
        QCOMPARE(v.metricName, QString("accuracy"));
        QCOMPARE(v.metric, v.tokenAccuracy);

        // The encoder's self-attention of the typed sentence, and the tags in the sentence box.
        QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() && !w.currentTrace()->enc_self.empty(), 10000);
        QCOMPARE(w.selection().kind, AttentionKind::EncoderSelf);
        QCOMPARE(int(w.currentTrace()->src_tokens.size()), 3);
        QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), 5000);
        const TaskModelSnapshot model = w.currentTaskModel();
        QVERIFY(model);
        QString expected;
        for (const auto& [word, tag] : tag_text(*model, "the dog sings"))
            expected += QString::fromStdString(word + "/" + tag) + " ";
        // The box shows a snapshot's answer until the final model's inference, queued at the stop, answers.
        QTRY_COMPARE_WITH_TIMEOUT(w.taskOutputText(), expected.trimmed(), 10000);

        // Idle save: the task model directory, loaded by the engine and equal in accuracy.
        const QString dir = tmp.filePath("pos");
        QVERIFY(w.saveModelTo(dir));
        const TrainingRequest r = w.trainingRequest();
        TaskCorpus corpus = load_task_corpus("pos", {conllu.toStdString()}, r.train.seed);
        TaskModel loaded = load_task_model_dir(dir.toStdString());
        TaskData data = encode_task_corpus(loaded, corpus);
        const TaskTrainer engine(std::move(loaded), std::move(data), r.train);
        QCOMPARE(v.metric, engine.evaluate(1, size_t(r.evalMaxPairs)).accuracy);
        // Opening the directory in the main window shows it again (task switched to pos).
        w.setTask("translate");
        QVERIFY(w.loadModelDirectory(dir));
        QCOMPARE(w.task(), QString("pos"));
        QVERIFY(w.currentTaskModel());
    }
};

QTEST_MAIN(TestGuiTaskTraining)
#include "test_gui_task_training.moc"
