// SPDX-License-Identifier: GPL-3.0-or-later
// Algorithmic tasks (engine/algorithmic_tasks): the generators produce correct copy / reverse /
// sort pairs, reproducibly from the seed, with held-out splits disjoint from training; the
// exact-match metric; and tiny models that learn copy and reverse through the ordinary Trainer,
// with cross-attention on the diagonal (copy) and the anti-diagonal (reverse).
#include "engine/data/algorithmic_tasks.h"
#include "engine/core/error.h"
#include "engine/train/trainer.h"

#include <QtTest>

#include <algorithm>
#include <set>

using namespace al;

namespace {

std::set<std::string> sources(const std::vector<SentencePair>& pairs)
{
    std::set<std::string> s;
    for (const auto& p : pairs)
        s.insert(p.src);
    return s;
}

/// A tiny model trained on a small task for `steps` steps (a couple of seconds on 2 threads).
struct TinyRun {
    CorpusSplits splits;
    std::unique_ptr<Trainer> trainer;
};

TinyRun trainTiny(AlgorithmicTask task, int steps)
{
    AlgorithmicTaskConfig cfg;
    cfg.task = task;
    cfg.vocab = 6;
    cfg.min_len = 2;
    cfg.max_len = 6;
    cfg.train_size = 3000;
    cfg.valid_size = 50;
    cfg.test_size = 100;
    cfg.seed = 3;
    TinyRun run;
    run.splits = generate_algorithmic_splits(cfg);
    ModelConfig mc = algorithmic_model_defaults();
    mc.d_model = 32;
    mc.nhead = 2;
    mc.num_encoder_layers = 1;
    mc.num_decoder_layers = 1;
    mc.dim_feedforward = 64;
    TrainConfig tc = algorithmic_train_defaults(cfg);
    tc.threads = 2;
    tc.max_tokens = 400;
    tc.warmup_steps = 50;
    tc.lr_factor = 0.6;
    tc.adam_beta2 = 0.98; // tuned for this tiny model and budget, apart from the task defaults
    tc.seed = 1;
    DataOptions d;
    d.src_tokens = d.tgt_tokens = TokenKind::Word;
    d.min_count = 1;
    run.trainer = std::make_unique<Trainer>(run.splits, mc, tc, d);
    for (int i = 0; i < steps; ++i)
        run.trainer->train_step();
    return run;
}

} // namespace

