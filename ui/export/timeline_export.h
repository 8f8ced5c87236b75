// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Export of a training timeline (docs/timeline.md): the evolution of one head, or of a
// layers x heads grid of one attention kind, as an animated GIF (giflib), as numbered PNG
// frames, and its curves as CSV. Frames are drawn with QPainter on a QImage (no widget, no
// window); every file is written atomically (writeFileAtomically: QSaveFile).
#include "ui/view_models/color_maps.h"
#include "ui/view_models/timeline_view.h"

#include <QByteArray>
#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

namespace al::ui {

/// What to draw and write.
struct TimelineExportRequest {
    TimelineSelection selection;    ///< kind and probe; layer and head unless `grid`
    bool grid = false;              ///< every layer x head of the kind, one tile each
    ColorMap colorMap = ColorMap::Viridis; ///< drawn over attention weights 0..1
    int delayCentiseconds = 40;     ///< GIF: time per frame (the last one is held four times as long)
};

/// The GIF's 256-colour palette for `map`: entries 0..kTimelineMapColors-1 the colour map at
/// evenly spaced weights 0..1, then greys from white to black for the background, text and
/// grid lines (the anti-aliased text is quantised to them).
inline constexpr int kTimelineMapColors = 200;
QVector<QRgb> timelinePalette(ColorMap map);
/// Palette index of attention weight `p` (clamped to [0, 1]).
int timelinePaletteIndex(double p);
/// Each pixel of `image` as the index of its nearest palette colour (squared RGB distance),
/// row by row (width x height bytes). Palette colours map to themselves.
QByteArray quantizeToPalette(const QImage& image, const QVector<QRgb>& palette);

/// Frame `stepIndex` of the request: the map (or grid of maps) in palette colours, token labels
/// (single head), and a title "<kind> · layer L · head H · step S · loss X". Every frame of one
/// request has the size of the largest (tokens of a probe without a reference change with the
/// step). Throws al::Error for a selection the view refuses.
QImage renderTimelineFrame(const TimelineView& view, const TimelineExportRequest& request, int stepIndex);

/// An animated GIF (GIF89a, looping) of every recorded step, in palette colours. Throws
/// al::Error when giflib fails or the timeline is empty.
QByteArray timelineGif(const TimelineView& view, const TimelineExportRequest& request);

/// The curves as CSV (RFC 4180, "\n"): a header "step,loss,<head>_entropy,<head>_<pattern>...",
/// one row per recorded step; <head> is "<kind>_L<layer>_H<head>" (1-based), the patterns those
/// that apply to the kind (diagonal, previous, first; cross: first and, with a reference
/// alignment, alignment). Values with 9 significant digits; an empty field where a value is
/// missing (no loss at step 0).
QByteArray timelineCsv(const TimelineView& view, const TimelineExportRequest& request);

/// The file stem of a request: "<kind>_L<layer>_H<head>" or "<kind>_grid", with "_p<probe>"
/// for a probe after the first.
QString timelineStem(const TimelineExportRequest& request);

/// Writes the request's files and returns their paths: when `out` ends in ".gif" the GIF alone,
/// in ".csv" the CSV alone; otherwise `out` is a directory (created) that receives
/// <stem>.gif, <stem>.csv and <stem>_frames/frame_0001.png ... (one per recorded step, numbered
/// from 1 in step order). Throws al::Error for a selection the view refuses or a file that
/// cannot be written (naming the path).
QStringList exportTimeline(const TimelineView& view, const TimelineExportRequest& request, const QString& out);

} // namespace al::ui
