// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: read_tsv_pairs (translation corpora, cmn.txt-style "src TAB tgt TAB ...")
// and split_corpus on what it read, with a line-length limit of 256 bytes so that the long-line
// path is reached. Every pair it returns must have non-empty valid UTF-8 fields without control
// characters, every input line is either a pair or a skipped line, and the summary's reasons
// add up to the skipped lines.
#include "engine/core/error.h"
#include "engine/data/corpus.h"
#include "engine/data/text.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::string path = al_fuzz::write_scratch("pairs.tsv", bytes);
    al::CorpusReadResult r;
    try {
        r = al::read_tsv_pairs(path, 0, 1, al::ReadOptions{256});
    } catch (const al::Error&) {
        return 0;
    }
    const size_t lines = static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\n'))
                         + (!bytes.empty() && bytes.back() != '\n' ? 1 : 0);
    if (r.pairs.size() + size_t(r.summary.skipped) != lines || size_t(r.summary.lines) != lines)
        std::abort();
    if (al_fuzz::reason_total(r.summary) != r.summary.skipped || r.summary.problems.size() > al::DataLimits::listed_problems)
        std::abort();
    for (const auto& p : r.pairs)
        if (p.src.empty() || p.tgt.empty() || !al::is_valid_utf8(p.src) || !al::is_valid_utf8(p.tgt)
            || al_fuzz::has_control(p.src) || al_fuzz::has_control(p.tgt) || p.src.size() > 256)
            std::abort();
    (void)r.summary.report();
    try {
        const al::CorpusSplits s = al::split_corpus(r.pairs, 0.1, 0.1, 7);
        if (s.train.size() + s.valid.size() + s.test.size() > r.pairs.size())
            std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
