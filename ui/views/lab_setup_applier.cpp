// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/lab_setup_applier.h"

#include "ui/views/attention_panel.h"
#include "ui/views/decoding_panel.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/main_window.h"
#include "ui/views/session_controller.h"
#include "ui/views/settings_panel.h"
#include "ui/views/stepper_panel.h"
#include "ui/views/timeline_panel.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTabWidget>

#include <utility>

namespace al::ui {

namespace {

QString trText(const char* text)
{
    return QCoreApplication::translate("al::ui::LabSetupApplier", text);
}

/// The tab identifiers of labTabIds() and the objectNames of the panels in the view tabs.
const std::pair<const char*, const char*> kTabs[] = {
    {"attention", "attentionPanel"},
    {"overview", "overviewPanel"},
    {"synthesizer", "synthesizerPanel"},
    {"decoding", "decodingPanel"},
    {"positional_encoding", "positionalEncodingPanel"},
    {"forward_pass", "stepperPanel"},
    {"attention_flow", "attentionFlowPanel"},
    {"hidden_states", "hiddenStatesPanel"},
    {"head_ablation", "headAblationPanel"},
    {"timeline", "timelinePanel"},
    {"training_plots", "trainingPlotsPanel"},
};

QWidget* tabWidget(const MainWindow& window, const QString& id)
{
    for (const auto& [tab, objectName] : kTabs)
        if (id == QLatin1String(tab))
            return window.viewTabs()->findChild<QWidget*>(QLatin1String(objectName));
    return nullptr;
}

QString tabId(const MainWindow& window)
{
    const QWidget* current = window.viewTabs()->currentWidget();
    for (const auto& [tab, objectName] : kTabs)
        if (current && current->objectName() == QLatin1String(objectName))
            return QLatin1String(tab);
    return QStringLiteral("attention");
}

/// A JSON value as it reads in a file: "abc", 12, 0.5, true, null.
QString jsonText(const QJsonValue& v)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

/// The settings values after `overrides` (and `task`, chosen as in the Task box, when not
/// empty) on top of `current`.
SettingsValues targetValues(const SettingsValues& current, const QString& task, const SettingsOverrides& overrides)
{
    SettingsForm scratch;
    scratch.setValues(current);
    if (!task.isEmpty())
        scratch.setTask(task);
    SettingsValues v = scratch.values();
    overrides.applyTo(v);
    return v;
}

/// The first key of `overrides` whose value the settings widgets do not accept (out of range,
/// not one of the choices), tried on a settings panel of its own; the error or empty.
QString settingsProblem(const SettingsValues& target, const SettingsOverrides& overrides)
{
    SettingsPanel probe;
    probe.setValues(target);
    const SettingsValues& shown = probe.form()->values();
    for (const QString& key : overrides.keys) {
        const QJsonValue want = settingsValue(target, key);
        const QJsonValue got = settingsValue(shown, key);
        const bool same = want.isDouble() && got.isDouble() ? qAbs(want.toDouble() - got.toDouble()) <= 1e-9 * qMax(1.0, qAbs(want.toDouble()))
                                                             : want == got;
        if (!same)
            return trText("settings.%1: %2 is not accepted (out of range or not one of the choices)").arg(key, jsonText(want));
    }
    return {};
}

/// `path` made absolute against `base` when it is relative and `base` is set.
QString resolvedPath(const QString& path, const QString& base)
{
    if (path.isEmpty() || base.isEmpty() || QDir::isAbsolutePath(path))
        return path;
    return QDir::cleanPath(QDir(base).absoluteFilePath(path));
}

/// The data paths of `setup.settings` ("corpus", and "task_data" paths separated by ';'),
/// relative to the file that names them, made absolute.
LabSetup withResolvedDataPaths(LabSetup setup, const QString& base)
{
    SettingsValues& v = setup.settings.values;
    v.corpus = resolvedPath(v.corpus, base);
    QStringList data = v.taskData.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (QString& d : data)
        d = resolvedPath(d.trimmed(), base);
    v.taskData = data.join(QLatin1Char(';'));
    return setup;
}

} // namespace

QString applyLabSetup(MainWindow& window, const LabSetup& given, const LabSetupContext& context)
{
    LabSetup setup = withResolvedDataPaths(given, context.baseDirectory);
    // Check everything first: an error leaves the window as it was.
    const bool training = window.trainingController()->isActive();
    if (training && setup.model)
        return trText("model: training is running; stop it before a setup opens another model.");
    if (training && !setup.settings.isEmpty())
        return trText("settings: training is running; stop it before a setup changes the settings.");
    std::optional<ResolvedModel> resolved;
    if (setup.model) {
        QString problem;
        resolved = resolveModelReference(*setup.model, context.baseDirectory, context.demosFile, &problem);
        if (!resolved)
            return trText("model: %1").arg(problem);
    }
    // A demo whose data is not bundled (the taggers) brings its data paths, so that Train and
    // the Head ablation tab find them; a setup naming task_data keeps its own.
    if (resolved && resolved->demo && !resolved->demo->data.isEmpty() && !setup.settings.contains(QStringLiteral("task_data"))) {
        setup.settings.values.taskData = resolved->demo->data.join(QLatin1Char(';'));
        setup.settings.keys << QStringLiteral("task_data");
    }
    QString task;
    if (setup.settings.contains(QStringLiteral("task")))
        task = setup.settings.values.task;
    else if (resolved && resolved->demo)
        task = resolved->demo->task;
    if (!task.isEmpty() && !trainingTasks().contains(task))
        return trText("%1: unknown task '%2' (expected one of %3)")
            .arg(setup.settings.contains(QStringLiteral("task")) ? QStringLiteral("settings.task") : QStringLiteral("model"), task,
                 trainingTasks().join(QStringLiteral(", ")));
    const bool changesSettings = !task.isEmpty() || !setup.settings.isEmpty();
    if (changesSettings) {
        const QString problem = settingsProblem(targetValues(window.settingsPanel()->form()->values(), task, setup.settings),
                                                setup.settings);
        if (!problem.isEmpty())
            return problem;
    }

    // Apply: model, settings, view, lesson.
    SessionController* session = window.sessionController();
    // A model still open as opened (not trained since: it is the resume point of its folder)
    // is not opened again, so lesson steps on one model keep its view.
    const bool alreadyOpen = resolved && QDir::cleanPath(window.settingsPanel()->form()->resumePoint().directory)
                                             == QDir::cleanPath(resolved->directory);
    if (resolved && !alreadyOpen) {
        if (!window.loadModelDirectory(resolved->directory))
            return trText("model: cannot open %1").arg(*setup.model);
    }
    if (resolved)
        session->setModelReference(*setup.model, resolved->directory);
    if (changesSettings)
        window.settingsPanel()->setValues(targetValues(window.settingsPanel()->form()->values(), task, setup.settings));
    if (setup.view.tab)
        if (QWidget* tab = tabWidget(window, *setup.view.tab))
            window.viewTabs()->setCurrentWidget(tab);
    if (setup.view.sentence)
        window.liveTrainingPanel()->setSentence(*setup.view.sentence);
    else if (resolved && resolved->demo && !resolved->demo->sentence.isEmpty())
        window.liveTrainingPanel()->setSentence(resolved->demo->sentence);
    if (setup.view.kind || setup.view.layer || setup.view.head) {
        AttentionSelection sel = window.selection();
        sel.kind = setup.view.kind.value_or(sel.kind);
        sel.layer = setup.view.layer.value_or(sel.layer);
        sel.head = setup.view.head.value_or(sel.head);
        window.attentionPanel()->setSelection(sel);
        // The Forward pass tab shows the same head: its stepper goes to that attention sublayer.
        window.stepperPanel()->showAttention(sel);
        // So does the Timeline tab, on the probe sentence it shows.
        TimelineSelection recorded = window.timelinePanel()->selection();
        recorded.kind = sel.kind;
        recorded.layer = sel.layer;
        recorded.head = sel.head;
        window.timelinePanel()->setSelection(recorded);
    }
    if (setup.view.hasDecoding()) {
        al::DecodingOptions o = window.decodingPanel()->options();
        o.strategy = setup.view.decodingStrategy.value_or(o.strategy);
        o.beam_width = setup.view.beamWidth.value_or(o.beam_width);
        o.length_penalty = setup.view.lengthPenalty.value_or(o.length_penalty);
        window.decodingPanel()->setOptions(o);
    }
    if (setup.lesson)
        session->requestLesson(*setup.lesson);
    return {};
}

LabSetup captureLabSetup(const MainWindow& window)
{
    LabSetup s;
    const SessionController* session = window.sessionController();
    if (!session->modelReference().isEmpty())
        s.model = session->modelReference();
    s.settings = SettingsOverrides::all(window.settingsPanel()->form()->values());
    s.view.tab = tabId(window);
    s.view.sentence = window.liveTrainingPanel()->sentence();
    const AttentionSelection sel = window.selection();
    s.view.kind = sel.kind;
    s.view.layer = sel.layer;
    s.view.head = sel.head;
    const al::DecodingOptions decoding = window.decodingPanel()->options();
    s.view.decodingStrategy = decoding.strategy;
    s.view.beamWidth = decoding.beam_width;
    s.view.lengthPenalty = decoding.length_penalty;
    s.lesson = session->lesson();
    return s;
}

} // namespace al::ui
