// SPDX-License-Identifier: GPL-3.0-or-later
// The attention views' logic on the Trace of a non-autoregressive (NAT) model: the decoder
// self-attention map is T x T over the copied source tokens and not causal, cross-attention
// rows are labelled by the prediction of each position (docs/nat.md).
#include "gui_test_support.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"
#include "ui/view_models/attention_selection.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/workers/training_worker.h"

#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace al;

class TestGuiNat : public QObject {
    Q_OBJECT
private slots:
    void natTraceFillsTheViews()
    {
        CorpusSplits data;
        data.train = {{"abc", "a b c"}, {"ba", "b a"}, {"cab", "c a b"}};
        data.valid = data.test = data.train;
        ModelConfig mc;
        mc.decoder = "nat";
        mc.d_model = 16;
        mc.nhead = 2;
        mc.num_encoder_layers = 1;
        mc.num_decoder_layers = 2;
        mc.dim_feedforward = 32;
        mc.max_len = 8;
        TrainConfig tc;
        tc.max_len = 7;
        DataOptions opts;
        opts.src_tokens = TokenKind::Char;
        opts.tgt_tokens = TokenKind::Word;
        opts.min_count = 1;
        const Trainer trainer(data, mc, tc, opts); // untrained weights are enough for the shapes
        Trace trace;
        translate(trainer.model(), "abc", 7, &trace);

        const int T = int(trace.tgt_in_tokens.size());
        QVERIFY(T >= 1);
        QCOMPARE(ui::layerCount(trace, AttentionKind::DecoderSelf), 2);
        QCOMPARE(ui::headCount(trace, AttentionKind::DecoderSelf, 1), 2);
        const Mat* self = ui::selectAttention(trace, {AttentionKind::DecoderSelf, 1, 0});
        QVERIFY(self != nullptr);
        QCOMPARE(int(self->rows()), T);
        QCOMPARE(int(self->cols()), T);
        if (T > 1)
            QVERIFY((*self)(0, T - 1) > 0); // not causal: the first position sees the last
        // Decoder inputs are the uniformly copied source tokens: first token ... source <eos>.
        const QStringList q = ui::queryTokens(trace, AttentionKind::DecoderSelf);
        QCOMPARE(q.size(), T);
        QCOMPARE(q.front(), QString("a"));
        QCOMPARE(q.back(), QString("<eos>"));
        QCOMPARE(ui::keyTokens(trace, AttentionKind::DecoderSelf), q);
        const Mat* cross = ui::selectAttention(trace, {AttentionKind::Cross, 0, 1});
        QVERIFY(cross != nullptr);
        QCOMPARE(int(cross->rows()), T);
        QCOMPARE(int(cross->cols()), 4); // a b c <eos>
        QCOMPARE(ui::queryTokens(trace, AttentionKind::Cross).size(), T);
        QCOMPARE(int(trace.decoding.steps.size()), T);
    }

    void modelSettingsTrainANatModel()
    {
        // The GUI's "Decoder" setting reaches the training request, and a NAT model trains and
        // fills the attention view.
        QTemporaryDir tmp;
        const QString corpus = al::test::write_small_cmn_corpus(tmp, 200);
        QVERIFY2(!corpus.isEmpty(), "cannot copy the bundled corpus");
        al::ui::MainWindow w;
        w.show();
        QCOMPARE(w.trainingRequest().model.decoder, std::string("autoregressive"));
        auto* combo = w.findChild<QComboBox*>(QStringLiteral("decoderCombo"));
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData(QStringLiteral("nat")));
        w.findChild<QSpinBox*>(QStringLiteral("dModelSpin"))->setValue(32);
        w.findChild<QSpinBox*>(QStringLiteral("headsSpin"))->setValue(2);
        w.findChild<QSpinBox*>(QStringLiteral("encoderLayersSpin"))->setValue(1);
        w.findChild<QSpinBox*>(QStringLiteral("decoderLayersSpin"))->setValue(1);
        w.findChild<QSpinBox*>(QStringLiteral("feedForwardSpin"))->setValue(64);
        w.findChild<QSpinBox*>(QStringLiteral("maxTokensSpin"))->setValue(256);
        w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(corpus);
        QCOMPARE(w.trainingRequest().model.decoder, std::string("nat"));
        QSignalSpy metrics(w.trainingController(), &al::ui::TrainingController::metrics);
        QSignalSpy errors(w.trainingController(), &al::ui::TrainingController::error);
        w.startTraining();
        QVERIFY(!combo->isEnabled()); // locked while training
        QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 2 || !errors.isEmpty(), 120000);
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), 120000);
        QVERIFY(w.close());
    }
};

QTEST_MAIN(TestGuiNat)
#include "test_gui_nat.moc"
