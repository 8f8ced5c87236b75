// SPDX-License-Identifier: GPL-3.0-or-later
// Attention and block variants behave as the theory says (float engine): score variance with
// and without 1/sqrt(d_k), ReLU weights, local-window masks, positional encodings (learned,
// none: permutation equivariance), BatchNorm running statistics, and that every variant trains,
// decodes incrementally and survives a checkpoint. Gradient checks are in test_gradcheck_f64.
#include "engine/core/error.h"
#include "engine/nn/attention.h"
#include "engine/nn/norm.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QTemporaryDir>
#include "tests/test_support.h"

#include <QtTest>
#include <cmath>

using namespace al;

namespace {

ModelConfig tiny_config()
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
    c.max_len = 32;
    return c;
}

// Two sequences: sources of 7 and 4 tokens (padded to 7), targets of 6 and 3 (padded to 6).
Batch two_sequences()
{
    Batch b;
    b.B = 2;
    b.S = 7;
    b.T = 6;
    b.src = {4, 5, 6, 7, 8, 9, 2, 10, 5, 4, 2, 0, 0, 0};
    b.src_len = {7, 4};
    b.tgt_in = {1, 4, 5, 6, 7, 8, 1, 3, 7, 0, 0, 0};
    b.tgt_out = {4, 5, 6, 7, 8, 2, 3, 7, 2, 0, 0, 0};
    b.tgt_len = {6, 3};
    return b;
}

// A single-head attention block whose projections are the identity (zero biases), so that
// Q = x_q, K = V = x_kv and the weights can be compared with formulas on x directly.
MultiHeadAttention identity_attention(ParamStore& s, int C, AttentionScoring scoring, AttentionNormalization norm)
{
    MultiHeadAttention m(s, "attn", C, 1, {}, scoring, norm);
    for (int blk = 0; blk < 3; ++blk)
        m.in_proj_weight->value.middleRows(Eigen::Index(blk) * C, C).setIdentity();
    m.out_proj.weight->value.setIdentity();
    return m;
}

Mat random_mat(Eigen::Index r, Eigen::Index c, Rng& rng)
{
    Mat m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = Scalar(rng.normal());
    return m;
}

double max_abs_diff(const Mat& a, const Mat& b) { return double((a - b).cwiseAbs().maxCoeff()); }

} // namespace

class VariantsTest : public QObject {
    Q_OBJECT
private slots:
    void score_variance_grows_with_dk_unless_scaled()
    {
        // Section 3.2.1 of "Attention Is All You Need": for q, k with independent entries of
        // mean 0 and variance 1, q . k has variance d_k; the 1/sqrt(d_k) scaling brings it to 1.
        Rng rng(5);
        const int n = 20000;
        for (int dk : {4, 16, 64, 256}) {
            double sum_dot = 0, sum_sq_dot = 0, sum_sq_scaled = 0;
            const double s_dot = attention_scale(AttentionScoring::Dot, dk);
            const double s_scaled = attention_scale(AttentionScoring::ScaledDot, dk);
            for (int i = 0; i < n; ++i) {
                double dot = 0;
                for (int d = 0; d < dk; ++d)
                    dot += rng.normal() * rng.normal();
                sum_dot += dot;
                sum_sq_dot += (dot * s_dot) * (dot * s_dot);
                sum_sq_scaled += (dot * s_scaled) * (dot * s_scaled);
            }
            const double var_dot = sum_sq_dot / n - std::pow(sum_dot * s_dot / n, 2);
            const double var_scaled = sum_sq_scaled / n - std::pow(sum_dot * s_scaled / n, 2);
            QVERIFY2(std::abs(var_dot / dk - 1.0) < 0.06, qPrintable(QString("d_k %1: unscaled variance %2").arg(dk).arg(var_dot)));
            QVERIFY2(std::abs(var_scaled - 1.0) < 0.06, qPrintable(QString("d_k %1: scaled variance %2").arg(dk).arg(var_scaled)));
        }
    }

