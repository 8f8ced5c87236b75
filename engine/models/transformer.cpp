// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/transformer.h"
#include "engine/core/error.h"
#include "engine/models/nat.h"

#include <cmath>

namespace al {

Transformer::Transformer(const ModelConfig& config, uint64_t init_seed)
    : m_config(config)
{
    if (m_config.is_task_model())
        throw Error("task \"" + m_config.task + "\" is a one-stack task model (TaskNet), not an encoder-decoder");
    m_config.validate();
    build();
    init_stack_model(*m_params, m_config.d_model, m_pos, {m_src_emb.weight, m_tgt_emb.weight}, init_seed);
}

Transformer::Transformer(const Transformer& other)
    : m_config(other.m_config)
{
    build(true);
    m_params->copy_values_from(*other.m_params);
    set_head_mask(other.m_head_mask);
}

Transformer& Transformer::operator=(const Transformer& other)
{
    if (this != &other) {
        m_config = other.m_config;
        build(true);
        m_params->copy_values_from(*other.m_params);
        set_head_mask(other.m_head_mask);
    }
    return *this;
}

void Transformer::build(bool lazy_grads)
{
    const ModelConfig& c = m_config;
    m_params = std::make_unique<ParamStore>();
    m_params->set_lazy_grads(lazy_grads);
    ParamStore& s = *m_params;
    const int C = c.d_model;
    const BlockOptions opt = block_options(c);
    m_encoder = EncoderStack(s, "transformer.encoder.", c.num_encoder_layers, c, opt, false);
    m_decoder = DecoderStack(s, "transformer.decoder.", c.num_decoder_layers, c, opt, opt.causal_self_attention);
    m_src_emb = Embedding(s, "src_tok_emb.weight", c.src_vocab_size, C);
    // A NAT decoder reads copied source embeddings: no target embedding table.
    m_tgt_emb = c.is_nat() ? Embedding() : Embedding(s, "tgt_tok_emb.weight", c.tgt_vocab_size, C);
    m_generator = Linear(s, "generator", C, c.tgt_vocab_size);
    m_length = c.is_nat() ? Linear(s, "length_predictor", C, c.max_len) : Linear();
    // One table shared by source and target.
    m_pos = make_positional_table(s, parse_positional_encoding(c.positional_encoding), c.max_len, C);
}

void Transformer::set_head_mask(const HeadMask& mask)
{
    check_head_mask(mask, attention_layers(), m_config.nhead);
    // Both stacks are built before either changes, so a throw leaves the model as it was.
    EncoderStack encoder = m_encoder;
    DecoderStack decoder = m_decoder;
    encoder.set_head_mask(mask, AttentionKind::EncoderSelf);
    decoder.set_head_mask(mask, AttentionKind::DecoderSelf);
    m_encoder = std::move(encoder);
    m_decoder = std::move(decoder);
    m_head_mask = mask;
}

void Transformer::run_encoder(const Batch& batch, Seq2SeqActivations& a, bool train, Rng* rng) const
{
    // memory = Norm(enc_N(... enc_1(drop(E_src x * sqrt(C) + PE))))
    const double dp = train ? m_config.dropout : 0.0;
    a.B = batch.B;
    a.S = batch.S;
    embed_forward(m_src_emb, batch.src, batch.S, m_pos, {}, dp, train, rng, a.src_emb.out, a.src_drop);
    m_encoder.forward(a.src_emb.out, batch.B, batch.src_len, nullptr, nullptr, dp, train, rng, a.enc, a.enc_norm,
                      a.memory);
    if (m_config.is_nat()) {
        // Length predictor: logits = W mean_{s < src_len} memory[b, s] + bias.
        a.pooled.setZero(batch.B, m_config.d_model);
        for (int b = 0; b < batch.B; ++b) {
            const int n = batch.src_len[size_t(b)];
            a.pooled.row(b) = a.memory.middleRows(Eigen::Index(b) * batch.S, n).colwise().sum() / Scalar(n);
        }
        m_length.forward(a.pooled, a.length_logits);
    }
}

void Transformer::run_decoder(const Batch& batch, Seq2SeqActivations& a, bool train, Rng* rng) const
{
    // dec_out = Norm(dec_N(... dec_1(drop(E_tgt y * sqrt(C) + PE), memory)))
    const double dp = train ? m_config.dropout : 0.0;
    a.T = batch.T;
    if (m_config.is_nat()) {
        a.dec_in = nat_decoder_inputs(batch);
        embed_forward(m_src_emb, a.dec_in, batch.T, m_pos, {}, dp, train, rng, a.tgt_emb.out, a.tgt_drop);
    } else {
        a.dec_in.clear();
        embed_forward(m_tgt_emb, batch.tgt_in, batch.T, m_pos, {}, dp, train, rng, a.tgt_emb.out, a.tgt_drop);
    }
    m_decoder.forward(a.tgt_emb.out, batch.B, batch.tgt_len, &a.memory, &batch.src_len, dp, train, rng, a.dec,
                      a.dec_norm, a.dec_out);
}

int64_t Transformer::synthesizer_parameters() const
{
    return m_encoder.synthesizer_parameters() + m_decoder.synthesizer_parameters();
}

void Transformer::encode(const Batch& batch, Seq2SeqActivations& a) const
{
    run_encoder(batch, a, false, nullptr);
}

void Transformer::decode(const Batch& batch, Seq2SeqActivations& a) const
{
    run_decoder(batch, a, false, nullptr);
}

void Transformer::project_logits(const Mat& rows, Mat& logits) const
{
    m_generator.forward(rows, logits);
}

void Transformer::forward(const Batch& batch, Seq2SeqActivations& a, bool train, Rng* rng) const
{
    run_encoder(batch, a, train, rng);
    run_decoder(batch, a, train, rng);
    m_generator.forward(a.dec_out, a.logits);
}

void Transformer::backward(const Batch& batch, Seq2SeqActivations& a, const Mat& dlogits, const Mat* dlength_logits)
{
    m_params->ensure_grads();
    Mat d, dx;
    m_generator.backward(a.dec_out, dlogits, &d);
    Mat dmemory = Mat::Zero(a.memory.rows(), a.memory.cols());
    m_decoder.backward(d, a.dec, a.dec_norm, &a.memory, &dmemory, dx);
    embed_backward(m_config.is_nat() ? m_src_emb : m_tgt_emb, m_config.is_nat() ? a.dec_in : batch.tgt_in, batch.T,
                   m_pos, a.tgt_drop, dx);
    if (m_config.is_nat() && dlength_logits) {
        Mat dpooled;
        m_length.backward(a.pooled, *dlength_logits, &dpooled);
        for (int b = 0; b < batch.B; ++b) {
            const int n = batch.src_len[size_t(b)];
            dmemory.middleRows(Eigen::Index(b) * batch.S, n).rowwise() += dpooled.row(b) / Scalar(n);
        }
    }

    m_encoder.backward(dmemory, a.enc, a.enc_norm, nullptr, nullptr, dx);
    embed_backward(m_src_emb, batch.src, batch.S, m_pos, a.src_drop, dx);
}

void Transformer::accumulate_norm_statistics(const Seq2SeqActivations& act, std::vector<BatchNormStats>& stats) const
{
    if (m_encoder.norm_kind() != NormKind::BatchNorm)
        return;
    std::vector<const NormCache*> caches = m_encoder.norm_caches(act.enc, act.enc_norm);
    for (const NormCache* c : m_decoder.norm_caches(act.dec, act.dec_norm))
        caches.push_back(c);
    accumulate_batchnorm_statistics(caches, stats);
}

void Transformer::update_norm_statistics(const std::vector<BatchNormStats>& stats)
{
    if (m_encoder.norm_kind() != NormKind::BatchNorm)
        return;
    std::vector<Norm*> norms = m_encoder.norms();
    for (Norm* n : m_decoder.norms())
        norms.push_back(n);
    update_batchnorm_statistics(norms, stats);
}

void Transformer::fill_trace(const Seq2SeqActivations& a, int b, Trace& trace, bool forward_detail) const
{
    const int S = int(trace.src_tokens.size()) ? int(trace.src_tokens.size()) : a.S;
    const int T = int(trace.tgt_in_tokens.size()) ? int(trace.tgt_in_tokens.size()) : a.T;
    trace.forward = ForwardTrace{};
    m_encoder.fill_trace(a.src_emb.out, a.enc, a.memory, b, a.S, S, 0, TraceSide::Encoder, forward_detail, trace);
    m_decoder.fill_trace(a.tgt_emb.out, a.dec, a.dec_out, b, a.T, T, S, TraceSide::Decoder, forward_detail, trace);
}

Mat Transformer::random_alignment(bool decoder, int layer, int head) const
{
    return decoder ? m_decoder.random_alignment(layer, head) : m_encoder.random_alignment(layer, head);
}

void Transformer::start_decoding(const Batch& batch, const Seq2SeqActivations& act, int max_steps,
                                 DecoderState& st) const
{
    m_decoder.start_decoding(act.memory, batch.src_len, batch.B, batch.S, max_steps, st);
}

void Transformer::decode_step(const std::vector<int>& tokens, DecoderState& st, Mat& out) const
{
    if (!supports_incremental_decoding())
        throw Error("incremental decoding needs dot-product decoder self-attention");
    if (st.t >= st.max_steps)
        throw Error("decode_step: more than " + std::to_string(st.max_steps) + " steps");
    const int t = st.t;
    // The token at position t: one row per sequence (positional encoding of row t).
    Mat x;
    m_tgt_emb.forward(tokens, 1, Mat(), x);
    const Mat& pe = positional_encoding();
    if (pe.size()) {
        if (t >= pe.rows())
            throw Error("decode_step: position " + std::to_string(t) + " is beyond max_len " + std::to_string(pe.rows()));
        x.rowwise() += pe.row(t);
    }
    m_decoder.decode_step(x, st, out);
}

} // namespace al
