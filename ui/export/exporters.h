// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Figure export without a window: any QCustomPlot as PNG, SVG or PDF at a chosen size and
// resolution, its numbers as CSV, and the batch export of the attention maps of a Trace (the
// GUI's "Export all layers and heads" and `attention-lab export` run the same code). Needs a
// QApplication (QCustomPlot is a QWidget) but never shows anything, so it runs on the offscreen
// platform. Every file is written atomically (QSaveFile: a temporary file renamed on commit).
#include "engine/trace/trace.h"
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/color_maps.h"

#include <QByteArray>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

class QCustomPlot;

namespace al::ui {

enum class ExportFormat { Png, Svg, Pdf, Csv };

/// Every format in menu order.
QVector<ExportFormat> exportFormats();
/// File suffix and command-line identifier: "png", "svg", "pdf", "csv".
QString exportFormatId(ExportFormat format);
/// File-dialog filter, e.g. "SVG vector image (*.svg)" (translated).
QString exportFormatFilter(ExportFormat format);
/// Parses "png", "svg", "pdf" or "csv" (case-insensitive). False on anything else.
bool parseExportFormat(const QString& text, ExportFormat& format);
/// The format named by a path's suffix; false when the suffix is none of the four.
bool exportFormatFromPath(const QString& path, ExportFormat& format);

/// Size of an exported figure. `width` x `height` are pixels of the PNG; `dpi` says how many of
/// them make an inch, so the figure is `width / dpi` inches wide in every format (SVG and PDF
/// carry that physical size) and its text keeps its point size: the plot is laid out at
/// width * 96 / dpi logical pixels (96 = a standard screen) and scaled by dpi / 96.
struct FigureSize {
    int width = 1200;
    int height = 900;
    double dpi = 96.0;

    /// Layout size in logical (96 dpi) pixels; at least 1 x 1.
    QSize logicalSize() const;
    /// Empty when valid, else a message: width and height from 16 to 20000 pixels, dpi from 24 to 2400.
    QString validate() const;
};

/// Renders `plot` (as it is configured now; it need not be shown) into the bytes of a PNG, SVG
/// or PDF file of `size`. PNG: exactly width x height pixels with `dpi` stored in the file. SVG
/// (QSvgGenerator): vector paths, text kept as <text> elements (token labels stay searchable),
/// the colour map as an embedded image. PDF (QPdfWriter): one page of width/dpi x height/dpi
/// inches with the fonts embedded, so CJK glyphs render without the font installed.
/// Throws al::Error for Csv (use matrixCsv / plotCsv), an invalid size or a painting failure.
QByteArray renderPlot(QCustomPlot* plot, ExportFormat format, const FigureSize& size,
                      const QString& title = QString());

/// A matrix as CSV (RFC 4180 quoting, UTF-8, "\n" line ends): a header row `corner, col labels…`,
/// then one row per matrix row `row label, values…`. Values are written with 9 significant
/// digits, so every float parses back to the same float. Missing labels become the 1-based
/// position number.
QByteArray matrixCsv(const al::Mat& m, const QStringList& rowLabels, const QStringList& colLabels,
                     const QString& corner = QStringLiteral("query \\ key"));

/// The data of a plot's graphs, curves and bars as CSV in long form: "series,x,y" and one row per
/// point (series = the plottable's name, else "series N"). Colour maps are left out (a heatmap
/// exports its matrix with matrixCsv).
QByteArray plotCsv(QCustomPlot* plot);

/// One CSV field: quoted (with doubled quotes) when it holds a comma, quote, CR or LF, or starts
/// or ends with a space.
QString csvField(const QString& text);

/// Writes `bytes` to `path` atomically (QSaveFile). Throws al::Error "cannot write 'path': reason".
void writeFileAtomically(const QString& path, const QByteArray& bytes);

/// Writes `plot` to `path` in `format` (Csv -> plotCsv). Throws al::Error.
void exportPlot(QCustomPlot* plot, const QString& path, ExportFormat format, const FigureSize& size,
                const QString& title = QString());

/// What a batch export of attention maps writes.
struct AttentionExportRequest {
    QVector<al::AttentionKind> kinds;      ///< kinds to export; kinds the Trace does not hold are skipped
    int layer = -1;                        ///< 0-based layer, or -1 for all
    int head = -1;                         ///< 0-based head, or -1 for all
    QVector<ExportFormat> formats{ExportFormat::Png};
    FigureSize size{1200, 0, 150.0};       ///< height 0: chosen from the matrix's aspect ratio
    ColorMap colorMap = ColorMap::Viridis;
    ColorRange colorRange = ColorRange::Probability;
    QString directory;                     ///< created when missing
    QString caption;                       ///< appended to every figure title (e.g. the sentence); may be empty
};

/// File name of one exported attention map: "<kind>_L<layer>_H<head>.<format>", kind "enc",
/// "dec" or "cross", layer and head 1-based as the UI shows them (e.g. "cross_L1_H2.svg").
QString attentionFileName(al::AttentionKind kind, int layer, int head, ExportFormat format);

/// Checks a request against a Trace before anything is written: empty when every explicitly
/// named kind is recorded and `layer` / `head` exist in each of them, else a message such as
/// "--layer 3: cross-attention has 2 layers (1-2)" (1-based, as the user typed it).
QString checkAttentionRequest(const al::Trace& trace, const AttentionExportRequest& request);

/// The PNG height for a heatmap of nq queries x nk keys at `width` when none is given: about
/// square cells, plus room for the labels and the colour scale; within [width/2, 2*width].
int autoHeatmapHeight(int width, int nq, int nk);

/// Writes every selected (kind, layer, head) map of `trace` in every format into
/// request.directory, drawn like the GUI's focused heatmap (token labels on both axes, colour
/// scale, title "<kind> · layer L · head H"). `progress(done, total)` is called after each file;
/// returning false stops early. Returns the paths written, in order. Throws al::Error when the
/// request does not fit the Trace (checkAttentionRequest) or a file cannot be written.
QStringList exportAttention(const al::Trace& trace, const AttentionExportRequest& request,
                            const std::function<bool(int, int)>& progress = {});

} // namespace al::ui
