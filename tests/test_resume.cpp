// SPDX-License-Identifier: GPL-3.0-or-later
// `attention-lab train --resume` continues the loss curve of an uninterrupted run: a run of 2N
// steps against a run of N steps saved with --out and resumed for N more, same seed, one thread.
// The per-step losses N+1..2N are the same and the final checkpoints (weights, Adam moments,
// trainer state) are byte-identical.
#include "cli_test_support.h"
#include "test_support.h"

#include "engine/io/safetensors.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace al::cli;
using al::test::runCliArgs;

namespace {

/// "epoch E loss L" of every progress line of a run's output, by step.
std::map<int, QString> stepLosses(const std::string& out)
{
    std::map<int, QString> steps;
    static const QRegularExpression line(QStringLiteral("^step (\\d+)\\s+(epoch \\S+)\\s+(loss \\S+)"),
                                         QRegularExpression::MultilineOption);
    auto it = line.globalMatch(QString::fromStdString(out));
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        steps[m.captured(1).toInt()] = m.captured(2) + " " + m.captured(3);
    }
    return steps;
}

} // namespace

class TestResume : public QObject {
    Q_OBJECT
private slots:
    void resumedRunContinuesTheLossCurve_data()
    {
        QTest::addColumn<QStringList>("create"); // model options of the first run only
        QTest::addColumn<QStringList>("train");  // options of every run
        QTest::addColumn<int>("half");
        // Dropout on, so the dropout streams must continue too; 14 steps cross an epoch.
        QTest::newRow("translate") << QStringList{"--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32",
                                                  "--dropout", "0.1", "--min-count", "1"}
                                   << QStringList{"--data", "CORPUS", "--max-tokens", "150", "--warmup", "10",
                                                  "--log-every", "1", "--samples", "0", "--bleu-sentences", "2"}
                                   << 7;
        // Windows drawn from the trainer's stream.
        QTest::newRow("charlm") << QStringList{"--d-model", "16", "--nhead", "2", "--layers", "1", "--dim-feedforward",
                                               "32", "--max-len", "16"}
                                << QStringList{"--task", "charlm", "--max-tokens", "128", "--log-seconds", "0",
                                               "--keep-best", "false"}
                                << 5;
        // The epoch's batch order and task.json, saved with the checkpoint.
        QTest::newRow("reverse") << QStringList{"--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32",
                                                "--dropout", "0.1"}
                                 << QStringList{"--task", "reverse", "--task-vocab", "6", "--max-len", "6",
                                                "--task-pairs", "600", "--max-tokens", "120", "--warmup", "10",
                                                "--log-every", "1", "--samples", "0"}
                                 << 6;
    }
    void resumedRunContinuesTheLossCurve()
    {
        QFETCH(QStringList, create);
        QFETCH(QStringList, train);
        QFETCH(int, half);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString corpus = al::test::writeSyntheticPairs(tmp.path());
        train.replaceInStrings(QStringLiteral("CORPUS"), corpus);
        train << "--threads" << "1" << "--seed" << "7";
        const QString whole = tmp.filePath("whole"), parts = tmp.filePath("parts");
        const QString n = QString::number(half), n2 = QString::number(2 * half);

        const auto r0 = runCliArgs(QStringList{"train"} + create + train + QStringList{"--steps", n2, "--out", whole});
        QVERIFY2(r0.code == int(ExitOk), r0.err.c_str());
        const auto r1 = runCliArgs(QStringList{"train"} + create + train + QStringList{"--steps", n, "--out", parts});
        QVERIFY2(r1.code == int(ExitOk), r1.err.c_str());
        const auto r2 = runCliArgs(QStringList{"train", "--resume", parts} + train + QStringList{"--steps", n, "--out", parts});
        QVERIFY2(r2.code == int(ExitOk), r2.err.c_str());

        const std::map<int, QString> uninterrupted = stepLosses(r0.out), first = stepLosses(r1.out),
                                     resumed = stepLosses(r2.out);
        QCOMPARE(int(uninterrupted.size()), 2 * half);
        QCOMPARE(int(resumed.size()), half);
        for (int s = 1; s <= half; ++s)
            QCOMPARE(first.at(s), uninterrupted.at(s));
        for (int s = half + 1; s <= 2 * half; ++s) {
            QVERIFY2(resumed.count(s), qPrintable(QString("step %1 missing from the resumed run:\n%2").arg(s).arg(r2.out.c_str())));
            QCOMPARE(resumed.at(s), uninterrupted.at(s));
        }
        // Every update was the same: the checkpoints are byte-identical.
        for (const char* f : {"model.safetensors", "optimizer.safetensors", "trainer_state.json", "config.json"})
            QVERIFY2(al::read_file((whole + "/" + f).toStdString()) == al::read_file((parts + "/" + f).toStdString()), f);
    }
};

QTEST_GUILESS_MAIN(TestResume)
#include "test_resume.moc"
