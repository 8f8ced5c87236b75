// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/data/batch.h"
#include "engine/models/config.h"
#include "engine/models/stack.h"
#include "engine/nn/embedding.h"
#include "engine/nn/linear.h"
#include "engine/nn/loss.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"
#include "engine/core/params.h"
#include "engine/trace/trace.h"

#include <array>
#include <memory>
#include <vector>

namespace al {

/// Every activation of one forward pass of the encoder-decoder, kept for backward and for
/// the Trace (llm.c style: named memory that backward and visualisers both read).
struct Seq2SeqActivations {
    int B = 0, S = 0, T = 0;
    EmbeddingCache src_emb, tgt_emb;     // (B*S, C), (B*T, C) after scaling + positional encoding
    std::vector<int> dec_in;             // NAT: (B*T) copied source ids fed to the decoder (nat_decoder_inputs)
    Mat pooled;                          // NAT: (B, C) mean of the memory over non-padding source positions
    Mat length_logits;                   // NAT: (B, max_len) length predictor; class k = length k + 1
    DropoutCache src_drop, tgt_drop;
    std::vector<EncoderLayerCache> enc;  // per layer
    NormCache enc_norm;                  // final encoder norm -> memory (B*S, C)
    Mat memory;                          // (B*S, C)
    std::vector<DecoderLayerCache> dec;
    NormCache dec_norm;
    Mat dec_out;                         // (B*T, C)
    LinearCache generator;
    Mat logits;                          // (B*T, V_tgt)
};

/// Encoder-decoder Transformer (Vaswani et al. 2017, figure 1): an encoder stack and a decoder
/// stack (engine/models/stack.h) and the generator, with torch.nn.Transformer's
/// parameter names and layouts under the prefix "transformer.", plus "src_tok_emb.weight"
/// (V_src, C), "tgt_tok_emb.weight" (V_tgt, C) and "generator.weight" (V_tgt, C) /
/// "generator.bias" (V_tgt). Forward is const and keeps all state in a Seq2SeqActivations, so
/// one model can serve several threads for inference.
///
/// With config.decoder == "nat" (non-autoregressive, Gu et al. 2018; engine/models/nat.h) the decoder
/// input is the uniformly copied source (embedded with src_tok_emb; batch.tgt_in is ignored and
/// there is no "tgt_tok_emb.weight"), decoder self-attention is not causal, and the encoder adds
/// a length predictor "length_predictor.weight" (max_len, C) / ".bias" (max_len) on the
/// mean-pooled memory: act.length_logits (B, max_len).
class Transformer {
public:
    /// Builds and initialises the network (Xavier-uniform matrices as torch.nn.Transformer,
    /// N(0, C^-0.5) embeddings, zero biases, unit norms). Throws al::Error on an invalid config.
    explicit Transformer(const ModelConfig& config = ModelConfig{}, uint64_t init_seed = 1);
    /// Deep copy of config and values; gradients are allocated on the copy's first zero_grad()
    /// or backward(), so an inference snapshot costs the values only.
    Transformer(const Transformer& other);
    Transformer& operator=(const Transformer& other);

    const ModelConfig& config() const { return m_config; }
    ParamStore& params() { return *m_params; }
    const ParamStore& params() const { return *m_params; }

    /// Teacher-forced forward pass; fills act (logits (B*T, V_tgt)). `rng` drives dropout when
    /// `train` is true (dropout is off otherwise).
    void forward(const Batch& batch, Seq2SeqActivations& act, bool train, Rng* rng) const;
    /// Backpropagates dlogits (B*T, V_tgt) through the pass in `act`, accumulating (+=) into
    /// every parameter's grad. NAT models: dlength_logits (B, max_len), when given, is the loss
    /// gradient w.r.t. act.length_logits (it reaches the encoder through the mean pooling).
    void backward(const Batch& batch, Seq2SeqActivations& act, const Mat& dlogits,
                  const Mat* dlength_logits = nullptr);
    bool is_nat() const { return m_config.is_nat(); }

