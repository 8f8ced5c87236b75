// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the attention views, kept apart so tests reach it:
// which matrix of a Trace to show, which tokens label its rows and columns, tick positions,
// export file names.
#include "engine/trace/trace.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace al::ui {

/// One attention map of a Trace: kind, layer and head are 0-based.
struct AttentionSelection {
    al::AttentionKind kind = al::AttentionKind::EncoderSelf;
    int layer = 0;
    int head = 0;
};

/// All kinds in the order the UI lists them.
QVector<al::AttentionKind> attentionKinds();
/// User-visible name, e.g. "Encoder self-attention" (translated). `causal`: the one stack of a
/// decoder-only language model, which task models record as encoder self-attention, is named
/// "Causal self-attention".
QString attentionKindName(al::AttentionKind kind, bool causal = false);
/// Command-line and file-name identifier of a kind: "enc", "dec", "cross".
QString attentionKindId(al::AttentionKind kind);
/// Parses "enc", "dec" or "cross" (any case, surrounding blanks ignored); false on anything else.
bool parseAttentionKind(const QString& text, al::AttentionKind& kind);
/// Short stable identifier for file names: "enc-self", "dec-self", "cross".
QString attentionKindSlug(al::AttentionKind kind);

/// Layers recorded for `kind` in `trace` (0 when none).
int layerCount(const al::Trace& trace, al::AttentionKind kind);
/// Heads recorded for `kind` in layer `layer` (0 when the layer does not exist).
int headCount(const al::Trace& trace, al::AttentionKind kind, int layer);

/// The (queries x keys) matrix of the selection, or nullptr when the trace does not hold it.
const al::Mat* selectAttention(const al::Trace& trace, const AttentionSelection& sel);

/// Labels of the query axis (matrix rows). Encoder self-attention: source tokens; decoder
/// self-attention: decoder inputs ("<bos> y1 .. yn"); cross-attention: the token each decoder
/// position predicts ("y1 .. yn <eos>"), so a row reads "while producing y, looked at x".
QStringList queryTokens(const al::Trace& trace, al::AttentionKind kind);
/// Labels of the key axis (matrix columns): source tokens for encoder self- and
/// cross-attention, decoder inputs for decoder self-attention.
QStringList keyTokens(const al::Trace& trace, al::AttentionKind kind);

/// Tick positions 0, stride, 2*stride, .. < n (cell centres of a colour map whose cells sit on
/// integers) and their labels; labels longer than `maxChars` characters are elided with "…".
/// When there are fewer tokens than `n`, the missing labels are the 1-based position number.
struct TickLabels {
    QVector<double> positions;
    QVector<QString> labels;
};
TickLabels makeTickLabels(const QStringList& tokens, int n, int maxChars = 12, int stride = 1);

/// Every how many positions a label can be drawn so that labels of `labelPixels` (height, or
/// width when side by side) do not overlap along `availablePixels`; at least 1.
int tickStride(int n, double availablePixels, double labelPixels);

/// Default file name for exporting a heatmap: "attention_enc-self_layer1_head2.png"
/// (1-based layer and head, as the UI shows them).
QString defaultExportFileName(const AttentionSelection& sel, const QString& suffix = QStringLiteral("png"));

/// Clamps a selection into what the trace holds (layer and head >= 0); kind is kept.
AttentionSelection clampSelection(const al::Trace& trace, AttentionSelection sel);

} // namespace al::ui
