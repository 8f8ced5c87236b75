// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Positional encoding ("Attention Is All You Need" section 3.5), added to the scaled token
// embeddings (engine/nn/embedding.h) so that attention, which is permutation-invariant, sees
// the order of the tokens:
//   sinusoidal:  PE[t, 2i] = sin(t / 10000^(2i/C)),  PE[t, 2i+1] = cos(t / 10000^(2i/C))
//   learned:     PE = a trainable table (max_len, C), "the learned positional embeddings"
//                of section 3.5 / table 3 row (E) (Gehring et al. 2017); dPE[t] += sum_b dy[b*L + t]
//   none:        no positional information (an ablation: a bag of tokens).
// Shapes use the legend of engine/core/tensor.h; L = rows per sequence (S or T).
#include "engine/core/params.h"
#include "engine/core/tensor.h"

#include <string>

namespace al {

/// Positional encoding of a model (config key "positional_encoding").
enum class PositionalEncoding { Sinusoidal, Learned, None };
/// Throws al::Error naming the key unless name is "sinusoidal", "learned" or "none".
PositionalEncoding parse_positional_encoding(const std::string& name);

/// The sinusoidal table (max_len, C) of section 3.5.
Mat sinusoidal_positional_encoding(int max_len, int C);

/// Backward of a learned positional table added by Embedding::forward:
/// pe_grad[t] += sum over sequences b of dy[b*L + t]. dy (B*L, C), pe_grad (max_len, C).
void positional_backward(const Mat& dy, int L, Mat& pe_grad);

/// The positional encoding of one model: the sinusoidal table, the learned table
/// "pos_emb.weight" (max_len, C) (one table shared by every embedding of the model), or none.
struct PositionalTable {
    Mat sinusoidal;           ///< (max_len, C) when sinusoidal; empty otherwise
    Param* learned = nullptr; ///< the learned table when learned
    /// The table (max_len, C) added to the scaled embeddings; empty for none.
    const Mat& table() const { return learned ? learned->value : sinusoidal; }
    /// Learned table only: accumulates the gradient dy (B*L, C) of the embedding output.
    void backward(const Mat& dy, int L)
    {
        if (learned)
            positional_backward(dy, L, learned->grad_target());
    }
};

/// Builds the positional encoding of `kind`; a learned table is registered in `store` as
/// "pos_emb.weight" (max_len, C) at this point of the parameter order.
PositionalTable make_positional_table(ParamStore& store, PositionalEncoding kind, int max_len, int C);

/// Initialises a learned table with N(0, 0.02) entries, as BERT's position embeddings
/// (Devlin et al. 2019), drawing one normal per entry from rng in row-major order.
void init_learned_positions(Param& table, Rng& rng);

} // namespace al
