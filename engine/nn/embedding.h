// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Token embedding ("Attention Is All You Need" section 3.4): the learned table W (V, C) is
// multiplied by sqrt(d_model), and the positional encoding (section 3.5,
// engine/nn/positional_encoding.h) is added:
//   y[b*L + t] = W[ids[b*L + t]] * sqrt(C) + PE[t]
//   dW[ids[r]] += dy[r] * sqrt(C)
// Shapes use the legend of engine/core/tensor.h; L = rows per sequence (S or T).
#include "engine/core/params.h"
#include "engine/core/tensor.h"

#include <string>
#include <vector>

namespace al {

/// The output of one embedding call.
struct EmbeddingCache {
    Mat out; ///< (B*L, C)
};

/// Scaled token embedding "<name>" (V, C), row-sparse gradients (a batch touches few rows).
class Embedding {
public:
    Embedding() = default;
    Embedding(ParamStore& store, const std::string& name, int V, int C);
    /// ids (B*L) -> out (B*L, C); pe (max_len, C) or empty for none. Throws al::Error when an
    /// id is outside [0, V) or L > pe.rows().
    void forward(const std::vector<int>& ids, int L, const Mat& pe, Mat& out) const;
    /// W.grad[ids[r]] += dy[r] * sqrt(C) (a learned positional table has its own backward,
    /// positional_backward).
    void backward(const std::vector<int>& ids, const Mat& dy);
    Param* weight = nullptr;
};

} // namespace al
