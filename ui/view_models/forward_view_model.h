// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the forward-pass stepper: stepping through
// Trace::forward, which attention a step shows, the block diagram's boxes, recomputing the
// probabilities from the recorded Q, K and scores, and one query row as a weighted sum of V rows.
#include "engine/trace/trace.h"
#include "ui/view_models/attention_selection.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <optional>

namespace al::ui {

/// The position in a ForwardTrace's steps, with first/previous/next/last. Index -1 when the
/// trace holds no forward detail.
class ForwardStepper {
public:
    /// Starts at the first step (or -1 when `trace` is null or has no Trace::forward).
    void setTrace(std::shared_ptr<const al::Trace> trace);
    std::shared_ptr<const al::Trace> trace() const { return m_trace; }
    int count() const;
    int current() const { return m_index; }
    /// Moves to step `index` (clamped into [0, count)); returns whether the step changed.
    bool setCurrent(int index);
    bool next() { return setCurrent(m_index + 1); }
    bool previous() { return setCurrent(m_index - 1); }
    bool first() { return setCurrent(0); }
    bool last() { return setCurrent(count() - 1); }
    bool atEnd() const { return m_index >= count() - 1; }
    /// The current step, or nullptr.
    const al::ForwardStep* step() const;
    /// The attention kind a step computes (self-attention of its stack, cross-attention), or none.
    static std::optional<al::AttentionKind> attentionKind(const al::ForwardStep& step);
    /// The index of the step that computes attention `kind` in 0-based `layer`; -1 when the
    /// trace has no such step.
    int stepOf(al::AttentionKind kind, int layer) const;
    /// Labels of the current step's stream rows: source tokens (encoder) or decoder inputs.
    QStringList positionTokens() const;

private:
    std::shared_ptr<const al::Trace> m_trace;
    int m_index = -1;
};

/// One box of the model's block diagram: a step of the forward pass, in an encoder column
/// (column 0) or a decoder column (column 1), with its row from the bottom (0 = embedding).
struct DiagramBox {
    int step = 0;      ///< index into ForwardTrace::steps
    int column = 0;    ///< 0 encoder, 1 decoder
    int row = 0;       ///< 0 at the bottom (embedding), increasing upwards
    QString text;      ///< short label, e.g. "Self-attention"
    int layer = -1;    ///< 0-based layer, -1 for embedding and final norm
};
/// The boxes of the diagram, one per step, in step order.
QVector<DiagramBox> diagramBoxes(const al::ForwardTrace& forward);
/// Rows the tallest column needs.
int diagramRows(const QVector<DiagramBox>& boxes);

/// The probabilities recomputed from a head's recorded values: normalisation of
/// scores * scale (softmax over the visible keys, or ReLU on them), masked keys 0; an all-masked
/// row is all zero. `fromQK`: start from Q K^T instead of the recorded scores (dot scoring only).
al::Mat recomputeProbabilities(const al::HeadDetail& head, double scale, bool relu = false, bool fromQK = true);

/// How one query row of a head becomes a weighted sum of the value rows:
/// context[query] = sum_j probs[query, j] * V[j] ("Attention Is All You Need" eq. 1).
struct WeightedSum {
    al::RowVec weights;  ///< (keys) the query's probability row
    al::Mat terms;       ///< (keys x D) row j = weights[j] * V[j]
    al::RowVec sum;      ///< (D) sum of the terms = the head output for this query
};
/// Throws al::Error when `query` is out of range or the head holds no values.
WeightedSum weightedSum(const al::HeadDetail& head, int query);

/// The mean residual-stream norm of every step (ForwardStep::mean_norm), in step order, and
/// short tick labels ("E emb", "E1 SA", "E1 AN", ..., "D emb", ...).
QVector<double> residualNorms(const al::ForwardTrace& forward);
QStringList residualNormLabels(const al::ForwardTrace& forward);

/// One thumbnail of the layer x head overview: every map of every attention kind in a Trace,
/// one block of rows per kind (a row per layer, a column per head).
struct OverviewCell {
    AttentionSelection sel;
    int row = 0;     ///< grid row, counting a caption row before each kind's block
    int column = 0;  ///< head
};
/// The cells in kind order (encoder self, decoder self, cross), then layer, then head; kinds the
/// trace lacks are skipped. `captionRows` receives the row of each present kind's caption.
QVector<OverviewCell> overviewCells(const al::Trace& trace, QVector<QPair<int, al::AttentionKind>>* captionRows = nullptr);

/// Comparing two sentences: the selection clamped into what both traces hold (layer and head
/// below the smaller count of the two; kind kept). `ok` is false when either trace lacks the kind.
struct PairSelection {
    AttentionSelection sel;
    bool ok = false;
};
PairSelection clampSelectionForBoth(const al::Trace& a, const al::Trace& b, AttentionSelection sel);

} // namespace al::ui
