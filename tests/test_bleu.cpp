// SPDX-License-Identifier: GPL-3.0-or-later
// Corpus BLEU (engine/eval/bleu.h) against NLTK 3.8's nltk.translate.bleu_score.corpus_bleu.
//
// Every expected value below was printed by tests/bleu_reference.py, i.e.
//   /usr/bin/python3 tests/bleu_reference.py      (Debian package python3-nltk, NLTK 3.8)
// which for each case runs
//   from nltk.translate.bleu_score import corpus_bleu
//   print(corpus_bleu(list_of_references, hypotheses) * 100)   # weights (0.25,)*4, no smoothing
// with sentences split on spaces ("a b c".split()). The cases here are the same sentences.
#include "engine/eval/bleu.h"
#include "engine/core/error.h"

#include <QtTest>

#include <cmath>
#include <sstream>

using Sentence = std::vector<std::string>;
using Refs = std::vector<std::vector<Sentence>>;

namespace {

Sentence s(const std::string& text) {
    std::istringstream in(text);
    Sentence out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Relative tolerance of the NLTK comparison: both sides compute log, exp and divisions in
// double; NLTK sums with math.fsum, we sum four terms directly.
constexpr double kRelTol = 1e-9;

bool close(double got, double expected) {
    return std::fabs(got - expected) <= kRelTol * std::fabs(expected);
}

#define COMPARE_BLEU(got, expected)                                                            \
    QVERIFY2(close((got), (expected)),                                                         \
             qPrintable(QString("BLEU %1, NLTK %2").arg((got), 0, 'g', 17).arg((expected), 0, 'g', 17)))

} // namespace

class TestBleu : public QObject {
    Q_OBJECT
private slots:
    void nltkDoctest();
    void singleReferenceBrevity();
    void multiReferenceTieAndClipping();
    void shortHypothesis();
    void noFourGramMatch();
    void noMatch();
    void perfectMatch();
    void errorsAndEdgeCases();
};

void TestBleu::nltkDoctest() {
    // NLTK's corpus_bleu doctest; NLTK prints 0.5920...
    const std::vector<Sentence> hyps = {
        s("It is a guide to action which ensures that the military always obeys the commands of the party"),
        s("he read the book because he was interested in world history")};
    const Refs refs = {
        {s("It is a guide to action that ensures that the military will forever heed Party commands"),
         s("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
         s("It is the practical guide for the army always to heed the directions of the party")},
        {s("he was interested in world history because he read the book")}};
    const al::BleuResult r = al::corpus_bleu(hyps, refs);
    COMPARE_BLEU(r.bleu, 59.207788688010424);
    QCOMPARE(r.hyp_length, 29L);
    QCOMPARE(r.ref_length, 29L); // 18 (closest of 16, 18, 16) + 11
    QCOMPARE(r.brevity_penalty, 1.0);
}

void TestBleu::singleReferenceBrevity() {
    const std::vector<Sentence> hyps = {s("the cat sat on the mat"), s("a dog ran in park")};
    const Refs refs = {{s("the cat sat on the red mat today")}, {s("a dog ran in the park")}};
    const al::BleuResult r = al::corpus_bleu(hyps, refs);
    COMPARE_BLEU(r.bleu, 57.846320131264164);
    QCOMPARE(r.hyp_length, 11L);
    QCOMPARE(r.ref_length, 14L);
    QVERIFY(close(r.brevity_penalty, std::exp(1.0 - 14.0 / 11.0)));
    QVERIFY(r.brevity_penalty < 1);
    // Unigrams: all 11 match; 4-grams: "the cat sat on", "cat sat on the", "a dog ran in" of 5.
    QCOMPARE(r.precisions[0], 1.0);
    QCOMPARE(r.precisions[3], 3.0 / 5.0);
}

void TestBleu::multiReferenceTieAndClipping() {
    const std::vector<Sentence> hyps = {s("the the the cat on the mat"), s("i do not know it tom")};
    const Refs refs = {{s("the cat is on the mat"), s("there is a cat on the mat")},
                       {s("i do not know tom"), s("i really do not know it tom")}};
    const al::BleuResult r = al::corpus_bleu(hyps, refs);
    COMPARE_BLEU(r.bleu, 71.66258375282708);
    // Sentence 2: references of 5 and 7 tokens are equally close to 6; the shorter counts.
    QCOMPARE(r.ref_length, 7L + 5L);
    QCOMPARE(r.brevity_penalty, 1.0);
    // Unigrams: "the" x4 clipped to 2, cat, on, mat -> 5 of 7; sentence 2: 6 of 6.
    QCOMPARE(r.precisions[0], 11.0 / 13.0);
}

void TestBleu::shortHypothesis() {
    // "thank you" has no 3- or 4-gram; as in NLTK it still adds 1 to those denominators.
    const std::vector<Sentence> hyps = {s("where is the station please"), s("thank you"),
                                        s("i like green tea very much indeed")};
    const Refs refs = {{s("where is the station please")}, {s("thank you")},
                       {s("i like green tea very much")}};
    const al::BleuResult r = al::corpus_bleu(hyps, refs);
    COMPARE_BLEU(r.bleu, 82.75372114560359);
    QCOMPARE(r.precisions[2], 7.0 / 9.0);  // (3 + 0 + 4) / (3 + 1 + 5)
    QCOMPARE(r.precisions[3], 5.0 / 7.0);  // (2 + 0 + 3) / (2 + 1 + 4)
}

void TestBleu::noFourGramMatch() {
    // NLTK returns 5.929498746342409e-76 here: it replaces the zero 4-gram precision with
    // sys.float_info.min. The geometric mean of a zero precision is 0, which is what we return.
    const al::BleuResult r = al::corpus_bleu({s("the quick brown cat jumps over a lazy dog")},
                                             {{s("the quick brown fox jumps over the lazy dog")}});
    const double nltk = 5.929498746342409e-76;
    QCOMPARE(r.bleu, 0.0);
    QVERIFY(std::fabs(r.bleu - nltk) < 1e-70);
    QVERIFY(r.precisions[2] > 0);
    QCOMPARE(r.precisions[3], 0.0);
}

void TestBleu::noMatch() {
    const al::BleuResult r = al::corpus_bleu({s("v w x y z")}, {{s("a b c d e")}});
    QCOMPARE(r.bleu, 0.0); // NLTK: exactly 0
    QCOMPARE(r.precisions[0], 0.0);
}

void TestBleu::perfectMatch() {
    const std::vector<Sentence> hyps = {s("i don't know , tom !"), s("我 爱 你 。")};
    const Refs refs = {{s("i don't know , tom !")}, {s("我 爱 你 。")}};
    const al::BleuResult r = al::corpus_bleu(hyps, refs);
    COMPARE_BLEU(r.bleu, 100.0);
    for (double p : r.precisions) QCOMPARE(p, 1.0);
}

void TestBleu::errorsAndEdgeCases() {
    QVERIFY_THROWS_EXCEPTION(al::Error, al::corpus_bleu({s("a")}, {}));
    QVERIFY_THROWS_EXCEPTION(al::Error, al::corpus_bleu({s("a")}, {{}}));
    QCOMPARE(al::corpus_bleu({}, {}).bleu, 0.0);
    // Empty hypothesis: brevity penalty 0, as in NLTK.
    const al::BleuResult empty = al::corpus_bleu({Sentence{}}, {{s("a b c d")}});
    QCOMPARE(empty.bleu, 0.0);
    QCOMPARE(empty.brevity_penalty, 0.0);
}

QTEST_APPLESS_MAIN(TestBleu)
#include "test_bleu.moc"
