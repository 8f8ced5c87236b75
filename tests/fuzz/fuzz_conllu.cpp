// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: read_conllu (UD treebanks for the pos task) and load_task_corpus("pos") on
// one file. Every sentence it returns has one non-empty tag per non-empty word.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = al_fuzz::write_scratch("treebank.conllu",
                                                    std::string(reinterpret_cast<const char*>(data), size));
    try {
        const al::ConlluReadResult r = al::read_conllu(path);
        for (const auto& s : r.sentences) {
            if (s.words.size() != s.tags.size() || s.words.empty())
                std::abort();
            for (size_t i = 0; i < s.words.size(); ++i)
                if (s.words[i].empty() || s.tags[i].empty())
                    std::abort();
        }
        (void)al::load_task_corpus("pos", {path}, 3);
    } catch (const al::Error&) {
    }
    return 0;
}
