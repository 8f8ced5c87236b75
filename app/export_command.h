// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `attention-lab export`: translate one sentence with a saved model and write its attention maps
// as PNG, SVG, PDF or CSV files, with no display. Lives apart from app/cli (which needs only
// QtCore) because it draws with the GUI library (ui/export/exporters.h); app/gui_subcommands.h
// registers it and runs it under a QApplication on the offscreen platform.
#include "app/cli.h"
#include "engine/trace/trace.h"
#include "ui/export/exporters.h"

#include <QString>
#include <QVector>

#include <iosfwd>

namespace al::cli {

/// Options of `attention-lab export`. Layer and head are 0-based here (-1 = all); the command
/// line takes them 1-based, as the GUI shows them.
struct ExportOptions {
    QString model;                                  ///< model directory (required)
    QString sentence;                               ///< source sentence (required, non-empty)
    QVector<al::AttentionKind> kinds;               ///< --kind enc|dec|cross|all (default all)
    bool allKinds = true;                           ///< --kind all: kinds the model does not record are skipped
    int layer = -1;
    int head = -1;
    QVector<al::ui::ExportFormat> formats{al::ui::ExportFormat::Png}; ///< --format, comma-separated
    QString out;                                    ///< output directory (required; created)
    al::ui::FigureSize size{1200, 0, 150.0};        ///< height 0 = from the matrix's aspect ratio
    al::ui::ColorMap colorMap = al::ui::ColorMap::Viridis;
    al::ui::ColorRange colorRange = al::ui::ColorRange::Probability;
    int max_len = 64;                               ///< longest translation, in tokens
    /// --timeline: write the training timeline of the model directory instead (docs/timeline.md):
    /// the evolution of one head (--kind, --layer, --head; default the first kind, layer 1,
    /// head 1) or, with --grid, of every layer x head of the kind, of probe --probe, as an
    /// animated GIF, numbered PNG frames and a CSV; `out` is a folder, a .gif or a .csv file.
    bool timeline = false;
    bool grid = false;
    int probe = 0;                                  ///< 0-based here, 1-based on the command line
    int delay = 40;                                 ///< GIF: centiseconds per frame
};

/// Parses the words after `export`. Usage errors name the option.
ParseStatus parseExportArgs(const QStringList& args, ExportOptions& opts);

/// With opts.timeline: reads the timeline of the model directory (al::read_model_timeline, a
/// refused one is ExitFailure naming the file and field), checks the selection (ExitUsage, e.g.
/// "--layer 3: cross-attention has 2 layer(s) (1-2)"), writes the files (exportTimeline) and
/// lists them on `out`. Otherwise: loads the model, translates the sentence with a Trace, checks the layer/head selection
/// against it (ExitUsage with a message such as "--layer 3: cross-attention has 2 layer(s) (1-2)"),
/// writes the files atomically and lists them on `out`, one path a line after the translation.
/// A missing or broken model or an unwritable folder gives ExitFailure. Needs a QApplication.
int runExport(const ExportOptions& opts, std::ostream& out, std::ostream& err);

} // namespace al::cli
