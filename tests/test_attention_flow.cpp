// SPDX-License-Identifier: GPL-3.0-or-later
// Attention rollout, attention flow and source attribution (engine/trace/attention_flow.h):
// examples worked by hand, and flow against an independent maximum flow (networkx's
// Edmonds-Karp, tests/attention_flow_reference.py).
#include "engine/core/error.h"
#include "engine/trace/attention_flow.h"
#include "python_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryFile>
#include <QtTest>

#include <cmath>
#include <random>

using namespace al;

namespace {

Mat mat2(double a, double b, double c, double d)
{
    Mat m(2, 2);
    m << Scalar(a), Scalar(b), Scalar(c), Scalar(d);
    return m;
}

/// A random row-stochastic (n x n) map; `causal` keeps it lower-triangular.
Mat randomMap(std::mt19937& rng, int n, bool causal = false)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Mat m = Mat::Zero(n, n);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < (causal ? i + 1 : n); ++j)
            m(i, j) = Scalar(std::pow(u(rng), 3.0)); // peaked, like trained attention
        m.row(i) /= m.row(i).sum();
    }
    return m;
}

AttentionMaps randomMaps(unsigned seed, int layers, int heads, int n, bool causal = false)
{
    std::mt19937 rng(seed);
    AttentionMaps maps(static_cast<size_t>(layers));
    for (auto& layer : maps)
        for (int h = 0; h < heads; ++h)
            layer.push_back(randomMap(rng, n, causal));
    return maps;
}

void compareMat(const Mat& got, const Mat& want, double tol)
{
    QCOMPARE(got.rows(), want.rows());
    QCOMPARE(got.cols(), want.cols());
    for (Eigen::Index i = 0; i < got.rows(); ++i)
        for (Eigen::Index j = 0; j < got.cols(); ++j)
            QVERIFY2(std::abs(double(got(i, j)) - double(want(i, j))) <= tol,
                     qPrintable(QString("(%1, %2): %3, expected %4").arg(i).arg(j).arg(got(i, j)).arg(want(i, j))));
}

} // namespace

class AttentionFlowTest : public QObject {
    Q_OBJECT
private slots:
    void head_mean_averages_heads()
    {
        const Mat m = head_mean({mat2(1, 0, 0.5, 0.5), mat2(0, 1, 0.5, 0.5)});
        compareMat(m, mat2(0.5, 0.5, 0.5, 0.5), 1e-7);
        QVERIFY_THROWS_EXCEPTION(Error, head_mean({}));
        QVERIFY_THROWS_EXCEPTION(Error, head_mean({mat2(1, 0, 0, 1), Mat::Identity(3, 3)}));
    }

