// SPDX-License-Identifier: GPL-3.0-or-later
// `attention-lab bench` (app/bench): option parsing, the GEMM FLOP formula, and a short
// in-process run of the tiny configuration without the PyTorch peer whose JSON line has
// positive, finite train_tokens_per_s, gflops, peak_gflops, trace_ms, rollout_ms, flow_ms and peak_rss_mb (the peer's
// figure and the ratio null). Not a timed test: no speed is asserted.
#include "app/bench.h"

#include <QtTest>
#include <QTemporaryDir>
#include <QFile>

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

using namespace al::cli;

class TestBench : public QObject {
    Q_OBJECT

private slots:
    void defaults()
    {
        BenchOptions o;
        QCOMPARE(parseBenchArgs({}, o).kind, ParseStatus::Ok);
        QCOMPARE(o.configs, QStringList({"tiny", "small", "base"}));
        QCOMPARE(o.threads, std::vector<int>({1, 2}));
        QVERIFY(o.peer);
        QVERIFY(!o.json);
    }

    void options()
    {
        BenchOptions o;
        QCOMPARE(parseBenchArgs({"--config", "tiny", "--threads", "1", "--json", "--no-peer", "--steps", "3"}, o).kind,
                 ParseStatus::Ok);
        QCOMPARE(o.configs, QStringList({"tiny"}));
        QCOMPARE(o.threads, std::vector<int>({1}));
        QCOMPARE(o.steps, 3);
        QVERIFY(o.json);
        QVERIFY(!o.peer);
    }

    void usageErrors()
    {
        BenchOptions o;
        ParseStatus st = parseBenchArgs({"--config", "huge"}, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains("--config"), qPrintable(st.text));
        st = parseBenchArgs({"--threads", "0"}, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains("--threads"), qPrintable(st.text));
        st = parseBenchArgs({"--steps", "x"}, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains("--steps"), qPrintable(st.text));
    }

    void flopFormula()
    {
        // tiny: B 32, S = T 16, C 64, F 256, V 1000, 2+2 layers, worked out by hand.
        const BenchConfig tiny = benchConfigs().front();
        QCOMPARE(tiny.name, QString("tiny"));
        const double B = 32, L = 16, C = 64, F = 256, V = 1000;
        const double enc = B * L * (8 * C * C + 4 * L * C + 4 * C * F);
        const double dec = B * L * (8 * C * C + 4 * L * C) + B * L * (8 * C * C + 4 * L * C) + B * L * 4 * C * F;
        QCOMPARE(gemmFlopsPerStep(tiny), 3 * (2 * enc + 2 * dec + 2 * B * L * C * V));
    }

    void tinyRunJson()
    {
        BenchOptions o;
        QCOMPARE(parseBenchArgs({"--config", "tiny", "--threads", "1", "--steps", "2", "--warmup", "1", "--json",
                                 "--no-peer", "--in-process"},
                                o)
                     .kind,
                 ParseStatus::Ok);
        std::ostringstream out, err;
        QCOMPARE(runBench(o, out, err), int(ExitOk));
        std::istringstream lines(out.str());
        std::string line, last;
        int n = 0;
        while (std::getline(lines, line))
            if (!line.empty()) {
                last = line;
                ++n;
            }
        QCOMPARE(n, 1);
        const nlohmann::json j = nlohmann::json::parse(last);
        QCOMPARE(QString::fromStdString(j.at("config").get<std::string>()), QString("tiny"));
        QCOMPARE(j.at("threads").get<int>(), 1);
        for (const char* key : {"train_tokens_per_s", "gflops", "peak_gflops", "trace_ms", "rollout_ms", "flow_ms", "peak_rss_mb"}) {
            QVERIFY2(j.contains(key) && j[key].is_number(), key);
            const double v = j[key].get<double>();
            QVERIFY2(std::isfinite(v) && v > 0, key);
        }
        // Rollout and flow ran on the Trace's encoder maps: the 20-token source and <eos>.
        QCOMPARE(j.at("flow_tokens").get<int>(), 21);
        // Without the peer its figure and the ratio are present, as null.
        QVERIFY(j.contains("peer_train_tokens_per_s") && j["peer_train_tokens_per_s"].is_null());
        QVERIFY(j.contains("ratio") && j["ratio"].is_null());
        QVERIFY(err.str().find("tiny") != std::string::npos); // progress went to err
    }

    /// Runs the tiny configuration in-process against a fake peer (a shell script printing `json`)
    /// and returns the JSON line.
    static nlohmann::json runWithFakePeer(const QString& peerJson)
    {
        QTemporaryDir dir;
        const QString script = dir.filePath("peer.sh");
        QFile f(script);
        if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write the fake peer");
        f.write(("echo '" + peerJson + "'\n").toUtf8());
        f.close();
        BenchOptions o;
        if (parseBenchArgs({"--config", "tiny", "--threads", "1", "--steps", "1", "--warmup", "1", "--json",
                            "--in-process", "--python", "/bin/sh", "--peer-script", script},
                           o)
                .kind != ParseStatus::Ok)
            qFatal("bench arguments refused");
        std::ostringstream out, err;
        if (runBench(o, out, err) != int(ExitOk)) qFatal("bench failed: %s", err.str().c_str());
        std::istringstream lines(out.str());
        std::string line, last;
        while (std::getline(lines, line))
            if (!line.empty()) last = line;
        return nlohmann::json::parse(last);
    }

    void peerRatio()
    {
        const nlohmann::json j =
            runWithFakePeer(R"({"train_tokens_per_s": 1000, "threads": 1, "blas_threads": 1, "peak_rss_mb": 5})");
        QCOMPARE(j.at("peer_train_tokens_per_s").get<double>(), 1000.0);
        QCOMPARE(j.at("peer_blas_threads").get<int>(), 1);
        QVERIFY(qAbs(j.at("ratio").get<double>() - j.at("train_tokens_per_s").get<double>() / 1000.0) < 1e-9);
        QVERIFY(!j.contains("peer_error"));
    }

    void peerOnOtherBlasThreadCountIsRefused()
    {
        // A "1-thread" torch whose OpenBLAS multiplies on 2 threads is not a same-thread peer.
        const nlohmann::json j =
            runWithFakePeer(R"({"train_tokens_per_s": 1000, "threads": 1, "blas_threads": 2, "peak_rss_mb": 5})");
        QVERIFY(j.at("peer_train_tokens_per_s").is_null());
        QVERIFY(j.at("ratio").is_null());
        QCOMPARE(j.at("peer_blas_threads").get<int>(), 2);
        const std::string why = j.at("peer_error").get<std::string>();
        QVERIFY2(why.find("2 OpenBLAS threads, not 1") != std::string::npos, why.c_str());
    }
};

QTEST_GUILESS_MAIN(TestBench)
#include "test_bench.moc"
