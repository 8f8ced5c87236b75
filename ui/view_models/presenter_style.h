// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The figures of presenter mode (a classroom projector): type size, line widths, the colour map
// of the attention heatmaps and which panels hide. Widget-free; ui/views/presenter_mode.h
// applies them to the main window and restores the window when presenter mode ends.
#include "ui/view_models/color_maps.h"

#include <QStringList>

namespace al::ui {

/// How presenter mode draws. Font sizes are in points, pen widths in device-independent
/// pixels. A text of the normal style at `ratio` times the window's font (1 for body text,
/// 1.4 for the sentence box, 0.85 for a legend) becomes max(minPointSize, ratio * pointSize):
/// every text is at least minPointSize, bigger texts stay bigger.
struct PresenterStyle {
    double pointSize = 22.0;    ///< the window's font (>= 20 pt reads from the back of a room)
    double minPointSize = 20.0; ///< no text smaller, plot tick labels and legends included
    double penScale = 2.5;      ///< curve pens: width * penScale ...
    double minPenWidth = 3.0;   ///< ... and at least this wide
    double minAxisPenWidth = 2.0; ///< axis lines and ticks
    /// objectNames of the widgets presenter mode hides: the settings column, and the controls a
    /// lesson does not need (learning-rate plot, "Now" figures, colour choice).
    QStringList hiddenWidgets = {QStringLiteral("settingsPanel"), QStringLiteral("lrPlot"),
                                 QStringLiteral("nowFigures"), QStringLiteral("colorControls")};

    /// The point size of a text that is `ratio` times the window's font in the normal style.
    double fontPointSize(double ratio) const;
    /// The width of a curve pen of `width` in the normal style (0, a cosmetic pen, counts as 1).
    double penWidth(double width) const;
    /// The width of an axis, tick or grid pen of `width` in the normal style.
    double axisPenWidth(double width) const;
    /// The heatmaps' colour map for `range`: Magma for probabilities and per-head ranges (black
    /// for no attention to near-white for all of it: the widest lightness range of the maps, so
    /// it survives a washed-out projector, and perceptually uniform and colour-blind safe),
    /// CoolWarm for signed scores (Symmetric), whose sign the colour must show.
    ColorMap colorMap(ColorRange range) const;
};

} // namespace al::ui
