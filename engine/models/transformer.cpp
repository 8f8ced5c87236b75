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
    init_weights(init_seed);
}

Transformer::Transformer(const Transformer& other)
    : m_config(other.m_config)
{
    build(true);
    m_params->copy_values_from(*other.m_params);
}

Transformer& Transformer::operator=(const Transformer& other)
{
    if (this != &other) {
        m_config = other.m_config;
        build(true);
        m_params->copy_values_from(*other.m_params);
    }
    return *this;
}

BlockOptions block_options(const ModelConfig& c)
{
    BlockOptions opt;
    opt.synth = SynthesizerConfig{c.attention, c.max_len, c.synthesizer_k};
    opt.scoring = parse_attention_scoring(c.attention_scoring);
    opt.normalization = parse_attention_normalization(c.attention_normalization);
    opt.window = c.attention_window;
    opt.norm = parse_norm_kind(c.norm);
    opt.activation = parse_activation(c.activation);
    opt.attention_dropout = c.attention_dropout ? *c.attention_dropout : -1.0;
    opt.causal_self_attention = !c.is_nat();
    return opt;
}

void Transformer::build(bool lazy_grads)
{
    const ModelConfig& c = m_config;
    m_params = std::make_unique<ParamStore>();
    m_params->set_lazy_grads(lazy_grads);
    ParamStore& s = *m_params;
    const int C = c.d_model, H = c.nhead, F = c.dim_feedforward;
    const BlockOptions opt = block_options(c);
    m_enc.clear();
    m_dec.clear();
    for (int i = 0; i < c.num_encoder_layers; ++i)
        m_enc.emplace_back(s, "transformer.encoder.layers." + std::to_string(i) + ".", C, H, F,
                           c.layer_norm_eps, c.norm_first, opt);
    m_enc_norm = Norm(s, "transformer.encoder.norm", C, c.layer_norm_eps, opt.norm);
    for (int i = 0; i < c.num_decoder_layers; ++i)
        m_dec.emplace_back(s, "transformer.decoder.layers." + std::to_string(i) + ".", C, H, F,
                           c.layer_norm_eps, c.norm_first, opt);
    m_dec_norm = Norm(s, "transformer.decoder.norm", C, c.layer_norm_eps, opt.norm);
    m_src_emb = Embedding(s, "src_tok_emb.weight", c.src_vocab_size, C);
    // A NAT decoder reads copied source embeddings: no target embedding table.
    m_tgt_emb = c.is_nat() ? Embedding() : Embedding(s, "tgt_tok_emb.weight", c.tgt_vocab_size, C);
    m_generator = Linear(s, "generator", C, c.tgt_vocab_size);
    m_length = c.is_nat() ? Linear(s, "length_predictor", C, c.max_len) : Linear();
    // One table shared by source and target.
    m_pos = make_positional_table(s, parse_positional_encoding(c.positional_encoding), c.max_len, C);
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
        const bool is_mix = p->name.size() > 10 && p->name.compare(p->name.size() - 10, 10, "mix_logits") == 0;
        if (p.get() == m_pos.learned) {
            init_learned_positions(*p, rng);
        } else if (is_mix) {
            p->value.setZero(); // equal mixture weights alpha = 1/n at the start
        } else if (is_emb) {
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.normal(0.0, emb_std));
        } else if (p->shape.size() == 2) {
            const double a = std::sqrt(6.0 / double(p->value.rows() + p->value.cols()));
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.uniform(-a, a));
        }
    }
}

