// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/config.h"
#include "engine/nn/activation.h"
#include "engine/nn/attention.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"
#include "engine/core/error.h"

#include <cmath>
#include <sstream>

namespace al {
namespace {

void require_min(const char* key, int value, int min, const char* why = nullptr)
{
    if (value < min)
        throw Error(std::string(key) + " must be >= " + std::to_string(min)
                    + (why ? std::string(" (") + why + ")" : std::string()) + ", got "
                    + std::to_string(value));
}

std::string num(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

void require_tokens(const char* key, const std::string& value)
{
    if (value != "char" && value != "word")
        throw Error(std::string(key) + " must be \"char\" or \"word\", got \"" + value + "\"");
}

} // namespace

void ModelConfig::validate() const
{
    require_min("src_vocab_size", src_vocab_size, 4, "the 4 special tokens");
    require_min("tgt_vocab_size", tgt_vocab_size, 4, "the 4 special tokens");
    require_min("d_model", d_model, 1);
    require_min("nhead", nhead, 1);
    if (d_model % nhead != 0)
        throw Error("d_model (" + std::to_string(d_model) + ") must be divisible by nhead ("
                    + std::to_string(nhead) + ")");
    // An encoder-decoder model needs at least one layer on each side for cross-attention.
    require_min("num_encoder_layers", num_encoder_layers, 1);
    require_min("num_decoder_layers", num_decoder_layers, 1);
    require_min("dim_feedforward", dim_feedforward, 1);
    if (!(dropout >= 0.0 && dropout < 1.0))
        throw Error("dropout must be in [0, 1), got " + num(dropout));
    if (attention_dropout && !(*attention_dropout >= 0.0 && *attention_dropout < 1.0))
        throw Error("attention_dropout must be in [0, 1), got " + num(*attention_dropout));
    parse_activation(activation);
    parse_norm_kind(norm);
    if (!(layer_norm_eps > 0.0 && std::isfinite(layer_norm_eps)))
        throw Error("layer_norm_eps must be > 0, got " + num(layer_norm_eps));
    parse_positional_encoding(positional_encoding);
    parse_attention_scoring(attention_scoring);
    parse_attention_normalization(attention_normalization);
    require_min("max_len", max_len, 1);
    require_min("attention_window", attention_window, 0, "0 means unrestricted");
    if (attention_window >= max_len)
        throw Error("attention_window (" + std::to_string(attention_window) + ") must be smaller than max_len ("
                    + std::to_string(max_len) + "); 0 means unrestricted");
    SynthesizerConfig{attention, max_len, synthesizer_k}.validate();
    require_tokens("src_tokens", src_tokens);
    require_tokens("tgt_tokens", tgt_tokens);
    if (decoder != "autoregressive" && decoder != "nat")
        throw Error("decoder must be \"autoregressive\" or \"nat\", got \"" + decoder + "\"");
    if (decoder == "nat")
        require_min("max_len", max_len, 2, "the NAT length predictor needs room for a token and EOS");
}

void TrainConfig::validate() const
{
    if (micro_batch_tokens < 0)
        throw Error("micro_batch_tokens must be >= 0 (0 = no micro-batches), got " + std::to_string(micro_batch_tokens));
    if (scheduled_sampling != "off" && scheduled_sampling != "constant" && scheduled_sampling != "linear"
        && scheduled_sampling != "inverse_sigmoid")
        throw Error("scheduled_sampling must be \"off\", \"constant\", \"linear\" or \"inverse_sigmoid\", got \""
                    + scheduled_sampling + "\"");
    if (!(scheduled_sampling_p >= 0.0 && scheduled_sampling_p <= 1.0))
        throw Error("scheduled_sampling_p must be in [0, 1], got " + num(scheduled_sampling_p));
    if (scheduled_sampling == "linear" && !(scheduled_sampling_k > 0.0 && std::isfinite(scheduled_sampling_k)))
        throw Error("scheduled_sampling_k must be > 0 for the linear schedule, got " + num(scheduled_sampling_k));
    if (scheduled_sampling == "inverse_sigmoid" && !(scheduled_sampling_k >= 1.0 && std::isfinite(scheduled_sampling_k)))
        throw Error("scheduled_sampling_k must be >= 1 for the inverse_sigmoid schedule, got " + num(scheduled_sampling_k));
    if (!(length_loss_weight >= 0.0 && std::isfinite(length_loss_weight)))
        throw Error("length_loss_weight must be >= 0, got " + num(length_loss_weight));
}

} // namespace al