    void forward_uses_the_scoring_scale_data()
    {
        QTest::addColumn<QString>("scoring");
        QTest::newRow("scaled_dot") << "scaled_dot";
        QTest::newRow("dot") << "dot";
        QTest::newRow("additive") << "additive";
    }
    void forward_uses_the_scoring_scale()
    {
        // The weights of the attention block are softmax of the documented score, per row.
        QFETCH(QString, scoring);
        const AttentionScoring sc = parse_attention_scoring(scoring.toStdString());
        const int C = 8, T = 5;
        ParamStore s;
        MultiHeadAttention m = identity_attention(s, C, sc, AttentionNormalization::Softmax);
        Rng rng(6);
        if (m.additive_v)
            m.additive_v->value = random_mat(1, C, rng);
        const Mat x = random_mat(T, C, rng);
        AttentionCache c;
        Mat out;
        m.forward(x, x, 1, AttentionMask{}, 0.0, false, nullptr, c, out);
        Mat S(T, T);
        for (int i = 0; i < T; ++i)
            for (int j = 0; j < T; ++j)
                S(i, j) = sc == AttentionScoring::Additive
                              ? Scalar((m.additive_v->value.row(0).array() * (x.row(i) + x.row(j)).array().tanh()).sum())
                              : Scalar(x.row(i).dot(x.row(j)) * attention_scale(sc, C));
        for (int i = 0; i < T; ++i) {
            const auto e = (S.row(i).array() - S.row(i).maxCoeff()).exp();
            QVERIFY(max_abs_diff(c.probs.row(i), (e / e.sum()).matrix()) < 1e-5);
        }
        QCOMPARE(m.additive_v != nullptr, sc == AttentionScoring::Additive);
    }

    void relu_weights_are_unnormalised_and_masked_exactly()
    {
        const int C = 8, T = 6;
        ParamStore s;
        MultiHeadAttention m = identity_attention(s, C, AttentionScoring::ScaledDot, AttentionNormalization::Relu);
        Rng rng(7);
        const Mat x = random_mat(2 * T, C, rng);
        const std::vector<int> len = {6, 4};
        AttentionCache c;
        Mat out;
        m.forward(x, x, 2, AttentionMask{&len, true}, 0.0, false, nullptr, c, out);
        bool some_row_not_one = false;
        for (int b = 0; b < 2; ++b)
            for (int i = 0; i < T; ++i) {
                double sum = 0;
                for (int j = 0; j < T; ++j) {
                    const double p = c.probs(b * T + i, j);
                    if (j > i || j >= len[size_t(b)]) {
                        QVERIFY(p == 0.0); // masked: exactly 0
                        continue;
                    }
                    const double score = x.row(b * T + i).dot(x.row(b * T + j)) / std::sqrt(double(C));
                    QVERIFY(std::abs(p - std::max(0.0, score)) < 1e-5);
                    sum += p;
                }
                some_row_not_one |= std::abs(sum - 1.0) > 1e-3;
            }
        QVERIFY(some_row_not_one); // no normalisation
    }

    void window_zeroes_weights_outside_data()
    {
        QTest::addColumn<int>("window");
        QTest::addColumn<QString>("normalization");
        QTest::addColumn<QString>("scoring");
        QTest::newRow("w = 1, softmax") << 1 << "softmax" << "scaled_dot";
        QTest::newRow("w = 2, softmax") << 2 << "softmax" << "scaled_dot";
        QTest::newRow("w = 3, relu, unscaled") << 3 << "relu" << "dot";
        QTest::newRow("w = 2, additive") << 2 << "softmax" << "additive";
    }
    void window_zeroes_weights_outside()
    {
        QFETCH(int, window);
        QFETCH(QString, normalization);
        QFETCH(QString, scoring);
        ModelConfig cfg = tiny_config();
        cfg.attention_window = window;
        cfg.attention_normalization = normalization.toStdString();
        cfg.attention_scoring = scoring.toStdString();
        const Transformer net(cfg, 3);
        const Batch b = two_sequences();
        Seq2SeqActivations a;
        net.forward(b, a, false, nullptr);
        const int H = cfg.nhead;
        bool cross_outside_nonzero = false;
        for (int bb = 0; bb < b.B; ++bb)
            for (int h = 0; h < H; ++h) {
                for (const auto& layer : a.enc)
                    for (int i = 0; i < b.S; ++i)
                        for (int j = 0; j < b.S; ++j) {
                            const double p = layer.sa.probs((Eigen::Index(bb) * H + h) * b.S + i, j);
                            if (std::abs(i - j) > window || j >= b.src_len[size_t(bb)])
                                QVERIFY(p == 0.0); // exactly 0
                            else if (normalization == "softmax")
                                QVERIFY(p > 0.0);
                        }
                for (const auto& layer : a.dec) {
                    for (int i = 0; i < b.T; ++i)
                        for (int j = 0; j < b.T; ++j) {
                            const double p = layer.sa.probs((Eigen::Index(bb) * H + h) * b.T + i, j);
                            if (i - j > window || j > i || j >= b.tgt_len[size_t(bb)])
                                QVERIFY(p == 0.0); // exactly 0
                            else if (normalization == "softmax")
                                QVERIFY(p > 0.0);
                        }
                    // Cross-attention is not restricted.
                    for (int i = 0; i < b.T; ++i)
                        for (int j = 0; j < b.src_len[size_t(bb)]; ++j)
                            if (std::abs(i - j) > window)
                                cross_outside_nonzero |= layer.ca.probs((Eigen::Index(bb) * H + h) * b.T + i, j) > 0;
                }
            }
        QVERIFY(cross_outside_nonzero);
    }

