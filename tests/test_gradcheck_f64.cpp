// SPDX-License-Identifier: GPL-3.0-or-later
// Finite-difference gradient checks of every layer with a backward pass, in double precision
// (this executable links engine_f64, the engine built with Scalar = double).
// Method: L = sum(f(x) * R) for a fixed random R; analytic gradients come from backward(dy = R);
// numerical ones from central differences with h = 1e-6. Tolerance: |a - n| <= 1e-6 * max(1, |a|, |n|).
// Entries checked: all of a small tensor, else seeded random ones covering every row and column
// (gradcheck::sample_entries).
// Sizes are odd and non-square: B = 2, S = 5, T = 4, C = 12, H = 3, F = 10, V = 7.
#include "engine/nn/block.h"
#include "engine/nn/embedding.h"
#include "engine/nn/loss.h"
#include "engine/nn/positional_encoding.h"
#include "engine/models/nat.h"
#include "engine/models/transformer.h"

#include "gradcheck_support.h"

#include <QtTest>
#include <functional>
#include <set>

using namespace al;

namespace {


Mat random_mat(Eigen::Index r, Eigen::Index c, Rng& rng, double scale = 1.0)
{
    Mat m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = rng.normal(0.0, scale);
    return m;
}

void randomize(ParamStore& store, Rng& rng)
{
    for (const auto& p : store.all())
        for (Eigen::Index i = 0; i < p->value.size(); ++i)
            p->value.data()[i] = (p->name.find("norm") != std::string::npos && p->name.find("weight") != std::string::npos)
                                     ? 1.0 + rng.normal(0.0, 0.2)
                                     : rng.normal(0.0, 0.4);
}

using gradcheck::check_tensor;

void check_params(ParamStore& store, const std::function<double()>& loss)
{
    for (const auto& p : store.all())
        check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss);
}

} // namespace

class GradCheck : public QObject {
    Q_OBJECT
private slots:
    void sampled_entries_cover_every_row_and_column()
    {
        using gradcheck::sample_entries;
        // Small tensors: every entry.
        QCOMPARE(sample_entries(5, 12, 60, 1).size(), size_t(60));
        QCOMPARE(sample_entries(1, 119, 60, 1).size(), size_t(119));
        // (C, C), (3C, C), (T, C), (C, F), (V, C) and long vectors: max_entries (or more when a
        // side is longer) distinct entries reaching every row and every column.
        const int shapes[][3] = {{12, 12, 60}, {36, 12, 60}, {10, 12, 40}, {12, 10, 40}, {7, 12, 20},
                                 {1, 300, 60}, {300, 1, 60}, {200, 3, 60}, {64, 64, 60}};
        for (const auto& s : shapes) {
            const Eigen::Index rows = s[0], cols = s[1];
            const std::vector<Eigen::Index> e = sample_entries(rows, cols, s[2], 7);
            QCOMPARE(e.size(), size_t(std::max<Eigen::Index>({Eigen::Index(s[2]), rows, cols})));
            std::set<Eigen::Index> distinct(e.begin(), e.end()), seen_rows, seen_cols;
            QCOMPARE(distinct.size(), e.size());
            for (const Eigen::Index i : e) {
                QVERIFY(i >= 0 && i < rows * cols);
                seen_rows.insert(i / cols);
                seen_cols.insert(i % cols);
            }
            QCOMPARE(Eigen::Index(seen_rows.size()), rows);
            QCOMPARE(Eigen::Index(seen_cols.size()), cols);
            // Seeded: the same seed gives the same entries, another seed others.
            QVERIFY(sample_entries(rows, cols, s[2], 7) == e);
            if (rows > 1 && cols > 1)
                QVERIFY(sample_entries(rows, cols, s[2], 8) != e);
        }
    }
    void linear()
    {
        Rng rng(1);
        ParamStore s;
        Linear lin(s, "lin", 12, 7);
        randomize(s, rng);
        Mat x = random_mat(5, 12, rng), R = random_mat(5, 7, rng);
        auto loss = [&] { Mat y; lin.forward(x, y); return (y.array() * R.array()).sum(); };
        s.zero_grad();
        Mat dx;
        lin.backward(x, R, &dx);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
    }

