// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/transformer.h"
#include "engine/error.h"

#include <cmath>

namespace al {

Transformer::Transformer(const ModelConfig& config, uint64_t init_seed)
    : m_config(config)
{
    m_config.validate();
    build();
    init_weights(init_seed);
}

Transformer::Transformer(const Transformer& other)
    : m_config(other.m_config)
{
    build();
    m_params->copy_values_from(*other.m_params);
}

Transformer& Transformer::operator=(const Transformer& other)
{
    if (this != &other) {
        m_config = other.m_config;
        build();
        m_params->copy_values_from(*other.m_params);
    }
    return *this;
}

void Transformer::build()
{
    const ModelConfig& c = m_config;
    m_params = std::make_unique<ParamStore>();
    ParamStore& s = *m_params;
    const int C = c.d_model, H = c.nhead, F = c.dim_feedforward;
    m_enc.clear();
    m_dec.clear();
    for (int i = 0; i < c.num_encoder_layers; ++i)
        m_enc.emplace_back(s, "transformer.encoder.layers." + std::to_string(i) + ".", C, H, F,
                           c.layer_norm_eps, c.norm_first);
    m_enc_norm = LayerNorm(s, "transformer.encoder.norm", C, c.layer_norm_eps);
    for (int i = 0; i < c.num_decoder_layers; ++i)
        m_dec.emplace_back(s, "transformer.decoder.layers." + std::to_string(i) + ".", C, H, F,
                           c.layer_norm_eps, c.norm_first);
    m_dec_norm = LayerNorm(s, "transformer.decoder.norm", C, c.layer_norm_eps);
    m_src_emb = Embedding(s, "src_tok_emb.weight", c.src_vocab_size, C);
    m_tgt_emb = Embedding(s, "tgt_tok_emb.weight", c.tgt_vocab_size, C);
    m_generator = Linear(s, "generator", C, c.tgt_vocab_size);
    m_pe = sinusoidal_positional_encoding(c.max_len, C);
}

void Transformer::init_weights(uint64_t seed)
{
    // torch.nn.Transformer._reset_parameters: Xavier-uniform on every matrix; biases zero and
    // norms one (their defaults). Embeddings N(0, C^-0.5) as in fairseq's Transformer, so that
    // after the sqrt(C) scaling they have unit variance like the positional encoding.
    Rng rng(seed);
    const double emb_std = 1.0 / std::sqrt(double(m_config.d_model));
    for (const auto& p : m_params->all()) {
        const bool is_emb = p->name == "src_tok_emb.weight" || p->name == "tgt_tok_emb.weight";
        if (is_emb) {
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.normal(0.0, emb_std));
        } else if (p->shape.size() == 2) {
            const double a = std::sqrt(6.0 / double(p->value.rows() + p->value.cols()));
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.uniform(-a, a));
        }
    }
}

void Transformer::encode(const Batch& batch, Seq2SeqActivations& a) const
{
    const double dp = 0.0;
    a.B = batch.B;
    a.S = batch.S;
    m_src_emb.forward(batch.src, batch.S, m_pe, a.src_emb.out);
    a.enc.resize(m_enc.size());
    const Mat* x = &a.src_emb.out;
    for (size_t i = 0; i < m_enc.size(); ++i) {
        m_enc[i].forward(*x, batch.B, batch.src_len, dp, false, nullptr, a.enc[i]);
        x = &a.enc[i].y;
    }
    m_enc_norm.forward(*x, a.memory, a.enc_norm);
}

void Transformer::decode(const Batch& batch, Seq2SeqActivations& a) const
{
    a.T = batch.T;
    m_tgt_emb.forward(batch.tgt_in, batch.T, m_pe, a.tgt_emb.out);
    a.dec.resize(m_dec.size());
    const Mat* y = &a.tgt_emb.out;
    for (size_t i = 0; i < m_dec.size(); ++i) {
        m_dec[i].forward(*y, a.memory, batch.B, batch.tgt_len, batch.src_len, 0.0, false, nullptr,
                         a.dec[i]);
        y = &a.dec[i].y;
    }
    m_dec_norm.forward(*y, a.dec_out, a.dec_norm);
}

