// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Transformer layers as explicit forward/backward pairs (no autograd).
// A layer holds pointers to its parameters in a ParamStore and no activations: forward()
// writes what backward() needs into a cache struct owned by the caller, so a const model can
// serve several threads. backward() accumulates (+=) into Param::grad and returns the input
// gradient; the caller passes the forward input again (llm.c style).
// Shapes use the legend of engine/tensor.h; N = number of rows (B*T).
#include "engine/params.h"
#include "engine/tensor.h"

#include <cmath>
#include <string>
#include <vector>

namespace al {

/// Fast seeded generator for dropout masks (splitmix64); reproducible per seed.
class DropoutRng {
public:
    explicit DropoutRng(uint64_t seed = 0) : m_state(seed) {}
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    uint64_t m_state;
};

/// Inverted dropout (Srivastava et al. 2014): y = x * m / (1 - p), m ~ Bernoulli(1 - p).
/// With p == 0 or train == false the mask is empty and y = x.
/// The mask is kept as one byte per element (a float mask would be 4x the memory of the
/// activations it drops).
struct DropoutCache {
    Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> keep; ///< (N, K): 1 = kept; empty when inactive
    Scalar scale = 1;                                                              ///< 1 / (1 - p)
    bool active() const { return keep.size() > 0; }
    /// Rows [row, row + n) of the mask m / (1 - p) as a float array expression.
    auto mask_rows(Eigen::Index row, Eigen::Index n) const
    {
        return keep.middleRows(row, n).cast<Scalar>().array() * scale;
    }
};
void dropout_forward(Mat& x, double p, bool train, Rng* rng, DropoutCache& cache); // in place
void dropout_backward(Mat& dx, const DropoutCache& cache);                         // in place

/// torch.nn.Linear: y = x W^T + b. W is (out, in), b is (out).
class Linear {
public:
    Linear() = default;
    Linear(ParamStore& store, const std::string& prefix, int in, int out, bool bias = true);
    /// x (N, in) -> y (N, out)
    void forward(const Mat& x, Mat& y) const;
    /// dy (N, out), x the forward input -> W.grad += dy^T x, b.grad += sum_rows(dy);
    /// dx (N, in) = dy W when dx != nullptr (overwritten).
    void backward(const Mat& x, const Mat& dy, Mat* dx);
    Param* weight = nullptr;
    Param* bias = nullptr;
};
struct LinearCache {}; // Linear needs only its input, which the caller keeps

/// torch.nn.LayerNorm over the last dimension (Ba et al. 2016):
/// y = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance.
struct LayerNormCache {
    Mat xhat;      ///< (N, C) normalised input
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> rstd; ///< (N) 1 / sqrt(var + eps)
};
class LayerNorm {
public:
    LayerNorm() = default;
    LayerNorm(ParamStore& store, const std::string& prefix, int C, double eps);
    void forward(const Mat& x, Mat& y, LayerNormCache& cache) const;
    /// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma.
    void backward(const Mat& dy, const LayerNormCache& cache, Mat& dx);
    Param* weight = nullptr;
    Param* bias = nullptr;
    double eps = 1e-5;
};

/// Which rows of a (B*L, C) activation are real tokens: row b*L + t with t < len[b]. An empty
/// mask (len == nullptr) means every row counts.
struct RowMask {
    const std::vector<int>* len = nullptr; ///< B lengths
    int L = 0;                             ///< rows per sequence
    bool counts(Eigen::Index r) const { return !len || int(r % L) < (*len)[size_t(r / L)]; }
};

/// torch.nn.BatchNorm1d over the C features of token rows (Ioffe & Szegedy 2015, algorithm 1).
/// Training: y = (x - mu_B) / sqrt(var_B + eps) * gamma + beta with mu_B and the biased var_B over
/// the n non-padding rows of the batch (padding rows are normalised with them but do not count).
/// Evaluation: mu and var are the running statistics, updated after each training step by
/// update_running_stats(): running = (1 - momentum) * running + momentum * batch value, with the
/// unbiased batch variance, momentum 0.1, as torch. Parameters "<prefix>.weight", ".bias" (C)
/// and the non-trainable buffers ".running_mean", ".running_var" (C), saved in checkpoints.
struct BatchNormCache {
    bool train = false;
    Mat xhat;        ///< (N, C) normalised input
    RowVec rstd;     ///< (C) 1 / sqrt(var + eps) used
    RowVec mean;     ///< (C) batch mean (training only)
    RowVec var_unbiased; ///< (C) unbiased batch variance (training only; 0 when n < 2)
    int64_t n = 0;   ///< rows that counted (training only)
    std::vector<char> counted; ///< (N) 1 for rows that counted
};
struct BatchNormStats;
class BatchNorm {
public:
    BatchNorm() = default;
    BatchNorm(ParamStore& store, const std::string& prefix, int C, double eps);
    /// x (N, C) -> y (N, C). Throws al::Error when training on a batch with no counted row.
    void forward(const Mat& x, Mat& y, bool train, const RowMask& rows, BatchNormCache& cache) const;
    /// Training: g = dy * gamma; counted rows dx = rstd * (g - sum_all(g)/n - xhat * sum_all(g * xhat)/n)
    /// (sums over every row, since padding rows are normalised with the batch statistics too);
    /// padding rows dx = rstd * g. Evaluation: dx = rstd * g.
    void backward(const Mat& dy, const BatchNormCache& cache, Mat& dx);
    /// Folds the statistics of one training step into the running buffers. `caches` are the
    /// forward caches of this norm on every data-parallel shard of the step; their statistics
    /// are pooled (exact mean and unbiased variance of the union of counted rows) before one
    /// momentum update. Caches of evaluation passes are ignored.
    void update_running_stats(const std::vector<const BatchNormCache*>& caches);
    /// One momentum update from statistics pooled over a whole step (every micro-batch of every
    /// shard): running_mean = (1 - m) running_mean + m mean, running_var = (1 - m) running_var
    /// + m unbiased var, as torch.nn.BatchNorm1d on the whole batch. Nothing when stats.n == 0.
    void update_running_stats(const BatchNormStats& stats);
    Param* weight = nullptr;
    Param* bias = nullptr;
    Param* running_mean = nullptr;
    Param* running_var = nullptr;
    double eps = 1e-5;
    static constexpr double kMomentum = 0.1;
};

/// The batch statistics of one BatchNorm pooled over several training forward passes (the
/// micro-batches and data-parallel shards of one step): counted rows n, per-feature mean and
/// M2 = sum over counted rows of (x - mean)^2, in double precision. Passes are merged with the
/// pairwise update of Chan, Golub & LeVeque (1979): for parts a, b with d = mean_b - mean_a,
/// mean = mean_a + d n_b / n, M2 = M2_a + M2_b + d^2 n_a n_b / n, n = n_a + n_b. The result
/// is the mean and unbiased variance M2 / (n - 1) of the union of the counted rows, whatever
/// the split.
struct BatchNormStats {
    int64_t n = 0;
    Eigen::RowVectorXd mean, m2; ///< (C) each; empty while n == 0
    /// Adds the statistics of one training forward pass; evaluation caches are ignored.
    void add(const BatchNormCache& cache);
    void merge(const BatchNormStats& other);
    Eigen::RowVectorXd unbiased_var() const; ///< (C) M2 / (n - 1); zeros when n < 2
};

/// Layer normalisation or batch normalisation (config key "norm"), one at a time.
enum class NormKind { LayerNorm, BatchNorm };
/// Throws al::Error naming the key "norm" unless name is "layernorm" or "batchnorm".
NormKind parse_norm_kind(const std::string& name);
struct NormCache {
    LayerNormCache ln;
    BatchNormCache bn;
};
/// The norm of a residual sublayer or of the encoder/decoder output: a LayerNorm (the paper)
/// or a BatchNorm with the same parameter names (weight, bias; BatchNorm adds running_mean and
/// running_var). `train` and `rows` matter to BatchNorm only.
class Norm {
public:
    Norm() = default;
    Norm(ParamStore& store, const std::string& prefix, int C, double eps, NormKind kind = NormKind::LayerNorm);
    void forward(const Mat& x, Mat& y, NormCache& cache, bool train = false, const RowMask& rows = {}) const
    {
        if (kind == NormKind::LayerNorm)
            ln.forward(x, y, cache.ln);
        else
            bn.forward(x, y, train, rows, cache.bn);
    }
    void backward(const Mat& dy, const NormCache& cache, Mat& dx)
    {
        if (kind == NormKind::LayerNorm)
            ln.backward(dy, cache.ln, dx);
        else
            bn.backward(dy, cache.bn, dx);
    }
    NormKind kind = NormKind::LayerNorm;
    LayerNorm ln;
    BatchNorm bn;
};

/// Token embedding scaled by sqrt(d_model) plus a positional encoding
/// ("Attention Is All You Need" sections 3.4 and 3.5):
/// y[b*L + t] = W[ids[b*L + t]] * sqrt(C) + PE[t]. PE is the sinusoidal table
/// PE[t, 2i] = sin(t / 10000^(2i/C)), PE[t, 2i+1] = cos(t / 10000^(2i/C)), a learned table
/// (section 3.5's alternative; "pos_emb.weight" (max_len, C), see positional_backward) or absent.
struct EmbeddingCache {
    Mat out; ///< (B*L, C)
};
Mat sinusoidal_positional_encoding(int max_len, int C); ///< (max_len, C)
class Embedding {
public:
    Embedding() = default;
    Embedding(ParamStore& store, const std::string& name, int V, int C);
    /// ids (B*L) -> out (B*L, C); pe (max_len, C) or empty for none. Throws al::Error when an
    /// id is outside [0, V) or L > pe.rows().
    void forward(const std::vector<int>& ids, int L, const Mat& pe, Mat& out) const;
    /// W.grad[ids[r]] += dy[r] * sqrt(C) (the positional encoding has no parameters).
    void backward(const std::vector<int>& ids, const Mat& dy);
    Param* weight = nullptr;
};

/// Positional encoding of a model (config key "positional_encoding").
enum class PositionalEncoding { Sinusoidal, Learned, None };
/// Throws al::Error naming the key unless name is "sinusoidal", "learned" or "none".
PositionalEncoding parse_positional_encoding(const std::string& name);
/// Backward of the learned positional table added by Embedding::forward:
/// pe_grad[t] += sum over sequences b of dy[b*L + t]. dy (B*L, C), pe_grad (max_len, C).
void positional_backward(const Mat& dy, int L, Mat& pe_grad);

/// Key masks of one attention call. Keys at positions >= key_len[b] are padding (their score
/// is -inf before the softmax); with causal, query t sees keys <= t only; with window w > 0
/// (restricted self-attention, "Attention Is All You Need" section 4), query i sees keys j with
/// |i - j| <= w only. They compose.
struct AttentionMask {
    const std::vector<int>* key_len = nullptr; ///< B real key lengths, nullptr = no padding
    bool causal = false;
    int window = 0;                            ///< 0 = unrestricted
};

/// How a query-key pair is scored (config key "attention_scoring"), per head with D = C / H:
///   ScaledDot: S = Q_h K_h^T / sqrt(D)        ("Attention Is All You Need" eq. 1)
///   Dot:       S = Q_h K_h^T                   (Luong et al. 2015 "dot")
///   Additive:  S[i, j] = v_h . tanh(Q_h[i] + K_h[j])  (Bahdanau et al. 2015 eq. 6,
///              v^T tanh(W_q q + W_k k) with W_q, W_k the query/key projections of in_proj)
enum class AttentionScoring { ScaledDot, Dot, Additive };
/// How scores become weights (config key "attention_normalization"):
///   Softmax: P = softmax(S + mask) per query row (rows sum to 1).
///   Relu:    P = relu(S) on visible keys, exactly 0 on masked keys; rows are NOT normalised,
///            so a row may sum to anything >= 0 (all zero when every score is negative).
enum class AttentionNormalization { Softmax, Relu };
/// The factor on Q K^T: 1/sqrt(D) for ScaledDot, 1 otherwise (additive scores are not scaled).
/// Section 3.2.1: for q, k with independent unit-variance entries, q . k has variance D.
inline double attention_scale(AttentionScoring s, int D) { return s == AttentionScoring::ScaledDot ? 1.0 / std::sqrt(double(D)) : 1.0; }
/// Throw al::Error naming the config key for an unknown name.
AttentionScoring parse_attention_scoring(const std::string& name);
AttentionNormalization parse_attention_normalization(const std::string& name);
/// Which alignment scores a self-attention block uses: the scaled dot product of the paper
/// ("vanilla") and/or the synthesized alignments of "Synthesizer: Rethinking Self-Attention in
/// Transformer Models" (Tay et al., ICML 2021, section 3). Several components make a mixture
/// softmax(sum_i alpha_i S_i) with alpha = softmax(learned logits) per head (section 3.3).
///   dense:             S(X) = W2 relu(W1 X + b1) + b2, W1: C -> C, W2: C -> H*l (eq. 2)
///   random:            S = R_h, an l x l matrix per head, learned or fixed (eq. 4)
///   factorized dense:  hidden = relu(W1 X + b1); A = W_a hidden (a per head), B = W_b hidden
///                      (b per head), a*b = l; S[i, j] = A[i, j mod a] * B[i, j div a] (eq. 3)
///   factorized random: R_h = R1_h R2_h with R1_h: l x k, R2_h: k x l (section 3.2)
/// Sequences shorter than l use the top-left block. Values always come from the value
/// projection G(X) = X W_v^T + b_v.
struct SynthesizerConfig {
    std::string attention = "vanilla"; ///< vanilla | dense | random | fixed_random |
                                       ///< factorized_dense | factorized_random |
                                       ///< random+vanilla | dense+vanilla | random+dense
    int max_len = 0;                   ///< l (needed by every synthesizer)
    int k = 8;                         ///< rank of the factorized random synthesizer
    /// Throws al::Error naming the key "attention" for an unknown value.
    void validate() const;
};

/// Activations of one multi-head attention call.
struct AttentionCache {
    int B = 0, Tq = 0, Tk = 0;
    Mat q;       ///< (B*Tq, C) projected queries
    Mat k, v;    ///< (B*Tk, C) projected keys and values
    Mat probs;   ///< (B*H*Tq, Tk) attention weights (softmax or relu); block (b*H + h) is one head
    Mat dropped; ///< (B*H*Tq, Tk) probabilities after attention dropout; empty when inactive
    DropoutCache prob_drop;
    Mat ctx;     ///< (B*Tq, C) concatenated head outputs before out_proj
    // Synthesizer activations (empty when unused).
    Mat hidden;                    ///< (B*Tq, C) relu(W1 x + b1) of the (factorized) dense synthesizer
    Mat dense_out;                 ///< (B*Tq, H*l) dense synthesizer scores
    Mat fa, fb;                    ///< (B*Tq, H*a), (B*Tq, H*b) factorized dense factors
    std::vector<Mat> comp_scores;  ///< per mixture component, (B*H*Tq, Tk) raw scores
    Mat alpha;                     ///< (H, n_components) mixture weights
    Mat synth_scores;              ///< (B*H*Tq, Tk) synthesized scores (non-vanilla part), for the Trace
};

/// torch.nn.MultiheadAttention with scaled dot-product attention
/// ("Attention Is All You Need" eq. 1 and section 3.2.2):
/// head_h = softmax(Q_h K_h^T / sqrt(D) + mask) V_h, out = concat(head_1..head_H) W_o^T + b_o,
/// Q = x_q W_q^T + b_q, K = x_kv W_k^T + b_k, V = x_kv W_v^T + b_v, where W_q, W_k, W_v are the
/// row blocks of in_proj_weight (3C, C).
class MultiHeadAttention {
public:
    MultiHeadAttention() = default;
    /// `synth` selects the alignment (vanilla by default; cross-attention is always vanilla).
    /// `scoring` and `normalization` apply to the query-key (vanilla) component; additive
    /// scoring adds "<prefix>.additive_v" (H, D), the per-head vector v of Bahdanau's score.
    MultiHeadAttention(ParamStore& store, const std::string& prefix, int C, int H,
                       const SynthesizerConfig& synth = {},
                       AttentionScoring scoring = AttentionScoring::ScaledDot,
                       AttentionNormalization normalization = AttentionNormalization::Softmax);
    /// xq (B*Tq, C), xkv (B*Tk, C) -> out (B*Tq, C). dropout_p applies to the probabilities.
    void forward(const Mat& xq, const Mat& xkv, int B, const AttentionMask& mask, double dropout_p,
                 bool train, Rng* rng, AttentionCache& cache, Mat& out) const;
    /// dout (B*Tq, C) -> dxq (B*Tq, C) and dxkv (B*Tk, C), both overwritten. When xq and xkv are
    /// the same tensor (self-attention) the caller may pass one matrix as dxq and dxkv: it then
    /// receives their sum, dL/dx.
    void backward(const Mat& xq, const Mat& xkv, const Mat& dout, AttentionCache& cache, Mat& dxq,
                  Mat& dxkv);
    /// in_proj (3C, C) with rows W_q, W_k, W_v when the vanilla component is present;
    /// otherwise v_proj (C, C) alone (a synthesizer needs no queries or keys).
    Param* in_proj_weight = nullptr;
    Param* in_proj_bias = nullptr;
    Linear out_proj;
    int C = 0, H = 0;
    AttentionScoring scoring = AttentionScoring::ScaledDot;
    AttentionNormalization normalization = AttentionNormalization::Softmax;
    Param* additive_v = nullptr;    ///< (H, D) when scoring is Additive
    // Synthesizer parameters (nullptr when unused).
    bool use_vanilla = true, use_dense = false, use_random = false, use_fdense = false, use_frandom = false;
    int l = 0, a = 0, b = 0, k = 0;
    Linear dense1, dense2;          ///< W1 (C, C) shared by dense and factorized dense; W2 (H*l, C)
    Param* random_r = nullptr;      ///< (H*l, l); trainable == false for fixed_random
    Linear fdense_a, fdense_b;      ///< (H*a, C), (H*b, C)
    Param* frandom_r1 = nullptr;    ///< (H*l, k)
    Param* frandom_r2 = nullptr;    ///< (H*k, l)
    Param* mix_logits = nullptr;    ///< (H, n_components) when a mixture
    /// Component names in mixture order (subset of vanilla, dense, random, factorized_dense, factorized_random).
    std::vector<std::string> component_names() const;
    int components() const { return int(use_vanilla) + int(use_dense) + int(use_random) + int(use_fdense) + int(use_frandom); }
    /// Rows of the value projection inside in_proj_weight (2 with vanilla, 0 otherwise).
    int value_block() const { return use_vanilla ? 2 : 0; }
};

/// Parameters of one self-attention block's synthesizer part (excluding value and output
/// projections): dense C^2 + C + H*l*C + H*l; random H*l^2; factorized dense
/// C^2 + C + H*(a + b)*(C + 1); factorized random 2*H*l*k; mixtures add H*n weights.
int64_t synthesizer_parameter_count(const MultiHeadAttention& m);

/// Feed-forward non-linearity (config key "activation"): ReLU (the paper) or the exact GELU of
/// Hendrycks & Gimpel 2016, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (torch's default GELU).
enum class Activation { Relu, Gelu };
/// Throws al::Error naming the key "activation" unless name is "relu" or "gelu".
Activation parse_activation(const std::string& name);

/// Position-wise feed-forward network (section 3.3): FFN(x) = W2 dropout(act(W1 x + b1)) + b2.
struct FeedForwardCache {
    Mat h;      ///< (N, F) after the activation and dropout
    Mat pre;    ///< (N, F) before the activation (GELU only; ReLU's backward reads h)
    DropoutCache drop;
};
class FeedForward {
public:
    FeedForward() = default;
    FeedForward(ParamStore& store, const std::string& prefix, int C, int F, Activation act = Activation::Relu);
    void forward(const Mat& x, double dropout_p, bool train, Rng* rng, FeedForwardCache& cache,
                 Mat& out) const;
    void backward(const Mat& x, const Mat& dout, FeedForwardCache& cache, Mat& dx);
    Linear linear1, linear2;
    Activation activation = Activation::Relu;
};

/// Block options shared by encoder and decoder layers beyond torch.nn.Transformer's: attention
/// scoring and normalisation (self and cross attention), the local window of self-attention,
/// the norm, the feed-forward activation and a separate dropout on attention weights.
struct BlockOptions {
    SynthesizerConfig synth;        ///< self-attention alignment
    AttentionScoring scoring = AttentionScoring::ScaledDot;
    AttentionNormalization normalization = AttentionNormalization::Softmax;
    int window = 0;                 ///< self-attention window w (0 = unrestricted)
    NormKind norm = NormKind::LayerNorm;
    Activation activation = Activation::Relu;
    double attention_dropout = -1;  ///< dropout on attention weights; < 0: the layer's dropout
    /// Decoder self-attention: causal (autoregressive, query t sees keys <= t) or, false, every
    /// non-padding target position (the non-autoregressive decoder, Gu et al. 2018).
    bool causal_self_attention = true;
};

/// Activations of one encoder layer. Post-LN: x1 = LN1(x + drop(SA(x))), y = LN2(x1 + drop(FF(x1))).
/// Pre-LN: x1 = x + drop(SA(LN1(x))), y = x1 + drop(FF(LN2(x1))).
struct EncoderLayerCache {
    Mat x;            ///< (B*S, C) layer input
    Mat n1, n2;       ///< Pre-LN only: LN1(x), LN2(x1)
    AttentionCache sa;
    Mat sa_out;       ///< (B*S, C) attention output after dropout
    DropoutCache sa_drop;
    Mat x1;           ///< (B*S, C) after the first residual (and LN1 for Post-LN)
    NormCache ln1, ln2;
    FeedForwardCache ff;
    Mat ff_out;       ///< (B*S, C) feed-forward output after dropout
    DropoutCache ff_drop;
    Mat y;            ///< (B*S, C) layer output
};

/// torch.nn.TransformerEncoderLayer (ReLU, batch_first), Post-LN or Pre-LN (norm_first).
class EncoderLayer {
public:
    EncoderLayer() = default;
    EncoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const SynthesizerConfig& synth = {});
    EncoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const BlockOptions& options);
    /// x (B*S, C) -> cache.y (B*S, C); key_len masks padded source positions.
    void forward(const Mat& x, int B, const std::vector<int>& key_len, double dropout_p, bool train,
                 Rng* rng, EncoderLayerCache& cache) const;
    /// dy (B*S, C) -> dx (B*S, C)
    void backward(const Mat& dy, EncoderLayerCache& cache, Mat& dx);
    MultiHeadAttention self_attn;
    FeedForward ff;
    Norm norm1, norm2;
    bool norm_first = false;
    int window = 0;                 ///< self-attention window (0 = unrestricted)
    double attention_dropout = -1;  ///< < 0: the dropout passed to forward
    /// Causal self-attention (query t sees keys <= t): the block of a decoder-only language model.
    bool causal = false;
};

