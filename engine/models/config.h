// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace al {

/// What a configuration builds: the model kinds of the lab, all made of the same blocks.
enum class ModelKind {
    EncoderDecoder,    ///< translation and the algorithmic tasks (task ""), decoder "autoregressive"
    Nat,               ///< non-autoregressive encoder-decoder (task "", decoder "nat")
    DecoderLM,         ///< decoder-only causal language model (task "charlm")
    EncoderTagger,     ///< encoder + per-token classifier (task "pos")
    EncoderClassifier, ///< encoder + pooled classifier (tasks "sentiment", "langid")
    EncoderMLM,        ///< BERT-style encoder with segment embeddings + masked-token head (task "mlm")
};

/// The configuration of every model the lab builds: the block options shared by all kinds
/// (d_model, nhead, dim_feedforward, dropout, norm and its placement, positional encoding,
/// attention scoring, normalisation, window and Synthesizer) plus the keys of the model kind.
/// Keys follow torch.nn.Transformer's constructor ("Attention Is All You Need", Vaswani et al.
/// 2017) and round-trip config.json (engine/io/config_json.h).
///
/// `task` selects the kind: "" is the encoder-decoder (translation, the algorithmic tasks; with
/// decoder "nat" the NAT); "charlm", "pos", "sentiment", "langid" and "mlm" are one stack with a
/// head (ModelKind). The encoder-decoder uses src/tgt_vocab_size, src/tgt_tokens and both layer
/// counts; a one-stack model uses vocab_size, tokens, labels, pooling, num_segments, suffix_len
/// and one layer count: num_decoder_layers for the decoder-only LM, num_encoder_layers for the
/// encoders (the other is 0).
struct ModelConfig {
    /// "" (encoder-decoder) | "charlm" | "pos" | "sentiment" | "langid" | "mlm"
    std::string task;
    int src_vocab_size = 0;          ///< encoder-decoder: V_src, including the 4 special tokens
    int tgt_vocab_size = 0;          ///< encoder-decoder: V_tgt, including the 4 special tokens
    int d_model = 256;               ///< C
    int nhead = 4;                   ///< H; d_model must be divisible by nhead
    int num_encoder_layers = 3;
    int num_decoder_layers = 3;
    int dim_feedforward = 1024;      ///< F
    double dropout = 0.1;            ///< on attention weights, sublayer outputs, embeddings, FF hidden
    /// Dropout on attention weights alone; unset: the same as `dropout` (torch.nn.Transformer).
    std::optional<double> attention_dropout;
    std::string activation = "relu"; ///< feed-forward non-linearity: "relu" | "gelu" (exact erf GELU)
    bool norm_first = false;         ///< false: Post-LN (paper); true: Pre-LN
    std::string norm = "layernorm";  ///< "layernorm" | "batchnorm" (BatchNorm1d over token rows)
    double layer_norm_eps = 1e-5;    ///< eps of the norm (LayerNorm or BatchNorm)
    /// "sinusoidal" (section 3.5) | "learned" (trainable table pos_emb.weight (max_len, C)) | "none"
    std::string positional_encoding = "sinusoidal";
    /// Query-key score of dot-product attention (self and cross): "scaled_dot" (eq. 1),
    /// "dot" (no 1/sqrt(D)) | "additive" (Bahdanau: v^T tanh(W_q q + W_k k) per head).
    std::string attention_scoring = "scaled_dot";
    /// "softmax" | "relu" (relu of the scores, masked keys 0, rows not normalised).
    std::string attention_normalization = "softmax";
    /// Restricted self-attention (encoder and decoder): query i sees keys j with |i - j| <= w;
    /// 0 = unrestricted. Must be in [0, max_len).
    int attention_window = 0;
    /// Self-attention alignment of encoder and decoder (cross-attention stays dot-product):
    /// "vanilla" (scaled dot-product) or a Synthesizer (Tay et al. 2021): "dense", "random",
    /// "fixed_random", "factorized_dense", "factorized_random", "random+vanilla",
    /// "dense+vanilla", "random+dense". Synthesizers use l = max_len.
    std::string attention = "vanilla";
    int synthesizer_k = 8;           ///< rank k of the factorized random synthesizer
    int max_len = 256;               ///< longest sequence (tokens, with BOS/EOS) the model accepts
    std::string src_tokens = "char"; ///< tokenizer of the source side: "char" | "word"
    std::string tgt_tokens = "word"; ///< tokenizer of the target side: "char" | "word"
    /// "autoregressive" (causal decoder fed BOS + shifted target, one token per step) or "nat":
    /// non-autoregressive decoder (Gu et al. 2018, "Non-Autoregressive Neural Machine
    /// Translation", simplified; docs/nat.md): a length predictor "length_predictor" on the
    /// mean-pooled encoder memory picks the target length T, the decoder is fed the uniformly
    /// copied source embeddings, has no causal mask and predicts all T tokens in one pass.
    std::string decoder = "autoregressive";

