// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The model the window shows, of any kind: the newest translation (or copy/reverse/sort)
// model or task model, from training or a model directory, the model "Continue" trains
// further (of either kind), and loading and saving a model directory of either kind in one place.
#include "ui/view_models/training_session.h"

#include <QString>

namespace al::ui {

/// A model that Train can continue, of either kind: at most one of `translation` and `taskModel`
/// is set. `directory` is where it was opened from (its optimizer.safetensors resumes Adam's
/// moments and the step count); empty for the model of the last run.
struct ResumePoint {
    ModelSnapshot translation;
    TaskModelSnapshot taskModel;
    QString directory;
    /// The model's training timeline, continued by the run (may be null).
    TimelineSnapshot timeline;

    bool isEmpty() const { return !translation && !taskModel; }
    /// The model's configuration (sizes, attention and block options, dropout); needs a model.
    al::ModelConfig config() const;
    /// Whether a run of `task` can continue this model: a task model continues only as its own
    /// task (charlm, pos, ...), a translation model as translate, copy, reverse or sort.
    bool continues(const QString& task) const;
};

/// Widget-free; GUI thread only. At most one of translation() and taskModel() is current:
/// a task model, while set, is what the window shows.
class ModelDocument {
public:
    enum class Kind { Translation, Task };

    /// Opens a model directory: a task model (charlm, pos, ...; `taskName` its task) or a
    /// translation model (with its copy/reverse/sort task.json, if any); either becomes the
    /// model to continue. Its training timeline is read too (al::load_model_timeline): a
    /// refused one leaves timeline() null and timelineProblem() saying why, and the model opens.
    /// Throws std::exception (al::Error naming the file) on failure and then changes nothing.
    Kind load(const QString& directory, QString* taskName = nullptr);
    /// Writes the current model (a task model directory, or a translation model directory
    /// with task.json for copy/reverse/sort runs) with its timeline (none: an older one in
    /// `directory` is removed), as one atomic save. Throws std::exception on failure.
    void save(const QString& directory) const;

    void setTranslation(const ModelSnapshot& model, qint64 step);
    void setTaskModel(const TaskModelSnapshot& model, qint64 step);
    /// The task settings of a run (copy/reverse/sort: written as task.json when saved later).
    void setRunSettings(const TaskSettings& settings) { m_runSettings = settings; }
    /// The task settings of the shown model: its run's, or those of the directory it was
    /// opened from (task.json of copy/reverse/sort, the defaults of a task model's task).
    const TaskSettings& runSettings() const { return m_runSettings; }
    /// A run ended: its model (the newest snapshot, of either kind) is the one to continue.
    void finishRun();

    bool isEmpty() const { return !m_translation && !m_taskModel; }
    ModelSnapshot translation() const { return m_translation; }
    qint64 translationStep() const { return m_translationStep; }
    TaskModelSnapshot taskModel() const { return m_taskModel; }
    qint64 taskModelStep() const { return m_taskModelStep; }
    /// The training timeline of the shown model (opened with it, or the run's newest); may be null.
    TimelineSnapshot timeline() const { return m_timeline; }
    /// Why the opened directory's timeline was refused; empty when it was read or absent.
    QString timelineProblem() const { return m_timelineProblem; }
    /// The run's newest timeline (TrainingController::timelineReady).
    void setTimeline(const TimelineSnapshot& timeline) { m_timeline = timeline; }
    /// The model Train continues when "Continue" is checked.
    const ResumePoint& resumePoint() const { return m_resume; }

private:
    void loadTimeline(const QString& directory, const al::ModelConfig& config);

    ModelSnapshot m_translation;
    qint64 m_translationStep = 0;
    TaskModelSnapshot m_taskModel;
    qint64 m_taskModelStep = 0;
    TaskSettings m_runSettings;
    ResumePoint m_resume;
    TimelineSnapshot m_timeline;
    QString m_timelineProblem;
};

} // namespace al::ui
