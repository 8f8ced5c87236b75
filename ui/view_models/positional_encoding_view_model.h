// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the positional-encoding lab: the sinusoidal table of
// "Attention Is All You Need" section 3.5, the curves of chosen dimensions over positions, the
// similarity between positions (the relative-position structure), and a model's learned table.
#include "engine/models/config.h"
#include "engine/core/tensor.h"
#include "engine/models/translation_model.h"

#include <QString>
#include <QVector>

namespace al::ui {

/// The sinusoidal table PE (positions, d_model) as the engine adds it to the embeddings
/// (al::sinusoidal_positional_encoding): PE[t, 2i] = sin(t / 10000^(2i/d_model)),
/// PE[t, 2i+1] = cos(t / 10000^(2i/d_model)). Throws al::Error unless both are >= 1.
al::Mat sinusoidalTable(int positions, int dModel);

/// Wavelength in positions of dimension `dim` of the sinusoidal table: 2π · 10000^(2i/d_model)
/// with i = dim / 2 (the wavelengths form a geometric progression from 2π to 10000 · 2π).
double sinusoidWavelength(int dim, int dModel);

/// How two positions' encodings are compared.
enum class PositionSimilarity {
    Dot,    ///< PE[a] · PE[b]; for the sinusoidal table = Σ_i cos((a - b) ω_i), a function of a - b only
    Cosine, ///< PE[a] · PE[b] / (|PE[a]| |PE[b]|); 0 where a row is all zeros
};
/// The (positions x positions) similarity matrix of the rows of `pe` (positions, C).
al::Mat positionSimilarity(const al::Mat& pe, PositionSimilarity kind);

/// Column `dim` of `pe` over the positions (empty when dim is out of range).
QVector<double> dimensionCurve(const al::Mat& pe, int dim);

/// Parsed "dimensions to plot" text.
struct DimensionList {
    QVector<int> dims;  ///< in the order typed, duplicates removed
    QString error;      ///< non-empty when the text is invalid (names the part at fault)
    bool ok() const { return error.isEmpty(); }
};
/// Parses a list such as "0, 1, 4-7" (0-based dimensions, ranges inclusive, separated by commas
/// or spaces) for a table of `dModel` columns, at most `maxCount` dimensions. Errors name the
/// part at fault: "'x' is not a dimension or a range", "dimension 70 is outside 0-63",
/// "at most 16 dimensions".
DimensionList parseDimensions(const QString& text, int dModel, int maxCount = 16);

/// True when the model was built with a learned positional table (config key
/// positional_encoding = "learned").
bool usesLearnedPositions(const al::ModelConfig& config);
/// The model's learned table "pos_emb.weight" (max_len, d_model); empty unless
/// usesLearnedPositions(). Copied, so it outlives the snapshot.
al::Mat learnedPositionalTable(const al::TranslationModel& model);

/// Labels "0" .. "n-1" for positions or dimensions.
QStringList indexLabels(int n);

} // namespace al::ui
