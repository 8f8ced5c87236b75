// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Bounded allocation: the largest sizes a ModelConfig (a config.json) may claim, checked by
// ModelConfig::validate(), and the check of a config against the weights file it comes with,
// made by the model-directory loaders before a network is allocated (docs/format.md, "Limits").
// The corpus readers' limits are DataLimits (engine/data/limits.h).
#include <cstdint>
#include <string>

namespace al {

struct ModelConfig;

/// Upper limits of the keys that size a model (inclusive). They are far above what the lab
/// trains on two cores and low enough that a table sized by them alone (the sinusoidal
/// positional table, max_len x d_model floats: 128 MB) fits in memory.
struct ModelLimits {
    static constexpr int vocab_size = 1 << 21;      ///< src_vocab_size, tgt_vocab_size, vocab_size
    static constexpr int d_model = 4096;
    static constexpr int nhead = 256;
    static constexpr int layers = 256;              ///< num_encoder_layers, num_decoder_layers (each)
    static constexpr int dim_feedforward = 65536;
    static constexpr int max_len = 8192;            ///< also bounds synthesizer_k
    static constexpr int num_segments = 64;         ///< mlm segment embeddings
};

/// Throws al::Error "<key> (<value>) is over the limit of <limit>" for the first key of `cfg`
/// above ModelLimits (vocabulary sizes, d_model, nhead, layer counts, dim_feedforward, max_len,
/// synthesizer_k, num_segments).
void check_model_limits(const ModelConfig& cfg);

/// A lower bound of the number of float weights of the network `cfg` builds: its embedding or
/// generator rows (V_src + V_tgt for the encoder-decoder, V for a task model) of d_model values,
/// and per layer the value and output projections of self-attention (2 C^2; every attention
/// variant has them) and the feed-forward network (2 C F). `cfg` must be within ModelLimits
/// (no overflow then).
int64_t min_weight_count(const ModelConfig& cfg);

/// Refuses a config whose network needs far more weights (min_weight_count, 4 bytes each in
/// memory, at least 2 in a file of F16 or BF16) than `weights_path` (model.safetensors) holds
/// (more bytes in memory than twice the file's size plus 16 MB;
/// a smaller excess is left to load_params, which names the tensor), before the network is
/// built, so the allocation stays bounded by the file: throws al::Error
/// "<config_path>: the architecture (d_model C, dim_feedforward F, N layers, V vocabulary rows)
/// needs at least W weights (B bytes), but <weights_path> has only S bytes". A missing weights
/// file passes (the loader reports it).
void check_weights_fit(const ModelConfig& cfg, const std::string& config_path, const std::string& weights_path);

} // namespace al
