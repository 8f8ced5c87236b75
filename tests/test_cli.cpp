// SPDX-License-Identifier: GPL-3.0-or-later
// Command line (app/cli): option parsing, defaults, usage errors that name the option, exit
// codes, an end-to-end train -> save -> translate -> eval run of a tiny model, and the
// attention Trace JSON (engine/trace_json).
#include "cli_test_support.h"
#include "test_support.h"
#include "app/cli.h"
#include "app/options.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/trace_json.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"

#include <QDir>
#include <QRegularExpression>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

using namespace al;
using namespace al::cli;

namespace {

/// Writes a small synthetic English \t Chinese corpus (cmn.txt layout, with an attribution
/// column) of 6 x 4 x 4 = 96 pairs, plus `bad` malformed lines.
QString writeCorpus(const QString& dir, int bad = 0)
{
    const QString path =
        al::test::writeSyntheticPairs(dir, QStringLiteral("\tCC-BY 2.0 (France) Attribution: tatoeba.org #1 (x) & #2 (y)"));
    QFile f(path);
    if (!f.open(QIODevice::Append)) qFatal("cannot write %s", qPrintable(path));
    for (int i = 0; i < bad; ++i) f.write(QString("only one column %1\n").arg(i).toUtf8());
    return path;
}


int countLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    return int(f.readAll().count('\n'));
}

