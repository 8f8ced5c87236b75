// SPDX-License-Identifier: GPL-3.0-or-later
// The non-autoregressive decoder (Gu et al. 2018, simplified; docs/nat.md): uniform copy of the
// source, non-causal decoder self-attention, the length predictor, training, one-pass
// translation, save/load, and the errors for what a NAT model cannot do.
#include "engine/io/config_json.h"
#include "engine/decode/decoding.h"
#include "engine/core/error.h"
#include "engine/models/nat.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QtTest>
#include <QTemporaryDir>

using namespace al;

namespace {

ModelConfig tiny_nat_config()
{
    ModelConfig mc;
    mc.decoder = "nat";
    mc.d_model = 64;
    mc.nhead = 4;
    mc.num_encoder_layers = 2;
    mc.num_decoder_layers = 2;
    mc.dim_feedforward = 128;
    mc.dropout = 0.0;
    mc.max_len = 16;
    return mc;
}

TrainConfig tiny_train_config()
{
    TrainConfig tc;
    tc.seed = 3;
    tc.threads = 2;
    tc.max_tokens = 400;
    tc.max_len = 15;
    tc.warmup_steps = 50;
    tc.lr_factor = 1.0; // 2.0 trained on the edge of divergence: runs differing only in float rounding ended apart
    tc.label_smoothing = 0.0;
    tc.length_loss_weight = 1.0;
    return tc;
}

// Copy-like pairs: source "cabd" (chars) -> target "c a b d" (words); lengths 2..6, seeded.
CorpusSplits copy_data(size_t n)
{
    Rng rng(11);
    CorpusSplits d;
    while (d.train.size() < n) {
        const int len = 2 + int(rng.below(5));
        std::string src, tgt;
        for (int i = 0; i < len; ++i) {
            const char c = char('a' + rng.below(8));
            src += c;
            tgt += (i ? " " : "") + std::string(1, c);
        }
        d.train.push_back({src, tgt});
    }
    d.valid = d.train;
    d.test = d.train;
    return d;
}

DataOptions char_to_word()
{
    DataOptions o;
    o.src_tokens = TokenKind::Char;
    o.tgt_tokens = TokenKind::Word;
    o.min_count = 1;
    return o;
}

} // namespace

class TestNat : public QObject {
    Q_OBJECT
private slots:
    void uniform_copy_positions()
    {
        // T == S: identity; first position copies the first token, the last the source EOS.
        for (int t = 0; t < 5; ++t)
            QCOMPARE(uniform_copy_position(t, 5, 5), t);
        QCOMPARE(uniform_copy_position(0, 1, 7), 0);
        QCOMPARE(uniform_copy_position(0, 4, 7), 0);
        QCOMPARE(uniform_copy_position(1, 4, 7), 2);
        QCOMPARE(uniform_copy_position(2, 4, 7), 4);
        QCOMPARE(uniform_copy_position(3, 4, 7), 6);
        // Longer target than source: positions repeat, in order.
        QCOMPARE(uniform_copy_position(1, 5, 3), 1); // round(0.5) = 1
        QCOMPARE(uniform_copy_position(2, 5, 3), 1);
        QCOMPARE(uniform_copy_position(3, 5, 3), 2); // round(1.5) = 2
        QCOMPARE(uniform_copy_position(4, 5, 3), 2);

        Batch b;
        b.B = 2;
        b.S = 4;
        b.T = 3;
        b.src = {5, 6, 7, 2, 8, 2, 0, 0};
        b.src_len = {4, 2};
        b.tgt_len = {3, 2};
        const std::vector<int> want = {5, 7, 2, 8, 2, 0}; // t = 1: round(1.5) = 2
        QCOMPARE(nat_decoder_inputs(b), want);
        QCOMPARE(nat_length_targets(b), (std::vector<int>{2, 1}));
    }

