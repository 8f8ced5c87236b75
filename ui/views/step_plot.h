// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The plot of a training curve over optimizer steps, set up once for both training panels
// (the live loss and learning-rate plots, and the Training plots tab).
#include "ui/views/retranslate.h"

#include <QString>

class QCustomPlot;
class QWidget;

namespace al::ui {

/// A QCustomPlot child of `parent` named `objectName`, with `title()` in bold (the parent's font)
/// above the axes, "step" on the x axis and `yLabel()` (if given) on the y axis, set again on
/// every language change. Drawn for a live
/// feed: paints merged into the widget's repaints (no immediate refresh), curves without
/// antialiasing (it halves the window's CPU with a plot tab in front while training: 6% -> 3%
/// of a core on tiny, `attention-lab bench-gui --tab plots`; text stays antialiased).
/// Graphs, sizes and the export menu are the caller's.
QCustomPlot* makeStepPlot(QWidget* parent, const QString& objectName, TextFn title, TextFn yLabel = {});

} // namespace al::ui
