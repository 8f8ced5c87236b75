// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace al {

/// How one side of a corpus is cut into tokens.
///   Char: one token per Unicode character, spaces dropped (Chinese, Japanese).
///   Word: lower-cased Unicode words and single punctuation marks; an apostrophe between
///         letters stays inside the word ("don't", "aujourd'hui"); a hyphen between letters
///         too ("allez-vous").
///   Auto: resolved from data: Char when most letters are CJK, Word otherwise.
enum class TokenKind { Char, Word, Auto };

/// Parses "char" | "word" | "auto"; throws al::Error naming `what` otherwise.
TokenKind token_kind_from_string(const std::string& s, const std::string& what);
std::string to_string(TokenKind k);

/// Resolves Auto by looking at sample sentences (Char when more than half of all letters
/// are CJK). Char and Word are returned unchanged.
TokenKind resolve_token_kind(TokenKind k, const std::vector<std::string>& samples);

class Tokenizer {
public:
    /// `kind` must be Char or Word (resolve Auto first); throws al::Error otherwise.
    explicit Tokenizer(TokenKind kind = TokenKind::Word);
    TokenKind kind() const { return m_kind; }
    /// normalize_text() then split. Invalid UTF-8 throws al::Error.
    std::vector<std::string> tokenize(const std::string& utf8) const;
    /// Inverse for display: Char joins without spaces; Word joins with spaces but attaches
    /// closing punctuation (. , ! ? ; : ) ] } %) to the previous token and opening brackets
    /// to the next one.
    std::string detokenize(const std::vector<std::string>& tokens) const;

private:
    TokenKind m_kind;
};

} // namespace al
