// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/attention.h"
#include "engine/core/error.h"

namespace al {

namespace {

// Scratch of every attention call on this thread. The gradients inside backward (and the
// step path's projections) are needed only while one call runs, so one set per thread
// suffices: nothing is allocated after the first training step.
struct AttentionScratch {
    Mat dctx, dq, dk, dv; // backward: (B*Tq, C), (B*Tq, C), (B*Tk, C), (B*Tk, C)
    Mat dS, dcomp;        // one head (Tq, Tk): dP then dS; a mixture component's share
    Mat q, k, v, ctx;     // forward_step: (B, C) each
};
AttentionScratch& scratch()
{
    thread_local AttentionScratch s;
    return s;
}

} // namespace

AttentionScoring parse_attention_scoring(const std::string& name)
{
    if (name == "scaled_dot")
        return AttentionScoring::ScaledDot;
    if (name == "dot")
        return AttentionScoring::Dot;
    if (name == "additive")
        return AttentionScoring::Additive;
    throw Error("attention_scoring must be \"scaled_dot\", \"dot\" or \"additive\", got \"" + name + "\"");
}

AttentionNormalization parse_attention_normalization(const std::string& name)
{
    if (name == "softmax")
        return AttentionNormalization::Softmax;
    if (name == "relu")
        return AttentionNormalization::Relu;
    throw Error("attention_normalization must be \"softmax\" or \"relu\", got \"" + name + "\"");
}

MultiHeadAttention::MultiHeadAttention(ParamStore& store, const std::string& prefix, int C_, int H_,
                                       const SynthesizerConfig& synth_config, AttentionScoring scoring_,
                                       AttentionNormalization normalization_)
    : C(C_), H(H_), scoring(scoring_), normalization(normalization_)
{
    if (C % H != 0)
        throw Error("d_model (" + std::to_string(C) + ") must be divisible by nhead (" +
                    std::to_string(H) + ")");
    synth_config.validate();
    use_vanilla = synth_config.uses_vanilla();
    if (use_vanilla) {
        in_proj_weight = store.add(prefix + ".in_proj_weight", {3 * C, C});
        in_proj_bias = store.add(prefix + ".in_proj_bias", {3 * C});
    } else {
        in_proj_weight = store.add(prefix + ".v_proj_weight", {C, C});
        in_proj_bias = store.add(prefix + ".v_proj_bias", {C});
    }
    out_proj = Linear(store, prefix + ".out_proj", C, C);
    if (use_vanilla && scoring == AttentionScoring::Additive)
        additive_v = store.add(prefix + ".additive_v", {H, C / H});
    synth = Synthesizer(store, prefix, C, H, synth_config);
    if (components() > 1)
        mix_logits = store.add(prefix + ".mix_logits", {H, components()});
}

std::vector<std::string> MultiHeadAttention::component_names() const
{
    std::vector<std::string> names;
    if (use_vanilla)
        names.push_back("vanilla");
    for (const Synthesizer::Component comp : synth.components())
        names.push_back(Synthesizer::component_name(comp));
    return names;
}

int64_t synthesizer_parameter_count(const MultiHeadAttention& m)
{
    return m.synth.parameter_count() + (m.mix_logits ? m.mix_logits->numel() : 0);
}

namespace {

// The q/k/v projections are row blocks of in_proj_weight (3C, C) and in_proj_bias (3C).
void project(const Mat& x, const Param& w, const Param& b, int block, int C, Mat& y)
{
    y.noalias() = x * w.value.middleRows(Eigen::Index(block) * C, C).transpose();
    y.rowwise() += b.value.row(0).segment(Eigen::Index(block) * C, C);
}

void project_backward(const Mat& x, const Mat& dy, Param& w, Param& b, int block, int C, Mat& dx,
                      bool accumulate)
{
    // forward: y = x W_blk^T + b_blk
    w.grad_target().middleRows(Eigen::Index(block) * C, C).noalias() += dy.transpose() * x;
    b.grad_target().row(0).segment(Eigen::Index(block) * C, C) += dy.colwise().sum();
    if (accumulate)
        dx.noalias() += dy * w.value.middleRows(Eigen::Index(block) * C, C);
    else
        dx.noalias() = dy * w.value.middleRows(Eigen::Index(block) * C, C);
}


// Bahdanau scores of one head: S[i, j] = v . tanh(Q[i] + K[j]). Q (Tq, D), K (Tk, D), v (1, D).
template <class QB, class KB, class VB>
Mat additive_scores(const QB& Q, const KB& K, const VB& v)
{
    Mat S(Q.rows(), K.rows());
    for (Eigen::Index i = 0; i < Q.rows(); ++i)
        S.row(i).noalias() = ((K.rowwise() + Q.row(i)).array().tanh().matrix() * v.transpose()).transpose();
    return S;
}

// Backward of additive_scores: dQ, dK overwritten, dv accumulated.
template <class QB, class KB, class VB, class DQ, class DK, class DV>
void additive_scores_backward(const Mat& dS, const QB& Q, const KB& K, const VB& v, DQ&& dQ, DK&& dK, DV&& dv)
{
    // forward: S[i, j] = sum_d v[d] tanh(Q[i, d] + K[j, d])
    dQ.setZero();
    dK.setZero();
    for (Eigen::Index i = 0; i < Q.rows(); ++i) {
        const Mat U = (K.rowwise() + Q.row(i)).array().tanh().matrix(); // (Tk, D)
        dv.noalias() += dS.row(i) * U;
        const Mat W = (((1 - U.array().square()).rowwise() * v.array()).colwise() * dS.row(i).transpose().array()).matrix();
        dQ.row(i) += W.colwise().sum();
        dK += W;
    }
}

} // namespace

void MultiHeadAttention::forward(const Mat& xq, const Mat& xkv, int B, const AttentionMask& mask,
                                 double dropout_p, bool train, Rng* rng, AttentionCache& c,
                                 Mat& out) const
{
    const int D = C / H;
    const int Tq = int(xq.rows()) / B, Tk = int(xkv.rows()) / B;
    if (!use_vanilla && (Tq > synth.l || Tk > synth.l))
        throw Error("sequence of " + std::to_string(std::max(Tq, Tk)) + " tokens is longer than the synthesizer's l = " +
                    std::to_string(synth.l));
    c.B = B;
    c.Tq = Tq;
    c.Tk = Tk;
    if (use_vanilla) {
        project(xq, *in_proj_weight, *in_proj_bias, 0, C, c.q);  // (B*Tq, C)
        project(xkv, *in_proj_weight, *in_proj_bias, 1, C, c.k); // (B*Tk, C)
    }
    project(xkv, *in_proj_weight, *in_proj_bias, value_block(), C, c.v); // (B*Tk, C), G(X)
    synth.forward(xq, c.synth); // the synthesizers' input-dependent parts
    const int n_comp = components();
    if (n_comp > 1) {
        mixture_weights(mix_logits->value, c.alpha); // alpha = softmax over components, per head
        c.comp_scores.assign(size_t(n_comp), Mat(Eigen::Index(B) * H * Tq, Tk));
    } else {
        c.comp_scores.clear();
    }
    c.probs.setZero(Eigen::Index(B) * H * Tq, Tk); // one memset; the scores accumulate into it
    // Per-head products accumulate (+=) into blocks of matrices cleared by one memset: an
    // assigning product would clear each strided head block first, one short row at a time.
    c.ctx.setZero(Eigen::Index(B) * Tq, C);
    const bool synthesized = n_comp > int(use_vanilla);
    if (synthesized)
        c.synth_scores.resize(Eigen::Index(B) * H * Tq, Tk);
    else
        c.synth_scores.resize(0, 0);
    const Scalar scale = Scalar(attention_scale(scoring, D));
    const bool use_dropout = train && dropout_p > 0.0 && rng != nullptr;

    for (int bb = 0; bb < B; ++bb)
        for (int h = 0; h < H; ++h) {
            const Eigen::Index pr = (Eigen::Index(bb) * H + h) * Tq;
            auto P = c.probs.middleRows(pr, Tq);
            // Raw alignment scores S (Tq, Tk) of each component; mixture: sum alpha_i S_i.
            int ci = 0;
            auto emit = [&](const auto& S) {
                const bool is_vanilla = use_vanilla && ci == 0;
                if (synthesized && !is_vanilla) {
                    const Scalar w = n_comp == 1 ? Scalar(1) : c.alpha(h, ci);
                    if (ci == int(use_vanilla))
                        c.synth_scores.middleRows(pr, Tq) = S * w;
                    else
                        c.synth_scores.middleRows(pr, Tq) += S * w;
                }
                if (n_comp == 1) {
                    P = S;
                } else {
                    c.comp_scores[size_t(ci)].middleRows(pr, Tq) = S;
                    if (ci == 0)
                        P = S * c.alpha(h, 0);
                    else
                        P += S * c.alpha(h, ci);
                }
                ++ci;
            };
            if (use_vanilla) {
                const auto Q = c.q.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D);
                const auto K = c.k.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D);
                if (scoring == AttentionScoring::Additive) {
                    emit(additive_scores(Q, K, additive_v->value.row(h)));
                } else if (n_comp == 1) {
                    P.noalias() += Q * K.transpose() * scale; // eq. 1 of Vaswani et al., written in place
                    ++ci;
                } else {
                    emit((Q * K.transpose() * scale).eval());
                }
            }
            for (const Synthesizer::Component comp : synth.components())
                emit(synth.scores(comp, c.synth, bb, h, Tq, Tk));

