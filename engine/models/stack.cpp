// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/stack.h"
#include "engine/core/error.h"

#include <algorithm>
#include <cmath>

namespace al {

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

// ---------------------------------------------------------------------------------------------
// Construction, forward, backward

template <class Layer>
Stack<Layer>::Stack(ParamStore& store, const std::string& prefix, int num_layers, const ModelConfig& c,
                    BlockOptions options, bool causal)
    : m_causal(causal), m_norm_first(c.norm_first), m_scoring(options.scoring), m_nhead(c.nhead), m_head_dim(c.d_model / c.nhead)
{
    options.causal_self_attention = causal;
    for (int i = 0; i < num_layers; ++i) {
        m_layers.emplace_back(store, prefix + "layers." + std::to_string(i) + ".", c.d_model, c.nhead,
                              c.dim_feedforward, c.layer_norm_eps, c.norm_first, options);
        m_layers.back().causal = causal;
    }
    m_norm = Norm(store, prefix + "norm", c.d_model, c.layer_norm_eps, options.norm);
}

template <class Layer>
void Stack<Layer>::forward(const Mat& x, int B, const std::vector<int>& len, const Mat* memory,
                           const std::vector<int>* memory_len, double dropout, bool train, Rng* rng,
                           std::vector<Cache>& caches, NormCache& norm_cache, Mat& out) const
{
    if (has_cross_attention && (!memory || !memory_len))
        throw Error("a decoder stack needs the encoder memory");
    caches.resize(m_layers.size());
    const Mat* h = &x;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        if constexpr (has_cross_attention)
            m_layers[i].forward(*h, *memory, B, len, *memory_len, dropout, train, rng, caches[i]);
        else
            m_layers[i].forward(*h, B, len, dropout, train, rng, caches[i]);
        h = &caches[i].y;
    }
    const int L = B > 0 ? int(x.rows()) / B : 0;
    m_norm.forward(*h, out, norm_cache, train, RowMask{&len, L});
}

template <class Layer>
void Stack<Layer>::backward(const Mat& dout, std::vector<Cache>& caches, const NormCache& norm_cache,
                            const Mat* memory, Mat* dmemory, Mat& dx)
{
    if (has_cross_attention && (!memory || !dmemory))
        throw Error("a decoder stack needs the encoder memory and its gradient");
    Mat d;
    m_norm.backward(dout, norm_cache, dx);
    for (size_t i = m_layers.size(); i-- > 0;) {
        if constexpr (has_cross_attention)
            m_layers[i].backward(dx, *memory, caches[i], d, *dmemory);
        else
            m_layers[i].backward(dx, caches[i], d);
        dx.swap(d);
    }
}

// ---------------------------------------------------------------------------------------------
// Norm statistics, synthesizer parameters

template <class Layer>
std::vector<const NormCache*> Stack<Layer>::norm_caches(const std::vector<Cache>& caches,
                                                        const NormCache& norm_cache) const
{
    if (caches.size() != m_layers.size())
        throw Error("accumulate_norm_statistics: the activations do not come from this model's forward pass");
    std::vector<const NormCache*> out;
    for (const Cache& c : caches) {
        out.push_back(&c.ln1);
        out.push_back(&c.ln2);
        if constexpr (has_cross_attention)
            out.push_back(&c.ln3);
    }
    out.push_back(&norm_cache);
    return out;
}

template <class Layer>
std::vector<Norm*> Stack<Layer>::norms()
{
    std::vector<Norm*> out;
    for (Layer& l : m_layers) {
        out.push_back(&l.norm1);
        out.push_back(&l.norm2);
        if constexpr (has_cross_attention)
            out.push_back(&l.norm3);
    }
    out.push_back(&m_norm);
    return out;
}

void accumulate_batchnorm_statistics(const std::vector<const NormCache*>& caches, std::vector<BatchNormStats>& stats)
{
    stats.resize(caches.size());
    for (size_t i = 0; i < caches.size(); ++i)
        stats[i].add(caches[i]->bn);
}

