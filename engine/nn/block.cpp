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
    if (norm_first) {
        norm1.forward(c.x, c.n1, c.ln1, train, rows);
        self_attn.forward(c.n1, c.n1, B, mask, adp, train, rng, c.sa, c.sa_out);
        dropout_forward(c.sa_out, dp, train, rng, c.sa_drop);
        c.x1 = c.x + c.sa_out;
        norm2.forward(c.x1, c.n2, c.ln2, train, rows);
        ff.forward(c.n2, dp, train, rng, c.ff, c.ff_out);
        dropout_forward(c.ff_out, dp, train, rng, c.ff_drop);
        c.y = c.x1 + c.ff_out;
    } else {
        self_attn.forward(c.x, c.x, B, mask, adp, train, rng, c.sa, c.sa_out);
        dropout_forward(c.sa_out, dp, train, rng, c.sa_drop);
        Mat& sum = scratch().sum; // the residual before its norm
        sum = c.x + c.sa_out;
        norm1.forward(sum, c.x1, c.ln1, train, rows);
        ff.forward(c.x1, dp, train, rng, c.ff, c.ff_out);
        dropout_forward(c.ff_out, dp, train, rng, c.ff_drop);
        sum = c.x1 + c.ff_out;
        norm2.forward(sum, c.y, c.ln2, train, rows);
    }
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
    if (norm_first) {
        norm1.forward(c.x, c.n1, c.ln1, train, rows);
        self_attn.forward(c.n1, c.n1, B, self_mask, adp, train, rng, c.sa, c.sa_out);
        dropout_forward(c.sa_out, dp, train, rng, c.sa_drop);
        c.x1 = c.x + c.sa_out;
        norm2.forward(c.x1, c.n2, c.ln2, train, rows);
        cross_attn.forward(c.n2, memory, B, cross_mask, adp, train, rng, c.ca, c.ca_out);
        dropout_forward(c.ca_out, dp, train, rng, c.ca_drop);
        c.x2 = c.x1 + c.ca_out;
        norm3.forward(c.x2, c.n3, c.ln3, train, rows);
        ff.forward(c.n3, dp, train, rng, c.ff, c.ff_out);
        dropout_forward(c.ff_out, dp, train, rng, c.ff_drop);
        c.y = c.x2 + c.ff_out;
    } else {
        self_attn.forward(c.x, c.x, B, self_mask, adp, train, rng, c.sa, c.sa_out);
        dropout_forward(c.sa_out, dp, train, rng, c.sa_drop);
        Mat& sum = scratch().sum; // the residuals before their norms
        sum = c.x + c.sa_out;
        norm1.forward(sum, c.x1, c.ln1, train, rows);
        cross_attn.forward(c.x1, memory, B, cross_mask, adp, train, rng, c.ca, c.ca_out);
        dropout_forward(c.ca_out, dp, train, rng, c.ca_drop);
        sum = c.x1 + c.ca_out;
        norm2.forward(sum, c.x2, c.ln2, train, rows);
        ff.forward(c.x2, dp, train, rng, c.ff, c.ff_out);
        dropout_forward(c.ff_out, dp, train, rng, c.ff_drop);
        sum = c.x2 + c.ff_out;
        norm3.forward(sum, c.y, c.ln3, train, rows);
    }
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