    void config_key_and_errors()
    {
        ModelConfig c = tiny_nat_config();
        c.src_vocab_size = c.tgt_vocab_size = 10;
        const ModelConfig back = model_config_from_json(model_config_to_json(c), "x.json");
        QCOMPARE(back.decoder, std::string("nat"));
        c.decoder = "parallel";
        try {
            c.validate();
            QFAIL("an unknown decoder was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("decoder") != std::string::npos, e.what());
        }
        TrainConfig tc;
        tc.length_loss_weight = -1;
        QVERIFY_THROWS_EXCEPTION(Error, tc.validate());
    }

    void decoder_self_attention_is_not_causal()
    {
        for (const std::string kind : {"nat", "autoregressive"}) {
            ModelConfig c = tiny_nat_config();
            c.decoder = kind;
            c.src_vocab_size = c.tgt_vocab_size = 12;
            Transformer net(c, 5);
            Batch b;
            b.B = 1;
            b.S = 4;
            b.T = 4;
            b.src = {5, 6, 7, 2};
            b.src_len = {4};
            b.tgt_in = {1, 4, 5, 6};
            b.tgt_out = {4, 5, 6, 2};
            b.tgt_len = {4};
            Seq2SeqActivations a;
            net.forward(b, a, false, nullptr);
            // Weight of query 0 on the keys after it (head 0 of every layer).
            double future = 0;
            for (const auto& layer : a.dec)
                future += layer.sa.probs.block(0, 1, 1, 3).sum();
            if (kind == "nat")
                QVERIFY2(future > 0.1, qPrintable(QString::number(future)));
            else
                QCOMPARE(future, 0.0);
        }
    }

    void length_predictor_learns_lengths()
    {
        // The length cross-entropy trains the predictor (and, through the pooling, the encoder).
        const CorpusSplits data = copy_data(48);
        TrainConfig tc = tiny_train_config();
        Trainer trainer(data, tiny_nat_config(), tc, char_to_word());
        auto correct_lengths = [&] {
            const TranslationModel& m = trainer.model();
            std::vector<std::vector<int>> srcs;
            std::vector<int> want;
            for (const auto& p : data.train) {
                srcs.push_back(m.src_vocab.encode(m.src_tokenizer.tokenize(p.src)));
                want.push_back(int(m.tgt_tokenizer.tokenize(p.tgt).size()) + 1);
            }
            const auto outs = nat_decode(m.net, srcs, 15);
            int ok = 0;
            for (size_t i = 0; i < outs.size(); ++i)
                ok += outs[i].length == want[i];
            return ok;
        };
        const int before = correct_lengths();
        double first = 0, last = 0;
        for (int i = 0; i < 150; ++i) {
            const StepStats s = trainer.train_step();
            QVERIFY(s.length_loss > 0);
            if (i == 0)
                first = s.length_loss;
            last = s.length_loss;
        }
        const int after = correct_lengths();
        qInfo("length loss %.3f -> %.4f; correct lengths %d -> %d of 48", first, last, before, after);
        QVERIFY(last < 0.1 * first);
        QCOMPARE(after, 48);
    }

    void two_threads_take_the_same_step_as_one()
    {
        // Data parallelism (one set of weights, a gradient buffer per thread) sums the same
        // gradient as one thread: loss, length loss, gradient norm and updated weights agree.
        const CorpusSplits data = copy_data(48);
        auto run = [&](int threads, std::vector<StepStats>& stats) {
            TrainConfig tc = tiny_train_config();
            tc.threads = threads;
            Trainer trainer(data, tiny_nat_config(), tc, char_to_word());
            for (int i = 0; i < 3; ++i)
                stats.push_back(trainer.train_step());
            return Transformer(trainer.model().net);
        };
        std::vector<StepStats> one, two;
        const Transformer a = run(1, one), b = run(2, two);
        for (size_t i = 0; i < one.size(); ++i) {
            qInfo("step %zu: loss %.6f / %.6f, length %.6f / %.6f, |g| %.6f / %.6f", i, one[i].loss, two[i].loss,
                  one[i].length_loss, two[i].length_loss, one[i].grad_norm, two[i].grad_norm);
            QVERIFY(std::abs(one[i].loss - two[i].loss) < 1e-5);
            QVERIFY(std::abs(one[i].length_loss - two[i].length_loss) < 1e-5);
            QVERIFY(std::abs(one[i].grad_norm - two[i].grad_norm) < 1e-4 * one[i].grad_norm);
        }
        // Weights whose gradient is ~0 by construction (the key bias: softmax ignores it) get
        // Adam steps of +-lr from rounding noise, so compare weights with a real gradient.
        for (const char* name : {"generator.weight", "length_predictor.weight", "transformer.encoder.layers.0.linear1.weight"}) {
            QVERIFY2(a.params().find(name), name);
            const double d = double((a.params().find(name)->value - b.params().find(name)->value).cwiseAbs().maxCoeff());
            QVERIFY2(d < 1e-5, qPrintable(QString(name) + ": " + QString::number(d)));
        }
    }

    void micro_batches_accumulate_the_same_gradient()
    {
        // A NAT step run as one piece and as micro-batches of at most 40 padded tokens (20 per
        // thread on 2 threads) sums the same token and length gradients: loss, length loss,
        // gradient norm and updated weights agree up to float rounding.
        const CorpusSplits data = copy_data(48);
        auto run = [&](int micro, int threads, std::vector<StepStats>& stats) {
            TrainConfig tc = tiny_train_config();
            tc.threads = threads;
            tc.micro_batch_tokens = micro;
            Trainer trainer(data, tiny_nat_config(), tc, char_to_word());
            for (int i = 0; i < 3; ++i)
                stats.push_back(trainer.train_step());
            return Transformer(trainer.model().net);
        };
        std::vector<StepStats> whole, micro, micro2;
        const Transformer a = run(0, 1, whole), b = run(40, 1, micro), c = run(40, 2, micro2);
        for (size_t i = 0; i < whole.size(); ++i) {
            for (const std::vector<StepStats>* m : {&micro, &micro2}) {
                const StepStats& s = (*m)[i];
                QVERIFY2(std::abs(whole[i].loss - s.loss) < 1e-5, qPrintable(QString::number(whole[i].loss - s.loss)));
                QVERIFY2(std::abs(whole[i].length_loss - s.length_loss) < 1e-5,
                         qPrintable(QString::number(whole[i].length_loss - s.length_loss)));
                QVERIFY(std::abs(whole[i].grad_norm - s.grad_norm) < 1e-4 * whole[i].grad_norm);
                QCOMPARE(whole[i].tgt_tokens, s.tgt_tokens);
            }
            QCOMPARE(whole[i].micro_batches, 1);
            QVERIFY2(micro[i].micro_batches >= 2, qPrintable(QString::number(micro[i].micro_batches)));
            QVERIFY(micro2[i].micro_batches > micro[i].micro_batches);
            QVERIFY2(micro[i].max_micro_batch_tokens <= 40, qPrintable(QString::number(micro[i].max_micro_batch_tokens)));
            QVERIFY2(micro2[i].max_micro_batch_tokens <= 20, qPrintable(QString::number(micro2[i].max_micro_batch_tokens)));
            QVERIFY(whole[i].max_micro_batch_tokens > 40);
        }
        for (const char* name : {"generator.weight", "length_predictor.weight", "transformer.encoder.layers.0.linear1.weight"}) {
            for (const Transformer* m : {&b, &c}) {
                const double d = double((a.params().find(name)->value - m->params().find(name)->value).cwiseAbs().maxCoeff());
                QVERIFY2(d < 1e-5, qPrintable(QString(name) + ": " + QString::number(d)));
            }
        }
        QVERIFY(whole[0].loss != whole[1].loss); // the steps saw different batches
    }

    void tiny_nat_model_overfits_copy_pairs()
    {
        const CorpusSplits data = copy_data(48);
        Trainer trainer(data, tiny_nat_config(), tiny_train_config(), char_to_word());
        for (int i = 0; i < 300; ++i)
            trainer.train_step();
        const EvalStats ev = trainer.evaluate();
        int exact = 0;
        for (const auto& p : data.train)
            exact += translate(trainer.model(), p.src).text == p.tgt;
        qInfo("eval loss %.4f accuracy %.3f, exact %d of 48", ev.loss, ev.accuracy, exact);
        QVERIFY(ev.loss < 0.05);
        QCOMPARE(exact, 48);
        // The batched path of test_bleu (nat_decode over length-sorted chunks) gives the same
        // exact outputs: unigram and bigram precisions 1, no brevity penalty (BLEU-4 itself is
        // below 100 on 2-3 token sentences, as NLTK's: see bleu.h).
        const BleuResult bleu = trainer.test_bleu();
        QCOMPARE(bleu.precisions[0], 1.0);
        QCOMPARE(bleu.precisions[1], 1.0);
        QCOMPARE(bleu.brevity_penalty, 1.0);
    }

    void translate_is_one_decoder_pass_and_round_trips()
    {
        const CorpusSplits data = copy_data(24);
        TrainConfig tc = tiny_train_config();
        Trainer trainer(data, tiny_nat_config(), tc, char_to_word());
        for (int i = 0; i < 40; ++i)
            trainer.train_step();
        const TranslationModel& m = trainer.model();
        QVERIFY(!m.net.supports_incremental_decoding());
        const std::string sentence = data.train[0].src;
        Trace trace;
        const Translation t = translate(m, sentence, 20, &trace);

        // The same output from one encoder pass, the argmax length and ONE decoder pass.
        const std::vector<int> ids = m.src_vocab.encode(m.src_tokenizer.tokenize(sentence));
        Batch b;
        b.B = 1;
        b.S = int(ids.size()) + 1;
        b.src = ids;
        b.src.push_back(Seq2SeqIds::EOS);
        b.src_len = {b.S};
        Seq2SeqActivations a;
        m.net.encode(b, a);
        Eigen::Index len;
        a.length_logits.row(0).maxCoeff(&len);
        b.T = int(len) + 1;
        b.tgt_len = {b.T};
        b.tgt_in.assign(size_t(b.T), Seq2SeqIds::PAD);
        m.net.decode(b, a);
        Mat logits;
        m.net.project_logits(a.dec_out, logits);
        std::vector<std::string> want;
        for (int r = 0; r < b.T; ++r) {
            Eigen::Index arg;
            logits.row(r).maxCoeff(&arg);
            if (int(arg) == Seq2SeqIds::EOS)
                break;
            want.push_back(m.tgt_vocab.token(int(arg)));
        }
        QCOMPARE(t.out_tokens, want);

        // The Trace shows that pass: T copied source tokens in, T predictions out, one step
        // per position, non-causal T x T decoder self-attention.
        QCOMPARE(int(trace.tgt_in_tokens.size()), b.T);
        QCOMPARE(int(trace.tgt_out_tokens.size()), b.T);
        QCOMPARE(trace.decoding.strategy, std::string("nat"));
        QCOMPARE(int(trace.decoding.steps.size()), b.T);
        QCOMPARE(int(trace.dec_self.size()), 2);
        QCOMPARE(trace.dec_self[0][0].rows(), Eigen::Index(b.T));
        QCOMPARE(trace.cross[0][0].cols(), Eigen::Index(b.S));
        QCOMPARE(trace.tgt_in_tokens.front(), m.src_vocab.token(ids.front()));
        QCOMPARE(trace.tgt_in_tokens.back(), std::string("<eos>"));
        if (b.T > 1)
            QVERIFY(trace.dec_self[0][0](0, b.T - 1) > 0);

        // Sampling and a forced prefix need an autoregressive decoder.
        DecodingOptions sample;
        sample.strategy = DecodingStrategy::Sample;
        QVERIFY_THROWS_EXCEPTION(Error, translate(m, sentence, sample));
        DecodingOptions forced;
        forced.forced_prefix = {4};
        QVERIFY_THROWS_EXCEPTION(Error, decode_all(m.net, {ids}, forced));

        // Length beam: l candidates, the best mean log-probability per position wins; l = 1 is
        // the argmax length; decode_all and translate agree.
        std::vector<std::vector<int>> srcs;
        for (const auto& p : data.train)
            srcs.push_back(m.src_vocab.encode(m.src_tokenizer.tokenize(p.src)));
        const auto one = nat_decode(m.net, srcs, 20, 1);
        const auto four = nat_decode(m.net, srcs, 20, 4);
        DecodingOptions beam;
        beam.strategy = DecodingStrategy::Beam;
        beam.beam_width = 4;
        const auto all4 = decode_all(m.net, srcs, beam);
        int changed = 0;
        for (size_t i = 0; i < srcs.size(); ++i) {
            QCOMPARE(one[i].length, [&] { Seq2SeqActivations x; Batch bb; bb.B = 1; bb.S = int(srcs[i].size()) + 1;
                                          bb.src = srcs[i]; bb.src.push_back(Seq2SeqIds::EOS); bb.src_len = {bb.S};
                                          m.net.encode(bb, x); Eigen::Index k; x.length_logits.row(0).maxCoeff(&k);
                                          return int(k) + 1; }());
            QVERIFY(four[i].log_prob / four[i].length >= one[i].log_prob / one[i].length - 1e-5);
            QCOMPARE(all4[i], four[i].tokens);
            changed += four[i].length != one[i].length;
        }
        // Forced lengths: the argmax lengths reproduce l = 1; another length is obeyed.
        std::vector<int> lens;
        for (const auto& o : one)
            lens.push_back(o.length);
        const auto forced_same = nat_decode(m.net, srcs, 20, 4, &lens);
        for (auto& T : lens)
            T = T % 5 + 2;
        const auto forced_other = nat_decode(m.net, srcs, 20, 1, &lens);
        for (size_t i = 0; i < srcs.size(); ++i) {
            QCOMPARE(forced_same[i].positions, one[i].positions);
            QCOMPARE(forced_other[i].length, lens[i]);
            QCOMPARE(int(forced_other[i].positions.size()), lens[i]);
        }
        lens[0] = 0;
        QVERIFY_THROWS_EXCEPTION(Error, nat_decode(m.net, srcs, 20, 1, &lens));
        qInfo("length beam 4 changed the length of %d of %zu sentences", changed, srcs.size());
        QCOMPARE(translate(m, data.train[1].src, beam).out_tokens, [&] {
            std::vector<std::string> w;
            for (int id : four[1].tokens)
                w.push_back(m.tgt_vocab.token(id));
            return w;
        }());

        // Save / load round trip: same config, same parameters, same translation.
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/nat";
        save_model_dir(m, path);
        const TranslationModel back = load_model_dir(path);
        QCOMPARE(back.net.config().decoder, std::string("nat"));
        QCOMPARE(back.net.params().all().size(), m.net.params().all().size());
        QVERIFY(back.net.params().find("length_predictor.weight")->value ==
                m.net.params().find("length_predictor.weight")->value);
        QCOMPARE(translate(back, sentence, 20).out_tokens, t.out_tokens);
    }

    void scheduled_sampling_is_refused()
    {
        TrainConfig tc = tiny_train_config();
        tc.scheduled_sampling = "constant";
        try {
            Trainer t(copy_data(8), tiny_nat_config(), tc, char_to_word());
            QFAIL("scheduled sampling was accepted for a NAT model");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("scheduled_sampling") != std::string::npos, e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestNat)
#include "test_nat.moc"
