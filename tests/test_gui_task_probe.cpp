// SPDX-License-Identifier: GPL-3.0-or-later
// The "Task model probe" window (offscreen): tiny mlm and sentiment models trained here and saved
// as model directories are opened through the main window's Experiments action; the bars shown
// equal al::masked_token_probabilities / al::classify_text, the [MASK] selector switches the
// bars, and a sentence without [MASK] or a directory that is not a task model gives a message.
#include "engine/data/task_data.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"
#include "ui/views/main_window.h"
#include "ui/views/task_probe_window.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al;
using namespace al::ui;

namespace {

ModelConfig tiny(const std::string& task)
{
    ModelConfig c = default_task_config(task);
    c.d_model = 32;
    c.nhead = 2;
    c.dim_feedforward = 64;
    c.dropout = 0.0;
    c.num_encoder_layers = 1;
    if (task == "charlm")
        c.max_len = 16;
    return c;
}

TrainConfig fast()
{
    TrainConfig t;
    t.seed = 3;
    t.threads = 2;
    t.max_tokens = 256;
    t.warmup_steps = 20;
    return t;
}

/// Trains `steps` steps on `corpus` and saves the model in `dir`; returns the trained model.
TaskModel trainAndSave(const TaskCorpus& corpus, const std::string& dir, int steps)
{
    TaskModel m = new_task_model(corpus, tiny(corpus.task), 1, 1);
    TaskData d = encode_task_corpus(m, corpus);
    TaskTrainer t(std::move(m), std::move(d), fast());
    for (int i = 0; i < steps; ++i)
        t.train_step();
    save_task_model_dir(t.model(), dir);
    return load_task_model_dir(dir);
}

void compareBars(QCPBars* bars, const std::vector<TokenProb>& expected)
{
    QCOMPARE(bars->data()->size(), int(expected.size()));
    auto ticker = bars->keyAxis()->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    for (int i = 0; i < int(expected.size()); ++i) {
        const auto it = bars->data()->at(i);
        QCOMPARE(it->key, double(i));
        QVERIFY(std::abs(it->value - expected[size_t(i)].prob) < 1e-12);
        QCOMPARE(ticker->ticks().value(i), QString::fromStdString(expected[size_t(i)].token));
    }
}

TaskProbeWindow* openProbe(MainWindow& w)
{
    QAction* action = w.findChild<QAction*>("taskProbeAction");
    if (!action)
        return nullptr;
    action->trigger();
    return w.findChild<TaskProbeWindow*>("taskProbeWindow");
}

} // namespace

class TestGuiTaskProbe : public QObject {
    Q_OBJECT

private slots:
    void viewsOfTasks()
    {
        QCOMPARE(probeViewForTask("mlm"), ProbeView::MaskedLm);
        QCOMPARE(probeViewForTask("sentiment"), ProbeView::Classes);
        QCOMPARE(probeViewForTask("langid"), ProbeView::Classes);
        QCOMPARE(probeViewForTask("pos"), ProbeView::Tags);
        QCOMPARE(probeViewForTask("charlm"), ProbeView::Generation);
        QCOMPARE(probeViewForTask("translate"), ProbeView::None);
        TaskProbeModel m;
        QVERIFY(!m.run("the [MASK]"));
        QVERIFY(m.error().contains("Open a task model"));
    }

    void masksShowTheirFillerProbabilities()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("mlm").toStdString();
        TaskCorpus c;
        c.task = "mlm";
        const std::vector<std::string> colour = {"red", "green", "blue"}, animal = {"cat", "dog", "bird"};
        for (int i = 0; i < 60; ++i)
            c.sentence_pairs[i < 50 ? 0 : 1].emplace_back("the " + colour[size_t(i) % 3] + " " + animal[size_t(i) % 3],
                                                          "a " + colour[size_t(i / 3) % 3] + " " + animal[size_t(i / 3) % 3]);
        c.sentence_pairs[2] = c.sentence_pairs[1];
        const TaskModel model = trainAndSave(c, dir, 10);

        MainWindow w;
        TaskProbeWindow* probe = openProbe(w);
        QVERIFY(probe);
        QVERIFY(probe->isVisible());
        QVERIFY(probe->openModel(QString::fromStdString(dir)));
        QCOMPARE(probe->probe().task(), QString("mlm"));

