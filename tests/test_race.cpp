// SPDX-License-Identifier: GPL-3.0-or-later
// `attention-lab race` (app/race): option parsing, defaults, usage errors that name the option,
// the result tables, and an end-to-end race of two variants on a tiny model.
#include "app/race.h"
#include "engine/io/safetensors.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <sstream>

using namespace al;
using namespace al::cli;

namespace {

struct Run {
    int code = -1;
    std::string out, err;
};

Run runArgs(const QStringList& args)
{
    std::istringstream in;
    std::ostringstream out, err;
    Run r;
    r.code = runCli(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

/// The first n lines of the bundled cmn.txt, written to dir/cmn200.txt.
QString writeCmnHead(const QString& dir, int n)
{
    QFile in(QString(AL_SOURCE_DIR) + "/resources/data/cmn-eng/cmn.txt");
    if (!in.open(QIODevice::ReadOnly)) qFatal("cannot read the bundled corpus");
    QByteArray text;
    for (int i = 0; i < n && !in.atEnd(); ++i) text += in.readLine();
    const QString path = dir + "/cmn200.txt";
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write(text);
    return path;
}

QStringList csvLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

} // namespace

class TestRace : public QObject {
    Q_OBJECT

private slots:
    void defaults()
    {
        RaceOptions o;
        const ParseStatus st = parseRaceArgs({"--task", "translate", "--minutes", "1.5", "--out", "r"}, o);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(o.task, QString("translate"));
        QCOMPARE(o.minutes, 1.5);
        QCOMPARE(o.steps, int64_t(0));
        QCOMPARE(o.out, QString("r"));
        const QStringList all = {"vanilla", "dense", "random", "fixed_random", "factorized_dense",
                                 "factorized_random", "random+vanilla", "dense+vanilla"};
        QCOMPARE(o.variants, all);
        QCOMPARE(defaultRaceVariants(), all);
        QCOMPARE(o.eval_points, 10);
        QCOMPARE(o.base.bleu_sentences, size_t(500));
        QVERIFY(o.base.source.data.endsWith("data/cmn-eng/cmn.txt"));
        QCOMPARE(o.base.source.src_col, 1);
        QCOMPARE(o.base.source.tgt_col, 0);
        const ModelConfig mc;
        QCOMPARE(o.base.model.d_model, mc.d_model);
        QCOMPARE(o.base.model.attention, std::string("vanilla"));
        QVERIFY(o.base.train.threads >= 1);
    }

    void options()
    {
        RaceOptions o;
        const ParseStatus st = parseRaceArgs(
            {"--task", "translate", "--steps", "30", "--out", "r", "--variants", "random, Factorized_Random,random+dense",
             "--data", "x.tsv", "--src-col", "0", "--tgt-col", "1", "--split-seed", "3", "--d-model", "64", "--nhead",
             "2", "--layers", "1", "--d-ff", "96", "--max-tokens", "400", "--warmup", "20", "--seed", "5", "--threads",
             "1", "--bleu-sentences", "7", "--eval-points", "4", "--synthesizer-k", "4", "--max-len", "30"},
            o);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(o.steps, int64_t(30));
        QCOMPARE(o.minutes, 0.0);
        QCOMPARE(o.variants, QStringList({"random", "factorized_random", "random+dense"}));
        QCOMPARE(o.base.source.data, QString("x.tsv"));
        QCOMPARE(o.base.source.src_col, 0);
        QCOMPARE(o.base.source.tgt_col, 1);
        QCOMPARE(o.base.source.split_seed, uint64_t(3));
        QCOMPARE(o.base.model.d_model, 64);
        QCOMPARE(o.base.model.nhead, 2);
        QCOMPARE(o.base.model.num_encoder_layers, 1);
        QCOMPARE(o.base.model.num_decoder_layers, 1);
        QCOMPARE(o.base.model.dim_feedforward, 96);
        QCOMPARE(o.base.model.synthesizer_k, 4);
        QCOMPARE(o.base.train.max_tokens, 400);
        QCOMPARE(o.base.train.max_len, 30);
        QCOMPARE(o.base.train.warmup_steps, 20);
        QCOMPARE(o.base.train.seed, uint64_t(5));
        QCOMPARE(o.base.train.threads, 1);
        QCOMPARE(o.base.bleu_sentences, size_t(7));
        QCOMPARE(o.eval_points, 4);
    }

    void usageErrorsNameTheOption_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("needle");
        const QStringList ok = {"--out", "r"};
        QTest::newRow("no task") << (QStringList{"--steps", "3"} + ok) << "--task";
        QTest::newRow("other task") << (QStringList{"--task", "rotate", "--steps", "3"} + ok)
                                    << "--task: expected translate, copy, reverse or sort";
        QTest::newRow("data with copy") << (QStringList{"--task", "copy", "--steps", "3", "--data", "x.tsv"} + ok)
                                        << "--data cannot be combined with --task copy";
        QTest::newRow("task vocab") << (QStringList{"--task", "reverse", "--steps", "3", "--task-vocab", "1"} + ok)
                                    << "--task-vocab";
        QTest::newRow("no budget") << (QStringList{"--task", "translate"} + ok) << "--minutes or --steps";
        QTest::newRow("two budgets") << (QStringList{"--task", "translate", "--steps", "3", "--minutes", "1"} + ok)
                                     << "--minutes cannot be combined with --steps";
        QTest::newRow("bad minutes") << (QStringList{"--task", "translate", "--minutes", "0"} + ok) << "--minutes";
        QTest::newRow("bad steps") << (QStringList{"--task", "translate", "--steps", "x"} + ok) << "--steps";
        QTest::newRow("no out") << QStringList{"--task", "translate", "--steps", "3"} << "--out";
        QTest::newRow("bad variant") << (QStringList{"--task", "translate", "--steps", "3", "--variants", "vanilla,sparse"} + ok)
                                     << "--variants: unknown variant 'sparse'";
        QTest::newRow("twice") << (QStringList{"--task", "translate", "--steps", "3", "--variants", "random,random"} + ok)
                               << "--variants";
        QTest::newRow("eval points") << (QStringList{"--task", "translate", "--steps", "3", "--eval-points", "0"} + ok)
                                     << "--eval-points";
        QTest::newRow("forwarded") << (QStringList{"--task", "translate", "--steps", "3", "--d-model", "x"} + ok)
                                   << "--d-model";
        QTest::newRow("divisible") << (QStringList{"--task", "translate", "--steps", "3", "--d-model", "30", "--nhead", "4"} + ok)
                                   << "--nhead";
        QTest::newRow("unknown") << (QStringList{"--task", "translate", "--steps", "3", "--attention", "dense"} + ok)
                                 << "attention";
        QTest::newRow("positional") << (QStringList{"--task", "translate", "--steps", "3", "extra"} + ok) << "extra";
    }

    void usageErrorsNameTheOption()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, needle);
        RaceOptions o;
        const ParseStatus st = parseRaceArgs(args, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains(needle), qPrintable(st.text));
        const Run r = runArgs(QStringList{"race"} + args);
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(QString::fromStdString(r.err).contains(needle), r.err.c_str());
        QVERIFY(r.out.empty());
    }

    void helpAndDispatch()
    {
        const Run h = runArgs({"race", "--help"});
        QCOMPARE(h.code, int(ExitOk));
        const QString help = QString::fromStdString(h.out);
        QVERIFY(help.startsWith("Usage: attention-lab race"));
        for (const char* opt : {"--task", "--minutes", "--steps", "--out", "--variants", "--eval-points", "--data",
                                "--d-model", "--seed", "--threads", "--bleu-sentences"})
            QVERIFY2(help.contains(opt), opt);
        QVERIFY(help.contains("PER VARIANT"));
        const Run top = runArgs({"--help"});
        QCOMPARE(top.code, int(ExitOk));
        QVERIFY(QString::fromStdString(top.out).contains("  race "));
        QVERIFY(isCliInvocation("race"));
    }

    void tables()
    {
        RaceResult v;
        v.variant = "vanilla";
        v.parameters = 100;
        v.tokens_per_s = 200;
        v.valid_loss = 3.5;
        v.curve = {{1, 0.5, 4.0}, {2, 1.0, 3.5}};
        RaceResult r = v;
        r.variant = "random";
        r.synthesizer_parameters = 30;
        r.tokens_per_s = 300;
        QCOMPARE(raceSpeedVsVanilla(r, {v, r}), 1.5);
        QVERIFY(std::isnan(raceSpeedVsVanilla(r, {r})));
        const QStringList csv = QString::fromStdString(raceResultsCsv({v, r})).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 3);
        QVERIFY(csv[0].startsWith("variant,parameters,synthesizer_parameters,steps,"));
        QCOMPARE(csv[2].split(',').size(), csv[0].split(',').size());
        QVERIFY(csv[2].contains(",1.500,"));
        const QStringList curves = QString::fromStdString(raceCurvesCsv({v, r})).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(curves.size(), 5);
        QCOMPARE(curves[0], QString("variant,step,seconds,valid_loss"));
        const QString md = QString::fromStdString(raceResultsMarkdown({v, r}, "Budget: x"));
        QVERIFY(md.startsWith("| Variant |"));
        QVERIFY(md.contains("| random | 100 | 30 |"));
        QVERIFY(md.contains("1.50×"));
        QVERIFY(md.trimmed().endsWith("Budget: x"));
    }

    void algorithmicOptions()
    {
        RaceOptions o;
        const ParseStatus st = parseRaceArgs({"--task", "Sort", "--steps", "5", "--out", "r", "--task-vocab", "7",
                                              "--min-len", "2", "--max-len", "9", "--task-pairs", "300", "--d-model", "32"},
                                             o);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(o.task, QString("sort"));
        QCOMPARE(o.base.algorithmic.task, AlgorithmicTask::Sort);
        QCOMPARE(o.base.algorithmic.vocab, 7);
        QCOMPARE(o.base.algorithmic.min_len, 2);
        QCOMPARE(o.base.algorithmic.max_len, 9);
        QCOMPARE(o.base.algorithmic.train_size, 300);
        QCOMPARE(o.base.train.max_len, 9);
        QCOMPARE(o.base.model.d_model, 32);
        // The rest comes from the algorithmic defaults, as for `train --task sort`.
        const ModelConfig md = algorithmic_model_defaults();
        QCOMPARE(o.base.model.num_encoder_layers, md.num_encoder_layers);
        QCOMPARE(o.base.model.norm_first, md.norm_first);
        QCOMPARE(o.base.train.warmup_steps, algorithmic_train_defaults(o.base.algorithmic).warmup_steps);
    }

    void algorithmicRaceEndToEnd()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString out = tmp.path() + "/race";
        const Run r = runArgs({"race", "--task", "reverse", "--steps", "4", "--out", out, "--variants", "vanilla,random",
                               "--task-vocab", "5", "--max-len", "6", "--task-pairs", "200", "--d-model", "16",
                               "--nhead", "2", "--layers", "1", "--d-ff", "32", "--eval-points", "2", "--threads", "1"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(QString::fromStdString(r.out).contains("reverse task, 5 symbols, lengths 1 to 6"), r.out.c_str());
        const QStringList rows = csvLines(out + "/results.csv");
        QCOMPARE(rows.size(), 3);
        const QStringList head = rows[0].split(',');
        auto field = [&](int row, const char* col) { return rows[row].split(',')[head.indexOf(col)]; };
        for (int row : {1, 2}) {
            QCOMPARE(field(row, "steps").toInt(), 4);
            QVERIFY(field(row, "bleu").isEmpty()); // no BLEU on an algorithmic task
            bool ok = false;
            const double em = field(row, "exact_match").toDouble(&ok);
            QVERIFY(ok && em >= 0 && em <= 1);
            QCOMPARE(field(row, "test_sequences").toInt(), AlgorithmicTaskConfig{}.test_size);
            QVERIFY(field(row, "test_token_accuracy").toDouble(&ok) >= 0 && ok);
        }
        QCOMPARE(field(2, "variant"), QString("random"));
        QVERIFY(field(2, "synthesizer_parameters").toLongLong() > 0);
        QCOMPARE(csvLines(out + "/curves.csv").size(), 1 + 2 * 2);
        const QString md = QString::fromUtf8(read_file((out + "/results.md").toStdString()).c_str());
        QVERIFY(md.contains("Test exact match"));
        QVERIFY(!md.contains("Test BLEU"));
        QVERIFY(md.contains("Task: reverse task"));
    }

    void raceEndToEnd()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString data = writeCmnHead(tmp.path(), 200);
        const QString out = tmp.path() + "/race";
        const Run r = runArgs({"race", "--task", "translate", "--steps", "3", "--out", out, "--variants",
                               "vanilla,factorized_random", "--data", data, "--d-model", "16", "--nhead", "2",
                               "--layers", "1", "--d-ff", "32", "--max-tokens", "300", "--warmup", "10", "--threads",
                               "1", "--bleu-sentences", "5", "--min-count", "1"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(QString::fromStdString(r.out).contains("[2/2 factorized_random] done"), r.out.c_str());

        const QStringList rows = csvLines(out + "/results.csv");
        QCOMPARE(rows.size(), 3);
        const QStringList head = rows[0].split(',');
        for (const char* col : {"variant", "parameters", "synthesizer_parameters", "steps", "steps_per_s",
                                "tokens_per_s", "speed_vs_vanilla", "valid_loss", "valid_ppl", "bleu"})
            QVERIFY2(head.contains(col), col);
        auto field = [&](int row, const char* col) { return rows[row].split(',')[head.indexOf(col)]; };
        QCOMPARE(field(1, "variant"), QString("vanilla"));
        QCOMPARE(field(2, "variant"), QString("factorized_random"));
        for (int row : {1, 2}) {
            QCOMPARE(field(row, "steps").toInt(), 3);
            QVERIFY(field(row, "parameters").toLongLong() > 0);
            QVERIFY(field(row, "steps_per_s").toDouble() > 0);
            QVERIFY(field(row, "tokens_per_s").toDouble() > 0);
            const double loss = field(row, "valid_loss").toDouble();
            QVERIFY(std::isfinite(loss) && loss > 0 && loss < 20);
            QVERIFY(std::abs(field(row, "valid_ppl").toDouble() - std::exp(loss)) < 0.01 * std::exp(loss) + 0.01);
            const double bleu = field(row, "bleu").toDouble();
            QVERIFY(bleu >= 0 && bleu <= 100);
        }
        QCOMPARE(field(1, "synthesizer_parameters").toLongLong(), 0LL);
        QVERIFY(field(2, "synthesizer_parameters").toLongLong() > 0);
        QCOMPARE(field(1, "speed_vs_vanilla").toDouble(), 1.0);
        QVERIFY(field(2, "speed_vs_vanilla").toDouble() > 0);

        const QStringList curves = csvLines(out + "/curves.csv");
        QCOMPARE(curves.size(), 1 + 2 * 3); // --steps 3: a pass after every step
        QVERIFY(curves[1].startsWith("vanilla,1,"));
        QVERIFY(curves[6].startsWith("factorized_random,3,"));
        QVERIFY(QFileInfo(out + "/results.md").isFile());
        const QString md = QString::fromUtf8(read_file((out + "/results.md").toStdString()).c_str());
        QVERIFY(md.contains("| factorized_random |"));
        QVERIFY(md.contains("3 optimizer steps per variant"));
        QVERIFY(md.contains("Machine:"));
        QVERIFY(QDir(out).entryList(QDir::Files).size() == 3); // no temporaries left behind
    }
};

QTEST_GUILESS_MAIN(TestRace)
#include "test_race.moc"