    /// Encoder only (inference): memory (B*S, C) for the batch's source.
    void encode(const Batch& batch, Seq2SeqActivations& act) const;
    /// Decoder only (inference) over batch.tgt_in given act.memory from encode(); fills
    /// act.dec_out (B*T, C) but not the logits (see project_logits).
    void decode(const Batch& batch, Seq2SeqActivations& act) const;
    /// Prepares incremental decoding after encode(): projects the memory once per layer.
    void start_decoding(const Batch& batch, const Seq2SeqActivations& act, int max_steps,
                        DecoderState& state) const;
    /// Feeds one token per sequence (tokens, B) at position state.t and returns the decoder
    /// output for that position, out (B, C) (after the final norm). Equal to decode() on the
    /// whole prefix, row t, because of the causal mask; O(t) instead of O(t^2) per step.
    void decode_step(const std::vector<int>& tokens, DecoderState& state, Mat& out) const;
    /// Parameters of all synthesizer parts (0 for vanilla attention), see synthesizer_parameter_count.
    int64_t synthesizer_parameters() const;
    /// True when decoder self-attention is plain dot-product (start_decoding/decode_step apply):
    /// vanilla alignment with scaled or unscaled dot-product scores.
    bool supports_incremental_decoding() const
    {
        return !m_config.is_nat() && m_config.attention == "vanilla" && m_config.attention_scoring != "additive";
    }
    /// Switches heads off (engine/nn/head_mask.h) in every pass that follows: forward,
    /// encode/decode, decode_step and the Trace; a copy of the model keeps the mask. Kinds: enc
    /// (encoder self-attention), dec (decoder self-attention), cross. Throws al::Error naming a
    /// head out of range, or a mean ablation without the means of a masked head's attention;
    /// the model is then unchanged. An empty mask restores every head.
    void set_head_mask(const HeadMask& mask);
    const HeadMask& head_mask() const { return m_head_mask; }
    /// Layers per attention kind (enc, dec, cross), for check_head_mask.
    std::array<int, kAttentionKinds> attention_layers() const
    {
        return {m_config.num_encoder_layers, m_config.num_decoder_layers, m_config.num_decoder_layers};
    }
    /// The generator: rows (N, C) of decoder output -> logits (N, V_tgt).
    void project_logits(const Mat& rows, Mat& logits) const;

    /// The input-independent alignment of a Random / Fixed Random (R_h) or Factorized Random
    /// (R1_h R2_h) synthesizer in self-attention block (decoder?, layer, head): l x l scores
    /// before softmax. Empty for other variants. Throws al::Error for a layer/head out of range.
    Mat random_alignment(bool decoder, int layer, int head) const;
    /// Copies the attention probabilities of the pass in `act` (sequence b of the batch) into trace.
    /// With forward_detail also trace.forward: per layer and head Q, K, V, the scores before and
    /// after scaling, the masks, the probabilities and head outputs, and the residual stream after
    /// every sublayer (act must come from an evaluation pass: no dropout).
    void fill_trace(const Seq2SeqActivations& act, int b, Trace& trace, bool forward_detail = false) const;

    /// The table (max_len, C) added to the scaled embeddings: sinusoidal, the learned
    /// "pos_emb.weight", or empty for positional_encoding "none".
    const Mat& positional_encoding() const { return m_pos.table(); }

    /// BatchNorm models: adds the statistics of the training forward pass in `act` (one
    /// micro-batch of one shard) to `stats`, one BatchNormStats per BatchNorm of the model in a
    /// fixed order (resized on first use). Nothing for LayerNorm models.
    void accumulate_norm_statistics(const Seq2SeqActivations& act, std::vector<BatchNormStats>& stats) const;
    /// One momentum update of every BatchNorm from statistics pooled over a whole step by
    /// accumulate_norm_statistics (and BatchNormStats::merge across shards), as
    /// torch.nn.BatchNorm1d on the whole batch. Nothing for LayerNorm models or empty stats.
    void update_norm_statistics(const std::vector<BatchNormStats>& stats);

private:
    void build(bool lazy_grads = false); ///< lazy_grads: see ParamStore::set_lazy_grads
    void run_encoder(const Batch& batch, Seq2SeqActivations& act, bool train, Rng* rng) const;
    void run_decoder(const Batch& batch, Seq2SeqActivations& act, bool train, Rng* rng) const;

    ModelConfig m_config;
    std::unique_ptr<ParamStore> m_params;
    Embedding m_src_emb, m_tgt_emb;
    EncoderStack m_encoder;      ///< "transformer.encoder."
    DecoderStack m_decoder;      ///< "transformer.decoder."
    Linear m_generator;
    Linear m_length;             ///< NAT: length predictor (C -> max_len)
    PositionalTable m_pos;       ///< sinusoidal, learned "pos_emb.weight" (max_len, C) or none
    HeadMask m_head_mask;        ///< the heads switched off (set_head_mask)
};

} // namespace al
