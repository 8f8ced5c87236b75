// SPDX-License-Identifier: GPL-3.0-or-later
// `attention-lab bench-gui` (the GUI's overhead on training), offscreen: option parsing and its usage
// errors, the window's Threads setting reaching the training request, and one short run of the
// subcommand (~1 s of steps) on a tiny model whose JSON must carry both figures, the same step range in both
// runs and live refreshes of the heatmaps and plots during the window run. No timed assertion:
// the figures are only checked to be positive.
#include "gui_test_support.h"
#include "app/bench_gui.h"
#include "app/cli.h"
#include "app/gui_subcommands.h"
#include "ui/app/gui_main.h"
#include "ui/views/main_window.h"

#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <sstream>

using namespace al::ui;
using al::cli::BenchGuiOptions;
using al::cli::ParseStatus;

class TestGuiBenchGui : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void parsesOptions();
    void rejectsBadOptions();
    void windowThreadsReachTheRequest();
    void measuresHeadlessAndWindow();

private:
    QTemporaryDir m_tmp;
    QString m_corpus;
};

void TestGuiBenchGui::initTestCase()
{
    m_corpus = al::test::write_small_cmn_corpus(m_tmp, 300);
    QVERIFY2(!m_corpus.isEmpty(), "cannot copy the bundled corpus");
}

void TestGuiBenchGui::parsesOptions()
{
    BenchGuiOptions o;
    QCOMPARE(al::cli::parseBenchGuiArgs({}, o).kind, ParseStatus::Ok);
    QCOMPARE(o.config, QStringLiteral("window"));
    QCOMPARE(o.bench.dModel, al::ModelConfig{}.d_model);
    QCOMPARE(o.bench.maxTokens, al::TrainConfig{}.max_tokens);
    QCOMPARE(o.bench.threads, al::TrainConfig{}.threads);
    QVERIFY(!o.json);

    QCOMPARE(al::cli::parseBenchGuiArgs({"--config", "tiny", "--threads", "1", "--seconds", "1.5", "--warmup-seconds",
                                         "0.5", "--rounds", "3", "--layers", "1", "--tab", "plots", "--json", "--data",
                                         "x.tsv"},
                                        o)
                 .kind,
             ParseStatus::Ok);
    QCOMPARE(o.config, QStringLiteral("tiny"));
    QCOMPARE(o.bench.dModel, 64);
    QCOMPARE(o.bench.dimFeedforward, 256);
    QCOMPARE(o.bench.maxTokens, 512);
    QCOMPARE(o.bench.encoderLayers, 1);
    QCOMPARE(o.bench.decoderLayers, 1);
    QCOMPARE(o.bench.threads, 1);
    QCOMPARE(o.bench.seconds, 1.5);
    QCOMPARE(o.bench.warmupSeconds, 0.5);
    QCOMPARE(o.bench.rounds, 3);
    QCOMPARE(o.bench.tab, QStringLiteral("plots"));
    QCOMPARE(o.bench.corpusPath, QStringLiteral("x.tsv"));
    QVERIFY(o.json);

    QCOMPARE(al::cli::parseBenchGuiArgs({"--help"}, o).kind, ParseStatus::Help);
}

void TestGuiBenchGui::rejectsBadOptions()
{
    const struct {
        QStringList args;
        const char* names;
    } cases[] = {
        {{"--config", "huge"}, "--config"},   {{"--threads", "0"}, "--threads"},
        {{"--seconds", "-1"}, "--seconds"},   {{"--rounds", "x"}, "--rounds"},
        {{"--tab", "synth"}, "--tab"},        {{"--d-model", "60", "--nhead", "8"}, "--nhead"},
        {{"extra"}, "unexpected argument"},
    };
    for (const auto& c : cases) {
        BenchGuiOptions o;
        const ParseStatus st = al::cli::parseBenchGuiArgs(c.args, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains(QLatin1String(c.names)), qPrintable(st.text));
    }
    // The whole subcommand: a usage error is exit code 2 with the message on stderr.
    std::ostringstream out, err;
    QCOMPARE(al::cli::findGuiSubcommand("bench-gui")->command.run({"--rounds", "0"}, out, err), int(al::cli::ExitUsage));
    QVERIFY(QString::fromStdString(err.str()).contains("--rounds"));
}