void Transformer::project_logits(const Mat& rows, Mat& logits) const
{
    m_generator.forward(rows, logits);
}

void Transformer::forward(const Batch& batch, Seq2SeqActivations& a, bool train, Rng* rng) const
{
    const double dp = train ? m_config.dropout : 0.0;
    a.B = batch.B;
    a.S = batch.S;
    a.T = batch.T;
    // Encoder: memory = LN(enc_N(... enc_1(drop(E_src x * sqrt(C) + PE)))).
    m_src_emb.forward(batch.src, batch.S, m_pe, a.src_emb.out);
    dropout_forward(a.src_emb.out, dp, train, rng, a.src_drop);
    a.enc.resize(m_enc.size());
    const Mat* x = &a.src_emb.out;
    for (size_t i = 0; i < m_enc.size(); ++i) {
        m_enc[i].forward(*x, batch.B, batch.src_len, dp, train, rng, a.enc[i]);
        x = &a.enc[i].y;
    }
    m_enc_norm.forward(*x, a.memory, a.enc_norm);
    // Decoder over the shifted target, then the generator.
    m_tgt_emb.forward(batch.tgt_in, batch.T, m_pe, a.tgt_emb.out);
    dropout_forward(a.tgt_emb.out, dp, train, rng, a.tgt_drop);
    a.dec.resize(m_dec.size());
    const Mat* y = &a.tgt_emb.out;
    for (size_t i = 0; i < m_dec.size(); ++i) {
        m_dec[i].forward(*y, a.memory, batch.B, batch.tgt_len, batch.src_len, dp, train, rng, a.dec[i]);
        y = &a.dec[i].y;
    }
    m_dec_norm.forward(*y, a.dec_out, a.dec_norm);
    m_generator.forward(a.dec_out, a.logits);
}

void Transformer::backward(const Batch& batch, Seq2SeqActivations& a, const Mat& dlogits)
{
    Mat d, dx;
    m_generator.backward(a.dec_out, dlogits, &d);
    m_dec_norm.backward(d, a.dec_norm, dx);
    Mat dmemory = Mat::Zero(a.memory.rows(), a.memory.cols());
    for (size_t i = m_dec.size(); i-- > 0;) {
        m_dec[i].backward(dx, a.memory, a.dec[i], d, dmemory);
        dx.swap(d);
    }
    dropout_backward(dx, a.tgt_drop);
    m_tgt_emb.backward(batch.tgt_in, dx);

    m_enc_norm.backward(dmemory, a.enc_norm, dx);
    for (size_t i = m_enc.size(); i-- > 0;) {
        m_enc[i].backward(dx, a.enc[i], d);
        dx.swap(d);
    }
    dropout_backward(dx, a.src_drop);
    m_src_emb.backward(batch.src, dx);
}

namespace {

AttentionMaps extract(const std::vector<const AttentionCache*>& caches, int b, int H, int nq, int nk)
{
    AttentionMaps maps;
    for (const AttentionCache* c : caches) {
        std::vector<Mat> heads;
        for (int h = 0; h < H; ++h)
            heads.push_back(c->probs.block((Eigen::Index(b) * H + h) * c->Tq, 0, nq, nk));
        maps.push_back(std::move(heads));
    }
    return maps;
}

} // namespace

void Transformer::fill_trace(const Seq2SeqActivations& a, int b, Trace& trace) const
{
    const int H = m_config.nhead;
    std::vector<const AttentionCache*> enc, dself, cross;
    for (const auto& c : a.enc)
        enc.push_back(&c.sa);
    for (const auto& c : a.dec) {
        dself.push_back(&c.sa);
        cross.push_back(&c.ca);
    }
    const int S = int(trace.src_tokens.size()) ? int(trace.src_tokens.size()) : a.S;
    const int T = int(trace.tgt_in_tokens.size()) ? int(trace.tgt_in_tokens.size()) : a.T;
    trace.enc_self = extract(enc, b, H, S, S);
    trace.dec_self = dself.empty() || a.dec.empty() ? AttentionMaps{} : extract(dself, b, H, T, T);
    trace.cross = cross.empty() ? AttentionMaps{} : extract(cross, b, H, T, S);
}

} // namespace al
