// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/config_json.h"
#include "engine/core/error.h"

#include <limits>

namespace al {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "attention-lab-model";
constexpr int kFormatVersion = 1;

std::string got(const json& v)
{
    if (v.is_number_float())
        return "non-integer number " + v.dump();
    return v.type_name();
}

[[noreturn]] void bad_key(const std::string& source, const char* key, const std::string& problem)
{
    throw Error(source + ": key '" + key + "' " + problem);
}

void read_int(const json& j, const std::string& source, const char* key, int& out)
{
    const auto it = j.find(key);
    if (it == j.end())
        return;
    if (!it->is_number_integer())
        bad_key(source, key, "must be an integer, got " + got(*it));
    const bool fits = it->is_number_unsigned()
        ? it->get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())
        : it->get<int64_t>() >= std::numeric_limits<int>::min()
              && it->get<int64_t>() <= std::numeric_limits<int>::max();
    if (!fits)
        bad_key(source, key, "is out of range: " + it->dump());
    out = it->get<int>();
}

void read_double(const json& j, const std::string& source, const char* key, double& out)
{
    const auto it = j.find(key);
    if (it == j.end())
        return;
    if (!it->is_number())
        bad_key(source, key, std::string("must be a number, got ") + it->type_name());
    out = it->get<double>();
}

void read_bool(const json& j, const std::string& source, const char* key, bool& out)
{
    const auto it = j.find(key);
    if (it == j.end())
        return;
    if (!it->is_boolean())
        bad_key(source, key, "must be true or false, got " + got(*it));
    out = it->get<bool>();
}

void read_string(const json& j, const std::string& source, const char* key, std::string& out)
{
    const auto it = j.find(key);
    if (it == j.end())
        return;
    if (!it->is_string())
        bad_key(source, key, "must be a string, got " + got(*it));
    out = it->get<std::string>();
}

json encoder_decoder_config_to_json(const ModelConfig& cfg)
{
    json j{
        {"format", kFormat},
        {"format_version", kFormatVersion},
        {"src_vocab_size", cfg.src_vocab_size},
        {"tgt_vocab_size", cfg.tgt_vocab_size},
        {"d_model", cfg.d_model},
        {"nhead", cfg.nhead},
        {"num_encoder_layers", cfg.num_encoder_layers},
        {"num_decoder_layers", cfg.num_decoder_layers},
        {"dim_feedforward", cfg.dim_feedforward},
        {"dropout", cfg.dropout},
        {"activation", cfg.activation},
        {"norm_first", cfg.norm_first},
        {"layer_norm_eps", cfg.layer_norm_eps},
        {"positional_encoding", cfg.positional_encoding},
        {"max_len", cfg.max_len},
        {"attention", cfg.attention},
        {"synthesizer_k", cfg.synthesizer_k},
        {"src_tokens", cfg.src_tokens},
        {"tgt_tokens", cfg.tgt_tokens},
        {"attention_scoring", cfg.attention_scoring},
        {"attention_normalization", cfg.attention_normalization},
        {"attention_window", cfg.attention_window},
        {"norm", cfg.norm},
    };
    // Written only for a NAT model: an autoregressive config.json has no "decoder" key.
    if (cfg.decoder != "autoregressive")
        j["decoder"] = cfg.decoder;
    if (cfg.attention_dropout)
        j["attention_dropout"] = *cfg.attention_dropout;
    return j;
}

// A one-stack model: the block keys without the encoder-decoder's vocabulary and tokenizer
// keys, the unused layer count as 0, and the task keys.
json task_model_config_to_json(const ModelConfig& cfg)
{
    ModelConfig a = cfg;
    if (cfg.task == "charlm")
        a.num_encoder_layers = 0;
    else
        a.num_decoder_layers = 0;
    json j = encoder_decoder_config_to_json(a);
    j.erase("src_vocab_size");
    j.erase("tgt_vocab_size");
    j.erase("src_tokens");
    j.erase("tgt_tokens");
    j["task"] = cfg.task;
    j["model_kind"] = cfg.model_kind();
    j["vocab_size"] = cfg.vocab_size;
    j["labels"] = cfg.labels;
    j["tokens"] = cfg.tokens;
    j["pooling"] = cfg.pooling;
    j["num_segments"] = cfg.num_segments;
    j["suffix_len"] = cfg.suffix_len;
    return j;
}

} // namespace

nlohmann::json model_config_to_json(const ModelConfig& cfg)
{
    if (cfg.is_task_model())
        return task_model_config_to_json(cfg);
    return encoder_decoder_config_to_json(cfg);
}