void Transformer::run_encoder(const Batch& batch, Seq2SeqActivations& a, bool train, Rng* rng) const
{
    // memory = LN(enc_N(... enc_1(drop(E_src x * sqrt(C) + PE))))
    const double dp = train ? m_config.dropout : 0.0;
    a.B = batch.B;
    a.S = batch.S;
    m_src_emb.forward(batch.src, batch.S, positional_encoding(), a.src_emb.out);
    dropout_forward(a.src_emb.out, dp, train, rng, a.src_drop);
    a.enc.resize(m_enc.size());
    const Mat* x = &a.src_emb.out;
    for (size_t i = 0; i < m_enc.size(); ++i) {
        m_enc[i].forward(*x, batch.B, batch.src_len, dp, train, rng, a.enc[i]);
        x = &a.enc[i].y;
    }
    m_enc_norm.forward(*x, a.memory, a.enc_norm, train, RowMask{&batch.src_len, batch.S});
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
    // dec_out = LN(dec_N(... dec_1(drop(E_tgt y * sqrt(C) + PE), memory)))
    const double dp = train ? m_config.dropout : 0.0;
    a.T = batch.T;
    if (m_config.is_nat()) {
        a.dec_in = nat_decoder_inputs(batch);
        m_src_emb.forward(a.dec_in, batch.T, positional_encoding(), a.tgt_emb.out);
    } else {
        a.dec_in.clear();
        m_tgt_emb.forward(batch.tgt_in, batch.T, positional_encoding(), a.tgt_emb.out);
    }
    dropout_forward(a.tgt_emb.out, dp, train, rng, a.tgt_drop);
    a.dec.resize(m_dec.size());
    const Mat* y = &a.tgt_emb.out;
    for (size_t i = 0; i < m_dec.size(); ++i) {
        m_dec[i].forward(*y, a.memory, batch.B, batch.tgt_len, batch.src_len, dp, train, rng, a.dec[i]);
        y = &a.dec[i].y;
    }
    m_dec_norm.forward(*y, a.dec_out, a.dec_norm, train, RowMask{&batch.tgt_len, batch.T});
}

int64_t Transformer::synthesizer_parameters() const
{
    int64_t n = 0;
    for (const auto& e : m_enc)
        n += synthesizer_parameter_count(e.self_attn);
    for (const auto& d : m_dec)
        n += synthesizer_parameter_count(d.self_attn);
    return n;
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
    m_dec_norm.backward(d, a.dec_norm, dx);
    Mat dmemory = Mat::Zero(a.memory.rows(), a.memory.cols());
    for (size_t i = m_dec.size(); i-- > 0;) {
        m_dec[i].backward(dx, a.memory, a.dec[i], d, dmemory);
        dx.swap(d);
    }
    dropout_backward(dx, a.tgt_drop);
    if (m_config.is_nat())
        m_src_emb.backward(a.dec_in, dx);
    else
        m_tgt_emb.backward(batch.tgt_in, dx);
    m_pos.backward(dx, batch.T);
    if (m_config.is_nat() && dlength_logits) {
        Mat dpooled;
        m_length.backward(a.pooled, *dlength_logits, &dpooled);
        for (int b = 0; b < batch.B; ++b) {
            const int n = batch.src_len[size_t(b)];
            dmemory.middleRows(Eigen::Index(b) * batch.S, n).rowwise() += dpooled.row(b) / Scalar(n);
        }
    }

    m_enc_norm.backward(dmemory, a.enc_norm, dx);
    for (size_t i = m_enc.size(); i-- > 0;) {
        m_enc[i].backward(dx, a.enc[i], d);
        dx.swap(d);
    }
    dropout_backward(dx, a.src_drop);
    m_src_emb.backward(batch.src, dx);
    m_pos.backward(dx, batch.S);
}

std::vector<const NormCache*> Transformer::norm_caches(const Seq2SeqActivations& a) const
{
    std::vector<const NormCache*> out;
    for (const EncoderLayerCache& l : a.enc) {
        out.push_back(&l.ln1);
        out.push_back(&l.ln2);
    }
    out.push_back(&a.enc_norm);
    for (const DecoderLayerCache& l : a.dec) {
        out.push_back(&l.ln1);
        out.push_back(&l.ln2);
        out.push_back(&l.ln3);
    }
    out.push_back(&a.dec_norm);
    return out;
}

std::vector<Norm*> Transformer::norms()
{
    std::vector<Norm*> out;
    for (EncoderLayer& l : m_enc) {
        out.push_back(&l.norm1);
        out.push_back(&l.norm2);
    }
    out.push_back(&m_enc_norm);
    for (DecoderLayer& l : m_dec) {
        out.push_back(&l.norm1);
        out.push_back(&l.norm2);
        out.push_back(&l.norm3);
    }
    out.push_back(&m_dec_norm);
    return out;
}

