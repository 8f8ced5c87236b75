// SPDX-License-Identifier: GPL-3.0-or-later
// Corpus reading, train/valid/test splitting and batching (engine/data/corpus.h, batch.h).
#include "engine/data/batch.h"
#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/core/tensor.h"
#include "engine/data/vocab.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace {

std::string write_temp(const std::string& name, const std::string& bytes) {
    const auto path = std::filesystem::temp_directory_path() / ("al_test_corpus_" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

// n pairs with distinct sources; targets repeat every `tgt_period` pairs (0: all distinct).
std::vector<al::SentencePair> synthetic_pairs(int n, int tgt_period) {
    std::vector<al::SentencePair> pairs;
    for (int i = 0; i < n; ++i)
        pairs.push_back({"source " + std::to_string(i),
                         "target " + std::to_string(tgt_period > 0 ? i % tgt_period : i)});
    return pairs;
}

std::vector<al::EncodedPair> random_encoded(int n, uint64_t seed) {
    al::Rng rng(seed);
    std::vector<al::EncodedPair> pairs(static_cast<size_t>(n));
    int serial = 4;
    for (auto& p : pairs) {
        p.src.resize(1 + rng.below(30));
        p.tgt.resize(rng.below(35)); // includes empty targets
        // Ids >= 4 (never a special); the first source id is unique so pairs can be told apart.
        for (int& v : p.src) v = 4 + static_cast<int>(rng.below(50));
        for (int& v : p.tgt) v = 4 + static_cast<int>(rng.below(50));
        p.src[0] = 1000 + serial++;
    }
    return pairs;
}

std::vector<std::string> sources(const std::vector<al::SentencePair>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.src);
    return out;
}

} // namespace

class TestCorpus : public QObject {
    Q_OBJECT
private slots:
    void readGoodAndBadLines();
    void readCrlfAndBom();
    void readMissingFile();
    void readRealCmnCorpus();
    void splitDedupAndDeterminism();
    void splitNoTargetLeakage();
    void splitFractionsAndErrors();
    void makeBatchLayout();
    void makeBatchesBudgetAndCoverage();
    void makeBatchesDeterminism();
};

void TestCorpus::readGoodAndBadLines() {
    const std::string text =
        "Hi.\t\xE5\x97\xA8\xE3\x80\x82\tattribution\n"  // 1 good (extra column ignored)
        "no tab here\n"                                  // 2 too few columns
        "\n"                                             // 3 empty line
        "\t\xE4\xBD\xA0\xE5\xA5\xBD\n"                   // 4 empty source
        "Hello.\t\n"                                     // 5 empty target
        "Bad \xC3\x28 byte\tx\n"                         // 6 invalid UTF-8
        "Only spaces\t\xE2\x80\x8B \xC2\xA0\n"           // 7 target only ZWSP and NBSP
        "Run!\t\xE8\xB7\x91\xEF\xBC\x81\n"               // 8 good
        "Last\tline without newline";                    // 9 good
    const std::string path = write_temp("mixed.tsv", text);
    const al::CorpusReadResult r = al::read_tsv_pairs(path, 0, 1);
    std::filesystem::remove(path);

    QCOMPARE(r.pairs.size(), size_t{3});
    QCOMPARE(r.pairs[0].src, std::string("Hi."));
    QCOMPARE(r.pairs[0].tgt, std::string("\xE5\x97\xA8\xE3\x80\x82"));
    QCOMPARE(r.pairs[1].src, std::string("Run!"));
    QCOMPARE(r.pairs[2].tgt, std::string("line without newline"));

    const std::vector<std::string> expected = {
        path + ":2: expected at least 2 tab-separated columns, found 1",
        path + ":3: empty line",
        path + ":4: empty source field (column 0)",
        path + ":5: empty target field (column 1)",
        path + ":6: invalid UTF-8 at byte offset 4",
        path + ":7: empty target field (column 1)",
    };
    QCOMPARE(r.summary.problems.size(), expected.size());
    QCOMPARE(r.summary.skipped, int64_t(expected.size()));
    QCOMPARE(r.summary.lines, int64_t{9});
    for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(r.summary.problems[i].to_string(), expected[i]);
        QCOMPARE(r.summary.problems[i].file, path);
    }
    QCOMPARE(r.summary.problems[0].line, int64_t{2});

    // Columns may be swapped and need not be adjacent; col 2 needs three columns.
    const std::string path2 = write_temp("cols.tsv", "a\tb\tc\nd\te\n");
    const al::CorpusReadResult r2 = al::read_tsv_pairs(path2, 2, 0);
    std::filesystem::remove(path2);
    QCOMPARE(r2.pairs.size(), size_t{1});
    QCOMPARE(r2.pairs[0].src, std::string("c"));
    QCOMPARE(r2.pairs[0].tgt, std::string("a"));
    QCOMPARE(r2.summary.skipped, int64_t{1});
    QCOMPARE(r2.summary.problems[0].to_string(), path2 + ":2: expected at least 3 tab-separated columns, found 2");
}

