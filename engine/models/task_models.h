// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Models for the tasks beyond translation, built from the same layers as the encoder-decoder:
//   charlm     decoder-only causal language model (token embedding + causal self-attention
//              blocks + final norm + generator), next-token prediction
//   pos        encoder + per-token classifier (sequence labelling, UPOS tags)
//   sentiment, langid
//              encoder + pooled classifier (one label per sequence)
//   mlm        BERT-style encoder with segment embeddings + masked-token head
// A ModelConfig with a task key describes any of them (engine/models/config.h: the block options
// of every kind plus the task keys); it round-trips config.json.
// Shapes use the legend of engine/core/tensor.h; K = number of labels, M = selected (masked) rows.
#include "engine/models/config.h"
#include "engine/models/stack.h"
#include "engine/nn/block.h"
#include "engine/nn/embedding.h"
#include "engine/nn/linear.h"
#include "engine/nn/loss.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"
#include "engine/core/params.h"
#include "engine/data/vocab.h"

#include <nlohmann/json.hpp>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace al {

/// config.json of a task model is read and written by model_config_from_json /
/// model_config_to_json (engine/io/config_json.h): one ModelConfig family for every kind.

/// A padded batch. Row b*T + t is token t of sequence b. Targets of ignored rows are -1.
struct TaskBatch {
    int B = 0, T = 0;
    std::vector<int> ids;      ///< B*T token ids, PAD after len[b]
    std::vector<int> segments; ///< B*T segment ids (mlm), empty otherwise
    std::vector<int> aux;      ///< B*T suffix-token ids (pos with suffix_len > 0), empty otherwise
    std::vector<int> len;      ///< B real lengths
    /// charlm, pos, mlm: B*T per-token targets (-1 = no loss: padding, unmasked tokens);
    /// sentiment, langid: B labels.
    std::vector<int> targets;
    int64_t num_targets() const; ///< entries != -1
};

/// Every activation of one forward pass (named memory for backward and the Trace).
struct TaskActivations {
    int B = 0, T = 0;
    /// (B*T, C) the stack input: scaled token embedding + positional encoding (+ segment and
    /// suffix-token embeddings), after dropout
    EmbeddingCache emb;
    EmbeddingCache seg;              ///< (B*T, C) scaled segment embedding (mlm)
    EmbeddingCache aux;              ///< (B*T, C) scaled suffix-token embedding (pos with suffix_len)
    DropoutCache emb_drop;
    std::vector<EncoderLayerCache> layers;
    NormCache norm;                  ///< final norm (LayerNorm or BatchNorm)
    Mat hidden;                      ///< (B*T, C) after the final norm
    Mat head_in;                     ///< classifier: pooled (B, C); mlm: selected rows (M, C); else empty (= hidden)
    std::vector<int> rows;           ///< mlm: the M selected rows of hidden
    Mat logits;                      ///< LM/tagger (B*T, V or K); classifier (B, K); mlm (M, V)
    std::vector<int> targets;        ///< aligned with the rows of logits, -1 = ignored
};

/// The network of a task model: one encoder stack (engine/models/stack.h; causal for the
/// decoder-only LM) between the embeddings and the head. Parameter names follow torch.nn.TransformerEncoder under the
/// prefix "encoder." (also for the decoder-only LM, which is a TransformerEncoder run with a
/// causal mask, as GPT-style models are written in PyTorch): "tok_emb.weight" (V, C),
/// "seg_emb.weight" (num_segments, C) for mlm, "pos_emb.weight" (max_len, C) with
/// positional_encoding "learned", "encoder.layers.<i>.*", "encoder.norm.*", "head.weight"
/// (V or K, C), "head.bias" (docs/format.md lists them). The blocks take every switch of the
/// translation model (engine/models/stack.h block_options: activation, norm, norm_first,
/// attention scoring and normalisation, window, attention dropout, synthesizer alignment).
class TaskNet {
public:
    /// Builds and initialises (Xavier-uniform matrices, N(0, C^-0.5) embeddings, zero biases,
    /// unit norms). Throws al::Error on an invalid config.
    explicit TaskNet(const ModelConfig& config = ModelConfig{}, uint64_t init_seed = 1);
    TaskNet(const TaskNet& other);
    TaskNet& operator=(const TaskNet& other);

    const ModelConfig& config() const { return m_config; }
    ParamStore& params() { return *m_params; }
    const ParamStore& params() const { return *m_params; }

    /// Forward pass; fills act.logits and act.targets. y = head(pool(Norm(blocks(drop(E x sqrt(C)
    /// + PE [+ E_seg s sqrt(C)]))))), Norm = LayerNorm or BatchNorm (config key "norm"; `train`
    /// selects batch or running statistics). Throws al::Error when T > max_len or an id is out of range.
    void forward(const TaskBatch& batch, TaskActivations& act, bool train, Rng* rng) const;
    /// Backpropagates dlogits (same shape as act.logits), accumulating (+=) into every grad.
    void backward(const TaskBatch& batch, TaskActivations& act, const Mat& dlogits);
    /// Attention probabilities of sequence b: per layer, per head, (T x T).
    std::vector<std::vector<Mat>> attention(const TaskActivations& act, int b) const;
    /// Copies the pass in `act` (sequence b of the batch) into trace as Transformer::fill_trace
    /// does: the encoders fill the encoder side (enc_self, enc_synth, forward.enc_self), the
    /// decoder-only LM the decoder side (dec_self, dec_synth, forward.dec_self); the other side
    /// is cleared. n = the side's token count in trace (src_tokens or tgt_in_tokens), T when
    /// empty. With forward_detail also trace.forward (act must come from an evaluation pass).
    void fill_trace(const TaskActivations& act, int b, Trace& trace, bool forward_detail = false) const;
    /// Parameters of all synthesizer parts (0 for vanilla attention), see synthesizer_parameter_count.
    int64_t synthesizer_parameters() const { return m_stack.synthesizer_parameters(); }
    /// The input-independent alignment of a Random / Factorized Random synthesizer in the
    /// self-attention of (layer, head), as Transformer::random_alignment. Throws al::Error out of range.
    Mat random_alignment(int layer, int head) const { return m_stack.random_alignment(layer, head); }
    /// The table (max_len, C) added to the scaled token embeddings: sinusoidal, the learned
    /// "pos_emb.weight", or empty for positional_encoding "none".
    const Mat& positional_encoding() const { return m_pos.table(); }

