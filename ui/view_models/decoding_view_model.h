// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the "decoding step by step" panel: what a DecodingTrace shows
// at one step (the top-k next-token bars, the chosen token, the cross-attention row over the
// source, the output so far), the forced prefix built when the user overrides a step (teacher
// forcing by hand), and one blocking decoding run for the panel's worker thread.
//
// Steps are 0-based: step t predicts output token t from the decoder input "<bos> y1 .. yt".
#include "engine/decode/decoding.h"
#include "engine/trace/trace.h"
#include "engine/models/translation_model.h"
#include "engine/data/vocab.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <vector>

namespace al::ui {

/// The bars of one decoding step: the recorded top-k next tokens by decreasing model
/// probability p(y_t | y_<t, x), their probabilities under the distribution actually sampled
/// from, and where the chosen token is among them. Empty (no bars) for a step out of range.
struct StepBars {
    int step = -1;
    QStringList tokens;
    QVector<int> ids;
    QVector<double> probs;        ///< model probability (softmax of the logits, no temperature)
    QVector<double> sampleProbs;  ///< after temperature / top-k / top-p (= probs for greedy and beam)
    int chosenRank = -1;          ///< index of the chosen token in the bars; -1 when outside the top-k
    QString chosenToken;
    int chosenId = -1;
    double chosenProb = 0.0;      ///< model probability of the chosen token (also when outside the top-k)
    bool forced = false;          ///< the token came from the forced prefix
    bool isEmpty() const { return tokens.isEmpty(); }
};

/// Steps recorded in the trace (one per generated token, EOS included when generated).
int decodingStepCount(const al::Trace& trace);
/// The bars of `step` (empty StepBars when out of range).
StepBars stepBars(const al::Trace& trace, int step);
/// The tokens chosen at steps 0 .. step (all steps for step >= count; none for step < 0).
QStringList outputSoFar(const al::Trace& trace, int step);
/// The decoder input at `step`: "<bos>" at step 0, else the token chosen at step - 1.
QString decoderInputAt(const al::Trace& trace, int step);

/// Cross-attention layers recorded per step (0 when none).
int decodingCrossLayerCount(const al::Trace& trace);
/// Heads of cross-attention layer `layer` recorded per step (0 when it does not exist).
int decodingCrossHeadCount(const al::Trace& trace, int layer);
/// Step `step`'s cross-attention row over the S source positions (Trace::src_tokens) in layer
/// `layer`: head `head`'s row, or for head = -1 the mean of the rows of all heads (also a
/// probability distribution). Empty when the step, layer or head does not exist.
QVector<double> crossAttentionRow(const al::Trace& trace, int step, int layer, int head);

/// The forced prefix that keeps the tokens chosen at steps 0 .. step-1 and puts `tokens` at
/// step, step+1, ... (teacher forcing by hand). step is clamped to [0, count].
QStringList forcedPrefixAt(const al::Trace& trace, int step, const QStringList& tokens);
/// Target tokens of typed text: a special token spelled out ("<eos>", "<unk>") stays one token,
/// anything else goes through the target tokenizer (so a typed phrase gives several tokens).
QStringList typedTargetTokens(const al::Tokenizer& tokenizer, const QString& text);
/// Target ids of forced tokens; false with `error` naming the first token that is not in the
/// vocabulary, or that is <pad> / <bos> (which cannot be generated).
bool encodeForcedPrefix(const al::Vocab& vocab, const QStringList& tokens, std::vector<int>& ids, QString* error);

/// The bars as CSV: "rank,token,id,probability,sample_probability,chosen" (rank 1-based,
/// chosen 1 or 0), numbers with 9 significant digits.
QByteArray stepBarsCsv(const StepBars& bars);
/// A cross-attention row as CSV: "position,source_token,weight".
QByteArray crossRowCsv(const QVector<double>& row, const QStringList& srcTokens);
/// One line describing how the trace was decoded, e.g. "beam search, width 4, length penalty
/// α = 0.6 · log P = -3.21" (translated).
QString decodingSummary(const al::DecodingTrace& d);

/// What one decoding run of the panel produced.
struct DecodingRun {
    std::shared_ptr<const al::Trace> trace; ///< null on error
    QString translation;                    ///< detokenised output
    QString errorMessage;                   ///< non-empty when the run failed (bad option, unknown forced token)
};

/// Translates `sentence` with `opts` (opts.forced_prefix replaced by the ids of `forcedTokens`)
/// recording every step (al::translate with a Trace). Blocking; thread-safe on a const model.
/// Never throws: errors come back in errorMessage.
DecodingRun runDecoding(const al::TranslationModel& model, const QString& sentence, al::DecodingOptions opts,
                        const QStringList& forcedTokens);

} // namespace al::ui
