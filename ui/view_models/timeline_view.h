// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free view of a training timeline (engine/trace/timeline.h; docs/timeline.md): what a
// timeline scrubber, its curves and a step-difference heatmap draw, and what the headless
// `attention-lab export --timeline` writes. Reads a shared, immutable timeline snapshot, so it
// may be used on any thread.
#include "engine/trace/timeline.h"
#include "ui/view_models/training_session.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <array>

namespace al::ui {

/// One head of one probe: kind, 0-based layer and head, probe index (TrainingTimeline::probes()).
struct TimelineSelection {
    al::AttentionKind kind = al::AttentionKind::EncoderSelf;
    int layer = 0;
    int head = 0;
    int probe = 0;
};

/// The map of a selection at one recorded step, with its tick labels.
struct TimelineFrameView {
    al::MapF map;             ///< (queries x keys) attention weights
    QStringList rowTokens;    ///< the queries' tokens
    QStringList colTokens;    ///< the keys' tokens
    qint64 step = 0;          ///< the record's optimizer step
    double loss = 0;          ///< its training loss (nats per target token; NaN for none)
};

/// The curves of a selection over the recorded steps (one point per record, in step order).
struct TimelineCurves {
    QVector<double> steps;    ///< optimizer steps
    QVector<double> loss;     ///< training loss at each step (NaN where none)
    QVector<double> entropy;  ///< al::attention_entropy of the head, nats
    /// By al::TimelinePattern: al::pattern_agreement with the probe's alignment (NaN where it
    /// does not apply); applies[p] says whether the pattern applies to the selection at all.
    std::array<QVector<double>, al::kTimelinePatterns> agreement;
    std::array<bool, al::kTimelinePatterns> applies{};
};

/// The same head in another model's timeline, for a side-by-side comparison.
struct TimelineModelComparison {
    TimelineFrameView other;  ///< the other model's map, at its recorded step nearest to this one's
    al::MapF difference;      ///< this model's map minus the other's, (queries x keys)
    int otherIndex = -1;      ///< the other timeline's record index
    int otherProbe = -1;      ///< the other timeline's probe of the same text
};

class TimelineView {
public:
    /// `timeline` may be null (an empty view).
    explicit TimelineView(TimelineSnapshot timeline = {});

    const TimelineSnapshot& timeline() const { return m_timeline; }
    bool isEmpty() const { return !m_timeline || m_timeline->empty(); }
    /// Recorded steps, in order; stepAt(i) is the step of record i.
    int stepCount() const;
    qint64 stepAt(int index) const;
    /// Index of the record nearest to the training step `step` (the earlier on a tie); -1 when empty.
    int nearestStepIndex(qint64 step) const;
    int probeCount() const;
    QString probeText(int probe) const;
    /// The kinds the first record holds for `probe` (encoder self, decoder self, cross in that order).
    QVector<al::AttentionKind> kinds(int probe = 0) const;
    /// Layer and head counts of a kind in the first record (0 when it has none).
    int layers(al::AttentionKind kind, int probe = 0) const;
    int heads(al::AttentionKind kind, int probe = 0) const;

    /// Empty when `selection` names a probe, kind, layer and head of the timeline, else the
    /// reason, 1-based as the user gives them ("layer 3: cross-attention has 2 layers (1-2)").
    QString check(const TimelineSelection& selection) const;
    /// The selection's map at record `stepIndex`. Throws al::Error for a selection check()
    /// refuses or an index out of range.
    TimelineFrameView frame(const TimelineSelection& selection, int stepIndex) const;
    /// The selection's entropy and pattern-agreement curves and the loss. Throws as frame().
    TimelineCurves curves(const TimelineSelection& selection) const;
    /// map(stepB) - map(stepA) of the selection, (queries x keys), positive where attention grew.
    /// Throws al::Error as frame() and when the two steps' maps differ in shape (a probe without
    /// a reference is translated anew at each step), naming both steps and shapes.
    al::MapF difference(const TimelineSelection& selection, int stepA, int stepB) const;

    /// The selection's head at record `stepIndex` beside the same head of the same probe text in
    /// `other` (another model's timeline) at the other's recorded step nearest to this record's
    /// step. Throws al::Error naming what does not match: the probe (not among the other's
    /// probes), the head (the other has fewer layers or heads), or the tokens and shape (the two
    /// models tokenise the probe differently, or translate a reference-less probe differently).
    TimelineModelComparison compareWithModel(const TimelineSelection& selection, int stepIndex,
                                             const TimelineView& other) const;

private:
    const al::TimelineFrame& frameOf(const TimelineSelection& selection, int stepIndex) const;

    TimelineSnapshot m_timeline;
};

/// The training timeline of the model directory `dir` (timeline.json and timeline.safetensors),
/// checked against its config.json. Throws al::Error naming the file and the field, or saying
/// that the directory has no timeline.
TimelineSnapshot readModelTimeline(const QString& dir);

} // namespace al::ui