ModelConfig model_config_from_json(const nlohmann::json& j, const std::string& source)
{
    if (!j.is_object())
        throw Error(source + ": expected a JSON object, got " + std::string(j.type_name()));

    if (const auto it = j.find("format"); it != j.end()) {
        if (!it->is_string())
            bad_key(source, "format", "must be a string, got " + got(*it));
        if (it->get<std::string>() != kFormat)
            bad_key(source, "format", "must be \"" + std::string(kFormat) + "\", got \""
                                          + it->get<std::string>() + "\"");
    }
    if (j.contains("format_version")) {
        int version = 0;
        read_int(j, source, "format_version", version);
        if (version < 1 || version > kFormatVersion)
            bad_key(source, "format_version",
                    "is " + std::to_string(version) + ", but this program reads version "
                        + std::to_string(kFormatVersion) + (version > kFormatVersion ? " (the file is newer)" : ""));
    }

    // Absent keys keep the ModelConfig defaults, so a hand-written config may stay short.
    ModelConfig cfg;
    read_string(j, source, "task", cfg.task);
    if (cfg.is_task_model()) {
        if (!is_task_model_name(cfg.task))
            bad_key(source, "task", "must be charlm, pos, sentiment, langid or mlm, got \"" + cfg.task + "\"");
        read_int(j, source, "vocab_size", cfg.vocab_size);
        read_string(j, source, "tokens", cfg.tokens);
        read_string(j, source, "pooling", cfg.pooling);
        read_int(j, source, "num_segments", cfg.num_segments);
        read_int(j, source, "suffix_len", cfg.suffix_len);
        if (const auto it = j.find("labels"); it != j.end()) {
            if (!it->is_array())
                bad_key(source, "labels", std::string("must be an array of strings, got ") + it->type_name());
            for (const auto& v : *it) {
                if (!v.is_string())
                    bad_key(source, "labels",
                            std::string("must be an array of strings, got an element of type ") + v.type_name());
                cfg.labels.push_back(v.get<std::string>());
            }
        }
        // The layer count the stack does not use is 0 in the file and in memory.
        (cfg.task == "charlm" ? cfg.num_encoder_layers : cfg.num_decoder_layers) = 0;
    }
    if (!cfg.is_task_model()) {
        read_int(j, source, "src_vocab_size", cfg.src_vocab_size);
        read_int(j, source, "tgt_vocab_size", cfg.tgt_vocab_size);
        read_string(j, source, "src_tokens", cfg.src_tokens);
        read_string(j, source, "tgt_tokens", cfg.tgt_tokens);
        read_int(j, source, "num_encoder_layers", cfg.num_encoder_layers);
        read_int(j, source, "num_decoder_layers", cfg.num_decoder_layers);
    } else {
        // The one stack's depth: the decoder's for the decoder-only LM, else the encoder's.
        const char* used = cfg.task == "charlm" ? "num_decoder_layers" : "num_encoder_layers";
        int& layers = cfg.task == "charlm" ? cfg.num_decoder_layers : cfg.num_encoder_layers;
        read_int(j, source, used, layers);
        if (layers < 1)
            bad_key(source, used, "must be >= 1, got " + std::to_string(layers));
    }
    read_int(j, source, "d_model", cfg.d_model);
    read_int(j, source, "nhead", cfg.nhead);
    read_int(j, source, "dim_feedforward", cfg.dim_feedforward);
    read_double(j, source, "dropout", cfg.dropout);
    read_string(j, source, "activation", cfg.activation);
    read_bool(j, source, "norm_first", cfg.norm_first);
    read_double(j, source, "layer_norm_eps", cfg.layer_norm_eps);
    read_string(j, source, "positional_encoding", cfg.positional_encoding);
    read_int(j, source, "max_len", cfg.max_len);
    read_string(j, source, "attention", cfg.attention);
    read_int(j, source, "synthesizer_k", cfg.synthesizer_k);
    read_string(j, source, "attention_scoring", cfg.attention_scoring);
    read_string(j, source, "attention_normalization", cfg.attention_normalization);
    read_int(j, source, "attention_window", cfg.attention_window);
    read_string(j, source, "norm", cfg.norm);
    read_string(j, source, "decoder", cfg.decoder);
    if (const auto it = j.find("attention_dropout"); it != j.end() && !it->is_null()) {
        double p = 0;
        read_double(j, source, "attention_dropout", p);
        cfg.attention_dropout = p;
    }
    try {
        cfg.validate();
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    return cfg;
}

} // namespace al
