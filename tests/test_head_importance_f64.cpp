// SPDX-License-Identifier: GPL-3.0-or-later
// The gradient importance of Michel et al. 2019 (engine/experiments/head_importance.h) against
// finite differences, in double precision (this executable links engine_f64).
// A gate xi_h on head h's output is the same as scaling the D columns hD..(h+1)D of its
// out_proj.weight by xi (out = sum_h xi_h ctx_h W_o[:, hD:(h+1)D]^T + b_o), so
//   dL(x)/dxi_h = (L(x; xi = 1 + e) - L(x; xi = 1 - e)) / 2e,  e = 1e-5,
// with L(x) the mean cross-entropy of example x's targets (a batch holding x alone, evaluate()).
// I_h = mean over examples of |dL(x)/dxi_h|; tolerance |a - n| <= 1e-7 * max(1, |a|).
// Sizes: C = 12, H = 3 (D = 4), 2 + 2 layers; three examples of different lengths.
#include "engine/data/batch.h"
#include "engine/eval/evaluate.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/task_models.h"
#include "engine/models/transformer.h"

#include <QtTest>
#include <cmath>

using namespace al;

namespace {

constexpr int kC = 12, kH = 3, kD = kC / kH;

ModelConfig tiny()
{
    ModelConfig c;
    c.src_vocab_size = 13;
    c.tgt_vocab_size = 11;
    c.d_model = kC;
    c.nhead = kH;
    c.num_encoder_layers = c.num_decoder_layers = 2;
    c.dim_feedforward = 10;
    c.dropout = 0;
    c.max_len = 12;
    return c;
}

std::string out_proj_weight(AttentionKind kind, int layer)
{
    const std::string l = std::to_string(layer);
    switch (kind) {
    case AttentionKind::EncoderSelf: return "transformer.encoder.layers." + l + ".self_attn.out_proj.weight";
    case AttentionKind::DecoderSelf: return "transformer.decoder.layers." + l + ".self_attn.out_proj.weight";
    case AttentionKind::Cross: return "transformer.decoder.layers." + l + ".multihead_attn.out_proj.weight";
    }
    return {};
}

bool close(double a, double n) { return std::abs(a - n) <= 1e-7 * std::max({1.0, std::abs(a), std::abs(n)}); }

// dL(x)/dxi_h by central differences, scaling the head's columns of `weight`.
template <class Net, class Loss>
double gate_derivative(Net& net, const std::string& weight, int h, Loss loss)
{
    const double e = 1e-5;
    Param* w = net.params().find(weight);
    const Mat saved = w->value.middleCols(h * kD, kD);
    w->value.middleCols(h * kD, kD) = saved * (1 + e);
    const double up = loss();
    w->value.middleCols(h * kD, kD) = saved * (1 - e);
    const double down = loss();
    w->value.middleCols(h * kD, kD) = saved;
    return (up - down) / (2 * e);
}

void randomize(ParamStore& store, uint64_t seed)
{
    Rng rng(seed);
    for (const auto& p : store.all())
        if (p->name.find("norm") == std::string::npos)
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = rng.normal(0.0, 0.4);
}

} // namespace

class HeadImportanceF64 : public QObject {
    Q_OBJECT
private slots:
    void gradient_importance_matches_finite_differences_of_a_gate()
    {
        Transformer net(tiny(), 3);
        randomize(net.params(), 11);
        const std::vector<EncodedPair> pairs = {{{4, 5, 6, 7}, {4, 5, 6}}, {{8, 9}, {7, 8, 9, 10}},
                                                {{10, 11, 12, 4, 5}, {6, 7}}};
        // One batch of all three examples (the per-example gradients come from one backward
        // pass) and, for the finite differences, one batch per example.
        const Batch all = make_batch({&pairs[0], &pairs[1], &pairs[2]});
        const GradientImportance g = gradient_importance(net, {all});
        QCOMPARE(g.examples, int64_t(3));
        QCOMPARE(g.heads.size(), size_t(3 * 2 * kH));
        for (size_t j = 0; j < g.heads.size(); ++j) {
            const HeadId id = g.heads[j];
            double expected = 0;
            for (const EncodedPair& p : pairs) {
                const std::vector<Batch> one = {make_batch({&p})};
                expected += std::abs(gate_derivative(net, out_proj_weight(id.kind, id.layer), id.head,
                                                     [&] { return evaluate(net, one).loss; }));
            }
            expected /= 3;
            QVERIFY2(expected > 1e-6, to_string(id).c_str()); // a head that matters: the check can fail
            QVERIFY2(close(g.raw[j], expected),
                     qPrintable(QString("%1: analytic %2, numerical %3")
                                    .arg(QString::fromStdString(to_string(id))).arg(g.raw[j], 0, 'g', 12)
                                    .arg(expected, 0, 'g', 12)));
        }
        // Split into batches of one, the figure is the same (the per-example scaling is right).
        std::vector<Batch> singles;
        for (const EncodedPair& p : pairs)
            singles.push_back(make_batch({&p}));
        const GradientImportance s = gradient_importance(net, singles);
        for (size_t j = 0; j < g.raw.size(); ++j)
            QVERIFY(close(s.raw[j], g.raw[j]));
        // Normalised per attention layer: each layer's scores have unit L2 norm.
        for (size_t start = 0; start < g.normalized.size(); start += kH) {
            double sq = 0;
            for (int h = 0; h < kH; ++h)
                sq += g.normalized[start + size_t(h)] * g.normalized[start + size_t(h)];
            QVERIFY(std::abs(sq - 1) < 1e-9);
        }
        // The model's own gradients are untouched (the backward passes ran on a copy).
        for (const auto& p : net.params().all())
            QVERIFY(p->grad.size() == 0 || p->grad.cwiseAbs().maxCoeff() == 0);
    }

