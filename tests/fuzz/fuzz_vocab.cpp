// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the vocabulary files. The input is split at al_fuzz::file_separator() into
// a line-format vocabulary (src_vocab.txt / tgt_vocab.txt of a translation model) and a JSON one
// (vocab.json of a task model: a JSON array of strings); each is read with both special-token
// layouts (Vocab::load_lines, Vocab::load_json). A vocabulary that loads must map every token to
// its line / position and back.
#include "engine/core/error.h"
#include "engine/data/vocab.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstdlib>

namespace {

void check(const al::Vocab& v)
{
    for (int i = 0; i < v.size(); ++i)
        if (v.id(v.token(i)) != i)
            std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<std::string> pieces = al_fuzz::split_pieces(data, size, 2);
    pieces.resize(2);
    const std::string lines = al_fuzz::write_scratch("vocab.txt", pieces[0]);
    const std::string json = al_fuzz::write_scratch("vocab.json", pieces[1]);
    for (const al::VocabLayout layout : {al::VocabLayout::Seq2Seq, al::VocabLayout::Task}) {
        try {
            check(al::Vocab::load_lines(lines, layout));
        } catch (const al::Error&) {
        }
        try {
            check(al::Vocab::load_json(json, layout));
        } catch (const al::Error&) {
        }
    }
    return 0;
}
