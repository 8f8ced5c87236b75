// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the Synthesizer panel (Tay et al. 2021): which matrices of a
// Trace or model snapshot to show for a self-attention block, colour ranges for scores, the
// input-dependence probe and the history of the mixture weights alpha over training.
#include "engine/trace/trace.h"
#include "engine/models/translation_model.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <string>
#include <vector>

namespace al::ui {

/// One self-attention block of the encoder or decoder: layer and head are 0-based.
struct SynthSelection {
    bool decoder = false;
    int layer = 0;
    int head = 0;
};

/// True unless `attention` (ModelConfig::attention) is plain dot-product ("vanilla").
bool isSynthesizerVariant(const std::string& attention);
/// True when the variant has an input-independent alignment R (or R1 R2): "random",
/// "fixed_random", "factorized_random" and the mixtures with "random".
bool hasRandomAlignment(const std::string& attention);
/// True for mixtures ("random+vanilla", "dense+vanilla", "random+dense").
bool isMixtureVariant(const std::string& attention);
/// User-visible name of a variant, e.g. "Mixture: Random + Dense" (translated).
QString variantDisplayName(const std::string& attention);
/// User-visible name of one mixture component, e.g. "Dense" (translated).
QString componentDisplayName(const std::string& component);

/// The synthesizer record of the encoder (decoder = false) or decoder self-attention.
const al::SynthesizerTrace& synthesizerTrace(const al::Trace& trace, bool decoder);
/// Self-attention layers recorded in `trace` (0 when none).
int selfAttentionLayerCount(const al::Trace& trace, bool decoder);
/// Heads of self-attention layer `layer` (0 when it does not exist).
int selfAttentionHeadCount(const al::Trace& trace, bool decoder, int layer);
/// Clamps layer and head into what the trace holds (both >= 0).
SynthSelection clampSynthSelection(const al::Trace& trace, SynthSelection sel);
/// Synthesized scores before softmax (queries x keys), or nullptr for dot-product models.
const al::Mat* selectSynthesizedScores(const al::Trace& trace, const SynthSelection& sel);
/// Attention probabilities of the same block (enc_self / dec_self), or nullptr.
const al::Mat* selectSelfAttention(const al::Trace& trace, const SynthSelection& sel);
/// Tokens on both axes of a self-attention map: source tokens or decoder inputs.
QStringList selfAttentionTokens(const al::Trace& trace, bool decoder);
/// Display names of the mixture components of the block's kind (empty unless a mixture).
QStringList mixtureComponentNames(const al::Trace& trace, bool decoder);
/// Mixture weights alpha_i of the selected head, in component order (empty unless a mixture).
QVector<double> mixtureWeights(const al::Trace& trace, const SynthSelection& sel);
/// The input-independent l x l alignment R (or R1 R2) of the block; empty for variants
/// without one or for a selection out of range.
al::Mat randomAlignment(const al::TranslationModel& model, const SynthSelection& sel);
/// Position labels "0" .. "n-1".
QStringList positionLabels(int n);

/// How a heatmap maps values to colours: fixed 0..1 (probabilities), symmetric around zero
/// (-max|x| .. max|x|, for scores) or the data's min..max.
enum class ColorRange { Probability, Symmetric, MinMax };
/// A closed value interval.
struct ValueRange {
    double lower = 0.0;
    double upper = 1.0;
};
/// The colour range for `m` under `mode`; never empty (a constant matrix gets a unit range).
ValueRange valueRange(const al::Mat& m, ColorRange mode);

/// The probe's measurement: max |a - b| over the common top-left block (rows x cols).
struct ProbeDifference {
    bool valid = false;
    double maxAbs = 0.0;
    int rows = 0;
    int cols = 0;
};
/// Compares two synthesized score matrices over their common top-left block; invalid when
/// either is empty.
ProbeDifference probeDifference(const al::Mat& a, const al::Mat& b);

/// The two sides of the input-dependence probe: the newest trace of each sentence with the
/// snapshot that produced it. A difference is only meaningful between traces of the same
/// snapshot, so difference() is invalid until both sides come from one model.
class ProbeComparison {
public:
    void setFirst(std::shared_ptr<const al::Trace> trace, std::shared_ptr<const al::TranslationModel> model);
    void setSecond(std::shared_ptr<const al::Trace> trace, std::shared_ptr<const al::TranslationModel> model);
    void clear();
    const al::Trace* first() const { return m_first.get(); }
    const al::Trace* second() const { return m_second.get(); }
    /// Both sides are present and were translated by the same snapshot.
    bool sameModel() const;
    /// The difference of the selected block's synthesized scores (invalid unless sameModel()).
    ProbeDifference difference(const SynthSelection& sel) const;

private:
    std::shared_ptr<const al::Trace> m_first, m_second;
    std::shared_ptr<const al::TranslationModel> m_firstModel, m_secondModel;
};

/// Mixture weights alpha of every layer and head over training steps, fed with the Traces of
/// successive snapshots. Holds at most capacity() points: when full, every second point is
/// dropped so the history keeps spanning the whole run at a coarser resolution.
class AlphaHistory {
public:
    explicit AlphaHistory(int capacity = 400);

    void clear();
    /// Records the trace's alpha at `step`. Ignores traces without mixture weights and returns
    /// false; a step equal to the newest replaces it; an older step (a new run) or a change of
    /// components starts the history afresh.
    bool add(qint64 step, const al::Trace& trace);
    int size() const { return int(m_points.size()); }
    int capacity() const { return m_capacity; }
    bool isEmpty() const { return m_points.empty(); }
    /// Steps of the recorded points, oldest first.
    QVector<double> steps() const;
    /// Raw component names of the encoder or decoder mixture.
    std::vector<std::string> components(bool decoder) const { return decoder ? m_decComponents : m_encComponents; }
    /// alpha of `component` for the selected head at each recorded step (NaN where the point
    /// lacks that layer or head).
    QVector<double> series(const SynthSelection& sel, int component) const;

private:
    struct Point {
        qint64 step = 0;
        std::vector<al::Mat> enc, dec;
    };
    std::vector<Point> m_points;
    std::vector<std::string> m_encComponents, m_decComponents;
    int m_capacity;
};

} // namespace al::ui
