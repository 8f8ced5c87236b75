// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the engine tests.
#include "engine/core/error.h"
#include "engine/data/corpus.h"

#include <QtTest>

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace al::test {

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