    /// Switches heads of the one stack off (engine/nn/head_mask.h) in every pass that follows
    /// and in the Trace; kind enc for every task model (also the causal decoder-only LM, whose
    /// stack is an encoder stack run with a causal mask). A copy keeps the mask. Throws al::Error
    /// as Transformer::set_head_mask; the model is then unchanged.
    void set_head_mask(const HeadMask& mask);
    const HeadMask& head_mask() const { return m_head_mask; }
    /// Layers per attention kind (enc, dec, cross): {layers, 0, 0}.
    std::array<int, kAttentionKinds> attention_layers() const { return {m_stack.size(), 0, 0}; }

    /// BatchNorm models: adds the statistics of the training forward pass in `act` to `stats`
    /// (one per BatchNorm, fixed order; resized on first use). Nothing for LayerNorm models.
    void accumulate_norm_statistics(const TaskActivations& act, std::vector<BatchNormStats>& stats) const;
    /// One momentum update of every BatchNorm's running statistics from a whole step's pooled
    /// statistics (see Transformer::update_norm_statistics). Nothing for LayerNorm models.
    void update_norm_statistics(const std::vector<BatchNormStats>& stats);

private:
    void build();

    ModelConfig m_config;
    std::unique_ptr<ParamStore> m_params;
    EncoderStack m_stack;        ///< "encoder."
    HeadMask m_head_mask;        ///< the heads switched off (set_head_mask)
    Embedding m_tok_emb, m_seg_emb;
    Linear m_head;
    PositionalTable m_pos;       ///< sinusoidal, learned "pos_emb.weight" (max_len, C) or none
};

/// Mean over the first len[b] rows of each sequence: h (B*T, C) -> pooled (B, C).
void mean_pool_forward(const Mat& h, int B, int T, const std::vector<int>& len, Mat& pooled);
/// dh (B*T, C) = dpooled[b] / len[b] on the first len[b] rows of sequence b, 0 on padding.
void mean_pool_backward(const Mat& dpooled, int B, int T, const std::vector<int>& len, Mat& dh);

/// The network with its vocabulary (layout VocabLayout::Task); copyable (deep copy) for snapshots.
struct TaskModel {
    TaskNet net;
    Vocab vocab{VocabLayout::Task};
};

/// Cuts text into tokens as config.tokens says ("char", "space" or "word").
std::vector<std::string> task_tokenize(const std::string& tokens_kind, const std::string& text);
/// The suffix token of a word (see ModelConfig::suffix_len), e.g. ("Running", 3) -> "##X:ing".
std::string suffix_token(const std::string& word, int suffix_len);

/// Model directory (engine/io/model_dir.h): config.json (task keys + ModelConfig keys),
/// model.safetensors, vocab.json, saved whole (atomic_write_dir: written beside `dir`, then
/// swapped in; other files of an existing `dir` are kept). Throws al::Error.
void save_task_model_dir(const TaskModel& model, const std::string& dir);
/// The files of save_task_model_dir written into the directory `dir` one at a time
/// (write_model_dir); for a caller that writes them into a staging directory with others.
void write_task_model_files(const TaskModel& model, const std::string& dir);
/// Loads and checks a task model directory; refuses a translation model or a wrong/missing
/// task key, a vocab.json whose size differs from vocab_size, a bad tensor, naming file and field.
TaskModel load_task_model_dir(const std::string& dir);
/// The "task" key of dir/config.json, or "" when absent, unreadable or not a task model.
std::string task_of_model_dir(const std::string& dir);

/// Samples `length` tokens after `prompt` from a character LM: each step feeds the last max_len
/// tokens, p = softmax(logits / temperature) at the last position; temperature 0 = greedy
/// (argmax). Specials are never sampled. Returns the generated text (without the prompt).
/// Throws al::Error for a model that is not a charlm or an empty prompt.
std::string generate_text(const TaskModel& model, const std::string& prompt, int length, double temperature,
                          uint64_t seed);

/// One row of a probability listing.
struct TokenProb {
    std::string token;
    double prob = 0;
};
/// Masked LM: for each "[MASK]" of `sentence` (sentence B after " ||| ", if any, gets segment 1),
/// the probabilities over the vocabulary at that position, sorted, the top `top_k` (all when 0).
/// Throws al::Error for a model that is not an mlm or a sentence without [MASK].
std::vector<std::vector<TokenProb>> masked_token_probabilities(const TaskModel& model, const std::string& sentence,
                                                               int top_k = 10);
/// Classifier: probabilities of each label for `text`, in label order.
std::vector<TokenProb> classify_text(const TaskModel& model, const std::string& text);
/// Tagger: one (token, tag) per token of `text` (split as config.tokens says).
std::vector<std::pair<std::string, std::string>> tag_text(const TaskModel& model, const std::string& text);

} // namespace al