            const int klen = mask.key_count(bb, Tk);
            for (int i = 0; i < Tq; ++i) {
                // Visible keys [first, end): padding, causal and window masks composed.
                const auto [first, end] = mask.visible(i, klen);
                auto row = P.row(i);
                if (end <= first) { // nothing to attend to: an all-zero row, no NaN
                    row.setZero();
                    continue;
                }
                normalize_visible(row.segment(first, end - first), normalization);
                if (first > 0)
                    row.head(first).setZero();
                if (end < Tk)
                    row.tail(Tk - end).setZero(); // masked keys: exp(-inf) = 0 (relu: exactly 0)
            }
        }

    const Mat* used = &c.probs;
    if (use_dropout) {
        c.dropped = c.probs;
        dropout_forward(c.dropped, dropout_p, true, rng, c.prob_drop);
        used = &c.dropped;
    } else {
        c.dropped.resize(0, 0);
        c.prob_drop.keep.resize(0, 0);
    }

    for (int bb = 0; bb < B; ++bb)
        for (int h = 0; h < H; ++h) {
            const auto P = used->middleRows((Eigen::Index(bb) * H + h) * Tq, Tq);
            const auto V = c.v.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D);
            c.ctx.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D).noalias() += P * V;
        }
    if (!ablation.empty())
        ablation.apply(c.ctx, D);
    out_proj.forward(c.ctx, out);
}

