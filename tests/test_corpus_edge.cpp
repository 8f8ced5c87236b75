// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile corpus files through every corpus reader (TSV pairs, CoNLL-U, plain text, labelled
// lines): a BOM, CRLF, NUL and other control characters, invalid UTF-8, Latin-1, lines over the
// length limit, more problems than are listed. Each case checks what was kept, the skipped lines'
// "file:line: reason" and the summary's counts.
#include "engine/core/error.h"
#include "engine/data/corpus.h"
#include "engine/data/line_reader.h"
#include "engine/data/task_data.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace al;

namespace {

void write(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    QVERIFY2(out.good(), path.c_str());
}

/// What a reader kept (one string per item: a source field, a word, a line of text, a snippet)
/// and its summary.
struct Read {
    std::vector<std::string> items;
    ReadSummary summary;
};

/// One reader under test: where its file goes, how a good line looks with bytes inserted inside
/// its first field (at byte offset prefix(i).size()), and the item that line gives.
struct Reader {
    const char* name;
    const char* file; ///< the file name in the temporary directory
    std::function<std::string(int)> prefix, suffix;
    std::function<std::string(int, const std::string&)> item; ///< the item of line i whose field holds `ins`
    std::function<Read(const std::string& dir, const ReadOptions&)> read;
};

std::vector<Reader> readers()
{
    const auto word = [](int i, const std::string& ins) { return "w" + ins + std::to_string(i); };
    return {
        {"tsv", "pairs.tsv", [](int) { return std::string("src"); },
         [](int i) { return " " + std::to_string(i) + "\ttgt " + std::to_string(i); },
         [](int i, const std::string& ins) { return "src" + ins + " " + std::to_string(i); },
         [](const std::string& dir, const ReadOptions& opt) {
             CorpusReadResult r = read_tsv_pairs(dir + "/pairs.tsv", 0, 1, opt);
             Read out{{}, std::move(r.summary)};
             for (const auto& p : r.pairs)
                 out.items.push_back(p.src);
             return out;
         }},
        {"conllu", "t.conllu", [](int i) { return std::to_string(i) + "\tw"; },
         [](int i) { return std::to_string(i) + "\tlemma\tNOUN\tNN\t_\t0\troot\t_\t_"; }, word,
         [](const std::string& dir, const ReadOptions& opt) {
             ConlluReadResult r = read_conllu(dir + "/t.conllu", opt);
             Read out{{}, std::move(r.summary)};
             for (const auto& s : r.sentences)
                 for (const auto& w : s.words)
                     out.items.push_back(w);
             return out;
         }},
        {"text", "input.txt", [](int) { return std::string("text"); }, [](int i) { return " " + std::to_string(i); },
         [](int i, const std::string& ins) { return "text" + ins + " " + std::to_string(i); },
         [](const std::string& dir, const ReadOptions& opt) {
             PlainTextReadResult r = read_plain_text(dir + "/input.txt", opt);
             Read out{{}, std::move(r.summary)};
             size_t start = 0;
             while (start < r.text.size()) {
                 const size_t nl = r.text.find('\n', start);
                 out.items.push_back(r.text.substr(start, nl == std::string::npos ? nl : nl - start));
                 start = nl == std::string::npos ? r.text.size() : nl + 1;
             }
             return out;
         }},
        {"polarity", "rt-polarity.neg", [](int) { return std::string("snippet"); },
         [](int i) { return " " + std::to_string(i); },
         [](int i, const std::string& ins) { return "snippet" + ins + " " + std::to_string(i); },
         [](const std::string& dir, const ReadOptions& opt) {
             write(dir + "/rt-polarity.pos", "");
             std::vector<ReadSummary> reads;
             Read out;
             for (const auto& t : read_polarity(dir, &reads, opt))
                 out.items.push_back(t.text);
             if (reads.size() == 2)
                 out.summary = reads[0];
             return out;
         }},
    };
}

std::string line(const Reader& r, int i, const std::string& ins = {})
{
    return r.prefix(i) + ins + r.suffix(i);
}

} // namespace