void TestCorpus::readCrlfAndBom() {
    const std::string path = write_temp("crlf.tsv", "\xEF\xBB\xBFGo.\tVa !\r\nHi.\tSalut !\r\n\r\n");
    const al::CorpusReadResult r = al::read_tsv_pairs(path, 0, 1);
    std::filesystem::remove(path);
    QCOMPARE(r.pairs.size(), size_t{2});
    QCOMPARE(r.pairs[0].src, std::string("Go.")); // BOM removed
    QCOMPARE(r.pairs[0].tgt, std::string("Va !")); // no trailing '\r'
    QCOMPARE(r.pairs[1].tgt, std::string("Salut !"));
    QCOMPARE(r.summary.skipped, int64_t{1});
    QCOMPARE(r.summary.problems[0].to_string(), path + ":3: empty line");
}

void TestCorpus::readMissingFile() {
    const std::string missing = (std::filesystem::temp_directory_path() / "al_no_such_corpus.tsv").string();
    try {
        al::read_tsv_pairs(missing, 0, 1);
        QFAIL("no al::Error for a missing file");
    } catch (const al::Error& e) {
        QCOMPARE(std::string(e.what()), "cannot open '" + missing + "': No such file or directory");
    }
    const std::string dir = std::filesystem::temp_directory_path().string();
    try {
        al::read_tsv_pairs(dir, 0, 1);
        QFAIL("no al::Error for a directory");
    } catch (const al::Error& e) {
        QCOMPARE(std::string(e.what()), "cannot open '" + dir + "': is a directory");
    }
    QVERIFY_THROWS_EXCEPTION(al::Error, al::read_tsv_pairs(dir, -1, 1));
}

