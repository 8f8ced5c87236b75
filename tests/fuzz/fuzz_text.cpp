// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: plain text for the character LM (read_plain_text and load_task_corpus("charlm"),
// with a line-length limit of 256 bytes): the text is the file's accepted lines, valid UTF-8
// without control characters but TAB and LF, never longer than the file; the training and
// validation parts are valid UTF-8 that together give back that text.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/data/text.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::string path = al_fuzz::write_scratch("input.txt", bytes);
    const al::ReadOptions opt{256};
    std::string text;
    try {
        const al::PlainTextReadResult r = al::read_plain_text(path, opt);
        text = r.text;
        std::string lines = text;
        lines.erase(std::remove(lines.begin(), lines.end(), '\n'), lines.end());
        if (text.size() > bytes.size() || !al::is_valid_utf8(text) || al_fuzz::has_control(lines)
            || al_fuzz::reason_total(r.summary) != r.summary.skipped)
            std::abort();
        (void)r.summary.report();
    } catch (const al::Error&) {
        return 0;
    }
    try {
        const al::TaskCorpus c = al::load_task_corpus("charlm", {path}, 1, opt);
        if (c.lm_train + c.lm_valid != text || !al::is_valid_utf8(c.lm_train) || !al::is_valid_utf8(c.lm_valid))
            std::abort();
    } catch (const al::Error&) {
    }
    return 0;
}
