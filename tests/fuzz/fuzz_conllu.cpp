// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: read_conllu (UD treebanks for the pos task) and load_task_corpus("pos") on
// one file, with a line-length limit of 256 bytes. Every sentence it returns has one non-empty tag
// per non-empty valid-UTF-8 word without control characters; the summary adds up.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/data/text.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = al_fuzz::write_scratch("treebank.conllu",
                                                    std::string(reinterpret_cast<const char*>(data), size));
    try {
        const al::ConlluReadResult r = al::read_conllu(path, al::ReadOptions{256});
        for (const auto& s : r.sentences) {
            if (s.words.size() != s.tags.size() || s.words.empty())
                std::abort();
            for (size_t i = 0; i < s.words.size(); ++i)
                if (s.words[i].empty() || s.tags[i].empty() || !al::is_valid_utf8(s.words[i])
                    || al_fuzz::has_control(s.words[i]) || al_fuzz::has_control(s.tags[i]))
                    std::abort();
        }
        if (al_fuzz::reason_total(r.summary) != r.summary.skipped || r.summary.skipped > r.summary.lines)
            std::abort();
        (void)r.summary.report();
        (void)al::load_task_corpus("pos", {path}, 3, al::ReadOptions{256});
    } catch (const al::Error&) {
    }
    return 0;
}
