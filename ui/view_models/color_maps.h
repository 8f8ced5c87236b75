// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Colour maps of the heatmaps (GUI and `attention-lab export`): a small, fixed set with stable
// identifiers for the command line, and the QCustomPlot gradients that draw them.
#include "ui/view_models/synthesizer_view_model.h"

#include <QString>
#include <QStringList>
#include <QVector>

class QCPColorGradient;

namespace al::ui {

/// Viridis, cividis and magma are perceptually uniform and readable with the common colour-vision
/// deficiencies (cividis is optimised for them; Nuñez et al. 2018); Greys runs from white (low)
/// to black (high) for print; CoolWarm is diverging (blue - white - red, after Moreland 2009), for
/// signed scores centred on zero.
enum class ColorMap { Viridis, Cividis, Magma, Greys, CoolWarm };

/// Every colour map in menu order.
QVector<ColorMap> colorMaps();
/// Stable identifier used on the command line and in settings: "viridis", "cividis", "magma",
/// "greys", "coolwarm".
QString colorMapId(ColorMap map);
/// User-visible name, e.g. "Cividis (colour-blind safe)" (translated).
QString colorMapName(ColorMap map);
/// Parses an identifier (case-insensitive; "grey", "gray" and "greyscale" also name Greys).
/// Returns false and leaves `map` alone for anything else.
bool parseColorMap(const QString& text, ColorMap& map);
/// The identifiers, for help texts and error messages.
QStringList colorMapIds();

/// The colour map a heatmap uses when none was chosen: CoolWarm for Symmetric (signed scores),
/// Viridis otherwise.
ColorMap defaultColorMap(ColorRange range);

/// The QCustomPlot gradient of `map` (256 levels, linear RGB interpolation between ten evenly
/// spaced stops taken from the reference colour maps).
QCPColorGradient colorGradient(ColorMap map);

/// Stable identifiers of the colour ranges: "fixed" (Probability, 0..1), "per-head" (MinMax,
/// the matrix's own min..max) and "symmetric" (-max|x|..max|x|).
QString colorRangeId(ColorRange range);
/// User-visible name, e.g. "Fixed 0–1" (translated).
QString colorRangeName(ColorRange range);
/// Parses an identifier (case-insensitive; "minmax" also names per-head). False on anything else.
bool parseColorRange(const QString& text, ColorRange& range);

} // namespace al::ui