using Run = al::test::CliRun;
using al::test::numberAfter;
Run runArgs(const QStringList& args, const std::string& input = {}) { return al::test::runCliArgs(args, input); }

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void trainDefaults()
    {
        TrainOptions o;
        const ParseStatus st = parseTrainArgs({}, o);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QVERIFY2(!o.source.data.isEmpty(), "the bundled corpus must be found via AL_SOURCE_RESOURCE_DIR");
        QVERIFY(QFileInfo(o.source.data).isFile());
        QVERIFY(o.source.data.endsWith("data/cmn-eng/cmn.txt"));
        QCOMPARE(defaultCorpusPath(), o.source.data);
        QCOMPARE(o.source.src_col, 1);
        QCOMPARE(o.source.tgt_col, 0);
        QCOMPARE(o.source.split_seed, uint64_t(1));
        QCOMPARE(o.src_tokens, TokenKind::Auto);
        QCOMPARE(o.tgt_tokens, TokenKind::Auto);
        QCOMPARE(o.min_count, 2);
        QCOMPARE(o.minutes, 10.0);
        QCOMPARE(o.steps, int64_t(0));
        const ModelConfig mc;
        QCOMPARE(o.model.d_model, mc.d_model);
        QCOMPARE(o.model.nhead, mc.nhead);
        QCOMPARE(o.model.num_encoder_layers, mc.num_encoder_layers);
        QCOMPARE(o.model.dim_feedforward, mc.dim_feedforward);
        QCOMPARE(o.model.norm_first, false);
        const TrainConfig tc;
        QCOMPARE(o.train.max_tokens, tc.max_tokens);
        QCOMPARE(o.train.warmup_steps, tc.warmup_steps);
        QCOMPARE(o.train.seed, tc.seed);
        QVERIFY(o.train.threads >= 1);
        QVERIFY(o.out.isEmpty());
        QVERIFY(o.resume.isEmpty());
    }

    void trainOptions()
    {
        TrainOptions o;
        const ParseStatus st = parseTrainArgs(
            {"--data", "x.tsv", "--src-col", "0", "--tgt-col", "2", "--split-seed", "7", "--src-tokens", "word",
             "--tgt-tokens", "char", "--min-count", "3", "--d-model", "64", "--nhead", "8", "--encoder-layers", "2",
             "--decoder-layers", "1", "--d-ff", "128", "--dropout", "0.2", "--pre-ln", "--max-tokens", "500",
             "--max-len", "40", "--warmup", "50", "--lr-factor", "2", "--label-smoothing", "0", "--clip", "0",
             "--steps", "12", "--seed", "9", "--threads", "3", "--out", "o", "--save-every", "1", "--save-split", "s",
             "--log-every", "4", "--valid-every", "0", "--valid-max", "10", "--bleu-sentences", "20", "--samples", "1"},
            o);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(o.source.data, QString("x.tsv"));
        QCOMPARE(o.source.src_col, 0);
        QCOMPARE(o.source.tgt_col, 2);
        QCOMPARE(o.source.split_seed, uint64_t(7));
        QCOMPARE(o.src_tokens, TokenKind::Word);
        QCOMPARE(o.tgt_tokens, TokenKind::Char);
        QCOMPARE(o.min_count, 3);
        QCOMPARE(o.model.d_model, 64);
        QCOMPARE(o.model.nhead, 8);
        QCOMPARE(o.model.num_encoder_layers, 2);
        QCOMPARE(o.model.num_decoder_layers, 1);
        QCOMPARE(o.model.dim_feedforward, 128);
        QCOMPARE(o.model.dropout, 0.2);
        QVERIFY(o.model.norm_first);
        QCOMPARE(o.train.max_tokens, 500);
        QCOMPARE(o.train.max_len, 40);
        QCOMPARE(o.train.warmup_steps, 50);
        QCOMPARE(o.train.lr_factor, 2.0);
        QCOMPARE(o.train.label_smoothing, 0.0);
        QCOMPARE(o.train.clip_grad_norm, 0.0);
        QCOMPARE(o.steps, int64_t(12));
        QCOMPARE(o.minutes, 0.0); // --steps alone: no time limit
        QCOMPARE(o.train.seed, uint64_t(9));
        QCOMPARE(o.train.threads, 3);
        QCOMPARE(o.out, QString("o"));
        QCOMPARE(o.save_every, 1.0);
        QCOMPARE(o.save_split, QString("s"));
        QCOMPARE(o.log_every, 4);
        QCOMPARE(o.valid_every, 0.0);
        QCOMPARE(o.valid_max, size_t(10));
        QCOMPARE(o.bleu_sentences, size_t(20));
        QCOMPARE(o.samples, 1);

        TrainOptions b;
        QCOMPARE(parseTrainArgs({"--scoring", "additive", "--normalization", "relu", "--window", "3",
                                 "--positional-encoding", "learned", "--norm", "batchnorm", "--activation", "gelu",
                                 "--attention-dropout", "0.25"}, b).kind, ParseStatus::Ok);
        QCOMPARE(b.model.attention_scoring, std::string("additive"));
        QCOMPARE(b.model.attention_normalization, std::string("relu"));
        QCOMPARE(b.model.attention_window, 3);
        QCOMPARE(b.model.positional_encoding, std::string("learned"));
        QCOMPARE(b.model.norm, std::string("batchnorm"));
        QCOMPARE(b.model.activation, std::string("gelu"));
        QVERIFY(b.model.attention_dropout && *b.model.attention_dropout == 0.25);
        QVERIFY(b.architecture_set);
        TrainOptions dflt;
        QCOMPARE(parseTrainArgs({}, dflt).kind, ParseStatus::Ok);
        QVERIFY(!dflt.model.attention_dropout);
        QCOMPARE(dflt.model.attention_scoring, std::string("scaled_dot"));

        TrainOptions l;
        QCOMPARE(parseTrainArgs({"--layers", "4", "--minutes", "0.5"}, l).kind, ParseStatus::Ok);
        QCOMPARE(l.model.num_encoder_layers, 4);
        QCOMPARE(l.model.num_decoder_layers, 4);
        QCOMPARE(l.minutes, 0.5);

        TrainOptions ss;
        QCOMPARE(parseTrainArgs({"--scheduled-sampling", "inverse-sigmoid", "--scheduled-sampling-p", "0.6",
                                 "--scheduled-sampling-k", "300"}, ss).kind, ParseStatus::Ok);
        QCOMPARE(QString::fromStdString(ss.train.scheduled_sampling), QString("inverse_sigmoid"));
        QCOMPARE(ss.train.scheduled_sampling_p, 0.6);
        QCOMPARE(ss.train.scheduled_sampling_k, 300.0);
    }

    void trainWithScheduledSampling()
    {
        QTemporaryDir tmp;
        const QString corpus = writeCorpus(tmp.path());
        const Run r = runArgs({"train", "--data", corpus, "--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff",
                               "32", "--threads", "1", "--min-count", "1", "--log-every", "1", "--steps", "2",
                               "--samples", "0", "--scheduled-sampling", "linear", "--scheduled-sampling-k", "8"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("scheduled sampling linear p 0.25 k 8") != std::string::npos, r.out.c_str());
        // p = min(0.25, step / 8): 0.125 at step 1, 0.25 at step 2.
        QVERIFY2(r.out.find("sampling_p 0.125") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find("sampling_p 0.250") != std::string::npos, r.out.c_str());
    }

    void trainTranslateEvalNat()
    {
        // --decoder nat: the length loss is logged, the model directory says "nat", translate
        // writes a one-pass trace, eval names the one-pass decoding and its speed, beam is refused.
        QTemporaryDir tmp;
        const QString corpus = writeCorpus(tmp.path());
        const QString model = tmp.filePath("nat"), json = tmp.filePath("nat.json");
        Run r = runArgs({"train", "--data", corpus, "--decoder", "nat", "--length-loss-weight", "0.5", "--d-model", "16",
                         "--nhead", "2", "--layers", "1", "--d-ff", "32", "--threads", "1", "--min-count", "1",
                         "--log-every", "1", "--steps", "2", "--samples", "0", "--out", model});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("length_loss ") != std::string::npos, r.out.c_str());
        const nlohmann::json cfg = nlohmann::json::parse(al::read_file((model + "/config.json").toStdString()));
        QCOMPARE(cfg.at("decoder").get<std::string>(), std::string("nat"));
        r = runArgs({"translate", "--model", model, "--attention", json, "我喜欢茶。"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        const nlohmann::json trace = nlohmann::json::parse(al::read_file(json.toStdString()));
        QCOMPARE(trace.at("decoding").at("strategy").get<std::string>(), std::string("nat"));
        QCOMPARE(trace.at("decoding").at("beam_width").get<int>(), 1);
        const al::Trace back = al::trace_from_json(trace, json.toStdString());
        QCOMPARE(back.decoding.strategy, std::string("nat"));
        QCOMPARE(back.decoding.steps.size(), back.tgt_out_tokens.size()); // one step per position
        r = runArgs({"eval", "--model", model, "--data", corpus});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("decoding nat (one pass) decode_seconds ") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find(" sentences/s ") != std::string::npos, r.out.c_str());
        r = runArgs({"eval", "--model", model, "--data", corpus, "--beam", "3"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("decoding nat (one pass, 3 length candidates)") != std::string::npos, r.out.c_str());
        r = runArgs({"translate", "--model", model, "--temperature", "0.5", "我喜欢茶。"});
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(r.err.find("autoregressive") != std::string::npos, r.err.c_str());
    }

    void explicitSplitsDefaultToSaveSplitColumns()
    {
        TrainOptions o;
        QCOMPARE(parseTrainArgs({"--train", "a", "--valid", "b", "--test", "c"}, o).kind, ParseStatus::Ok);
        QVERIFY(o.source.data.isEmpty());
        QCOMPARE(o.source.train, QString("a"));
        QCOMPARE(o.source.valid, QString("b"));
        QCOMPARE(o.source.test, QString("c"));
        QCOMPARE(o.source.src_col, 0);
        QCOMPARE(o.source.tgt_col, 1);
    }

    void usageErrorsNameTheOption_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("needle");
        QTest::newRow("unknown") << QStringList{"--bogus"} << "bogus";
        QTest::newRow("missing value") << QStringList{"--steps"} << "steps";
        QTest::newRow("not a number") << QStringList{"--d-model", "abc"} << "--d-model";
        QTest::newRow("zero threads") << QStringList{"--threads", "0"} << "--threads";
        QTest::newRow("negative steps") << QStringList{"--steps", "-5"} << "--steps";
        QTest::newRow("dropout 1.5") << QStringList{"--dropout", "1.5"} << "--dropout";
        QTest::newRow("lr-factor 0") << QStringList{"--lr-factor", "0"} << "--lr-factor";
        QTest::newRow("minutes nan") << QStringList{"--minutes", "nan"} << "--minutes";
        QTest::newRow("token kind") << QStringList{"--src-tokens", "bytes"} << "--src-tokens";
        QTest::newRow("heads") << QStringList{"--d-model", "250", "--nhead", "4"} << "--nhead";
        QTest::newRow("layers twice") << QStringList{"--layers", "2", "--encoder-layers", "1"} << "--layers";
        QTest::newRow("data and train") << QStringList{"--data", "x", "--train", "y", "--valid", "v", "--test", "t"} << "--data";
        QTest::newRow("train alone") << QStringList{"--train", "y"} << "--valid";
        QTest::newRow("same columns") << QStringList{"--src-col", "0", "--tgt-col", "0"} << "--src-col";
        QTest::newRow("resume + arch") << QStringList{"--resume", "m", "--d-model", "64"} << "--d-model";
        QTest::newRow("save-every w/o out") << QStringList{"--save-every", "5"} << "--out";
        QTest::newRow("positional") << QStringList{"stray"} << "stray";
        QTest::newRow("schedule") << QStringList{"--scheduled-sampling", "cosine"} << "--scheduled-sampling";
        QTest::newRow("schedule p") << QStringList{"--scheduled-sampling", "constant", "--scheduled-sampling-p", "2"} << "--scheduled-sampling-p";
        QTest::newRow("schedule k") << QStringList{"--scheduled-sampling", "inverse_sigmoid", "--scheduled-sampling-k", "0.5"} << "--scheduled-sampling-k";
        QTest::newRow("schedule p w/o schedule") << QStringList{"--scheduled-sampling-p", "0.5"} << "--scheduled-sampling";
        QTest::newRow("scoring") << QStringList{"--scoring", "cosine"} << "--scoring: attention_scoring must be";
        QTest::newRow("normalization") << QStringList{"--normalization", "sparsemax"} << "--normalization: attention_normalization must be";
        QTest::newRow("window negative") << QStringList{"--window", "-1"} << "--window";
        QTest::newRow("positional encoding") << QStringList{"--positional-encoding", "rotary"} << "--positional-encoding: positional_encoding must be";
        QTest::newRow("norm") << QStringList{"--norm", "rmsnorm"} << "--norm: norm must be";
        QTest::newRow("activation") << QStringList{"--activation", "swish"} << "--activation: activation must be";
        QTest::newRow("attention dropout 1") << QStringList{"--attention-dropout", "1"} << "--attention-dropout";
        QTest::newRow("resume + norm") << QStringList{"--resume", "m", "--norm", "batchnorm"} << "--norm";
        QTest::newRow("unknown task") << QStringList{"--task", "rotate"} << "--task: expected translate, copy, reverse, sort, charlm";
        QTest::newRow("data with task") << QStringList{"--task", "copy", "--data", "x.tsv"} << "--data cannot be combined with --task copy";
        QTest::newRow("task-vocab alone") << QStringList{"--task-vocab", "5"} << "--task-vocab needs --task";
        QTest::newRow("task vocab 1") << QStringList{"--task", "sort", "--task-vocab", "1"} << "--task-vocab";
        QTest::newRow("min > max") << QStringList{"--task", "sort", "--min-len", "8", "--max-len", "4"} << "max_len";
        QTest::newRow("held-out capacity") << QStringList{"--task", "copy", "--task-vocab", "2", "--max-len", "3"}
                                           << "valid_size + test_size";
        QTest::newRow("pre and post") << QStringList{"--pre-ln", "--post-ln"} << "--post-ln";
        QTest::newRow("decoder") << QStringList{"--decoder", "parallel"} << "--decoder: decoder must be";
        QTest::newRow("length weight w/o nat") << QStringList{"--length-loss-weight", "0.5"} << "--decoder nat";
        QTest::newRow("length weight negative") << QStringList{"--decoder", "nat", "--length-loss-weight", "-1"} << "--length-loss-weight";
        // One range and one wording on every path: translation, an algorithmic and a language task.
        for (const QString task : {"translate", "copy", "charlm"}) {
            const QStringList t = {"--task", task};
            QTest::newRow(qPrintable(task + " d-model")) << t + QStringList{"--d-model", "70000"}
                                                        << "--d-model: expected an integer from 1 to 65536, got '70000'";
            QTest::newRow(qPrintable(task + " nhead")) << t + QStringList{"--nhead", "0"} << "--nhead: expected an integer from 1 to 4096, got '0'";
            QTest::newRow(qPrintable(task + " d-ff alias")) << t + QStringList{"--d-ff", "x"} << "--d-ff: expected an integer from 1 to 1048576, got 'x'";
            QTest::newRow(qPrintable(task + " dropout")) << t + QStringList{"--dropout", "1"} << "--dropout: expected a number in [0, 1), got '1'";
            QTest::newRow(qPrintable(task + " threads")) << t + QStringList{"--threads", "2000"} << "--threads: expected an integer from 1 to 1024, got '2000'";
            QTest::newRow(qPrintable(task + " max-len")) << t + QStringList{"--max-len", "0"} << "--max-len: expected an integer from 1 to 100000, got '0'";
            QTest::newRow(qPrintable(task + " lr-factor")) << t + QStringList{"--lr-factor", "-1"} << "--lr-factor: expected a number > 0, got '-1'";
            QTest::newRow(qPrintable(task + " scoring")) << t + QStringList{"--scoring", "cosine"} << "--scoring: attention_scoring must be";
            QTest::newRow(qPrintable(task + " both spellings")) << t + QStringList{"--d-ff", "8", "--dim-feedforward", "8"}
                                                               << "--d-ff is another spelling of --dim-feedforward";
        }
        QTest::newRow("clip on charlm") << QStringList{"--task", "charlm", "--clip", "1"} << "--clip does not apply to --task charlm";
        QTest::newRow("pooling on translate") << QStringList{"--pooling", "cls"} << "--pooling needs --task charlm, pos";
    }

    void algorithmicTaskDefaults()
    {
        TrainOptions o;
        QCOMPARE(parseTrainArgs({"--task", "Reverse", "--task-vocab", "8", "--min-len", "3", "--max-len", "10",
                                 "--task-pairs", "500", "--split-seed", "4"},
                                o)
                     .kind,
                 ParseStatus::Ok);
        QCOMPARE(o.task, QString("reverse"));
        QCOMPARE(o.algorithmic.task, AlgorithmicTask::Reverse);
        QCOMPARE(o.algorithmic.vocab, 8);
        QCOMPARE(o.algorithmic.min_len, 3);
        QCOMPARE(o.algorithmic.max_len, 10);
        QCOMPARE(o.algorithmic.train_size, 500);
        QCOMPARE(o.algorithmic.seed, uint64_t(4));
        QCOMPARE(o.train.max_len, 10);
        QCOMPARE(o.minutes, 2.0);
        QCOMPARE(o.min_count, 1);
        QCOMPARE(o.src_tokens, TokenKind::Word);
        const ModelConfig md = algorithmic_model_defaults();
        QCOMPARE(o.model.d_model, md.d_model);
        QCOMPARE(o.model.norm_first, true);
        QCOMPARE(o.train.warmup_steps, algorithmic_train_defaults(o.algorithmic).warmup_steps);
        QCOMPARE(o.train.lr_factor, algorithmic_train_defaults(o.algorithmic).lr_factor);
        // Explicit options still win over the task's defaults.
        QCOMPARE(parseTrainArgs({"--task", "copy", "--d-model", "32", "--post-ln", "--warmup", "7", "--steps", "3"}, o).kind,
                 ParseStatus::Ok);
        QCOMPARE(o.model.d_model, 32);
        QCOMPARE(o.model.norm_first, false);
        QCOMPARE(o.train.warmup_steps, 7);
        QCOMPARE(o.minutes, 0.0);
        // translate keeps its own defaults.
        QCOMPARE(parseTrainArgs({}, o).kind, ParseStatus::Ok);
        QCOMPARE(o.task, QString("translate"));
        QCOMPARE(o.model.d_model, ModelConfig{}.d_model);
        QCOMPARE(o.model.norm_first, false);
        QCOMPARE(o.train.max_len, TrainConfig{}.max_len);
    }

    void algorithmicTrainEvalEndToEnd()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString model = tmp.filePath("copy");
        Run r = runArgs({"train", "--task", "copy", "--task-vocab", "6", "--max-len", "5", "--task-pairs", "300",
                         "--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32", "--steps", "3",
                         "--threads", "1", "--out", model, "--samples", "1"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        const QString out = QString::fromStdString(r.out);
        QVERIFY2(out.contains("data: copy task, 6 symbols, lengths 1 to 5"), r.out.c_str());
        QVERIFY2(out.contains("test_exact_match "), r.out.c_str());
        QVERIFY(out.contains("test_token_accuracy "));
        QVERIFY(out.contains("cross-attention argmax (mean over heads) on the diagonal (copy): layer 1 "));
        QVERIFY(!out.contains("test_bleu"));
        QVERIFY(QFileInfo(model + "/task.json").isFile());
        const QStringList metrics = QString::fromStdString(read_file((model + "/metrics.csv").toStdString()))
                                        .split('\n', Qt::SkipEmptyParts);
        QCOMPARE(metrics.size(), 2);
        QVERIFY(metrics[0].startsWith("task,step,seconds,valid_loss,valid_token_accuracy,test_sequences,test_exact_match,"));
        QVERIFY(metrics[1].startsWith("copy,3,"));
        QCOMPARE(metrics[1].split(',')[5], QString("1000"));

        // eval regenerates the same held-out test set from task.json.
        const double trained_valid = numberAfter(r.out, "valid_loss "), trained_exact = numberAfter(r.out, "test_exact_match ");
        r = runArgs({"eval", "--model", model, "--samples", "0"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(QString::fromStdString(r.out).contains("test_exact_match"), r.out.c_str());
        QVERIFY(QString::fromStdString(r.out).contains("sequences 1000"));
        QCOMPARE(numberAfter(r.out, "test_exact_match "), trained_exact);
        // ... and its validation set, scored as the training run scored it.
        r = runArgs({"eval", "--model", model, "--split", "valid", "--samples", "0"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY2(QString::fromStdString(r.out).contains("sequences 500"), r.out.c_str());
        QVERIFY2(std::abs(numberAfter(r.out, "valid_loss ") - trained_valid) < 1e-3,
                 qPrintable(QString("%1 vs %2").arg(numberAfter(r.out, "valid_loss ")).arg(trained_valid)));
        r = runArgs({"translate", "--model", model, "3 1 4"});
        QVERIFY2(r.code == ExitOk, r.err.c_str());

        // A task.json with a wrong type names the key.
        QFile f(model + "/task.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"task": "copy", "vocab": "six", "min_len": 1, "max_len": 5, "train_size": 300, "valid_size": 500, "test_size": 1000, "seed": 1})");
        f.close();
        r = runArgs({"eval", "--model", model});
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(QString::fromStdString(r.err).contains("task.json: key 'vocab'"), r.err.c_str());
    }

    // --keep-best on every model kind, through the one training-loop driver: a run validated after
    // every step whose validation score got worse ends with the weights of its best pass; those
    // are byte for byte the weights of a run stopped at that step.
    void keepBestEndsWithTheBestWeights_data()
    {
        QTest::addColumn<QStringList>("args");
        const QStringList tiny = {"--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32", "--dropout", "0"};
        QTest::newRow("translate") << QStringList{"--task", "translate", "--data", "CORPUS", "--samples", "0",
                                                  "--bleu-sentences", "2", "--lr-factor", "8", "--warmup", "1"} + tiny;
        QTest::newRow("nat") << QStringList{"--task", "translate", "--data", "CORPUS", "--decoder", "nat", "--samples", "0",
                                            "--bleu-sentences", "2", "--lr-factor", "8", "--warmup", "1"} + tiny;
        QTest::newRow("copy") << QStringList{"--task", "copy", "--task-vocab", "6", "--max-len", "5", "--task-pairs", "300",
                                             "--samples", "0", "--lr-factor", "8", "--warmup", "1"} + tiny;
        QTest::newRow("charlm") << QStringList{"--task", "charlm", "--max-len", "16", "--max-tokens", "128", "--valid-max", "8",
                                               "--lr-factor", "8", "--warmup", "1"} + tiny;
    }
    void keepBestEndsWithTheBestWeights()
    {
        QFETCH(QStringList, args);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        args.replaceInStrings("CORPUS", writeCorpus(tmp.path()));
        auto weights = [](const QString& dir) { return QByteArray::fromStdString(read_file((dir + "/model.safetensors").toStdString())); };
        const QStringList run = {"train", "--steps", "8", "--threads", "1", "--valid-every", "0.000001", "--log-seconds", "1000"};
        Run r = runArgs(run + args + QStringList{"--keep-best", "true", "--out", tmp.filePath("best")});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        const std::string key = "keep-best: back to the weights of step ";
        const size_t at = r.out.find(key);
        QVERIFY2(at != std::string::npos, r.out.c_str()); // the score did get worse after the best pass
        const int best = std::atoi(r.out.c_str() + at + key.size());
        QVERIFY2(best >= 1 && best < 8, r.out.c_str());
        QVERIFY2(r.out.find("saved " + tmp.filePath("best").toStdString() + " (final, step 8)") != std::string::npos, r.out.c_str());

        r = runArgs(QStringList{"train", "--steps", QString::number(best), "--threads", "1", "--keep-best", "false",
                                "--out", tmp.filePath("stopped")} + args);
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        const QByteArray kept = weights(tmp.filePath("best")), stopped = weights(tmp.filePath("stopped"));
        QVERIFY(!kept.isEmpty());
        QVERIFY(kept == stopped);

        // Without keep-best the run ends with the last step's weights.
        r = runArgs(run + args + QStringList{"--keep-best", "false", "--out", tmp.filePath("last")});
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QVERIFY(r.out.find(key) == std::string::npos);
        QVERIFY(weights(tmp.filePath("last")) != kept);
    }

    // A step that meets a NaN or an Inf stops `train` of every model kind with exit code 1 and a
    // message naming the step and the parameter (or the loss); --out then holds the weights of the
    // step before, which load, are finite, and are byte for byte those of a run stopped at that
    // step. The Noam factor 1e6 overflows these two-layer models within a few steps (with one
    // layer, translation and charlm only reach a finite loss of about 1e11).
    void numericFaultStopsWithTheLastGoodWeights_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("taskModel");
        const QStringList tiny = {"--d-model", "16", "--nhead", "2", "--layers", "2", "--d-ff", "32", "--dropout", "0",
                                  "--lr-factor", "1e6", "--warmup", "1", "--threads", "2"};
        QTest::newRow("copy") << QStringList{"--task", "copy", "--task-vocab", "6", "--max-len", "5", "--task-pairs", "300",
                                             "--samples", "0"} + tiny << false;
        QTest::newRow("translate") << QStringList{"--task", "translate", "--data", "CORPUS", "--samples", "0",
                                                  "--bleu-sentences", "2"} + tiny << false;
        QTest::newRow("nat") << QStringList{"--task", "translate", "--data", "CORPUS", "--decoder", "nat", "--samples", "0",
                                            "--bleu-sentences", "2"} + tiny << false;
        QTest::newRow("charlm") << QStringList{"--task", "charlm", "--max-len", "16", "--max-tokens", "128", "--valid-max", "8"}
                                       + tiny << true;
    }
    void numericFaultStopsWithTheLastGoodWeights()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, taskModel);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        args.replaceInStrings("CORPUS", writeCorpus(tmp.path()));
        const QString faulted = tmp.filePath("faulted"), stopped = tmp.filePath("stopped");
        Run r = runArgs(QStringList{"train", "--steps", "100", "--log-every", "1", "--out", faulted} + args);
        QCOMPARE(r.code, int(ExitFailure));
        qInfo("%s", r.err.c_str());
        // stderr: the corpus reads' summaries, then the error on a line of its own.
        const std::string key = "error: step ";
        const size_t at = r.err.rfind(key, 0) == 0 ? 0 : r.err.find("\n" + key);
        QVERIFY2(at != std::string::npos, r.err.c_str());
        const int step = std::atoi(r.err.c_str() + at + (at == 0 ? 0 : 1) + key.size());
        QVERIFY2(step >= 2 && step <= 100, r.err.c_str()); // step 1 starts from finite initial weights
        const std::string kept = std::to_string(step - 1);
        const bool names_parameter = r.err.find(": gradient of ") != std::string::npos
                                     || r.err.find(": the Adam update of ") != std::string::npos;
        QVERIFY2(names_parameter || r.err.find(": loss is not finite") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find(" is not finite (NaN)") != std::string::npos || r.err.find(" is not finite (Inf)") != std::string::npos,
                 r.err.c_str());
        QVERIFY2(r.err.find("; training stopped, the weights of step " + kept + " are kept and saved to "
                            + faulted.toStdString())
                     != std::string::npos,
                 r.err.c_str());
        QVERIFY2(r.out.find("step " + kept + " ") != std::string::npos, r.out.c_str()); // the last progress line
        QVERIFY2(r.out.find("step " + std::to_string(step) + " ") == std::string::npos, r.out.c_str());

        // The saved weights load and are finite.
        const auto tensors = read_safetensors((faulted + "/model.safetensors").toStdString());
        QVERIFY(!tensors.empty());
        for (const auto& [name, t] : tensors)
            for (float x : t.data)
                QVERIFY2(std::isfinite(x), name.c_str());
        if (taskModel)
            QCOMPARE(load_task_model_dir(faulted.toStdString()).net.params().all().size(), tensors.size());
        else
            QCOMPARE(load_model_dir(faulted.toStdString()).net.params().all().size(), tensors.size());

        // They are the weights of a run stopped before the faulty step.
        r = runArgs(QStringList{"train", "--steps", QString::fromStdString(kept), "--out", stopped} + args);
        QVERIFY2(r.code == ExitOk, r.err.c_str());
        QCOMPARE(QByteArray::fromStdString(read_file((faulted + "/model.safetensors").toStdString())),
                 QByteArray::fromStdString(read_file((stopped + "/model.safetensors").toStdString())));

        // Without --out nothing is saved and the message says only that the weights are kept.
        r = runArgs(QStringList{"train", "--steps", "100"} + args);
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(r.err.find("the weights of step " + kept + " are kept; try a smaller --lr-factor") != std::string::npos,
                 r.err.c_str());
    }

    void usageErrorsNameTheOption()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, needle);
        TrainOptions o;
        const ParseStatus st = parseTrainArgs(args, o);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY2(st.text.contains(needle), qPrintable(st.text));

        QStringList full = args;
        full.prepend("train");
        const Run r = runArgs(full);
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(QString::fromStdString(r.err).contains(needle), r.err.c_str());
        QVERIFY(r.out.empty());
    }

    // Every entry of the option tables (app/options.h) reaches its config key, on a translation
    // run and on a language-task run; the list must name every option of the tables.
    void everyTableOptionReachesItsConfigKey()
    {
        struct Case {
            QString option;          ///< the table entry this case covers
            QStringList args;
            QStringList base;        ///< task arguments; empty = both a translation and a charlm run
            std::function<bool(const TrainOptions&, const ModelConfig&)> check;
        };
        const QStringList corpus = {"--data", "x.tsv"};
        const QStringList copy = {"--task", "copy"};
        auto both = [](const QString& o, const QStringList& a, std::function<bool(const TrainOptions&, const ModelConfig&)> f) {
            return Case{o, a, {}, std::move(f)};
        };
        const std::vector<Case> cases = {
            both("d-model", {"--d-model", "64"}, [](auto&, auto& m) { return m.d_model == 64; }),
            both("nhead", {"--nhead", "8"}, [](auto&, auto& m) { return m.nhead == 8; }),
            both("layers", {"--layers", "2"}, [](auto& o, auto& m) {
                return o.task == "charlm" ? m.num_decoder_layers == 2 && o.model.num_layers() == 2
                                          : m.num_encoder_layers == 2 && m.num_decoder_layers == 2;
            }),
            Case{"encoder-layers", {"--encoder-layers", "1"}, corpus, [](auto&, auto& m) { return m.num_encoder_layers == 1; }},
            Case{"decoder-layers", {"--decoder-layers", "2"}, copy, [](auto&, auto& m) { return m.num_decoder_layers == 2; }},
            both("dim-feedforward", {"--dim-feedforward", "96"}, [](auto&, auto& m) { return m.dim_feedforward == 96; }),
            both("dim-feedforward", {"--d-ff", "97"}, [](auto&, auto& m) { return m.dim_feedforward == 97; }),
            both("dropout", {"--dropout", "0.3"}, [](auto&, auto& m) { return m.dropout == 0.3; }),
            both("norm-first", {"--norm-first", "true"}, [](auto&, auto& m) { return m.norm_first; }),
            both("norm-first", {"--norm-first", "false"}, [](auto&, auto& m) { return !m.norm_first; }),
            both("pre-ln", {"--norm-first", "false", "--pre-ln"}, [](auto&, auto& m) { return m.norm_first; }),
            both("post-ln", {"--norm-first", "true", "--post-ln"}, [](auto&, auto& m) { return !m.norm_first; }),
            Case{"decoder", {"--decoder", "nat"}, corpus, [](auto&, auto& m) { return m.decoder == "nat"; }},
            both("attention", {"--attention", "dense"}, [](auto&, auto& m) { return m.attention == "dense"; }),
            both("synthesizer-k", {"--synthesizer-k", "5"}, [](auto&, auto& m) { return m.synthesizer_k == 5; }),
            both("scoring", {"--scoring", "dot"}, [](auto&, auto& m) { return m.attention_scoring == "dot"; }),
            both("normalization", {"--normalization", "relu"}, [](auto&, auto& m) { return m.attention_normalization == "relu"; }),
            both("window", {"--window", "3"}, [](auto&, auto& m) { return m.attention_window == 3; }),
            both("positional-encoding", {"--positional-encoding", "learned"}, [](auto&, auto& m) { return m.positional_encoding == "learned"; }),
            both("norm", {"--norm", "batchnorm"}, [](auto&, auto& m) { return m.norm == "batchnorm"; }),
            both("activation", {"--activation", "gelu"}, [](auto&, auto& m) { return m.activation == "gelu"; }),
            both("attention-dropout", {"--attention-dropout", "0.2"}, [](auto&, auto& m) { return m.attention_dropout == 0.2; }),
            both("max-tokens", {"--max-tokens", "700"}, [](auto& o, auto&) { return o.train.max_tokens == 700; }),
            both("warmup", {"--warmup", "33"}, [](auto& o, auto&) { return o.train.warmup_steps == 33; }),
            both("lr-factor", {"--lr-factor", "0.7"}, [](auto& o, auto&) { return o.train.lr_factor == 0.7; }),
            both("label-smoothing", {"--label-smoothing", "0.05"}, [](auto& o, auto&) { return o.train.label_smoothing == 0.05; }),
            both("micro-batch-tokens", {"--micro-batch-tokens", "64"}, [](auto& o, auto&) { return o.train.micro_batch_tokens == 64; }),
            Case{"micro-batch-tokens", {"--micro-batch-tokens", "32"}, copy, [](auto& o, auto&) { return o.train.micro_batch_tokens == 32; }},
            Case{"clip", {"--clip", "0.5"}, copy, [](auto& o, auto&) { return o.train.clip_grad_norm == 0.5; }},
            Case{"scheduled-sampling", {"--scheduled-sampling", "constant"}, corpus,
                 [](auto& o, auto&) { return o.train.scheduled_sampling == "constant"; }},
            Case{"scheduled-sampling-p", {"--scheduled-sampling", "linear", "--scheduled-sampling-p", "0.4"}, corpus,
                 [](auto& o, auto&) { return o.train.scheduled_sampling_p == 0.4; }},
            Case{"scheduled-sampling-k", {"--scheduled-sampling", "linear", "--scheduled-sampling-k", "50"}, corpus,
                 [](auto& o, auto&) { return o.train.scheduled_sampling_k == 50; }},
            Case{"length-loss-weight", {"--decoder", "nat", "--length-loss-weight", "0.3"}, corpus,
                 [](auto& o, auto&) { return o.train.length_loss_weight == 0.3; }},
            both("seed", {"--seed", "77"}, [](auto& o, auto&) { return o.train.seed == 77; }),
            both("threads", {"--threads", "3"}, [](auto& o, auto&) { return o.train.threads == 3; }),
            both("task", {}, [](auto& o, auto&) { return o.task == "translate" || o.task == "charlm"; }),
            Case{"task-vocab", {"--task-vocab", "7"}, copy, [](auto& o, auto&) { return o.algorithmic.vocab == 7; }},
            Case{"min-len", {"--min-len", "2"}, copy, [](auto& o, auto&) { return o.algorithmic.min_len == 2; }},
            Case{"task-pairs", {"--task-pairs", "900"}, copy, [](auto& o, auto&) { return o.algorithmic.train_size == 900; }},
            both("max-len", {"--max-len", "40"}, [](auto& o, auto& m) {
                return o.task == "charlm" ? m.max_len == 40 : o.train.max_len == 40;
            }),
            Case{"max-len", {"--max-len", "9"}, copy, [](auto& o, auto&) { return o.algorithmic.max_len == 9 && o.train.max_len == 9; }},
            Case{"pooling", {"--pooling", "cls"}, {"--task", "langid"}, [](auto& o, auto&) { return o.model.pooling == "cls"; }},
            Case{"suffix-len", {"--suffix-len", "2"}, {"--task", "pos", "--data", "ud"}, [](auto& o, auto&) { return o.model.suffix_len == 2; }},
            Case{"mask-prob", {"--mask-prob", "0.2"}, {"--task", "mlm"}, [](auto& o, auto&) { return o.mask_prob == 0.2; }},
            Case{"keep-best", {"--keep-best", "false"}, {"--task", "charlm"}, [](auto& o, auto&) { return !o.keep_best; }},
            // Off by default for an encoder-decoder, on for a language task; the option sets it for every kind.
            Case{"keep-best", {}, corpus, [](auto& o, auto&) { return !o.keep_best; }},
            Case{"keep-best", {}, {"--task", "pos", "--data", "ud"}, [](auto& o, auto&) { return o.keep_best; }},
            both("keep-best", {"--keep-best", "true"}, [](auto& o, auto&) { return o.keep_best; }),
            Case{"keep-best", {"--keep-best", "1"}, copy, [](auto& o, auto&) { return o.keep_best; }},
            Case{"keep-best", {"--keep-best", "true"}, {"--data", "x.tsv", "--decoder", "nat"}, [](auto& o, auto&) { return o.keep_best; }},
            Case{"data", {"--data", "a.txt", "--data", "b.txt"}, {"--task", "langid"},
                 [](auto& o, auto&) { return o.task_data == QStringList{"a.txt", "b.txt"}; }},
            Case{"data", {"--data", "c.tsv"}, {"--task", "translate"}, [](auto& o, auto&) { return o.source.data == "c.tsv"; }},
            Case{"src-col", {"--src-col", "2"}, corpus, [](auto& o, auto&) { return o.source.src_col == 2; }},
            Case{"tgt-col", {"--tgt-col", "3"}, corpus, [](auto& o, auto&) { return o.source.tgt_col == 3; }},
            Case{"split-seed", {"--split-seed", "5"}, corpus, [](auto& o, auto&) { return o.source.split_seed == 5; }},
            Case{"split-seed", {"--split-seed", "6"}, copy, [](auto& o, auto&) { return o.algorithmic.seed == 6; }},
            Case{"train", {"--train", "a", "--valid", "b", "--test", "c"}, {"--task", "translate"}, [](auto& o, auto&) {
                return o.source.train == "a" && o.source.valid == "b" && o.source.test == "c";
            }},
            Case{"valid", {"--train", "a", "--valid", "b", "--test", "c"}, {"--task", "translate"}, [](auto& o, auto&) { return o.source.valid == "b"; }},
            Case{"test", {"--train", "a", "--valid", "b", "--test", "c"}, {"--task", "translate"}, [](auto& o, auto&) { return o.source.test == "c"; }},
            Case{"src-tokens", {"--src-tokens", "word"}, corpus, [](auto& o, auto&) { return o.src_tokens == TokenKind::Word; }},
            Case{"tgt-tokens", {"--tgt-tokens", "char"}, corpus, [](auto& o, auto&) { return o.tgt_tokens == TokenKind::Char; }},
            both("min-count", {"--min-count", "4"}, [](auto& o, auto&) { return o.min_count == 4; }),
            both("minutes", {"--minutes", "0.5"}, [](auto& o, auto&) { return o.minutes == 0.5; }),
            both("steps", {"--steps", "12"}, [](auto& o, auto&) { return o.steps == 12 && o.minutes == 0; }),
            both("out", {"--out", "dir"}, [](auto& o, auto&) { return o.out == "dir"; }),
            both("save-every", {"--out", "dir", "--save-every", "3"}, [](auto& o, auto&) { return o.save_every == 3; }),
            both("resume", {"--resume", "m"}, [](auto& o, auto&) { return o.resume == "m"; }),
            Case{"save-split", {"--save-split", "s"}, corpus, [](auto& o, auto&) { return o.save_split == "s"; }},
            both("log-every", {"--log-every", "7"}, [](auto& o, auto&) { return o.log_every == 7; }),
            both("log-seconds", {"--log-seconds", "2.5"}, [](auto& o, auto&) { return o.log_seconds == 2.5; }),
            both("valid-every", {"--valid-every", "0.25"}, [](auto& o, auto&) { return o.valid_every == 0.25; }),
            both("valid-max", {"--valid-max", "11"}, [](auto& o, auto&) { return o.valid_max == 11; }),
            Case{"bleu-sentences", {"--bleu-sentences", "13"}, corpus, [](auto& o, auto&) { return o.bleu_sentences == 13; }},
            Case{"samples", {"--samples", "2"}, copy, [](auto& o, auto&) { return o.samples == 2; }},
            both("timeline", {"--timeline", "false"}, [](auto& o, auto&) { return !o.timeline; }),
            both("timeline-probe", {"--timeline-probe", "a b", "--timeline-probe", "c"},
                 [](auto& o, auto&) { return o.timeline_probes == QStringList({"a b", "c"}); }),
            both("timeline-mb", {"--timeline-mb", "7.5"}, [](auto& o, auto&) { return o.timeline_mb == 7.5; }),
        };
        QSet<QString> covered;
        for (const Case& c : cases) {
            covered.insert(c.option);
            const QList<QStringList> bases = c.base.isEmpty() ? QList<QStringList>{{"--task", "translate"}, {"--task", "charlm"}}
                                                              : QList<QStringList>{c.base};
            for (const QStringList& base : bases) {
                TrainOptions o;
                const ParseStatus st = parseTrainArgs(base + c.args, o);
                const QString what = (base + c.args).join(' ');
                QVERIFY2(st.kind == ParseStatus::Ok, qPrintable(what + ": " + st.text));
                const ModelConfig& m = o.model;
                QVERIFY2(c.check(o, m), qPrintable(what));
            }
        }
        for (const OptionSpec& s : trainOptionSpecs()) QVERIFY2(covered.contains(s.name), qPrintable(s.name));
    }

    void trainHelpListsTaskAndGroups()
    {
        for (const QStringList& args : {QStringList{"train", "--help"}, QStringList{"train", "--task", "charlm", "--help"}}) {
            const Run r = runArgs(args);
            QCOMPARE(r.code, int(ExitOk));
            const QString help = QString::fromStdString(r.out);
            QVERIFY2(help.contains("--task TASK"), r.out.c_str());
            for (const char* group : {"Data:", "Model:", "Block switches:", "Training:", "Task:", "Budget, progress and output:"})
                QVERIFY2(help.contains(group), group);
            QVERIFY(help.indexOf("Model:") < help.indexOf("--d-model") && help.indexOf("--d-model") < help.indexOf("Block switches:"));
            QVERIFY(help.contains("--dim-feedforward"));
            QVERIFY2(!help.contains("--d-ff") && !help.contains("--norm-first"), "aliases stay hidden");
            QVERIFY(help.contains("1 to 65536"));
        }
    }

    void helpListsEveryOptionWithDefault()
    {
        TrainOptions o;
        const ParseStatus st = parseTrainArgs({"--help"}, o);
        QCOMPARE(st.kind, ParseStatus::Help);
        QVERIFY(st.text.contains("Usage: attention-lab train"));
        const QStringList names = {"data", "src-col", "tgt-col", "split-seed", "train", "valid", "test", "src-tokens",
                                   "tgt-tokens", "min-count", "d-model", "nhead", "layers", "encoder-layers",
                                   "decoder-layers", "dim-feedforward", "dropout", "pre-ln", "post-ln", "task", "task-vocab", "min-len", "task-pairs", "attention", "synthesizer-k", "scoring",
                                   "normalization", "window", "positional-encoding", "norm", "activation",
                                   "attention-dropout", "max-tokens", "micro-batch-tokens", "max-len", "warmup",
                                   "lr-factor", "label-smoothing", "clip", "minutes", "steps", "seed", "threads",
                                   "out", "save-every", "resume", "save-split", "log-every", "valid-every",
                                   "valid-max", "bleu-sentences", "samples", "scheduled-sampling",
                                   "scheduled-sampling-p", "scheduled-sampling-k", "decoder",
                                   "length-loss-weight", "log-seconds", "pooling", "suffix-len", "mask-prob",
                                   "keep-best", "timeline", "timeline-probe", "timeline-mb"};
        for (const QString& n : names) QVERIFY2(st.text.contains("--" + n), qPrintable(n));
        // Every option except --help/--version states its default.
        QCOMPARE(int(st.text.count("(default")), int(names.size()));

        TranslateOptions t;
        const ParseStatus ts = parseTranslateArgs({"--help"}, t);
        QCOMPARE(ts.kind, ParseStatus::Help);
        for (const char* n : {"--model", "--max-len", "--attention", "--threads"}) QVERIFY(ts.text.contains(n));

        const Run top = runArgs({"--help"});
        QCOMPARE(top.code, int(ExitOk));
        for (const char* sub : {"train", "translate", "eval"}) QVERIFY(top.out.find(sub) != std::string::npos);
        // The graphical lab's options (ui/app/gui_main.cpp parseGuiArguments) are listed too.
        for (const char* gui : {"--session FILE", "--presenter", "--no-demo", "--startup-time"})
            QVERIFY2(top.out.find(gui) != std::string::npos, gui);
        const Run sub = runArgs({"translate", "--help"});
        QCOMPARE(sub.code, int(ExitOk));
        QVERIFY(sub.out.find("--attention") != std::string::npos);
        const Run helpTrain = runArgs({"help", "train"});
        QCOMPARE(helpTrain.code, int(ExitOk));
        QVERIFY(helpTrain.out.find("--d-model") != std::string::npos);
    }

    void versionAndDispatch()
    {
        const Run v = runArgs({"--version"});
        QCOMPARE(v.code, int(ExitOk));
        QVERIFY(v.out.rfind("attention-lab ", 0) == 0);
        QCOMPARE(runArgs({"train", "--version"}).code, int(ExitOk));
        const Run u = runArgs({"trian"});
        QCOMPARE(u.code, int(ExitUsage));
        QVERIFY(u.err.find("trian") != std::string::npos);
        QVERIFY(isCliInvocation("train"));
        QVERIFY(isCliInvocation("--help"));
        QVERIFY(isCliInvocation("--version"));
        QVERIFY(!isCliInvocation("-platform"));
        QVERIFY(!isCliInvocation(""));
        QVERIFY(!isCliInvocation("lesson.json")); // a session file for the GUI
    }

    void translateAndEvalParsing()
    {
        TranslateOptions t;
        ParseStatus st = parseTranslateArgs({"--model", "m", "--max-len", "9", "--attention", "a.json", "我爱你。"}, t);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(t.model, QString("m"));
        QCOMPARE(t.max_len, 9);
        QCOMPARE(t.attention, QString("a.json"));
        QCOMPARE(t.sentences, QStringList{"我爱你。"});
        st = parseTranslateArgs({"我爱你。"}, t);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY(st.text.contains("--model"));
        st = parseTranslateArgs({"--model", "m", "--attention", "a.json", "one", "two"}, t);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY(st.text.contains("--attention"));
        st = parseTranslateArgs({"--model", "m", "--max-len", "0", "x"}, t);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY(st.text.contains("--max-len"));

        // Decoding options: the strategy follows from its options unless named.
        st = parseTranslateArgs({"--model", "m", "x"}, t);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QVERIFY(t.decoding.strategy == DecodingStrategy::Greedy);
        st = parseTranslateArgs({"--model", "m", "--beam", "5", "--length-penalty", "1.2", "x"}, t);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QVERIFY(t.decoding.strategy == DecodingStrategy::Beam);
        QCOMPARE(t.decoding.beam_width, 5);
        QCOMPARE(t.decoding.length_penalty, 1.2);
        st = parseTranslateArgs({"--model", "m", "--decoding", "sample", "--temperature", "0.7", "--top-k", "20",
                                 "--top-p", "0.9", "--seed", "42", "--prefix", "i", "x"}, t);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QVERIFY(t.decoding.strategy == DecodingStrategy::Sample);
        QCOMPARE(t.decoding.temperature, 0.7);
        QCOMPARE(t.decoding.top_k, 20);
        QCOMPARE(t.decoding.top_p, 0.9);
        QCOMPARE(t.decoding.seed, uint64_t(42));
        QCOMPARE(t.prefix, QString("i"));
        const QList<QPair<QStringList, QString>> bad = {
            {{"--decoding", "topk"}, "--decoding"},
            {{"--beam", "0"}, "--beam"},
            {{"--temperature", "0"}, "--temperature"},
            {{"--top-p", "0"}, "--top-p"},
            {{"--top-p", "1.5"}, "--top-p"},
            {{"--top-k", "-1"}, "--top-k"},
            {{"--length-penalty", "-1"}, "--length-penalty"},
            {{"--decoding", "greedy", "--beam", "3"}, "--beam"},
            {{"--decoding", "beam", "--temperature", "2"}, "--temperature"},
            {{"--beam", "3", "--top-k", "2"}, "--beam"},
        };
        for (const auto& b : bad) {
            st = parseTranslateArgs(QStringList{"--model", "m"} + b.first + QStringList{"x"}, t);
            QCOMPARE(st.kind, ParseStatus::Error);
            QVERIFY2(st.text.contains(b.second), qPrintable(st.text));
            EvalOptions e;
            st = parseEvalArgs(QStringList{"--model", "m"} + b.first, e);
            QCOMPARE(st.kind, ParseStatus::Error);
            QVERIFY2(st.text.contains(b.second), qPrintable(st.text));
        }

        EvalOptions e;
        st = parseEvalArgs({"--model", "m", "--decoding", "beam", "--beam", "3"}, e);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QVERIFY(e.decoding.strategy == DecodingStrategy::Beam);
        QCOMPARE(e.decoding.beam_width, 3);
        st = parseEvalArgs({"--model", "m", "--test", "t.tsv"}, e);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(e.source.test, QString("t.tsv"));
        QCOMPARE(e.source.src_col, 0);
        QCOMPARE(e.source.tgt_col, 1);
        st = parseEvalArgs({"--model", "m"}, e);
        QCOMPARE(st.kind, ParseStatus::Ok);
        QCOMPARE(e.source.data, defaultCorpusPath());
        QCOMPARE(e.source.src_col, 1);
        st = parseEvalArgs({"--model", "m", "--test", "t", "--split-seed", "3"}, e);
        QCOMPARE(st.kind, ParseStatus::Error);
        QVERIFY(st.text.contains("--split-seed"));
    }

    void runtimeErrorsExitOne()
    {
        QTemporaryDir tmp;
        const Run r = runArgs({"train", "--data", tmp.filePath("missing.tsv"), "--steps", "1"});
        QCOMPARE(r.code, int(ExitFailure));
        QVERIFY2(r.err.find("missing.tsv") != std::string::npos, r.err.c_str());
        const Run t = runArgs({"translate", "--model", tmp.filePath("nomodel"), "x"});
        QCOMPARE(t.code, int(ExitFailure));
        QVERIFY(t.err.find("error:") != std::string::npos);
    }

    void skippedLinesAreCapped()
    {
        QTemporaryDir tmp;
        const QString corpus = writeCorpus(tmp.path(), 25);
        const Run r = runArgs({"train", "--data", corpus, "--steps", "1", "--d-model", "8", "--nhead", "2", "--layers", "1",
                           "--d-ff", "8", "--threads", "1", "--samples", "0"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        const QString err = QString::fromStdString(r.err);
        // The first 10 in full, a count of the rest, then the file's summary.
        QCOMPARE(int(err.count(QRegularExpression("corpus\\.tsv:[0-9]+: .*, skipped\n"))), 10);
        QVERIFY(err.contains(corpus + ":97: expected at least 2 tab-separated columns, found 1, skipped\n"));
        QVERIFY2(err.contains(corpus + ": ... and 15 more skipped lines\n"), r.err.c_str());
        QVERIFY2(err.contains(corpus + ": 121 lines read, 25 skipped (25 too few columns)\n"), r.err.c_str());
    }

    void hostileCorpusIsReportedOnce()
    {
        // A Latin-1 corpus: one line about the encoding, not one per line; NUL bytes and a BOM.
        QTemporaryDir tmp;
        const QString latin1 = tmp.filePath("latin1.tsv");
        QFile f(latin1);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int i = 0; i < 50; ++i)
            f.write(QByteArray("Caf\xe9 ") + QByteArray::number(i) + "\tcr\xe8me\n");
        f.close();
        Run r = runArgs({"train", "--data", latin1, "--steps", "1", "--threads", "1"});
        QCOMPARE(r.code, int(ExitFailure));
        const QString err = QString::fromStdString(r.err);
        QVERIFY2(err.contains(latin1 + ": does not look like UTF-8 text: 50 of 50 non-blank lines are invalid UTF-8 "
                                       "(the first is line 1: invalid UTF-8 at byte offset 3); is it Latin-1"),
                 r.err.c_str());
        QVERIFY2(!err.contains(", skipped\n"), r.err.c_str());
        QVERIFY(err.contains(latin1 + ": 50 lines read, 50 skipped (50 invalid UTF-8)\n"));
        QVERIFY(err.contains("no usable sentence pair"));

        const QString nul = writeCorpus(tmp.path());
        QFile g(nul);
        QVERIFY(g.open(QIODevice::Append));
        g.write(QByteArray("Bad\0line.\t\xe5\x9d\x8f\n", 14));
        g.close();
        r = runArgs({"train", "--data", nul, "--steps", "1", "--d-model", "8", "--nhead", "2", "--layers", "1",
                     "--d-ff", "8", "--threads", "1", "--samples", "0"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.err.find((nul + ":97: control character U+0000 at byte offset 3, skipped\n").toStdString())
                     != std::string::npos,
                 r.err.c_str());
        QVERIFY(r.err.find((nul + ": 97 lines read, 1 skipped (1 control character)\n").toStdString()) != std::string::npos);
    }

    void translateOddInput()
    {
        // The fixture reads max_len - 1 = 255 source characters; its source vocabulary is Chinese.
        const QString model = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate");
        std::string input = "我爱你。\n\n   \n";
        for (int i = 0; i < 2500; ++i)
            input += "我爱你。";
        input += "\n\xF0\x9F\x98\x80\xD7\xA9\xD7\x9C\n"; // emoji and Hebrew
        input += "bad \xC3\x28 byte\n";
        input += "他\n";
        const Run r = runArgs({"translate", "--model", model, "--max-len", "4"}, input);
        QCOMPARE(r.code, int(ExitFailure)); // one line was not UTF-8; every other line was translated
        QCOMPARE(int(std::count(r.out.begin(), r.out.end(), '\n')), 7); // one output line per input line
        const QStringList out = QString::fromStdString(r.out).split('\n');
        QVERIFY(!out[0].isEmpty());
        QVERIFY(out[1].isEmpty() && out[2].isEmpty() && out[5].isEmpty());
        QVERIFY(!out[6].isEmpty());
        for (const char* expected : {"stdin:2: empty sentence, empty translation\n",
                                     "stdin:3: empty sentence, empty translation\n",
                                     "stdin:4: 10000 source tokens; the model reads the first 255 (max_len 256), the rest is ignored\n",
                                     "stdin:5: every source token (3) is unknown to the model's vocabulary; it reads only <unk>\n",
                                     "stdin:6: invalid UTF-8 at byte offset 4, not translated\n"})
            QVERIFY2(r.err.find(expected) != std::string::npos, r.err.c_str());
        QVERIFY(r.err.find("stdin:1:") == std::string::npos);
        QVERIFY(r.err.find("stdin:7:") == std::string::npos);

        // Sentences given as arguments are named by their position.
        const Run a = runArgs({"translate", "--model", model, "--max-len", "4", "我", ""});
        QCOMPARE(a.code, int(ExitOk));
        QVERIFY2(a.err.find("sentence 2: empty sentence, empty translation\n") != std::string::npos, a.err.c_str());
    }

    void trainTranslateEvalEndToEnd()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString corpus = writeCorpus(tmp.path(), 2);
        const QString model = tmp.filePath("model"), split = tmp.filePath("split");
        const QStringList common = {"--data", corpus, "--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32",
                                    "--dropout", "0", "--warmup", "10", "--max-tokens", "200", "--threads", "1",
                                    "--min-count", "1", "--log-every", "1"};
        Run r = runArgs(QStringList{"train"} + common + QStringList{"--steps", "4", "--out", model, "--save-split", split});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("final: valid_loss ") != std::string::npos, r.out.c_str());
        QVERIFY(r.out.find("test_bleu ") != std::string::npos);
        QVERIFY(r.out.find("steps 4 tokens/s ") != std::string::npos);
        QVERIFY(r.out.find("step 4 epoch ") != std::string::npos);
        QVERIFY(r.out.find("hypothesis: ") != std::string::npos);
        QVERIFY(r.err.find("corpus.tsv:97:") != std::string::npos); // the bad lines were reported
        for (const char* f : {"config.json", "model.safetensors", "optimizer.safetensors"})
            QVERIFY2(QFileInfo(model + "/" + f).isFile(), f);
        const int n = countLines(split + "/train.tsv") + countLines(split + "/valid.tsv") + countLines(split + "/test.tsv");
        QCOMPARE(n, 96);
        QVERIFY(countLines(split + "/test.tsv") >= 1);
        QVERIFY(QFileInfo(split + "/README.txt").isFile());
        {
            QFile f(split + "/train.tsv");
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QList<QByteArray> cols = f.readLine().trimmed().split('\t');
            QCOMPARE(cols.size(), 2);
            QVERIFY(QString::fromUtf8(cols[0]).contains(QString::fromUtf8("。"))); // source = Chinese
        }

        // Resume continues the step count and the saved splits train as they were written.
        r = runArgs({"train", "--train", split + "/train.tsv", "--valid", split + "/valid.tsv", "--test",
                 split + "/test.tsv", "--resume", model, "--steps", "2", "--threads", "1", "--max-tokens", "200",
                 "--out", model});
        QCOMPARE(r.code, int(ExitOk));
        QVERIFY2(r.out.find("at step 4") != std::string::npos, r.out.c_str());
        QVERIFY2(r.out.find("steps 6 tokens/s") != std::string::npos, r.out.c_str());
        const Run train = r; // its final validation pass is of the saved model, on the valid split of --data

        const QString json = tmp.filePath("attention.json");
        r = runArgs({"translate", "--model", model, "--max-len", "8", "--attention", json, "我喜欢茶。"});
        QCOMPARE(r.code, int(ExitOk));
        const std::string first = r.out.substr(0, r.out.find('\n'));

        const nlohmann::json j = nlohmann::json::parse(al::read_file(json.toStdString()));
        QCOMPARE(j.at("translation").get<std::string>(), first);
        QCOMPARE(j.at("source").get<std::string>(), std::string("我喜欢茶。"));
        const auto src = j.at("src_tokens").get<std::vector<std::string>>();
        const auto tin = j.at("tgt_in_tokens").get<std::vector<std::string>>();
        const auto tout = j.at("tgt_out_tokens").get<std::vector<std::string>>();
        QCOMPARE(src.size(), size_t(6)); // 5 characters + <eos>
        QCOMPARE(src.back(), std::string("<eos>"));
        QCOMPARE(tin.front(), std::string("<bos>"));
        QCOMPARE(tin.size(), tout.size());
        const size_t S = src.size(), T = tin.size();
        struct Kind { const char* key; size_t rows, cols; };
        for (const Kind& k : {Kind{"encoder_self", S, S}, Kind{"decoder_self", T, T}, Kind{"cross", T, S}}) {
            const auto& layers = j.at(k.key);
            QCOMPARE(layers.size(), size_t(1));
            QCOMPARE(layers[0].size(), size_t(2));
            for (const auto& head : layers[0]) {
                QCOMPARE(head.size(), k.rows);
                for (size_t q = 0; q < k.rows; ++q) {
                    QCOMPARE(head[q].size(), k.cols);
                    double sum = 0;
                    for (size_t c = 0; c < k.cols; ++c) {
                        const double p = head[q][c].get<double>();
                        QVERIFY(p >= 0 && p <= 1 + 1e-6);
                        if (std::string(k.key) == "decoder_self" && c > q) QVERIFY(p == 0); // causal mask
                        sum += p;
                    }
                    QVERIFY2(std::abs(sum - 1) < 1e-4, k.key);
                }
            }
        }
        // The file parses back into an equivalent Trace.
        const Trace back = trace_from_json(j, "attention.json");
        QCOMPARE(back.src_tokens, src);
        QCOMPARE(int(back.cross.at(0).at(1).rows()), int(T));

        // The decoding step by step is in the file too.
        const auto& steps = j.at("decoding").at("steps");
        QCOMPARE(j.at("decoding").at("strategy").get<std::string>(), std::string("greedy"));
        const bool hit_eos = steps.back().at("token").get<std::string>() == "<eos>";
        QCOMPARE(steps.size(), hit_eos ? T : T - 1); // without EOS within --max-len, T - 1 steps
        QCOMPARE(steps[0].at("top_probs").size(), size_t(10));
        QCOMPARE(steps[0].at("cross").at(0).at(1).size(), S);

        // Other searches: beam search, seeded sampling (reproducible), a forced prefix.
        r = runArgs({"translate", "--model", model, "--decoding", "beam", "--beam", "3", "我喜欢茶。"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        const Run s1 = runArgs({"translate", "--model", model, "--temperature", "2", "--seed", "3", "我喜欢茶。", "他看见猫。"});
        const Run s2 = runArgs({"translate", "--model", model, "--temperature", "2", "--seed", "3", "我喜欢茶。", "他看见猫。"});
        QVERIFY2(s1.code == int(ExitOk), s1.err.c_str());
        QCOMPARE(s1.out, s2.out);
        r = runArgs({"translate", "--model", model, "--prefix", "tea tea", "--attention", json, "我喜欢茶。"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.rfind("tea tea", 0) == 0, r.out.c_str());
        const nlohmann::json forced = nlohmann::json::parse(al::read_file(json.toStdString()));
        QCOMPARE(forced.at("decoding").at("forced").get<int>(), 2);
        QCOMPARE(forced.at("decoding").at("steps")[1].at("forced").get<bool>(), true);

        // Several sentences from stdin: one output line each.
        r = runArgs({"translate", "--model", model}, "我有书。\n他看见猫。\n");
        QCOMPARE(r.code, int(ExitOk));
        QCOMPARE(std::count(r.out.begin(), r.out.end(), '\n'), 2L);

        r = runArgs({"eval", "--model", model, "--data", corpus, "--samples", "1"});
        QCOMPARE(r.code, int(ExitOk));
        QVERIFY2(r.out.find("eval: test_loss ") != std::string::npos, r.out.c_str());
        // The validation split of --data, scored as the training run scored it.
        r = runArgs({"eval", "--model", model, "--data", corpus, "--split", "valid", "--samples", "0"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(std::abs(numberAfter(r.out, "eval: valid_loss ") - numberAfter(train.out, "final: valid_loss ")) < 2e-3,
                 qPrintable(QString::fromStdString(r.out + train.out)));
        QVERIFY2(r.out.find("valid_bleu ") != std::string::npos, r.out.c_str());
        r = runArgs({"eval", "--model", model, "--test", split + "/test.tsv", "--split", "valid"});
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(r.err.find("--split valid needs --data") != std::string::npos, r.err.c_str());
        // --seed is the sampling seed, as for translate: the same seed, the same figures.
        const Run e1 = runArgs({"eval", "--model", model, "--data", corpus, "--temperature", "2", "--seed", "3", "--samples", "2"});
        const Run e2 = runArgs({"eval", "--model", model, "--data", corpus, "--temperature", "2", "--seed", "3", "--samples", "2"});
        QVERIFY2(e1.code == int(ExitOk), e1.err.c_str());
        QVERIFY2(e1.out.find("decoding sample T 2 top-k 0 top-p 1 seed 3") != std::string::npos, e1.out.c_str());
        QCOMPARE(e1.out.substr(e1.out.find("sample 1:")), e2.out.substr(e2.out.find("sample 1:")));
        r = runArgs({"eval", "--model", model, "--test", split + "/test.tsv"});
        QCOMPARE(r.code, int(ExitOk));
        QVERIFY(r.out.find("test_bleu ") != std::string::npos);
        QVERIFY(r.out.find("decoding greedy") != std::string::npos);
        r = runArgs({"eval", "--model", model, "--test", split + "/test.tsv", "--beam", "2", "--length-penalty", "0"});
        QVERIFY2(r.code == int(ExitOk), r.err.c_str());
        QVERIFY2(r.out.find("decoding beam 2 alpha 0") != std::string::npos, r.out.c_str());
    }

    void traceJsonRoundTrip()
    {
        Trace t;
        t.src_tokens = {"我", "<eos>"};
        t.tgt_in_tokens = {"<bos>", "i", "!"};
        t.tgt_out_tokens = {"i", "!", "<eos>"};
        Mat e(2, 2);
        e << 0.25f, 0.75f, 0.5f, 0.5f;
        Mat d = Mat::Zero(3, 3);
        d(0, 0) = 1; d(1, 0) = 0.5f; d(1, 1) = 0.5f; d(2, 2) = 1;
        Mat c(3, 2);
        c << 1, 0, 0, 1, 0.5f, 0.5f;
        t.enc_self = {{e, e}};
        t.dec_self = {{d, d}};
        t.cross = {{c, c}};
        const nlohmann::json j = trace_to_json(t);
        QCOMPARE(j.at("format").get<std::string>(), std::string("attention-lab-trace"));
        QCOMPARE(j.at("encoder_self")[0][1][0][1].get<double>(), 0.75);
        QCOMPARE(j.at("cross")[0][0].size(), size_t(3));      // T rows
        QCOMPARE(j.at("cross")[0][0][0].size(), size_t(2));   // S columns
        const Trace b = trace_from_json(nlohmann::json::parse(j.dump()), "t.json");
        QCOMPARE(b.tgt_out_tokens, t.tgt_out_tokens);
        QVERIFY(b.enc_self[0][1].isApprox(e));
        QVERIFY(b.dec_self[0][0].isApprox(d));
        QVERIFY(b.cross[0][1].isApprox(c));

        Trace empty;
        const nlohmann::json je = trace_to_json(empty);
        QVERIFY(je.at("encoder_self").is_array() && je.at("encoder_self").empty());

        nlohmann::json bad = j;
        bad["cross"][0][1] = nlohmann::json::array({{1, 0}});
        try {
            trace_from_json(bad, "t.json");
            QFAIL("expected al::Error");
        } catch (const al::Error& ex) {
            QVERIFY2(QString(ex.what()).contains("t.json: 'cross'[0][1] is 1 x 2, expected 3 x 2"), ex.what());
        }
        bad = j;
        bad.erase("src_tokens");
        QVERIFY_THROWS_EXCEPTION(al::Error, trace_from_json(bad, "t.json"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
