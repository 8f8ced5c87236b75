// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the labelled-line readers. The input is split at al_fuzz::file_separator()
// into rt-polarity.pos and rt-polarity.neg (read_polarity, the sentiment task) and one Tatoeba
// TSV file (langid_examples, the langid task: English column "eng", second column labelled by
// the file name). Every text returned is non-empty valid UTF-8 with a known label.
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
        std::vector<al::Diagnostic> skipped;
        for (const auto& t : al::read_polarity(al_fuzz::scratch_dir(), &skipped))
            if (t.text.empty() || !al::is_valid_utf8(t.text) || (t.label != "pos" && t.label != "neg"))
                std::abort();
    } catch (const al::Error&) {
    }
    try {
        std::vector<al::Diagnostic> skipped;
        for (const auto& t : al::langid_examples({tsv}, 0, 5, &skipped))
            if (t.text.empty() || !al::is_valid_utf8(t.text) || (t.label != "eng" && t.label != "fra"))
                std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
