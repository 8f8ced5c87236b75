// SPDX-License-Identifier: GPL-3.0-or-later
// Hidden states layer by layer (engine/trace/hidden_states.h): the layer states a forward Trace
// gives, the cosine similarity of a token in two contexts, and the 2-D PCA projection.
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "engine/trace/hidden_states.h"

#include "test_support.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace al;

namespace {

TranslationModel makeModel(const std::string& positional, bool preLn)
{
    return test::tinyTranslationModel({"i saw a ."}, {"x", "y"}, 9,
                                      [&](ModelConfig& c) {
                                          c.num_encoder_layers = 3;
                                          c.positional_encoding = positional;
                                          c.norm_first = preLn;
                                      },
                                      TokenKind::Word);
}

Trace forwardTrace(const TranslationModel& m, const std::string& sentence)
{
    Trace t;
    DecodingOptions opts;
    opts.max_len = 4;
    TraceOptions topts;
    topts.forward_detail = true;
    translate(m, sentence, opts, &t, topts);
    return t;
}

} // namespace

class HiddenStatesTest : public QObject {
    Q_OBJECT
private slots:
    void layer_states_are_the_stream_after_each_layer_data()
    {
        QTest::addColumn<bool>("preLn");
        QTest::newRow("Post-LN") << false;
        QTest::newRow("Pre-LN") << true;
    }
    void layer_states_are_the_stream_after_each_layer()
    {
        QFETCH(bool, preLn);
        const TranslationModel m = makeModel("sinusoidal", preLn);
        const Trace t = forwardTrace(m, "i saw a saw .");
        QVERIFY(!first_stack_is_decoder(t.forward));
        const LayerStates enc = layer_states(t.forward, false);
        QCOMPARE(enc.labels, (std::vector<std::string>{"embedding", "layer 1", "layer 2", "layer 3", "final norm"}));
        for (const Mat& s : enc.states) {
            QCOMPARE(s.rows(), Eigen::Index(t.src_tokens.size()));
            QCOMPARE(s.cols(), Eigen::Index(16));
        }
        // Layer 2's state is the stream after the last step of layer 2 (its feed-forward, or its
        // add & norm in Post-LN), and it differs from layer 1's.
        const ForwardStep* last = nullptr;
        for (const ForwardStep& s : t.forward.steps)
            if (!s.decoder && s.layer == 1)
                last = &s;
        QVERIFY(last);
        QCOMPARE(last->stage, preLn ? ForwardStage::FeedForward : ForwardStage::AddNorm);
        QVERIFY((enc.states[2] - last->stream).cwiseAbs().maxCoeff() == 0);
        QVERIFY((enc.states[2] - enc.states[1]).cwiseAbs().maxCoeff() > 1e-4);
        const LayerStates dec = layer_states(t.forward, true);
        QCOMPARE(dec.labels.size(), size_t(4)); // embedding, 2 layers, final norm
        QVERIFY_THROWS_EXCEPTION(Error, layer_states(ForwardTrace{}, false));
    }

    void the_same_word_differs_by_context_only_after_attention()
    {
        // Without positional encoding the embedding of "saw" is the same in "i saw ." and in
        // "a saw ." (cosine 1); self-attention mixes in the context, which differs, and the two
        // representations part from layer 1 on.
        const TranslationModel m = makeModel("none", false);
        const Trace t1 = forwardTrace(m, "i saw .");
        const Trace t2 = forwardTrace(m, "a saw .");
        QCOMPARE(t1.src_tokens[1], std::string("saw"));
        QCOMPARE(t2.src_tokens[1], std::string("saw"));
        const LayerStates s1 = layer_states(t1.forward, false), s2 = layer_states(t2.forward, false);
        const std::vector<double> cos = cosine_by_layer(s1, 1, s2, 1);
        QCOMPARE(cos.size(), s1.states.size());
        QVERIFY(std::abs(cos[0] - 1.0) < 1e-6);
        for (size_t l = 1; l < cos.size(); ++l)
            QVERIFY2(cos[l] < 1.0 - 1e-4, qPrintable(QString("layer state %1: %2").arg(l).arg(cos[l])));
        // A token against itself is 1 everywhere.
        for (double c : cosine_by_layer(s1, 2, s1, 2))
            QVERIFY(std::abs(c - 1.0) < 1e-6);
        QVERIFY_THROWS_EXCEPTION(Error, cosine_by_layer(s1, 0, s2, 99));
        // Different tokens: the baseline averages only pairs whose tokens differ.
        const std::vector<double> base = mean_cosine_of_different_tokens(s1, t1.src_tokens, s2, t2.src_tokens);
        QCOMPARE(base.size(), s1.states.size());
        QVERIFY(base[0] < 0.999);
        const std::vector<std::string> same(t1.src_tokens.size(), "w");
        QVERIFY(std::isnan(mean_cosine_of_different_tokens(s1, same, s1, same)[0]));
    }

