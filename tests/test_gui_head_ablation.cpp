// SPDX-License-Identifier: GPL-3.0-or-later
// The Head ablation tab: the view model's scores against the engine's (translation, the
// copy/reverse/sort generator, task models), and the panel switching heads off and on,
// restoring all and ranking every head, off the GUI thread, for a translation and a task model.
#include "engine/data/algorithmic_tasks.h"
#include "engine/data/task_data.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/train/task_trainer.h"
#include "gui_test_support.h"
#include "ui/view_models/head_ablation_view.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/head_ablation_panel.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/lab_setup_applier.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QThread>
#include <QToolButton>
#include <qcustomplot.h>

using namespace al::ui;

namespace {

const QString kCorpus = QStringLiteral(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt");

const QString kPosData = QStringLiteral(AL_SOURCE_DIR "/resources/data/ud/en_ewt");
const QString kPosSentence = QStringLiteral("I saw a saw .");

std::shared_ptr<const al::TranslationModel> fixtureModel()
{
    return std::make_shared<const al::TranslationModel>(al::load_model_dir(AL_SOURCE_DIR "/tests/fixtures/models/translate"));
}

std::shared_ptr<const al::TaskModel> taskFixture(const char* name)
{
    return std::make_shared<const al::TaskModel>(al::load_task_model_dir(std::string(AL_SOURCE_DIR "/tests/fixtures/models/") + name));
}

/// The batches `ablate --task` scores the first `n` validation examples of `paths` on.
std::vector<al::TaskBatch> cliBatches(const al::TaskModel& model, const std::vector<std::string>& paths, size_t n)
{
    const std::string& task = model.net.config().task;
    return al::task_eval_batches(model, al::encode_task_corpus(model, al::load_task_corpus(task, paths, 1)), 1, n,
                                 al::default_task_train_config(task).max_tokens, al::kDefaultMaskProb);
}

} // namespace

class TestGuiHeadAblation : public QObject {
    Q_OBJECT
private slots:
    void sample_is_the_validation_split()
    {
        const std::vector<al::SentencePair> s = ablationSample(kCorpus, 1, 0, 20);
        QCOMPARE(s.size(), size_t(20));
        const al::CorpusSplits splits = al::split_corpus(al::read_tsv_pairs(kCorpus.toStdString(), 1, 0).pairs, 0.05, 0.05, 1);
        QCOMPARE(s.front().src, splits.valid.front().src);
        QCOMPARE(s.back().tgt, splits.valid[19].tgt);
        QVERIFY_THROWS_EXCEPTION(al::Error, ablationSample(QStringLiteral("/nonexistent/corpus.tsv"), 1, 0));
    }

    void scores_match_the_engine()
    {
        const auto model = fixtureModel();
        const std::vector<al::SentencePair> sample = ablationSample(kCorpus, 1, 0, 30);
        const AblationOutcome none = runAblation(*model, al::HeadMask{}, QStringLiteral("我爱你。"), sample);
        QVERIFY2(none.error.isEmpty(), qPrintable(none.error));
        QCOMPARE(none.ablated.loss, none.intact.loss);
        QCOMPARE(none.ablated.output, none.intact.output);
        QCOMPARE(none.examples, 30);
        QCOMPARE(none.metricName, QStringLiteral("bleu"));

        al::HeadMask mask;
        mask.heads = {{al::AttentionKind::Cross, 0, 1}, {al::AttentionKind::EncoderSelf, 0, 0}};
        const AblationOutcome off = runAblation(*model, mask, QStringLiteral("我爱你。"), sample);
        QVERIFY(off.error.isEmpty());
        QCOMPARE(off.headsOff, 2);
        al::TranslationModel copy = *model;
        const std::vector<al::Batch> batches =
            al::make_batches(al::encode_pairs(copy, sample, copy.net.config().max_len - 1, false), al::TrainConfig{}.max_tokens, 0);
        const al::AblationScore want = al::score_with_mask(copy, mask, batches, sample, al::DecodingOptions{});
        QCOMPARE(off.ablated.loss, want.loss);
        QCOMPARE(off.ablated.metric, want.metric);
        QVERIFY(off.ablated.loss != off.intact.loss);
        // Mean ablation gets its means from the sample.
        mask.mode = al::AblationMode::Mean;
        const AblationOutcome mean = runAblation(*model, mask, QString(), sample);
        QVERIFY2(mean.error.isEmpty(), qPrintable(mean.error));
        QVERIFY(mean.ablated.loss != off.ablated.loss);
        // A head the model does not have is reported, not crashed on.
        al::HeadMask bad;
        bad.heads = {{al::AttentionKind::Cross, 5, 0}};
        QVERIFY(!runAblation(*model, bad, QString(), sample).error.isEmpty());

        const al::HeadImportanceTable table = runImportance(*model, sample, al::AblationMode::Zero);
        QCOMPARE(table.heads.size(), size_t(3 * 2)); // enc, dec, cross: 1 layer x 2 heads each
        const al::Mat cross = importanceMatrix(table, al::AttentionKind::Cross, QStringLiteral("delta_loss"));
        QCOMPARE(cross.rows(), Eigen::Index(1));
        QCOMPARE(cross.cols(), Eigen::Index(2));
        QCOMPARE(cross(0, 1), al::Scalar(table.heads[5].delta_loss));
        QCOMPARE(headLabel({al::AttentionKind::Cross, 0, 1}), QStringLiteral("cross 1.2"));
    }