class TestCorpusEdge : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::string dir() const { return m_dir.path().toStdString(); }

    /// Writes `bytes` as reader r's file and reads it.
    Read run(const Reader& r, const std::string& bytes, const ReadOptions& opt = {})
    {
        write(dir() + "/" + r.file, bytes);
        return r.read(dir(), opt);
    }

private slots:
    void bomAndCrlfAreStripped()
    {
        for (const Reader& r : readers()) {
            const Read got = run(r, "\xEF\xBB\xBF" + line(r, 1) + "\r\n" + line(r, 2) + "\r\n");
            QVERIFY2(got.items == (std::vector<std::string>{r.item(1, ""), r.item(2, "")}), r.name);
            QCOMPARE(got.summary.lines, int64_t{2});
            QCOMPARE(got.summary.skipped, int64_t{0});
            QCOMPARE(got.summary.to_string(), dir() + "/" + r.file + ": 2 lines read, 0 skipped");
        }
    }

    void controlCharactersAreSkipped_data()
    {
        QTest::addColumn<QByteArray>("ins");
        QTest::addColumn<QString>("codepoint");
        QTest::newRow("NUL") << QByteArray("\0", 1) << "U+0000";
        QTest::newRow("ESC") << QByteArray("\x1b") << "U+001B";
        QTest::newRow("lone CR") << QByteArray("\r") << "U+000D";
        QTest::newRow("form feed") << QByteArray("\f") << "U+000C";
        QTest::newRow("DEL") << QByteArray("\x7f") << "U+007F";
    }
    void controlCharactersAreSkipped()
    {
        QFETCH(QByteArray, ins);
        QFETCH(QString, codepoint);
        const std::string bad = ins.toStdString();
        for (const Reader& r : readers()) {
            const Read got = run(r, line(r, 1) + "\n" + line(r, 2, bad) + "\n" + line(r, 3) + "\n");
            QVERIFY2(got.items == (std::vector<std::string>{r.item(1, ""), r.item(3, "")}), r.name);
            QCOMPARE(got.summary.lines, int64_t{3});
            QCOMPARE(got.summary.skipped, int64_t{1});
            QCOMPARE(got.summary.count("control character"), int64_t{1});
            QCOMPARE(got.summary.problems.size(), size_t{1});
            QCOMPARE(got.summary.problems[0].to_string(),
                     dir() + "/" + r.file + ":2: control character " + codepoint.toStdString() + " at byte offset " +
                         std::to_string(r.prefix(2).size()));
            QCOMPARE(got.summary.to_string(), dir() + "/" + r.file + ": 3 lines read, 1 skipped (1 control character)");
            const std::vector<std::string> report = got.summary.report();
            QCOMPARE(report.size(), size_t{2});
            QCOMPARE(report[0], got.summary.problems[0].to_string() + ", skipped");
        }
    }

    void invalidUtf8IsSkippedWithItsOffset()
    {
        for (const Reader& r : readers()) {
            // A bad continuation byte, a lone continuation byte, a surrogate, an overlong '/';
            // on line 1 after a BOM the offset counts the BOM's 3 bytes.
            const std::string text = "\xEF\xBB\xBF" + line(r, 1, "\xC3\x28") + "\n" + line(r, 2, "\x80") + "\n" +
                                     line(r, 3, "\xED\xA0\x80") + "\n" + line(r, 4, "\xC0\xAF") + "\n" + line(r, 5) +
                                     "\n" + line(r, 6, "\xE4\xBD\xA0") + "\n";
            const Read got = run(r, text);
            QVERIFY2(got.items == (std::vector<std::string>{r.item(5, ""), r.item(6, "\xE4\xBD\xA0")}), r.name);
            QCOMPARE(got.summary.skipped, int64_t{4});
            QCOMPARE(got.summary.count("invalid UTF-8"), int64_t{4});
            QCOMPARE(got.summary.problems.size(), size_t{4});
            const std::string f = dir() + "/" + r.file;
            QCOMPARE(got.summary.problems[0].to_string(),
                     f + ":1: invalid UTF-8 at byte offset " + std::to_string(3 + r.prefix(1).size()));
            for (int i = 1; i < 4; ++i)
                QCOMPARE(got.summary.problems[size_t(i)].to_string(),
                         f + ":" + std::to_string(i + 1) + ": invalid UTF-8 at byte offset " +
                             std::to_string(r.prefix(i + 1).size()));
            QVERIFY(!got.summary.looks_not_utf8()); // 4 lines are listed, not summed up
        }
    }

    void latin1FileGetsOneMessage()
    {
        for (const Reader& r : readers()) {
            std::string text;
            for (int i = 1; i <= 40; ++i)
                text += line(r, i, i % 10 ? "caf\xE9" : "cafe") + "\n"; // é in Latin-1, but every 10th
            const Read got = run(r, text);
            QCOMPARE(got.items.size(), size_t{4});
            QCOMPARE(got.summary.lines, int64_t{40});
            QCOMPARE(got.summary.skipped, int64_t{36});
            QCOMPARE(got.summary.invalid_utf8, int64_t{36});
            QCOMPARE(got.summary.problems.size(), size_t{10}); // the first ten kept
            QVERIFY(got.summary.looks_not_utf8());
            const std::vector<std::string> report = got.summary.report();
            const std::string f = dir() + "/" + r.file;
            // One line about the encoding in place of 36, then the summary.
            QCOMPARE(report.size(), size_t{2});
            QCOMPARE(report[0], f + ": does not look like UTF-8 text: 36 of 40 non-blank lines are invalid UTF-8 (the first "
                                    "is line 1: invalid UTF-8 at byte offset " + std::to_string(r.prefix(1).size() + 3) +
                                    "); is it Latin-1 or another encoding? Convert it, e.g. iconv -f LATIN1 -t UTF-8");
            QCOMPARE(report[1], f + ": 40 lines read, 36 skipped (36 invalid UTF-8)");
        }
    }

    void longLinesAreSkippedWithoutHoldingThem()
    {
        const ReadOptions opt{64};
        for (const Reader& r : readers()) {
            // Line 2 is exactly 64 bytes (kept, also with CRLF), line 3 is 65, line 4 is 300 KB
            // (several of the reader's 64 KB chunks), line 5 is good again.
            const std::string pad64(64 - line(r, 2).size(), 'x');
            const std::string pad65(65 - line(r, 3).size(), 'x');
            const std::string huge(300 * 1024, 'y');
            const std::string text = line(r, 1) + "\n" + line(r, 2, pad64) + "\r\n" + line(r, 3, pad65) + "\n" +
                                     line(r, 4, huge) + "\n" + line(r, 5) + "\n";
            const Read got = run(r, text, opt);
            QVERIFY2(got.items == (std::vector<std::string>{r.item(1, ""), r.item(2, pad64), r.item(5, "")}), r.name);
            QCOMPARE(got.summary.lines, int64_t{5});
            QCOMPARE(got.summary.skipped, int64_t{2});
            QCOMPARE(got.summary.count("line too long"), int64_t{2});
            const std::string f = dir() + "/" + r.file;
            QCOMPARE(got.summary.problems[0].to_string(), f + ":3: line longer than 64 bytes");
            QCOMPARE(got.summary.problems[1].to_string(), f + ":4: line longer than 64 bytes");
            QCOMPARE(got.summary.to_string(), f + ": 5 lines read, 2 skipped (2 line too long)");
        }
        // A last line without a line break that is too long is counted too.
        const Read tail = run(readers()[0], "a\tb\n" + std::string(100, 'z'), opt);
        QCOMPARE(tail.summary.lines, int64_t{2});
        QCOMPARE(tail.summary.count("line too long"), int64_t{1});
    }

    void problemsBeyondTheListAreCounted()
    {
        for (const Reader& r : readers()) {
            std::string text;
            for (int i = 1; i <= 25; ++i)
                text += line(r, i, std::string(1, '\0')) + "\n";
            text += line(r, 26, "\xC3") + "\n" + line(r, 27) + "\n";
            const Read got = run(r, text);
            QCOMPARE(got.items.size(), size_t{1});
            QCOMPARE(got.summary.skipped, int64_t{26});
            QCOMPARE(got.summary.problems.size(), DataLimits::listed_problems);
            QCOMPARE(got.summary.problems.back().line, int64_t{10});
            const std::string f = dir() + "/" + r.file;
            const std::vector<std::string> report = got.summary.report();
            QCOMPARE(report.size(), DataLimits::listed_problems + 2);
            QCOMPARE(report[DataLimits::listed_problems], f + ": ... and 16 more skipped lines");
            QCOMPARE(report.back(), f + ": 27 lines read, 26 skipped (25 control character, 1 invalid UTF-8)");
        }
    }

    void readerSpecificReasonsAreCounted()
    {
        const std::string f = dir() + "/pairs.tsv";
        write(f, "a\tb\n\nonly one column\n\tb\na\t \n" + std::string("x\0y\tb\n", 6));
        const CorpusReadResult r = read_tsv_pairs(f, 0, 1);
        QCOMPARE(r.pairs.size(), size_t{1});
        QCOMPARE(r.summary.to_string(),
                 f + ": 6 lines read, 5 skipped (1 empty line, 1 too few columns, 2 empty field, 1 control character)");

        const std::string c = dir() + "/t.conllu";
        write(c, "# text = a\n1\ta\ta\tDET\t_\t_\t0\troot\t_\t_\n1-2\tx\n\nx\ta\ta\tDET\t_\t_\t0\troot\t_\t_\n"
                 "2\t\ta\tDET\t_\t_\t0\troot\t_\t_\n");
        const ConlluReadResult t = read_conllu(c);
        QCOMPARE(t.sentences.size(), size_t{1});
        QCOMPARE(t.summary.to_string(), c + ": 6 lines read, 3 skipped (1 wrong field count, 1 malformed ID, 1 empty field)");
    }

    void plainTextKeepsBlankLinesAndTheLastLineBreak()
    {
        const std::string f = dir() + "/plain.txt";
        write(f, "\xEF\xBB\xBFOne.\r\n\r\nTwo\tthree.\nbad\x01\nlast");
        const PlainTextReadResult r = read_plain_text(f);
        QCOMPARE(r.text, std::string("One.\n\nTwo\tthree.\nlast"));
        QCOMPARE(r.summary.to_string(), f + ": 5 lines read, 1 skipped (1 control character)");
    }

    void charlmOfALatin1FileSaysWhy()
    {
        const std::string f = dir() + "/latin1.txt";
        std::string text;
        for (int i = 0; i < 30; ++i)
            text += "Une ligne fran\xE7" "aise num\xE9ro " + std::to_string(i) + ".\n";
        write(f, text);
        try {
            load_task_corpus("charlm", {f}, 1);
            QFAIL("no al::Error for a Latin-1 text");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), f + ": 0 bytes of usable text, too little for a language model (" + f +
                                                ": 30 lines read, 30 skipped (30 invalid UTF-8))");
        }
    }

    void taskCorpusKeepsOneSummaryPerFile()
    {
        const std::string a = dir() + "/fra.txt";
        std::string text;
        for (int i = 0; i < 30; ++i)
            text += "Hello " + std::to_string(i) + ".\tBonjour " + std::to_string(i) + ".\n";
        write(a, text + std::string("bad\0line\tx\n", 11));
        const TaskCorpus c = load_task_corpus("langid", {a}, 1);
        QCOMPARE(c.reads.size(), size_t{1});
        QCOMPARE(c.reads[0].lines, int64_t{31});
        QCOMPARE(c.reads[0].skipped, int64_t{1});
        QCOMPARE(skipped_lines(c.reads), int64_t{1});
    }

    void zeroLimitAndDirectoriesAreRefused()
    {
        QVERIFY_THROWS_EXCEPTION(Error, LineReader(dir() + "/pairs.tsv", ReadOptions{0}));
        try {
            LineReader in(dir());
            QFAIL("no al::Error for a directory");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), "cannot open '" + dir() + "': is a directory");
        }
    }
};

QTEST_GUILESS_MAIN(TestCorpusEdge)
#include "test_corpus_edge.moc"
