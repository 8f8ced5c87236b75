// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `attention-lab bench-gui`: the GUI overhead of training - training tokens/s with the main window
// open, its attention heatmaps and plots updating live, against the same run headless through
// the same TrainingController (ui/app/gui_overhead_bench.h does the measuring). One of the
// subcommands that draw (app/gui_subcommands.h); unlike export it shows the window on the user's
// display (xcb, wayland; also under xvfb-run or QT_QPA_PLATFORM=offscreen).
#include "app/cli.h"
#include "ui/app/gui_overhead_bench.h"

#include <QString>
#include <QStringList>

#include <iosfwd>

namespace al::cli {

/// Options of `attention-lab bench-gui`.
struct BenchGuiOptions {
    QString config = "window";              ///< preset: window (the window's defaults) or tiny
    al::ui::GuiOverheadOptions bench = al::ui::guiOverheadPreset("window");
    bool json = false;                      ///< one JSON object on one line instead of the report
};

/// Parses the words after `bench-gui`. Usage errors name the option.
ParseStatus parseBenchGuiArgs(const QStringList& args, BenchGuiOptions& opts);

/// Runs the benchmark: the report (or the JSON line) to `out`, one progress line per run to
/// `err`. Needs a QApplication. ExitFailure (message on `err`) when the measurement fails.
int runBenchGui(const BenchGuiOptions& opts, std::ostream& out, std::ostream& err);

} // namespace al::cli
