// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The hidden states of one stack layer by layer, as a forward Trace records them, and the two
// measures the Hidden states view draws: the cosine similarity of one token's representation in
// two contexts after every layer (the lecture's claim that self-attention makes the same word
// differ by context: 打 in 打电话 / 打篮球, "saw" in "I saw a saw"), and a 2-D principal
// component projection of a set of states.
#include "engine/core/tensor.h"
#include "engine/trace/trace.h"

#include <string>
#include <vector>

namespace al {

/// One stack's residual stream after the embedding, after each layer and after its final norm.
struct LayerStates {
    std::vector<std::string> labels; ///< "embedding", "layer 1" .. "layer N", "final norm"
    std::vector<Mat> states;         ///< same order: (positions x d_model)
    bool decoder = false;            ///< the decoder stack (else the encoder)
};

/// The encoder's layer states from `forward` (a Trace recorded with TraceOptions::forward_detail),
/// or the decoder's when `decoder` is true. A layer's state is the residual stream after its
/// last sublayer (Post-LN: after its last add & norm). Throws al::Error when `forward` holds no
/// step of that stack.
LayerStates layer_states(const ForwardTrace& forward, bool decoder);

/// The stack a forward Trace describes first: the encoder when it recorded one, else the
/// decoder (a decoder-only language model).
bool first_stack_is_decoder(const ForwardTrace& forward);

/// cos(a, b) = a.b / (|a| |b|); 0 when either vector is zero.
double cosine_similarity(const RowVec& a, const RowVec& b);

/// Per layer l of two runs of the same model: cos(a.states[l].row(pa), b.states[l].row(pb)).
/// Throws al::Error when the runs have different layer counts or widths, or a position is out of range.
std::vector<double> cosine_by_layer(const LayerStates& a, int pa, const LayerStates& b, int pb);

/// The mean cosine similarity, per layer, between every position of `a` and every position of
/// `b` whose tokens differ (`tokens_a`, `tokens_b` label the positions): the level two unrelated
/// words reach, against which a same-word similarity reads. NaN for a layer without such a pair.
std::vector<double> mean_cosine_of_different_tokens(const LayerStates& a, const std::vector<std::string>& tokens_a,
                                                    const LayerStates& b, const std::vector<std::string>& tokens_b);

/// Principal component analysis of the rows of X (n samples x d features) onto two axes.
struct Projection2D {
    Mat points;               ///< (n x 2) the centred samples projected onto the first two principal axes
    Mat axes;                 ///< (2 x d) the unit principal axes, by decreasing variance
    double explained[2] = {}; ///< the share of the total variance along each axis (0..1)
};

/// PCA by the eigen-decomposition of the (d x d) covariance of X's centred rows (double precision).
/// Each axis's sign is fixed so that its largest-magnitude component is positive, so that the
/// picture does not flip between training steps for no reason. With fewer than 2 samples, or a
/// rank below 2, the missing coordinates are 0. Throws al::Error when X has no columns.
Projection2D pca_2d(const Mat& X);

} // namespace al
