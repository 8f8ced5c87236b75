// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/task_probe_model.h"

#include <QCoreApplication>

#include "engine/core/error.h"

namespace al::ui {

ProbeView probeViewForTask(const QString& task)
{
    if (task == "mlm")
        return ProbeView::MaskedLm;
    if (task == "sentiment" || task == "langid")
        return ProbeView::Classes;
    if (task == "pos")
        return ProbeView::Tags;
    if (task == "charlm")
        return ProbeView::Generation;
    return ProbeView::None;
}

bool TaskProbeModel::open(const QString& dir)
{
    try {
        auto model = std::make_shared<const al::TaskModel>(al::load_task_model_dir(dir.toStdString()));
        m_model = std::move(model);
        m_dir = dir;
        m_error.clear();
        clearResults();
        return true;
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
        return false;
    }
}

QString TaskProbeModel::task() const
{
    return m_model ? QString::fromStdString(m_model->net.config().task) : QString();
}

QString TaskProbeModel::exampleSentence() const
{
    switch (view()) {
    case ProbeView::MaskedLm:
        return QStringLiteral("i have a [MASK] . ||| it is very [MASK] .");
    case ProbeView::Classes:
        return task() == "langid" ? QStringLiteral("where is the station?") : QStringLiteral("a moving and funny film");
    case ProbeView::Tags:
        return QStringLiteral("The old man sat on the bench .");
    case ProbeView::Generation:
        return QStringLiteral("To be, or not to be");
    case ProbeView::None:
        break;
    }
    return QString();
}

void TaskProbeModel::clearResults()
{
    m_masks.clear();
    m_classes = ProbeBars{};
    m_tags.clear();
    m_generated.clear();
}

bool TaskProbeModel::run(const QString& sentence)
{
    clearResults();
    m_error.clear();
    if (!m_model) {
        m_error = QCoreApplication::translate("al::ui::TaskProbeModel", "Open a task model directory first.");
        return false;
    }
    if (sentence.trimmed().isEmpty()) {
        m_error = QCoreApplication::translate("al::ui::TaskProbeModel", "Type a sentence first.");
        return false;
    }
    const std::string s = sentence.toStdString();
    try {
        switch (view()) {
        case ProbeView::MaskedLm:
            m_masks = al::masked_token_probabilities(*m_model, s, m_topK);
            break;
        case ProbeView::Classes:
            for (const al::TokenProb& p : al::classify_text(*m_model, s)) {
                m_classes.labels << QString::fromStdString(p.token);
                m_classes.values << p.prob;
            }
            break;
        case ProbeView::Tags:
            for (const auto& [token, tag] : al::tag_text(*m_model, s))
                m_tags.append({QString::fromStdString(token), QString::fromStdString(tag)});
            break;
        case ProbeView::Generation:
            if (m_generation.length < 1)
                throw al::Error("length must be at least 1");
            m_generated = QString::fromStdString(al::generate_text(*m_model, s, m_generation.length,
                                                                   m_generation.temperature, m_generation.seed));
            break;
        case ProbeView::None:
            throw al::Error("task '" + task().toStdString() + "' cannot be probed");
        }
    } catch (const std::exception& e) {
        clearResults();
        m_error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

ProbeBars TaskProbeModel::maskBars(int i) const
{
    ProbeBars b;
    if (i < 0 || i >= maskCount())
        return b;
    for (const al::TokenProb& p : m_masks[size_t(i)]) {
        b.labels << QString::fromStdString(p.token);
        b.values << p.prob;
    }
    return b;
}

} // namespace al::ui
