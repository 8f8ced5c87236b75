// SPDX-License-Identifier: GPL-3.0-or-later
// The vocabulary (engine/data/vocab.h): both special-token layouts, build, encode/decode, and
// both file formats (one token per line, JSON array) with their error messages.
#include "engine/core/error.h"
#include "engine/data/vocab.h"
#include "test_support.h"

#include <QtTest>

#include <filesystem>
#include <fstream>

using Tokens = std::vector<std::string>;

using al::test::error_of;

namespace {

std::string write_temp(const std::string& name, const std::string& bytes) {
    const auto path = std::filesystem::temp_directory_path() / ("al_test_vocab_" + name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A malformed vocabulary file and the message expected after "path" + separator.
struct LoadCase {
    const char* name;
    std::string bytes;
    std::string expected;
};

// Writes each case to a temporary file, loads it with `load` and checks that the al::Error
// message starts with path + sep + expected.
template <class Load>
void check_load_errors(const std::vector<LoadCase>& cases, const char* ext, const char* sep, Load load) {
    for (const LoadCase& c : cases) {
        const std::string path = write_temp(std::string(c.name) + ext, c.bytes);
        const std::string msg = error_of([&] { load(path); });
        std::filesystem::remove(path);
        const std::string expected = path + sep + c.expected;
        QVERIFY2(msg.rfind(expected, 0) == 0, (c.name + std::string(": got \"") + msg +
                                                "\", expected it to start with \"" + expected + "\"").c_str());
    }
}

} // namespace

class TestVocab : public QObject {
    Q_OBJECT
private slots:
    void vocabSpecialsAndOrder();
    void vocabMinCountAndMaxSize();
    void vocabEncodeDecode();
    void vocabSaveLoadRoundTrip();
    void vocabLoadErrors();
    void layoutsKeepTheirIds();
    void missingSpecialIsAnError();
    void taskLayoutBuildAndDecode();
    void jsonRoundTripAnyToken();
    void jsonLoadErrors();
    void linesWithTaskLayout();
};

void TestVocab::vocabSpecialsAndOrder() {
    const al::Vocab empty;
    QCOMPARE(empty.size(), 4);
    QCOMPARE(empty.layout(), al::VocabLayout::Seq2Seq);
    QCOMPARE(empty.token(empty.pad()), std::string("<pad>"));
    QCOMPARE(empty.token(empty.bos()), std::string("<bos>"));
    QCOMPARE(empty.token(empty.eos()), std::string("<eos>"));
    QCOMPARE(empty.token(empty.unk()), std::string("<unk>"));
    QCOMPARE(empty.id("<eos>"), empty.eos());
    QCOMPARE(empty.id("anything"), empty.unk());

    // Counts: the 3, a 2, b 2, cat 1, <unk> literal is not a new token.
    const std::vector<Tokens> seqs = {{"the", "b", "a", "<unk>"}, {"the", "a", "cat"}, {"b", "the"}};
    const al::Vocab v = al::Vocab::build(seqs, 1);
    QCOMPARE(v.size(), 8);
    QCOMPARE(v.token(4), std::string("the"));
    QCOMPARE(v.token(5), std::string("a")); // ties in byte order
    QCOMPARE(v.token(6), std::string("b"));
    QCOMPARE(v.token(7), std::string("cat"));
    // Same data in another order gives the same vocabulary.
    const al::Vocab w = al::Vocab::build({seqs[2], seqs[0], seqs[1]}, 1);
    QCOMPARE(w.size(), v.size());
    for (int i = 0; i < v.size(); ++i) QCOMPARE(w.token(i), v.token(i));
    QVERIFY(error_of([&] { v.token(8); }).find("id 8 out of range [0, 8)") != std::string::npos);
    QVERIFY(error_of([&] { v.token(-1); }).find("out of range") != std::string::npos);
}

void TestVocab::vocabMinCountAndMaxSize() {
    const std::vector<Tokens> seqs = {{"x", "x", "x", "y", "y", "z"}};
    const al::Vocab v2 = al::Vocab::build(seqs, 2);
    QCOMPARE(v2.size(), 6);
    QCOMPARE(v2.id("z"), v2.unk());
    QCOMPARE(v2.id("y"), 5);
    const al::Vocab v3 = al::Vocab::build(seqs, 3);
    QCOMPARE(v3.size(), 5);
    QCOMPARE(v3.id("x"), 4);
    const al::Vocab capped = al::Vocab::build(seqs, 1, 5);
    QCOMPARE(capped.size(), 5);
    QCOMPARE(capped.id("x"), 4);
    QCOMPARE(capped.id("y"), capped.unk());
    QCOMPARE(al::Vocab::build(seqs, 1, 2).size(), 4); // specials always stay
}

void TestVocab::vocabEncodeDecode() {
    const al::Vocab v = al::Vocab::build({{"i", "don't", "know"}}, 1);
    const std::vector<int> ids = v.encode({"i", "know", "nothing"});
    QCOMPARE(ids, (std::vector<int>{v.id("i"), v.id("know"), v.unk()}));
    const std::vector<int> out = {v.bos(), v.id("i"), v.unk(), v.id("know"),
                                  v.eos(), v.id("i"), v.pad()};
    COMPARE_TOKENS(v.decode(out), (Tokens{"i", "<unk>", "know"}));
    COMPARE_TOKENS(v.decode({v.pad(), v.id("i"), v.pad()}), (Tokens{"i"}));
}

void TestVocab::vocabSaveLoadRoundTrip() {
    const al::Vocab v = al::Vocab::build({{"我", "爱", "你", "。", "don't", "allez-vous", "我"}}, 1);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("vocab.txt").toStdString();
    v.save_lines(path);
    const al::Vocab back = al::Vocab::load_lines(path);
    QCOMPARE(back.size(), v.size());
    for (int i = 0; i < v.size(); ++i) QCOMPARE(back.token(i), v.token(i));
    QCOMPARE(back.id("我"), 4);
    // The file is the documented format: one token per line, specials first.
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(bytes.rfind("<pad>\n<bos>\n<eos>\n<unk>\n\xE6\x88\x91\n", 0) == 0);
    // Saving again replaces the file and leaves no temporary behind.
    v.save_lines(path);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    // CRLF files load too.
    const std::string crlf = write_temp("crlf.txt", "<pad>\r\n<bos>\r\n<eos>\r\n<unk>\r\nhello\r\n");
    QCOMPARE(al::Vocab::load_lines(crlf).id("hello"), 4);
    std::filesystem::remove(crlf);
    // A token with a line break cannot be saved.
    const al::Vocab bad = al::Vocab::build({{"two\nlines"}}, 1);
    QVERIFY(error_of([&] { bad.save_lines(dir.filePath("bad.txt").toStdString()); }).find("line break") !=
            std::string::npos);
}

void TestVocab::vocabLoadErrors() {
    const std::string specials = "<pad>\n<bos>\n<eos>\n<unk>\n";
    const std::vector<LoadCase> cases = {
        {"missing_special", "<pad>\n<bos>\n<unk>\n", "3: expected special token '<eos>', found '<unk>'"},
        {"short", "<pad>\n<bos>\n", "3: missing special token '<eos>'"},
        {"empty_file", "", "1: missing special token '<pad>'"},
        {"duplicate", specials + "a\nb\na\n", "7: duplicate token 'a' (first on line 5)"},
        {"duplicate_special", specials + "<bos>\n", "5: duplicate token '<bos>' (first on line 2)"},
        {"empty_line", specials + "a\n\nb\n", "6: empty line"},
        {"bad_utf8", specials + "ok\nbad\xC3\n", "6: invalid UTF-8"},
    };
    check_load_errors(cases, ".txt", ":", [](const std::string& path) { al::Vocab::load_lines(path); });
    const std::string missing = (std::filesystem::temp_directory_path() / "al_no_such_vocab.txt").string();
    QCOMPARE(error_of([&] { al::Vocab::load_lines(missing); }),
             "cannot open '" + missing + "': No such file or directory");
}

void TestVocab::layoutsKeepTheirIds() {
    // The ids stored in every saved model directory: they must never move.
    QCOMPARE(al::special_tokens(al::VocabLayout::Seq2Seq), (Tokens{"<pad>", "<bos>", "<eos>", "<unk>"}));
    QCOMPARE(al::special_tokens(al::VocabLayout::Task),
             (Tokens{"<pad>", "<unk>", "<bos>", "[CLS]", "[SEP]", "[MASK]"}));
    const al::Vocab s(al::VocabLayout::Seq2Seq);
    QCOMPARE(s.num_specials(), 4);
    QCOMPARE(s.pad(), 0);
    QCOMPARE(s.bos(), 1);
    QCOMPARE(s.eos(), 2);
    QCOMPARE(s.unk(), 3);
    // The compile-time constants of the encoder-decoder layout agree with its instances.
    QCOMPARE(s.pad(), al::Seq2SeqIds::PAD);
    QCOMPARE(s.bos(), al::Seq2SeqIds::BOS);
    QCOMPARE(s.eos(), al::Seq2SeqIds::EOS);
    QCOMPARE(s.unk(), al::Seq2SeqIds::UNK);
    const al::Vocab t(al::VocabLayout::Task);
    QCOMPARE(t.layout(), al::VocabLayout::Task);
    QCOMPARE(t.num_specials(), 6);
    QCOMPARE(t.size(), 6);
    QCOMPARE(t.pad(), 0);
    QCOMPARE(t.unk(), 1);
    QCOMPARE(t.bos(), 2);
    QCOMPARE(t.cls(), 3);
    QCOMPARE(t.sep(), 4);
    QCOMPARE(t.mask(), 5);
    QCOMPARE(t.id("anything"), 1);
    QCOMPARE(std::string(al::to_string(al::VocabLayout::Seq2Seq)), std::string("seq2seq"));
    QCOMPARE(std::string(al::to_string(al::VocabLayout::Task)), std::string("task"));
}

void TestVocab::missingSpecialIsAnError() {
    const al::Vocab s(al::VocabLayout::Seq2Seq), t(al::VocabLayout::Task);
    QCOMPARE(error_of([&] { s.cls(); }), std::string("vocabulary: the seq2seq layout has no [CLS] token"));
    QCOMPARE(error_of([&] { s.sep(); }), std::string("vocabulary: the seq2seq layout has no [SEP] token"));
    QCOMPARE(error_of([&] { s.mask(); }), std::string("vocabulary: the seq2seq layout has no [MASK] token"));
    QCOMPARE(error_of([&] { t.eos(); }), std::string("vocabulary: the task layout has no <eos> token"));
}

void TestVocab::taskLayoutBuildAndDecode() {
    // Counts: "\n" 3, " " 2, a 2, [MASK] and <eos> count as ordinary tokens only where the layout
    // lacks them: [MASK] is a Task special, <eos> is not.
    const std::vector<Tokens> seqs = {{"\n", "a", " ", "[MASK]", "<eos>"}, {"\n", " ", "a", "\n", ""}};
    const al::Vocab v = al::Vocab::build(seqs, 1, 0, al::VocabLayout::Task);
    QCOMPARE(v.size(), 10);
    QCOMPARE(v.token(6), std::string("\n"));
    QCOMPARE(v.token(7), std::string(" ")); // ties in byte order: ' ' (0x20) before 'a'
    QCOMPARE(v.token(8), std::string("a"));
    QCOMPARE(v.token(9), std::string("<eos>"));
    QCOMPARE(v.id("[MASK]"), v.mask());
    QCOMPARE(v.id("zzz"), v.unk());
    // max_size counts the six specials; they always stay.
    QCOMPARE(al::Vocab::build(seqs, 1, 7, al::VocabLayout::Task).size(), 7);
    QCOMPARE(al::Vocab::build(seqs, 1, 3, al::VocabLayout::Task).size(), 6);
    QCOMPARE(al::Vocab::build(seqs, 2, 0, al::VocabLayout::Task).size(), 9);
    // A layout without <eos> decodes to the end; <pad> and <bos> are dropped.
    COMPARE_TOKENS(v.decode({v.bos(), 8, v.pad(), 9, v.unk(), 6}), (Tokens{"a", "<eos>", "<unk>", "\n"}));
}

void TestVocab::jsonRoundTripAnyToken() {
    const al::Vocab v = al::Vocab::build({{"\n", " ", "我", "\"q\""}}, 1, 0, al::VocabLayout::Task);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("vocab.json").toStdString();
    v.save_json(path);
    QCOMPARE(read_bytes(path),
             std::string("[\"<pad>\",\"<unk>\",\"<bos>\",\"[CLS]\",\"[SEP]\",\"[MASK]\",\"\\n\",\" \",\"\\\"q\\\"\",\"我\"]\n"));
    const al::Vocab back = al::Vocab::load_json(path, al::VocabLayout::Task);
    QCOMPARE(back.tokens(), v.tokens());
    QCOMPARE(back.layout(), al::VocabLayout::Task);
    v.save_json(path);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    // The encoder-decoder layout in JSON, too.
    const al::Vocab s = al::Vocab::build({{"x", "y"}}, 1);
    s.save_json(path);
    QCOMPARE(al::Vocab::load_json(path, al::VocabLayout::Seq2Seq).tokens(), s.tokens());
    // The wrong layout is refused by name.
    QVERIFY(error_of([&] { al::Vocab::load_json(path, al::VocabLayout::Task); })
                .find(": token 1 must be \"<unk>\", got \"<bos>\"") != std::string::npos);
    // A token that is not UTF-8 cannot be stored as JSON.
    const al::Vocab bad = al::Vocab::build({{"bad\xC3"}}, 1, 0, al::VocabLayout::Task);
    QVERIFY(error_of([&] { bad.save_json(path); }).find("cannot save vocabulary to '" + path + "'") == 0);
}

void TestVocab::jsonLoadErrors() {
    const std::string specials = R"("<pad>", "<unk>", "<bos>", "[CLS]", "[SEP]", "[MASK]")";
    const std::vector<LoadCase> cases = {
        {"not_json", "[\"<pad>\"", "invalid JSON: "},
        {"object", "{\"a\": 1}", "expected a JSON array of tokens, got object"},
        {"number", "[" + specials + ", 7]", "token 6 is a number, not a string"},
        {"short", R"(["<pad>", "x"])", "2 tokens, fewer than the 6 special tokens"},
        {"wrong_special", R"(["<pad>", "<bos>", "<unk>", "[CLS]", "[SEP]", "[MASK]"])",
         "token 1 must be \"<unk>\", got \"<bos>\""},
        {"empty_token", "[" + specials + ", \"a\", \"\"]", "token 7 is empty"},
        {"duplicate", "[" + specials + ", \"a\", \"b\", \"a\"]", "token 8 (\"a\") occurs twice"},
        {"duplicate_special", "[" + specials + ", \"[SEP]\"]", "token 6 (\"[SEP]\") occurs twice"},
    };
    check_load_errors(cases, ".json", ": ",
                      [](const std::string& path) { al::Vocab::load_json(path, al::VocabLayout::Task); });
    const std::string missing = (std::filesystem::temp_directory_path() / "al_no_such_vocab.json").string();
    QVERIFY(error_of([&] { al::Vocab::load_json(missing, al::VocabLayout::Task); }).find(missing) != std::string::npos);
}

void TestVocab::linesWithTaskLayout() {
    const std::string ok = write_temp("task_lines.txt", "<pad>\n<unk>\n<bos>\n[CLS]\n[SEP]\n[MASK]\nhi\n");
    const al::Vocab v = al::Vocab::load_lines(ok, al::VocabLayout::Task);
    std::filesystem::remove(ok);
    QCOMPARE(v.id("hi"), 6);
    QCOMPARE(v.mask(), 5);
    const std::string bad = write_temp("task_lines_bad.txt", "<pad>\n<unk>\n<bos>\n");
    const std::string msg = error_of([&] { al::Vocab::load_lines(bad, al::VocabLayout::Task); });
    std::filesystem::remove(bad);
    QCOMPARE(msg, bad + ":4: missing special token '[CLS]' (the file must start with <pad>, <unk>, <bos>, "
                        "[CLS], [SEP], [MASK])");
}

QTEST_APPLESS_MAIN(TestVocab)
#include "test_vocab.moc"