    void without_positions_an_encoder_cannot_tell_two_occurrences_apart()
    {
        // An encoder without positional encoding is permutation-equivariant: "saw" at positions
        // 2 and 4 of "i saw a saw ." has the same token and sees the same set of tokens, so its
        // two representations are equal after every layer. Sinusoidal positions tell them apart.
        const Trace none = forwardTrace(makeModel("none", false), "i saw a saw .");
        const LayerStates s = layer_states(none.forward, false);
        for (double c : cosine_by_layer(s, 1, s, 3))
            QVERIFY(std::abs(c - 1.0) < 1e-5);
        const Trace sin = forwardTrace(makeModel("sinusoidal", false), "i saw a saw .");
        const LayerStates p = layer_states(sin.forward, false);
        const std::vector<double> cos = cosine_by_layer(p, 1, p, 3);
        QVERIFY(cos[0] < 1.0 - 1e-3);
        QVERIFY(cos.back() < 1.0 - 1e-4);
    }

    void cosine_worked_by_hand()
    {
        RowVec a(3), b(3), z = RowVec::Zero(3);
        a << 1, 0, 1;
        b << 0, 1, 1;
        QVERIFY(std::abs(cosine_similarity(a, b) - 0.5) < 1e-7); // 1 / (sqrt 2 * sqrt 2)
        QVERIFY(std::abs(cosine_similarity(a, -a) + 1.0) < 1e-7);
        QCOMPARE(cosine_similarity(a, z), 0.0);
    }

    void pca_of_points_on_a_line()
    {
        // Points (t, 2t, 0): all variance along (1, 2, 0) / sqrt 5; the second coordinate is 0.
        Mat X(4, 3);
        X << 0, 0, 0, 1, 2, 0, 2, 4, 0, 3, 6, 0;
        const Projection2D p = pca_2d(X);
        QVERIFY(std::abs(p.axes(0, 0) - 1 / std::sqrt(5.0)) < 1e-6);
        QVERIFY(std::abs(p.axes(0, 1) - 2 / std::sqrt(5.0)) < 1e-6); // sign: largest component positive
        QVERIFY(std::abs(p.explained[0] - 1.0) < 1e-9);
        QCOMPARE(p.explained[1], 0.0);
        // Centred at t = 1.5: projections (t - 1.5) * sqrt 5.
        for (int i = 0; i < 4; ++i) {
            QVERIFY(std::abs(p.points(i, 0) - (i - 1.5) * std::sqrt(5.0)) < 1e-5);
            QCOMPARE(double(p.points(i, 1)), 0.0);
        }
    }

    void pca_axes_are_orthonormal_and_ordered_by_variance()
    {
        std::mt19937 rng(4);
        std::normal_distribution<double> g(0, 1);
        Mat X(50, 6);
        for (int i = 0; i < 50; ++i)
            for (int j = 0; j < 6; ++j)
                X(i, j) = Scalar(g(rng) * (6 - j)); // variance falls with the column
        const Projection2D p = pca_2d(X);
        QVERIFY(std::abs(p.axes.row(0).norm() - 1) < 1e-5);
        QVERIFY(std::abs(p.axes.row(1).norm() - 1) < 1e-5);
        QVERIFY(std::abs(p.axes.row(0).dot(p.axes.row(1))) < 1e-5);
        QVERIFY(p.explained[0] >= p.explained[1]);
        QVERIFY(p.explained[0] + p.explained[1] < 1);
        // The variance of each coordinate is the share it explains of the total variance.
        Mat centred = X.rowwise() - X.colwise().mean();
        const double total = double(centred.squaredNorm()) / 49;
        for (int k = 0; k < 2; ++k) {
            const double var = double(p.points.col(k).squaredNorm()) / 49;
            QVERIFY(std::abs(var / total - p.explained[k]) < 1e-4);
        }
        QCOMPARE(pca_2d(X.topRows(1)).points.rows(), Eigen::Index(1));
        QVERIFY_THROWS_EXCEPTION(Error, pca_2d(Mat(3, 0)));
    }
};

QTEST_GUILESS_MAIN(HiddenStatesTest)
#include "test_hidden_states.moc"