    void residual_mix_is_half_attention_half_identity()
    {
        // 0.5 [[0.2, 0.8], [0.6, 0.4]] + 0.5 I = [[0.6, 0.4], [0.3, 0.7]] (rows already sum to 1).
        compareMat(with_residual(mat2(0.2, 0.8, 0.6, 0.4)), mat2(0.6, 0.4, 0.3, 0.7), 1e-7);
        // ReLU weights need not sum to 1: 0.5 [0.2, 0.2] + 0.5 [1, 0] = [0.6, 0.1], renormalised.
        compareMat(with_residual(mat2(0.2, 0.2, 0, 1)), mat2(0.6 / 0.7, 0.1 / 0.7, 0, 1), 1e-6);
        // Other weights of attention against the residual.
        compareMat(with_residual(mat2(0, 1, 1, 0), 0.25), mat2(0.75, 0.25, 0.25, 0.75), 1e-7);
        QVERIFY_THROWS_EXCEPTION(Error, with_residual(Mat::Ones(2, 3) / 3));
        QVERIFY_THROWS_EXCEPTION(Error, with_residual(mat2(1, 0, 0, 1), 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, with_residual(mat2(1, 0, 0, 1), 1.5));
        QVERIFY_THROWS_EXCEPTION(Error, with_residual(mat2(-0.5, 1.5, 0, 1)));
        QVERIFY_THROWS_EXCEPTION(Error, with_residual(mat2(std::nan(""), 1, 0, 1)));
    }

    void rollout_worked_by_hand()
    {
        // Layer 1: A = [[0.2, 0.8], [0.6, 0.4]] -> Â1 = [[0.6, 0.4], [0.3, 0.7]].
        // Layer 2: two heads [[1, 0], [0, 1]] and [[1, 0], [1, 0]], mean [[1, 0], [0.5, 0.5]]
        //          -> Â2 = [[1, 0], [0.25, 0.75]].
        // R2 = Â2 Â1 = [[0.6, 0.4], [0.25*0.6 + 0.75*0.3, 0.25*0.4 + 0.75*0.7]] = [[0.6, 0.4], [0.375, 0.625]].
        const AttentionMaps maps = {{mat2(0.2, 0.8, 0.6, 0.4)}, {mat2(1, 0, 0, 1), mat2(1, 0, 1, 0)}};
        const std::vector<Mat> r = attention_rollout(maps);
        QCOMPARE(r.size(), size_t(2));
        compareMat(r[0], mat2(0.6, 0.4, 0.3, 0.7), 1e-7);
        compareMat(r[1], mat2(0.6, 0.4, 0.375, 0.625), 1e-7);
    }

    void flow_worked_by_hand()
    {
        // The same two layers. With two layers every path runs u -> m -> v through one middle
        // node m, and the paths share no arc, so the maximum flow is sum_m min(Â2[u][m], Â1[m][v]):
        //   u=1: v=1: min(1, 0.6) + min(0, 0.3) = 0.6    v=2: min(1, 0.4) + 0 = 0.4
        //   u=2: v=1: min(0.25, 0.6) + min(0.75, 0.3) = 0.55   v=2: min(0.25, 0.4) + min(0.75, 0.7) = 0.95
        const AttentionMaps maps = {{mat2(0.2, 0.8, 0.6, 0.4)}, {mat2(1, 0, 0, 1), mat2(1, 0, 1, 0)}};
        const std::vector<double> u2 = attention_flow_values(maps, 1, 1);
        QCOMPARE(u2.size(), size_t(2));
        QVERIFY(std::abs(u2[0] - 0.55) < 1e-6);
        QVERIFY(std::abs(u2[1] - 0.95) < 1e-6);
        compareMat(attention_flow(maps, 1), mat2(0.6, 0.4, 0.55 / 1.5, 0.95 / 1.5), 1e-6);
        // One layer: the flow is the residual-mixed attention itself.
        compareMat(attention_flow(maps, 0), mat2(0.6, 0.4, 0.3, 0.7), 1e-6);
    }

    void flow_values_are_bounded_by_the_source_cut()
    {
        // Three layers of two tokens: every flow is positive (the residual keeps a path through
        // each position) and bounded by every cut, e.g. the arcs out of the source, whose
        // capacities Â3[u][0] + Â3[u][1] sum to 1.
        const AttentionMaps maps = randomMaps(7, 3, 2, 2);
        for (int u = 0; u < 2; ++u) {
            const std::vector<double> f = attention_flow_values(maps, 2, u);
            for (double v : f) {
                QVERIFY(v > 0);
                QVERIFY(v <= 1 + 1e-9);
            }
        }
    }

    void rollout_and_flow_rows_are_distributions_and_keep_causality()
    {
        const AttentionMaps maps = randomMaps(3, 4, 3, 7, /*causal=*/true);
        const std::vector<Mat> r = attention_rollout(maps);
        for (int l = 0; l < 4; ++l) {
            const Mat f = attention_flow(maps, l);
            for (const Mat* m : {&r[size_t(l)], &f}) {
                for (int i = 0; i < 7; ++i) {
                    QVERIFY(std::abs(double(m->row(i).sum()) - 1.0) < 1e-5);
                    QVERIFY(m->minCoeff() >= 0);
                    for (int j = i + 1; j < 7; ++j)
                        QCOMPARE(double((*m)(i, j)), 0.0); // no future token reaches a causal position
                }
            }
        }
    }

    void flow_matches_networkx()
    {
        AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-networkx", "networkx", "numpy");
        const int layers = 3, heads = 2, n = 5;
        const AttentionMaps maps = randomMaps(11, layers, heads, n);
        QJsonArray jl;
        for (const auto& layer : maps) {
            QJsonArray jh;
            for (const Mat& m : layer) {
                QJsonArray rows;
                for (int i = 0; i < n; ++i) {
                    QJsonArray row;
                    for (int j = 0; j < n; ++j)
                        row.append(double(m(i, j)));
                    rows.append(row);
                }
                jh.append(rows);
            }
            jl.append(jh);
        }
        for (int top : {1, 2}) {
            QTemporaryFile spec;
            QVERIFY(spec.open());
            spec.write(QJsonDocument(QJsonObject{{"maps", jl}, {"layer", top}}).toJson());
            spec.flush();
            QProcess py;
            py.start(al::test::python(), {QStringLiteral(AL_SOURCE_DIR "/tests/attention_flow_reference.py"), spec.fileName()});
            QVERIFY(py.waitForFinished(120000));
            QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
            const QJsonArray want = QJsonDocument::fromJson(py.readAllStandardOutput()).object().value("flow").toArray();
            QCOMPARE(want.size(), n);
            const Mat got = attention_flow(maps, top);
            Mat ref(n, n);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    ref(i, j) = Scalar(want[i].toArray()[j].toDouble());
            compareMat(got, ref, 1e-5);
            // Flow and rollout differ on this graph: flow is not a renamed rollout.
            QVERIFY((got - attention_rollout(maps)[size_t(top)]).cwiseAbs().maxCoeff() > 1e-3);
        }
    }

    void flow_can_be_cancelled()
    {
        const AttentionMaps maps = randomMaps(5, 2, 1, 6);
        int polls = 0;
        const Mat m = attention_flow(maps, 1, 0.5, [&polls] { return ++polls > 2; });
        QCOMPARE(m.size(), Eigen::Index(0));
        QCOMPARE(polls, 3);
    }

    void source_attribution_composes_cross_with_the_encoder()
    {
        // Cross-attention (2 targets x 2 sources) [[1, 0], [0.5, 0.5]] times the encoder
        // rollout [[0.6, 0.4], [0.375, 0.625]]: [[0.6, 0.4], [0.4875, 0.5125]].
        const Mat a = source_attribution(mat2(1, 0, 0.5, 0.5), mat2(0.6, 0.4, 0.375, 0.625));
        compareMat(a, mat2(0.6, 0.4, 0.4875, 0.5125), 1e-7);
        Mat cross(3, 2);
        cross << 1, 0, 0, 1, 0.5, 0.5;
        QCOMPARE(source_attribution(cross, mat2(1, 0, 0, 1)).rows(), Eigen::Index(3));
        QVERIFY_THROWS_EXCEPTION(Error, source_attribution(cross, Mat::Identity(3, 3)));
    }

    void bad_maps_are_refused()
    {
        QVERIFY_THROWS_EXCEPTION(Error, attention_rollout({}));
        QVERIFY_THROWS_EXCEPTION(Error, attention_rollout({{}}));
        QVERIFY_THROWS_EXCEPTION(Error, attention_rollout({{Mat::Ones(2, 3)}}));
        QVERIFY_THROWS_EXCEPTION(Error, attention_rollout({{mat2(1, 0, 0, 1)}, {Mat::Identity(3, 3)}}));
        const AttentionMaps maps = {{mat2(1, 0, 0, 1)}};
        QVERIFY_THROWS_EXCEPTION(Error, attention_flow(maps, 1));
        QVERIFY_THROWS_EXCEPTION(Error, attention_flow(maps, -1));
        QVERIFY_THROWS_EXCEPTION(Error, attention_flow_values(maps, 0, 2));
    }
};

QTEST_GUILESS_MAIN(AttentionFlowTest)
#include "test_attention_flow.moc"