void MultiHeadAttention::backward(const Mat& xq, const Mat& xkv, const Mat& dout, AttentionCache& c,
                                  Mat& dxq, Mat& dxkv)
{
    const int D = C / H, B = c.B, Tq = c.Tq, Tk = c.Tk;
    const Scalar scale = Scalar(attention_scale(scoring, D));
    // Gradients live in this thread's scratch (same shapes every step: no allocation).
    AttentionScratch& s = scratch();
    Mat& dctx = s.dctx;
    out_proj.backward(c.ctx, dout, &dctx); // (B*Tq, C)
    if (c.want_gate_grad) {
        // forward (gated): ctx_h <- xi_h ctx_h at xi = 1 -> dL/dxi_{b,h} = <ctx_h, dctx_h> over sequence b's rows
        c.gate_grad.resize(B, H);
        for (int bb = 0; bb < B; ++bb)
            for (int h = 0; h < H; ++h)
                c.gate_grad(bb, h) = (c.ctx.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D).array() *
                                      dctx.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D).array())
                                         .sum();
    }
    if (!ablation.empty())
        ablation.apply_backward(dctx, D);
    Mat &dq = s.dq, &dk = s.dk, &dv = s.dv;
    // Per-head products accumulate into these (cleared once), as the context in forward.
    dv.setZero(Eigen::Index(B) * Tk, C);
    if (use_vanilla) {
        dq.setZero(Eigen::Index(B) * Tq, C);
        dk.setZero(Eigen::Index(B) * Tk, C);
    }
    const bool dropped = c.dropped.size() > 0;
    const Mat& used = dropped ? c.dropped : c.probs;
    const int n_comp = components();
    SynthesizerGrads dsynth = synth.start_backward(c.synth);
    Mat dalpha;
    if (n_comp > 1)
        dalpha = Mat::Zero(H, n_comp);

    for (int bb = 0; bb < B; ++bb)
        for (int h = 0; h < H; ++h) {
            const Eigen::Index pr = (Eigen::Index(bb) * H + h) * Tq;
            const auto P = c.probs.middleRows(pr, Tq);
            const auto Pu = used.middleRows(pr, Tq);
            const auto V = c.v.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D);
            const auto dC = dctx.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D);
            // forward: ctx = Pu V, Pu = dropout(P)
            dv.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D).noalias() += Pu.transpose() * dC;
            Mat& dS = s.dS; // holds dP first, then dS in place
            dS.noalias() = dC * V.transpose(); // dP (Tq, Tk)
            if (dropped)
                dS.array() *= c.prob_drop.mask_rows(pr, Tq);
            if (normalization == AttentionNormalization::Relu) {
                // forward: P = relu(S) on visible keys, 0 on masked ones -> dS = dP * [P > 0]
                dS = (P.array() > Scalar(0)).select(dS, Scalar(0));
            } else {
                // forward: P = softmax(S) -> dS = P * (dP - rowsum(dP * P)); masked entries get 0
                for (int i = 0; i < Tq; ++i) {
                    const Scalar rowdot = (dS.row(i).array() * P.row(i).array()).sum();
                    dS.row(i).array() = P.row(i).array() * (dS.row(i).array() - rowdot);
                }
            }
            // forward (mixture): S = sum_i alpha_i S_i. The gradient of component ci; the
            // returned reference is valid until the next call.
            int ci = 0;
            auto component_grad = [&]() -> const Mat& {
                if (n_comp == 1)
                    return dS;
                dalpha(h, ci) += (dS.array() * c.comp_scores[size_t(ci)].middleRows(pr, Tq).array()).sum();
                s.dcomp = dS * c.alpha(h, ci);
                return s.dcomp;
            };
            if (use_vanilla && scoring == AttentionScoring::Additive) {
                const Mat& dSv = component_grad();
                ++ci;
                const auto Q = c.q.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D);
                const auto K = c.k.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D);
                additive_scores_backward(dSv, Q, K, additive_v->value.row(h),
                                         dq.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D),
                                         dk.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D),
                                         additive_v->grad_target().row(h));
            } else if (use_vanilla) {
                Mat& dSv = s.dcomp;
                dSv = component_grad() * scale; // no allocation: same shape every head
                ++ci;
                const auto Q = c.q.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D);
                const auto K = c.k.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D);
                // forward: S = Q K^T * scale
                dq.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * D, Tq, D).noalias() += dSv * K;
                dk.block(Eigen::Index(bb) * Tk, Eigen::Index(h) * D, Tk, D).noalias() += dSv.transpose() * Q;
            }
            for (const Synthesizer::Component comp : synth.components()) {
                const Mat& g = component_grad();
                ++ci;
                synth.scores_backward(comp, g, c.synth, bb, h, Tq, Tk, dsynth);
            }
        }

    if (n_comp > 1)
        mixture_weights_backward(c.alpha, dalpha, mix_logits->grad_target());

    // Self-attention may pass one matrix as dxq and dxkv: the products then accumulate into it.
    const bool summed = &dxq == &dxkv;
    // Order: value, key, query, so that the sum is dxq + dxkv with dxkv = dv W_v + dk W_k.
    project_backward(xkv, dv, *in_proj_weight, *in_proj_bias, value_block(), C, dxkv, false);
    if (use_vanilla) {
        project_backward(xkv, dk, *in_proj_weight, *in_proj_bias, 1, C, dxkv, true);
        project_backward(xq, dq, *in_proj_weight, *in_proj_bias, 0, C, dxq, summed);
    } else if (!summed) {
        dxq = Mat::Zero(xq.rows(), xq.cols());
    }
    synth.backward(xq, c.synth, dsynth, dxq); // dxq += the synthesizers' input gradient
}


