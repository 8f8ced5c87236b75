// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Label-smoothed cross-entropy ("Attention Is All You Need" section 5.4, eps_ls = 0.1;
// Szegedy et al. 2016 "Rethinking the Inception Architecture", section 7), per target row:
//   p = softmax(z),  q = (1 - eps) onehot(y) + eps / V
//   loss = -sum_v q[v] log p[v] = (1 - eps) (-log p[y]) + eps mean_v(-log p[v])
//   dloss/dz = p - q
// averaged over the non-padding rows, as torch.nn.CrossEntropyLoss(ignore_index, label_smoothing).
// Shapes use the legend of engine/core/tensor.h; N = number of rows (B*T).
#include "engine/core/tensor.h"

#include <cstdint>
#include <vector>

namespace al {

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