void update_batchnorm_statistics(const std::vector<Norm*>& norms, const std::vector<BatchNormStats>& stats)
{
    if (stats.empty())
        return;
    if (stats.size() != norms.size())
        throw Error("update_norm_statistics: " + std::to_string(stats.size()) + " statistics for "
                    + std::to_string(norms.size()) + " norms");
    for (size_t i = 0; i < norms.size(); ++i)
        norms[i]->bn.update_running_stats(stats[i]);
}

template <class Layer>
int64_t Stack<Layer>::synthesizer_parameters() const
{
    int64_t n = 0;
    for (const Layer& l : m_layers)
        n += synthesizer_parameter_count(l.self_attn);
    return n;
}

template <class Layer>
Mat Stack<Layer>::random_alignment(int layer, int head) const
{
    if (layer < 0 || layer >= size() || head < 0 || head >= m_nhead)
        throw Error("random_alignment: no layer " + std::to_string(layer) + " head " + std::to_string(head));
    return m_layers[size_t(layer)].self_attn.synth.random_alignment(head);
}

// ---------------------------------------------------------------------------------------------
// Incremental decoding

template <class Layer>
void Stack<Layer>::set_head_mask(const HeadMask& mask, AttentionKind self_kind)
{
    const int D = m_head_dim;
    for (size_t l = 0; l < m_layers.size(); ++l) {
        m_layers[l].self_attn.ablation = head_ablation_for(mask, self_kind, int(l), m_nhead, D);
        if constexpr (has_cross_attention)
            m_layers[l].cross_attn.ablation = head_ablation_for(mask, AttentionKind::Cross, int(l), m_nhead, D);
    }
}

template <class Layer>
void Stack<Layer>::start_decoding(const Mat& memory, const std::vector<int>& memory_len, int B, int S,
                                  int max_steps, DecoderState& st) const
{
    if constexpr (!has_cross_attention) {
        throw Error("incremental decoding runs on a decoder stack");
    } else {
        const Eigen::Index C = memory.cols();
        st.B = B;
        st.S = S;
        st.max_steps = max_steps;
        st.t = 0;
        st.src_len = memory_len;
        const size_t N = m_layers.size();
        st.self_k.assign(N, Mat(Eigen::Index(B) * max_steps, C));
        st.self_v.assign(N, Mat(Eigen::Index(B) * max_steps, C));
        st.cross_k.resize(N);
        st.cross_v.resize(N);
        for (size_t l = 0; l < N; ++l)
            m_layers[l].cross_attn.project_keys_values(memory, st.cross_k[l], st.cross_v[l]);
    }
}

template <class Layer>
void Stack<Layer>::decode_step(const Mat& x, DecoderState& st, Mat& out) const
{
    if constexpr (!has_cross_attention) {
        throw Error("incremental decoding runs on a decoder stack");
    } else {
        const int t = st.t;
        Mat h = x, n, f, sum;
        NormCache ln;
        FeedForwardCache ffc;
        // One residual sublayer around F at inference, on h in place:
        //   Pre-LN: h = h + F(Norm(h))      Post-LN: h = Norm(h + F(h))
        auto sublayer = [&](const Norm& norm, const auto& F) {
            if (m_norm_first) {
                norm.forward(h, n, ln);
                F(n, f);
                h += f;
            } else {
                F(h, f);
                sum = h + f;
                norm.forward(sum, h, ln);
            }
        };
        for (size_t l = 0; l < m_layers.size(); ++l) {
            const DecoderLayer& layer = m_layers[l];
            // Self-attention appends this position's key and value to the layer's cache; the
            // memory was projected once by start_decoding.
            sublayer(layer.norm1, [&](const Mat& in, Mat& r) {
                layer.self_attn.forward_step(in, t, AttentionMask{nullptr, true, layer.window}, true, st.self_k[l],
                                             st.self_v[l], st.max_steps, r);
            });
            sublayer(layer.norm2, [&](const Mat& in, Mat& r) {
                layer.cross_attn.forward_step(in, t, AttentionMask{&st.src_len, false, 0}, false, st.cross_k[l],
                                              st.cross_v[l], st.S, r);
            });
            sublayer(layer.norm3, [&](const Mat& in, Mat& r) { layer.ff.forward(in, 0.0, false, nullptr, ffc, r); });
        }
        m_norm.forward(h, out, ln);
        ++st.t;
    }
}

