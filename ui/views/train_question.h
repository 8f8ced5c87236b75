// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <functional>

class QWidget;

namespace al::ui {

class SettingsPanel;

/// Train with a model open: asks "Continue training" / "Start from scratch" / Cancel when
/// trainStart() (ui/view_models/train_start.h) says Ask, sets the panel's "Continue the current
/// model" to the answer (chooseContinue) and calls `start`; calls `start` at once when no
/// question is needed. The question is a window-modal QMessageBox named "trainQuestion" that
/// does not block the event loop (open(), not exec()).
void askHowToTrain(QWidget* parent, SettingsPanel* settings, const std::function<void()>& start);

} // namespace al::ui