    void incremental_decoding_matches_full_pass_data()
    {
        QTest::addColumn<QString>("options");
        QTest::newRow("window 1") << "window";
        QTest::newRow("unscaled dot, relu") << "dot relu";
        QTest::newRow("learned PE, gelu, batchnorm") << "learned gelu batchnorm";
        QTest::newRow("no PE, Pre-LN") << "none pre";
    }
    void incremental_decoding_matches_full_pass()
    {
        QFETCH(QString, options);
        ModelConfig cfg = tiny_config();
        const QStringList o = options.split(' ');
        if (o.contains("window"))
            cfg.attention_window = 1;
        if (o.contains("dot"))
            cfg.attention_scoring = "dot";
        if (o.contains("relu"))
            cfg.attention_normalization = "relu";
        if (o.contains("learned"))
            cfg.positional_encoding = "learned";
        if (o.contains("none"))
            cfg.positional_encoding = "none";
        if (o.contains("gelu"))
            cfg.activation = "gelu";
        if (o.contains("batchnorm"))
            cfg.norm = "batchnorm";
        cfg.norm_first = o.contains("pre");
        Transformer net(cfg, 4);
        if (cfg.norm == "batchnorm") // non-trivial running statistics
            for (const auto& p : net.params().all())
                if (p->name.find("running_") != std::string::npos)
                    p->value.array() += 0.3f;
        QVERIFY(net.supports_incremental_decoding());
        const Batch b = two_sequences();
        Seq2SeqActivations full;
        net.encode(b, full);
        net.decode(b, full);
        DecoderState st;
        net.start_decoding(b, full, 8, st);
        Mat out;
        for (int t = 0; t < 3; ++t) { // both sequences are real up to t = 2
            net.decode_step({b.tgt_in[size_t(t)], b.tgt_in[size_t(b.T + t)]}, st, out);
            for (int s = 0; s < 2; ++s)
                QVERIFY(max_abs_diff(out.row(s), full.dec_out.row(s * b.T + t)) < 1e-5);
        }
    }

    void without_positional_encoding_permuting_the_input_permutes_the_output_data()
    {
        QTest::addColumn<QString>("pe");
        QTest::addColumn<bool>("equivariant");
        QTest::newRow("none") << "none" << true;
        QTest::newRow("sinusoidal") << "sinusoidal" << false;
        QTest::newRow("learned") << "learned" << false;
    }
    void without_positional_encoding_permuting_the_input_permutes_the_output()
    {
        // Self-attention without positions is permutation-equivariant: a set, not a sequence.
        QFETCH(QString, pe);
        QFETCH(bool, equivariant);
        ModelConfig cfg = tiny_config();
        cfg.positional_encoding = pe.toStdString();
        Transformer net(cfg, 8);
        if (pe == "learned") // a trained-looking table rather than the small initial one
            net.params().find("pos_emb.weight")->value *= 50.0f;
        const std::vector<int> src = {4, 5, 6, 7, 8, 9, 10, 2};
        const std::vector<int> perm = {3, 0, 6, 1, 7, 2, 5, 4};
        Batch b, bp;
        b.B = bp.B = 1;
        b.S = bp.S = int(src.size());
        b.src_len = bp.src_len = {b.S};
        b.src = src;
        for (int i : perm)
            bp.src.push_back(src[size_t(i)]);
        Seq2SeqActivations a, ap;
        net.encode(b, a);
        net.encode(bp, ap);
        Mat permuted(a.memory.rows(), a.memory.cols());
        for (size_t r = 0; r < perm.size(); ++r)
            permuted.row(Eigen::Index(r)) = a.memory.row(perm[r]);
        const double diff = max_abs_diff(permuted, ap.memory);
        if (equivariant)
            QVERIFY2(diff < 1e-5, qPrintable(QString("max difference %1 (float rounding only expected)").arg(diff)));
        else
            QVERIFY2(diff > 1e-2, qPrintable(QString("max difference %1").arg(diff)));
    }

