// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The stack: what every model of the lab is built from ("Attention Is All You Need", Vaswani et
// al. 2017, section 3.1 and figure 1: "The encoder is composed of a stack of N identical
// layers", and so is the decoder), with a final norm after the last layer as
// torch.nn.TransformerEncoder / TransformerDecoder (it normalises the output of Pre-LN blocks,
// Xiong et al. 2020):
//   h_0 = drop(E[x] * sqrt(C) + PE)        token embedding, positional encoding, dropout
//                                          (sections 3.4, 3.5, 5.4; embed_forward below)
//   h_l = layer_l(h_{l-1} [, memory])      l = 1 .. N, the blocks of engine/nn/block.h
//   out = Norm(h_N)
// Stack<EncoderLayer>: self-attention + feed-forward per layer; bidirectional in an encoder,
// causal in a decoder-only language model. Stack<DecoderLayer>: masked self-attention, attention
// over the encoder memory (cross-attention), feed-forward.
// The models: Transformer (engine/models/transformer.h: encoder stack + decoder stack +
// generator; translation, the algorithmic tasks and NAT) and TaskNet
// (engine/models/task_models.h: one encoder stack + a per-token, pooled or masked-token head,
// or the causal decoder-only LM).
// Shapes use the legend of engine/core/tensor.h; L = rows per sequence (S or T).
#include "engine/models/config.h"
#include "engine/nn/block.h"
#include "engine/nn/embedding.h"
#include "engine/nn/positional_encoding.h"
#include "engine/core/params.h"
#include "engine/trace/trace.h"

#include <string>
#include <type_traits>
#include <vector>

namespace al {

/// The block options of a configuration (config keys attention, synthesizer_k,
/// attention_scoring, attention_normalization, attention_window, norm, activation,
/// attention_dropout), the same for every stack of every model kind. Decoder self-attention is
/// causal unless decoder is "nat". Throws al::Error naming the key.
BlockOptions block_options(const ModelConfig& c);

/// Which part of a Trace a stack fills. Encoder: enc_self, enc_synth, forward.enc_self and
/// steps marked encoder. Decoder: dec_self, cross (decoder stacks), dec_synth, forward.dec_self,
/// forward.cross and steps marked decoder; a decoder-only language model fills this side.
enum class TraceSide { Encoder, Decoder };

/// Cached keys and values of a decoder stack for incremental (one token per step) decoding.
struct DecoderState {
    int B = 0, S = 0, max_steps = 0, t = 0; ///< t = positions decoded so far
    std::vector<int> src_len;               ///< B
    std::vector<Mat> self_k, self_v;        ///< per layer (B*max_steps, C): keys/values of steps 0..t-1
    std::vector<Mat> cross_k, cross_v;      ///< per layer (B*S, C): projected memory
};

/// N encoder or decoder layers and the final norm, registered under a name prefix. Forward and
/// backward keep every activation in caches the caller owns (one per layer plus the norm's), so
/// a const stack serves several threads.
template <class Layer>
class Stack {
public:
    using Cache = typename Layer::Cache;
    /// Decoder layers attend to an encoder memory.
    static constexpr bool has_cross_attention = std::is_same<Layer, DecoderLayer>::value;

    Stack() = default;
    /// Registers "<prefix>layers.<i>." (i < num_layers; the names of torch.nn.TransformerEncoderLayer
    /// / TransformerDecoderLayer) and then "<prefix>norm" in `store`, in that order. The blocks
    /// take config's d_model, nhead, dim_feedforward, layer_norm_eps, norm_first and `options`;
    /// causal: self-attention query t sees keys <= t only.
    Stack(ParamStore& store, const std::string& prefix, int num_layers, const ModelConfig& config,
          BlockOptions options, bool causal);

    int size() const { return int(m_layers.size()); }
    const Layer& layer(int i) const { return m_layers[size_t(i)]; }
    bool causal() const { return m_causal; }

    /// x (B*L, C) -> out (B*L, C) = Norm(layer_N(... layer_1(x))). len (B): real lengths (padded
    /// keys are masked, padded rows are left out of BatchNorm statistics). Decoder stacks attend to
    /// memory (B*S, C) with real lengths memory_len (B); encoder stacks take nullptr for both.
    /// `rng` drives dropout when train is true. caches (one per layer, resized) and norm_cache
    /// receive the activations for backward and the Trace.
    void forward(const Mat& x, int B, const std::vector<int>& len, const Mat* memory,
                 const std::vector<int>* memory_len, double dropout, bool train, Rng* rng,
                 std::vector<Cache>& caches, NormCache& norm_cache, Mat& out) const;
    /// dout (B*L, C) -> dx (B*L, C) through the pass in caches, accumulating (+=) into every
    /// parameter's grad. Decoder stacks: memory as in forward, and its gradient is added to
    /// *dmemory (B*S, C).
    void backward(const Mat& dout, std::vector<Cache>& caches, const NormCache& norm_cache, const Mat* memory,
                  Mat* dmemory, Mat& dx);

    /// The caches of every norm of a pass: per layer norm1, norm2 (and norm3 in a decoder layer),
    /// then the final norm; the order of norms(). Throws al::Error when caches do not come from
    /// this stack.
    std::vector<const NormCache*> norm_caches(const std::vector<Cache>& caches, const NormCache& norm_cache) const;
    /// Every norm in the order of norm_caches.
    std::vector<Norm*> norms();
    NormKind norm_kind() const { return m_norm.kind; }

