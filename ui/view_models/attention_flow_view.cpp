// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/attention_flow_view.h"

#include "engine/trace/attention_flow.h"
#include "ui/view_models/attention_selection.h"

#include <QCoreApplication>

#include <exception>

namespace al::ui {

namespace {

al::AttentionKind selfKind(FlowView view)
{
    return view == FlowView::DecoderSelf ? al::AttentionKind::DecoderSelf : al::AttentionKind::EncoderSelf;
}

} // namespace

QVector<FlowView> flowViews(const al::Trace& trace)
{
    QVector<FlowView> out;
    if (!trace.enc_self.empty())
        out << FlowView::EncoderSelf;
    if (!trace.dec_self.empty())
        out << FlowView::DecoderSelf;
    if (!trace.cross.empty() && !trace.enc_self.empty())
        out << FlowView::SourceAttribution;
    return out;
}

QString flowViewName(FlowView view)
{
    switch (view) {
    case FlowView::EncoderSelf: return QCoreApplication::translate("AttentionFlowView", "Encoder self-attention");
    case FlowView::DecoderSelf: return QCoreApplication::translate("AttentionFlowView", "Decoder self-attention");
    case FlowView::SourceAttribution: return QCoreApplication::translate("AttentionFlowView", "Source attribution (cross-attention)");
    }
    return {};
}

QString flowViewSlug(FlowView view)
{
    switch (view) {
    case FlowView::EncoderSelf: return QStringLiteral("enc-self");
    case FlowView::DecoderSelf: return QStringLiteral("dec-self");
    case FlowView::SourceAttribution: return QStringLiteral("source");
    }
    return {};
}

int flowLayerCount(const al::Trace& trace, FlowView view)
{
    if (!flowViews(trace).contains(view))
        return 0;
    return int(view == FlowView::SourceAttribution ? trace.cross.size() : attention_maps(trace, selfKind(view)).size());
}

FlowResult computeFlow(const al::Trace& trace, const FlowSelection& selection, const std::function<bool()>& cancelled)
{
    FlowResult r;
    r.selection = selection;
    const int layers = flowLayerCount(trace, selection.view);
    if (layers == 0) {
        r.error = QCoreApplication::translate("AttentionFlowView", "%1 is not recorded by this model.").arg(flowViewName(selection.view));
        return r;
    }
    if (selection.layer < 0 || selection.layer >= layers) {
        r.error = QCoreApplication::translate("AttentionFlowView", "Layer %1 does not exist: this model has %2.").arg(selection.layer + 1).arg(layers);
        return r;
    }
    try {
        const bool source = selection.view == FlowView::SourceAttribution;
        const al::AttentionKind kind = source ? al::AttentionKind::Cross : selfKind(selection.view);
        r.queries = queryTokens(trace, kind);
        r.keys = keyTokens(trace, kind);
        // Self-attention: rollout and flow of this stack up to the layer. Source attribution:
        // the encoder's, of its last layer (the memory), then composed with the cross-attention.
        const al::AttentionMaps& self = source ? trace.enc_self : attention_maps(trace, kind);
        const int top = source ? int(self.size()) - 1 : selection.layer;
        const al::Mat rollout = al::attention_rollout(self)[size_t(top)];
        const int n = int(rollout.rows());
        al::Mat flow;
        if (n > kMaxFlowPositions)
            r.flowNote = QCoreApplication::translate("AttentionFlowView", "Attention flow is computed for up to %1 positions (it solves n² maximum flows); "
                            "this sentence has %2.").arg(kMaxFlowPositions).arg(n);
        else {
            flow = al::attention_flow(self, top, 0.5, cancelled);
            if (flow.size() == 0)
                r.flowNote = QCoreApplication::translate("AttentionFlowView", "Stopped.");
        }
        if (source) {
            r.raw = al::head_mean(trace.cross[size_t(selection.layer)]);
            r.rollout = al::source_attribution(r.raw, rollout);
            if (flow.size() > 0)
                r.flow = al::source_attribution(r.raw, flow);
        } else {
            r.raw = al::head_mean(self[size_t(selection.layer)]);
            r.rollout = rollout;
            r.flow = flow;
        }
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
        r.raw = r.rollout = r.flow = al::Mat();
    }
    return r;
}

QString flowExportFileName(const FlowSelection& selection, const QString& which, const QString& suffix)
{
    return QStringLiteral("attention-flow_%1_layer%2_%3.%4")
        .arg(flowViewSlug(selection.view))
        .arg(selection.layer + 1)
        .arg(which, suffix);
}

} // namespace al::ui
