// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the training timeline files of a model directory (engine/io/timeline_file.h).
// The input is split at al_fuzz::file_separator() into timeline.json and timeline.safetensors
// (a missing piece leaves that file out); the directory's timeline is then read as a model's
// Open reads it (al::read_model_timeline), checked against a small model, and when it loads
// its figures are computed and it is written back and read again.
#include "engine/core/error.h"
#include "engine/io/model_dir.h"
#include "engine/io/timeline_file.h"
#include "engine/models/config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const char* const files[] = {al::kTimelineJson, al::kTimelineTensors};
    const std::vector<std::string> pieces = al_fuzz::split_pieces(data, size, 2);
    for (size_t i = 0; i < 2; ++i) {
        if (i < pieces.size())
            al_fuzz::write_scratch(files[i], pieces[i]);
        else
            al_fuzz::remove_scratch(files[i]);
    }
    const std::string& dir = al_fuzz::scratch_dir();
    al::ModelConfig cfg;
    cfg.nhead = 2;
    cfg.num_encoder_layers = cfg.num_decoder_layers = 1;
    try {
        const al::TrainingTimeline t = al::read_model_timeline(dir, cfg);
        for (const auto& r : t.records())
            for (size_t p = 0; p < r->frames.size(); ++p)
                for (size_t k = 0; k < 3; ++k)
                    for (const auto& layer : r->frames[p].maps[k])
                        for (const al::MapF& m : layer)
                            (void)al::head_figures(m, al::AttentionKind(k), t.probes()[p].alignment);
        al::write_model_timeline(dir, &t);
        (void)al::read_model_timeline(dir, cfg);
    } catch (const al::Error&) {
    }
    return 0;
}