    void layer_norm()
    {
        Rng rng(2);
        ParamStore s;
        LayerNorm ln(s, "ln", 12, 1e-5);
        randomize(s, rng);
        Mat x = random_mat(5, 12, rng, 2.0), R = random_mat(5, 12, rng);
        LayerNormCache c;
        auto loss = [&] { Mat y; LayerNormCache cc; ln.forward(x, y, cc); return (y.array() * R.array()).sum(); };
        Mat y, dx;
        ln.forward(x, y, c);
        s.zero_grad();
        ln.backward(R, c, dx);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
    }

    void batch_norm_data()
    {
        QTest::addColumn<bool>("train");
        QTest::addColumn<bool>("padding");
        QTest::newRow("training, all rows count") << true << false;
        QTest::newRow("training, padding rows excluded from the statistics") << true << true;
        QTest::newRow("evaluation (running statistics)") << false << true;
    }
    void batch_norm()
    {
        QFETCH(bool, train);
        QFETCH(bool, padding);
        Rng rng(31);
        ParamStore s;
        BatchNorm bn(s, "bn", 12, 1e-5);
        randomize(s, rng);
        bn.running_var->value = bn.running_var->value.cwiseAbs().array() + 0.5; // a valid variance
        const std::vector<int> len = {5, 3}; // B = 2, L = 5: rows 8 and 9 are padding
        const RowMask rows{padding ? &len : nullptr, 5};
        Mat x = random_mat(10, 12, rng, 2.0), R = random_mat(10, 12, rng);
        auto loss = [&] { Mat y; BatchNormCache cc; bn.forward(x, y, train, rows, cc); return (y.array() * R.array()).sum(); };
        BatchNormCache c;
        Mat y, dx;
        bn.forward(x, y, train, rows, c);
        s.zero_grad();
        bn.backward(R, c, dx);
        for (const auto& p : s.all()) {
            if (!p->trainable) { // running statistics are buffers: no gradient
                QVERIFY(p->grad.isZero());
                continue;
            }
            check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss);
        }
        check_tensor("x", x, dx, loss);
        if (train) {
            // Counted rows have zero mean and unit (biased) variance per feature before gamma/beta.
            const Eigen::Index n = padding ? 8 : 10;
            const Mat xh = c.xhat.topRows(n);
            QVERIFY(xh.colwise().mean().cwiseAbs().maxCoeff() < 1e-12);
            QVERIFY((xh.array().square().colwise().mean() - 1.0).abs().maxCoeff() < 1e-4);
            QCOMPARE(c.n, int64_t(n));
        }
    }

    void feed_forward_gelu()
    {
        Rng rng(32);
        ParamStore s;
        FeedForward ff(s, "ff.", 12, 10, Activation::Gelu);
        randomize(s, rng);
        Mat x = random_mat(7, 12, rng), R = random_mat(7, 12, rng);
        auto run = [&](FeedForwardCache& c, Mat& out) { Rng d(7); ff.forward(x, 0.25, true, &d, c, out); };
        auto loss = [&] { FeedForwardCache c; Mat out; run(c, out); return (out.array() * R.array()).sum(); };
        FeedForwardCache c;
        Mat out, dx;
        run(c, out);
        s.zero_grad();
        ff.backward(x, R, c, dx);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
        // Exact GELU values: gelu(1) = Phi(1), gelu(-1) = -Phi(-1) (torch.nn.functional.gelu).
        FeedForward one(s, "one.", 1, 1, Activation::Gelu);
        one.linear1.weight->value.setOnes();
        one.linear1.bias->value.setZero();
        one.linear2.weight->value.setOnes();
        one.linear2.bias->value.setZero();
        Mat in(2, 1), y;
        in << 1.0, -1.0;
        FeedForwardCache oc;
        one.forward(in, 0.0, false, nullptr, oc, y);
        QVERIFY(std::abs(y(0, 0) - 0.8413447460685429) < 1e-12);
        QVERIFY(std::abs(y(1, 0) + 0.15865525393145707) < 1e-12);
    }

    void learned_positional_encoding()
    {
        Rng rng(33);
        ParamStore s;
        Embedding emb(s, "emb.weight", 7, 12);
        Param* pe = s.add("pos_emb.weight", {16, 12});
        randomize(s, rng);
        const std::vector<int> ids = {1, 4, 4, 6, 0, 2, 3, 5, 1, 0}; // B=2, L=5
        Mat R = random_mat(10, 12, rng);
        auto loss = [&] { Mat y; emb.forward(ids, 5, pe->value, y); return (y.array() * R.array()).sum(); };
        s.zero_grad();
        emb.backward(ids, R);
        positional_backward(R, 5, pe->grad);
        check_params(s, loss);
        QVERIFY(pe->grad.bottomRows(11).isZero()); // positions >= L get no gradient
    }

    void embedding_with_positional_encoding()
    {
        Rng rng(3);
        ParamStore s;
        Embedding emb(s, "emb.weight", 7, 12);
        randomize(s, rng);
        const Mat pe = sinusoidal_positional_encoding(16, 12);
        const std::vector<int> ids = {1, 4, 4, 6, 0, 2, 3, 5, 1, 0}; // B=2, L=5, repeated ids
        Mat R = random_mat(10, 12, rng);
        auto loss = [&] { Mat y; emb.forward(ids, 5, pe, y); return (y.array() * R.array()).sum(); };
        s.zero_grad();
        emb.backward(ids, R);
        check_params(s, loss);
        // The positional encoding is added, not learned: its table has the textbook values.
        QVERIFY(std::abs(pe(3, 0) - std::sin(3.0)) < 1e-12);
        QVERIFY(std::abs(pe(3, 1) - std::cos(3.0)) < 1e-12);
        QVERIFY(std::abs(pe(5, 4) - std::sin(5.0 / std::pow(10000.0, 4.0 / 12.0))) < 1e-12);
    }

    void attention_data()
    {
        QTest::addColumn<bool>("padding");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<bool>("cross");
        QTest::addColumn<double>("dropout");
        QTest::newRow("no mask") << false << false << false << 0.0;
        QTest::newRow("key padding") << true << false << false << 0.0;
        QTest::newRow("causal") << false << true << false << 0.0;
        QTest::newRow("causal + padding") << true << true << false << 0.0;
        QTest::newRow("cross, padded memory") << true << false << true << 0.0;
        QTest::newRow("padding + attention dropout") << true << false << false << 0.3;
    }
    void attention()
    {
        QFETCH(bool, padding);
        QFETCH(bool, causal);
        QFETCH(bool, cross);
        QFETCH(double, dropout);
        Rng rng(4);
        ParamStore s;
        MultiHeadAttention mha(s, "attn", 12, 3);
        randomize(s, rng);
        const int B = 2, Tq = cross ? 4 : 5, Tk = 5;
        Mat xq = random_mat(B * Tq, 12, rng), xkv = cross ? random_mat(B * Tk, 12, rng) : xq;
        const std::vector<int> key_len = {5, 3};
        AttentionMask mask{padding ? &key_len : nullptr, causal};
        Mat R = random_mat(B * Tq, 12, rng);
        const bool train = dropout > 0;
        auto run = [&](AttentionCache& c, Mat& out) {
            Rng drop_rng(99); // the same dropout mask on every evaluation
            mha.forward(xq, cross ? xkv : xq, B, mask, dropout, train, &drop_rng, c, out);
        };
        auto loss = [&] { AttentionCache c; Mat out; run(c, out); return (out.array() * R.array()).sum(); };
        AttentionCache c;
        Mat out, dxq, dxkv;
        run(c, out);
        s.zero_grad();
        mha.backward(xq, cross ? xkv : xq, R, c, dxq, dxkv);
        check_params(s, loss);
        if (cross) {
            check_tensor("xq", xq, dxq, loss);
            check_tensor("xkv", xkv, dxkv, loss);
        } else {
            Mat dx = dxq + dxkv;
            check_tensor("x", xq, dx, loss);
        }
    }

    void attention_variants_data()
    {
        QTest::addColumn<QString>("scoring");
        QTest::addColumn<QString>("normalization");
        QTest::addColumn<int>("window");
        QTest::addColumn<bool>("causal");
        QTest::addColumn<bool>("cross");
        QTest::newRow("unscaled dot") << "dot" << "softmax" << 0 << false << false;
        QTest::newRow("unscaled dot, causal") << "dot" << "softmax" << 0 << true << false;
        QTest::newRow("additive") << "additive" << "softmax" << 0 << false << false;
        QTest::newRow("additive, causal") << "additive" << "softmax" << 0 << true << false;
        QTest::newRow("additive, cross") << "additive" << "softmax" << 0 << false << true;
        QTest::newRow("relu") << "scaled_dot" << "relu" << 0 << false << false;
        QTest::newRow("relu, causal") << "scaled_dot" << "relu" << 0 << true << false;
        QTest::newRow("relu, cross") << "scaled_dot" << "relu" << 0 << false << true;
        QTest::newRow("additive + relu") << "additive" << "relu" << 0 << false << false;
        QTest::newRow("window 1") << "scaled_dot" << "softmax" << 1 << false << false;
        QTest::newRow("window 2, causal") << "scaled_dot" << "softmax" << 2 << true << false;
        QTest::newRow("window 1, relu, unscaled") << "dot" << "relu" << 1 << false << false;
        QTest::newRow("window 2, additive") << "additive" << "softmax" << 2 << false << false;
    }
    void attention_variants()
    {
        // Key padding {5, 3} always; attention dropout 0.2 with a fixed mask.
        QFETCH(QString, scoring);
        QFETCH(QString, normalization);
        QFETCH(int, window);
        QFETCH(bool, causal);
        QFETCH(bool, cross);
        Rng rng(21);
        ParamStore s;
        MultiHeadAttention mha(s, "attn", 12, 3, {}, parse_attention_scoring(scoring.toStdString()),
                               parse_attention_normalization(normalization.toStdString()));
        QCOMPARE(mha.additive_v != nullptr, scoring == "additive");
        randomize(s, rng);
        const int B = 2, Tq = cross ? 4 : 5, Tk = 5;
        Mat xq = random_mat(B * Tq, 12, rng), xkv = cross ? random_mat(B * Tk, 12, rng) : xq;
        const std::vector<int> key_len = {5, 3};
        AttentionMask mask{&key_len, causal, window};
        Mat R = random_mat(B * Tq, 12, rng);
        auto run = [&](AttentionCache& c, Mat& out) {
            Rng d(23);
            mha.forward(xq, cross ? xkv : xq, B, mask, 0.2, true, &d, c, out);
        };
        auto loss = [&] { AttentionCache c; Mat out; run(c, out); return (out.array() * R.array()).sum(); };
        AttentionCache c;
        Mat out, dxq, dxkv;
        run(c, out);
        // relu normalisation must have both signs of scores here, or its backward is untested.
        if (normalization == "relu") {
            QVERIFY((c.probs.array() > 0).count() > 0);
            QVERIFY((c.probs.array() == 0).count() > (c.probs.array() > 0).count() / 10);
        }
        s.zero_grad();
        mha.backward(xq, cross ? xkv : xq, R, c, dxq, dxkv);
        check_params(s, loss);
        if (cross) {
            check_tensor("xq", xq, dxq, loss);
            check_tensor("xkv", xkv, dxkv, loss);
        } else {
            Mat dx = dxq + dxkv;
            check_tensor("x", xq, dx, loss);
        }
    }

    void synthesizer_attention_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<bool>("causal");
        for (const char* v : {"dense", "random", "fixed_random", "factorized_dense", "factorized_random",
                              "random+vanilla", "dense+vanilla", "random+dense"}) {
            QTest::newRow(qPrintable(QString("%1, padding").arg(v))) << QString(v) << false;
            QTest::newRow(qPrintable(QString("%1, causal + padding").arg(v))) << QString(v) << true;
        }
    }
    void synthesizer_attention()
    {
        // Synthesizer (Tay et al. 2021): l = 6 > T = 5 exercises the top-left block; k = 3.
        QFETCH(QString, variant);
        QFETCH(bool, causal);
        Rng rng(9);
        ParamStore s;
        SynthesizerConfig synth{variant.toStdString(), 6, 3};
        MultiHeadAttention mha(s, "attn", 12, 3, synth);
        randomize(s, rng);
        const int B = 2, T = 5;
        Mat x = random_mat(B * T, 12, rng), R = random_mat(B * T, 12, rng);
        const std::vector<int> key_len = {5, 3};
        AttentionMask mask{&key_len, causal};
        auto run = [&](AttentionCache& c, Mat& out) {
            Rng d(17);
            mha.forward(x, x, B, mask, 0.2, true, &d, c, out);
        };
        auto loss = [&] { AttentionCache c; Mat out; run(c, out); return (out.array() * R.array()).sum(); };
        AttentionCache c;
        Mat out, dxq, dxkv;
        run(c, out);
        s.zero_grad();
        mha.backward(x, x, R, c, dxq, dxkv);
        for (const auto& p : s.all()) {
            if (!p->trainable) { // fixed random: no gradient at all
                QVERIFY(p->grad.isZero());
                continue;
            }
            check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss);
        }
        Mat dx = dxq + dxkv;
        check_tensor("x", x, dx, loss);
    }

    void feed_forward()
    {
        Rng rng(5);
        ParamStore s;
        FeedForward ff(s, "ff.", 12, 10);
        randomize(s, rng);
        Mat x = random_mat(7, 12, rng), R = random_mat(7, 12, rng);
        auto run = [&](FeedForwardCache& c, Mat& out) { Rng d(7); ff.forward(x, 0.25, true, &d, c, out); };
        auto loss = [&] { FeedForwardCache c; Mat out; run(c, out); return (out.array() * R.array()).sum(); };
        FeedForwardCache c;
        Mat out, dx;
        run(c, out);
        s.zero_grad();
        ff.backward(x, R, c, dx);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
    }

    void encoder_layer_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::addColumn<double>("dropout");
        QTest::newRow("Post-LN") << false << 0.0;
        QTest::newRow("Pre-LN") << true << 0.0;
        QTest::newRow("Post-LN, dropout") << false << 0.2;
    }
    void encoder_layer()
    {
        QFETCH(bool, pre_ln);
        QFETCH(double, dropout);
        Rng rng(6);
        ParamStore s;
        EncoderLayer layer(s, "enc.", 12, 3, 10, 1e-5, pre_ln);
        randomize(s, rng);
        const int B = 2, S = 5;
        Mat x = random_mat(B * S, 12, rng), R = random_mat(B * S, 12, rng);
        const std::vector<int> len = {5, 3};
        auto run = [&](EncoderLayerCache& c) { Rng d(11); layer.forward(x, B, len, dropout, dropout > 0, &d, c); };
        auto loss = [&] { EncoderLayerCache c; run(c); return (c.y.array() * R.array()).sum(); };
        EncoderLayerCache c;
        run(c);
        s.zero_grad();
        Mat dx;
        layer.backward(R, c, dx);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
    }

    void decoder_layer_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::addColumn<double>("dropout");
        QTest::newRow("Post-LN") << false << 0.0;
        QTest::newRow("Pre-LN") << true << 0.0;
        QTest::newRow("Pre-LN, dropout") << true << 0.2;
    }
    void decoder_layer()
    {
        QFETCH(bool, pre_ln);
        QFETCH(double, dropout);
        Rng rng(7);
        ParamStore s;
        DecoderLayer layer(s, "dec.", 12, 3, 10, 1e-5, pre_ln);
        randomize(s, rng);
        const int B = 2, T = 4, S = 5;
        Mat x = random_mat(B * T, 12, rng), memory = random_mat(B * S, 12, rng), R = random_mat(B * T, 12, rng);
        const std::vector<int> tgt_len = {4, 2}, src_len = {3, 5};
        auto run = [&](DecoderLayerCache& c) {
            Rng d(13);
            layer.forward(x, memory, B, tgt_len, src_len, dropout, dropout > 0, &d, c);
        };
        auto loss = [&] { DecoderLayerCache c; run(c); return (c.y.array() * R.array()).sum(); };
        DecoderLayerCache c;
        run(c);
        s.zero_grad();
        Mat dx, dmem = Mat::Zero(memory.rows(), memory.cols());
        layer.backward(R, memory, c, dx, dmem);
        check_params(s, loss);
        check_tensor("x", x, dx, loss);
        check_tensor("memory", memory, dmem, loss);
    }

    void layers_with_block_options_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::addColumn<QString>("norm");
        QTest::addColumn<QString>("activation");
        QTest::addColumn<QString>("scoring");
        QTest::addColumn<QString>("normalization");
        QTest::addColumn<int>("window");
        QTest::addColumn<double>("attention_dropout");
        QTest::newRow("Post-LN batchnorm gelu") << false << "batchnorm" << "gelu" << "scaled_dot" << "softmax" << 0 << -1.0;
        QTest::newRow("Pre-LN batchnorm") << true << "batchnorm" << "relu" << "scaled_dot" << "softmax" << 0 << -1.0;
        QTest::newRow("Post-LN additive relu window") << false << "layernorm" << "relu" << "additive" << "relu" << 1 << -1.0;
        QTest::newRow("Pre-LN unscaled window gelu") << true << "layernorm" << "gelu" << "dot" << "softmax" << 2 << -1.0;
        QTest::newRow("Post-LN attention dropout 0.3") << false << "layernorm" << "relu" << "scaled_dot" << "softmax" << 0 << 0.3;
    }
    void layers_with_block_options()
    {
        QFETCH(bool, pre_ln);
        QFETCH(QString, norm);
        QFETCH(QString, activation);
        QFETCH(QString, scoring);
        QFETCH(QString, normalization);
        QFETCH(int, window);
        QFETCH(double, attention_dropout);
        BlockOptions o;
        o.norm = parse_norm_kind(norm.toStdString());
        o.activation = parse_activation(activation.toStdString());
        o.scoring = parse_attention_scoring(scoring.toStdString());
        o.normalization = parse_attention_normalization(normalization.toStdString());
        o.window = window;
        o.attention_dropout = attention_dropout;
        const double dp = 0.1; // residual and feed-forward dropout with fixed masks
        {
            Rng rng(34);
            ParamStore s;
            EncoderLayer layer(s, "enc.", 12, 3, 10, 1e-5, pre_ln, o);
            randomize(s, rng);
            const int B = 2, S = 5;
            Mat x = random_mat(B * S, 12, rng), R = random_mat(B * S, 12, rng);
            const std::vector<int> len = {5, 3};
            auto run = [&](EncoderLayerCache& c) { Rng d(11); layer.forward(x, B, len, dp, true, &d, c); };
            auto loss = [&] { EncoderLayerCache c; run(c); return (c.y.array() * R.array()).sum(); };
            EncoderLayerCache c;
            run(c);
            QCOMPARE(c.sa.prob_drop.active(), attention_dropout != 0.0);
            s.zero_grad();
            Mat dx;
            layer.backward(R, c, dx);
            for (const auto& p : s.all())
                if (p->trainable)
                    check_tensor("encoder " + QString::fromStdString(p->name), p->value, p->grad, loss);
            check_tensor("encoder x", x, dx, loss);
        }
        {
            Rng rng(35);
            ParamStore s;
            DecoderLayer layer(s, "dec.", 12, 3, 10, 1e-5, pre_ln, o);
            randomize(s, rng);
            const int B = 2, T = 4, S = 5;
            Mat x = random_mat(B * T, 12, rng), memory = random_mat(B * S, 12, rng), R = random_mat(B * T, 12, rng);
            const std::vector<int> tgt_len = {4, 2}, src_len = {3, 5};
            auto run = [&](DecoderLayerCache& c) {
                Rng d(13);
                layer.forward(x, memory, B, tgt_len, src_len, dp, true, &d, c);
            };
            auto loss = [&] { DecoderLayerCache c; run(c); return (c.y.array() * R.array()).sum(); };
            DecoderLayerCache c;
            run(c);
            s.zero_grad();
            Mat dx, dmem = Mat::Zero(memory.rows(), memory.cols());
            layer.backward(R, memory, c, dx, dmem);
            for (const auto& p : s.all())
                if (p->trainable)
                    check_tensor("decoder " + QString::fromStdString(p->name), p->value, p->grad, loss);
            check_tensor("decoder x", x, dx, loss);
            check_tensor("decoder memory", memory, dmem, loss);
        }
    }

    void label_smoothed_cross_entropy_data()
    {
        QTest::addColumn<double>("eps");
        QTest::newRow("no smoothing") << 0.0;
        QTest::newRow("label smoothing 0.1") << 0.1;
    }
    void label_smoothed_cross_entropy()
    {
        QFETCH(double, eps);
        Rng rng(8);
        Mat logits = random_mat(6, 7, rng, 2.0);
        const std::vector<int> targets = {3, 0, 6, 1, 0, 5}; // 0 = PAD rows are ignored
        Mat dlogits;
        cross_entropy_forward_backward(logits, targets, 0, eps, &dlogits);
        auto loss = [&] { return cross_entropy_forward_backward(logits, targets, 0, eps, nullptr); };
        check_tensor("logits", logits, dlogits, loss);
        QVERIFY(dlogits.row(1).isZero());
        // Value check against the definition for one row: eps = 0 gives -log softmax[y].
        if (eps == 0.0) {
            Mat one = logits.row(0);
            const double lse = std::log(one.array().exp().sum());
            QVERIFY(std::abs(cross_entropy_forward_backward(one, {3}, 0, 0.0, nullptr) - (lse - one(0, 3))) < 1e-12);
        }
    }

    void whole_model_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::addColumn<QString>("options"); // key=value;... applied to the config
        QTest::newRow("Post-LN") << false << "";
        QTest::newRow("Pre-LN") << true << "";
        QTest::newRow("Post-LN, additive, relu, window 2, learned PE, batchnorm, gelu")
            << false << "scoring=additive;normalization=relu;window=2;pe=learned;norm=batchnorm;activation=gelu";
        QTest::newRow("Pre-LN, unscaled, window 1, no PE, gelu, attention dropout 0.2")
            << true << "scoring=dot;window=1;pe=none;activation=gelu;attention_dropout=0.2";
        QTest::newRow("Pre-LN, learned PE, batchnorm") << true << "pe=learned;norm=batchnorm";
    }
    void whole_model()
    {
        QFETCH(bool, pre_ln);
        QFETCH(QString, options);
        ModelConfig cfg;
        for (const QString& kv : options.split(';', Qt::SkipEmptyParts)) {
            const QString key = kv.section('=', 0, 0);
            const std::string value = kv.section('=', 1).toStdString();
            if (key == "scoring")
                cfg.attention_scoring = value;
            else if (key == "normalization")
                cfg.attention_normalization = value;
            else if (key == "window")
                cfg.attention_window = std::stoi(value);
            else if (key == "pe")
                cfg.positional_encoding = value;
            else if (key == "norm")
                cfg.norm = value;
            else if (key == "activation")
                cfg.activation = value;
            else if (key == "attention_dropout")
                cfg.attention_dropout = std::stod(value);
            else
                QFAIL(qPrintable("unknown option " + key));
        }
        cfg.src_vocab_size = 9;
        cfg.tgt_vocab_size = 7;
        cfg.d_model = 12;
        cfg.nhead = 3;
        cfg.num_encoder_layers = 2;
        cfg.num_decoder_layers = 1;
        cfg.dim_feedforward = 10;
        cfg.dropout = 0.1;
        cfg.norm_first = pre_ln;
        cfg.max_len = 16;
        Transformer net(cfg, 3);
        Batch b;
        b.B = 2;
        b.S = 5;
        b.T = 4;
        b.src = {4, 5, 6, 7, 2, 8, 5, 2, 0, 0};
        b.src_len = {5, 3};
        b.tgt_in = {1, 4, 5, 6, 1, 3, 0, 0};
        b.tgt_out = {4, 5, 6, 2, 3, 2, 0, 0};
        b.tgt_len = {4, 2};
        auto loss = [&] {
            Seq2SeqActivations a;
            Rng d(5);
            net.forward(b, a, true, &d);
            return cross_entropy_forward_backward(a.logits, b.tgt_out, 0, 0.1, nullptr);
        };
        Seq2SeqActivations a;
        Rng d(5);
        net.forward(b, a, true, &d);
        Mat dlogits;
        cross_entropy_forward_backward(a.logits, b.tgt_out, 0, 0.1, &dlogits);
        net.params().zero_grad();
        net.backward(b, a, dlogits);
        for (const auto& p : net.params().all())
            if (p->trainable)
                check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss);
        if (cfg.positional_encoding == "learned")
            QVERIFY(!net.params().find("pos_emb.weight")->grad.isZero());
    }

    // Non-autoregressive model (docs/nat.md): non-causal decoder self-attention fed the copied
    // source embeddings, plus the length predictor on the mean-pooled memory; the loss is token
    // cross-entropy + lambda * length cross-entropy, as in Trainer::train_step.
    void nat_model_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::addColumn<QString>("pe");
        QTest::newRow("Post-LN, sinusoidal") << false << "sinusoidal";
        QTest::newRow("Pre-LN, learned PE") << true << "learned";
    }
    void nat_model()
    {
        QFETCH(bool, pre_ln);
        QFETCH(QString, pe);
        ModelConfig cfg;
        cfg.decoder = "nat";
        cfg.src_vocab_size = 9;
        cfg.tgt_vocab_size = 7;
        cfg.d_model = 12;
        cfg.nhead = 3;
        cfg.num_encoder_layers = 1;
        cfg.num_decoder_layers = 2;
        cfg.dim_feedforward = 10;
        cfg.dropout = 0.1;
        cfg.norm_first = pre_ln;
        cfg.positional_encoding = pe.toStdString();
        cfg.max_len = 8;
        Transformer net(cfg, 3);
        QVERIFY(net.params().find("tgt_tok_emb.weight") == nullptr);
        QVERIFY(net.params().find("length_predictor.weight") != nullptr);
        Batch b;
        b.B = 2;
        b.S = 5;
        b.T = 4;
        b.src = {4, 5, 6, 7, 2, 8, 5, 2, 0, 0};
        b.src_len = {5, 3};
        b.tgt_in = {1, 4, 5, 6, 1, 3, 0, 0}; // ignored by the NAT decoder
        b.tgt_out = {4, 5, 6, 2, 3, 2, 0, 0};
        b.tgt_len = {4, 2};
        const double lambda = 0.3;
        auto loss = [&] {
            Seq2SeqActivations a;
            Rng d(5);
            net.forward(b, a, true, &d);
            return cross_entropy_forward_backward(a.logits, b.tgt_out, 0, 0.1, nullptr) +
                   lambda * cross_entropy_forward_backward(a.length_logits, nat_length_targets(b), -1, 0.0, nullptr);
        };
        Seq2SeqActivations a;
        Rng d(5);
        net.forward(b, a, true, &d);
        QCOMPARE(a.length_logits.rows(), Eigen::Index(2));
        QCOMPARE(a.length_logits.cols(), Eigen::Index(cfg.max_len));
        Mat dlogits, dlength;
        cross_entropy_forward_backward(a.logits, b.tgt_out, 0, 0.1, &dlogits);
        cross_entropy_forward_backward(a.length_logits, nat_length_targets(b), -1, 0.0, &dlength);
        dlength *= lambda;
        net.params().zero_grad();
        net.backward(b, a, dlogits, &dlength);
        for (const auto& p : net.params().all())
            if (p->trainable)
                check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss);
        QVERIFY(!net.params().find("length_predictor.weight")->grad.isZero());
    }
};

QTEST_APPLESS_MAIN(GradCheck)
#include "test_gradcheck_f64.moc"
