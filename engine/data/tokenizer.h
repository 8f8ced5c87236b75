// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace al {

/// How one side of a corpus is cut into tokens.
///   Char: one token per Unicode character, spaces dropped (Chinese, Japanese).
///   Word: lower-cased Unicode words and single punctuation marks; an apostrophe between
///         letters stays inside the word ("don't", "aujourd'hui"); a hyphen between letters
///         too ("allez-vous"); '.' or ',' between digits too ("3.5", "1,000"). CJK characters
///         inside Word text are single tokens. Punctuation is classified by Unicode block
///         (no ICU), exact for Latin, Greek, Cyrillic and CJK text.
///   Auto: resolved from data: Char when most letters are CJK, Word otherwise.
enum class TokenKind { Char, Word, Auto };

/// Parses "char" | "word" | "auto"; throws al::Error naming `what` otherwise
/// (e.g. what = "config.json: src_tokens").
TokenKind token_kind_from_string(const std::string& s, const std::string& what);
/// "char" | "word" | "auto", the inverse of token_kind_from_string().
std::string to_string(TokenKind k);

/// Resolves Auto by looking at sample sentences (Char when more than half of all letters
/// are CJK; digits do not count as letters; samples that are not valid UTF-8 are ignored).
/// Char and Word are returned unchanged.
TokenKind resolve_token_kind(TokenKind k, const std::vector<std::string>& samples);

class Tokenizer {
public:
    /// `kind` must be Char or Word (resolve Auto first); throws al::Error otherwise.
    explicit Tokenizer(TokenKind kind = TokenKind::Word);
    TokenKind kind() const { return m_kind; }
    /// normalize_text() then split. Char tokens keep their case; Word tokens are lower-cased.
    /// Invalid UTF-8 throws al::Error. Linear time, no regular expressions.
    std::vector<std::string> tokenize(const std::string& utf8) const;
    /// Inverse for display: Char joins without spaces; Word joins with spaces but attaches
    /// closing punctuation (. , ! ? ; : ) ] } %) to the previous token and opening brackets
    /// to the next one; CJK characters and full-width punctuation join without spaces.
    std::string detokenize(const std::vector<std::string>& tokens) const;

private:
    TokenKind m_kind;
};

} // namespace al
