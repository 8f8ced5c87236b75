// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/limits.h"
#include "engine/core/error.h"

#include <sys/stat.h>

namespace al {
namespace {

void require_max(const char* key, int value, int limit)
{
    if (value > limit)
        throw Error(std::string(key) + " (" + std::to_string(value) + ") is over the limit of "
                    + std::to_string(limit));
}

} // namespace

void check_model_limits(const ModelConfig& cfg)
{
    require_max("src_vocab_size", cfg.src_vocab_size, ModelLimits::vocab_size);
    require_max("tgt_vocab_size", cfg.tgt_vocab_size, ModelLimits::vocab_size);
    require_max("d_model", cfg.d_model, ModelLimits::d_model);
    require_max("nhead", cfg.nhead, ModelLimits::nhead);
    require_max("num_encoder_layers", cfg.num_encoder_layers, ModelLimits::layers);
    require_max("num_decoder_layers", cfg.num_decoder_layers, ModelLimits::layers);
    require_max("dim_feedforward", cfg.dim_feedforward, ModelLimits::dim_feedforward);
    require_max("max_len", cfg.max_len, ModelLimits::max_len);
    require_max("synthesizer_k", cfg.synthesizer_k, ModelLimits::max_len);
}

int64_t min_weight_count(int64_t vocab_rows, int64_t layers, int64_t d_model, int64_t dim_feedforward)
{
    return vocab_rows * d_model + layers * (2 * d_model * d_model + 2 * d_model * dim_feedforward);
}

int64_t min_weight_count(const ModelConfig& cfg)
{
    return min_weight_count(int64_t(cfg.src_vocab_size) + cfg.tgt_vocab_size,
                            int64_t(cfg.num_encoder_layers) + cfg.num_decoder_layers, cfg.d_model,
                            cfg.dim_feedforward);
}

void check_weights_fit(int64_t min_weights, const std::string& what, const std::string& config_path,
                       const std::string& weights_path)
{
    struct stat st {};
    if (::stat(weights_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return;
    const int64_t need = min_weights * 4;
    if (need > int64_t(st.st_size))
        throw Error(config_path + ": the architecture (" + what + ") needs at least "
                    + std::to_string(min_weights) + " weights (" + std::to_string(need) + " bytes), but "
                    + weights_path + " has only " + std::to_string(st.st_size) + " bytes");
}

} // namespace al
