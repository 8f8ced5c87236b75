// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Attention rollout and attention flow: how much of each input token reaches a position after
// several layers, from the attention maps alone (Abnar & Zuidema 2020, "Quantifying Attention Flow
// in Transformers", ACL, section 3).
//
// Raw attention says where layer l looks among layer l-1's positions. After the first layer
// those positions are already mixtures of the input tokens, so raw attention of a high layer is
// not attention to words. Both methods follow the mixing down to the embeddings:
//   residual:  Â_l = row-normalise(0.5 A_l + 0.5 I), A_l the mean over heads of layer l's map
//              (the residual connection x + Attn(x) carries each position's own state up)
//   rollout:   R_0 = Â_0,  R_l = Â_l R_{l-1}     (token identities mix linearly, eq. 1)
//   flow:      a layered DAG with one node per (layer, position) and an edge from (l, i) to
//              (l-1, j) of capacity Â_l[i][j]; F_l[i][j] is the maximum flow from output
//              position i at layer l to input token j, each row then normalised to sum 1.
// Both are (n x n) with rows summing to 1; row i of layer l says how much each input token
// contributes to position i after layer l.
//
// For translation the decoder sees the source through cross-attention:
//   source attribution = mean_h(cross_l) * E,  E the encoder's rollout (or flow) of its last
// layer, since the memory the decoder attends to is the encoder's last layer.
#include "engine/core/tensor.h"
#include "engine/trace/trace.h"

#include <functional>
#include <vector>

namespace al {

/// The mean over heads of one layer's attention maps, each (queries x keys).
/// Throws al::Error when `heads` is empty or the maps differ in shape.
Mat head_mean(const std::vector<Mat>& heads);

/// Â = row-normalise(w A + (1 - w) I) for `attention_weight` w in (0, 1], the residual
/// connection counted as attention to the position itself (the paper uses w = 0.5). A is
/// (n x n) with non-negative entries (softmax or ReLU weights); a row summing to 0 after the
/// mix cannot occur for w < 1, and for w = 1 such a row stays 0. Throws al::Error when A is
/// not square, w is outside (0, 1] or an entry is negative or not finite.
Mat with_residual(const Mat& attention, double attention_weight = 0.5);

/// Attention rollout of self-attention maps ([layer][head], each (n x n)): [layer] the (n x n)
/// matrix R_l = Â_l ... Â_0, rows summing to 1 (Abnar & Zuidema 2020, eq. 1, with the residual
/// of with_residual). Throws al::Error for empty maps or maps of differing sizes.
std::vector<Mat> attention_rollout(const AttentionMaps& maps, double attention_weight = 0.5);

/// The maximum flow from output position `position` at layer `layer` (0-based) to each input
/// token, in the layered graph of the residual-mixed head-mean maps Â_0 .. Â_layer: a row of n
/// flow values, not normalised (each at most 1). Computed with Dinic's algorithm in double
/// precision, n maximum flows over (layer + 2) * n nodes and (layer + 1) * n^2 edges.
std::vector<double> attention_flow_values(const AttentionMaps& maps, int layer, int position,
                                          double attention_weight = 0.5);

/// Attention flow up to layer `layer`: (n x n), row i the flow values of output position i
/// normalised to sum 1 (Abnar & Zuidema 2020, section 3, as their reference code normalises).
/// `cancelled`, when given, is polled between rows; returning true stops the computation and
/// the function returns an empty matrix. Cost: n^2 maximum flows; on one core here about 0.2 s
/// for n = 40 and 6 layers, 1 s for n = 60. Throws al::Error like attention_rollout, or for a layer out of range.
Mat attention_flow(const AttentionMaps& maps, int layer, double attention_weight = 0.5,
                   const std::function<bool()>& cancelled = {});

/// Source attribution of a decoder layer: `cross_mean` (T x S, the head mean of that layer's
/// cross-attention) times `encoder_tokens` (S x S, the encoder's rollout or flow of its last
/// layer): (T x S), row t how much each source token reaches the decoder through
/// cross-attention at output position t. Rows sum to 1 when both factors' rows do.
/// Throws al::Error when the shapes do not compose.
Mat source_attribution(const Mat& cross_mean, const Mat& encoder_tokens);

} // namespace al
