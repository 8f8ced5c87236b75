// SPDX-License-Identifier: GPL-3.0-or-later
// Text normalisation and tokenizers (engine/data/text.h, tokenizer.h); the vocabulary is tested in test_vocab.
#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/data/text.h"
#include "engine/data/tokenizer.h"
#include "test_support.h"

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <fstream>

using Tokens = std::vector<std::string>;

using al::test::error_of;

class TestText : public QObject {
    Q_OBJECT
private slots:
    void utf8Validation();
    void utf8RoundTrip();
    void normalizeSpacesAndInvisibles();
    void cjkAndLower();
    void charTokenizer();
    void wordTokenizerEnglish();
    void wordTokenizerFrench();
    void wordTokenizerUnicodeSpaces();
    void tokenizerRejectsInvalidUtf8();
    void tokenKindParsing();
    void autoResolution();
    void detokenize();
    void tokenizeCorpusSpeed();
    void frenchCorpusInvisibleCharacters();
};

void TestText::utf8Validation() {
    QVERIFY(al::is_valid_utf8(""));
    QVERIFY(al::is_valid_utf8("plain ASCII"));
    QVERIFY(al::is_valid_utf8("caf\xC3\xA9 \xE6\x88\x91 \xF0\x9F\x98\x80")); // café 我 😀
    QVERIFY(!al::is_valid_utf8("\xC3"));                 // truncated
    QVERIFY(!al::is_valid_utf8("\xC0\xAF"));             // overlong '/'
    QVERIFY(!al::is_valid_utf8("\xE0\x80\xAF"));         // overlong 3-byte
    QVERIFY(!al::is_valid_utf8("\xED\xA0\x80"));         // surrogate U+D800
    QVERIFY(!al::is_valid_utf8("\xF4\x90\x80\x80"));     // U+110000
    QVERIFY(!al::is_valid_utf8("\xFF"));
    QVERIFY(!al::is_valid_utf8("ab\x80" "cd"));          // stray continuation byte
    QVERIFY(al::is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
}

void TestText::utf8RoundTrip() {
    const std::string s = "Allez-vous\u202f? \u6211\u7231\u4f60\u3002 \U0001F600";
    const std::u32string u = al::utf8_decode(s);
    QCOMPARE(u.size(), size_t{19});
    QCOMPARE(u[10], char32_t{0x202F});
    QCOMPARE(u.back(), char32_t{0x1F600});
    QCOMPARE(al::utf8_encode(u), s);
    QCOMPARE(al::utf8_encode(char32_t{0xE9}), std::string("\xC3\xA9"));
    QVERIFY(error_of([] { al::utf8_decode("a\xFF"); }).find("invalid UTF-8 at byte 1") !=
            std::string::npos);
    QVERIFY(error_of([] { al::utf8_encode(char32_t{0xD800}); }).find("surrogate") !=
            std::string::npos);
}

void TestText::normalizeSpacesAndInvisibles() {
    QCOMPARE(al::normalize_text("a\u00a0b\u202fc\u2009d\u3000e"), std::string("a b c d e"));
    QCOMPARE(al::normalize_text("zero\u200bwidth soft\u00adhyphen"), std::string("zerowidth softhyphen"));
    QCOMPARE(al::normalize_text("don\u2019t"), std::string("don't"));
    QCOMPARE(al::normalize_text("  \t lots \u00a0\u202f  of\r\nspace \u3000 "), std::string("lots of space"));
    QCOMPARE(al::normalize_text("\u200b"), std::string());
    QCOMPARE(al::normalize_text("\xEF\xBB\xBFhi"), std::string("hi")); // BOM dropped
    QVERIFY(error_of([] { al::normalize_text("ok\xC3"); }).find("invalid UTF-8") != std::string::npos);
}

void TestText::cjkAndLower() {
    QVERIFY(al::is_cjk(U'\u6211'));  // 我
    QVERIFY(al::is_cjk(U'\u3042'));  // あ
    QVERIFY(al::is_cjk(U'\u30AB'));  // カ
    QVERIFY(al::is_cjk(U'\uD55C'));  // 한
    QVERIFY(!al::is_cjk(U'\u3002')); // 。 is punctuation
    QVERIFY(!al::is_cjk(U'a'));
    QCOMPARE(al::to_lower(U'A'), char32_t{U'a'});
    QCOMPARE(al::to_lower(U'\u00C9'), char32_t{U'\u00E9'}); // É
    QCOMPARE(al::to_lower(U'\u00D7'), char32_t{U'\u00D7'}); // × unchanged
    QCOMPARE(al::to_lower(U'\u0152'), char32_t{U'\u0153'}); // Œ
    QCOMPARE(al::to_lower(U'\u0178'), char32_t{U'\u00FF'}); // Ÿ
    QCOMPARE(al::to_lower(U'\u0141'), char32_t{U'\u0142'}); // Ł
    QCOMPARE(al::to_lower(U'\u03A3'), char32_t{U'\u03C3'}); // Σ
    QCOMPARE(al::to_lower(U'\u0410'), char32_t{U'\u0430'}); // Cyrillic А
    QCOMPARE(al::to_lower(U'\u0401'), char32_t{U'\u0451'}); // Ё
    QCOMPARE(al::to_lower(U'\u6211'), char32_t{U'\u6211'});
}

void TestText::charTokenizer() {
    const al::Tokenizer tok(al::TokenKind::Char);
    COMPARE_TOKENS(tok.tokenize("我爱你。"), (Tokens{"我", "爱", "你", "。"}));
    // Spaces of every kind and invisible characters are dropped; case is kept.
    COMPARE_TOKENS(tok.tokenize("我\u200b是 Tom\u3000！"), (Tokens{"我", "是", "T", "o", "m", "！"}));
    QVERIFY(tok.tokenize("").empty());
}

void TestText::wordTokenizerEnglish() {
    const al::Tokenizer tok(al::TokenKind::Word);
    COMPARE_TOKENS(tok.tokenize("I don't know, Tom!"), (Tokens{"i", "don't", "know", ",", "tom", "!"}));
    COMPARE_TOKENS(tok.tokenize("I don\u2019t know."), (Tokens{"i", "don't", "know", "."}));
    COMPARE_TOKENS(tok.tokenize("\"Wait...\" she said (twice)."),
                   (Tokens{"\"", "wait", ".", ".", ".", "\"", "she", "said", "(", "twice", ")", "."}));
    COMPARE_TOKENS(tok.tokenize("It costs $3.50, or 1,000 yen."),
                   (Tokens{"it", "costs", "$", "3.50", ",", "or", "1,000", "yen", "."}));
    // Apostrophes and hyphens only join between word characters.
    COMPARE_TOKENS(tok.tokenize("'Tis the students' well-known -trick"),
                   (Tokens{"'", "tis", "the", "students", "'", "well-known", "-", "trick"}));
    COMPARE_TOKENS(tok.tokenize("Seoul is the capit\u0430l."), (Tokens{"seoul", "is", "the", "capit\u0430l", "."}));
}

void TestText::wordTokenizerFrench() {
    const al::Tokenizer tok(al::TokenKind::Word);
    COMPARE_TOKENS(tok.tokenize("Allez-vous\u202f?"), (Tokens{"allez-vous", "?"}));
    COMPARE_TOKENS(tok.tokenize("Allez-vous ?"), (Tokens{"allez-vous", "?"}));
    COMPARE_TOKENS(tok.tokenize("Allez-vous?"), (Tokens{"allez-vous", "?"}));
    COMPARE_TOKENS(tok.tokenize("\u00AB\u00a0\u00C9coute\u00a0!\u00a0\u00BB, dit-il aujourd\u2019hui."),
                   (Tokens{"\u00AB", "\u00E9coute", "!", "\u00BB", ",", "dit-il", "aujourd'hui", "."}));
    COMPARE_TOKENS(tok.tokenize("\u00BFQu\u00E9 pasa? \u00A1Nada!"),
                   (Tokens{"\u00BF", "qu\u00E9", "pasa", "?", "\u00A1", "nada", "!"}));
}

void TestText::wordTokenizerUnicodeSpaces() {
    const al::Tokenizer tok(al::TokenKind::Word);
    const Tokens expected{"a", "b", "c", "d", "e"};
    COMPARE_TOKENS(tok.tokenize("a\u00a0b\u202fc\u2009d\u3000e"), expected);
    COMPARE_TOKENS(tok.tokenize("zero\u200bwidth"), (Tokens{"zerowidth"}));
    COMPARE_TOKENS(tok.tokenize("soft\u00adhyphen"), (Tokens{"softhyphen"}));
    // CJK characters inside Word text are single tokens.
    COMPARE_TOKENS(tok.tokenize("Tom\u8bf4\u4f60\u597d"), (Tokens{"tom", "\u8bf4", "\u4f60", "\u597d"}));
}

void TestText::tokenizerRejectsInvalidUtf8() {
    for (al::TokenKind k : {al::TokenKind::Word, al::TokenKind::Char}) {
        const al::Tokenizer tok(k);
        QVERIFY(error_of([&] { tok.tokenize("bad \xC3\x28 byte"); }).find("UTF-8") != std::string::npos);
    }
    QVERIFY(error_of([] { al::Tokenizer t(al::TokenKind::Auto); }).find("resolve") != std::string::npos);
}

void TestText::tokenKindParsing() {
    QCOMPARE(al::token_kind_from_string("char", "x"), al::TokenKind::Char);
    QCOMPARE(al::token_kind_from_string("word", "x"), al::TokenKind::Word);
    QCOMPARE(al::token_kind_from_string("auto", "x"), al::TokenKind::Auto);
    for (al::TokenKind k : {al::TokenKind::Char, al::TokenKind::Word, al::TokenKind::Auto})
        QCOMPARE(al::token_kind_from_string(al::to_string(k), "x"), k);
    QCOMPARE(error_of([] { al::token_kind_from_string("bpe", "config.json: src_tokens"); }),
             std::string("config.json: src_tokens: unknown token kind 'bpe' (expected char, word or auto)"));
}

void TestText::autoResolution() {
    const std::vector<std::string> zh = {"我爱你。", "你看起来就像湯姆。", "Tom在哪里？", "请稍等一下。"};
    const std::vector<std::string> en = {"I love you.", "Where is Tom?", "Hi!"};
    const std::vector<std::string> fr = {"Allez-vous\u202f?", "\u00C7a va tr\u00E8s bien.", "Je t'aime."};
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, zh), al::TokenKind::Char);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, en), al::TokenKind::Word);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, fr), al::TokenKind::Word);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, {}), al::TokenKind::Word);
    // An explicit choice is never overridden.
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Word, zh), al::TokenKind::Word);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Char, en), al::TokenKind::Char);
}

