// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The training timeline (docs/timeline.md): the attention maps of a few probe sentences recorded
// while a model trains, at steps spaced densely early and sparsely late, within a memory bound,
// and the per-head figures that show a head "form": the entropy of its rows and its agreement
// with fixed patterns (attend to self, to the previous token, to the first token, and for
// cross-attention to the reference alignment of an algorithmic task).
//
// Memory accounting: TimelineFrame::bytes() counts what a record holds, 4 bytes per stored float
// of the maps plus the UTF-8 bytes of its tokens plus kTimelineTokenOverhead per token (the
// std::string object); the vectors' own headers are left out (a few hundred bytes per frame).
// TrainingTimeline keeps the sum of its records at or under max_bytes: a record that would pass
// it first thins the schedule (TimelineSchedule::thin: every other late step is dropped, the
// spacing stays logarithmic) until it fits.
#include "engine/trace/trace.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace al {

struct TranslationModel;
struct TaskModel;
struct TaskCorpus;
struct SentencePair;
enum class AlgorithmicTask;

/// A stored attention map: (queries x keys) float32, rows = queries (float in every engine build:
/// the timeline stores, it does not compute gradients).
using MapF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// maps[layer][head] of one attention kind.
using MapsF = std::vector<std::vector<MapF>>;

/// Bytes counted per token beyond its UTF-8 bytes (sizeof(std::string) on the 64-bit ABIs).
inline constexpr size_t kTimelineTokenOverhead = 32;

/// A probe sentence: what the recorder runs the model on at each recorded step.
struct TimelineProbe {
    std::string text;      ///< the source sentence (translation) or the task model's input text
    /// Translation: the reference target, teacher-forced so that every recorded step has the same
    /// tokens (and the frames of two steps can be subtracted); empty = the model's own greedy
    /// translation at that step (its tokens may change from step to step). Task models: unused.
    std::string reference;
    /// (T x S) 1 where decoder position t is aligned with source position j under the
    /// algorithmic task's textbook alignment (expected_alignment: copy, reverse, sort), 0
    /// elsewhere; the EOS row and column are 0. Empty when the task has none (translation).
    MapF alignment;
};

/// One probe at one step: the tokens and the attention maps of every kind the model has.
struct TimelineFrame {
    std::vector<std::string> src_tokens;     ///< S encoder positions (empty for a decoder-only model)
    std::vector<std::string> tgt_in_tokens;  ///< T decoder inputs
    std::vector<std::string> tgt_out_tokens; ///< T decoder outputs
    /// Indexed by AttentionKind (EncoderSelf, DecoderSelf, Cross): [layer][head], S x S, T x T
    /// and T x S; a kind the model does not have is empty.
    std::array<MapsF, 3> maps;

    const MapsF& kind(AttentionKind k) const { return maps[size_t(k)]; }
    /// Counted memory (see the top of this file), in bytes.
    size_t bytes() const;
};

/// The frames of one recorded step.
struct TimelineRecord {
    int64_t step = 0;   ///< optimizer steps done when the probes ran (0 = the initial weights)
    /// Training loss of that step (label-smoothed cross-entropy, nats per target token, the
    /// trainer's StepStats::loss); NaN for step 0 and for a step recorded without one.
    double loss = std::numeric_limits<double>::quiet_NaN();
    std::vector<TimelineFrame> frames; ///< one per probe, in TrainingTimeline::probes() order
    size_t bytes() const;              ///< sum of the frames' bytes()
};

/// The steps at which a timeline records: step 0, then in the octave [2^k, 2^(k+1)) every
/// gap(step) = clamp(2^k / per_octave, 1, max_gap) steps, i.e. per_octave records per doubling
/// of the step count (log-spaced) until the gap reaches max_gap, then every max_gap steps. Every
/// gap is a power of two (per_octave and max_gap are), so thin() keeps a subset of the steps.
struct TimelineSchedule {
    int per_octave = 8;     ///< records per doubling of the step count; a power of two >= 1
    int64_t max_gap = 256;  ///< the largest gap between records, in steps; a power of two >= 1

    /// Gap between records in the octave of `step` (>= 1); 1 for steps 0 and 1.
    int64_t gap(int64_t step) const;
    /// Whether `step` (>= 0) is a recorded step.
    bool due(int64_t step) const { return step >= 0 && step % gap(step) == 0; }
    /// The next sparser schedule: per_octave halved (down to 1) and max_gap doubled, which keeps
    /// every other step of each octave at and above the point where the gap doubles. Returns
    /// false, changing nothing, when there is nothing left to thin below `last_step`: per_octave
    /// is 1 and max_gap already exceeds last_step (only step 0 and the powers of two are due).
    bool thin(int64_t last_step);
    /// Throws al::Error unless per_octave and max_gap are powers of two in [1, 2^20] and
    /// [1, 2^40].
    void validate() const;
};

/// The default memory bound of a timeline: 50 MB (50 * 10^6 bytes).
inline constexpr size_t kDefaultTimelineBytes = 50'000'000;
/// Probe sentences chosen from the validation split when none are given.
inline constexpr int kDefaultTimelineProbes = 3;

/// Probes and records of one training run (and of the runs that continued it). Records are
/// immutable once added and shared: a copy of the timeline (a snapshot for another thread) copies
/// pointers, not maps. Not thread-safe; one thread records, others read copies.
class TrainingTimeline {
public:
    TrainingTimeline() = default;
    /// Throws al::Error for an invalid schedule or max_bytes == 0.
    TrainingTimeline(std::vector<TimelineProbe> probes, TimelineSchedule schedule = {},
                     size_t max_bytes = kDefaultTimelineBytes);