    void batch_norm_running_statistics_pool_shards_like_torch()
    {
        // torch.nn.BatchNorm1d(momentum=0.1): running_mean = 0.9 * 0 + 0.1 * mean,
        // running_var = 0.9 * 1 + 0.1 * unbiased var, statistics over counted rows only.
        ParamStore s1, s2;
        BatchNorm one(s1, "bn", 3, 1e-5), two(s2, "bn", 3, 1e-5);
        Rng rng(9);
        const Mat x = random_mat(10, 3, rng);
        const std::vector<int> len = {4, 5}; // B = 2, L = 5: row 4 is padding
        Mat y;
        BatchNormCache all;
        one.forward(x, y, true, RowMask{&len, 5}, all);
        one.update_running_stats({&all});
        // Same rows in two shards (as two data-parallel workers would see them).
        const Mat x0 = x.topRows(5), x1 = x.bottomRows(5);
        const std::vector<int> len0 = {4}, len1 = {5};
        BatchNormCache c0, c1;
        two.forward(x0, y, true, RowMask{&len0, 5}, c0);
        two.forward(x1, y, true, RowMask{&len1, 5}, c1);
        two.update_running_stats({&c0, &c1});
        std::vector<Eigen::Index> rows = {0, 1, 2, 3, 5, 6, 7, 8, 9};
        for (int f = 0; f < 3; ++f) {
            double mean = 0, var = 0;
            for (auto r : rows)
                mean += x(r, f);
            mean /= double(rows.size());
            for (auto r : rows)
                var += (x(r, f) - mean) * (x(r, f) - mean);
            var /= double(rows.size() - 1);
            QVERIFY(std::abs(one.running_mean->value(0, f) - 0.1 * mean) < 1e-6);
            QVERIFY(std::abs(one.running_var->value(0, f) - (0.9 + 0.1 * var)) < 1e-6);
            QVERIFY(std::abs(two.running_mean->value(0, f) - 0.1 * mean) < 1e-6);
            QVERIFY(std::abs(two.running_var->value(0, f) - (0.9 + 0.1 * var)) < 1e-6);
        }
        // Evaluation uses the running statistics, not the batch's.
        BatchNormCache ev;
        one.forward(x, y, false, RowMask{}, ev);
        const double expected = (x(0, 0) - one.running_mean->value(0, 0)) / std::sqrt(one.running_var->value(0, 0) + 1e-5);
        QVERIFY(std::abs(y(0, 0) - expected) < 1e-5);
    }