void TestText::detokenize() {
    const al::Tokenizer word(al::TokenKind::Word);
    QCOMPARE(word.detokenize(word.tokenize("I don't know, Tom!")), std::string("i don't know, tom!"));
    QCOMPARE(word.detokenize({"he", "said", "(", "twice", ")", ":", "100", "%", "."}),
             std::string("he said (twice): 100%."));
    QCOMPARE(word.detokenize({"allez-vous", "?"}), std::string("allez-vous?"));
    QCOMPARE(word.detokenize({"tom", "\u8bf4", "\u4f60", "\u597d", "\u3002"}), std::string("tom \u8bf4\u4f60\u597d\u3002"));
    QCOMPARE(word.detokenize({}), std::string());
    const al::Tokenizer chr(al::TokenKind::Char);
    QCOMPARE(chr.detokenize(chr.tokenize("我爱你。")), std::string("我爱你。"));
}

void TestText::tokenizeCorpusSpeed() {
    const auto read = al::read_tsv_pairs(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt", 0, 1);
    QCOMPARE(read.pairs.size(), size_t{28447});
    const al::Tokenizer word(al::TokenKind::Word), chr(al::TokenKind::Char);
    const auto t0 = std::chrono::steady_clock::now();
    size_t en_tokens = 0, zh_tokens = 0;
    for (const auto& p : read.pairs) {
        en_tokens += word.tokenize(p.src).size();
        zh_tokens += chr.tokenize(p.tgt).size();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("tokenized 28,447 pairs (%zu English, %zu Chinese tokens) in %.3f s", en_tokens, zh_tokens, seconds);
    QVERIFY2(seconds < 1.0, "tokenizing cmn.txt must take well under a second");
    QVERIFY(en_tokens > 28447 * 3);
    QVERIFY(zh_tokens > 28447 * 2);
    // The same sample decides: Chinese side Char, English side Word.
    std::vector<std::string> src, tgt;
    for (size_t i = 0; i < read.pairs.size(); i += 50) {
        src.push_back(read.pairs[i].src);
        tgt.push_back(read.pairs[i].tgt);
    }
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, src), al::TokenKind::Word);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, tgt), al::TokenKind::Char);
}

