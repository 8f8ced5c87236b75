// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/timeline_view.h"

#include "engine/core/error.h"
#include "engine/io/config_json.h"
#include "engine/io/model_dir.h"
#include "ui/view_models/attention_selection.h"

#include <QCoreApplication>
#include <QDir>

#include <cmath>
#include <limits>

namespace al::ui {

namespace {

QString kindName(al::AttentionKind kind) { return attentionKindName(kind).toLower(); }

QStringList toQt(const std::vector<std::string>& tokens)
{
    QStringList out;
    for (const std::string& t : tokens)
        out << QString::fromStdString(t);
    return out;
}

} // namespace

TimelineSnapshot readModelTimeline(const QString& dir)
{
    const std::string d = QDir(dir).absolutePath().toStdString();
    if (!al::has_model_timeline(d))
        throw al::Error("'" + d + "' has no training timeline (timeline.json): train it with --timeline true");
    const al::ModelFamily family = al::model_dir_family(d);
    const al::ModelConfig cfg = al::model_config_from_json(al::read_model_config_json(d, family), d + "/config.json");
    return std::make_shared<const al::TrainingTimeline>(al::read_model_timeline(d, cfg));
}

TimelineView::TimelineView(TimelineSnapshot timeline) : m_timeline(std::move(timeline)) {}

int TimelineView::stepCount() const { return m_timeline ? int(m_timeline->records().size()) : 0; }

qint64 TimelineView::stepAt(int index) const
{
    if (index < 0 || index >= stepCount())
        throw al::Error("timeline: step index " + std::to_string(index) + " is out of range (" +
                        std::to_string(stepCount()) + " recorded steps)");
    return m_timeline->records()[size_t(index)]->step;
}

int TimelineView::nearestStepIndex(qint64 step) const { return m_timeline ? m_timeline->nearest(step) : -1; }

int TimelineView::probeCount() const { return m_timeline ? int(m_timeline->probes().size()) : 0; }

QString TimelineView::probeText(int probe) const
{
    if (probe < 0 || probe >= probeCount())
        return {};
    return QString::fromStdString(m_timeline->probes()[size_t(probe)].text);
}

QVector<al::AttentionKind> TimelineView::kinds(int probe) const
{
    QVector<al::AttentionKind> out;
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross})
        if (layers(k, probe) > 0)
            out << k;
    return out;
}

int TimelineView::layers(al::AttentionKind kind, int probe) const
{
    if (isEmpty() || probe < 0 || probe >= probeCount())
        return 0;
    return int(m_timeline->records().front()->frames[size_t(probe)].kind(kind).size());
}

int TimelineView::heads(al::AttentionKind kind, int probe) const
{
    if (layers(kind, probe) == 0)
        return 0;
    return int(m_timeline->records().front()->frames[size_t(probe)].kind(kind).front().size());
}

QString TimelineView::check(const TimelineSelection& s) const
{
    if (isEmpty())
        return QStringLiteral("the model has no training timeline");
    if (s.probe < 0 || s.probe >= probeCount())
        return QStringLiteral("probe %1: the timeline has %2 probe(s) (1-%2)").arg(s.probe + 1).arg(probeCount());
    const int L = layers(s.kind, s.probe);
    if (L == 0)
        return QStringLiteral("the timeline holds no %1").arg(kindName(s.kind));
    if (s.layer < 0 || s.layer >= L)
        return QStringLiteral("layer %1: %2 has %3 layer(s) (1-%3)").arg(s.layer + 1).arg(kindName(s.kind)).arg(L);
    const int H = heads(s.kind, s.probe);
    if (s.head < 0 || s.head >= H)
        return QStringLiteral("head %1: %2 has %3 head(s) (1-%3)").arg(s.head + 1).arg(kindName(s.kind)).arg(H);
    return {};
}

const al::TimelineFrame& TimelineView::frameOf(const TimelineSelection& s, int stepIndex) const
{
    if (const QString problem = check(s); !problem.isEmpty())
        throw al::Error("timeline: " + problem.toStdString());
    stepAt(stepIndex); // range check
    const al::TimelineFrame& f = m_timeline->records()[size_t(stepIndex)]->frames[size_t(s.probe)];
    const al::MapsF& maps = f.kind(s.kind);
    if (s.layer >= int(maps.size()) || s.head >= int(maps[size_t(s.layer)].size()))
        throw al::Error("timeline: step " + std::to_string(stepAt(stepIndex)) + " holds no such head");
    return f;
}

