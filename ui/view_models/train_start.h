// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What Train does when a model is open: continue it or start from scratch, asking when the
// user has not chosen. Widget-free; ui/views/train_question.h asks.
#include "ui/view_models/settings_form.h"

namespace al::ui {

/// How Train starts a run.
enum class TrainStart {
    Ask,         ///< a model the task can continue is open and nobody chose: ask
    Continue,    ///< continue the open model (its weights, optimizer state and step count)
    FromScratch, ///< a new model of the settings' architecture
};

/// `canContinue`: a resume point exists that the selected task can continue
/// (ResumePoint::continues); `chosen`: "Continue the current model" was set by the user or a
/// setup since that model became current; `continueChecked`: the box's state. Ask only when
/// the model can be continued and nobody chose.
TrainStart trainStart(bool canContinue, bool chosen, bool continueChecked);
/// trainStart() of a settings form: canContinue from its resume point and task, the box's
/// state from its values.
TrainStart trainStart(const SettingsForm& form, bool chosen);
/// The state of "Continue the current model" that gives `answer` (Continue: checked).
bool continueChecked(TrainStart answer);

} // namespace al::ui