/// Activations of one decoder layer (masked self-attention, cross-attention, feed-forward).
struct DecoderLayerCache {
    Mat x;            ///< (B*T, C) layer input
    Mat n1, n2, n3;   ///< Pre-LN only
    AttentionCache sa, ca;
    Mat sa_out, ca_out, ff_out;
    DropoutCache sa_drop, ca_drop, ff_drop;
    Mat x1, x2;
    NormCache ln1, ln2, ln3;
    FeedForwardCache ff;
    Mat y;
};

/// torch.nn.TransformerDecoderLayer (ReLU, batch_first), Post-LN or Pre-LN. Self-attention is
/// causal (unless `causal` is false: NAT) with target padding; cross-attention attends to
/// `memory` with source padding.
class DecoderLayer {
public:
    DecoderLayer() = default;
    DecoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const SynthesizerConfig& synth = {});
    DecoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const BlockOptions& options);
    /// x (B*T, C), memory (B*S, C) -> cache.y (B*T, C)
    void forward(const Mat& x, const Mat& memory, int B, const std::vector<int>& tgt_len,
                 const std::vector<int>& src_len, double dropout_p, bool train, Rng* rng,
                 DecoderLayerCache& cache) const;
    /// dy (B*T, C) -> dx (B*T, C); dmemory (B*S, C) is accumulated (+=).
    void backward(const Mat& dy, const Mat& memory, DecoderLayerCache& cache, Mat& dx, Mat& dmemory);
    MultiHeadAttention self_attn, cross_attn;
    FeedForward ff;
    Norm norm1, norm2, norm3;
    bool norm_first = false;
    int window = 0;                 ///< self-attention window (0 = unrestricted)
    double attention_dropout = -1;  ///< < 0: the dropout passed to forward
    bool causal = true;             ///< causal self-attention mask (false: non-autoregressive)
};

/// Label-smoothed cross-entropy as torch.nn.CrossEntropyLoss(ignore_index=PAD,
/// label_smoothing=eps): per non-PAD row, (1-eps) * -log p[y] + eps * mean_v(-log p[v]);
/// mean over non-PAD rows. logits (N, V), targets (N). Returns the loss; dlogits (N, V) =
/// (softmax - q) / n_tokens, with q = (1-eps) onehot(y) + eps / V (zero rows for PAD).
/// nll (optional) receives the mean plain cross-entropy, correct (optional) the number of
/// rows whose argmax equals the target, n_tokens (optional) the non-PAD rows.
/// dlogits may be &logits: the gradient then overwrites the logits row by row (saves a buffer).
double cross_entropy_forward_backward(const Mat& logits, const std::vector<int>& targets, int pad_id,
                                      double label_smoothing, Mat* dlogits, double* nll = nullptr,
                                      int64_t* correct = nullptr, int64_t* n_tokens = nullptr);

} // namespace al
