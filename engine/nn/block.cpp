// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/block.h"

namespace al {

namespace {

// Scratch of the residual blocks on this thread. The gradients of a layer's backward (and the
// Post-LN residual sums of its forward) are needed only while that layer runs, so one set per
// thread suffices: nothing is allocated after the first training step, and the memory is one
// layer's worth.
struct BlockScratch {
    Mat df, dfx;          // residual block: gradient at a sublayer's output (after dropout), input
    Mat dx1, dx2;         // gradients at the inputs of a layer's second and third sublayers
    Mat dmemory;          // decoder layer: cross-attention's gradient w.r.t. the memory
    Mat sum;              // Post-LN forward: a residual sum before its norm
};
BlockScratch& scratch()
{
    thread_local BlockScratch s;
    return s;
}

// What every sublayer of one layer's forward pass shares: Post-LN or Pre-LN, the dropout on
// sublayer outputs (dp) and on attention weights (adp), the rows BatchNorm counts.
struct LayerPass {
    bool norm_first = false;
    double dp = 0, adp = 0;
    bool train = false;
    Rng* rng = nullptr;
    RowMask rows;

    // One residual sublayer around F:
    //   Pre-LN:  n = Norm(x), y = x + drop(F(n))      Post-LN: y = Norm(x + drop(F(x)))
    // f(in, out) writes F(in) to out. Caches: n (Pre-LN only), ln (the norm's), f_out =
    // drop(F(.)), drop (its mask); y must not be x. The Post-LN sum lives in scratch().sum.
    template <class F>
    void sublayer(const Norm& norm, const Mat& x, Mat& n, NormCache& ln, Mat& f_out, DropoutCache& drop, Mat& y,
                  F f) const
    {
        if (norm_first) {
            norm.forward(x, n, ln, train, rows);
            f(n, f_out);
            dropout_forward(f_out, dp, train, rng, drop);
            y = x + f_out;
            return;
        }
        f(x, f_out);
        dropout_forward(f_out, dp, train, rng, drop);
        Mat& sum = scratch().sum; // the residual before its norm
        sum = x + f_out;
        norm.forward(sum, y, ln, train, rows);
    }
};

template <class Layer>
LayerPass layer_pass(const Layer& l, const Mat& x, int B, const std::vector<int>& len, double dp, bool train, Rng* rng)
{
    const double adp = l.attention_dropout < 0 ? dp : (train ? l.attention_dropout : 0.0);
    return LayerPass{l.norm_first, dp, adp, train, rng, RowMask{&len, int(x.rows()) / B}};
}

// The first sublayer of an encoder or decoder layer: c.x = x, c.x1 = residual(x, self-attention)
// with padding (len), the layer's causal flag and window.
template <class Layer, class Cache>
void self_attention_sublayer(const Layer& l, const LayerPass& p, const Mat& x, int B, const std::vector<int>& len,
                             Cache& c)
{
    const AttentionMask mask{&len, l.causal, l.window};
    c.x = x;
    p.sublayer(l.norm1, c.x, c.n1, c.ln1, c.sa_out, c.sa_drop, c.x1, [&](const Mat& in, Mat& out) {
        l.self_attn.forward(in, in, B, mask, p.adp, p.train, p.rng, c.sa, out);
    });
}

// The last sublayer of a layer: y = residual(x, feed-forward) around `norm` (caches n, ln).
template <class Layer, class Cache>
void feed_forward_sublayer(const Layer& l, const LayerPass& p, const Norm& norm, const Mat& x, Mat& n, NormCache& ln,
                           Cache& c)
{
    p.sublayer(norm, x, n, ln, c.ff_out, c.ff_drop, c.y,
               [&](const Mat& in, Mat& out) { l.ff.forward(in, p.dp, p.train, p.rng, c.ff, out); });
}

// Backward of one residual sublayer around F:
//   Pre-LN:  y = x + drop(F(LN(x)))      Post-LN: y = LN(x + drop(F(x)))
// f_backward(df, dfx) maps the gradient df at F's output to dfx, the gradient at F's input
// (overwritten). Writes dx = dL/dx (overwritten; must not be dy). Uses scratch().df and .dfx.
template <class FBackward>
void residual_sublayer_backward(bool norm_first, const Mat& dy, Norm& norm, const NormCache& ln,
                                const DropoutCache& drop, Mat& dx, FBackward f_backward)
{
    BlockScratch& s = scratch();
    // The gradient at F's output: g through the dropout mask (g itself when dropout was off).
    auto through_dropout = [&](const Mat& g) -> const Mat& {
        if (!drop.active())
            return g;
        s.df = g;
        dropout_backward(s.df, drop);
        return s.df;
    };
    if (norm_first) {
        f_backward(through_dropout(dy), s.dfx);
        norm.backward(s.dfx, ln, dx);
        dx += dy;
        return;
    }
    norm.backward(dy, ln, dx); // dL/d(x + drop(F(x)))
    f_backward(through_dropout(dx), s.dfx);
    dx += s.dfx;
}

// Backward of self_attention_sublayer: dx1 (gradient at c.x1) -> dx (at c.x).
template <class Layer, class Cache>
void self_attention_sublayer_backward(Layer& l, const Mat& dx1, Cache& c, Mat& dx)
{
    residual_sublayer_backward(l.norm_first, dx1, l.norm1, c.ln1, c.sa_drop, dx, [&](const Mat& d, Mat& g) {
        const Mat& in = l.norm_first ? c.n1 : c.x;
        l.self_attn.backward(in, in, d, c.sa, g, g); // query and key/value gradients summed into g
    });
}

// Backward of feed_forward_sublayer (input x, norm with cache ln, Pre-LN input n): dy -> dx.
template <class Layer, class Cache>
void feed_forward_sublayer_backward(Layer& l, Norm& norm, const NormCache& ln, const Mat& n, const Mat& x, const Mat& dy,
                                    Cache& c, Mat& dx)
{
    residual_sublayer_backward(l.norm_first, dy, norm, ln, c.ff_drop, dx, [&](const Mat& d, Mat& g) {
        l.ff.backward(l.norm_first ? n : x, d, c.ff, g);
    });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Encoder layer

EncoderLayer::EncoderLayer(ParamStore& store, const std::string& p, int C, int H, int F, double eps,
                           bool norm_first_, const SynthesizerConfig& synth)
    : EncoderLayer(store, p, C, H, F, eps, norm_first_, BlockOptions{synth})
{
}

EncoderLayer::EncoderLayer(ParamStore& store, const std::string& p, int C, int H, int F, double eps,
                           bool norm_first_, const BlockOptions& o)
    : norm_first(norm_first_), window(o.window), attention_dropout(o.attention_dropout)
{
    self_attn = MultiHeadAttention(store, p + "self_attn", C, H, o.synth, o.scoring, o.normalization);
    ff = FeedForward(store, p, C, F, o.activation);
    norm1 = Norm(store, p + "norm1", C, eps, o.norm);
    norm2 = Norm(store, p + "norm2", C, eps, o.norm);
}

void EncoderLayer::forward(const Mat& x, int B, const std::vector<int>& key_len, double dp, bool train,
                           Rng* rng, EncoderLayerCache& c) const
{
    const LayerPass p = layer_pass(*this, x, B, key_len, dp, train, rng);
    self_attention_sublayer(*this, p, x, B, key_len, c);
    feed_forward_sublayer(*this, p, norm2, c.x1, c.n2, c.ln2, c);
}

void EncoderLayer::backward(const Mat& dy, EncoderLayerCache& c, Mat& dx)
{
    // forward: y = sublayer(x1, FF), x1 = sublayer(x, SA)
    Mat& dx1 = scratch().dx1;
    feed_forward_sublayer_backward(*this, norm2, c.ln2, c.n2, c.x1, dy, c, dx1);
    self_attention_sublayer_backward(*this, dx1, c, dx);
}

// ---------------------------------------------------------------------------------------------
// Decoder layer

DecoderLayer::DecoderLayer(ParamStore& store, const std::string& p, int C, int H, int F, double eps,
                           bool norm_first_, const SynthesizerConfig& synth)
    : DecoderLayer(store, p, C, H, F, eps, norm_first_, BlockOptions{synth})
{
}

DecoderLayer::DecoderLayer(ParamStore& store, const std::string& p, int C, int H, int F, double eps,
                           bool norm_first_, const BlockOptions& o)
    : norm_first(norm_first_), window(o.window), attention_dropout(o.attention_dropout),
      causal(o.causal_self_attention)
{
    self_attn = MultiHeadAttention(store, p + "self_attn", C, H, o.synth, o.scoring, o.normalization);
    cross_attn = MultiHeadAttention(store, p + "multihead_attn", C, H, {}, o.scoring, o.normalization);
    ff = FeedForward(store, p, C, F, o.activation);
    norm1 = Norm(store, p + "norm1", C, eps, o.norm);
    norm2 = Norm(store, p + "norm2", C, eps, o.norm);
    norm3 = Norm(store, p + "norm3", C, eps, o.norm);
}

void DecoderLayer::forward(const Mat& x, const Mat& memory, int B, const std::vector<int>& tgt_len,
                           const std::vector<int>& src_len, double dp, bool train, Rng* rng,
                           DecoderLayerCache& c) const
{
    const LayerPass p = layer_pass(*this, x, B, tgt_len, dp, train, rng);
    self_attention_sublayer(*this, p, x, B, tgt_len, c);
    const AttentionMask cross_mask{&src_len, false};
    p.sublayer(norm2, c.x1, c.n2, c.ln2, c.ca_out, c.ca_drop, c.x2, [&](const Mat& in, Mat& out) {
        cross_attn.forward(in, memory, B, cross_mask, p.adp, train, rng, c.ca, out);
    });
    feed_forward_sublayer(*this, p, norm3, c.x2, c.n3, c.ln3, c);
}

void DecoderLayer::backward(const Mat& dy, const Mat& memory, DecoderLayerCache& c, Mat& dx,
                            Mat& dmemory)
{
    // forward: y = sublayer(x2, FF), x2 = sublayer(x1, CA(., memory)), x1 = sublayer(x, SA)
    Mat &dx2 = scratch().dx2, &dx1 = scratch().dx1;
    feed_forward_sublayer_backward(*this, norm3, c.ln3, c.n3, c.x2, dy, c, dx2);
    residual_sublayer_backward(norm_first, dx2, norm2, c.ln2, c.ca_drop, dx1, [&](const Mat& d, Mat& g) {
        Mat& dkv = scratch().dmemory;
        cross_attn.backward(norm_first ? c.n2 : c.x1, memory, d, c.ca, g, dkv);
        dmemory += dkv;
    });
    self_attention_sublayer_backward(*this, dx1, c, dx);
}

} // namespace al
