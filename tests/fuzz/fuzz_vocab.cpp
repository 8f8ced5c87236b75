// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the vocabulary files. The input is split at al_fuzz::file_separator() into
// a line-format vocabulary (src_vocab.txt / tgt_vocab.txt of a translation model, Vocab::load)
// and a JSON one (vocab.json of a task model: a JSON array of strings, TokenTable::from_tokens).
// A vocabulary that loads must map every token to its line / position and back.
#include "engine/core/error.h"
#include "engine/data/vocab.h"
#include "engine/models/task_models.h"
#include "tests/fuzz/fuzz_support.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<std::string> pieces = al_fuzz::split_pieces(data, size, 2);
    pieces.resize(2);
    const std::string path = al_fuzz::write_scratch("vocab.txt", pieces[0]);
    try {
        const al::Vocab v = al::Vocab::load(path);
        for (int i = 0; i < v.size(); ++i)
            if (v.id(v.token(i)) != i)
                std::abort();
    } catch (const al::Error&) {
    }
    const nlohmann::json j = nlohmann::json::parse(pieces[1], nullptr, /*allow_exceptions=*/false);
    if (!j.is_array())
        return 0;
    std::vector<std::string> tokens;
    for (const auto& t : j) {
        if (!t.is_string())
            return 0;
        tokens.push_back(t.get<std::string>());
    }
    try {
        const al::TokenTable table = al::TokenTable::from_tokens(tokens, "vocab.json");
        for (int i = 0; i < table.size(); ++i)
            if (table.id(table.token(i)) != i)
                std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
