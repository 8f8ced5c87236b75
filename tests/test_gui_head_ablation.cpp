// SPDX-License-Identifier: GPL-3.0-or-later
// The Head ablation tab: the view model's scores against the engine's, and the panel switching
// heads off and on, restoring all and ranking every head, off the GUI thread.
#include "engine/experiments/head_importance.h"
#include "engine/models/translation_model.h"
#include "gui_test_support.h"
#include "ui/view_models/head_ablation_view.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/head_ablation_panel.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QThread>
#include <QToolButton>
#include <qcustomplot.h>

using namespace al::ui;

namespace {

const QString kCorpus = QStringLiteral(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt");

std::shared_ptr<const al::TranslationModel> fixtureModel()
{
    return std::make_shared<const al::TranslationModel>(al::load_model_dir(AL_SOURCE_DIR "/tests/fixtures/models/translate"));
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
        QCOMPARE(none.ablated.translation, none.intact.translation);
        QCOMPARE(none.sentences, 30);

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
        QCOMPARE(off.ablated.bleu, want.metric);
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
        panel.setCorpus(kCorpus, 1, 0);
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

    void task_models_point_to_the_command()
    {
        HeadAblationPanel panel;
        panel.setTaskModelOpen();
        QVERIFY(panel.resultText().contains(QStringLiteral("attention-lab ablate")));
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
