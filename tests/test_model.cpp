// SPDX-License-Identifier: GPL-3.0-or-later
// Behaviour of the float engine: masks, attention rows, overfitting, determinism, save/load.
#include "engine/io/checkpoint.h"
#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/nn/embedding.h"
#include "engine/nn/linear.h"
#include "engine/nn/norm.h"
#include "engine/train/numeric_fault.h"
#include "engine/train/optimizer.h"
#include "engine/core/params.h"
#include "engine/io/safetensors.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QTemporaryDir>
#include "tests/test_support.h"

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

using namespace al;

namespace {

ModelConfig tiny_config(bool pre_ln = false)
{
    ModelConfig c;
    c.src_vocab_size = 11;
    c.tgt_vocab_size = 9;
    c.d_model = 16;
    c.nhead = 4;
    c.num_encoder_layers = 2;
    c.num_decoder_layers = 2;
    c.dim_feedforward = 24;
    c.dropout = 0.0;
    c.norm_first = pre_ln;
    c.max_len = 32;
    return c;
}

// One sequence padded to S source and T target positions.
Batch single(const std::vector<int>& src, const std::vector<int>& tgt_in, int S, int T)
{
    Batch b;
    b.B = 1;
    b.S = S;
    b.T = T;
    b.src.assign(size_t(S), Seq2SeqIds::PAD);
    std::copy(src.begin(), src.end(), b.src.begin());
    b.tgt_in.assign(size_t(T), Seq2SeqIds::PAD);
    std::copy(tgt_in.begin(), tgt_in.end(), b.tgt_in.begin());
    b.tgt_out.assign(size_t(T), Seq2SeqIds::PAD);
    b.src_len = {int(src.size())};
    b.tgt_len = {int(tgt_in.size())};
    return b;
}

double max_abs_diff_rows(const Mat& a, const Mat& b, int rows)
{
    return double((a.topRows(rows) - b.topRows(rows)).cwiseAbs().maxCoeff());
}

std::vector<SentencePair> first_pairs(size_t n) { return test::first_cmn_pairs(n); }

} // namespace

