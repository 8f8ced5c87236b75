// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the engine tests.
#include "engine/data/corpus.h"

#include <set>
#include <string>
#include <vector>

namespace al::test {

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

} // namespace al::test