// ---------------------------------------------------------------------------------------------
// Trace

namespace {

// Per layer, per head: the top-left (nq x nk) block of sequence b's probabilities.
AttentionMaps extract_maps(const std::vector<const AttentionCache*>& caches, int b, int H, int nq, int nk)
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

// Head details of the attention calls in `caches` (of the blocks `blocks`) for sequence b: nq
// queries, nk keys; `mask` says which keys each query sees (padding aside).
HeadDetails extract_details(const std::vector<const AttentionCache*>& caches,
                            const std::vector<const MultiHeadAttention*>& blocks, int b, int nq, int nk,
                            const AttentionMask& mask)
{
    HeadDetails out;
    Mat visible = Mat::Zero(nq, nk);
    for (int i = 0; i < nq; ++i) {
        const auto [first, end] = mask.visible(i, nk);
        for (int j = first; j < end; ++j)
            visible(i, j) = 1;
    }
    for (size_t l = 0; l < caches.size(); ++l) {
        const AttentionCache& c = *caches[l];
        const MultiHeadAttention& m = *blocks[l];
        const int H = m.H, D = m.C / m.H;
        const double scale = attention_scale(m.scoring, D);
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
            // An ablated head's output is what replaced it in the pass.
            if (std::binary_search(m.ablation.heads.begin(), m.ablation.heads.end(), h))
                d.context = c.ctx.block(Eigen::Index(b) * c.Tq, Eigen::Index(h) * D, nq, D);
            else
                d.context = d.probs * d.v;
        }
        out.push_back(std::move(heads));
    }
    return out;
}

