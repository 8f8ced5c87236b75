// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace al {

/// A problem with one line of an input file; the line was skipped.
struct Diagnostic {
    std::string file;
    int line = 0;          ///< 1-based
    std::string message;
    std::string to_string() const; ///< "file:line: message"
};

struct SentencePair {
    std::string src;
    std::string tgt;
};

struct CorpusReadResult {
    std::vector<SentencePair> pairs;
    std::vector<Diagnostic> skipped; ///< one per skipped line, in file order
};

/// Reads tab-separated sentence pairs. src_col / tgt_col are 0-based column indices.
/// A line with too few columns, an empty source or target field, or invalid UTF-8 is
/// reported in `skipped` and skipped; blank lines are skipped and reported; a trailing '\r'
/// is removed. Throws al::Error when the file cannot be opened ("cannot open 'x': reason").
CorpusReadResult read_tsv_pairs(const std::string& path, int src_col, int tgt_col);

struct CorpusSplits {
    std::vector<SentencePair> train, valid, test;
};

/// Removes pairs whose source occurred before (keeps the first), shuffles with `seed`, and
/// splits so that pairs sharing the same target sentence end up in the same split (no
/// train/test leakage through repeated targets). valid_frac + test_frac < 1.
CorpusSplits split_corpus(const std::vector<SentencePair>& pairs, double valid_frac,
                          double test_frac, uint64_t seed);

} // namespace al
