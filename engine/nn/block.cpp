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

// Forward of one residual sublayer around F (training or evaluation):
//   Pre-LN:  n = Norm(x), y = x + drop(F(n))      Post-LN: y = Norm(x + drop(F(x)))
// f(in, out) writes F(in) to out. Caches: n (Pre-LN only), ln (the norm's), f_out = drop(F(.)),
// drop (its mask); y must not be x. The Post-LN sum lives in scratch().sum.
template <class F>
void residual_sublayer_forward(bool norm_first, const Norm& norm, const Mat& x, Mat& n, NormCache& ln, Mat& f_out,
                               DropoutCache& drop, Mat& y, double dp, bool train, Rng* rng, const RowMask& rows, F f)
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
    const AttentionMask mask{&key_len, causal, window};
    const RowMask rows{&key_len, int(x.rows()) / B};
    const double adp = attention_dropout < 0 ? dp : (train ? attention_dropout : 0.0);
    c.x = x;
    residual_sublayer_forward(norm_first, norm1, c.x, c.n1, c.ln1, c.sa_out, c.sa_drop, c.x1, dp, train, rng, rows,
                              [&](const Mat& in, Mat& out) { self_attn.forward(in, in, B, mask, adp, train, rng, c.sa, out); });
    residual_sublayer_forward(norm_first, norm2, c.x1, c.n2, c.ln2, c.ff_out, c.ff_drop, c.y, dp, train, rng, rows,
                              [&](const Mat& in, Mat& out) { ff.forward(in, dp, train, rng, c.ff, out); });
}

void EncoderLayer::backward(const Mat& dy, EncoderLayerCache& c, Mat& dx)
{
    // forward: y = sublayer(x1, FF), x1 = sublayer(x, SA)
    Mat& dx1 = scratch().dx1;
    residual_sublayer_backward(norm_first, dy, norm2, c.ln2, c.ff_drop, dx1, [&](const Mat& d, Mat& g) {
        ff.backward(norm_first ? c.n2 : c.x1, d, c.ff, g);
    });
    residual_sublayer_backward(norm_first, dx1, norm1, c.ln1, c.sa_drop, dx, [&](const Mat& d, Mat& g) {
        const Mat& in = norm_first ? c.n1 : c.x;
        self_attn.backward(in, in, d, c.sa, g, g); // query and key/value gradients summed into g
    });
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
    const AttentionMask self_mask{&tgt_len, causal, window};
    const AttentionMask cross_mask{&src_len, false};
    const RowMask rows{&tgt_len, int(x.rows()) / B};
    const double adp = attention_dropout < 0 ? dp : (train ? attention_dropout : 0.0);
    c.x = x;
    residual_sublayer_forward(norm_first, norm1, c.x, c.n1, c.ln1, c.sa_out, c.sa_drop, c.x1, dp, train, rng, rows,
                              [&](const Mat& in, Mat& out) { self_attn.forward(in, in, B, self_mask, adp, train, rng, c.sa, out); });
    residual_sublayer_forward(norm_first, norm2, c.x1, c.n2, c.ln2, c.ca_out, c.ca_drop, c.x2, dp, train, rng, rows,
                              [&](const Mat& in, Mat& out) { cross_attn.forward(in, memory, B, cross_mask, adp, train, rng, c.ca, out); });
    residual_sublayer_forward(norm_first, norm3, c.x2, c.n3, c.ln3, c.ff_out, c.ff_drop, c.y, dp, train, rng, rows,
                              [&](const Mat& in, Mat& out) { ff.forward(in, dp, train, rng, c.ff, out); });
}

void DecoderLayer::backward(const Mat& dy, const Mat& memory, DecoderLayerCache& c, Mat& dx,
                            Mat& dmemory)
{
    // forward: y = sublayer(x2, FF), x2 = sublayer(x1, CA(., memory)), x1 = sublayer(x, SA)
    Mat &dx2 = scratch().dx2, &dx1 = scratch().dx1;
    residual_sublayer_backward(norm_first, dy, norm3, c.ln3, c.ff_drop, dx2, [&](const Mat& d, Mat& g) {
        ff.backward(norm_first ? c.n3 : c.x2, d, c.ff, g);
    });
    residual_sublayer_backward(norm_first, dx2, norm2, c.ln2, c.ca_drop, dx1, [&](const Mat& d, Mat& g) {
        Mat& dkv = scratch().dmemory;
        cross_attn.backward(norm_first ? c.n2 : c.x1, memory, d, c.ca, g, dkv);
        dmemory += dkv;
    });
    residual_sublayer_backward(norm_first, dx1, norm1, c.ln1, c.sa_drop, dx, [&](const Mat& d, Mat& g) {
        const Mat& in = norm_first ? c.n1 : c.x;
        self_attn.backward(in, in, d, c.sa, g, g); // query and key/value gradients summed into g
    });
}

} // namespace al
