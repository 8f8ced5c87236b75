// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/forward_view_model.h"
#include "engine/core/error.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace al::ui {

void ForwardStepper::setTrace(std::shared_ptr<const al::Trace> trace)
{
    m_trace = std::move(trace);
    m_index = count() > 0 ? 0 : -1;
}

int ForwardStepper::count() const
{
    return m_trace ? int(m_trace->forward.steps.size()) : 0;
}

bool ForwardStepper::setCurrent(int index)
{
    if (count() == 0)
        return false;
    index = std::clamp(index, 0, count() - 1);
    if (index == m_index)
        return false;
    m_index = index;
    return true;
}

const al::ForwardStep* ForwardStepper::step() const
{
    return m_index >= 0 && m_index < count() ? &m_trace->forward.steps[size_t(m_index)] : nullptr;
}

std::optional<al::AttentionKind> ForwardStepper::attentionKind(const al::ForwardStep& step)
{
    if (step.stage == al::ForwardStage::SelfAttention)
        return step.decoder ? al::AttentionKind::DecoderSelf : al::AttentionKind::EncoderSelf;
    if (step.stage == al::ForwardStage::CrossAttention)
        return al::AttentionKind::Cross;
    return std::nullopt;
}

int ForwardStepper::stepOf(al::AttentionKind kind, int layer) const
{
    if (!m_trace)
        return -1;
    const std::vector<al::ForwardStep>& steps = m_trace->forward.steps;
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i].layer == layer && attentionKind(steps[i]) == kind)
            return int(i);
    return -1;
}

QStringList ForwardStepper::positionTokens() const
{
    QStringList out;
    const al::ForwardStep* s = step();
    if (!s)
        return out;
    for (const std::string& t : s->decoder ? m_trace->tgt_in_tokens : m_trace->src_tokens)
        out << QString::fromStdString(t);
    return out;
}

namespace {

QString boxText(al::ForwardStage s)
{
    switch (s) {
    case al::ForwardStage::Embedding: return QCoreApplication::translate("ForwardStepper", "Embedding + PE");
    case al::ForwardStage::SelfAttention: return QCoreApplication::translate("ForwardStepper", "Self-attention");
    case al::ForwardStage::CrossAttention: return QCoreApplication::translate("ForwardStepper", "Cross-attention");
    case al::ForwardStage::FeedForward: return QCoreApplication::translate("ForwardStepper", "Feed-forward");
    case al::ForwardStage::AddNorm: return QCoreApplication::translate("ForwardStepper", "Add & norm");
    case al::ForwardStage::FinalNorm: return QCoreApplication::translate("ForwardStepper", "Final norm");
    }
    return QString();
}

QString shortStage(al::ForwardStage s)
{
    switch (s) {
    case al::ForwardStage::Embedding: return QStringLiteral("emb");
    case al::ForwardStage::SelfAttention: return QStringLiteral("SA");
    case al::ForwardStage::CrossAttention: return QStringLiteral("CA");
    case al::ForwardStage::FeedForward: return QStringLiteral("FF");
    case al::ForwardStage::AddNorm: return QStringLiteral("AN");
    case al::ForwardStage::FinalNorm: return QStringLiteral("norm");
    }
    return QString();
}

} // namespace

QVector<DiagramBox> diagramBoxes(const al::ForwardTrace& forward)
{
    QVector<DiagramBox> boxes;
    int rows[2] = {0, 0};
    for (size_t i = 0; i < forward.steps.size(); ++i) {
        const al::ForwardStep& s = forward.steps[i];
        DiagramBox b;
        b.step = int(i);
        b.column = s.decoder ? 1 : 0;
        b.row = rows[b.column]++;
        b.text = boxText(s.stage);
        b.layer = s.layer;
        boxes << b;
    }
    return boxes;
}

int diagramRows(const QVector<DiagramBox>& boxes)
{
    int n = 0;
    for (const DiagramBox& b : boxes)
        n = std::max(n, b.row + 1);
    return n;
}

