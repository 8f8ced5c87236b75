// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the engine tests.
#include "engine/core/error.h"
#include "engine/data/corpus.h"
#include "engine/models/translation_model.h"

#include <QtTest>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace al::test {

/// A randomly initialised encoder-decoder (seed `seed`) whose source vocabulary holds the tokens
/// of `sources` (cut as `srcKind`) and whose target vocabulary holds `targetWords`: d_model 16,
/// 2 heads, 2 + 2 layers, dim_feedforward 24, no dropout, max_len 24; `configure` changes the
/// config before the network is built (layers, heads, positional encoding, ...).
inline TranslationModel tinyTranslationModel(const std::vector<std::string>& sources,
                                             const std::vector<std::string>& targetWords, uint64_t seed,
                                             const std::function<void(ModelConfig&)>& configure = {},
                                             TokenKind srcKind = TokenKind::Char)
{
    Tokenizer src(srcKind), tgt(TokenKind::Word);
    std::vector<std::vector<std::string>> tokens;
    for (const std::string& s : sources)
        tokens.push_back(src.tokenize(s));
    Vocab sv = Vocab::build(tokens, 1);
    Vocab tv = Vocab::build({targetWords}, 1);
    ModelConfig mc;
    mc.d_model = 16;
    mc.nhead = 2;
    mc.num_encoder_layers = 2;
    mc.num_decoder_layers = 2;
    mc.dim_feedforward = 24;
    mc.dropout = 0.0;
    mc.max_len = 24;
    if (configure)
        configure(mc);
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return TranslationModel{Transformer(mc, seed), std::move(sv), std::move(tv), src, tgt};
}

/// Writes dir/corpus.tsv: 96 synthetic pairs "Subject verb object.\t<Chinese>" (6 subjects x 4
/// verbs x 4 objects), each followed by `suffix` (e.g. a Tatoeba attribution column); returns
/// its path.
inline QString writeSyntheticPairs(const QString& dir, const QString& suffix = QString())
{
    const char* subj[][2] = {{"I", "我"}, {"You", "你"}, {"He", "他"}, {"She", "她"}, {"Tom", "汤姆"}, {"Mary", "玛丽"}};
    const char* verb[][2] = {{"like", "喜欢"}, {"see", "看见"}, {"want", "想要"}, {"have", "有"}};
    const char* obj[][2] = {{"apples", "苹果"}, {"books", "书"}, {"cats", "猫"}, {"tea", "茶"}};
    QString text;
    for (auto& s : subj)
        for (auto& v : verb)
            for (auto& o : obj)
                text += QString("%1 %2 %3.\t%4%5%6。").arg(s[0], v[0], o[0], s[1], v[1], o[1]) + suffix + "\n";
    const QString path = dir + "/corpus.tsv";
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text.toUtf8());
    return path;
}

/// Passes when f() throws al::Error whose message contains every one of `parts`; fails on any
/// other exception or none.
inline void expectError(const std::function<void()>& f, const QStringList& parts)
{
    try {
        f();
    } catch (const al::Error& e) {
        const QString msg = QString::fromStdString(e.what());
        for (const QString& p : parts)
            QVERIFY2(msg.contains(p), qPrintable("message '" + msg + "' lacks '" + p + "'"));
        return;
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("expected al::Error, got std::exception: ") + e.what()));
    }
    QFAIL("expected al::Error, nothing was thrown");
}

/// The first n pairs of the bundled Tatoeba corpus (Chinese source, English target) with
/// distinct sources, in file order (the shortest sentences: the file is sorted by length).
inline std::vector<SentencePair> first_cmn_pairs(size_t n)
{
    const auto r = read_tsv_pairs(std::string(AL_SOURCE_DIR) + "/resources/data/cmn-eng/cmn.txt", 1, 0);
    std::vector<SentencePair> out;
    std::set<std::string> seen;
    for (const auto& p : r.pairs) {
        if (out.size() == n)
            break;
        if (seen.insert(p.src).second)
            out.push_back(p);
    }
    return out;
}

/// Runs `f` and returns the al::Error message it throws, or "<no al::Error thrown>".
template <class F>
std::string error_of(F f)
{
    try {
        f();
    } catch (const al::Error& e) {
        return e.what();
    }
    return "<no al::Error thrown>";
}

/// "[a|b|c]": a token list for failure messages.
inline std::string joined_tokens(const std::vector<std::string>& t)
{
    std::string s = "[";
    for (size_t i = 0; i < t.size(); ++i)
        s += (i ? "|" : "") + t[i];
    return s + "]";
}

} // namespace al::test

/// Compares token lists (std::vector<std::string>) and prints both on failure (Qt Test).
#define COMPARE_TOKENS(actual, expected)                                                                     \
    do {                                                                                                     \
        const std::vector<std::string> a_ = (actual), e_ = (expected);                                       \
        if (a_ != e_)                                                                                        \
            QFAIL(("got " + al::test::joined_tokens(a_) + ", expected " + al::test::joined_tokens(e_)).c_str()); \
    } while (0)