void TestGuiBenchGui::windowThreadsReachTheRequest()
{
    MainWindow w;
    auto* threads = w.findChild<QSpinBox*>(QStringLiteral("threadsSpin"));
    QVERIFY(threads);
    QCOMPARE(w.trainingRequest().train.threads, al::TrainConfig{}.threads);
    threads->setValue(1);
    QCOMPARE(w.trainingRequest().train.threads, 1);
}

void TestGuiBenchGui::measuresHeadlessAndWindow()
{
    std::ostringstream out, err;
    const int code = al::cli::findGuiSubcommand("bench-gui")->command.run(
        {"--config", "tiny", "--data", m_corpus, "--threads", "1", "--seconds", "1", "--warmup-seconds", "0.3",
         "--rounds", "1", "--json"},
        out, err);
    QVERIFY2(code == al::cli::ExitOk, err.str().c_str());
    const QString progress = QString::fromStdString(err.str());
    QVERIFY2(progress.contains("round 1/1 headless") && progress.contains("round 1/1 window"), qPrintable(progress));

    const QString text = QString::fromStdString(out.str()).trimmed();
    QVERIFY2(!text.contains('\n'), qPrintable(text)); // one JSON line
    QJsonParseError perr;
    const QJsonObject j = QJsonDocument::fromJson(text.toUtf8(), &perr).object();
    QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
    for (const char* key : {"bench", "config", "platform", "threads", "headless_tokens_per_s", "window_tokens_per_s",
                            "overhead_percent", "paired_overhead_percent", "traces", "heatmap_refreshes", "heatmap_refreshes_per_s",
                            "plot_refreshes", "first_step", "last_step", "runs",
                            "window_other_threads_cpu_percent", "headless_other_threads_cpu_percent"})
        QVERIFY2(j.contains(QLatin1String(key)), key);
    QCOMPARE(j["bench"].toString(), QStringLiteral("gui_overhead"));
    QCOMPARE(j["config"].toString(), QStringLiteral("tiny"));
    QCOMPARE(j["platform"].toString(), QStringLiteral("offscreen"));
    QCOMPARE(j["threads"].toInt(), 1);
    QCOMPARE(j["d_model"].toInt(), 64);
    QVERIFY(j["headless_tokens_per_s"].toDouble() > 0);
    QVERIFY(j["window_tokens_per_s"].toDouble() > 0);
    const double overhead = j["overhead_percent"].toDouble();
    QVERIFY(std::abs(overhead - 100.0 * (1.0 - j["window_tokens_per_s"].toDouble()
                                                   / j["headless_tokens_per_s"].toDouble()))
            < 1e-6);
    QCOMPARE(j["paired_overhead_percent"].toDouble(), overhead); // one round: the same pair
    QVERIFY(j["last_step"].toDouble() > j["first_step"].toDouble());

    // The window's live views did refresh while the measured steps trained.
    QVERIFY(j["traces"].toInt() > 0);
    QVERIFY(j["heatmap_refreshes"].toInt() > 0);
    QVERIFY(j["plot_refreshes"].toInt() > 0);

    const QJsonArray runs = j["runs"].toArray();
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs[0].toObject()["mode"].toString(), QStringLiteral("headless"));
    QCOMPARE(runs[1].toObject()["mode"].toString(), QStringLiteral("window"));
    for (const QJsonValue& v : runs) {
        const QJsonObject r = v.toObject();
        QVERIFY(r["tokens"].toDouble() > 0 && r["seconds"].toDouble() > 0);
        // Both runs measure the same steps (chunks may end a few steps apart).
        QVERIFY(r["first_step"].toDouble() >= j["first_step"].toDouble());
        QVERIFY(r["last_step"].toDouble() >= j["last_step"].toDouble());
        QVERIFY(r["snapshots"].toInt() > 0);
        QVERIFY(r.contains("other_threads_cpu_percent"));
    }
    // The window's own thread worked during the window run (drawing is not free).
    QVERIFY(runs[1].toObject()["gui_thread_cpu_percent"].toDouble() > 0);
    QCOMPARE(runs[1].toObject()["heatmap_refreshes"].toInt(), j["heatmap_refreshes"].toInt());
}

AL_GUI_TEST_MAIN(TestGuiBenchGui)

#include "test_gui_bench_gui.moc"
