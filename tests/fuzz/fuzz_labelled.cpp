// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the labelled-line readers. The input is split at al_fuzz::file_separator()
// into rt-polarity.pos and rt-polarity.neg (read_polarity, the sentiment task) and one Tatoeba
// TSV file (langid_examples, the langid task: English column "eng", second column labelled by
// the file name), with a line-length limit of 256 bytes. Every text returned is non-empty valid
// UTF-8 without control characters, with a known label; one summary per file read.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/data/text.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<std::string> pieces = al_fuzz::split_pieces(data, size, 3);
    pieces.resize(3);
    al_fuzz::write_scratch("rt-polarity.pos", pieces[0]);
    al_fuzz::write_scratch("rt-polarity.neg", pieces[1]);
    const std::string tsv = al_fuzz::write_scratch("fra.txt", pieces[2]);
    try {
        std::vector<al::ReadSummary> reads;
        for (const auto& t : al::read_polarity(al_fuzz::scratch_dir(), &reads, al::ReadOptions{256}))
            if (t.text.empty() || !al::is_valid_utf8(t.text) || al_fuzz::has_control(t.text)
                || (t.label != "pos" && t.label != "neg"))
                std::abort();
        if (reads.size() != 2)
            std::abort();
    } catch (const al::Error&) {
    }
    try {
        std::vector<al::ReadSummary> reads;
        for (const auto& t : al::langid_examples({tsv}, 0, 5, &reads, al::ReadOptions{256}))
            if (t.text.empty() || !al::is_valid_utf8(t.text) || al_fuzz::has_control(t.text)
                || (t.label != "eng" && t.label != "fra"))
                std::abort();
        if (reads.size() != 1 || al_fuzz::reason_total(reads[0]) != reads[0].skipped)
            std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