    const std::vector<TimelineProbe>& probes() const { return m_probes; }
    const std::vector<std::shared_ptr<const TimelineRecord>>& records() const { return m_records; }
    const TimelineSchedule& schedule() const { return m_schedule; }
    size_t max_bytes() const { return m_max_bytes; }
    /// Counted bytes of the records held (<= max_bytes()).
    size_t bytes() const { return m_bytes; }
    /// Records refused because even the sparsest schedule could not make room (see add()).
    int64_t refused() const { return m_refused; }
    bool empty() const { return m_records.empty(); }

    /// Whether a record of `step` would be taken: the schedule says so and the step is after the
    /// last record. The caller runs the probes only then.
    bool due(int64_t step) const;
    /// Adds the record of `step` (frames: one per probe, as timeline_frame makes them). When the
    /// counted bytes would pass max_bytes, the schedule is thinned and the records it no longer
    /// names are dropped, until the new record fits; when even the sparsest schedule leaves no
    /// room, the new record is refused (refused() counts it) and false is returned. Throws
    /// al::Error when the step is not after the last record or the frame count is not the probe
    /// count.
    bool add(int64_t step, double loss, std::vector<TimelineFrame> frames);
    /// Index of the record whose step is nearest to `step` (the earlier one on a tie); -1 when
    /// empty.
    int nearest(int64_t step) const;

    /// For the reader (engine/io/model_dir.h): a timeline as a file holds it, checked there.
    static TrainingTimeline from_parts(std::vector<TimelineProbe> probes, TimelineSchedule schedule, size_t max_bytes,
                                       int64_t refused, std::vector<TimelineRecord> records);

private:
    std::vector<TimelineProbe> m_probes;
    TimelineSchedule m_schedule;
    size_t m_max_bytes = kDefaultTimelineBytes;
    size_t m_bytes = 0;
    int64_t m_refused = 0;
    std::vector<std::shared_ptr<const TimelineRecord>> m_records;
};

/// The patterns a head's attention is compared with. Agreement with a pattern is the mean over
/// the pattern's query rows of the attention mass on the pattern's keys (a number in [0, 1]):
///   Diagonal   row i, key i (attend to self); self-attention only, rows i < min(queries, keys)
///   Previous   row i, key i - 1 (the previous token); self-attention only, rows 1 <= i <= keys
///   First      every row, key 0 (the first token: <bos>, [CLS] or the first source token)
///   Alignment  row t, the keys j with alignment(t, j) = 1 (TimelineProbe::alignment, summed);
///              cross-attention only, the rows with at least one aligned key
enum class TimelinePattern { Diagonal, Previous, First, Alignment };
inline constexpr int kTimelinePatterns = 4;
/// "diagonal", "previous", "first", "alignment" (the CSV column stems).
const char* timeline_pattern_name(TimelinePattern pattern);

/// Mean over the query rows of a map's row entropy H = -sum_j p_j ln p_j, in nats (0 ln 0 = 0);
/// rows whose mass is 0 are left out. NaN for a map without rows.
double attention_entropy(const MapF& map);
/// Agreement of `map` (queries x keys) with `pattern` as defined above; NaN when the pattern does
/// not apply to the kind, has no row in the map, or (Alignment) `alignment` is empty or not of
/// the map's shape.
double pattern_agreement(const MapF& map, AttentionKind kind, TimelinePattern pattern, const MapF& alignment = {});

/// The figures of one head at one step.
struct HeadFigures {
    double entropy = 0;                                 ///< attention_entropy, nats
    std::array<double, kTimelinePatterns> agreement{};  ///< by TimelinePattern; NaN where it does not apply
};
HeadFigures head_figures(const MapF& map, AttentionKind kind, const MapF& alignment = {});

/// The attention maps and tokens of a Trace, as floats (the decoding record, Synthesizer scores
/// and forward detail are not kept).
TimelineFrame timeline_frame(const Trace& trace);
/// Runs the probe on a translation model (dropout off): with a reference, one teacher-forced pass
/// over it (source and reference cut to max_len - 1 tokens); without one, or for a NAT model, the
/// greedy translation (at most 2 S + 10 tokens) with its Trace. Thread-safe on a const model.
/// Throws al::Error when the text has no token.
TimelineFrame timeline_frame(const TranslationModel& model, const TimelineProbe& probe);
/// Runs the probe on a task model (task_model_trace). Throws al::Error when the text has no token.
TimelineFrame timeline_frame(const TaskModel& model, const TimelineProbe& probe);

/// Probes for a translation model or an algorithmic task: `texts` first (no reference), then
/// `from_valid` pairs of `valid` taken evenly through the split among those of 3 to 24 source
/// tokens (each with its reference; with `task`, its alignment). Texts without a token are left
/// out.
std::vector<TimelineProbe> translation_timeline_probes(const TranslationModel& model,
                                                       const std::vector<std::string>& texts,
                                                       const std::vector<SentencePair>& valid, int from_valid,
                                                       const AlgorithmicTask* task = nullptr);
/// Probes for a task model: `texts` first, then `from_valid` texts of the corpus's validation
/// split taken evenly through it (pos: the words joined by spaces; sentiment, langid: the text;
/// mlm: "A ||| B"; charlm: 64-character pieces of the validation text).
std::vector<TimelineProbe> task_timeline_probes(const TaskCorpus& corpus, const std::vector<std::string>& texts,
                                                int from_valid);

} // namespace al
