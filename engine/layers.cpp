// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/layers.h"
#include "engine/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace al {


// ---------------------------------------------------------------------------------------------
// Dropout

void dropout_forward(Mat& x, double p, bool train, Rng* rng, DropoutCache& cache)
{
    if (!train || p <= 0.0 || rng == nullptr) {
        cache.keep.resize(0, 0);
        return;
    }
    cache.keep.resize(x.rows(), x.cols());
    DropoutRng bits(rng->engine()());
    const uint32_t threshold = uint32_t(p * 4294967296.0);
    cache.scale = Scalar(1.0 / (1.0 - p));
    uint8_t* m = cache.keep.data();
    const Eigen::Index n = cache.keep.size();
    Eigen::Index i = 0;
    for (; i + 1 < n; i += 2) {
        const uint64_t r = bits.next();
        m[i] = uint32_t(r) >= threshold;
        m[i + 1] = uint32_t(r >> 32) >= threshold;
    }
    if (i < n)
        m[i] = uint32_t(bits.next()) >= threshold;
    x.array() *= cache.mask_rows(0, x.rows());
}

void dropout_backward(Mat& dx, const DropoutCache& cache)
{
    // forward: y = x * m / (1 - p)
    if (cache.active())
        dx.array() *= cache.mask_rows(0, dx.rows());
}

// ---------------------------------------------------------------------------------------------
// Scratch buffers and small helpers shared by the layers below