void Transformer::accumulate_norm_statistics(const Seq2SeqActivations& act, std::vector<BatchNormStats>& stats) const
{
    if (m_enc_norm.kind != NormKind::BatchNorm)
        return;
    const std::vector<const NormCache*> caches = norm_caches(act);
    if (caches.size() != 2 * m_enc.size() + 3 * m_dec.size() + 2)
        throw Error("accumulate_norm_statistics: the activations do not come from this model's forward pass");
    stats.resize(caches.size());
    for (size_t i = 0; i < caches.size(); ++i)
        stats[i].add(caches[i]->bn);
}

void Transformer::update_norm_statistics(const std::vector<BatchNormStats>& stats)
{
    if (m_enc_norm.kind != NormKind::BatchNorm || stats.empty())
        return;
    const std::vector<Norm*> all = norms();
    if (stats.size() != all.size())
        throw Error("update_norm_statistics: " + std::to_string(stats.size()) + " statistics for "
                    + std::to_string(all.size()) + " norms");
    for (size_t i = 0; i < all.size(); ++i)
        all[i]->bn.update_running_stats(stats[i]);
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

namespace {

// Head details of the attention calls in `caches` for sequence b: nq queries, nk keys.
HeadDetails extract_details(const std::vector<const AttentionCache*>& caches, const std::vector<const MultiHeadAttention*>& blocks,
                            int b, int nq, int nk, bool causal, int window)
{
    HeadDetails out;
    for (size_t l = 0; l < caches.size(); ++l) {
        const AttentionCache& c = *caches[l];
        const MultiHeadAttention& m = *blocks[l];
        const int H = m.H, D = m.C / m.H;
        const double scale = attention_scale(m.scoring, D);
        // Visible keys: the masks of MultiHeadAttention::forward.
        const AttentionMask mask{nullptr, causal, window};
        Mat visible = Mat::Zero(nq, nk);
        for (int i = 0; i < nq; ++i) {
            const auto [first, end] = mask.visible(i, nk);
            for (int j = first; j < end; ++j)
                visible(i, j) = 1;
        }
        std::vector<HeadDetail> heads(static_cast<size_t>(H));
        for (int h = 0; h < H; ++h) {
            HeadDetail& d = heads[size_t(h)];
            d.v = c.v.block(Eigen::Index(b) * c.Tk, Eigen::Index(h) * D, nk, D);
            if (m.use_vanilla) {
                d.q = c.q.block(Eigen::Index(b) * c.Tq, Eigen::Index(h) * D, nq, D);
                d.k = c.k.block(Eigen::Index(b) * c.Tk, Eigen::Index(h) * D, nk, D);
                if (m.scoring == AttentionScoring::Additive) {
                    d.scores.resize(nq, nk);
                    for (int i = 0; i < nq; ++i)
                        for (int j = 0; j < nk; ++j)
                            d.scores(i, j) = m.additive_v->value.row(h).dot((d.q.row(i) + d.k.row(j)).array().tanh().matrix());
                } else {
                    d.scores = d.q * d.k.transpose();
                }
                d.scaled = d.scores * Scalar(scale);
            }
            d.visible = visible;
            d.probs = c.probs.block((Eigen::Index(b) * H + h) * c.Tq, 0, nq, nk);
            d.context = d.probs * d.v;
        }
        out.push_back(std::move(heads));
    }
    return out;
}

ForwardStep make_step(bool decoder, int layer, ForwardStage stage, const Mat& stream, int b, int L, int n)
{
    ForwardStep s;
    s.decoder = decoder;
    s.layer = layer;
    s.stage = stage;
    s.label = std::string(decoder ? "decoder" : "encoder");
    if (layer >= 0)
        s.label += " " + std::to_string(layer + 1);
    s.label += std::string(" · ") + forward_stage_name(stage);
    s.stream = stream.middleRows(Eigen::Index(b) * L, n);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        s.norms.push_back(double(s.stream.row(i).norm()));
        sum += s.norms.back();
    }
    s.mean_norm = n > 0 ? sum / n : 0.0;
    return s;
}

} // namespace

