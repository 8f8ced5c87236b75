// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/data/line_reader.h"

#include <cstdint>
#include <string>
#include <vector>

namespace al {

/// One sentence pair, UTF-8, as stored in the file (not normalised).
struct SentencePair {
    std::string src;
    std::string tgt;
};

/// The good pairs of a file and what the read skipped.
struct CorpusReadResult {
    std::vector<SentencePair> pairs;
    ReadSummary summary;
};

/// Reads tab-separated sentence pairs, streaming (LineReader: the line-length limit of `opt`,
/// BOM and CR removed, lines with invalid UTF-8 or control characters skipped). src_col /
/// tgt_col are 0-based column indices. A line with too few columns ("too few columns") or an
/// empty source or target field ("empty field") is skipped and counted, and so is a blank line
/// ("empty line"). A field that is empty after normalize_text() (only spaces or invisible
/// characters) counts as empty. Extra columns are ignored (cmn.txt has an attribution column).
/// Fields are returned as stored, not normalised. Throws al::Error when the file cannot be
/// opened ("cannot open 'x': reason") or a column index is negative. Memory: the pairs it
/// returns plus one line. Reads the 4 MB cmn.txt in a few tens of milliseconds.
CorpusReadResult read_tsv_pairs(const std::string& path, int src_col, int tgt_col, const ReadOptions& opt = {});

/// Disjoint train / validation / test subsets of a corpus.
struct CorpusSplits {
    std::vector<SentencePair> train, valid, test;
};

/// Removes pairs whose source occurred before (keeps the first), shuffles with `seed`, and
/// splits so that pairs sharing the same target sentence end up in the same split (no
/// train/test leakage through repeated targets). valid_frac + test_frac < 1, both >= 0,
/// otherwise al::Error. Sentences are compared after normalize_text(). Each split gets
/// round(frac * kept pairs) pairs, overshooting by at most one target group; train takes
/// the rest. Pairs come out in shuffled group order. Deterministic for a given seed.
CorpusSplits split_corpus(const std::vector<SentencePair>& pairs, double valid_frac,
                          double test_frac, uint64_t seed);

} // namespace al
