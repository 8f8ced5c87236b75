// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/corpus.h"

#include "engine/core/error.h"
#include "engine/core/tensor.h"
#include "engine/data/text.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace al {

CorpusReadResult read_tsv_pairs(const std::string& path, int src_col, int tgt_col, const ReadOptions& opt) {
    if (src_col < 0 || tgt_col < 0)
        throw Error("read_tsv_pairs('" + path + "'): column indices must be >= 0, got " +
                    std::to_string(src_col) + " and " + std::to_string(tgt_col));
    LineReader in(path, opt);
    const size_t needed = static_cast<size_t>(std::max(src_col, tgt_col)) + 1;
    CorpusReadResult result;
    std::string line;
    std::vector<std::string> fields;
    while (in.next(line)) {
        if (line.empty()) {
            in.skip("empty line", "empty line");
            continue;
        }
        fields.clear();
        size_t start = 0;
        while (true) {
            const size_t tab = line.find('\t', start);
            fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos
                                                                         : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        if (fields.size() < needed) {
            in.skip("too few columns", "expected at least " + std::to_string(needed) +
                                           " tab-separated columns, found " + std::to_string(fields.size()));
            continue;
        }
        std::string& src = fields[static_cast<size_t>(src_col)];
        std::string& tgt = fields[static_cast<size_t>(tgt_col)];
        // A field of only spaces or invisible characters is as empty as "" once tokenised.
        if (normalize_text(src).empty()) {
            in.skip("empty field", "empty source field (column " + std::to_string(src_col) + ")");
            continue;
        }
        if (normalize_text(tgt).empty()) {
            in.skip("empty field", "empty target field (column " + std::to_string(tgt_col) + ")");
            continue;
        }
        result.pairs.push_back(SentencePair{std::move(src), std::move(tgt)});
    }
    result.summary = in.finish();
    return result;
}

CorpusSplits split_corpus(const std::vector<SentencePair>& pairs, double valid_frac,
                          double test_frac, uint64_t seed) {
    if (!(valid_frac >= 0 && test_frac >= 0 && valid_frac + test_frac < 1))
        throw Error("split_corpus: need valid_frac >= 0, test_frac >= 0 and valid_frac + "
                    "test_frac < 1, got " + std::to_string(valid_frac) + " and " +
                    std::to_string(test_frac));
    // Sentences are compared after normalize_text(), so that copies differing only in a
    // non-breaking space or a curly apostrophe count as the same sentence.
    auto key = [](const std::string& s) { return is_valid_utf8(s) ? normalize_text(s) : s; };

    // Deduplicate by source, then group by target: group g holds every kept pair whose
    // target is the g-th distinct target, in input order.
    std::unordered_set<std::string> seen_src;
    std::unordered_map<std::string, size_t> group_of_tgt;
    std::vector<std::vector<size_t>> groups;
    size_t kept = 0;
    for (size_t i = 0; i < pairs.size(); ++i) {
        if (!seen_src.insert(key(pairs[i].src)).second) continue;
        const auto [it, inserted] = group_of_tgt.emplace(key(pairs[i].tgt), groups.size());
        if (inserted) groups.emplace_back();
        groups[it->second].push_back(i);
        ++kept;
    }

    // Fisher-Yates over groups with the engine's seeded generator.
    Rng rng(seed);
    for (size_t i = groups.size(); i > 1; --i) std::swap(groups[i - 1], groups[rng.below(i)]);

    // Fill test, then valid, then train in shuffled group order; a split may overshoot its
    // share by at most one group (at most a handful of pairs).
    const auto n_test = static_cast<size_t>(std::llround(test_frac * static_cast<double>(kept)));
    const auto n_valid = static_cast<size_t>(std::llround(valid_frac * static_cast<double>(kept)));
    CorpusSplits out;
    for (const auto& g : groups) {
        std::vector<SentencePair>* dst = &out.train;
        if (out.test.size() < n_test) dst = &out.test;
        else if (out.valid.size() < n_valid) dst = &out.valid;
        for (size_t i : g) dst->push_back(pairs[i]);
    }
    return out;
}

} // namespace al