    void panel_switches_heads_off_and_ranks_them()
    {
        HeadAblationPanel panel;
        panel.resize(700, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy scored(&panel, &HeadAblationPanel::scored);
        panel.setSentence(QStringLiteral("我爱你。"));
        panel.setSource(AblationSource::corpus(kCorpus, 1, 0));
        panel.setModel(fixtureModel(), 5);
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().headsOff, 0);
        const double intact = panel.outcome().intact.loss;
        QCOMPARE(panel.outcome().ablated.loss, intact);
        QVERIFY(panel.resultText().contains(QStringLiteral("model step 5")));

        QToolButton* b = panel.headButton({al::AttentionKind::Cross, 0, 1});
        QVERIFY(b && panel.headButton({al::AttentionKind::EncoderSelf, 0, 0}));
        QVERIFY(!panel.headButton({al::AttentionKind::Cross, 1, 0})); // one layer only
        QTest::mouseClick(b, Qt::LeftButton);
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().headsOff, 1);
        QCOMPARE(panel.mask().heads.front(), (al::HeadId{al::AttentionKind::Cross, 0, 1}));
        QVERIFY(panel.outcome().ablated.loss != intact);
        QCOMPARE(panel.outcome().intact.loss, intact);
        panel.setHeadOff({al::AttentionKind::DecoderSelf, 0, 0}, true);
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().headsOff, 2);
        panel.restoreAll();
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().headsOff, 0);
        QCOMPARE(panel.outcome().ablated.loss, intact);
        QVERIFY(!b->isChecked());

        // Both threads are the panel's own.
        int threads = 0;
        for (QThread* t : panel.findChildren<QThread*>())
            threads += t->objectName() == QLatin1String("ablation") || t->objectName() == QLatin1String("importance");
        QCOMPARE(threads, 2);

        QSignalSpy ranked(&panel, &HeadAblationPanel::importanceShown);
        QVERIFY(!panel.importanceHeatmap()->isVisible());
        panel.computeImportance();
        QVERIFY(ranked.wait(60000));
        QCOMPARE(panel.importance().heads.size(), size_t(6));
        QVERIFY(panel.importanceHeatmap()->isVisible());
        QCOMPARE(panel.importanceHeatmap()->matrix().rows(), Eigen::Index(3)); // enc 1, dec 1, cross 1
        auto* bars = qobject_cast<QCPBars*>(panel.importanceBars()->plottable(0));
        QVERIFY(bars);
        QCOMPARE(bars->data()->size(), 6);
        // Ranked: the first bar is the largest rise.
        double top = -1e9;
        for (const al::HeadScore& s : panel.importance().heads)
            top = std::max(top, s.delta_loss);
        QCOMPARE(bars->data()->at(0)->value, top);
        // The gradient importance of Michel et al. instead.
        auto* measure = panel.findChild<QComboBox*>(QStringLiteral("importanceMeasureCombo"));
        measure->setCurrentIndex(measure->findData(QStringLiteral("gradient")));
        bars = qobject_cast<QCPBars*>(panel.importanceBars()->plottable(0));
        double topGradient = -1e9;
        for (const al::HeadScore& s : panel.importance().heads)
            topGradient = std::max(topGradient, s.gradient);
        QCOMPARE(bars->data()->at(0)->value, topGradient);
        QVERIFY(panel.importanceHeatmap()->title().contains(QStringLiteral("Gradient importance")));
        panel.shutdown();
    }

    void task_sample_is_the_validation_split()
    {
        const al::TaskCorpus s = taskAblationSample(QStringLiteral("pos"), {kPosData}, 20);
        QCOMPARE(s.tagged[1].size(), size_t(20));
        QVERIFY(s.tagged[0].empty() && s.tagged[2].empty());
        const al::TaskCorpus full = al::load_task_corpus("pos", {kPosData.toStdString()}, 1);
        QVERIFY(s.tagged[1].front().words == full.tagged[1].front().words);
        QVERIFY(s.tagged[1][19].tags == full.tagged[1][19].tags);
        // No data: the error names the settings' field and what the task needs.
        try {
            taskAblationSample(QStringLiteral("pos"), {});
            QFAIL("no data paths were accepted");
        } catch (const al::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("Data field")), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("UD treebank")), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(al::Error, taskAblationSample(QStringLiteral("pos"), {QStringLiteral("/nonexistent/ud")}));

        // Typed paths (';'-separated) win; blank means the bundled data, which pos lacks.
        QCOMPARE(AblationSource::forTask(QStringLiteral("pos"), QStringLiteral(" /a ; /b ;")).taskData,
                 (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
        QVERIFY(AblationSource::forTask(QStringLiteral("pos"), QString()).taskData.isEmpty());
        QVERIFY(!bundledTaskData(QStringLiteral("charlm")).isEmpty());
        QCOMPARE(AblationSource::forTask(QStringLiteral("charlm"), QString()).taskData, bundledTaskData(QStringLiteral("charlm")));
    }

    void source_follows_the_shown_model()
    {
        const auto pos = taskFixture("pos");
        SettingsValues v;
        v.task = QStringLiteral("pos");
        v.taskData = kPosData;
        v.srcColumn = 2;
        v.tgtColumn = 1;
        TaskSettings run;
        AblationSource s = ablationSourceFor(pos.get(), run, v, kCorpus);
        QCOMPARE(s.kind, AblationSource::Kind::Task);
        QCOMPARE(s.task, QStringLiteral("pos"));
        QCOMPARE(s.taskData, QStringList{kPosData});
        // Settings showing another task hold that task's paths, not the model's.
        v.task = QStringLiteral("sentiment");
        QVERIFY(ablationSourceFor(pos.get(), run, v, kCorpus).taskData.isEmpty());
        // A copy/reverse/sort model: its generator; any other translation model: the corpus.
        run.task = QStringLiteral("reverse");
        run.algorithmic.task = al::AlgorithmicTask::Reverse;
        s = ablationSourceFor(nullptr, run, v, kCorpus);
        QCOMPARE(s.kind, AblationSource::Kind::Algorithmic);
        QVERIFY(s.algorithmic.task == al::AlgorithmicTask::Reverse);
        run.task = QStringLiteral("translate");
        const AblationSource corpus = ablationSourceFor(nullptr, run, v, kCorpus);
        QCOMPARE(corpus.kind, AblationSource::Kind::Corpus);
        QCOMPARE(corpus.corpusPath, kCorpus);
        QCOMPARE(corpus.srcColumn, 1);
        QCOMPARE(corpus.tgtColumn, 0);
        QVERIFY(corpus.key() != s.key());
        QVERIFY(AblationSource::corpus(kCorpus, 1, 0).key() == corpus.key());
    }

    void task_scores_match_the_engine()
    {
        const auto model = taskFixture("pos");
        const al::TaskCorpus sample = taskAblationSample(QStringLiteral("pos"), {kPosData}, 30);
        const AblationOutcome none = runAblation(*model, al::HeadMask{}, kPosSentence, sample);
        QVERIFY2(none.error.isEmpty(), qPrintable(none.error));
        QCOMPARE(none.task, QStringLiteral("pos"));
        QCOMPARE(none.metricName, QStringLiteral("accuracy"));
        QCOMPARE(none.examples, 30);
        QCOMPARE(none.ablated.loss, none.intact.loss);
        QCOMPARE(none.intact.output, taskModelAnswer(*model, kPosSentence));
        QCOMPARE(none.intact.output.count(QLatin1Char('/')), 5); // one tag per word

        al::HeadMask mask;
        mask.heads = {{al::AttentionKind::EncoderSelf, 0, 1}};
        const AblationOutcome off = runAblation(*model, mask, kPosSentence, sample);
        QVERIFY2(off.error.isEmpty(), qPrintable(off.error));
        al::TaskModel copy = *model;
        const std::vector<al::TaskBatch> batches = cliBatches(copy, {kPosData.toStdString()}, 30);
        const al::AblationScore intact = al::score_with_mask(copy.net, al::HeadMask{}, batches);
        const al::AblationScore want = al::score_with_mask(copy.net, mask, batches);
        QCOMPARE(off.intact.loss, intact.loss);
        QCOMPARE(off.intact.metric, intact.metric);
        QCOMPARE(off.ablated.loss, want.loss);
        QCOMPARE(off.ablated.metric, want.metric);
        QVERIFY(off.ablated.loss != off.intact.loss);
        QVERIFY(off.intact.metric > 0 && off.intact.metric <= 1);
        copy.net.set_head_mask(mask);
        QCOMPARE(off.ablated.output, taskModelAnswer(copy, kPosSentence));
        // Intact figures passed in are taken as they are; the ablated ones are computed.
        AblationReuse given;
        given.intact = off.intact;
        given.intact->loss = 123.0;
        const AblationOutcome again = runAblation(*model, mask, kPosSentence, sample, &given);
        QCOMPARE(again.intact.loss, 123.0);
        QVERIFY(!given.means); // mode Zero computes no means
        QCOMPARE(again.intact.output, off.intact.output);
        QCOMPARE(again.ablated.loss, off.ablated.loss);
        QCOMPARE(again.ablated.metric, off.ablated.metric);
        // Mean ablation: its means from the sample, as the engine's head_output_means.
        mask.mode = al::AblationMode::Mean;
        const AblationOutcome mean = runAblation(*model, mask, kPosSentence, sample);
        QVERIFY2(mean.error.isEmpty(), qPrintable(mean.error));
        al::TaskModel plain = *model;
        al::HeadMask withMeans = mask;
        withMeans.means = al::head_output_means(plain.net, batches);
        QCOMPARE(mean.ablated.loss, al::score_with_mask(plain.net, withMeans, batches).loss);
        // Kept means are used as they are: zero means make mode Mean score like mode Zero.
        AblationReuse zeroMeans;
        zeroMeans.means = withMeans.means;
        for (auto& kind : *zeroMeans.means)
            for (al::Mat& layer : kind)
                layer.setZero();
        const AblationOutcome fromKept = runAblation(*model, mask, kPosSentence, sample, &zeroMeans);
        QCOMPARE(fromKept.ablated.loss, off.ablated.loss);
        QVERIFY(fromKept.ablated.loss != mean.ablated.loss);
        // And computed means are kept for the next call, with the intact figures.
        AblationReuse fresh;
        runAblation(*model, mask, kPosSentence, sample, &fresh);
        QVERIFY(fresh.means && fresh.intact);
        QCOMPARE(fresh.intact->loss, off.intact.loss);
        // A head the model does not have is reported.
        al::HeadMask bad;
        bad.heads = {{al::AttentionKind::Cross, 0, 0}};
        QVERIFY(!runAblation(*model, bad, kPosSentence, sample).error.isEmpty());

        const al::HeadImportanceTable table = runImportance(*model, sample, al::AblationMode::Zero);
        QCOMPARE(table.metric_name, std::string("accuracy"));
        QCOMPARE(table.heads.size(), size_t(2)); // 1 layer x 2 heads
        QCOMPARE(table.intact.loss, intact.loss);
        QCOMPARE(table.heads[1].loss, want.loss);
        QCOMPARE(table.heads[1].delta_metric, intact.metric - want.metric);
        const al::Mat enc = importanceMatrix(table, al::AttentionKind::EncoderSelf, QStringLiteral("delta_metric"));
        QCOMPARE(enc.rows(), Eigen::Index(1));
        QCOMPARE(enc(0, 1), al::Scalar(table.heads[1].delta_metric));
    }

    void charlm_continues_the_text()
    {
        const auto model = taskFixture("charlm");
        const QStringList data = bundledTaskData(QStringLiteral("charlm"));
        const al::TaskCorpus sample = taskAblationSample(QStringLiteral("charlm"), data);
        QVERIFY(sample.lm_train.empty());
        al::HeadMask mask;
        mask.heads = {{al::AttentionKind::EncoderSelf, 0, 0}};
        const AblationOutcome off = runAblation(*model, mask, QStringLiteral("ROMEO:"), sample);
        QVERIFY2(off.error.isEmpty(), qPrintable(off.error));
        QCOMPARE(off.examples, kAblationCharlmWindows); // windows of max_len characters
        QVERIFY(off.intact.output.startsWith(QStringLiteral("ROMEO:")));
        QVERIFY(off.intact.output.size() > 6);
        al::TaskModel copy = *model;
        std::vector<std::string> paths;
        for (const QString& p : data)
            paths.push_back(p.toStdString());
        const std::vector<al::TaskBatch> batches = cliBatches(copy, paths, size_t(kAblationCharlmWindows));
        QCOMPARE(off.ablated.loss, al::score_with_mask(copy.net, mask, batches).loss);
        QCOMPARE(off.ablated.metric, al::score_with_mask(copy.net, mask, batches).metric);
    }

    void reverse_demo_is_scored_on_its_generator()
    {
        const QString dir = QStringLiteral(AL_SOURCE_DIR "/resources/models/reverse");
        al::AlgorithmicTaskConfig generator;
        QVERIFY(al::load_algorithmic_task_file(dir.toStdString(), generator));
        const std::vector<al::SentencePair> sample = ablationSample(generator, 30);
        const std::vector<al::SentencePair> valid = al::generate_algorithmic_splits(generator).valid;
        QCOMPARE(sample.size(), size_t(30));
        QCOMPARE(sample.front().src, valid.front().src);
        QCOMPARE(sample.back().tgt, valid[29].tgt);
        const al::TranslationModel model = al::load_model_dir(dir.toStdString());
        const AblationOutcome o = runAblation(model, al::HeadMask{}, QStringLiteral("3 1 4 1 5 9 2 6"), sample);
        QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
        QCOMPARE(o.intact.output, QStringLiteral("6 2 9 5 1 4 1 3"));
        QVERIFY2(o.intact.metric > 90, qPrintable(QString::number(o.intact.metric))); // BLEU of a saturated model
        al::AlgorithmicTaskConfig bad = generator;
        bad.vocab = 1;
        QVERIFY_THROWS_EXCEPTION(al::Error, ablationSample(bad));
    }

    void panel_ablates_a_task_model()
    {
        HeadAblationPanel panel;
        panel.resize(700, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy scored(&panel, &HeadAblationPanel::scored);
        const auto model = taskFixture("pos");
        panel.setSentence(kPosSentence);
        panel.setSource(AblationSource::forTask(QStringLiteral("pos"), kPosData));
        panel.setTaskModel(model, 7);
        QVERIFY(scored.wait(30000));
        QVERIFY2(panel.outcome().error.isEmpty(), qPrintable(panel.outcome().error));
        QCOMPARE(panel.outcome().metricName, QStringLiteral("accuracy"));
        const AblationFigures intact = panel.outcome().intact;
        QVERIFY(panel.resultText().contains(QStringLiteral("Accuracy")));
        QVERIFY(panel.resultText().contains(QStringLiteral("Tags")));
        QVERIFY(panel.resultText().contains(intact.output.toHtmlEscaped()));
        QVERIFY(panel.resultText().contains(QStringLiteral("model step 7")));

        QToolButton* b = panel.headButton({al::AttentionKind::EncoderSelf, 0, 1});
        QVERIFY(b);
        QVERIFY(!panel.headButton({al::AttentionKind::Cross, 0, 0}));
        QVERIFY(!panel.headButton({al::AttentionKind::EncoderSelf, 1, 0})); // one layer only
        const int before = scored.count();
        QTest::mouseClick(b, Qt::LeftButton);
        // The click returns at once: the scores come from the tab's thread.
        QCOMPARE(scored.count(), before);
        QCOMPARE(panel.outcome().headsOff, 0);
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().headsOff, 1);
        QCOMPARE(panel.outcome().intact.loss, intact.loss);
        QVERIFY(panel.outcome().ablated.loss != intact.loss);
        const AblationOutcome want = runAblation(*model, panel.mask(), kPosSentence,
                                                 taskAblationSample(QStringLiteral("pos"), {kPosData}));
        QCOMPARE(panel.outcome().ablated.loss, want.ablated.loss);
        QCOMPARE(panel.outcome().ablated.metric, want.ablated.metric);
        QCOMPARE(panel.outcome().ablated.output, want.ablated.output);
        int threads = 0;
        for (QThread* t : panel.findChildren<QThread*>())
            threads += t->objectName() == QLatin1String("ablation") || t->objectName() == QLatin1String("importance");
        QCOMPARE(threads, 2);

        auto* measure = panel.findChild<QComboBox*>(QStringLiteral("importanceMeasureCombo"));
        QCOMPARE(measure->itemText(measure->findData(QStringLiteral("delta_metric"))), QStringLiteral("fall in accuracy"));
        QSignalSpy ranked(&panel, &HeadAblationPanel::importanceShown);
        panel.computeImportance();
        QVERIFY(ranked.wait(60000));
        QCOMPARE(panel.importance().metric_name, std::string("accuracy"));
        QCOMPARE(panel.importance().heads.size(), size_t(2));
        QCOMPARE(panel.importanceHeatmap()->matrix().rows(), Eigen::Index(1)); // enc 1
        measure->setCurrentIndex(measure->findData(QStringLiteral("delta_metric")));
        QVERIFY(panel.importanceHeatmap()->title().contains(QStringLiteral("Accuracy fall")));
        auto* bars = qobject_cast<QCPBars*>(panel.importanceBars()->plottable(0));
        QVERIFY(bars);
        double top = -1e9;
        for (const al::HeadScore& s : panel.importance().heads)
            top = std::max(top, s.delta_metric);
        QCOMPARE(bars->data()->at(0)->value, top);

        // Back to a translation model: BLEU again, the task's table gone.
        panel.setSource(AblationSource::corpus(kCorpus, 1, 0));
        panel.setModel(fixtureModel(), 1);
        QCOMPARE(measure->itemText(measure->findData(QStringLiteral("delta_metric"))), QStringLiteral("fall in BLEU"));
        QVERIFY(panel.importance().heads.empty());
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().metricName, QStringLiteral("bleu"));
        panel.shutdown();
    }

    void missing_task_data_is_reported()
    {
        HeadAblationPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy scored(&panel, &HeadAblationPanel::scored);
        panel.setSource(AblationSource::forTask(QStringLiteral("pos"), QString()));
        panel.setTaskModel(taskFixture("pos"), 0);
        QVERIFY(scored.wait(30000));
        QCOMPARE(panel.outcome().examples, 0);
        auto* status = panel.findChild<QLabel*>(QStringLiteral("ablationStatus"));
        QVERIFY2(status->text().contains(QStringLiteral("Data field")), qPrintable(status->text()));
        panel.shutdown();
    }

    void window_scores_each_demo_on_its_sample()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        HeadAblationPanel* panel = w.headAblationPanel();
        QSignalSpy scored(panel, &HeadAblationPanel::scored);
        LabSetupContext context;
        context.demosFile = QStringLiteral(AL_SOURCE_DIR "/resources/models/demos.json");
        // The tagger's treebank is not bundled data of the task: the demo names it.
        LabSetup pos;
        pos.model = QStringLiteral("demo:pos-en");
        pos.view.tab = QStringLiteral("head_ablation");
        QCOMPARE(applyLabSetup(w, pos, context), QString());
        QVERIFY(w.settingsPanel()->form()->values().taskData.endsWith(QStringLiteral("resources/data/ud/en_ewt")));
        QTRY_VERIFY_WITH_TIMEOUT(panel->outcome().task == QLatin1String("pos") && panel->outcome().error.isEmpty(), 30000);
        QCOMPARE(panel->outcome().examples, kAblationSampleSize);
        QVERIFY(panel->outcome().intact.metric > 0.8); // the demo tags most words right
        // The reverse demo: scored on its task.json's validation set, not on the settings' corpus.
        LabSetup reverse;
        reverse.model = QStringLiteral("demo:reverse");
        QCOMPARE(applyLabSetup(w, reverse, context), QString());
        QTRY_VERIFY_WITH_TIMEOUT(panel->outcome().metricName == QLatin1String("bleu") && panel->outcome().examples > 0, 30000);
        QVERIFY2(panel->outcome().intact.metric > 90, qPrintable(QString::number(panel->outcome().intact.metric)));
        QVERIFY(panel->resultText().contains(QStringLiteral("task.json")));
    }

    void main_window_has_the_tab()
    {
        QVERIFY(labTabIds().contains(QStringLiteral("head_ablation")));
        MainWindow w;
        const int index = w.viewTabs()->indexOf(w.headAblationPanel());
        QVERIFY(index >= 0);
        QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Head ablation"));
    }
};

AL_GUI_TEST_MAIN(TestGuiHeadAblation)
#include "test_gui_head_ablation.moc"