    void task_model_gradient_importance_matches_finite_differences_data()
    {
        QTest::addColumn<QString>("task");
        QTest::newRow("pos (per token)") << "pos";
        QTest::newRow("sentiment (per text)") << "sentiment";
        QTest::newRow("charlm (causal)") << "charlm";
    }
    void task_model_gradient_importance_matches_finite_differences()
    {
        QFETCH(QString, task);
        ModelConfig c;
        c.task = task.toStdString();
        c.d_model = kC;
        c.nhead = kH;
        c.dim_feedforward = 10;
        c.dropout = 0;
        c.max_len = 8;
        c.num_encoder_layers = task == "charlm" ? 0 : 2;
        c.num_decoder_layers = task == "charlm" ? 2 : 0;
        c.vocab_size = 9;
        if (task != "charlm")
            c.labels = {"A", "B", "C"};
        TaskNet net(c, 5);
        randomize(net.params(), 13);
        auto one = [&](int example) {
            TaskBatch b;
            b.B = 1;
            b.T = example == 0 ? 5 : 3;
            b.ids = example == 0 ? std::vector<int>{6, 7, 8, 6, 7} : std::vector<int>{8, 8, 6};
            b.len = {b.T};
            if (task == "sentiment")
                b.targets = {example == 0 ? 2 : 0};
            else if (task == "pos")
                b.targets = example == 0 ? std::vector<int>{0, 1, 2, 1, 0} : std::vector<int>{2, 2, 1};
            else
                b.targets = example == 0 ? std::vector<int>{7, 8, 6, 7, 8} : std::vector<int>{8, 6, 7};
            return b;
        };
        TaskBatch both;
        both.B = 2;
        both.T = 5;
        both.ids = {6, 7, 8, 6, 7, 8, 8, 6, 0, 0};
        both.len = {5, 3};
        if (task == "sentiment")
            both.targets = {2, 0};
        else if (task == "pos")
            both.targets = {0, 1, 2, 1, 0, 2, 2, 1, -1, -1};
        else
            both.targets = {7, 8, 6, 7, 8, 8, 6, 7, -1, -1};
        const GradientImportance g = gradient_importance(net, {both});
        QCOMPARE(g.examples, int64_t(2));
        for (size_t j = 0; j < g.heads.size(); ++j) {
            const HeadId id = g.heads[j];
            const std::string w = "encoder.layers." + std::to_string(id.layer) + ".self_attn.out_proj.weight";
            double expected = 0;
            for (int x = 0; x < 2; ++x) {
                const std::vector<TaskBatch> batch = {one(x)};
                expected += std::abs(gate_derivative(net, w, id.head, [&] { return evaluate(net, batch).loss; }));
            }
            expected /= 2;
            QVERIFY(expected > 1e-6);
            QVERIFY2(close(g.raw[j], expected), qPrintable(QString("%1: analytic %2, numerical %3")
                                                               .arg(QString::fromStdString(to_string(id)))
                                                               .arg(g.raw[j], 0, 'g', 12)
                                                               .arg(expected, 0, 'g', 12)));
        }
    }
};

QTEST_GUILESS_MAIN(HeadImportanceF64)
#include "test_head_importance_f64.moc"