    /// Parameters of the self-attention synthesizer parts of every layer (0 for vanilla
    /// attention), see synthesizer_parameter_count.
    int64_t synthesizer_parameters() const;
    /// The input-independent alignment of a Random / Fixed Random (R_h) or Factorized Random
    /// (R1_h R2_h) synthesizer in the self-attention of (layer, head): l x l scores before
    /// softmax; empty for other variants. Throws al::Error for a layer or head out of range.
    Mat random_alignment(int layer, int head) const;

    /// Sets the ablation of every attention of the stack from `mask` (engine/nn/head_mask.h):
    /// self-attention as kind `self_kind`, cross-attention (decoder stacks) as Cross. The mask
    /// is assumed checked (check_head_mask); throws al::Error as head_ablation_for.
    void set_head_mask(const HeadMask& mask, AttentionKind self_kind);

    /// Decoder stacks, incremental decoding: projects the memory (B*S, C) once per layer into
    /// state (cross-attention keys and values) and prepares self-attention caches for max_steps
    /// positions. Throws al::Error on an encoder stack.
    void start_decoding(const Mat& memory, const std::vector<int>& memory_len, int B, int S, int max_steps,
                        DecoderState& state) const;
    /// Decoder stacks, incremental decoding: x (B, C), the stack input at position state.t (one
    /// row per sequence), runs every layer on that row, appending its keys and values to state,
    /// and writes the stack output out (B, C) (after the final norm); then state.t += 1. Equal to
    /// forward() on the whole prefix, row t, up to rounding (the causal mask). Needs dot-product
    /// self-attention; throws al::Error on an encoder stack.
    void decode_step(const Mat& x, DecoderState& state, Mat& out) const;

    /// Self-attention probabilities of sequence b of a pass: [layer][head] (n x n), the top-left
    /// block of each head's (L x L) map.
    AttentionMaps self_attention(const std::vector<Cache>& caches, int b, int n) const;
    /// Writes this stack's part of `trace` (see TraceSide) for sequence b of a pass: attention
    /// maps (n x n self-attention; n x n_memory cross-attention), the Synthesizer scores and
    /// mixture weights. With forward_detail also, per layer and head, Q, K, V, the scores before
    /// and after scaling, the visible keys, the probabilities and head outputs (HeadDetail), and
    /// appends to trace.forward.steps the residual stream after the embedding `input`, every
    /// sublayer and the final norm `out` (the pass must be an evaluation pass: no dropout).
    /// L = rows per sequence of input and out. Empty caches (no pass) write empty maps.
    void fill_trace(const Mat& input, const std::vector<Cache>& caches, const Mat& out, int b, int L, int n,
                    int n_memory, TraceSide side, bool forward_detail, Trace& trace) const;

private:
    std::vector<Layer> m_layers;
    Norm m_norm;
    bool m_causal = false;
    bool m_norm_first = false;
    AttentionScoring m_scoring = AttentionScoring::ScaledDot;
    int m_nhead = 0;
    int m_head_dim = 0;
};

extern template class Stack<EncoderLayer>;
extern template class Stack<DecoderLayer>;
using EncoderStack = Stack<EncoderLayer>;
using DecoderStack = Stack<DecoderLayer>;

/// BatchNorm models: adds the statistics of a training pass to `stats`, stats[i] += the batch
/// statistics in caches[i] (resized on first use; caches from Stack::norm_caches).
void accumulate_batchnorm_statistics(const std::vector<const NormCache*>& caches, std::vector<BatchNormStats>& stats);
/// One momentum update of every BatchNorm norms[i] from stats[i], statistics pooled over a
/// whole step (accumulate_batchnorm_statistics, BatchNormStats::merge across shards), as
/// torch.nn.BatchNorm1d on the whole batch. Nothing for empty stats; throws al::Error when the
/// counts differ.
void update_batchnorm_statistics(const std::vector<Norm*>& norms, const std::vector<BatchNormStats>& stats);

/// The input of a stack (sections 3.4, 3.5 and 5.4: dropout on "the sums of the embeddings and
/// the positional encodings"): x = drop(E[ids] * sqrt(C) + PE + extra_1 + extra_2 + ...), where
/// each extra (B*L, C) is a further embedding added before the dropout (BERT's segment
/// embedding, a tagger's suffix tokens). ids (B*L), pos: the model's positional table.
/// Throws al::Error as Embedding::forward.
void embed_forward(const Embedding& table, const std::vector<int>& ids, int L, const PositionalTable& pos,
                   const std::vector<const Mat*>& extra, double dropout, bool train, Rng* rng, Mat& x,
                   DropoutCache& drop);
/// Backward of embed_forward for the token table and the positional table: dx (B*L, C), the
/// gradient at x, is taken through the dropout in place and accumulated into their grads (the
/// extras' tables are the caller's).
void embed_backward(Embedding& table, const std::vector<int>& ids, int L, PositionalTable& pos,
                    const DropoutCache& drop, Mat& dx);

/// Initialises a model built from stacks, drawing from Rng(seed) over the parameters in
/// registration order: Xavier-uniform on every matrix (torch.nn.Transformer._reset_parameters),
/// N(0, C^-0.5) on the token embedding tables `embeddings` (fairseq's Transformer: unit variance
/// after the sqrt(C) scaling, like the positional encoding), N(0, 0.02) on a learned positional
/// table (init_learned_positions), zero mixture logits (equal weights alpha = 1/n); biases stay
/// zero and norms one. C = d_model; nullptr entries of embeddings are skipped.
void init_stack_model(ParamStore& params, int C, const PositionalTable& pos, const std::vector<const Param*>& embeddings,
                      uint64_t seed);

} // namespace al