class TestAlgorithmicTasks : public QObject {
    Q_OBJECT

private slots:
    void names()
    {
        QVERIFY(is_algorithmic_task("copy") && is_algorithmic_task("reverse") && is_algorithmic_task("sort"));
        QVERIFY(!is_algorithmic_task("translate") && !is_algorithmic_task("Copy"));
        for (AlgorithmicTask t : {AlgorithmicTask::Copy, AlgorithmicTask::Reverse, AlgorithmicTask::Sort})
            QCOMPARE(algorithmic_task_from_string(to_string(t), "x"), t);
        try {
            algorithmic_task_from_string("rotate", "--task");
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("--task"));
            QVERIFY(QString(e.what()).contains("rotate"));
        }
    }

    void targets()
    {
        const std::vector<int> s = {3, 1, 4, 1, 5};
        QCOMPARE(algorithmic_target(AlgorithmicTask::Copy, s), s);
        QCOMPARE(algorithmic_target(AlgorithmicTask::Reverse, s), (std::vector<int>{5, 1, 4, 1, 3}));
        QCOMPARE(algorithmic_target(AlgorithmicTask::Sort, s), (std::vector<int>{1, 1, 3, 4, 5}));
        QCOMPARE(symbols_to_text({12, 0, 7}), std::string("12 0 7"));
        QCOMPARE(symbols_from_text("12 0 7"), (std::vector<int>{12, 0, 7}));
        QVERIFY_THROWS_EXCEPTION(Error, symbols_from_text("1 x 2"));
        QVERIFY_THROWS_EXCEPTION(Error, symbols_from_text("1 -2"));
    }

    void generatorsProduceCorrectPairs_data()
    {
        QTest::addColumn<int>("task");
        QTest::newRow("copy") << int(AlgorithmicTask::Copy);
        QTest::newRow("reverse") << int(AlgorithmicTask::Reverse);
        QTest::newRow("sort") << int(AlgorithmicTask::Sort);
    }

    void generatorsProduceCorrectPairs()
    {
        QFETCH(int, task);
        AlgorithmicTaskConfig cfg;
        cfg.task = AlgorithmicTask(task);
        cfg.vocab = 13; // two-digit symbols too
        cfg.min_len = 3;
        cfg.max_len = 9;
        cfg.train_size = 2000;
        cfg.valid_size = 100;
        cfg.test_size = 200;
        const CorpusSplits s = generate_algorithmic_splits(cfg);
        QCOMPARE(s.train.size(), size_t(2000));
        QCOMPARE(s.valid.size(), size_t(100));
        QCOMPARE(s.test.size(), size_t(200));
        std::set<size_t> lengths;
        std::set<int> symbols;
        for (const auto* split : {&s.train, &s.valid, &s.test}) {
            for (const SentencePair& p : *split) {
                const std::vector<int> src = symbols_from_text(p.src), tgt = symbols_from_text(p.tgt);
                QVERIFY(src.size() >= 3 && src.size() <= 9);
                QCOMPARE(tgt.size(), src.size());
                for (int x : src)
                    QVERIFY(x >= 0 && x < 13);
                lengths.insert(src.size());
                symbols.insert(src.begin(), src.end());
                std::vector<int> expected = src;
                if (cfg.task == AlgorithmicTask::Reverse)
                    std::reverse(expected.begin(), expected.end());
                if (cfg.task == AlgorithmicTask::Sort) {
                    QVERIFY(std::is_sorted(tgt.begin(), tgt.end()));
                    QVERIFY(std::is_permutation(tgt.begin(), tgt.end(), src.begin()));
                } else {
                    QCOMPARE(tgt, expected);
                }
            }
        }
        QCOMPARE(lengths.size(), size_t(7)); // every length 3..9 occurs
        QCOMPARE(symbols.size(), size_t(13));
    }

    void seededReproducibility()
    {
        AlgorithmicTaskConfig cfg;
        cfg.task = AlgorithmicTask::Reverse;
        cfg.train_size = 500;
        cfg.valid_size = 20;
        cfg.test_size = 30;
        const CorpusSplits a = generate_algorithmic_splits(cfg), b = generate_algorithmic_splits(cfg);
        auto same = [](const std::vector<SentencePair>& x, const std::vector<SentencePair>& y) {
            return x.size() == y.size() &&
                   std::equal(x.begin(), x.end(), y.begin(),
                              [](const SentencePair& p, const SentencePair& q) { return p.src == q.src && p.tgt == q.tgt; });
        };
        QVERIFY(same(a.train, b.train) && same(a.valid, b.valid) && same(a.test, b.test));
        cfg.seed = 2;
        const CorpusSplits c = generate_algorithmic_splits(cfg);
        QVERIFY(!same(a.train, c.train));
        QVERIFY(!same(a.test, c.test));
    }

    void disjointSplits()
    {
        // Short sequences over 4 symbols: lengths 1..3 have only 4, 16 and 64 sources, so
        // training would draw the held-out ones often if they were not excluded.
        AlgorithmicTaskConfig cfg;
        cfg.vocab = 4;
        cfg.min_len = 1;
        cfg.max_len = 5;
        cfg.train_size = 5000;
        cfg.valid_size = 60;
        cfg.test_size = 100;
        const CorpusSplits s = generate_algorithmic_splits(cfg);
        const std::set<std::string> train = sources(s.train), valid = sources(s.valid), test = sources(s.test);
        QCOMPARE(valid.size(), s.valid.size()); // distinct
        QCOMPARE(test.size(), s.test.size());
        for (const std::string& t : test) {
            QVERIFY2(!train.count(t), t.c_str());
            QVERIFY2(!valid.count(t), t.c_str());
        }
        for (const std::string& v : valid)
            QVERIFY2(!train.count(v), v.c_str());
        // At most a quarter of a length's sources is held out, so every length is trained on.
        std::set<size_t> train_lengths;
        for (const auto& p : s.train)
            train_lengths.insert(symbols_from_text(p.src).size());
        QCOMPARE(train_lengths.size(), size_t(5));
        int held_len1 = 0;
        for (const auto* split : {&s.valid, &s.test})
            for (const auto& p : *split)
                held_len1 += symbols_from_text(p.src).size() == 1;
        QVERIFY(held_len1 <= 1); // floor(4 / 4)
    }

    void badConfigsNameTheField()
    {
        auto message = [](AlgorithmicTaskConfig c) {
            try {
                generate_algorithmic_splits(c);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString();
        };
        AlgorithmicTaskConfig c;
        c.vocab = 1;
        QVERIFY(message(c).contains("vocab"));
        c = {};
        c.min_len = 5;
        c.max_len = 4;
        QVERIFY(message(c).contains("max_len"));
        c = {};
        c.vocab = 2;
        c.min_len = 1;
        c.max_len = 3; // held-out capacity 0 + 1 + 2 = 3
        c.valid_size = 2;
        c.test_size = 2;
        QVERIFY(message(c).contains("valid_size + test_size"));
        c.test_size = 1;
        QVERIFY(message(c).isEmpty());
    }

    void exactMatchMetric()
    {
        using Seqs = std::vector<std::vector<std::string>>;
        const Seqs refs = {{"1", "2", "3"}, {"4", "5"}, {"6"}, {"7", "8"}, {}};
        const Seqs hyps = {{"1", "2", "3"}, {"4", "9"}, {"6", "6"}, {"8"}, {}};
        const SequenceAccuracy a = sequence_accuracy(hyps, refs);
        QCOMPARE(a.sequences, int64_t(5));
        QCOMPARE(a.exact, int64_t(2));      // the first and the empty one; "6 6" has an extra token
        QCOMPARE(a.tokens, int64_t(8));
        QCOMPARE(a.correct_tokens, int64_t(5)); // 3 + 1 + 1 + 0
        QCOMPARE(a.exact_match(), 0.4);
        QCOMPARE(a.token_accuracy(), 5.0 / 8.0);
        QVERIFY_THROWS_EXCEPTION(Error, sequence_accuracy(hyps, Seqs{}));
        QCOMPARE(SequenceAccuracy{}.exact_match(), 0.0);
    }

    void expectedAlignments()
    {
        const std::vector<int> s = {4, 1, 3, 1};
        QVERIFY(expected_alignment(AlgorithmicTask::Copy, s, 2, 2));
        QVERIFY(!expected_alignment(AlgorithmicTask::Copy, s, 2, 1));
        QVERIFY(expected_alignment(AlgorithmicTask::Reverse, s, 0, 3));
        QVERIFY(expected_alignment(AlgorithmicTask::Reverse, s, 3, 0));
        QVERIFY(!expected_alignment(AlgorithmicTask::Reverse, s, 1, 1));
        // sorted: 1 1 3 4; output 0 and 1 may come from either 1 (source positions 1 and 3).
        QVERIFY(expected_alignment(AlgorithmicTask::Sort, s, 0, 1));
        QVERIFY(expected_alignment(AlgorithmicTask::Sort, s, 1, 3));
        QVERIFY(expected_alignment(AlgorithmicTask::Sort, s, 3, 0));
        QVERIFY(!expected_alignment(AlgorithmicTask::Sort, s, 2, 0));
        QVERIFY(!expected_alignment(AlgorithmicTask::Copy, s, 0, 4)); // the EOS column
    }

    void tinyCopyModelLearns()
    {
        TinyRun run = trainTiny(AlgorithmicTask::Copy, 0);
        const SequenceAccuracy before = decode_accuracy(run.trainer->model(), run.splits.test);
        QVERIFY2(before.exact_match() < 0.1, qPrintable(QString::number(before.exact_match())));
        run = trainTiny(AlgorithmicTask::Copy, 200);
        std::vector<std::string> samples;
        const SequenceAccuracy after = decode_accuracy(run.trainer->model(), run.splits.test, &samples);
        QCOMPARE(after.sequences, int64_t(100));
        QCOMPARE(samples.size(), size_t(100));
        QVERIFY2(after.exact_match() >= 0.9, qPrintable(QString("exact match %1, e.g. %2")
                                                             .arg(after.exact_match())
                                                             .arg(QString::fromStdString(samples.front()))));
        // The textbook pattern: output position t attends to source position t.
        const std::vector<double> diag = cross_attention_agreement(run.trainer->model(), AlgorithmicTask::Copy, run.splits.test);
        QCOMPARE(diag.size(), size_t(1));
        QVERIFY2(diag[0] >= 0.9, qPrintable(QString::number(diag[0])));
        const std::vector<double> anti = cross_attention_agreement(run.trainer->model(), AlgorithmicTask::Reverse, run.splits.test);
        QVERIFY2(anti[0] < 0.4, qPrintable(QString::number(anti[0])));
    }

    void tinyReverseModelAttendsAntiDiagonally()
    {
        // One decoder layer: its cross-attention must find source position n - 1 - t on its own.
        TinyRun run = trainTiny(AlgorithmicTask::Reverse, 200);
        const std::vector<double> anti = cross_attention_agreement(run.trainer->model(), AlgorithmicTask::Reverse, run.splits.test);
        const std::vector<double> diag = cross_attention_agreement(run.trainer->model(), AlgorithmicTask::Copy, run.splits.test);
        QVERIFY2(anti[0] >= 0.7, qPrintable(QString::number(anti[0])));
        QVERIFY2(diag[0] < 0.4, qPrintable(QString::number(diag[0])));
    }
};

QTEST_APPLESS_MAIN(TestAlgorithmicTasks)
#include "test_algorithmic_tasks.moc"