al::Mat recomputeProbabilities(const al::HeadDetail& head, double scale, bool relu, bool fromQK)
{
    al::Mat s;
    if (fromQK) {
        if (head.q.size() == 0 || head.k.size() == 0)
            throw al::Error("recomputeProbabilities: the head recorded no queries and keys");
        s = (head.q * head.k.transpose()) * al::Scalar(scale);
    } else {
        if (head.scores.size() == 0)
            throw al::Error("recomputeProbabilities: the head recorded no scores");
        s = head.scores * al::Scalar(scale);
    }
    if (head.visible.rows() != s.rows() || head.visible.cols() != s.cols())
        throw al::Error("recomputeProbabilities: mask and scores differ in shape");
    al::Mat p = al::Mat::Zero(s.rows(), s.cols());
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        double mx = -INFINITY;
        for (Eigen::Index j = 0; j < s.cols(); ++j)
            if (head.visible(i, j) > 0)
                mx = std::max(mx, double(s(i, j)));
        if (!std::isfinite(mx))
            continue; // nothing visible: zero row
        double sum = 0;
        for (Eigen::Index j = 0; j < s.cols(); ++j) {
            if (head.visible(i, j) <= 0)
                continue;
            const double v = relu ? std::max(0.0, double(s(i, j))) : std::exp(double(s(i, j)) - mx);
            p(i, j) = al::Scalar(v);
            sum += v;
        }
        if (!relu && sum > 0)
            p.row(i) /= al::Scalar(sum);
    }
    return p;
}

WeightedSum weightedSum(const al::HeadDetail& head, int query)
{
    if (head.v.size() == 0)
        throw al::Error("weightedSum: the head recorded no values");
    if (query < 0 || query >= head.probs.rows())
        throw al::Error("weightedSum: query " + std::to_string(query) + " out of range (" +
                        std::to_string(head.probs.rows()) + " queries)");
    WeightedSum w;
    w.weights = head.probs.row(query);
    w.terms = w.weights.transpose().asDiagonal() * head.v;
    w.sum = w.terms.colwise().sum();
    return w;
}

QVector<double> residualNorms(const al::ForwardTrace& forward)
{
    QVector<double> out;
    for (const al::ForwardStep& s : forward.steps)
        out << s.mean_norm;
    return out;
}

QStringList residualNormLabels(const al::ForwardTrace& forward)
{
    QStringList out;
    for (const al::ForwardStep& s : forward.steps) {
        QString l = s.decoder ? QStringLiteral("D") : QStringLiteral("E");
        if (s.layer >= 0)
            l += QString::number(s.layer + 1);
        out << l + QLatin1Char(' ') + shortStage(s.stage);
    }
    return out;
}

QVector<OverviewCell> overviewCells(const al::Trace& trace, QVector<QPair<int, al::AttentionKind>>* captionRows)
{
    QVector<OverviewCell> cells;
    int row = 0;
    for (al::AttentionKind kind : attentionKinds()) {
        const int layers = layerCount(trace, kind);
        if (layers == 0)
            continue;
        if (captionRows)
            *captionRows << qMakePair(row, kind);
        ++row;
        for (int l = 0; l < layers; ++l) {
            for (int h = 0; h < headCount(trace, kind, l); ++h) {
                OverviewCell c;
                c.sel.kind = kind;
                c.sel.layer = l;
                c.sel.head = h;
                c.row = row;
                c.column = h;
                cells << c;
            }
            ++row;
        }
    }
    return cells;
}

PairSelection clampSelectionForBoth(const al::Trace& a, const al::Trace& b, AttentionSelection sel)
{
    PairSelection out;
    const int layers = std::min(layerCount(a, sel.kind), layerCount(b, sel.kind));
    if (layers == 0) {
        out.sel = sel;
        return out;
    }
    sel.layer = std::clamp(sel.layer, 0, layers - 1);
    const int heads = std::min(headCount(a, sel.kind, sel.layer), headCount(b, sel.kind, sel.layer));
    if (heads == 0) {
        out.sel = sel;
        return out;
    }
    sel.head = std::clamp(sel.head, 0, heads - 1);
    out.sel = sel;
    out.ok = true;
    return out;
}

} // namespace al::ui