    void batch_norm_statistics_pool_any_split_of_the_rows()
    {
        // BatchNormStats pooled over uneven pieces (with padding rows) equals the mean and
        // unbiased variance of all counted rows, whatever the split and merge order.
        Rng rng(4);
        const Mat x = random_mat(24, 5, rng);
        ParamStore s;
        BatchNorm bn(s, "bn", 5, 1e-5);
        auto stats_of = [&](const std::vector<std::pair<int, int>>& pieces) {
            // piece = (first sequence, sequences); sequences of L = 4 rows, the last row of odd
            // sequences is padding.
            std::vector<BatchNormStats> parts;
            for (const auto& [b0, nb] : pieces) {
                std::vector<int> len;
                for (int b = b0; b < b0 + nb; ++b)
                    len.push_back(b % 2 ? 3 : 4);
                Mat y;
                BatchNormCache c;
                bn.forward(x.middleRows(b0 * 4, nb * 4), y, true, RowMask{&len, 4}, c);
                parts.emplace_back();
                parts.back().add(c);
            }
            BatchNormStats left, right, all;
            for (size_t i = 0; i < parts.size(); ++i)
                (i < parts.size() / 2 ? left : right).merge(parts[i]);
            all.merge(left);
            all.merge(right);
            return all;
        };
        const BatchNormStats whole = stats_of({{0, 6}}), pieces = stats_of({{0, 1}, {1, 2}, {3, 2}, {5, 1}});
        QCOMPARE(whole.n, int64_t(21));
        QCOMPARE(pieces.n, int64_t(21));
        for (int f = 0; f < 5; ++f) {
            double mean = 0, var = 0;
            int n = 0;
            for (int r = 0; r < 24; ++r)
                if (!((r / 4) % 2 == 1 && r % 4 == 3)) {
                    mean += x(r, f);
                    ++n;
                }
            mean /= n;
            for (int r = 0; r < 24; ++r)
                if (!((r / 4) % 2 == 1 && r % 4 == 3))
                    var += (x(r, f) - mean) * (x(r, f) - mean);
            var /= n - 1;
            QVERIFY(std::abs(whole.mean(f) - mean) < 1e-6);
            QVERIFY(std::abs(pieces.mean(f) - mean) < 1e-6);
            QVERIFY(std::abs(whole.unbiased_var()(f) - var) < 1e-5);
            QVERIFY(std::abs(pieces.unbiased_var()(f) - var) < 1e-5);
        }
    }

    void batch_norm_running_statistics_cover_every_micro_batch_and_shard()
    {
        // One training step of a BatchNorm model, run whole on one thread and as micro-batches of
        // at most 40 padded tokens on 2 threads: the running statistics are one momentum update
        // from the statistics of the whole batch (torch.nn.BatchNorm1d on the whole batch).
        // Exact (up to float rounding) for the norms whose input has not passed through an
        // earlier BatchNorm: norm1 of encoder and decoder layer 0 (Post-LN). Deeper norms see
        // activations normalised with each micro-batch's own statistics during training (as with
        // gradient accumulation or data parallelism without SyncBatchNorm in torch), so their
        // inputs, and hence their statistics, legitimately differ a little.
        CorpusSplits data;
        data.train = test::first_cmn_pairs(200);
        auto run = [&](int threads, int micro) {
            ModelConfig mc = tiny_config();
            mc.norm = "batchnorm";
            TrainConfig tc;
            tc.seed = 3;
            tc.threads = threads;
            tc.max_tokens = 300;
            tc.micro_batch_tokens = micro;
            Trainer t(data, mc, tc, DataOptions{});
            t.train_step();
            return Transformer(t.model().net);
        };
        auto max_diff = [](const Transformer& a, const Transformer& b, const std::string& name) {
            return double((a.params().find(name)->value - b.params().find(name)->value).cwiseAbs().maxCoeff());
        };
        // When every micro-batch holds the same sequence, each one's statistics are the whole
        // batch's, so the training forward passes agree too and every norm's running statistics
        // must equal the whole-batch update (a per-piece update would get the unbiased variance's
        // n - 1 wrong).
        const std::vector<SentencePair> all = data.train;
        data.train.assign(200, all[7]);
        {
            const Transformer whole = run(1, 0), split = run(2, 40);
            int norms = 0;
            for (const auto& p : whole.params().all())
                if (p->name.find(".running_") != std::string::npos) {
                    const double diff = max_diff(whole, split, p->name);
                    QVERIFY2(diff < 1e-5, qPrintable(QString("%1: max difference %2").arg(p->name.c_str()).arg(diff)));
                    ++norms;
                }
            QCOMPARE(norms, 2 * (2 * 2 + 1 + 3 * 2 + 1)); // mean and var of 4 + 1 + 6 + 1 norms
        }
        data.train = all;
        const Transformer whole = run(1, 0), split = run(2, 40);
        for (const char* norm : {"transformer.encoder.layers.0.norm1", "transformer.decoder.layers.0.norm1"})
            for (const char* buffer : {".running_mean", ".running_var"}) {
                const std::string name = std::string(norm) + buffer;
                const Mat& a = whole.params().find(name)->value;
                const Mat& b = split.params().find(name)->value;
                const double diff = (a - b).cwiseAbs().maxCoeff();
                QVERIFY2(diff < 1e-5, qPrintable(QString("%1: max difference %2").arg(name.c_str()).arg(diff)));
                // One update from the initial (0, 1): the buffers moved.
                const double init = std::string(buffer) == ".running_mean" ? 0.0 : 1.0;
                QVERIFY2((a.array() - init).abs().maxCoeff() > 1e-3, name.c_str());
            }
    }

