// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The sentence box's text measured against the model that will read it: the tokens the model's
// tokenizer cuts (emoji, mixed scripts, right-to-left text alike), how many of them the model
// reads (its max_len, the length of the positional table), which are not in its vocabulary, and
// the notice the box shows about that. Widget-free, so a test reaches it without a window.
#include <QString>
#include <QStringList>

namespace al {
struct TranslationModel;
struct TaskModel;
} // namespace al

namespace al::ui {

/// What the sentence box's text is for one model.
struct SentenceCheck {
    bool run = false;        ///< false for a blank text: no model pass; `notice` is the hint
    int tokens = 0;          ///< tokens of the whole text, as the model's tokenizer cuts it
    int limit = 0;           ///< the most tokens the model reads (see checkSentence)
    int kept = 0;            ///< tokens the model reads: min(tokens, limit)
    bool keepsEnd = false;   ///< charlm: the last `kept` tokens are read, not the first
    QStringList shownTokens; ///< the kept tokens as the model reads them, unknown ones as "<unk>"
    int unknown = 0;         ///< kept tokens not in the model's vocabulary
    QStringList unknownTokens; ///< the distinct ones among them, in text order
    QString notice;          ///< the notice under the box; empty when there is nothing to say
};

/// True when `text` has no token for any model: empty, or only spaces and invisible characters
/// (what normalize_text removes).
bool isBlankSentence(const QString& text);

/// The hint the box shows for a blank text ("Type a sentence ...").
QString blankSentenceHint();

/// The source sentence of an encoder-decoder model: cut by its source tokenizer; the model reads
/// at most max_len - 1 source tokens (one position is the <eos> it appends), the first ones.
/// The notice says how many were kept of how many, and which tokens are unknown (every token
/// unknown: a notice saying so).
SentenceCheck checkSentence(const QString& text, const al::TranslationModel& model);

/// The text of a task model, as task_model_trace() encodes it: cut by task_tokenize; the model
/// reads at most max_len positions, its specials ([CLS] of cls pooling, mlm's [CLS] and [SEP])
/// included; charlm keeps the last max_len characters (its context), the others the first. For
/// mlm, "[MASK]" and " ||| " are the mask token and the sentence break, not unknown words.
SentenceCheck checkSentence(const QString& text, const al::TaskModel& model);

} // namespace al::ui
