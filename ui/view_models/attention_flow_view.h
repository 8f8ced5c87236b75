// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of the Attention flow tab: raw attention beside attention rollout and
// attention flow (Abnar & Zuidema 2020; engine/trace/attention_flow.h) for one self-attention
// stack up to a layer, or the source attribution of a decoder layer (cross-attention composed
// with the encoder's rollout and flow).
#include "engine/trace/trace.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace al::ui {

/// What the tab explains: one self-attention stack, or the source attribution of translation.
enum class FlowView { EncoderSelf, DecoderSelf, SourceAttribution };

/// The views a Trace supports, in the order the UI lists them (encoder and decoder self-attention
/// when recorded; source attribution when the Trace has cross-attention and encoder maps).
QVector<FlowView> flowViews(const al::Trace& trace);
/// User-visible name (translated), e.g. "Encoder self-attention".
QString flowViewName(FlowView view);
/// Stable identifier for file names: "enc-self", "dec-self", "source".
QString flowViewSlug(FlowView view);
/// Layers the view can be taken up to (decoder layers for source attribution); 0 when none.
int flowLayerCount(const al::Trace& trace, FlowView view);

/// Attention flow solves n^2 maximum flows: above this many positions the tab shows rollout only.
constexpr int kMaxFlowPositions = 80;

/// One selection of the tab.
struct FlowSelection {
    FlowView view = FlowView::EncoderSelf;
    int layer = 0; ///< 0-based; self-attention: rollout and flow up to this layer; source: the decoder layer
};

/// The three matrices the tab shows, with their axis labels.
struct FlowResult {
    FlowSelection selection;
    /// Self-attention: mean over heads of the layer's map (n x n). Source attribution: mean over
    /// heads of the layer's cross-attention (T x S).
    al::Mat raw;
    /// Self-attention: the rollout up to the layer (n x n). Source: raw * the encoder's last-layer rollout.
    al::Mat rollout;
    /// Self-attention: the flow up to the layer; source: raw * the encoder's last-layer flow.
    /// Empty when there are more than kMaxFlowPositions positions or the run was cancelled.
    al::Mat flow;
    QStringList queries, keys;  ///< row and column labels
    QString flowNote;           ///< why flow is empty (translated); empty otherwise
    QString error;              ///< non-empty when the Trace cannot give the selection
};

/// Computes the selection on `trace` (the flow can take a second: call off the GUI thread).
/// `cancelled` is polled while the flow is solved; when it returns true the result's flow is
/// empty. A selection the Trace does not hold gives `error`.
FlowResult computeFlow(const al::Trace& trace, const FlowSelection& selection,
                       const std::function<bool()>& cancelled = {});

/// Default export file name, e.g. "attention-flow_enc-self_layer2_rollout.png" (1-based layer).
QString flowExportFileName(const FlowSelection& selection, const QString& which, const QString& suffix = QStringLiteral("png"));

} // namespace al::ui