    void default_model_has_no_extra_tensors()
    {
        const Transformer net(tiny_config(), 1);
        for (const auto& p : net.params().all()) {
            QVERIFY2(p->name.find("additive_v") == std::string::npos, p->name.c_str());
            QVERIFY2(p->name.find("running_") == std::string::npos, p->name.c_str());
            QVERIFY2(p->name != "pos_emb.weight", p->name.c_str());
        }
        QCOMPARE(net.positional_encoding().rows(), Eigen::Index(32));
    }

    void every_option_trains_and_round_trips_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("unscaled dot") << "attention_scoring" << "dot";
        QTest::newRow("additive") << "attention_scoring" << "additive";
        QTest::newRow("relu normalisation") << "attention_normalization" << "relu";
        QTest::newRow("window 3") << "attention_window" << "3";
        QTest::newRow("learned PE") << "positional_encoding" << "learned";
        QTest::newRow("no PE") << "positional_encoding" << "none";
        QTest::newRow("batchnorm") << "norm" << "batchnorm";
        QTest::newRow("gelu") << "activation" << "gelu";
    }
    void every_option_trains_and_round_trips()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        CorpusSplits data;
        data.train = test::first_cmn_pairs(64);
        data.valid = data.train;
        data.test = data.train;
        ModelConfig mc;
        mc.d_model = 32;
        mc.nhead = 4;
        mc.num_encoder_layers = 1;
        mc.num_decoder_layers = 1;
        mc.dim_feedforward = 48;
        mc.dropout = 0.0;
        mc.max_len = 24;
        const std::string v = value.toStdString();
        if (key == "attention_scoring")
            mc.attention_scoring = v;
        else if (key == "attention_normalization")
            mc.attention_normalization = v;
        else if (key == "attention_window")
            mc.attention_window = std::stoi(v);
        else if (key == "positional_encoding")
            mc.positional_encoding = v;
        else if (key == "norm")
            mc.norm = v;
        else if (key == "activation")
            mc.activation = v;
        TrainConfig tc;
        tc.max_tokens = 400;
        tc.max_len = 20;
        tc.warmup_steps = 30;
        tc.lr_factor = 2.0;
        tc.threads = 2; // BatchNorm statistics pooled across the two workers
        DataOptions opts;
        opts.min_count = 1;
        Trainer trainer(data, mc, tc, opts);
        const Transformer before(trainer.model().net);
        const double first = trainer.evaluate().loss;
        for (int i = 0; i < 60; ++i)
            trainer.train_step();
        const double last = trainer.evaluate().loss;
        QVERIFY2(last < first - 0.5, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
        for (const auto& p : trainer.model().net.params().all()) {
            const Param* old = before.params().find(p->name);
            QVERIFY(old);
            if (p->name.find("tok_emb") == std::string::npos)
                QVERIFY2(!(p->value == old->value), p->name.c_str()); // learned PE and running stats too
        }
        const Translation t = translate(trainer.model(), data.train[0].src);
        QTemporaryDir dir;
        trainer.save(dir.path().toStdString());
        const TranslationModel loaded = load_model_dir(dir.path().toStdString());
        for (const auto& p : trainer.model().net.params().all()) {
            const Param* q = loaded.net.params().find(p->name);
            QVERIFY2(q && q->value == p->value, p->name.c_str()); // running statistics saved too
        }
        QCOMPARE(QString::fromStdString(translate(loaded, data.train[0].src).text), QString::fromStdString(t.text));
    }
};

QTEST_APPLESS_MAIN(VariantsTest)
#include "test_variants.moc"