void TestText::frenchCorpusInvisibleCharacters() {
    // fra.txt has U+202F, U+00A0, U+2009, U+200B, U+00AD and U+2019 (MANIFEST.md section 2);
    // none of them may survive inside a token.
    // The shared data sits beside the repository (as in CI); a bare clone elsewhere has none.
    const std::string fra = AL_SHARED_DATA_DIR "/translation/fra-eng/fra.txt";
    if (!std::ifstream(fra).good())
        QSKIP("shared/data/translation/fra-eng/fra.txt is not beside this checkout");
    const auto read = al::read_tsv_pairs(fra, 0, 1);
    QCOMPARE(read.pairs.size(), size_t{142787});
    QCOMPARE(read.summary.skipped, int64_t{0});
    const al::Tokenizer word(al::TokenKind::Word);
    const char* const forbidden[] = {"\u202f", "\u00a0", "\u2009", "\u200b", "\u00ad", "\u2019", " "};
    size_t lines_with_202f = 0, question_marks = 0;
    std::string first_bad;
    std::vector<std::string> sample;
    for (size_t i = 0; i < read.pairs.size(); ++i) {
        const std::string& fr = read.pairs[i].tgt;
        lines_with_202f += fr.find("\u202f") != std::string::npos;
        if (i % 100 == 0) sample.push_back(fr);
        for (const std::string& t : word.tokenize(fr)) {
            question_marks += t == "?";
            bool bad = t.empty();
            for (const char* f : forbidden) bad = bad || t.find(f) != std::string::npos;
            if (bad && first_bad.empty()) first_bad = "line " + std::to_string(i + 1) + ": token '" + t + "'";
        }
    }
    QVERIFY2(first_bad.empty(), first_bad.c_str());
    QCOMPARE(lines_with_202f, size_t{5447});
    // Every '?' is a token of its own, whatever space preceded it.
    size_t question_chars = 0;
    for (const auto& p : read.pairs) question_chars += static_cast<size_t>(std::count(p.tgt.begin(), p.tgt.end(), '?'));
    QCOMPARE(question_marks, question_chars);
    QCOMPARE(al::resolve_token_kind(al::TokenKind::Auto, sample), al::TokenKind::Word);
}

QTEST_APPLESS_MAIN(TestText)
#include "test_text.moc"
