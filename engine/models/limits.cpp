// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/limits.h"
#include "engine/core/error.h"
#include "engine/models/config.h"

#include <sys/stat.h>

namespace al {
namespace {

void require_max(const char* key, int value, int limit)
{
    if (value > limit)
        throw Error(std::string(key) + " (" + std::to_string(value) + ") is over the limit of "
                    + std::to_string(limit));
}

int64_t vocabulary_rows(const ModelConfig& cfg)
{
    return cfg.is_task_model() ? int64_t(cfg.vocab_size) : int64_t(cfg.src_vocab_size) + cfg.tgt_vocab_size;
}

int64_t layer_count(const ModelConfig& cfg)
{
    return cfg.is_task_model() ? int64_t(cfg.num_layers()) : int64_t(cfg.num_encoder_layers) + cfg.num_decoder_layers;
}

} // namespace

void check_model_limits(const ModelConfig& cfg)
{
    require_max("src_vocab_size", cfg.src_vocab_size, ModelLimits::vocab_size);
    require_max("tgt_vocab_size", cfg.tgt_vocab_size, ModelLimits::vocab_size);
    require_max("vocab_size", cfg.vocab_size, ModelLimits::vocab_size);
    require_max("d_model", cfg.d_model, ModelLimits::d_model);
    require_max("nhead", cfg.nhead, ModelLimits::nhead);
    require_max("num_encoder_layers", cfg.num_encoder_layers, ModelLimits::layers);
    require_max("num_decoder_layers", cfg.num_decoder_layers, ModelLimits::layers);
    require_max("dim_feedforward", cfg.dim_feedforward, ModelLimits::dim_feedforward);
    require_max("max_len", cfg.max_len, ModelLimits::max_len);
    require_max("synthesizer_k", cfg.synthesizer_k, ModelLimits::max_len);
    require_max("num_segments", cfg.num_segments, ModelLimits::num_segments);
}

int64_t min_weight_count(const ModelConfig& cfg)
{
    const int64_t C = cfg.d_model, F = cfg.dim_feedforward;
    return vocabulary_rows(cfg) * C + layer_count(cfg) * (2 * C * C + 2 * C * F);
}

void check_weights_fit(const ModelConfig& cfg, const std::string& config_path, const std::string& weights_path)
{
    struct stat st {};
    if (::stat(weights_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return;
    // A small excess is left to load_params, whose message names the tensor; only an
    // architecture far beyond the file (over twice its size plus 16 MB) is refused here.
    const int64_t weights = min_weight_count(cfg);
    if (weights * 4 > 2 * int64_t(st.st_size) + (int64_t(16) << 20))
        throw Error(config_path + ": the architecture (d_model " + std::to_string(cfg.d_model) + ", dim_feedforward "
                    + std::to_string(cfg.dim_feedforward) + ", " + std::to_string(layer_count(cfg)) + " layers, "
                    + std::to_string(vocabulary_rows(cfg)) + " vocabulary rows) needs at least "
                    + std::to_string(weights) + " weights (" + std::to_string(weights * 4) + " bytes), but "
                    + weights_path + " has only " + std::to_string(st.st_size) + " bytes");
}

} // namespace al
