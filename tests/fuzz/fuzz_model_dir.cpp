// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a whole model directory. The input is split at al_fuzz::file_separator()
// into config.json, model.safetensors, src_vocab.txt, tgt_vocab.txt and vocab.json (a missing
// piece leaves that file out); the directory is then loaded as a translation model and as a task
// model, as `attention-lab translate --model DIR` and the GUI's Open do. A model that loads is
// run once on a short input.
#include "engine/core/error.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const char* const kFiles[] = {"config.json", "model.safetensors", "src_vocab.txt", "tgt_vocab.txt", "vocab.json"};
constexpr size_t kNumFiles = sizeof kFiles / sizeof kFiles[0];

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::vector<std::string> pieces = al_fuzz::split_pieces(data, size, kNumFiles);
    for (size_t i = 0; i < kNumFiles; ++i) {
        if (i < pieces.size())
            al_fuzz::write_scratch(kFiles[i], pieces[i]);
        else
            al_fuzz::remove_scratch(kFiles[i]);
    }
    const std::string& dir = al_fuzz::scratch_dir();
    try {
        const al::TranslationModel m = al::load_model_dir(dir);
        (void)al::translate(m, "ab c", 4);
    } catch (const al::Error&) {
    }
    try {
        const al::TaskModel m = al::load_task_model_dir(dir);
        if (m.net.config().task == "charlm")
            (void)al::generate_text(m, "ab", 2, 0.0, 1);
        else if (m.net.config().task == "mlm")
            (void)al::masked_token_probabilities(m, "a [MASK] b", 3);
        else if (m.net.config().task == "pos")
            (void)al::tag_text(m, "a b");
        else
            (void)al::classify_text(m, "a b");
    } catch (const al::Error&) {
    }
    return 0;
}
