// SPDX-License-Identifier: GPL-3.0-or-later
// The attention views' logic on the Trace of a non-autoregressive (NAT) model: the decoder
// self-attention map is T x T over the copied source tokens and not causal, cross-attention
// rows are labelled by the prediction of each position (docs/nat.md).
#include "engine/trainer.h"
#include "engine/translation_model.h"
#include "ui/attention_selection.h"

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
};

QTEST_MAIN(TestGuiNat)
#include "test_gui_nat.moc"
