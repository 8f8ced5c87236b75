// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/attention_selection.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

QStringList toQStringList(const std::vector<std::string>& tokens)
{
    QStringList out;
    out.reserve(static_cast<int>(tokens.size()));
    for (const std::string& t : tokens)
        out << QString::fromStdString(t);
    return out;
}

} // namespace

QVector<al::AttentionKind> attentionKinds()
{
    return {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross};
}

QString attentionKindName(al::AttentionKind kind, bool causal)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf:
        return causal ? QCoreApplication::translate("AttentionSelection", "Causal self-attention")
                      : QCoreApplication::translate("AttentionSelection", "Encoder self-attention");
    case al::AttentionKind::DecoderSelf:
        return QCoreApplication::translate("AttentionSelection", "Decoder masked self-attention");
    case al::AttentionKind::Cross:
        return QCoreApplication::translate("AttentionSelection", "Cross-attention");
    }
    return {};
}

QString attentionKindId(al::AttentionKind kind)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf: return QStringLiteral("enc");
    case al::AttentionKind::DecoderSelf: return QStringLiteral("dec");
    case al::AttentionKind::Cross: return QStringLiteral("cross");
    }
    return {};
}

bool parseAttentionKind(const QString& text, al::AttentionKind& kind)
{
    const QString t = text.trimmed().toLower();
    for (al::AttentionKind k : attentionKinds()) {
        if (t == attentionKindId(k)) {
            kind = k;
            return true;
        }
    }
    return false;
}

QString attentionKindSlug(al::AttentionKind kind)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf: return QStringLiteral("enc-self");
    case al::AttentionKind::DecoderSelf: return QStringLiteral("dec-self");
    case al::AttentionKind::Cross: return QStringLiteral("cross");
    }
    return {};
}

int layerCount(const al::Trace& trace, al::AttentionKind kind)
{
    return static_cast<int>(al::attention_maps(trace, kind).size());
}

int headCount(const al::Trace& trace, al::AttentionKind kind, int layer)
{
    const al::AttentionMaps& maps = al::attention_maps(trace, kind);
    if (layer < 0 || layer >= static_cast<int>(maps.size()))
        return 0;
    return static_cast<int>(maps[static_cast<size_t>(layer)].size());
}

const al::Mat* selectAttention(const al::Trace& trace, const AttentionSelection& sel)
{
    if (sel.head < 0 || sel.head >= headCount(trace, sel.kind, sel.layer))
        return nullptr;
    return &al::attention_maps(trace, sel.kind)[static_cast<size_t>(sel.layer)][static_cast<size_t>(sel.head)];
}

QStringList queryTokens(const al::Trace& trace, al::AttentionKind kind)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf: return toQStringList(trace.src_tokens);
    case al::AttentionKind::DecoderSelf: return toQStringList(trace.tgt_in_tokens);
    case al::AttentionKind::Cross: return toQStringList(trace.tgt_out_tokens);
    }
    return {};
}

QStringList keyTokens(const al::Trace& trace, al::AttentionKind kind)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf:
    case al::AttentionKind::Cross: return toQStringList(trace.src_tokens);
    case al::AttentionKind::DecoderSelf: return toQStringList(trace.tgt_in_tokens);
    }
    return {};
}

TickLabels makeTickLabels(const QStringList& tokens, int n, int maxChars, int stride)
{
    TickLabels out;
    stride = std::max(stride, 1);
    for (int i = 0; i < n; i += stride) {
        QString label = i < tokens.size() ? tokens[i] : QString::number(i + 1);
        if (maxChars > 1 && label.size() > maxChars)
            label = label.left(maxChars - 1) + QChar(0x2026);
        out.positions << double(i);
        out.labels << label;
    }
    return out;
}

int tickStride(int n, double availablePixels, double labelPixels)
{
    if (n <= 1 || labelPixels <= 0)
        return 1;
    if (availablePixels <= labelPixels)
        return std::max(n, 1);
    const double perLabel = availablePixels / n;
    return std::max(1, static_cast<int>(std::ceil(labelPixels / perLabel)));
}

QString defaultExportFileName(const AttentionSelection& sel, const QString& suffix)
{
    return QStringLiteral("attention_%1_layer%2_head%3.%4")
        .arg(attentionKindSlug(sel.kind))
        .arg(sel.layer + 1)
        .arg(sel.head + 1)
        .arg(suffix);
}

AttentionSelection clampSelection(const al::Trace& trace, AttentionSelection sel)
{
    const int layers = layerCount(trace, sel.kind);
    sel.layer = std::clamp(sel.layer, 0, std::max(layers - 1, 0));
    const int heads = headCount(trace, sel.kind, sel.layer);
    sel.head = std::clamp(sel.head, 0, std::max(heads - 1, 0));
    return sel;
}

} // namespace al::ui