void TestCorpus::readRealCmnCorpus() {
    QElapsedTimer timer;
    timer.start();
    const al::CorpusReadResult r = al::read_tsv_pairs(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt", 1, 0);
    qInfo("read cmn.txt in %lld ms", static_cast<long long>(timer.elapsed()));
    QCOMPARE(r.pairs.size(), size_t{28447});
    QCOMPARE(r.summary.skipped, int64_t{0});
    // Column 1 is Chinese, column 0 English (MANIFEST.md section 1).
    QCOMPARE(r.pairs[0].src, std::string("\xE5\x97\xA8\xE3\x80\x82")); // 嗨。
    QCOMPARE(r.pairs[0].tgt, std::string("Hi."));
    QVERIFY(r.pairs.back().src.find("Tatoeba") == std::string::npos);

    const al::CorpusSplits s = al::split_corpus(r.pairs, 0.05, 0.05, 1);
    // Dedup by the Chinese side: 25,287 distinct Chinese sentences (MANIFEST.md).
    QCOMPARE(s.train.size() + s.valid.size() + s.test.size(), size_t{25287});
}

void TestCorpus::splitDedupAndDeterminism() {
    std::vector<al::SentencePair> pairs = synthetic_pairs(1000, 0);
    pairs.push_back({"source 5", "a second translation of source 5"});
    pairs.push_back({"source\u00a07", "same source up to a non-breaking space"});
    const al::CorpusSplits a = al::split_corpus(pairs, 0.1, 0.1, 42);
    const al::CorpusSplits b = al::split_corpus(pairs, 0.1, 0.1, 42);
    const al::CorpusSplits c = al::split_corpus(pairs, 0.1, 0.1, 43);

    QCOMPARE(a.train.size() + a.valid.size() + a.test.size(), size_t{1000});
    std::map<std::string, std::string> all;
    for (const auto* split : {&a.train, &a.valid, &a.test})
        for (const auto& p : *split) QVERIFY(all.emplace(p.src, p.tgt).second); // no duplicate source
    QCOMPARE(all.at("source 5"), std::string("target 5")); // the first occurrence is kept
    QVERIFY(all.count("source\u00a07") == 0);

    QCOMPARE(sources(a.train), sources(b.train));
    QCOMPARE(sources(a.valid), sources(b.valid));
    QCOMPARE(sources(a.test), sources(b.test));
    QVERIFY(sources(a.test) != sources(c.test));
    QVERIFY(sources(a.train) != sources(c.train));
    // Shuffled: the test split is not simply the first or last lines of the file.
    std::vector<std::string> test_sorted = sources(a.test);
    std::sort(test_sorted.begin(), test_sorted.end());
    QVERIFY(test_sorted != sources(std::vector<al::SentencePair>(pairs.begin(), pairs.begin() + 100)));
}

void TestCorpus::splitNoTargetLeakage() {
    // 3,000 pairs whose targets repeat with period 700: groups of 4 or 5 pairs share a target.
    const std::vector<al::SentencePair> pairs = synthetic_pairs(3000, 700);
    for (uint64_t seed : {1u, 2u, 3u}) {
        const al::CorpusSplits s = al::split_corpus(pairs, 0.15, 0.2, seed);
        std::map<std::string, int> split_of_target;
        int index = 0;
        for (const auto* split : {&s.train, &s.valid, &s.test}) {
            for (const auto& p : *split) {
                const auto [it, inserted] = split_of_target.emplace(p.tgt, index);
                QVERIFY2(inserted || it->second == index, ("target in two splits: " + p.tgt).c_str());
            }
            ++index;
        }
        QCOMPARE(split_of_target.size(), size_t{700});
    }
}

void TestCorpus::splitFractionsAndErrors() {
    const std::vector<al::SentencePair> pairs = synthetic_pairs(5000, 2000);
    const al::CorpusSplits s = al::split_corpus(pairs, 0.1, 0.2, 7);
    // Each split overshoots by at most one target group (3 pairs here).
    QVERIFY(s.valid.size() >= 500 && s.valid.size() <= 503);
    QVERIFY(s.test.size() >= 1000 && s.test.size() <= 1003);
    QCOMPARE(s.train.size() + s.valid.size() + s.test.size(), size_t{5000});

    const al::CorpusSplits none = al::split_corpus(pairs, 0, 0, 7);
    QCOMPARE(none.train.size(), size_t{5000});
    QVERIFY(none.valid.empty() && none.test.empty());
    QVERIFY(al::split_corpus({}, 0.1, 0.1, 1).train.empty());

    QVERIFY_THROWS_EXCEPTION(al::Error, al::split_corpus(pairs, 0.5, 0.5, 1));
    QVERIFY_THROWS_EXCEPTION(al::Error, al::split_corpus(pairs, -0.1, 0.1, 1));
}

void TestCorpus::makeBatchLayout() {
    const al::EncodedPair p1{{10, 11, 12}, {20, 21}};
    const al::EncodedPair p2{{13}, {22, 23, 24, 25}};
    const al::EncodedPair p3{{14, 15}, {}}; // empty target
    const al::Batch b = al::make_batch({&p1, &p2, &p3});
    const int P = al::Seq2SeqIds::PAD, BOS = al::Seq2SeqIds::BOS, EOS = al::Seq2SeqIds::EOS;
    QCOMPARE(b.B, 3);
    QCOMPARE(b.S, 4);
    QCOMPARE(b.T, 5);
    QCOMPARE(b.src, (std::vector<int>{10, 11, 12, EOS,
                                      13, EOS, P, P,
                                      14, 15, EOS, P}));
    QCOMPARE(b.tgt_in, (std::vector<int>{BOS, 20, 21, P, P,
                                         BOS, 22, 23, 24, 25,
                                         BOS, P, P, P, P}));
    QCOMPARE(b.tgt_out, (std::vector<int>{20, 21, EOS, P, P,
                                          22, 23, 24, 25, EOS,
                                          EOS, P, P, P, P}));
    QCOMPARE(b.src_len, (std::vector<int>{4, 2, 3}));
    QCOMPARE(b.tgt_len, (std::vector<int>{3, 5, 1}));
    QCOMPARE(b.num_tgt_tokens(), int64_t{9});

    const al::Batch empty = al::make_batch({});
    QCOMPARE(empty.B, 0);
    QVERIFY(empty.src.empty() && empty.tgt_in.empty());
    QVERIFY_THROWS_EXCEPTION(al::Error, al::make_batch({&p1, nullptr}));
}

void TestCorpus::makeBatchesBudgetAndCoverage() {
    std::vector<al::EncodedPair> pairs = random_encoded(2000, 5);
    al::EncodedPair huge;
    huge.src.assign(300, 7);
    huge.src[0] = 99999;
    huge.tgt.assign(10, 8);
    pairs.push_back(huge); // alone exceeds the budget: gets a batch of its own
    const int max_tokens = 256;
    const std::vector<al::Batch> batches = al::make_batches(pairs, max_tokens, 11);

    std::multiset<int> seen; // first source id identifies the pair
    int64_t tgt_tokens = 0, expected_tgt_tokens = 0;
    for (const al::Batch& b : batches) {
        QVERIFY(b.B >= 1);
        QVERIFY2(static_cast<int64_t>(b.B) * std::max(b.S, b.T) <= max_tokens || b.B == 1,
                 "batch over the token budget");
        QCOMPARE(b.src.size(), static_cast<size_t>(b.B * b.S));
        QCOMPARE(b.tgt_in.size(), static_cast<size_t>(b.B * b.T));
        QCOMPARE(b.tgt_out.size(), static_cast<size_t>(b.B * b.T));
        QCOMPARE(*std::max_element(b.src_len.begin(), b.src_len.end()), b.S);
        QCOMPARE(*std::max_element(b.tgt_len.begin(), b.tgt_len.end()), b.T);
        for (int i = 0; i < b.B; ++i) {
            const int* src = &b.src[static_cast<size_t>(i * b.S)];
            const int* in = &b.tgt_in[static_cast<size_t>(i * b.T)];
            const int* out = &b.tgt_out[static_cast<size_t>(i * b.T)];
            const int sl = b.src_len[static_cast<size_t>(i)], tl = b.tgt_len[static_cast<size_t>(i)];
            seen.insert(src[0]);
            QCOMPARE(src[sl - 1], al::Seq2SeqIds::EOS);
            for (int s = sl; s < b.S; ++s) QCOMPARE(src[s], al::Seq2SeqIds::PAD);
            QCOMPARE(in[0], al::Seq2SeqIds::BOS);
            QCOMPARE(out[tl - 1], al::Seq2SeqIds::EOS);
            for (int t = 1; t < tl; ++t) QCOMPARE(in[t], out[t - 1]); // shifted by one
            for (int t = tl; t < b.T; ++t) {
                QCOMPARE(in[t], al::Seq2SeqIds::PAD);
                QCOMPARE(out[t], al::Seq2SeqIds::PAD);
            }
        }
        tgt_tokens += b.num_tgt_tokens();
    }
    for (const auto& p : pairs) expected_tgt_tokens += static_cast<int64_t>(p.tgt.size()) + 1;
    QCOMPARE(tgt_tokens, expected_tgt_tokens);
    QCOMPARE(seen.size(), pairs.size());
    for (const auto& p : pairs) QCOMPARE(seen.count(p.src[0]), size_t{1});
    // Similar lengths share a batch, so padding is small: batches are not almost empty.
    QVERIFY(batches.size() < pairs.size() / 5);

    QVERIFY(al::make_batches({}, 100, 1).empty());
    QVERIFY_THROWS_EXCEPTION(al::Error, al::make_batches(pairs, 0, 1));
}

void TestCorpus::makeBatchesDeterminism() {
    const std::vector<al::EncodedPair> pairs = random_encoded(500, 9);
    auto signature = [](const std::vector<al::Batch>& batches) {
        std::vector<int> sig;
        for (const auto& b : batches) {
            sig.push_back(-b.B);
            sig.insert(sig.end(), b.src.begin(), b.src.end());
        }
        return sig;
    };
    const auto a = signature(al::make_batches(pairs, 200, 3));
    const auto b = signature(al::make_batches(pairs, 200, 3));
    const auto c = signature(al::make_batches(pairs, 200, 4));
    QCOMPARE(a, b);
    QVERIFY(a != c);
}

QTEST_APPLESS_MAIN(TestCorpus)
#include "test_corpus.moc"