void MultiHeadAttention::project_keys_values(const Mat& x, Mat& K, Mat& V) const
{
    project(x, *in_proj_weight, *in_proj_bias, 1, C, K);
    project(x, *in_proj_weight, *in_proj_bias, 2, C, V);
}

void MultiHeadAttention::forward_step(const Mat& xq, int t, const AttentionMask& mask, bool append, Mat& K, Mat& V,
                                      int stride, Mat& out) const
{
    if (!use_vanilla || scoring == AttentionScoring::Additive)
        throw Error("the one-step attention path needs dot-product query-key scores");
    const int B = int(xq.rows()), D = C / H;
    AttentionScratch& s = scratch();
    project(xq, *in_proj_weight, *in_proj_bias, 0, C, s.q);
    if (append) {
        project(xq, *in_proj_weight, *in_proj_bias, 1, C, s.k);
        project(xq, *in_proj_weight, *in_proj_bias, 2, C, s.v);
        for (int b = 0; b < B; ++b) {
            K.row(Eigen::Index(b) * stride + t) = s.k.row(b);
            V.row(Eigen::Index(b) * stride + t) = s.v.row(b);
        }
    }
    const Scalar scale = Scalar(attention_scale(scoring, D));
    Mat& ctx = s.ctx;
    ctx.resize(B, C);
    for (int b = 0; b < B; ++b) {
        const auto [first, end] = mask.visible(t, mask.key_count(b, stride));
        const int n = end - first;
        if (n <= 0) { // nothing to attend to: a zero context, as forward()
            ctx.row(b).setZero();
            continue;
        }
        for (int h = 0; h < H; ++h) {
            const auto Kb = K.block(Eigen::Index(b) * stride + first, Eigen::Index(h) * D, n, D);
            const auto Vb = V.block(Eigen::Index(b) * stride + first, Eigen::Index(h) * D, n, D);
            RowVec p = (s.q.block(b, Eigen::Index(h) * D, 1, D) * Kb.transpose()) * scale; // (1, n) scores
            normalize_visible(p, normalization);
            ctx.block(b, Eigen::Index(h) * D, 1, D).noalias() = p * Vb;
        }
    }
    if (!ablation.empty())
        ablation.apply(ctx, D);
    out_proj.forward(ctx, out);
}

} // namespace al
