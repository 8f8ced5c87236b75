// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Applying a LabSetup (ui/view_models/lab_setup.h) to the main window and capturing the
// window's current one: the code session files and lesson steps set the lab up with.
#include "ui/view_models/lab_setup.h"

#include <QString>

namespace al::ui {

class MainWindow;

/// Where the names in a setup are resolved.
struct LabSetupContext {
    /// A relative model directory is relative to this (the folder of the session or lesson
    /// file that names it); empty: the working directory.
    QString baseDirectory;
    /// demos.json that "demo:<id>" is looked up in; empty: DemoCatalog::findInstalled().
    QString demosFile;
};

/// Applies the members `setup` has, in this order:
///  - model: opens "demo:<id>" or the directory (as File > Open model directory); a demo's task
///    and sentence stand in for settings.task and view.sentence when the setup has none; a
///    model still open as opened (not trained since) is not opened again;
///  - settings: "task" selects the task as the Task box does (its defaults load), then every
///    other key present overrides its setting; a relative "corpus" or "task_data" path is
///    relative to context.baseDirectory;
///  - view: selects the tab, types the sentence (the model then runs on it off the GUI thread,
///    as when typed) and selects the attention kind, layer and head;
///  - lesson: remembered as the open lesson; SessionController::lessonRequested is emitted.
/// Everything is checked before anything changes: a model reference that does not resolve,
/// an unknown task, a value a setting does not accept (out of its range, not one of its
/// choices) or a model or settings change while training runs returns the error, naming the
/// member ("settings.nhead: 99 is not accepted (out of range or not one of the choices)"),
/// and leaves the window as it was. Returns an empty string on success. GUI thread.
QString applyLabSetup(MainWindow& window, const LabSetup& setup, const LabSetupContext& context = {});

/// The window's current setup: the model reference (the demo or directory last opened, when
/// there is one), every settings key, the view (tab, sentence, attention kind, layer, head)
/// and the open lesson (when there is one). applyLabSetup of it on a fresh window gives a
/// window that captures the same setup.
LabSetup captureLabSetup(const MainWindow& window);

} // namespace al::ui
