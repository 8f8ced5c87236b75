// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/config.h"
#include "engine/models/limits.h"
#include "engine/nn/activation.h"
#include "engine/nn/attention.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"
#include "engine/core/error.h"
#include "engine/data/vocab.h"

#include <cmath>
#include <set>
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

const std::set<std::string> kTasks = {"charlm", "pos", "sentiment", "langid", "mlm"};

} // namespace

bool is_task_model_name(const std::string& task) { return kTasks.count(task) > 0; }

ModelKind ModelConfig::kind() const
{
    if (task.empty())
        return decoder == "nat" ? ModelKind::Nat : ModelKind::EncoderDecoder;
    if (task == "charlm")
        return ModelKind::DecoderLM;
    if (task == "pos")
        return ModelKind::EncoderTagger;
    if (task == "mlm")
        return ModelKind::EncoderMLM;
    return ModelKind::EncoderClassifier;
}

std::string ModelConfig::model_kind() const
{
    switch (kind()) {
    case ModelKind::EncoderDecoder: return "encoder_decoder";
    case ModelKind::Nat: return "nat";
    case ModelKind::DecoderLM: return "decoder_lm";
    case ModelKind::EncoderTagger: return "encoder_tagger";
    case ModelKind::EncoderMLM: return "encoder_mlm";
    case ModelKind::EncoderClassifier: break;
    }
    return "encoder_classifier";
}

int ModelConfig::num_layers() const { return task == "charlm" ? num_decoder_layers : num_encoder_layers; }

ModelConfig with_task_keys(const ModelConfig& arch, const ModelConfig& task_keys)
{
    ModelConfig c = arch;
    c.task = task_keys.task;
    c.vocab_size = task_keys.vocab_size;
    c.labels = task_keys.labels;
    c.tokens = task_keys.tokens;
    c.pooling = task_keys.pooling;
    c.num_segments = task_keys.num_segments;
    c.suffix_len = task_keys.suffix_len;
    return c;
}

void ModelConfig::validate() const
{
    // Sizes first: a value over its limit is named before any check that depends on it.
    check_model_limits(*this);
    const bool one_stack = !task.empty();
    if (one_stack) {
        if (!is_task_model_name(task))
            throw Error("task must be charlm, pos, sentiment, langid or mlm, got \"" + task + "\"");
        if (num_layers() < 1)
            throw Error(std::string(task == "charlm" ? "num_decoder_layers" : "num_encoder_layers")
                        + " must be >= 1, got " + std::to_string(num_layers()));
    } else {
        require_min("src_vocab_size", src_vocab_size, 4, "the 4 special tokens");
        require_min("tgt_vocab_size", tgt_vocab_size, 4, "the 4 special tokens");
    }
    require_min("d_model", d_model, 1);
    require_min("nhead", nhead, 1);
    if (d_model % nhead != 0)
        throw Error("d_model (" + std::to_string(d_model) + ") must be divisible by nhead ("
                    + std::to_string(nhead) + ")");
    if (!one_stack) {
        // An encoder-decoder model needs at least one layer on each side for cross-attention.
        require_min("num_encoder_layers", num_encoder_layers, 1);
        require_min("num_decoder_layers", num_decoder_layers, 1);
    }
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
    if (one_stack) {
        validate_task_keys();
        return;
    }
    require_tokens("src_tokens", src_tokens);
    require_tokens("tgt_tokens", tgt_tokens);
    if (decoder != "autoregressive" && decoder != "nat")
        throw Error("decoder must be \"autoregressive\" or \"nat\", got \"" + decoder + "\"");
    if (decoder == "nat")
        require_min("max_len", max_len, 2, "the NAT length predictor needs room for a token and EOS");
}

void ModelConfig::validate_task_keys() const
{
    // Every block switch applies to the one-stack models; the decoder keys of the
    // encoder-decoder do not.
    if (decoder != "autoregressive")
        throw Error("decoder: task models have no encoder-decoder, so only \"autoregressive\" (the default) applies, got \""
                    + decoder + "\"");
    const int specials = int(special_tokens(VocabLayout::Task).size()); // a task model's vocabulary layout
    if (vocab_size < specials + 1)
        throw Error("vocab_size must be >= " + std::to_string(specials + 1)
                    + " (the special tokens and one more), got " + std::to_string(vocab_size));
    if (tokens != "char" && tokens != "space" && tokens != "word")
        throw Error("tokens must be \"char\", \"space\" or \"word\", got \"" + tokens + "\"");
    const bool labelled = kind() == ModelKind::EncoderTagger || kind() == ModelKind::EncoderClassifier;
    if (labelled) {
        if (labels.size() < 2)
            throw Error("labels must name at least 2 classes, got " + std::to_string(labels.size()));
        if (std::set<std::string>(labels.begin(), labels.end()).size() != labels.size())
            throw Error("labels must be distinct");
    } else if (!labels.empty()) {
        throw Error("labels must be empty for task " + task);
    }
    if (pooling != "mean" && pooling != "cls")
        throw Error("pooling must be \"mean\" or \"cls\", got \"" + pooling + "\"");
    if (suffix_len < 0 || (suffix_len > 0 && task != "pos"))
        throw Error("suffix_len must be 0, or > 0 for task pos only, got " + std::to_string(suffix_len));
    if (task == "mlm" && num_segments < 1)
        throw Error("num_segments must be >= 1, got " + std::to_string(num_segments));
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