        const std::string sentence = "the [MASK] cat ||| a blue [MASK]";
        probe->sentenceEdit()->setText(QString::fromStdString(sentence));
        QVERIFY(probe->runSentence());
        QVERIFY(probe->messageLabel()->text().isEmpty());
        const auto expected = masked_token_probabilities(model, sentence, probe->probe().topK());
        QCOMPARE(expected.size(), size_t(2));
        QCOMPARE(probe->maskSelector()->count(), 2);
        QCOMPARE(probe->maskSelector()->currentIndex(), 0);
        compareBars(probe->bars(), expected[0]);
        probe->maskSelector()->setCurrentIndex(1);
        compareBars(probe->bars(), expected[1]);

        // No [MASK]: the engine's refusal is shown, the bars are cleared, nothing crashes.
        probe->sentenceEdit()->setText("the red cat");
        QVERIFY(!probe->runSentence());
        QVERIFY2(probe->messageLabel()->text().contains("[MASK]"), qPrintable(probe->messageLabel()->text()));
        QCOMPARE(probe->maskSelector()->count(), 0);
        QCOMPARE(probe->bars()->data()->size(), 0);

        // A directory that is not a task model: a message, the loaded model stays.
        QVERIFY(!probe->openModel(tmp.path()));
        QVERIFY(probe->messageLabel()->text().startsWith("Cannot open"));
        QCOMPARE(probe->probe().task(), QString("mlm"));
    }

    void classifierShowsLabelProbabilities()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("sentiment").toStdString();
        TaskCorpus c;
        c.task = "sentiment";
        const std::vector<LabelledText> s = {{"a good film", "pos"}, {"good acting", "pos"}, {"a bad film", "neg"},
                                             {"bad acting", "neg"}};
        for (int i = 0; i < 4; ++i)
            c.labelled[0].insert(c.labelled[0].end(), s.begin(), s.end());
        c.labelled[1] = s;
        c.labelled[2] = s;
        const TaskModel model = trainAndSave(c, dir, 10);

        TaskProbeWindow probe;
        QVERIFY(probe.openModel(QString::fromStdString(dir)));
        probe.sentenceEdit()->setText("good film");
        QVERIFY(probe.runSentence());
        compareBars(probe.bars(), classify_text(model, "good film"));
        QVERIFY(!probe.maskSelector()->isVisibleTo(&probe)); // the [MASK] selector belongs to mlm models only
    }

    void taggerAndCharLmViews()
    {
        QTemporaryDir tmp;
        TaskCorpus pos;
        pos.task = "pos";
        const std::vector<TaggedSentence> s = {{{"a", "dog", "runs"}, {"DET", "NOUN", "VERB"}}};
        for (int split = 0; split < 3; ++split)
            pos.tagged[split] = s;
        const std::string posDir = tmp.filePath("pos").toStdString();
        const TaskModel tagger = trainAndSave(pos, posDir, 2);
        TaskProbeWindow probe;
        QVERIFY(probe.openModel(QString::fromStdString(posDir)));
        probe.sentenceEdit()->setText("the dog runs");
        QVERIFY(probe.runSentence());
        const auto tags = tag_text(tagger, "the dog runs");
        QCOMPARE(probe.tagTable()->rowCount(), int(tags.size()));
        for (int i = 0; i < int(tags.size()); ++i) {
            QCOMPARE(probe.tagTable()->item(i, 0)->text(), QString::fromStdString(tags[size_t(i)].first));
            QCOMPARE(probe.tagTable()->item(i, 1)->text(), QString::fromStdString(tags[size_t(i)].second));
        }

        TaskCorpus lm;
        lm.task = "charlm";
        lm.lm_train = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind\n";
        lm.lm_valid = "To be";
        const std::string lmDir = tmp.filePath("charlm").toStdString();
        const TaskModel charlm = trainAndSave(lm, lmDir, 0);
        QVERIFY(probe.openModel(QString::fromStdString(lmDir)));
        probe.sentenceEdit()->setText("To be");
        QVERIFY(probe.runSentence());
        const GenerationSettings& g = probe.probe().generation();
        QCOMPARE(probe.generatedText()->toPlainText(),
                 "To be" + QString::fromStdString(generate_text(charlm, "To be", g.length, g.temperature, g.seed)));
    }
};

QTEST_MAIN(TestGuiTaskProbe)
#include "test_gui_task_probe.moc"