void Transformer::fill_trace(const Seq2SeqActivations& a, int b, Trace& trace, bool forward_detail) const
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

    auto synth = [&](const std::vector<const AttentionCache*>& caches, const MultiHeadAttention& block, int n,
                     SynthesizerTrace& out) {
        out = SynthesizerTrace{};
        if (caches.empty() || caches.front()->synth_scores.size() == 0)
            return;
        out.components = block.component_names();
        for (const AttentionCache* c : caches) {
            std::vector<Mat> heads;
            for (int h = 0; h < H; ++h)
                heads.push_back(c->synth_scores.block((Eigen::Index(b) * H + h) * c->Tq, 0, n, n));
            out.scores.push_back(std::move(heads));
            if (c->alpha.size())
                out.alpha.push_back(c->alpha);
        }
    };
    if (!m_enc.empty())
        synth(enc, m_enc.front().self_attn, S, trace.enc_synth);
    if (!m_dec.empty())
        synth(dself, m_dec.front().self_attn, T, trace.dec_synth);

    trace.forward = ForwardTrace{};
    if (!forward_detail)
        return;
    ForwardTrace& f = trace.forward;
    f.scale = attention_scale(parse_attention_scoring(m_config.attention_scoring), m_config.d_model / H);
    f.norm_first = m_config.norm_first;
    std::vector<const MultiHeadAttention*> enc_blocks, dself_blocks, cross_blocks;
    for (const auto& l : m_enc)
        enc_blocks.push_back(&l.self_attn);
    for (const auto& l : m_dec) {
        dself_blocks.push_back(&l.self_attn);
        cross_blocks.push_back(&l.cross_attn);
    }
    const int window = m_config.attention_window;
    f.enc_self = extract_details(enc, enc_blocks, b, S, S, false, window);
    if (!a.dec.empty()) {
        f.dec_self = extract_details(dself, dself_blocks, b, T, T, true, window);
        f.cross = extract_details(cross, cross_blocks, b, T, S, false, 0);
    }
    // The residual stream step by step (evaluation pass: no dropout, so the sums are exact).
    const bool pre = m_config.norm_first;
    auto& st = f.steps;
    st.push_back(make_step(false, -1, ForwardStage::Embedding, a.src_emb.out, b, a.S, S));
    for (size_t i = 0; i < a.enc.size(); ++i) {
        const EncoderLayerCache& c = a.enc[i];
        const int l = int(i);
        if (pre) {
            st.push_back(make_step(false, l, ForwardStage::SelfAttention, c.x1, b, a.S, S));
            st.push_back(make_step(false, l, ForwardStage::FeedForward, c.y, b, a.S, S));
        } else {
            st.push_back(make_step(false, l, ForwardStage::SelfAttention, c.x + c.sa_out, b, a.S, S));
            st.push_back(make_step(false, l, ForwardStage::AddNorm, c.x1, b, a.S, S));
            st.push_back(make_step(false, l, ForwardStage::FeedForward, c.x1 + c.ff_out, b, a.S, S));
            st.push_back(make_step(false, l, ForwardStage::AddNorm, c.y, b, a.S, S));
        }
    }
    st.push_back(make_step(false, -1, ForwardStage::FinalNorm, a.memory, b, a.S, S));
    if (a.dec.empty())
        return;
    st.push_back(make_step(true, -1, ForwardStage::Embedding, a.tgt_emb.out, b, a.T, T));
    for (size_t i = 0; i < a.dec.size(); ++i) {
        const DecoderLayerCache& c = a.dec[i];
        const int l = int(i);
        if (pre) {
            st.push_back(make_step(true, l, ForwardStage::SelfAttention, c.x1, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::CrossAttention, c.x2, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::FeedForward, c.y, b, a.T, T));
        } else {
            st.push_back(make_step(true, l, ForwardStage::SelfAttention, c.x + c.sa_out, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::AddNorm, c.x1, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::CrossAttention, c.x1 + c.ca_out, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::AddNorm, c.x2, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::FeedForward, c.x2 + c.ff_out, b, a.T, T));
            st.push_back(make_step(true, l, ForwardStage::AddNorm, c.y, b, a.T, T));
        }
    }
    st.push_back(make_step(true, -1, ForwardStage::FinalNorm, a.dec_out, b, a.T, T));
}

