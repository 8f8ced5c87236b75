// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/head_mask.h"
#include "engine/core/error.h"

#include <algorithm>
#include <cstdlib>

namespace al {

namespace {

const char* kind_description(AttentionKind kind)
{
    switch (kind) {
    case AttentionKind::EncoderSelf: return "encoder self-attention";
    case AttentionKind::DecoderSelf: return "decoder self-attention";
    case AttentionKind::Cross: return "cross-attention";
    }
    return "";
}

// A non-negative decimal integer, the whole of `s`; -1 otherwise.
int parse_index(const std::string& s)
{
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return -1;
    return std::atoi(s.c_str());
}

} // namespace

std::string to_string(AttentionKind kind)
{
    switch (kind) {
    case AttentionKind::EncoderSelf: return "enc";
    case AttentionKind::DecoderSelf: return "dec";
    case AttentionKind::Cross: return "cross";
    }
    return "";
}

AttentionKind parse_attention_kind(const std::string& name)
{
    if (name == "enc")
        return AttentionKind::EncoderSelf;
    if (name == "dec")
        return AttentionKind::DecoderSelf;
    if (name == "cross")
        return AttentionKind::Cross;
    throw Error("attention kind must be \"enc\", \"dec\" or \"cross\", got \"" + name + "\"");
}

std::string to_string(AblationMode mode) { return mode == AblationMode::Mean ? "mean" : "zero"; }

AblationMode parse_ablation_mode(const std::string& name)
{
    if (name == "zero")
        return AblationMode::Zero;
    if (name == "mean")
        return AblationMode::Mean;
    throw Error("ablation mode must be \"zero\" or \"mean\", got \"" + name + "\"");
}

std::string to_string(const HeadId& id)
{
    return to_string(id.kind) + ":" + std::to_string(id.layer) + ":" + std::to_string(id.head);
}

HeadId parse_head_id(const std::string& text)
{
    const size_t a = text.find(':');
    const size_t b = a == std::string::npos ? a : text.find(':', a + 1);
    if (b == std::string::npos || text.find(':', b + 1) != std::string::npos)
        throw Error("head \"" + text + "\": expected kind:layer:head, e.g. enc:0:1");
    HeadId id;
    try {
        id.kind = parse_attention_kind(text.substr(0, a));
    } catch (const Error& e) {
        throw Error("head \"" + text + "\": " + e.what());
    }
    id.layer = parse_index(text.substr(a + 1, b - a - 1));
    id.head = parse_index(text.substr(b + 1));
    if (id.layer < 0 || id.head < 0)
        throw Error("head \"" + text + "\": layer and head must be non-negative integers");
    return id;
}

bool HeadMask::contains(const HeadId& id) const { return std::find(heads.begin(), heads.end(), id) != heads.end(); }

void HeadAblation::apply(Mat& ctx, int D) const
{
    for (size_t i = 0; i < heads.size(); ++i) {
        auto cols = ctx.middleCols(Eigen::Index(heads[i]) * D, D);
        if (mode == AblationMode::Zero)
            cols.setZero();
        else
            cols.rowwise() = mean.row(Eigen::Index(i));
    }
}

void HeadAblation::apply_backward(Mat& dctx, int D) const
{
    // forward: ctx_h = constant (0 or m_h) -> no gradient reaches the head's probabilities or values
    for (const int h : heads)
        dctx.middleCols(Eigen::Index(h) * D, D).setZero();
}

HeadAblation head_ablation_for(const HeadMask& mask, AttentionKind kind, int layer, int H, int D)
{
    HeadAblation a;
    a.mode = mask.mode;
    for (const HeadId& id : mask.heads)
        if (id.kind == kind && id.layer == layer && id.head >= 0 && id.head < H)
            a.heads.push_back(id.head);
    std::sort(a.heads.begin(), a.heads.end());
    a.heads.erase(std::unique(a.heads.begin(), a.heads.end()), a.heads.end());
    if (a.heads.empty() || mask.mode == AblationMode::Zero)
        return a;
    const std::vector<Mat>& per_layer = mask.means[size_t(kind)];
    if (size_t(layer) >= per_layer.size() || per_layer[size_t(layer)].rows() != H || per_layer[size_t(layer)].cols() != D)
        throw Error("mean ablation of " + to_string(HeadId{kind, layer, a.heads.front()}) + ": no (" + std::to_string(H) +
                    ", " + std::to_string(D) + ") head means for " + kind_description(kind) + " layer " +
                    std::to_string(layer));
    a.mean.resize(Eigen::Index(a.heads.size()), D);
    for (size_t i = 0; i < a.heads.size(); ++i)
        a.mean.row(Eigen::Index(i)) = per_layer[size_t(layer)].row(a.heads[i]);
    return a;
}

void check_head_mask(const HeadMask& mask, const std::array<int, kAttentionKinds>& layers, int H)
{
    for (const HeadId& id : mask.heads) {
        const int n = layers[size_t(id.kind)];
        const std::string name = to_string(id) + ": ";
        if (n == 0)
            throw Error(name + "the model has no " + kind_description(id.kind));
        if (id.layer < 0 || id.layer >= n)
            throw Error(name + "layer " + std::to_string(id.layer) + " out of range, the model has " + std::to_string(n) +
                        " " + kind_description(id.kind) + " layers (0.." + std::to_string(n - 1) + ")");
        if (id.head < 0 || id.head >= H)
            throw Error(name + "head " + std::to_string(id.head) + " out of range, the model has " + std::to_string(H) +
                        " heads (0.." + std::to_string(H - 1) + ")");
    }
}

} // namespace al
