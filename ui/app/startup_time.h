// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The start-up time of the GUI: from the first statement of main() to the first attention map
// drawn (`attention-lab --startup-time`, docs/benchmark.md).
#include <QtGlobal>

#include <functional>

namespace al::ui {

class MainWindow;

/// Starts the process clock; main() calls it first.
void startProcessClock();
/// Milliseconds since startProcessClock() (since the first call of this function when the
/// clock was not started).
qint64 processMilliseconds();

/// Calls `done(ms)` once, ms = processMilliseconds(), when the focused attention heatmap of
/// `window` has painted a Trace for the first time.
void onFirstTraceShown(MainWindow* window, std::function<void(qint64)> done);

} // namespace al::ui
