// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/sentence_input.h"

#include "engine/data/text.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"

#include <QCoreApplication>

#include <algorithm>
#include <string>
#include <vector>

namespace al::ui {

namespace {

constexpr int kListedUnknown = 8; ///< distinct unknown tokens the notice names

/// One token of the text: its spelling and whether the vocabulary knows it.
struct Piece {
    std::string token;
    bool known = true;
};

/// Fills the counts, shown tokens and notice of `c` from the text's tokens.
void measure(SentenceCheck& c, const std::vector<Piece>& pieces, int specials, int limit, bool keepEnd,
             int maxLen)
{
    c.run = true;
    c.tokens = int(pieces.size()) + specials;
    c.limit = limit;
    c.kept = std::min(c.tokens, limit);
    c.keepsEnd = keepEnd;
    const int keptPieces = std::max(0, std::min(int(pieces.size()), limit - specials));
    const size_t first = keepEnd ? pieces.size() - size_t(keptPieces) : 0;
    for (size_t i = first; i < first + size_t(keptPieces); ++i) {
        const Piece& p = pieces[i];
        c.shownTokens << (p.known ? QString::fromStdString(p.token) : QStringLiteral("<unk>"));
        if (!p.known) {
            ++c.unknown;
            const QString t = QString::fromStdString(p.token);
            if (!c.unknownTokens.contains(t))
                c.unknownTokens << t;
        }
    }
    QStringList parts;
    if (c.tokens > limit)
        parts << (keepEnd ? QCoreApplication::translate("al::ui::SentenceInput",
                                                        "Too long for the model: it reads at most %1 tokens (max_len "
                                                        "%2), so the last %1 of the text's %3 tokens were kept as its "
                                                        "context.")
                          : QCoreApplication::translate("al::ui::SentenceInput",
                                                        "Too long for the model: it reads at most %1 tokens (max_len "
                                                        "%2), so the first %1 of the text's %3 tokens were kept and "
                                                        "the rest is ignored."))
                     .arg(limit)
                     .arg(maxLen)
                     .arg(c.tokens);
    if (keptPieces > 0 && c.unknown == keptPieces) {
        parts << QCoreApplication::translate("al::ui::SentenceInput",
                                             "Every token of the text (%n) is unknown to the model's vocabulary: "
                                             "the model reads only <unk>.",
                                             nullptr, c.unknown);
    } else if (c.unknown > 0) {
        QStringList named = c.unknownTokens.mid(0, kListedUnknown);
        if (c.unknownTokens.size() > kListedUnknown)
            named << QStringLiteral("…");
        parts << QCoreApplication::translate("al::ui::SentenceInput",
                                             "%n token(s) not in the model's vocabulary, read as <unk>:", nullptr,
                                             c.unknown) +
                     QLatin1Char(' ') + named.join(QLatin1Char(' '));
    }
    c.notice = parts.join(QLatin1Char(' '));
}

SentenceCheck blank()
{
    SentenceCheck c;
    c.notice = blankSentenceHint();
    return c;
}

} // namespace

bool isBlankSentence(const QString& text)
{
    return al::normalize_text(text.toStdString()).empty();
}

QString blankSentenceHint()
{
    return QCoreApplication::translate("al::ui::SentenceInput", "Type a sentence: the model runs on what you type here.");
}

SentenceCheck checkSentence(const QString& text, const al::TranslationModel& model)
{
    if (isBlankSentence(text))
        return blank();
    std::vector<Piece> pieces;
    const int unk = model.src_vocab.unk();
    for (std::string& t : model.src_tokenizer.tokenize(text.toStdString())) {
        const bool known = model.src_vocab.id(t) != unk;
        pieces.push_back({std::move(t), known});
    }
    SentenceCheck c;
    const int maxLen = model.net.config().max_len;
    measure(c, pieces, 0, maxLen - 1, false, maxLen);
    return c;
}

SentenceCheck checkSentence(const QString& text, const al::TaskModel& model)
{
    if (isBlankSentence(text))
        return blank();
    const al::ModelConfig& cfg = model.net.config();
    const al::Vocab& vocab = model.vocab;
    std::vector<Piece> pieces;
    auto add = [&](const std::string& piece) {
        for (std::string& t : al::task_tokenize(cfg.tokens, piece)) {
            const bool known = vocab.id(t) != vocab.unk();
            pieces.push_back({std::move(t), known});
        }
    };
    int specials = 0;
    if (cfg.task == "mlm") {
        // As task_model_trace: [CLS] A [SEP] (B [SEP]), "[MASK]" the mask token.
        const std::string s = text.toStdString();
        const size_t bar = s.find("|||");
        const std::string parts[2] = {s.substr(0, bar), bar == std::string::npos ? std::string() : s.substr(bar + 3)};
        const int segments = bar == std::string::npos ? 1 : 2;
        specials = 1 + segments;
        for (int k = 0; k < segments; ++k) {
            size_t pos = 0;
            while (true) {
                const size_t m = parts[k].find("[MASK]", pos);
                add(parts[k].substr(pos, m == std::string::npos ? std::string::npos : m - pos));
                if (m == std::string::npos)
                    break;
                pieces.push_back({"[MASK]", true});
                pos = m + 6;
            }
        }
    } else {
        add(text.toStdString());
        if ((cfg.task == "sentiment" || cfg.task == "langid") && cfg.pooling == "cls")
            specials = 1;
    }
    SentenceCheck c;
    measure(c, pieces, specials, cfg.max_len, cfg.task == "charlm", cfg.max_len);
    return c;
}

} // namespace al::ui
