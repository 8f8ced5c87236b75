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
struct DropoutCache {
    Mat mask; ///< (N, K) of 0 or 1/(1-p); empty when inactive
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

/// Token embedding scaled by sqrt(d_model) plus sinusoidal positional encoding
/// ("Attention Is All You Need" sections 3.4 and 3.5):
/// y[b*L + t] = W[ids[b*L + t]] * sqrt(C) + PE[t], PE[t, 2i] = sin(t / 10000^(2i/C)),
/// PE[t, 2i+1] = cos(t / 10000^(2i/C)).
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

/// Key masks of one attention call. Keys at positions >= key_len[b] are padding (their score
/// is -inf before the softmax); with causal, query t sees keys <= t only. They compose.
struct AttentionMask {
    const std::vector<int>* key_len = nullptr; ///< B real key lengths, nullptr = no padding
    bool causal = false;
};

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
    Mat probs;   ///< (B*H*Tq, Tk) softmax probabilities; block (b*H + h) is one head
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
    MultiHeadAttention(ParamStore& store, const std::string& prefix, int C, int H,
                       const SynthesizerConfig& synth = {});
    /// xq (B*Tq, C), xkv (B*Tk, C) -> out (B*Tq, C). dropout_p applies to the probabilities.
    void forward(const Mat& xq, const Mat& xkv, int B, const AttentionMask& mask, double dropout_p,
                 bool train, Rng* rng, AttentionCache& cache, Mat& out) const;
    /// dout (B*Tq, C) -> dxq (B*Tq, C) and dxkv (B*Tk, C), both overwritten. When xq and xkv are
    /// the same tensor (self-attention) the caller adds the two.
    void backward(const Mat& xq, const Mat& xkv, const Mat& dout, AttentionCache& cache, Mat& dxq,
                  Mat& dxkv);
    /// in_proj (3C, C) with rows W_q, W_k, W_v when the vanilla component is present;
    /// otherwise v_proj (C, C) alone (a synthesizer needs no queries or keys).
    Param* in_proj_weight = nullptr;
    Param* in_proj_bias = nullptr;
    Linear out_proj;
    int C = 0, H = 0;
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

/// Position-wise feed-forward network (section 3.3): FFN(x) = W2 dropout(relu(W1 x + b1)) + b2.
struct FeedForwardCache {
    Mat h;      ///< (N, F) after ReLU and dropout
    Mat pre;    ///< (N, F) before ReLU
    DropoutCache drop;
};
class FeedForward {
public:
    FeedForward() = default;
    FeedForward(ParamStore& store, const std::string& prefix, int C, int F);
    void forward(const Mat& x, double dropout_p, bool train, Rng* rng, FeedForwardCache& cache,
                 Mat& out) const;
    void backward(const Mat& x, const Mat& dout, FeedForwardCache& cache, Mat& dx);
    Linear linear1, linear2;
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
    LayerNormCache ln1, ln2;
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
    /// x (B*S, C) -> cache.y (B*S, C); key_len masks padded source positions.
    void forward(const Mat& x, int B, const std::vector<int>& key_len, double dropout_p, bool train,
                 Rng* rng, EncoderLayerCache& cache) const;
    /// dy (B*S, C) -> dx (B*S, C)
    void backward(const Mat& dy, EncoderLayerCache& cache, Mat& dx);
    MultiHeadAttention self_attn;
    FeedForward ff;
    LayerNorm norm1, norm2;
    bool norm_first = false;
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
    LayerNormCache ln1, ln2, ln3;
    FeedForwardCache ff;
    Mat y;
};

/// torch.nn.TransformerDecoderLayer (ReLU, batch_first), Post-LN or Pre-LN. Self-attention is
/// causal with target padding; cross-attention attends to `memory` with source padding.
class DecoderLayer {
public:
    DecoderLayer() = default;
    DecoderLayer(ParamStore& store, const std::string& prefix, int C, int H, int F, double eps,
                 bool norm_first, const SynthesizerConfig& synth = {});
    /// x (B*T, C), memory (B*S, C) -> cache.y (B*T, C)
    void forward(const Mat& x, const Mat& memory, int B, const std::vector<int>& tgt_len,
                 const std::vector<int>& src_len, double dropout_p, bool train, Rng* rng,
                 DecoderLayerCache& cache) const;
    /// dy (B*T, C) -> dx (B*T, C); dmemory (B*S, C) is accumulated (+=).
    void backward(const Mat& dy, const Mat& memory, DecoderLayerCache& cache, Mat& dx, Mat& dmemory);
    MultiHeadAttention self_attn, cross_attn;
    FeedForward ff;
    LayerNorm norm1, norm2, norm3;
    bool norm_first = false;
};

/// Label-smoothed cross-entropy as torch.nn.CrossEntropyLoss(ignore_index=PAD,
/// label_smoothing=eps): per non-PAD row, (1-eps) * -log p[y] + eps * mean_v(-log p[v]);
/// mean over non-PAD rows. logits (N, V), targets (N). Returns the loss; dlogits (N, V) =
/// (softmax - q) / n_tokens, with q = (1-eps) onehot(y) + eps / V (zero rows for PAD).
/// nll (optional) receives the mean plain cross-entropy, correct (optional) the number of
/// rows whose argmax equals the target, n_tokens (optional) the non-PAD rows.
double cross_entropy_forward_backward(const Mat& logits, const std::vector<int>& targets, int pad_id,
                                      double label_smoothing, Mat* dlogits, double* nll = nullptr,
                                      int64_t* correct = nullptr, int64_t* n_tokens = nullptr);

} // namespace al