namespace {

// Scratch shared by every layer that runs on this thread. The gradients inside a layer's
// backward (and the Post-LN residual sums of its forward) are needed only while that layer
// runs, so one set per thread suffices: nothing is allocated after the first training step,
// and the memory is one layer's worth. (Kept in every layer's cache instead, they cost 8 MB
// more peak memory on the small benchmark configuration.)
struct LayerScratch {
    Mat dctx, dq, dk, dv; // MultiHeadAttention::backward: (B*Tq, C), (B*Tq, C), (B*Tk, C), (B*Tk, C)
    Mat dS, dcomp;        // one head (Tq, Tk): dP then dS; a mixture component's share
    Mat dh;               // FeedForward::backward (N, F)
    Mat df, dfx;          // residual block: gradient at a sublayer's output (after dropout), input
    Mat dx1, dx2;         // gradients at the inputs of a layer's second and third sublayers
    Mat dmemory;          // decoder layer: cross-attention's gradient w.r.t. the memory
    Mat sum;              // Post-LN forward: a residual sum before its norm
};
LayerScratch& scratch()
{
    thread_local LayerScratch s;
    return s;
}

// Backward of a ReLU (or of any map that keeps x where x > 0 and gives 0 elsewhere):
// g = x > 0 ? g : 0, in place. A plain loop the compiler vectorises with a masked blend;
// Eigen's (x > 0).cast<Scalar>() converts every comparison result one scalar at a time.
void relu_backward(Mat& g, const Mat& x)
{
    Scalar* gd = g.data();
    const Scalar* xd = x.data();
    for (Eigen::Index i = 0, n = g.size(); i < n; ++i)
        gd[i] = xd[i] > Scalar(0) ? gd[i] : Scalar(0);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Linear

Linear::Linear(ParamStore& store, const std::string& prefix, int in, int out, bool with_bias)
{
    weight = store.add(prefix + ".weight", {out, in});
    if (with_bias)
        bias = store.add(prefix + ".bias", {out});
}

void Linear::forward(const Mat& x, Mat& y) const
{
    // x is (N, in), W is (out, in), y is (N, out)
    y.noalias() = x * weight->value.transpose();
    if (bias)
        y.rowwise() += bias->value.row(0);
}

void Linear::backward(const Mat& x, const Mat& dy, Mat* dx)
{
    // forward: y = x W^T + b
    weight->grad_target().noalias() += dy.transpose() * x;
    if (bias)
        bias->grad_target().row(0) += dy.colwise().sum();
    if (dx)
        dx->noalias() = dy * weight->value;
}

// ---------------------------------------------------------------------------------------------
// LayerNorm

LayerNorm::LayerNorm(ParamStore& store, const std::string& prefix, int C, double eps_)
    : eps(eps_)
{
    weight = store.add(prefix + ".weight", {C});
    bias = store.add(prefix + ".bias", {C});
    weight->value.setOnes();
}

void LayerNorm::forward(const Mat& x, Mat& y, LayerNormCache& cache) const
{
    const Eigen::Index N = x.rows(), C = x.cols();
    cache.xhat.resize(N, C);
    cache.rstd.resize(N);
    y.resize(N, C);
    const auto gamma = weight->value.row(0).array();
    const auto beta = bias->value.row(0).array();
    for (Eigen::Index r = 0; r < N; ++r) {
        const auto row = x.row(r).array();
        const Scalar mean = row.mean();
        const Scalar var = (row - mean).square().mean();
        const Scalar rstd = Scalar(1) / std::sqrt(var + Scalar(eps));
        cache.rstd(r) = rstd;
        cache.xhat.row(r).array() = (row - mean) * rstd;
        y.row(r).array() = cache.xhat.row(r).array() * gamma + beta;
    }
}

void LayerNorm::backward(const Mat& dy, const LayerNormCache& cache, Mat& dx)
{
    // forward: y = xhat * gamma + beta, xhat = (x - mean) * rstd
    const Eigen::Index N = dy.rows(), C = dy.cols();
    weight->grad_target().row(0).array() += (dy.array() * cache.xhat.array()).colwise().sum();
    bias->grad_target().row(0) += dy.colwise().sum();
    dx.resize(N, C);
    const auto gamma = weight->value.row(0).array();
    Eigen::Array<Scalar, 1, Eigen::Dynamic> g(C); // one buffer for every row, not one per row
    for (Eigen::Index r = 0; r < N; ++r) {
        g = dy.row(r).array() * gamma;
        const auto xh = cache.xhat.row(r).array();
        const Scalar mean_g = g.mean();
        const Scalar mean_gx = (g * xh).mean();
        dx.row(r).array() = cache.rstd(r) * (g - mean_g - xh * mean_gx);
    }
}

// ---------------------------------------------------------------------------------------------
// BatchNorm

BatchNorm::BatchNorm(ParamStore& store, const std::string& prefix, int C, double eps_)
    : eps(eps_)
{
    weight = store.add(prefix + ".weight", {C});
    bias = store.add(prefix + ".bias", {C});
    running_mean = store.add(prefix + ".running_mean", {C});
    running_var = store.add(prefix + ".running_var", {C});
    weight->value.setOnes();
    running_var->value.setOnes();
    running_mean->trainable = false;
    running_var->trainable = false;
}

void BatchNorm::forward(const Mat& x, Mat& y, bool train, const RowMask& rows, BatchNormCache& c) const
{
    const Eigen::Index N = x.rows(), C = x.cols();
    c.train = train;
    RowVec mean, var;
    if (train) {
        c.counted.assign(size_t(N), 0);
        int64_t n = 0;
        mean = RowVec::Zero(C);
        for (Eigen::Index r = 0; r < N; ++r)
            if (rows.counts(r)) {
                c.counted[size_t(r)] = 1;
                mean += x.row(r);
                ++n;
            }
        if (n == 0)
            throw Error("BatchNorm: no token in the batch to take statistics from");
        mean /= Scalar(n);
        var = RowVec::Zero(C);
        for (Eigen::Index r = 0; r < N; ++r)
            if (c.counted[size_t(r)])
                var.array() += (x.row(r) - mean).array().square();
        c.n = n;
        c.mean = mean;
        c.var_unbiased = n > 1 ? RowVec(var / Scalar(n - 1)) : RowVec(RowVec::Zero(C));
        var /= Scalar(n);
    } else {
        mean = running_mean->value.row(0);
        var = running_var->value.row(0);
        c.n = 0;
        c.counted.clear();
    }
    c.rstd = (var.array() + Scalar(eps)).rsqrt().matrix();
    c.xhat = ((x.rowwise() - mean).array().rowwise() * c.rstd.array()).matrix();
    y = ((c.xhat.array().rowwise() * weight->value.row(0).array()).rowwise() + bias->value.row(0).array()).matrix();
}

void BatchNorm::backward(const Mat& dy, const BatchNormCache& c, Mat& dx)
{
    // forward: y = xhat * gamma + beta, xhat = (x - mean) * rstd, mean and var over counted rows
    const Eigen::Index N = dy.rows();
    weight->grad_target().row(0).array() += (dy.array() * c.xhat.array()).colwise().sum();
    bias->grad_target().row(0) += dy.colwise().sum();
    const Mat g = (dy.array().rowwise() * weight->value.row(0).array()).matrix();
    dx = (g.array().rowwise() * c.rstd.array()).matrix();
    if (!c.train)
        return; // running statistics are constants
    const Scalar inv_n = Scalar(1) / Scalar(c.n);
    const RowVec mean_g = g.colwise().sum() * inv_n;
    const RowVec mean_gx = (g.array() * c.xhat.array()).colwise().sum().matrix() * inv_n;
    for (Eigen::Index r = 0; r < N; ++r)
        if (c.counted[size_t(r)])
            dx.row(r).array() -= c.rstd.array() * (mean_g.array() + c.xhat.row(r).array() * mean_gx.array());
}

void BatchNormStats::merge(const BatchNormStats& o)
{
    if (o.n == 0)
        return;
    if (n == 0) {
        *this = o;
        return;
    }
    const double na = double(n), nb = double(o.n), nt = na + nb;
    const Eigen::RowVectorXd d = o.mean - mean;
    mean += d * (nb / nt);
    m2 += o.m2 + d.array().square().matrix() * (na * nb / nt);
    n += o.n;
}

void BatchNormStats::add(const BatchNormCache& c)
{
    if (!c.train || c.n == 0)
        return;
    BatchNormStats part;
    part.n = c.n;
    part.mean = c.mean.cast<double>();
    part.m2 = c.var_unbiased.cast<double>() * double(c.n - 1);
    merge(part);
}

Eigen::RowVectorXd BatchNormStats::unbiased_var() const
{
    if (n < 2)
        return Eigen::RowVectorXd::Zero(mean.size());
    return m2 / double(n - 1);
}

void BatchNorm::update_running_stats(const std::vector<const BatchNormCache*>& caches)
{
    BatchNormStats stats;
    for (const BatchNormCache* c : caches)
        if (c)
            stats.add(*c);
    update_running_stats(stats);
}

void BatchNorm::update_running_stats(const BatchNormStats& stats)
{
    if (stats.n == 0)
        return;
    const Scalar m = Scalar(kMomentum);
    running_mean->value.row(0) = (1 - m) * running_mean->value.row(0) + m * stats.mean.cast<Scalar>();
    running_var->value.row(0) = (1 - m) * running_var->value.row(0) + m * stats.unbiased_var().cast<Scalar>();
}

NormKind parse_norm_kind(const std::string& name)
{
    if (name == "layernorm")
        return NormKind::LayerNorm;
    if (name == "batchnorm")
        return NormKind::BatchNorm;
    throw Error("norm must be \"layernorm\" or \"batchnorm\", got \"" + name + "\"");
}

Norm::Norm(ParamStore& store, const std::string& prefix, int C, double eps, NormKind kind_)
    : kind(kind_)
{
    if (kind == NormKind::LayerNorm)
        ln = LayerNorm(store, prefix, C, eps);
    else
        bn = BatchNorm(store, prefix, C, eps);
}

// ---------------------------------------------------------------------------------------------
// Embedding + positional encoding

Mat sinusoidal_positional_encoding(int max_len, int C)
{
    Mat pe(max_len, C);
    for (int t = 0; t < max_len; ++t)
        for (int i = 0; i < C; i += 2) {
            const double freq = std::exp(-std::log(10000.0) * double(i) / double(C));
            pe(t, i) = Scalar(std::sin(t * freq));
            if (i + 1 < C)
                pe(t, i + 1) = Scalar(std::cos(t * freq));
        }
    return pe;
}

Embedding::Embedding(ParamStore& store, const std::string& name, int V, int C)
{
    weight = store.add(name, {V, C});
    weight->row_sparse = true; // a backward pass touches only the rows of the batch's tokens
}

void Embedding::forward(const std::vector<int>& ids, int L, const Mat& pe, Mat& out) const
{
    const Eigen::Index C = weight->value.cols();
    const int V = int(weight->value.rows());
    const Scalar scale = std::sqrt(Scalar(C));
    if (pe.size() && L > pe.rows())
        throw Error("sequence of " + std::to_string(L) + " tokens is longer than max_len " +
                    std::to_string(pe.rows()));
    out.resize(Eigen::Index(ids.size()), C);
    for (size_t r = 0; r < ids.size(); ++r) {
        const int id = ids[r];
        if (id < 0 || id >= V)
            throw Error("token id " + std::to_string(id) + " outside the vocabulary of " +
                        std::to_string(V));
        out.row(Eigen::Index(r)) = weight->value.row(id) * scale;
        if (pe.size())
            out.row(Eigen::Index(r)) += pe.row(Eigen::Index(r % size_t(L)));
    }
}

void Embedding::backward(const std::vector<int>& ids, const Mat& dy)
{
    // forward: out[r] = W[ids[r]] * sqrt(C) + PE[r % L]
    const Scalar scale = std::sqrt(Scalar(weight->value.cols()));
    if (RowGradients* rows = weight->row_target()) { // a data-parallel worker > 0: gather the rows
        rows->add(ids, dy, scale);
        return;
    }
    Mat& grad = weight->grad_target();
    for (size_t r = 0; r < ids.size(); ++r)
        grad.row(ids[r]) += dy.row(Eigen::Index(r)) * scale;
}

PositionalEncoding parse_positional_encoding(const std::string& name)
{
    if (name == "sinusoidal")
        return PositionalEncoding::Sinusoidal;
    if (name == "learned")
        return PositionalEncoding::Learned;
    if (name == "none")
        return PositionalEncoding::None;
    throw Error("positional_encoding must be \"sinusoidal\", \"learned\" or \"none\", got \"" + name + "\"");
}

void positional_backward(const Mat& dy, int L, Mat& pe_grad)
{
    // forward: out[b*L + t] += PE[t]
    const Eigen::Index B = dy.rows() / L;
    for (Eigen::Index b = 0; b < B; ++b)
        pe_grad.topRows(L) += dy.middleRows(b * L, L);
}

// ---------------------------------------------------------------------------------------------
// Multi-head attention

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

void SynthesizerConfig::validate() const
{
    static const char* const kKnown[] = {"vanilla", "dense", "random", "fixed_random", "factorized_dense",
                                         "factorized_random", "random+vanilla", "dense+vanilla", "random+dense"};
    if (std::find(std::begin(kKnown), std::end(kKnown), attention) == std::end(kKnown))
        throw Error("attention must be one of vanilla, dense, random, fixed_random, factorized_dense, "
                    "factorized_random, random+vanilla, dense+vanilla, random+dense; got \"" + attention + "\"");
    if (attention != "vanilla" && max_len < 1)
        throw Error("attention \"" + attention + "\" needs max_len >= 1");
    if (attention == "factorized_random" && k < 1)
        throw Error("synthesizer_k must be >= 1, got " + std::to_string(k));
}

MultiHeadAttention::MultiHeadAttention(ParamStore& store, const std::string& prefix, int C_, int H_,
                                       const SynthesizerConfig& synth, AttentionScoring scoring_,
                                       AttentionNormalization normalization_)
    : C(C_), H(H_), scoring(scoring_), normalization(normalization_)
{
    if (C % H != 0)
        throw Error("d_model (" + std::to_string(C) + ") must be divisible by nhead (" +
                    std::to_string(H) + ")");
    synth.validate();
    const std::string& v = synth.attention;
    use_vanilla = v == "vanilla" || v == "random+vanilla" || v == "dense+vanilla";
    use_dense = v == "dense" || v == "dense+vanilla" || v == "random+dense";
    use_random = v == "random" || v == "fixed_random" || v == "random+vanilla" || v == "random+dense";
    use_fdense = v == "factorized_dense";
    use_frandom = v == "factorized_random";
    l = synth.max_len;
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
    if (use_dense || use_fdense)
        dense1 = Linear(store, prefix + ".dense1", C, C);
    if (use_dense)
        dense2 = Linear(store, prefix + ".dense2", C, H * l);
    if (use_random) {
        random_r = store.add(prefix + ".random_R", {int64_t(H) * l, l});
        random_r->trainable = v != "fixed_random";
    }
    if (use_fdense) {
        // a * b = l with a the divisor of l closest to sqrt(l) from below.
        a = 1;
        for (int d = 1; d * d <= l; ++d)
            if (l % d == 0)
                a = d;
        b = l / a;
        fdense_a = Linear(store, prefix + ".fdense_a", C, H * a);
        fdense_b = Linear(store, prefix + ".fdense_b", C, H * b);
    }
    if (use_frandom) {
        k = synth.k;
        frandom_r1 = store.add(prefix + ".frandom_R1", {int64_t(H) * l, k});
        frandom_r2 = store.add(prefix + ".frandom_R2", {int64_t(H) * k, l});
    }
    if (components() > 1)
        mix_logits = store.add(prefix + ".mix_logits", {H, components()});
}

std::vector<std::string> MultiHeadAttention::component_names() const
{
    std::vector<std::string> names;
    if (use_vanilla)
        names.push_back("vanilla");
    if (use_dense)
        names.push_back("dense");
    if (use_random)
        names.push_back("random");
    if (use_fdense)
        names.push_back("factorized_dense");
    if (use_frandom)
        names.push_back("factorized_random");
    return names;
}

int64_t synthesizer_parameter_count(const MultiHeadAttention& m)
{
    int64_t n = 0;
    for (const Linear* lin : {&m.dense1, &m.dense2, &m.fdense_a, &m.fdense_b})
        if (lin->weight)
            n += lin->weight->numel() + (lin->bias ? lin->bias->numel() : 0);
    for (const Param* p : {m.random_r, m.frandom_r1, m.frandom_r2, m.mix_logits})
        if (p)
            n += p->numel();
    return n;
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
    if (!use_vanilla && (Tq > l || Tk > l))
        throw Error("sequence of " + std::to_string(std::max(Tq, Tk)) + " tokens is longer than the synthesizer's l = " +
                    std::to_string(l));
    c.B = B;
    c.Tq = Tq;
    c.Tk = Tk;
    if (use_vanilla) {
        project(xq, *in_proj_weight, *in_proj_bias, 0, C, c.q);  // (B*Tq, C)
        project(xkv, *in_proj_weight, *in_proj_bias, 1, C, c.k); // (B*Tk, C)
    }
    project(xkv, *in_proj_weight, *in_proj_bias, value_block(), C, c.v); // (B*Tk, C), G(X)
    if (use_dense || use_fdense) {
        dense1.forward(xq, c.hidden);
        c.hidden = c.hidden.cwiseMax(Scalar(0));
    }
    if (use_dense)
        dense2.forward(c.hidden, c.dense_out); // (B*Tq, H*l)
    if (use_fdense) {
        fdense_a.forward(c.hidden, c.fa); // (B*Tq, H*a)
        fdense_b.forward(c.hidden, c.fb); // (B*Tq, H*b)
    }
    Mat frandom; // (H*l, l): R1_h R2_h per head
    if (use_frandom) {
        frandom.resize(Eigen::Index(H) * l, l);
        for (int h = 0; h < H; ++h)
            frandom.middleRows(Eigen::Index(h) * l, l).noalias() =
                frandom_r1->value.middleRows(Eigen::Index(h) * l, l) * frandom_r2->value.middleRows(Eigen::Index(h) * k, k);
    }
    const int n_comp = components();
    if (n_comp > 1) {
        // alpha = softmax over components, per head
        c.alpha = mix_logits->value;
        for (int h = 0; h < H; ++h) {
            auto row = c.alpha.row(h);
            row = (row.array() - row.maxCoeff()).exp();
            row /= row.sum();
        }
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
            if (use_dense)
                emit(c.dense_out.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * l, Tq, Tk).eval());
            if (use_random)
                emit(random_r->value.block(Eigen::Index(h) * l, 0, Tq, Tk).eval());
            if (use_fdense) {
                Mat S(Tq, Tk);
                for (int i = 0; i < Tq; ++i)
                    for (int j = 0; j < Tk; ++j)
                        S(i, j) = c.fa(Eigen::Index(bb) * Tq + i, Eigen::Index(h) * a + j % a) *
                                  c.fb(Eigen::Index(bb) * Tq + i, Eigen::Index(h) * b + j / a);
                emit(S);
            }
            if (use_frandom)
                emit(frandom.block(Eigen::Index(h) * l, 0, Tq, Tk).eval());

            const int klen = mask.key_len ? (*mask.key_len)[size_t(bb)] : Tk;
            const bool relu = normalization == AttentionNormalization::Relu;
            for (int i = 0; i < Tq; ++i) {
                // Visible keys [first, end): padding, causal and window masks composed.
                int end = mask.causal ? std::min(klen, i + 1) : klen;
                int first = 0;
                if (mask.window > 0) {
                    first = std::max(0, i - mask.window);
                    end = std::min(end, i + mask.window + 1);
                }
                auto row = P.row(i);
                if (end <= first) { // nothing to attend to: an all-zero row, no NaN
                    row.setZero();
                    continue;
                }
                auto seen = row.segment(first, end - first);
                if (relu) {
                    seen = seen.cwiseMax(Scalar(0));
                } else {
                    const Scalar mx = seen.maxCoeff();
                    seen = (seen.array() - mx).exp();
                    seen /= seen.sum();
                }
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
    out_proj.forward(c.ctx, out);
}

void MultiHeadAttention::backward(const Mat& xq, const Mat& xkv, const Mat& dout, AttentionCache& c,
                                  Mat& dxq, Mat& dxkv)
{
    const int D = C / H, B = c.B, Tq = c.Tq, Tk = c.Tk;
    const Scalar scale = Scalar(attention_scale(scoring, D));
    // Gradients live in this thread's scratch (same shapes every step: no allocation).
    LayerScratch& s = scratch();
    Mat& dctx = s.dctx;
    out_proj.backward(c.ctx, dout, &dctx); // (B*Tq, C)
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
    Mat d_dense, dfa, dfb, d_frandom, dalpha;
    if (use_dense)
        d_dense = Mat::Zero(c.dense_out.rows(), c.dense_out.cols());
    if (use_fdense) {
        dfa = Mat::Zero(c.fa.rows(), c.fa.cols());
        dfb = Mat::Zero(c.fb.rows(), c.fb.cols());
    }
    if (use_frandom)
        d_frandom = Mat::Zero(Eigen::Index(H) * l, l);
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
            if (use_dense) {
                // forward: S = dense_out[rows of b, columns h*l .. h*l + Tk)
                d_dense.block(Eigen::Index(bb) * Tq, Eigen::Index(h) * l, Tq, Tk) += component_grad();
                ++ci;
            }
            if (use_random) {
                // forward: S = R_h[0:Tq, 0:Tk]
                const Mat& g = component_grad();
                ++ci;
                if (random_r->trainable)
                    random_r->grad_target().block(Eigen::Index(h) * l, 0, Tq, Tk) += g;
            }
            if (use_fdense) {
                // forward: S[i, j] = A[i, j mod a] * B[i, j div a]
                const Mat& g = component_grad();
                ++ci;
                for (int i = 0; i < Tq; ++i) {
                    const Eigen::Index r = Eigen::Index(bb) * Tq + i;
                    for (int j = 0; j < Tk; ++j) {
                        dfa(r, Eigen::Index(h) * a + j % a) += g(i, j) * c.fb(r, Eigen::Index(h) * b + j / a);
                        dfb(r, Eigen::Index(h) * b + j / a) += g(i, j) * c.fa(r, Eigen::Index(h) * a + j % a);
                    }
                }
            }
            if (use_frandom) {
                d_frandom.block(Eigen::Index(h) * l, 0, Tq, Tk) += component_grad();
                ++ci;
            }
        }

    // forward: alpha = softmax(mix_logits) per head
    if (n_comp > 1)
        for (int h = 0; h < H; ++h) {
            const Scalar dot = (dalpha.row(h).array() * c.alpha.row(h).array()).sum();
            mix_logits->grad_target().row(h).array() += c.alpha.row(h).array() * (dalpha.row(h).array() - dot);
        }
    if (use_frandom)
        for (int h = 0; h < H; ++h) {
            // forward: R_h = R1_h R2_h
            const auto R1 = frandom_r1->value.middleRows(Eigen::Index(h) * l, l);
            const auto R2 = frandom_r2->value.middleRows(Eigen::Index(h) * k, k);
            const auto dR = d_frandom.middleRows(Eigen::Index(h) * l, l);
            frandom_r1->grad_target().middleRows(Eigen::Index(h) * l, l).noalias() += dR * R2.transpose();
            frandom_r2->grad_target().middleRows(Eigen::Index(h) * k, k).noalias() += R1.transpose() * dR;
        }
    Mat dhidden;
    if (use_dense) {
        Mat dh;
        dense2.backward(c.hidden, d_dense, &dh);
        dhidden = dh;
    }
    if (use_fdense) {
        Mat dh;
        fdense_a.backward(c.hidden, dfa, &dh);
        dhidden = dh;
        fdense_b.backward(c.hidden, dfb, &dh);
        dhidden += dh;
    }

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
    if (use_dense || use_fdense) {
        // forward: hidden = relu(xq W1^T + b1)
        relu_backward(dhidden, c.hidden);
        Mat dx1;
        dense1.backward(xq, dhidden, &dx1);
        dxq += dx1;
    }
}

// ---------------------------------------------------------------------------------------------
// Feed-forward

Activation parse_activation(const std::string& name)
{
    if (name == "relu")
        return Activation::Relu;
    if (name == "gelu")
        return Activation::Gelu;
    throw Error("activation must be \"relu\" or \"gelu\", got \"" + name + "\"");
}

FeedForward::FeedForward(ParamStore& store, const std::string& prefix, int C, int F, Activation act)
    : activation(act)
{
    linear1 = Linear(store, prefix + "linear1", C, F);
    linear2 = Linear(store, prefix + "linear2", F, C);
}

void FeedForward::forward(const Mat& x, double dropout_p, bool train, Rng* rng, FeedForwardCache& c,
                          Mat& out) const
{
    if (activation == Activation::Gelu) { // x Phi(x), exact erf form; its backward needs pre
        linear1.forward(x, c.pre);        // (N, F)
        c.h = c.pre.unaryExpr([](Scalar v) { return Scalar(0.5) * v * (Scalar(1) + std::erf(v * Scalar(M_SQRT1_2))); });
    } else {
        // ReLU in place: its backward needs only where h > 0 (see backward), so pre is not kept.
        linear1.forward(x, c.h);
        c.h.array() = c.h.array().max(Scalar(0));
        c.pre.resize(0, 0);
    }
    dropout_forward(c.h, dropout_p, train, rng, c.drop);
    linear2.forward(c.h, out);          // (N, C)
}

void FeedForward::backward(const Mat& x, const Mat& dout, FeedForwardCache& c, Mat& dx)
{
    Mat& dh = scratch().dh;
    linear2.backward(c.h, dout, &dh);
    dropout_backward(dh, c.drop);
    if (activation == Activation::Gelu) {
        // forward: h = pre * Phi(pre) -> dh/dpre = Phi(pre) + pre * phi(pre)
        const Scalar inv_sqrt_2pi = Scalar(0.5 * M_2_SQRTPI * M_SQRT1_2);
        dh.array() *= c.pre.unaryExpr([inv_sqrt_2pi](Scalar v) {
            return Scalar(0.5) * (Scalar(1) + std::erf(v * Scalar(M_SQRT1_2))) + v * inv_sqrt_2pi * std::exp(Scalar(-0.5) * v * v);
        }).array();
    } else {
        // forward: h = drop(relu(pre)). Where an element was kept, h > 0 exactly when pre > 0;
        // where it was dropped, dh is already 0. So [h > 0] is the ReLU's derivative here.
        relu_backward(dh, c.h);
    }
    linear1.backward(x, dh, &dx);
}

// ---------------------------------------------------------------------------------------------
// Residual sublayer (shared by encoder and decoder layers)

namespace {

// Backward of one residual sublayer around F:
//   Pre-LN:  y = x + drop(F(LN(x)))      Post-LN: y = LN(x + drop(F(x)))
// f_backward(df, dfx) maps the gradient df at F's output to dfx, the gradient at F's input
// (overwritten). Writes dx = dL/dx (overwritten; must not be dy). Uses scratch().df and .dfx.
template <class FBackward>
void residual_sublayer_backward(bool norm_first, const Mat& dy, Norm& norm, const NormCache& ln,
                                const DropoutCache& drop, Mat& dx, FBackward f_backward)
{
    LayerScratch& s = scratch();
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

// ---------------------------------------------------------------------------------------------
// Loss

double cross_entropy_forward_backward(const Mat& logits, const std::vector<int>& targets, int pad_id,
                                      double eps, Mat* dlogits, double* nll_out, int64_t* correct_out,
                                      int64_t* n_out)
{
    const Eigen::Index N = logits.rows(), V = logits.cols();
    if (Eigen::Index(targets.size()) != N)
        throw Error("cross_entropy: " + std::to_string(targets.size()) + " targets for " +
                    std::to_string(N) + " rows of logits");
    int64_t n = 0;
    for (int t : targets)
        n += t != pad_id;
    if (dlogits)
        dlogits->resize(N, V);
    double loss = 0, nll = 0;
    int64_t correct = 0;
    const double inv_n = n ? 1.0 / double(n) : 0.0;
    for (Eigen::Index r = 0; r < N; ++r) {
        const int y = targets[size_t(r)];
        if (y == pad_id) {
            if (dlogits)
                dlogits->row(r).setZero();
            continue;
        }
        const auto z = logits.row(r).array();
        // maxCoeff() without an index is vectorised; the index form is a scalar loop and was
        // most of this function's time, so the argmax is looked up only when it is asked for.
        const Scalar mx = z.maxCoeff();
        if (correct_out) {
            Eigen::Index arg = 0;
            while (arg + 1 < V && z(arg) != mx) // bounded: with a NaN nothing compares equal
                ++arg;
            correct += arg == y;
        }
        // Everything that reads z comes before d is written (d may be z itself).
        const double z_y = double(z(y)), z_sum = double(z.sum());
        double sum_exp;
        if (dlogits) {
            // d/dz of the smoothed loss: softmax(z) - q, q = (1-eps) onehot(y) + eps/V; the
            // exponentials are computed once, kept in d, then normalised.
            auto d = dlogits->row(r).array();
            d = (z - mx).exp();
            sum_exp = double(d.sum());
            d = d * Scalar(inv_n / sum_exp) - Scalar(eps / double(V) * inv_n);
            d(y) -= Scalar((1.0 - eps) * inv_n);
        } else {
            sum_exp = double((z - mx).exp().sum());
        }
        const double lse = double(mx) + std::log(sum_exp);
        const double nll_r = lse - z_y;
        const double mean_neg_logp = lse - z_sum / double(V);
        loss += (1.0 - eps) * nll_r + eps * mean_neg_logp;
        nll += nll_r;
    }
    if (nll_out)
        *nll_out = nll * inv_n;
    if (correct_out)
        *correct_out = correct;
    if (n_out)
        *n_out = n;
    return loss * inv_n;
}

} // namespace al
