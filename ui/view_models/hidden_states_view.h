// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of the Hidden states tab: a word typed in two sentences and the cosine
// similarity of its representation after the embedding and after each layer (the lecture's
// claim that self-attention makes the same word differ by context, layer by layer), and a 2-D
// PCA of the hidden states of both sentences at one layer (engine/trace/hidden_states.h).
#include "engine/trace/trace.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace al::ui {

/// A word in two contexts, shipped as an example.
struct ContextExample {
    QString sentenceA;
    QString sentenceB; ///< may equal sentenceA ("I saw a saw.": two occurrences in one sentence)
    QString word;      ///< the token compared (a character for a character-level model)
    QString language;  ///< "zh" or "en"
    QString note;      ///< what the word means in each (shown as the example's tooltip)
};

/// The shipped examples, Chinese first.
QVector<ContextExample> contextExamples();

/// The first example whose word `known` accepts (e.g. the model's input vocabulary holds it),
/// or 0 when none does.
int defaultContextExample(const std::function<bool(const QString& word)>& known);

/// The positions (0-based) of `word` among `tokens` (exact match; case-insensitive fallback).
QVector<int> wordPositions(const QStringList& tokens, const QString& word);

/// The input tokens of the stack the hidden states come from: the source for a model with an
/// encoder, else the decoder inputs (a decoder-only language model).
QStringList stateTokens(const al::Trace& trace);

/// The comparison the plot shows.
struct HiddenStatesComparison {
    QStringList layerLabels;      ///< "embedding", "layer 1", ..., "final norm" (translated)
    QVector<double> sameWord;     ///< per layer state: cos(word in A, word in B)
    QVector<double> otherWords;   ///< per layer state: mean cos over pairs of different tokens of A and B
    QStringList tokensA, tokensB;
    int positionA = -1, positionB = -1;
    QString error;                ///< non-empty when the comparison cannot be made (translated)
};

/// Compares `word` at its `occurrenceA`-th position in `a` and its `occurrenceB`-th in `b`
/// (0-based; clamped to the occurrences there). Both Traces must carry forward detail
/// (TraceOptions::forward_detail) of the same model.
HiddenStatesComparison compareHiddenStates(const al::Trace& a, const al::Trace& b, const QString& word,
                                           int occurrenceA, int occurrenceB);

/// Which occurrence of each sentence to compare by default: the first in each, but the second in
/// B when A and B are the same sentence ("I saw a saw.").
QPair<int, int> defaultOccurrences(const QString& sentenceA, const QString& sentenceB);

/// One point of the PCA scatter.
struct StatePoint {
    double x = 0, y = 0;
    QString token;
    int sentence = 0; ///< 0: A, 1: B
    int position = 0; ///< 0-based position in its sentence
    QString tag;      ///< the tagger's predicted tag of the token (Trace::src_tags); empty for other models
};

/// The hidden states of both sentences at one layer state, projected onto their first two
/// principal components.
struct StateScatter {
    QVector<StatePoint> points;
    double explained[2] = {};
    QString layerLabel;
    QString error;
};

/// PCA of the rows of A's and B's states at layer state `layer` (an index into layerLabels).
StateScatter projectHiddenStates(const al::Trace& a, const al::Trace& b, int layer);

/// What the colours of the scatter show.
enum class ScatterColouring { Sentence, Position, Token, Tag };

/// Points drawn in one colour, with the legend's label.
struct ScatterGroup {
    QString label;        ///< "A", "position 3", "打", "NOUN"
    QVector<int> points;  ///< indices into StateScatter::points
    double shade = 0;     ///< Position: position / (longest sentence - 1), in [0, 1], for a sequential colour map; else 0
};

/// The groups of `scatter` under `colouring`, in order: sentence A then B; positions ascending;
/// tokens and tags in order of first appearance. Tag gives no group when a point has no tag
/// (scatterHasTags).
QVector<ScatterGroup> scatterGroups(const StateScatter& scatter, ScatterColouring colouring);
/// Every point carries a tag (the model is a tagger), so that ScatterColouring::Tag applies.
bool scatterHasTags(const StateScatter& scatter);

/// The point of `scatter` nearest to (x, y) within `radius` in the same units, or -1.
int nearestPoint(const StateScatter& scatter, double x, double y, double radiusX, double radiusY);

} // namespace al::ui
