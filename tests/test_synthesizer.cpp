// SPDX-License-Identifier: GPL-3.0-or-later
// Synthesizer attention (Tay et al., "Synthesizer: Rethinking Self-Attention in Transformer
// Models", ICML 2021) in the float engine: parameter counts against the paper's formulas,
// fixed random alignments never change, input (in)dependence, training and save/load of every
// variant. Gradient checks of each variant are in test_gradcheck_f64.
#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/nn/attention.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QTemporaryDir>
#include "tests/test_support.h"

#include <QtTest>
#include <set>

using namespace al;

namespace {

const char* const kVariants[] = {"dense", "random", "fixed_random", "factorized_dense", "factorized_random",
                                 "random+vanilla", "dense+vanilla", "random+dense"};

std::vector<SentencePair> first_pairs(size_t n) { return test::first_cmn_pairs(n); }

ModelConfig small_config(const std::string& attention)
{
    ModelConfig mc;
    mc.d_model = 32;
    mc.nhead = 4;
    mc.num_encoder_layers = 1;
    mc.num_decoder_layers = 1;
    mc.dim_feedforward = 48;
    mc.dropout = 0.0;
    mc.attention = attention;
    mc.max_len = 24;
    return mc;
}

} // namespace

class SynthesizerTest : public QObject {
    Q_OBJECT
private slots:
    void parameter_counts_match_the_paper_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<qint64>("expected");
        const int64_t C = 16, H = 4, l = 10, k = 3, a = 2, b = 5; // a * b = l, a the divisor nearest sqrt(l) from below
        const int64_t dense = C * C + C + H * l * C + H * l;       // O(d^2 + d l)
        const int64_t random = H * l * l;                         // O(l^2)
        const int64_t fdense = C * C + C + H * (a + b) * (C + 1); // O(d (d + a + b))
        const int64_t frandom = 2 * H * l * k;                    // O(2 l k)
        QTest::newRow("vanilla") << "vanilla" << qint64(0);
        QTest::newRow("dense") << "dense" << qint64(dense);
        QTest::newRow("random") << "random" << qint64(random);
        QTest::newRow("fixed_random") << "fixed_random" << qint64(random);
        QTest::newRow("factorized_dense") << "factorized_dense" << qint64(fdense);
        QTest::newRow("factorized_random") << "factorized_random" << qint64(frandom);
        QTest::newRow("random+vanilla") << "random+vanilla" << qint64(random + H * 2);
        QTest::newRow("dense+vanilla") << "dense+vanilla" << qint64(dense + H * 2);
        QTest::newRow("random+dense") << "random+dense" << qint64(random + dense + H * 2);
    }
    void parameter_counts_match_the_paper()
    {
        QFETCH(QString, variant);
        QFETCH(qint64, expected);
        ParamStore s;
        MultiHeadAttention m(s, "attn", 16, 4, SynthesizerConfig{variant.toStdString(), 10, 3});
        QCOMPARE(qint64(synthesizer_parameter_count(m)), expected);
        // Query/key projections exist only with the vanilla component.
        QCOMPARE(s.find("attn.in_proj_weight") != nullptr, m.use_vanilla);
        QCOMPARE(s.find("attn.v_proj_weight") != nullptr, !m.use_vanilla);
    }

    void unknown_variant_is_refused()
    {
        ModelConfig mc = small_config("fancy");
        mc.src_vocab_size = mc.tgt_vocab_size = 10;
        try {
            mc.validate();
            QFAIL("accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("attention") != std::string::npos);
        }
    }

    void random_alignment_ignores_the_input_dense_does_not()
    {
        for (const char* variant : {"random", "dense"}) {
            ModelConfig mc = small_config(variant);
            mc.src_vocab_size = 12;
            mc.tgt_vocab_size = 12;
            Transformer net(mc, 3);
            auto probs = [&](std::vector<int> src) {
                Batch b;
                b.B = 1;
                b.S = int(src.size());
                b.src = src;
                b.src_len = {b.S};
                Seq2SeqActivations act;
                net.encode(b, act);
                return Mat(act.enc[0].sa.probs);
            };
            const Mat p1 = probs({4, 5, 6, 7, 2}), p2 = probs({9, 8, 11, 10, 2});
            const double diff = double((p1 - p2).cwiseAbs().maxCoeff());
            if (std::string(variant) == "random")
                QCOMPARE(diff, 0.0); // the same alignment for every sentence of this length
            else
                QVERIFY(diff > 1e-4); // B(X) depends on X
        }
    }

    void trace_records_synthesized_alignments()
    {
        for (const char* variant : {"vanilla", "random", "factorized_random", "random+vanilla", "dense"}) {
            ModelConfig mc = small_config(variant);
            mc.src_vocab_size = 12;
            mc.tgt_vocab_size = 12;
            TranslationModel m{Transformer(mc, 5), Vocab(), Vocab(), Tokenizer(TokenKind::Char), Tokenizer(TokenKind::Word)};
            Batch b;
            b.B = 1;
            b.S = 4;
            b.src = {4, 5, 6, 2};
            b.src_len = {4};
            b.T = 3;
            b.tgt_in = {1, 7, 8};
            b.tgt_len = {3};
            Seq2SeqActivations act;
            m.net.encode(b, act);
            m.net.decode(b, act);
            Trace t;
            m.net.fill_trace(act, 0, t);
            const std::string v = variant;
            if (v == "vanilla") {
                QVERIFY(t.enc_synth.scores.empty());
                QVERIFY(m.net.random_alignment(false, 0, 0).size() == 0);
                continue;
            }
            QCOMPARE(int(t.enc_synth.scores.size()), 1);
            QCOMPARE(int(t.enc_synth.scores[0].size()), 4);
            QCOMPARE(t.enc_synth.scores[0][1].rows(), Eigen::Index(4));
            QCOMPARE(t.dec_synth.scores[0][2].rows(), Eigen::Index(3));
            if (v == "random" || v == "factorized_random") {
                // The recorded scores are the top-left block of the input-independent R.
                const Mat R = m.net.random_alignment(true, 0, 2);
                QCOMPARE(R.rows(), Eigen::Index(mc.max_len));
                QVERIFY((t.dec_synth.scores[0][2] - R.topLeftCorner(3, 3)).cwiseAbs().maxCoeff() < 1e-6);
            }
            if (v == "random+vanilla") {
                QCOMPARE(t.enc_synth.components, (std::vector<std::string>{"vanilla", "random"}));
                QCOMPARE(int(t.enc_synth.alpha.size()), 1);
                QVERIFY(std::abs(t.enc_synth.alpha[0].row(0).sum() - 1) < 1e-6);
                QVERIFY(std::abs(t.enc_synth.alpha[0](0, 1) - 0.5) < 1e-6); // equal weights at initialisation
            } else {
                QVERIFY(t.enc_synth.alpha.empty());
            }
        }
    }

    void every_variant_trains_translates_and_round_trips_data()
    {
        QTest::addColumn<QString>("variant");
        for (const char* v : kVariants)
            QTest::newRow(v) << QString(v);
    }
    void every_variant_trains_translates_and_round_trips()
    {
        QFETCH(QString, variant);
        CorpusSplits data;
        data.train = first_pairs(64);
        data.valid = data.train;
        data.test = data.train;
        TrainConfig tc;
        tc.max_tokens = 400;
        tc.max_len = 20;
        tc.warmup_steps = 30;
        tc.lr_factor = 2.0;
        DataOptions opts;
        opts.min_count = 1;
        Trainer trainer(data, small_config(variant.toStdString()), tc, opts);
        const Transformer before(trainer.model().net);
        const double first = trainer.evaluate().loss;
        for (int i = 0; i < 60; ++i)
            trainer.train_step();
        const double last = trainer.evaluate().loss;
        QVERIFY2(last < first - 0.5, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
        // The fixed random synthesizer's alignment is never updated; everything else is.
        for (const auto& p : trainer.model().net.params().all()) {
            const Param* old = before.params().find(p->name);
            QVERIFY(old);
            const bool changed = !(p->value == old->value);
            if (variant == "fixed_random" && p->name.find("random_R") != std::string::npos)
                QVERIFY2(!changed, p->name.c_str());
            else if (p->name.find("tok_emb") == std::string::npos)
                QVERIFY2(changed, p->name.c_str());
        }
        const Translation t = translate(trainer.model(), data.train[0].src);
        QVERIFY(t.out_tokens.size() <= 24);
        QTemporaryDir dir;
        trainer.save(dir.path().toStdString());
        const TranslationModel loaded = load_model_dir(dir.path().toStdString());
        QCOMPARE(QString::fromStdString(loaded.net.config().attention), variant);
        QCOMPARE(QString::fromStdString(translate(loaded, data.train[0].src).text), QString::fromStdString(t.text));
    }
};

QTEST_APPLESS_MAIN(SynthesizerTest)
#include "test_synthesizer.moc"
