// SPDX-License-Identifier: GPL-3.0-or-later
// Command line of the tasks beyond translation (app/task_cli.h) through runCli: routing,
// usage errors naming the option, a tiny charlm / langid / pos run that saves a model directory,
// then eval, generate and predict on it.
#include "cli_test_support.h"
#include "app/cli.h"
#include "app/task_cli.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

using namespace al::cli;

namespace {

using Run = al::test::CliRun;
Run runArgs(const QStringList& args, const std::string& input = {}) { return al::test::runCliArgs(args, input); }

bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }


/// The bytes of DIR/model.safetensors.
QByteArray weights(const QString& dir)
{
    QFile f(dir + "/model.safetensors");
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const QStringList kTiny = {"--d-model", "16", "--nhead", "2", "--layers", "1", "--dim-feedforward", "32",
                           "--threads", "2", "--log-seconds", "0"};

} // namespace

class TestTaskCli : public QObject {
    Q_OBJECT
private slots:
    void routing()
    {
        QVERIFY(isTaskInvocation("train", {"--task", "charlm"}));
        QVERIFY(isTaskInvocation("train", {"--steps", "3", "--task=mlm"}));
        QVERIFY(!isTaskInvocation("train", {"--steps", "3"}));
        QVERIFY(!isTaskInvocation("train", {"--task", "translate"}));
        QVERIFY(isTaskInvocation("generate", {}));
        QVERIFY(isTaskInvocation("predict", {}));
        QVERIFY(!isTaskInvocation("eval", {"--model", "/nonexistent"})); // eval: one subcommand for every model kind
    }
    void usage_errors_name_the_option()
    {
        Run r = runArgs({"train", "--task", "pos"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--data: task pos needs a data path"), r.err.c_str());
        r = runArgs({"train", "--task", "sentiment"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "not bundled"), r.err.c_str());
        r = runArgs({"train", "--task", "charlm", "--d-model", "30", "--nhead", "4"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--d-model (30) must be divisible by --nhead (4)"), r.err.c_str());
        r = runArgs({"train", "--task", "langid", "--pooling", "max"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--pooling: expected mean or cls, got 'max'"), r.err.c_str());
        r = runArgs({"generate", "--length", "5"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--model: required"), r.err.c_str());
        r = runArgs({"train", "--task", "charlm", "--data", "/nonexistent/x.txt", "--steps", "1"});
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(has(r.err, "/nonexistent/x.txt"), r.err.c_str());
    }
    void charlm_train_eval_generate()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("lm");
        const Run r0 = runArgs(QStringList{"train", "--task", "charlm", "--steps", "3", "--max-len", "16", "--max-tokens", "128",
                                           "--out", model} + kTiny);
        Run r = r0;
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "model: charlm (decoder_lm)"), r.out.c_str());
        QVERIFY2(has(r.out, "nats/char") && has(r.out, "bits/char"), r.out.c_str());
        QVERIFY2(has(r.out, "ROMEO:"), r.out.c_str());
        QVERIFY(QFile::exists(model + "/config.json") && QFile::exists(model + "/vocab.json")
                && QFile::exists(model + "/optimizer.safetensors"));
        QVERIFY(!isTaskInvocation("eval", {"--model", model}));
        r = runArgs({"eval", "--model", model});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "valid loss") && has(r.out, "nats/char"), r.out.c_str());
        // The one eval scores the model as its training run did: the same validation loss.
        const double trained = al::test::numberAfterLast(r0.out, "\nvalid loss "), scored = al::test::numberAfterLast(r.out, "\nvalid loss ");
        QVERIFY2(std::isfinite(trained) && std::abs(trained - scored) < 1e-3, qPrintable(QString("%1 vs %2").arg(trained).arg(scored)));
        // A decoding option does not apply to a language-task model.
        Run u = runArgs({"eval", "--model", model, "--beam", "2"});
        QCOMPARE(u.code, int(ExitUsage));
        QVERIFY2(has(u.err, "--beam applies to translation models, not a charlm model"), u.err.c_str());
        r = runArgs({"generate", "--model", model, "--prompt", "ROMEO:", "--length", "25", "--seed", "4"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QCOMPARE(r.out.substr(0, 6), std::string("ROMEO:"));
        QCOMPARE(r.out.size(), size_t(6 + 25 + 1)); // ASCII vocabulary: one byte per character
        QCOMPARE(runArgs({"generate", "--model", model, "--prompt", "ROMEO:", "--length", "25", "--seed", "4"}).out, r.out);
        r = runArgs({"predict", "--model", model, "hello"});
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(has(r.err, "use 'attention-lab generate'"), r.err.c_str());
        // A resumed run continues from the saved step.
        r = runArgs(QStringList{"train", "--task", "charlm", "--steps", "2", "--resume", model, "--threads", "1",
                                "--log-seconds", "0", "--max-tokens", "128"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "trained 2 steps"), r.out.c_str());
    }
    void block_switches_reach_config_json()
    {
        // The translation model's block switches on `train --task`: written to config.json, read
        // back by eval and generate (BatchNorm evaluates with its running statistics).
        QTemporaryDir dir;
        const QString model = dir.filePath("lm");
        Run r = runArgs(QStringList{"train", "--task", "charlm", "--steps", "2", "--max-len", "16", "--max-tokens", "128",
                                    "--activation", "gelu", "--positional-encoding", "learned", "--norm", "batchnorm",
                                    "--pre-ln", "--scoring", "additive", "--normalization", "relu", "--window", "3",
                                    "--attention-dropout", "0.05", "--out", model} + kTiny);
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "activation gelu, positional encoding learned, norm batchnorm, scoring additive, "
                            "normalization relu, window 3, attention dropout 0.05"), r.out.c_str());
        QVERIFY2(has(r.out, "Pre-LN"), r.out.c_str());
        QFile f(model + "/config.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray cfg = f.readAll();
        for (const char* kv : {"\"activation\": \"gelu\"", "\"positional_encoding\": \"learned\"", "\"norm\": \"batchnorm\"",
                               "\"norm_first\": true", "\"attention_scoring\": \"additive\"",
                               "\"attention_normalization\": \"relu\"", "\"attention_window\": 3", "\"attention_dropout\": 0.05"})
            QVERIFY2(cfg.contains(kv), kv);
        r = runArgs({"eval", "--model", model});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "activation gelu, positional encoding learned"), r.out.c_str());
        r = runArgs({"generate", "--model", model, "--prompt", "ROMEO:", "--length", "5"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        // Bad values and impossible combinations name the option or the config key.
        r = runArgs({"train", "--task", "charlm", "--activation", "tanh"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--activation: activation"), r.err.c_str());
        r = runArgs({"train", "--task", "pos", "--data", "x", "--positional-encoding", "rotary"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--positional-encoding: positional_encoding"), r.err.c_str());
        r = runArgs({"train", "--task", "charlm", "--max-len", "16", "--window", "16"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "attention_window"), r.err.c_str());
        r = runArgs({"train", "--task", "mlm", "--pre-ln", "--post-ln"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(has(r.err, "--pre-ln and --post-ln"), r.err.c_str());
    }
    void langid_train_and_predict()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("lid");
        Run r = runArgs(QStringList{"train", "--task", "langid", "--steps", "2", "--out", model} + kTiny);
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "test accuracy"), r.out.c_str());
        // eval re-reads the data split as the run split it: --split-seed, or --seed, its earlier
        // spelling for a language-task model (the training --seed).
        const Run e1 = runArgs({"eval", "--model", model, "--split-seed", "1"});
        QVERIFY2(e1.code == ExitOk, e1.err.c_str());
        QVERIFY2(has(e1.out, "test accuracy"), e1.out.c_str());
        QCOMPARE(al::test::numberAfterLast(e1.out, "test accuracy "), al::test::numberAfterLast(r.out, "test accuracy "));
        QCOMPARE(runArgs({"eval", "--model", model, "--seed", "1"}).out, e1.out);
        QCOMPARE(runArgs({"eval", "--model", model, "--seed", "3"}).out, runArgs({"eval", "--model", model, "--split-seed", "3"}).out);
        const Run both = runArgs({"eval", "--model", model, "--seed", "1", "--split-seed", "1"});
        QCOMPARE(both.code, int(ExitUsage));
        QVERIFY2(has(both.err, "--seed is another spelling of --split-seed"), both.err.c_str());
        const Run valid = runArgs({"eval", "--model", model, "--split", "valid", "--max-sentences", "50"});
        QVERIFY2(valid.code == ExitOk, valid.err.c_str());
        QVERIFY2(has(valid.out, "valid accuracy") && has(valid.out, "over 50 texts"), valid.out.c_str());
        r = runArgs({"predict", "--model", model}, "Bonjour tout le monde.\n我爱你。\n");
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "cmn ") && has(r.out, "eng ") && has(r.out, "fra "), r.out.c_str());
        QCOMPARE(int(std::count(r.out.begin(), r.out.end(), '\n')), 2);
    }
    void micro_batches_take_the_same_step()
    {
        // --micro-batch-tokens on a language task: each thread runs its share in micro-batches of
        // at most 64 / 2 padded tokens (two windows of 16), and the step sums the same gradient, so
        // the loss of every step and the saved weights agree with the one-pass run up to float rounding.
        QTemporaryDir dir;
        auto train = [&](const QString& out, const QStringList& extra) {
            return runArgs(QStringList{"train", "--task", "charlm", "--steps", "3", "--max-len", "16", "--max-tokens", "256",
                                       "--dropout", "0", "--log-every", "1", "--keep-best", "false", "--out", dir.filePath(out)}
                           + kTiny + extra);
        };
        const Run whole = train("whole", {}), micro = train("micro", {"--micro-batch-tokens", "64"});
        QVERIFY2(whole.code == ExitOk, whole.err.c_str());
        QVERIFY2(micro.code == ExitOk, micro.err.c_str());
        for (const char* step : {"step 1 ", "step 2 ", "step 3 "}) {
            const size_t a = whole.out.find(step), b = micro.out.find(step);
            QVERIFY2(a != std::string::npos && b != std::string::npos, whole.out.c_str());
            const double la = al::test::numberAfterLast(whole.out.substr(a, 80), "loss "), lb = al::test::numberAfterLast(micro.out.substr(b, 80), "loss ");
            QVERIFY2(std::isfinite(la) && std::abs(la - lb) <= 2e-4, qPrintable(QString("%1: %2 vs %3").arg(step).arg(la).arg(lb)));
        }
        const QByteArray wa = weights(dir.filePath("whole")), wb = weights(dir.filePath("micro"));
        QVERIFY(!wa.isEmpty() && wa.size() == wb.size());
        const al::TaskModel a = al::load_task_model_dir(dir.filePath("whole").toStdString());
        const al::TaskModel b = al::load_task_model_dir(dir.filePath("micro").toStdString());
        QCOMPARE(a.net.params().all().size(), b.net.params().all().size());
        // The key rows of in_proj_bias get a gradient of ~0 by construction (softmax ignores a bias
        // shared by every key), so Adam turns their rounding noise into steps of +-lr: compare the
        // weights with a real gradient.
        double worst = 0;
        std::string at;
        for (size_t i = 0; i < a.net.params().all().size(); ++i) {
            const auto& p = *a.net.params().all()[i];
            if (p.name.find("in_proj_bias") != std::string::npos) continue;
            const double d = double((p.value - b.net.params().all()[i]->value).cwiseAbs().maxCoeff());
            if (d > worst) { worst = d; at = p.name; }
        }
        QVERIFY2(worst < 1e-5, qPrintable(QString::fromStdString(at) + ": " + QString::number(worst)));
    }

    void pos_on_a_small_conllu()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath("toy.conllu"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < 40; ++i)
            f.write("1\tThe\tthe\tDET\t_\t_\t2\tdet\t_\t_\n2\tdog\tdog\tNOUN\t_\t_\t3\tnsubj\t_\t_\n"
                    "3\truns\trun\tVERB\t_\t_\t0\troot\t_\t_\n4\tbadline\n\n");
        f.close();
        const QString model = dir.filePath("pos");
        Run r = runArgs(QStringList{"train", "--task", "pos", "--data", f.fileName(), "--steps", "2", "--out", model} + kTiny);
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.err, "toy.conllu:4: expected 10 tab-separated fields, got 2"), r.err.c_str());
        QVERIFY2(has(r.out, "token accuracy"), r.out.c_str());
        r = runArgs({"predict", "--model", model, "The dog runs"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(has(r.out, "The/") && has(r.out, "runs/"), r.out.c_str());
    }
};

QTEST_GUILESS_MAIN(TestTaskCli)
#include "test_task_cli.moc"
