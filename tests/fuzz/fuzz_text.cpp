// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: plain text for the character LM (load_task_corpus("charlm")): the training
// and validation parts must be valid UTF-8 that together give back the file.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/data/text.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::string path = al_fuzz::write_scratch("input.txt", bytes);
    try {
        const al::TaskCorpus c = al::load_task_corpus("charlm", {path}, 1);
        if (c.lm_train + c.lm_valid != bytes || !al::is_valid_utf8(c.lm_train) || !al::is_valid_utf8(c.lm_valid))
            std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