Mat Transformer::random_alignment(bool decoder, int layer, int head) const
{
    const int n_layers = int(decoder ? m_dec.size() : m_enc.size());
    if (layer < 0 || layer >= n_layers || head < 0 || head >= m_config.nhead)
        throw Error("random_alignment: no layer " + std::to_string(layer) + " head " + std::to_string(head));
    const MultiHeadAttention& m = decoder ? m_dec[size_t(layer)].self_attn : m_enc[size_t(layer)].self_attn;
    return m.synth.random_alignment(head);
}

} // namespace al

namespace al {

void Transformer::start_decoding(const Batch& batch, const Seq2SeqActivations& act, int max_steps,
                                 DecoderState& st) const
{
    const int C = m_config.d_model;
    st.B = batch.B;
    st.S = batch.S;
    st.max_steps = max_steps;
    st.t = 0;
    st.src_len = batch.src_len;
    const size_t L = m_dec.size();
    st.self_k.assign(L, Mat(Eigen::Index(st.B) * max_steps, C));
    st.self_v.assign(L, Mat(Eigen::Index(st.B) * max_steps, C));
    st.cross_k.resize(L);
    st.cross_v.resize(L);
    for (size_t l = 0; l < L; ++l)
        m_dec[l].cross_attn.project_keys_values(act.memory, st.cross_k[l], st.cross_v[l]);
}

void Transformer::decode_step(const std::vector<int>& tokens, DecoderState& st, Mat& out) const
{
    if (!supports_incremental_decoding())
        throw Error("incremental decoding needs dot-product decoder self-attention");
    if (st.t >= st.max_steps)
        throw Error("decode_step: more than " + std::to_string(st.max_steps) + " steps");
    const int B = st.B, t = st.t;
    // The token at position t: one row per sequence (positional encoding of row t).
    Mat x(B, m_config.d_model);
    Mat emb;
    m_tgt_emb.forward(tokens, 1, Mat(), emb);
    const Mat& pe = positional_encoding();
    if (pe.size()) {
        if (t >= pe.rows())
            throw Error("decode_step: position " + std::to_string(t) + " is beyond max_len " + std::to_string(pe.rows()));
        x = emb.rowwise() + pe.row(t);
    } else {
        x = emb;
    }

    Mat a, n, ffo, tmp;
    NormCache ln;
    FeedForwardCache ffc;
    // Self-attention appends this position's key and value to the layer's cache; the memory
    // was projected once by start_decoding.
    auto self_attention = [&](const DecoderLayer& layer, size_t l, const Mat& in, Mat& result) {
        layer.self_attn.forward_step(in, t, AttentionMask{nullptr, true, layer.window}, true, st.self_k[l],
                                     st.self_v[l], st.max_steps, result);
    };
    auto cross_attention = [&](const DecoderLayer& layer, size_t l, const Mat& in, Mat& result) {
        layer.cross_attn.forward_step(in, t, AttentionMask{&st.src_len, false, 0}, false, st.cross_k[l], st.cross_v[l],
                                      st.S, result);
    };
    for (size_t l = 0; l < m_dec.size(); ++l) {
        const DecoderLayer& layer = m_dec[l];
        if (layer.norm_first) {
            layer.norm1.forward(x, n, ln);
            self_attention(layer, l, n, a);
            x += a;
            layer.norm2.forward(x, n, ln);
            cross_attention(layer, l, n, a);
            x += a;
            layer.norm3.forward(x, n, ln);
            layer.ff.forward(n, 0.0, false, nullptr, ffc, ffo);
            x += ffo;
        } else {
            self_attention(layer, l, x, a);
            tmp = x + a;
            layer.norm1.forward(tmp, x, ln);
            cross_attention(layer, l, x, a);
            tmp = x + a;
            layer.norm2.forward(tmp, x, ln);
            layer.ff.forward(x, 0.0, false, nullptr, ffc, ffo);
            tmp = x + ffo;
            layer.norm3.forward(tmp, x, ln);
        }
    }
    m_dec_norm.forward(x, out, ln);
    ++st.t;
}

} // namespace al
