// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/model_document.h"

#include "engine/data/algorithmic_tasks.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/model_dir.h"
#include "engine/models/task_models.h"

#include <QFile>

#include <memory>

namespace al::ui {

namespace {

std::string toLocalPath(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}

} // namespace

bool ResumePoint::continues(const QString& task) const
{
    if (taskModel)
        return task.toStdString() == taskModel->net.config().task;
    return translation && taskFamily(task) != TaskFamily::TaskModel;
}

al::ModelConfig ResumePoint::config() const
{
    return taskModel ? taskModel->net.config() : translation->net.config();
}

ModelDocument::Kind ModelDocument::load(const QString& directory, QString* taskName)
{
    const std::string task = al::task_of_model_dir(toLocalPath(directory));
    if (!task.empty()) {
        auto model = std::make_shared<const al::TaskModel>(al::load_task_model_dir(toLocalPath(directory)));
        const QString name = QString::fromStdString(task);
        m_runSettings = taskDefaults(name).settings;
        loadTimeline(directory, model->net.config());
        m_resume = {nullptr, model, directory, m_timeline};
        setTaskModel(model, 0);
        if (taskName)
            *taskName = name;
        return Kind::Task;
    }
    auto model = std::make_shared<const al::TranslationModel>(al::load_model_dir(toLocalPath(directory)));
    TaskSettings settings;
    if (al::load_algorithmic_task_file(toLocalPath(directory), settings.algorithmic))
        settings.task = QString::fromStdString(al::to_string(settings.algorithmic.task));
    m_runSettings = settings;
    loadTimeline(directory, model->net.config());
    m_resume = {model, nullptr, directory, m_timeline};
    setTranslation(model, 0);
    if (taskName)
        *taskName = settings.task;
    return Kind::Translation;
}

void ModelDocument::save(const QString& directory) const
{
    if (m_taskModel) {
        al::atomic_write_dir(toLocalPath(directory), [this](const std::string& staging) {
            al::write_task_model_files(*m_taskModel, staging);
            al::write_model_timeline(staging, m_timeline.get());
        });
        return;
    }
    if (!m_translation)
        return;
    // The model, its task.json and its timeline are one checkpoint, swapped in together.
    al::atomic_write_dir(toLocalPath(directory), [this](const std::string& staging) {
        al::write_model_files(*m_translation, staging);
        if (taskFamily(m_runSettings.task) == TaskFamily::Algorithmic)
            al::save_algorithmic_task_file(m_runSettings.algorithmic, staging);
        al::write_model_timeline(staging, m_timeline.get());
    });
}

void ModelDocument::setTranslation(const ModelSnapshot& model, qint64 step)
{
    m_taskModel.reset();
    m_translation = model;
    m_translationStep = step;
}

void ModelDocument::setTaskModel(const TaskModelSnapshot& model, qint64 step)
{
    m_taskModel = model;
    m_taskModelStep = step;
}

void ModelDocument::finishRun()
{
    if (m_taskModel)
        m_resume = {nullptr, m_taskModel, QString(), m_timeline};
    else if (m_translation)
        m_resume = {m_translation, nullptr, QString(), m_timeline};
}

void ModelDocument::loadTimeline(const QString& directory, const al::ModelConfig& config)
{
    std::string problem;
    m_timeline = al::load_model_timeline(toLocalPath(directory), config, &problem);
    m_timelineProblem = QString::fromStdString(problem);
}

} // namespace al::ui