class ModelTest : public QObject {
    Q_OBJECT
private slots:
    void padding_does_not_change_real_positions_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::newRow("Post-LN") << false;
        QTest::newRow("Pre-LN") << true;
    }
    void padding_does_not_change_real_positions()
    {
        QFETCH(bool, pre_ln);
        Transformer net(tiny_config(pre_ln), 1);
        const std::vector<int> src = {4, 5, 6, 7, Seq2SeqIds::EOS}, tgt = {Seq2SeqIds::BOS, 4, 5};
        Seq2SeqActivations a, b;
        net.forward(single(src, tgt, 5, 3), a, false, nullptr);
        net.forward(single(src, tgt, 9, 7), b, false, nullptr); // 4 extra PAD on both sides
        QVERIFY(max_abs_diff_rows(a.memory, b.memory, 5) < 1e-5);
        QVERIFY(max_abs_diff_rows(a.logits, b.logits, 3) < 1e-5);
        // And the padding really is masked: without the mask the outputs would move.
        Batch unmasked = single(src, tgt, 9, 7);
        unmasked.src_len = {9};
        Seq2SeqActivations c;
        net.forward(unmasked, c, false, nullptr);
        QVERIFY(max_abs_diff_rows(a.memory, c.memory, 5) > 1e-3);
    }

    void causal_mask_hides_the_future()
    {
        Transformer net(tiny_config(), 2);
        const std::vector<int> src = {4, 5, 6, Seq2SeqIds::EOS};
        Seq2SeqActivations a, b;
        net.forward(single(src, {Seq2SeqIds::BOS, 4, 5, 6, 7}, 4, 5), a, false, nullptr);
        net.forward(single(src, {Seq2SeqIds::BOS, 4, 5, 8, 3}, 4, 5), b, false, nullptr); // change t >= 3
        QVERIFY(max_abs_diff_rows(a.logits, b.logits, 3) < 1e-6);          // positions 0..2 unchanged
        QVERIFY((a.logits.row(3) - b.logits.row(3)).cwiseAbs().maxCoeff() > 1e-4); // position 3 sees it
    }

    void incremental_decoding_equals_full_pass_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::newRow("Post-LN") << false;
        QTest::newRow("Pre-LN") << true;
    }
    void incremental_decoding_equals_full_pass()
    {
        QFETCH(bool, pre_ln);
        Transformer net(tiny_config(pre_ln), 4);
        Batch b;
        b.B = 2;
        b.S = 5;
        b.T = 4;
        b.src = {4, 5, 6, 7, 2, 8, 9, 2, 0, 0};
        b.src_len = {5, 3};
        b.tgt_in = {1, 4, 5, 6, 1, 3, 7, 8};
        b.tgt_len = {4, 4};
        Seq2SeqActivations full;
        net.encode(b, full);
        net.decode(b, full);
        DecoderState st;
        net.start_decoding(b, full, 6, st);
        Mat out;
        for (int t = 0; t < 4; ++t) {
            net.decode_step({b.tgt_in[size_t(t)], b.tgt_in[size_t(4 + t)]}, st, out);
            for (int s = 0; s < 2; ++s)
                QVERIFY((out.row(s) - full.dec_out.row(s * 4 + t)).cwiseAbs().maxCoeff() < 1e-5);
        }
    }

    void attention_rows_are_distributions()
    {
        Transformer net(tiny_config(), 3);
        Batch b;
        b.B = 2;
        b.S = 5;
        b.T = 4;
        b.src = {4, 5, 6, 7, 2, 8, 9, 2, 0, 0};
        b.src_len = {5, 3};
        b.tgt_in = {1, 4, 5, 6, 1, 3, 0, 0};
        b.tgt_out = b.tgt_in;
        b.tgt_len = {4, 2};
        Seq2SeqActivations a;
        net.forward(b, a, false, nullptr);
        const int H = 4;
        for (const auto& layer : a.dec)
            for (int s = 0; s < 2; ++s)
                for (int h = 0; h < H; ++h) {
                    for (int kind = 0; kind < 2; ++kind) {
                        const AttentionCache& c = kind == 0 ? layer.sa : layer.ca;
                        const int keys = kind == 0 ? b.tgt_len[size_t(s)] : b.src_len[size_t(s)];
                        for (int t = 0; t < b.tgt_len[size_t(s)]; ++t) {
                            const auto row = c.probs.row((Eigen::Index(s) * H + h) * c.Tq + t);
                            const int visible = kind == 0 ? std::min(keys, t + 1) : keys;
                            QVERIFY(row.minCoeff() >= 0);
                            QVERIFY(std::abs(row.head(visible).sum() - 1) < 1e-5);
                            QCOMPARE(double(row.tail(c.Tk - visible).cwiseAbs().sum()), 0.0);
                        }
                    }
                }
    }

    void tiny_model_overfits_32_pairs()
    {
        CorpusSplits data;
        data.train = first_pairs(32);
        QCOMPARE(data.train.size(), size_t(32));
        data.valid = data.train;
        data.test = data.train;
        ModelConfig mc;
        mc.d_model = 64;
        mc.nhead = 4;
        mc.num_encoder_layers = 2;
        mc.num_decoder_layers = 2;
        mc.dim_feedforward = 128;
        mc.dropout = 0.0;
        TrainConfig tc;
        tc.seed = 7;
        tc.max_tokens = 400;
        tc.warmup_steps = 50;
        tc.lr_factor = 2.0;
        tc.label_smoothing = 0.0;
        DataOptions opts;
        opts.min_count = 1;
        Trainer trainer(data, mc, tc, opts);
        double first = 0, last = 0;
        for (int i = 0; i < 400; ++i) {
            const StepStats s = trainer.train_step();
            if (i == 0)
                first = s.loss;
            last = s.loss;
        }
        const EvalStats ev = trainer.evaluate();
        qInfo("loss %.3f -> %.4f, eval %.4f, accuracy %.3f", first, last, ev.loss, ev.accuracy);
        QVERIFY(ev.loss < 0.05);
        int exact = 0;
        for (const auto& p : data.train) {
            const Translation t = translate(trainer.model(), p.src);
            exact += t.out_tokens == trainer.model().tgt_tokenizer.tokenize(p.tgt);
        }
        QCOMPARE(exact, 32);
        // Exact outputs: every n-gram precision that has n-grams is 1 and there is no brevity
        // penalty. (These first Tatoeba pairs are 2-4 tokens long, too short for 4-grams, so
        // corpus BLEU-4 itself is 0 here, as NLTK's would be.)
        const BleuResult bleu = trainer.test_bleu();
        QCOMPARE(bleu.precisions[0], 1.0);
        QCOMPARE(bleu.precisions[1], 1.0);
        QCOMPARE(bleu.brevity_penalty, 1.0);
    }

    void same_seed_gives_identical_loss_curve()
    {
        CorpusSplits data;
        data.train = first_pairs(200);
        auto run = [&](uint64_t seed) {
            ModelConfig mc = tiny_config();
            TrainConfig tc;
            tc.seed = seed;
            tc.max_tokens = 300;
            mc.dropout = 0.1;
            Trainer t(data, mc, tc, DataOptions{});
            std::vector<double> losses;
            for (int i = 0; i < 15; ++i)
                losses.push_back(t.train_step().loss);
            return losses;
        };
        const auto a = run(5), b = run(5), c = run(6);
        QVERIFY(a == b);
        QVERIFY(a != c);
    }

    void micro_batches_accumulate_the_same_gradient()
    {
        // Without dropout, a step run as one piece and as micro-batches of at most 40 padded
        // tokens (shared by the threads: 20 each on 2 threads) sums the same per-token
        // gradients: loss, gradient norm and the updated weights agree up to float rounding; a
        // different batch would not.
        CorpusSplits data;
        data.train = first_pairs(200);
        auto run = [&](int micro, int threads, std::vector<StepStats>& stats) {
            ModelConfig mc = tiny_config();
            mc.dropout = 0.0;
            TrainConfig tc;
            tc.seed = 3;
            tc.threads = threads;
            tc.max_tokens = 300;
            tc.micro_batch_tokens = micro;
            Trainer t(data, mc, tc, DataOptions{});
            for (int i = 0; i < 3; ++i)
                stats.push_back(t.train_step());
            return t.model().net.params().find("generator.weight")->value;
        };
        std::vector<StepStats> whole, micro, micro2;
        const Mat w_whole = run(0, 1, whole), w_micro = run(40, 1, micro), w_micro2 = run(40, 2, micro2);
        for (size_t i = 0; i < whole.size(); ++i) {
            for (const std::vector<StepStats>* m : {&micro, &micro2}) {
                const StepStats& s = (*m)[i];
                QVERIFY2(std::abs(whole[i].loss - s.loss) < 1e-5, qPrintable(QString::number(whole[i].loss - s.loss)));
                QVERIFY(std::abs(whole[i].grad_norm - s.grad_norm) < 1e-4 * whole[i].grad_norm);
                QCOMPARE(whole[i].tgt_tokens, s.tgt_tokens);
            }
            QCOMPARE(whole[i].micro_batches, 1);
            QVERIFY2(micro[i].micro_batches >= 2, qPrintable(QString("%1 %2 %3").arg(micro[i].micro_batches).arg(micro[i].max_micro_batch_tokens).arg(whole[i].max_micro_batch_tokens)));
            QVERIFY(micro2[i].micro_batches > micro[i].micro_batches);
            QVERIFY2(micro[i].max_micro_batch_tokens <= 40, qPrintable(QString::number(micro[i].max_micro_batch_tokens)));
            QVERIFY2(micro2[i].max_micro_batch_tokens <= 20, qPrintable(QString::number(micro2[i].max_micro_batch_tokens)));
            QVERIFY(whole[i].max_micro_batch_tokens > 40);
        }
        QVERIFY((w_whole - w_micro).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((w_whole - w_micro2).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY(whole[0].loss != whole[1].loss); // the steps saw different batches
    }

    void worker_gradients_sum_to_the_one_thread_gradient()
    {
        // Two data-parallel workers on one set of weights: worker 1 writes its own buffers
        // (dense for a Linear, gathered rows for an embedding table, which gets no dense
        // vocabulary-sized buffer), and the reduction gives the gradient one thread computes.
        ParamStore store;
        Embedding emb(store, "emb", 50, 8);
        Linear lin(store, "lin", 8, 6);
        Rng rng(5);
        for (const auto& p : store.all())
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.normal(0.0, 1.0));
        const std::vector<int> ids0 = {3, 7, 3, 49}, ids1 = {7, 0, 12};
        auto random_rows = [&](Eigen::Index n, Eigen::Index c) {
            Mat m(n, c);
            for (Eigen::Index i = 0; i < m.size(); ++i)
                m.data()[i] = Scalar(rng.normal(0.0, 1.0));
            return m;
        };
        const Mat dy0 = random_rows(4, 8), dy1 = random_rows(3, 8), x0 = random_rows(4, 8), x1 = random_rows(3, 8);
        const Mat dz0 = random_rows(4, 6), dz1 = random_rows(3, 6);
        auto backward = [&](const std::vector<int>& ids, const Mat& dy, const Mat& x, const Mat& dz) {
            emb.backward(ids, dy);
            lin.backward(x, dz, nullptr);
        };
        store.zero_grad();
        store.zero_worker_grads(1);
        backward(ids0, dy0, x0, dz0);
        backward(ids1, dy1, x1, dz1);
        const Mat emb_ref = emb.weight->grad, lin_ref = lin.weight->grad;

        store.zero_grad();
        store.zero_worker_grads(2);
        QCOMPARE(emb.weight->worker_grads.at(0).size(), Eigen::Index(0)); // no dense buffer for the table
        QCOMPARE(lin.weight->worker_grads.at(0).rows(), Eigen::Index(6));
        backward(ids0, dy0, x0, dz0);
        {
            const GradientWorker worker(1);
            QCOMPARE(GradientWorker::current(), 1);
            backward(ids1, dy1, x1, dz1);
        }
        QCOMPARE(GradientWorker::current(), 0);
        QCOMPARE(emb.weight->worker_rows.at(0).rows, ids1);
        QCOMPARE(emb.weight->grad.row(0).squaredNorm(), Scalar(0)); // worker 1's row 0 is not in grad yet
        store.reduce_worker_grads();
        QVERIFY((emb.weight->grad - emb_ref).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((lin.weight->grad - lin_ref).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY(emb.weight->grad.row(0).squaredNorm() > 0);
        QCOMPARE(emb.weight->worker_grads.at(0).size(), Eigen::Index(0));
    }

    void data_parallel_step_runs_every_micro_batch_once()
    {
        // The shared step on a toy model (embedding table -> linear -> cross-entropy), 7
        // sequences of one token: 2 shards of 3 and 4 sequences, a budget of 4 padded tokens
        // (2 per worker) gives micro-batches of at most 2 sequences. Every sequence is run
        // once, the weighted losses sum to the batch mean, and the update is the one of a
        // single whole-batch pass (same clipped gradient, Noam rate, Adam step).
        const std::vector<int> ids = {3, 1, 4, 1, 5, 9, 2}, targets = {0, 5, 2, 5, 1, 3, 4};
        const int B = int(ids.size()), C = 8, V = 6;
        struct Toy {
            ParamStore store;
            Embedding emb;
            Linear lin;
            Toy() : emb(store, "emb", 10, C), lin(store, "lin", C, V)
            {
                Rng rng(5);
                for (const auto& p : store.all())
                    for (Eigen::Index i = 0; i < p->value.size(); ++i)
                        p->value.data()[i] = Scalar(rng.normal(0.0, 0.3));
                store.ensure_optimizer_state();
            }
        };
        auto run = [&](Toy& toy, std::vector<int> shards, int budget, std::vector<int>& seen, int64_t& step) {
            TrainConfig tc;
            tc.micro_batch_tokens = budget;
            tc.warmup_steps = 10;
            tc.clip_grad_norm = 0.05;
            StepPlan plan;
            plan.shards = std::move(shards);
            plan.padded_length = [](int, int) { return 1; };
            plan.micro_batch = [&](const MicroBatch& mb) {
                const std::vector<int> x(ids.begin() + mb.begin, ids.begin() + mb.end);
                const std::vector<int> y(targets.begin() + mb.begin, targets.begin() + mb.end);
                for (int b = mb.begin; b < mb.end; ++b)
                    ++seen[size_t(b)];
                Mat h, logits, dh;
                toy.emb.forward(x, 1, Mat(), h);
                toy.lin.forward(h, logits);
                const MicroBatchLoss l = micro_batch_cross_entropy(logits, y, -1, 0.0, B);
                toy.lin.backward(h, logits, &dh);
                toy.emb.backward(x, dh);
                return l;
            };
            DataParallelStep driver(1);
            Rng rng(2);
            return driver.run(toy.store, tc, C, step, rng, plan);
        };
        Toy whole, split;
        std::vector<int> seen_whole(size_t(B), 0), seen_split(size_t(B), 0);
        int64_t step_whole = 0, step_split = 0;
        const StepStats a = run(whole, {0, B}, 0, seen_whole, step_whole);
        const StepStats b = run(split, {0, 3, B}, 4, seen_split, step_split);
        QCOMPARE(seen_whole, std::vector<int>(size_t(B), 1));
        QCOMPARE(seen_split, std::vector<int>(size_t(B), 1));
        QCOMPARE(a.micro_batches, 1);
        QCOMPARE(b.micro_batches, 4); // 3 -> 2 + 1 (ceil 3/2 pieces of sizes differing by one), 4 -> 2 + 2
        QCOMPARE(a.max_micro_batch_tokens, int64_t(B));
        QCOMPARE(b.max_micro_batch_tokens, int64_t(2));
        QCOMPARE(step_whole, int64_t(1));
        QCOMPARE(step_split, int64_t(1));
        QCOMPARE(a.step, int64_t(1));
        QCOMPARE(a.lr, noam_learning_rate(1, C, 1.0, 10));
        QVERIFY2(std::abs(a.loss - b.loss) < 1e-6, qPrintable(QString::number(a.loss - b.loss)));
        QVERIFY(a.loss > 0.5); // -log p over 6 classes with small weights: about log 6
        QVERIFY2(std::abs(a.grad_norm - b.grad_norm) < 1e-6 * a.grad_norm, qPrintable(QString::number(a.grad_norm - b.grad_norm)));
        QVERIFY(a.grad_norm > 0.05); // clipped (max 0.05): the update used the scaled gradient
        QCOMPARE(whole.store.all().size(), size_t(3));
        for (size_t i = 0; i < whole.store.all().size(); ++i) {
            const Param& pa = *whole.store.all()[i];
            const Param& pb = *split.store.all()[i];
            QVERIFY2((pa.value - pb.value).cwiseAbs().maxCoeff() < 1e-6, pa.name.c_str());
            // The gradients are those of the whole batch (reduced over the workers) after the step.
            QVERIFY2((pa.grad - pb.grad).cwiseAbs().maxCoeff() < 1e-6, pa.name.c_str());
            QVERIFY2(pa.adam_m.cwiseAbs().maxCoeff() > 0, pa.name.c_str());
        }
    }

    void numeric_faults_leave_the_model_as_it_was()
    {
        // The toy model of the test above, one good step, then steps that meet a NaN or an Inf:
        // in a gradient (the first parameter in store order is named), in the loss, in the Adam
        // update (a learning rate that overflows float). Each throws NumericFault naming step 2
        // and leaves the weights, Adam moments, BatchNorm statistics and step count of step 1;
        // a good step afterwards trains on.
        const std::vector<int> ids = {3, 1, 4, 1}, targets = {0, 5, 2, 5};
        const int B = int(ids.size()), C = 8, V = 6;
        ParamStore store;
        Embedding emb(store, "emb", 10, C);
        Linear lin(store, "lin", C, V);
        Param* frozen = store.add("frozen", {3});
        frozen->trainable = false;
        Rng init(5);
        for (const auto& p : store.all())
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(init.normal(0.0, 0.3));
        store.ensure_optimizer_state();
        struct Poison {
            std::string param;
            Scalar value = 0;
        };
        std::vector<Poison> poison;
        double loss_override = 0;
        int norm_updates = 0;
        StepPlan plan;
        plan.shards = {0, 2, B};
        plan.padded_length = [](int, int) { return 1; };
        plan.micro_batch = [&](const MicroBatch& mb) {
            const std::vector<int> x(ids.begin() + mb.begin, ids.begin() + mb.end);
            const std::vector<int> y(targets.begin() + mb.begin, targets.begin() + mb.end);
            Mat h, logits, dh;
            emb.forward(x, 1, Mat(), h);
            lin.forward(h, logits);
            MicroBatchLoss l = micro_batch_cross_entropy(logits, y, -1, 0.0, B);
            lin.backward(h, logits, &dh);
            emb.backward(x, dh);
            if (mb.worker == 1)
                for (const Poison& p : poison)
                    store.find(p.param)->grad_target()(0, 1) = p.value;
            if (loss_override != 0)
                l.loss = loss_override;
            return l;
        };
        plan.update_norm_statistics = [&](const std::vector<BatchNormStats>&) { ++norm_updates; };
        TrainConfig tc;
        tc.warmup_steps = 10;
        DataParallelStep driver(1);
        Rng rng(2);
        int64_t step = 0;
        driver.run(store, tc, C, step, rng, plan);
        QCOMPARE(step, int64_t(1));
        QCOMPARE(norm_updates, 1);
        struct State {
            std::vector<Mat> value, m, v;
        };
        auto state = [&] {
            State st;
            for (const auto& p : store.all()) {
                st.value.push_back(p->value);
                st.m.push_back(p->adam_m);
                st.v.push_back(p->adam_v);
            }
            return st;
        };
        const State good = state();
        auto expect_fault = [&](FaultSite site, const std::string& param, NonFinite kind, const char* what) {
            try {
                driver.run(store, tc, C, step, rng, plan);
                QFAIL("the step did not fault");
            } catch (const NumericFault& f) {
                qInfo("%s", f.what());
                QCOMPARE(std::string(f.what()), std::string(what));
                QCOMPARE(f.step(), int64_t(2));
                QCOMPARE(f.kept_step(), int64_t(1));
                QVERIFY(f.site() == site);
                QCOMPARE(f.parameter(), param);
                QVERIFY(f.kind() == kind);
            }
            QCOMPARE(step, int64_t(1));
            QCOMPARE(norm_updates, 1);
            const State now = state();
            for (size_t i = 0; i < store.all().size(); ++i) {
                const std::string& name = store.all()[i]->name;
                QVERIFY2(now.value[i] == good.value[i], name.c_str());
                QVERIFY2(now.m[i] == good.m[i], name.c_str());
                QVERIFY2(now.v[i] == good.v[i], name.c_str());
            }
        };
        const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN(), inf = std::numeric_limits<Scalar>::infinity();
        poison = {{"lin.weight", nan}};
        expect_fault(FaultSite::Gradient, "lin.weight", NonFinite::NaN, "step 2: gradient of lin.weight is not finite (NaN)");
        poison = {{"lin.bias", nan}, {"emb", -inf}};
        expect_fault(FaultSite::Gradient, "emb", NonFinite::Inf, "step 2: gradient of emb is not finite (Inf)");
        poison.clear();
        loss_override = std::numeric_limits<double>::infinity();
        expect_fault(FaultSite::Loss, "", NonFinite::Inf, "step 2: loss is not finite (Inf)");
        loss_override = 0;
        tc.lr_factor = 1e40; // lr / (1 - beta1^t) overflows float: every weight would become +-Inf or NaN
        expect_fault(FaultSite::Update, "emb", NonFinite::NaN, "step 2: the Adam update of emb is not finite (NaN)");
        tc.lr_factor = 1;
        const StepStats st = driver.run(store, tc, C, step, rng, plan);
        QCOMPARE(st.step, int64_t(2));
        QCOMPARE(norm_updates, 2);
        QVERIFY(store.find("lin.weight")->value != good.value[1]);
        QCOMPARE(frozen->value, good.value[3]);
    }

    void a_large_learning_rate_faults_with_the_last_good_weights()
    {
        // The Noam factor 1e6 on the tiny translation model: a step meets a NaN or an Inf within
        // a few steps, names a parameter of the model or the loss, and the model keeps the
        // weights of the step before, all finite.
        CorpusSplits data;
        data.train = first_pairs(64);
        data.valid = first_pairs(8);
        TrainConfig tc;
        tc.seed = 3;
        tc.threads = 2;
        tc.max_tokens = 200;
        tc.warmup_steps = 4;
        tc.lr_factor = 1e6;
        Trainer t(data, tiny_config(), tc, DataOptions{});
        const ParamStore& params = t.model().net.params();
        std::vector<Mat> before;
        bool faulted = false;
        for (int i = 0; i < 50 && !faulted; ++i) {
            before.clear();
            for (const auto& p : params.all())
                before.push_back(p->value);
            try {
                t.train_step();
            } catch (const NumericFault& f) {
                qInfo("%s", f.what());
                faulted = true;
                QCOMPARE(f.step(), t.step() + 1);
                if (f.site() == FaultSite::Gradient || f.site() == FaultSite::Update)
                    QVERIFY2(params.find(f.parameter()), f.parameter().c_str());
                QVERIFY(std::string(f.what()).rfind("step " + std::to_string(f.step()) + ": ", 0) == 0);
            }
        }
        QVERIFY2(faulted, "50 steps at lr factor 1e6 stayed finite");
        for (size_t i = 0; i < params.all().size(); ++i) {
            QVERIFY2(params.all()[i]->value == before[i], params.all()[i]->name.c_str());
            QVERIFY2(params.all()[i]->value.allFinite(), params.all()[i]->name.c_str());
        }
    }

    void micro_batch_cuts_respect_the_budget()
    {
        QCOMPARE(micro_batch_cuts(7, 3, 0), (std::vector<int>{0, 7}));
        QCOMPARE(micro_batch_cuts(7, 3, 6), (std::vector<int>{0, 1, 3, 5, 7})); // 2 per piece -> 4 pieces
        QCOMPARE(micro_batch_cuts(3, 10, 4), (std::vector<int>{0, 1, 2, 3}));   // at least one sequence each
        QCOMPARE(even_split_points(7, 2), (std::vector<int>{0, 3, 7}));
        QCOMPARE(even_split_points(2, 4), (std::vector<int>{0, 1, 2}));
        QCOMPARE(even_split_points(5, 1), (std::vector<int>{0, 5}));
    }

    void keep_best_restores_the_best_validation_weights()
    {
        // Translation keep-best, as for the task models: the weights of the best-scoring pass
        // come back when the final pass scores lower; step count and Adam moments stay.
        CorpusSplits data;
        data.train = first_pairs(64);
        data.valid = first_pairs(16);
        TrainConfig tc;
        tc.seed = 4;
        tc.threads = 1;
        tc.max_tokens = 200;
        tc.warmup_steps = 5;
        Trainer t(data, tiny_config(), tc, DataOptions{});
        QVERIFY(!t.restore_best(0.0)); // nothing kept yet
        t.train_step();
        QVERIFY(t.keep_if_best(-2.0));
        const Mat kept = t.model().net.params().find("generator.weight")->value;
        QVERIFY(!t.keep_if_best(-3.0)); // worse: not kept
        QVERIFY(!t.keep_if_best(-2.0)); // not better: the earlier pass stays
        for (int i = 0; i < 3; ++i)
            t.train_step();
        const Mat trained = t.model().net.params().find("generator.weight")->value;
        QVERIFY((trained - kept).cwiseAbs().maxCoeff() > 0);
        const Mat moment = t.model().net.params().find("generator.weight")->adam_m;
        QVERIFY(!t.restore_best(-1.0)); // the final pass is better: weights stay
        QCOMPARE(t.model().net.params().find("generator.weight")->value, trained);
        QVERIFY(t.restore_best(-2.5));
        QCOMPARE(t.model().net.params().find("generator.weight")->value, kept);
        QCOMPARE(t.model().net.params().find("generator.weight")->adam_m, moment);
        QCOMPARE(t.step(), int64_t(4));
        QCOMPARE(t.best().best_step(), int64_t(1));
        QCOMPARE(t.best().best_score(), -2.0);
        // restore_weights puts back a snapshot()'s weights in the same way.
        const std::shared_ptr<const TranslationModel> snap = t.snapshot();
        t.train_step();
        t.restore_weights(*snap);
        QCOMPARE(t.model().net.params().find("generator.weight")->value, kept);
    }

    void resumed_trainer_continues_the_optimizer_state()
    {
        // save() writes optimizer.safetensors; a trainer resumed from it starts at the saved
        // step with the saved Adam moments (resume_optimizer, shared by both trainers).
        CorpusSplits data;
        data.train = first_pairs(64);
        TrainConfig tc;
        tc.seed = 4;
        tc.threads = 1;
        tc.max_tokens = 200;
        Trainer t(data, tiny_config(), tc, DataOptions{});
        for (int i = 0; i < 2; ++i)
            t.train_step();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        t.save(dir.path().toStdString());
        const std::string opt = (std::filesystem::path(dir.path().toStdString()) / "optimizer.safetensors").string();
        Trainer resumed(data, TranslationModel(t.model()), tc, opt);
        QCOMPARE(resumed.step(), int64_t(2));
        QCOMPARE(resumed.model().net.params().find("generator.weight")->adam_v,
                 t.model().net.params().find("generator.weight")->adam_v);
        QCOMPARE(resumed.train_step().step, int64_t(3));
    }

    void copies_hold_values_without_gradients_until_training()
    {
        Transformer net(tiny_config(), 4);
        const Transformer copy(net);
        for (const auto& p : copy.params().all()) {
            QCOMPARE(p->value, net.params().find(p->name)->value);
            QCOMPARE(p->grad.size(), Eigen::Index(0));
        }
        Transformer trainable(net);
        trainable.params().zero_grad();
        for (const auto& p : trainable.params().all())
            QCOMPARE(p->grad.size(), p->value.size());
    }

    void save_load_gives_identical_logits()
    {
        CorpusSplits data;
        data.train = first_pairs(100);
        data.valid = data.train;
        ModelConfig mc = tiny_config(true);
        TrainConfig tc;
        tc.max_tokens = 300;
        Trainer trainer(data, mc, tc, DataOptions{});
        for (int i = 0; i < 5; ++i)
            trainer.train_step();
        QTemporaryDir dir;
        const std::string path = dir.filePath("model").toStdString();
        trainer.save(path);
        const TranslationModel loaded = load_model_dir(path);
        QCOMPARE(loaded.net.config().norm_first, true);
        QCOMPARE(loaded.src_vocab.size(), trainer.model().src_vocab.size());
        const Batch b = single({4, 5, 6, Seq2SeqIds::EOS}, {Seq2SeqIds::BOS, 7, 8}, 4, 3);
        Seq2SeqActivations x, y;
        trainer.model().net.forward(b, x, false, nullptr);
        loaded.net.forward(b, y, false, nullptr);
        QVERIFY(x.logits == y.logits); // bit-identical
        QCOMPARE(translate(loaded, data.train[3].src).text, translate(trainer.model(), data.train[3].src).text);

        // Resuming continues the step count and the optimizer state.
        Trainer resumed(data, load_model_dir(path), tc, path + "/optimizer.safetensors");
        QCOMPARE(resumed.step(), int64_t(5));
        QCOMPARE(resumed.train_step().step, int64_t(6));
    }

    void bad_checkpoints_are_refused()
    {
        CorpusSplits data;
        data.train = first_pairs(50);
        TrainConfig tc;
        tc.max_tokens = 300;
        Trainer trainer(data, tiny_config(), tc, DataOptions{});
        QTemporaryDir dir;
        const std::string path = dir.filePath("m").toStdString();
        trainer.save(path);
        const std::string weights = path + "/model.safetensors";
        const std::string bytes = read_file(weights);

        // Truncated weights.
        atomic_write_file(weights, bytes.substr(0, bytes.size() / 2));
        try {
            load_model_dir(path);
            QFAIL("truncated checkpoint accepted");
        } catch (const Error& e) {
            qInfo("truncated: %s", e.what());
            QVERIFY(std::string(e.what()).find("model.safetensors") != std::string::npos);
        }
        // Corrupted header.
        std::string corrupt = bytes;
        corrupt[10] = '#';
        atomic_write_file(weights, corrupt);
        QVERIFY_THROWS_EXCEPTION(Error, load_model_dir(path));
        // A config that does not match the weights: the tensor is named.
        atomic_write_file(weights, bytes);
        std::string cfg = read_file(path + "/config.json");
        const auto pos = cfg.find("\"dim_feedforward\": 24");
        QVERIFY(pos != std::string::npos);
        cfg.replace(pos, 21, "\"dim_feedforward\": 20");
        atomic_write_file(path + "/config.json", cfg);
        try {
            load_model_dir(path);
            QFAIL("mismatched checkpoint accepted");
        } catch (const Error& e) {
            qInfo("mismatch: %s", e.what());
            QVERIFY(std::string(e.what()).find("linear1.weight") != std::string::npos);
        }
        // Missing directory.
        QVERIFY_THROWS_EXCEPTION(Error, load_model_dir(path + "/nope"));
    }
};

QTEST_APPLESS_MAIN(ModelTest)
#include "test_model.moc"
