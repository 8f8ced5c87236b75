// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of the "Task model probe" window: load a task model directory
// (engine/models/task_models.h), run its task on a sentence and hold what the window shows — per
// [MASK] the top-k filler probabilities (mlm), the class probabilities (sentiment, langid), the
// tag of each token (pos) or a generated continuation (charlm) — or the error to show.
#include "engine/models/task_models.h"

#include <QPair>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>
#include <memory>

namespace al::ui {

/// What the probe window shows for a model.
enum class ProbeView {
    None,       ///< no model loaded
    MaskedLm,   ///< mlm: bars of the top-k fillers of one [MASK]
    Classes,    ///< sentiment, langid: bars of the label probabilities
    Tags,       ///< pos: a table of (token, tag)
    Generation, ///< charlm: the prompt's generated continuation
};
/// The view of a task name ("mlm" -> MaskedLm, ...); None for anything else.
ProbeView probeViewForTask(const QString& task);

/// Labelled bars (probabilities in [0, 1]), in display order.
struct ProbeBars {
    QStringList labels;
    QVector<double> values;
};

/// Charlm generation settings (al::generate_text).
struct GenerationSettings {
    int length = 200;         ///< characters to generate, >= 1
    double temperature = 0.8; ///< 0 = greedy
    uint64_t seed = 1;
};

class TaskProbeModel {
public:
    /// Loads a task model directory (al::load_task_model_dir). On failure returns false, keeps
    /// the previous model and sets error() to the engine's message (naming file and key).
    bool open(const QString& dir);
    bool hasModel() const { return bool(m_model); }
    const al::TaskModel* model() const { return m_model.get(); }
    QString directory() const { return m_dir; }
    QString task() const;       ///< "mlm", "sentiment", ... ("" without a model)
    ProbeView view() const { return probeViewForTask(task()); }
    /// A sentence that suits the task ("the [MASK] sat on the mat ||| ..." for mlm).
    QString exampleSentence() const;

    void setTopK(int k) { m_topK = k; } ///< mlm: fillers per [MASK] (0 = the whole vocabulary)
    int topK() const { return m_topK; }
    void setGeneration(const GenerationSettings& g) { m_generation = g; }
    const GenerationSettings& generation() const { return m_generation; }

    /// Runs the task on `sentence` and replaces the results. Returns false and sets error()
    /// (results cleared) when there is no model, the sentence is empty, or the engine refuses it
    /// (an mlm sentence without [MASK], ...).
    bool run(const QString& sentence);
    QString error() const { return m_error; }

    int maskCount() const { return int(m_masks.size()); }
    /// mlm: the bars of [MASK] number `i` (0-based, in sentence order); empty when out of range.
    ProbeBars maskBars(int i) const;
    /// sentiment/langid: one bar per label, in label order.
    const ProbeBars& classBars() const { return m_classes; }
    /// pos: (token, tag) per token.
    const QVector<QPair<QString, QString>>& tags() const { return m_tags; }
    /// charlm: the generated continuation (without the prompt).
    const QString& generated() const { return m_generated; }

private:
    void clearResults();
    std::shared_ptr<const al::TaskModel> m_model;
    QString m_dir;
    int m_topK = 10;
    GenerationSettings m_generation;
    QString m_error;
    std::vector<std::vector<al::TokenProb>> m_masks;
    ProbeBars m_classes;
    QVector<QPair<QString, QString>> m_tags;
    QString m_generated;
};

} // namespace al::ui