TimelineFrameView TimelineView::frame(const TimelineSelection& s, int stepIndex) const
{
    const al::TimelineFrame& f = frameOf(s, stepIndex);
    TimelineFrameView v;
    v.map = f.kind(s.kind)[size_t(s.layer)][size_t(s.head)];
    const QStringList src = toQt(f.src_tokens), tgt = toQt(f.tgt_in_tokens);
    v.rowTokens = s.kind == al::AttentionKind::EncoderSelf ? src : tgt;
    v.colTokens = s.kind == al::AttentionKind::DecoderSelf ? tgt : src;
    const al::TimelineRecord& r = *m_timeline->records()[size_t(stepIndex)];
    v.step = r.step;
    v.loss = r.loss;
    return v;
}

TimelineCurves TimelineView::curves(const TimelineSelection& s) const
{
    if (const QString problem = check(s); !problem.isEmpty())
        throw al::Error("timeline: " + problem.toStdString());
    TimelineCurves c;
    const al::MapF& alignment = m_timeline->probes()[size_t(s.probe)].alignment;
    for (int i = 0; i < stepCount(); ++i) {
        const al::TimelineRecord& r = *m_timeline->records()[size_t(i)];
        c.steps << double(r.step);
        c.loss << r.loss;
        const al::MapsF& maps = r.frames[size_t(s.probe)].kind(s.kind);
        if (s.layer >= int(maps.size()) || s.head >= int(maps[size_t(s.layer)].size())) {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            c.entropy << nan;
            for (auto& a : c.agreement)
                a << nan;
            continue;
        }
        const al::HeadFigures f = al::head_figures(maps[size_t(s.layer)][size_t(s.head)], s.kind, alignment);
        c.entropy << f.entropy;
        for (int p = 0; p < al::kTimelinePatterns; ++p) {
            c.agreement[size_t(p)] << f.agreement[size_t(p)];
            c.applies[size_t(p)] = c.applies[size_t(p)] || std::isfinite(f.agreement[size_t(p)]);
        }
    }
    return c;
}

al::MapF TimelineView::difference(const TimelineSelection& s, int stepA, int stepB) const
{
    const al::MapF& a = frameOf(s, stepA).kind(s.kind)[size_t(s.layer)][size_t(s.head)];
    const al::MapF& b = frameOf(s, stepB).kind(s.kind)[size_t(s.layer)][size_t(s.head)];
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw al::Error("timeline: the maps of step " + std::to_string(stepAt(stepA)) + " (" + std::to_string(a.rows()) +
                        " x " + std::to_string(a.cols()) + ") and step " + std::to_string(stepAt(stepB)) + " (" +
                        std::to_string(b.rows()) + " x " + std::to_string(b.cols()) +
                        ") differ in shape (the probe's translation changed): they cannot be subtracted");
    return b - a;
}

TimelineModelComparison TimelineView::compareWithModel(const TimelineSelection& s, int stepIndex,
                                                       const TimelineView& other) const
{
    const TimelineFrameView mine = frame(s, stepIndex);
    if (other.isEmpty())
        throw al::Error("timeline: the other model has no training timeline");
    TimelineModelComparison c;
    const QString text = probeText(s.probe);
    for (int p = 0; p < other.probeCount() && c.otherProbe < 0; ++p)
        if (other.probeText(p) == text)
            c.otherProbe = p;
    if (c.otherProbe < 0)
        throw al::Error("timeline: the other model's timeline has no probe \"" + text.toStdString() +
                        "\" (its probes are chosen when it is trained; train both with the same --timeline-probe)");
    TimelineSelection o = s;
    o.probe = c.otherProbe;
    if (const QString problem = other.check(o); !problem.isEmpty())
        throw al::Error("timeline: the other model: " + problem.toStdString());
    c.otherIndex = other.nearestStepIndex(mine.step);
    c.other = other.frame(o, c.otherIndex);
    if (c.other.rowTokens != mine.rowTokens || c.other.colTokens != mine.colTokens) {
        auto joined = [](const TimelineFrameView& f) {
            return "rows [" + f.rowTokens.join(' ').toStdString() + "], keys [" + f.colTokens.join(' ').toStdString() + "]";
        };
        throw al::Error("timeline: the two models' maps of this probe differ in tokens (this model: " + joined(mine) +
                        "; the other: " + joined(c.other) + "): they cannot be subtracted");
    }
    c.difference = mine.map - c.other.map;
    return c;
}

} // namespace al::ui