    // One-stack task models (task != "").
    int vocab_size = 0;              ///< V, the 6 special tokens included
    std::vector<std::string> labels; ///< K class or tag names (pos, sentiment, langid); empty otherwise
    /// How text becomes tokens: "char" (one token per Unicode character, spaces and newlines
    /// included), "space" (split on whitespace, as stored), "word" (al::Tokenizer words,
    /// lower-cased, punctuation apart).
    std::string tokens = "char";
    std::string pooling = "mean";    ///< classifier: "mean" over non-padding positions or "cls" (first token)
    int num_segments = 2;            ///< mlm: segment (sentence A / B) embeddings
    /// pos: > 0 adds to each word's embedding the embedding of a second token from the same
    /// table, "##<shape>:<last suffix_len characters, lower-cased>" (shape X = capitalised,
    /// x = lower-case, d = with a digit, p = other), so unknown words keep their ending and case
    /// (e.g. "##x:ing"). 0 = words only.
    int suffix_len = 0;

    ModelKind kind() const;
    bool is_nat() const { return task.empty() && decoder == "nat"; }
    /// True for the one-stack task models (task != "").
    bool is_task_model() const { return !task.empty(); }
    /// The config.json name of the kind: "encoder_decoder", "nat", "decoder_lm", "encoder_tagger",
    /// "encoder_classifier" or "encoder_mlm" (written for the task models as key "model_kind").
    std::string model_kind() const;
    /// One-stack models: the layer count of the stack (num_decoder_layers for the decoder-only
    /// LM, num_encoder_layers otherwise); encoder-decoders: num_encoder_layers.
    int num_layers() const;
    /// Decoder-only LM: the stack's self-attention is causal.
    bool causal() const { return task == "charlm"; }

    /// Throws al::Error naming the offending key when the combination is impossible
    /// (e.g. "d_model (250) must be divisible by nhead (4)").
    void validate() const;
    int head_dim() const { return d_model / nhead; }

private:
    void validate_task_keys() const; ///< the task keys of a one-stack model
};

/// True for the task names of the one-stack models: charlm, pos, sentiment, langid, mlm.
bool is_task_model_name(const std::string& task);

/// `arch`'s block options and sizes (every key but the task keys) with the task keys of
/// `task_keys` (task, vocab_size, labels, tokens, pooling, num_segments, suffix_len): how a
/// settings form composes a task model from its architecture fields and its task fields.
ModelConfig with_task_keys(const ModelConfig& arch, const ModelConfig& task_keys);

/// Optimisation settings. Defaults follow the paper (Adam beta 0.9/0.98, eps 1e-9, Noam warm-up,
/// label smoothing 0.1) scaled for a small model.
struct TrainConfig {
    uint64_t seed = 1;
    int threads = 2;
    int max_tokens = 3000;           ///< token budget per batch: B * max(S, T) <= max_tokens
    int max_len = 64;                ///< longer training pairs are dropped (not truncated)
    double label_smoothing = 0.1;
    double lr_factor = 1.0;          ///< Noam: lr = factor * C^-0.5 * min(step^-0.5, step * warmup^-1.5)
    int warmup_steps = 1000;
    double adam_beta1 = 0.9, adam_beta2 = 0.98, adam_eps = 1e-9;
    double clip_grad_norm = 1.0;     ///< 0 disables clipping
    /// Gradient accumulation inside a step: a batch is run through forward + backward in
    /// micro-batches of padded tokens (B_micro * max(S, T)); the n data-parallel threads share
    /// this budget (each runs micro-batches of at most micro_batch_tokens / n), so activation
    /// memory follows it instead of max_tokens or the thread count. The step's gradient is the
    /// same sum (up to float rounding and dropout draws); 0 = off (each thread's whole share).
    int micro_batch_tokens = 256;

    /// Scheduled sampling (Bengio et al. 2015, "Scheduled Sampling for Sequence Prediction with
    /// Recurrent Neural Networks"): with probability p(step) a decoder input is the model's own
    /// prediction instead of the reference token. "off" (plain teacher forcing), "constant"
    /// (p = scheduled_sampling_p), "linear" (p = min(scheduled_sampling_p, step / k); the paper's
    /// linear decay eps_i = max(eps, 1 - i/k) of the teacher-forcing probability eps = 1 - p),
    /// "inverse_sigmoid" (p = min(scheduled_sampling_p, 1 - k / (k + exp(step / k))), k >= 1).
    std::string scheduled_sampling = "off";
    double scheduled_sampling_p = 0.25; ///< constant: p; linear, inverse_sigmoid: the largest p, in [0, 1]
    double scheduled_sampling_k = 1000; ///< linear: steps until p reaches its largest value (> 0); inverse_sigmoid: k (>= 1)
    /// NAT models (ModelConfig::decoder "nat"): weight lambda of the target-length
    /// cross-entropy in loss = token loss + lambda * length loss (both means); >= 0.
    double length_loss_weight = 0.1;

    /// Throws al::Error naming the key at fault (e.g. "scheduled_sampling_p must be in [0, 1], got 2").
    void validate() const;
};

} // namespace al