// The Synthesizer part of self-attention: scores per layer and head (n x n), mixture weights.
SynthesizerTrace extract_synthesizer(const std::vector<const AttentionCache*>& caches, const MultiHeadAttention& block,
                                     int b, int n)
{
    SynthesizerTrace out;
    if (caches.empty() || caches.front()->synth_scores.size() == 0)
        return out;
    out.components = block.component_names();
    const int H = block.H;
    for (const AttentionCache* c : caches) {
        std::vector<Mat> heads;
        for (int h = 0; h < H; ++h)
            heads.push_back(c->synth_scores.block((Eigen::Index(b) * H + h) * c->Tq, 0, n, n));
        out.scores.push_back(std::move(heads));
        if (c->alpha.size())
            out.alpha.push_back(c->alpha);
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

// One residual sublayer of a layer's pass: its stage, input, output after dropout, and result.
struct SublayerPass {
    ForwardStage stage;
    const Mat* in;
    const Mat* f_out;
    const Mat* y;
};

std::vector<SublayerPass> sublayer_passes(const EncoderLayerCache& c)
{
    return {{ForwardStage::SelfAttention, &c.x, &c.sa_out, &c.x1}, {ForwardStage::FeedForward, &c.x1, &c.ff_out, &c.y}};
}

std::vector<SublayerPass> sublayer_passes(const DecoderLayerCache& c)
{
    return {{ForwardStage::SelfAttention, &c.x, &c.sa_out, &c.x1},
            {ForwardStage::CrossAttention, &c.x1, &c.ca_out, &c.x2},
            {ForwardStage::FeedForward, &c.x2, &c.ff_out, &c.y}};
}

} // namespace

template <class Layer>
AttentionMaps Stack<Layer>::self_attention(const std::vector<Cache>& caches, int b, int n) const
{
    std::vector<const AttentionCache*> sa;
    for (const Cache& c : caches)
        sa.push_back(&c.sa);
    return extract_maps(sa, b, m_nhead, n, n);
}

template <class Layer>
void Stack<Layer>::fill_trace(const Mat& input, const std::vector<Cache>& caches, const Mat& out, int b, int L,
                              int n, int n_memory, TraceSide side, bool forward_detail, Trace& trace) const
{
    const bool dec = side == TraceSide::Decoder;
    std::vector<const AttentionCache*> sa, ca;
    std::vector<const MultiHeadAttention*> sa_blocks, ca_blocks;
    for (size_t i = 0; i < caches.size() && i < m_layers.size(); ++i) {
        sa.push_back(&caches[i].sa);
        sa_blocks.push_back(&m_layers[i].self_attn);
        if constexpr (has_cross_attention) {
            ca.push_back(&caches[i].ca);
            ca_blocks.push_back(&m_layers[i].cross_attn);
        }
    }
    (dec ? trace.dec_self : trace.enc_self) = extract_maps(sa, b, m_nhead, n, n);
    if (dec)
        trace.cross = extract_maps(ca, b, m_nhead, n, n_memory);
    (dec ? trace.dec_synth : trace.enc_synth) =
        m_layers.empty() ? SynthesizerTrace{} : extract_synthesizer(sa, m_layers.front().self_attn, b, n);
    if (!forward_detail || sa.empty())
        return;

    ForwardTrace& f = trace.forward;
    f.scale = attention_scale(m_scoring, m_head_dim);
    f.norm_first = m_norm_first;
    const int window = m_layers.front().window;
    (dec ? f.dec_self : f.enc_self) = extract_details(sa, sa_blocks, b, n, n, AttentionMask{nullptr, m_causal, window});
    if (dec)
        f.cross = extract_details(ca, ca_blocks, b, n, n_memory, AttentionMask{nullptr, false, 0});
    // The residual stream step by step (evaluation pass: no dropout, so the sums are exact).
    auto& st = f.steps;
    st.push_back(make_step(dec, -1, ForwardStage::Embedding, input, b, L, n));
    for (size_t i = 0; i < caches.size(); ++i) {
        const int l = int(i);
        for (const SublayerPass& p : sublayer_passes(caches[i])) {
            if (m_norm_first) {
                st.push_back(make_step(dec, l, p.stage, *p.y, b, L, n));
            } else {
                st.push_back(make_step(dec, l, p.stage, *p.in + *p.f_out, b, L, n));
                st.push_back(make_step(dec, l, ForwardStage::AddNorm, *p.y, b, L, n));
            }
        }
    }
    st.push_back(make_step(dec, -1, ForwardStage::FinalNorm, out, b, L, n));
}

template class Stack<EncoderLayer>;
template class Stack<DecoderLayer>;

// ---------------------------------------------------------------------------------------------
// Embedding step and initialisation

void embed_forward(const Embedding& table, const std::vector<int>& ids, int L, const PositionalTable& pos,
                   const std::vector<const Mat*>& extra, double dropout, bool train, Rng* rng, Mat& x,
                   DropoutCache& drop)
{
    table.forward(ids, L, pos.table(), x);
    for (const Mat* e : extra)
        x += *e;
    dropout_forward(x, dropout, train, rng, drop);
}

void embed_backward(Embedding& table, const std::vector<int>& ids, int L, PositionalTable& pos,
                    const DropoutCache& drop, Mat& dx)
{
    dropout_backward(dx, drop);
    table.backward(ids, dx);
    pos.backward(dx, L);
}

void init_stack_model(ParamStore& params, int C, const PositionalTable& pos, const std::vector<const Param*>& embeddings,
                      uint64_t seed)
{
    Rng rng(seed);
    const double emb_std = 1.0 / std::sqrt(double(C));
    for (const auto& p : params.all()) {
        const bool is_emb = std::find(embeddings.begin(), embeddings.end(), p.get()) != embeddings.end();
        const bool is_mix = p->name.size() > 10 && p->name.compare(p->name.size() - 10, 10, "mix_logits") == 0;
        if (p.get() == pos.learned) {
            init_learned_positions(*p, rng);
        } else if (is_mix) {
            p->value.setZero();
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

} // namespace al
