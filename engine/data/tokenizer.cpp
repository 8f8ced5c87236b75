// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/tokenizer.h"

#include "engine/core/error.h"
#include "engine/data/text.h"

namespace al {

namespace {

// Punctuation and symbol blocks; every other non-space, non-CJK code point counts as part of
// a word. Without ICU this is a block-level approximation of Unicode's P* and S* categories,
// exact for the Latin, Greek, Cyrillic and CJK text the bundled corpora contain.
bool is_punct_or_symbol(char32_t cp) {
    if (cp < 0x80) {
        return !((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'));
    }
    if (cp < 0x100) { // Latin-1: ¡..¿ are punctuation/symbols except ª ² ³ µ ¹ º ¼ ½ ¾
        if (cp >= 0xA1 && cp <= 0xBF)
            return !(cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 ||
                     cp == 0xBA || (cp >= 0xBC && cp <= 0xBE));
        return cp == 0xD7 || cp == 0xF7; // × ÷
    }
    return (cp == 0x37E || cp == 0x387)              // Greek question mark, ano teleia
        || (cp >= 0x55A && cp <= 0x55F)              // Armenian punctuation
        || cp == 0x589 || cp == 0x5BE || cp == 0x5C0 || cp == 0x5C3 || cp == 0x5F3 ||
           cp == 0x5F4                               // Armenian / Hebrew punctuation
        || (cp >= 0x60C && cp <= 0x60D) || cp == 0x61B || cp == 0x61F || cp == 0x66A ||
           cp == 0x6D4                               // Arabic punctuation
        || cp == 0x964 || cp == 0x965                // Devanagari danda
        || (cp >= 0x2010 && cp <= 0x205E)            // General Punctuation (after spaces)
        || (cp >= 0x207A && cp <= 0x207E) || (cp >= 0x208A && cp <= 0x208E) // sub/superscript signs
        || (cp >= 0x20A0 && cp <= 0x20CF)            // currency symbols
        || (cp >= 0x2100 && cp <= 0x2BFF)            // letterlike, arrows, math, boxes, shapes
        || (cp >= 0x2E00 && cp <= 0x2E7F)            // Supplemental Punctuation
        || (cp >= 0x3000 && cp <= 0x303F && !(cp >= 0x3005 && cp <= 0x3007)) // CJK punctuation
        || cp == 0x30FB                              // katakana middle dot
        || (cp >= 0xFE10 && cp <= 0xFE6F)            // vertical, compatibility, small forms
        || (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
           (cp >= 0xFFE0 && cp <= 0xFFEE)            // full-width punctuation and symbols
        || (cp >= 0x1F000 && cp <= 0x1FAFF);         // emoji, pictographs, game symbols
}

enum class Cls { Space, Word, Cjk, Punct };

Cls classify(char32_t cp) {
    if (cp == U' ') return Cls::Space; // normalize_text() has mapped every other space
    if (is_cjk(cp)) return Cls::Cjk;
    if (is_punct_or_symbol(cp)) return Cls::Punct;
    return Cls::Word;
}

bool is_digit(char32_t cp) { return cp >= U'0' && cp <= U'9'; }
bool is_hyphen(char32_t cp) { return cp == U'-' || cp == 0x2010 || cp == 0x2011; }

// Closing marks attach to the token before them, opening marks to the token after them.
bool is_closing(const std::string& t) {
    static const char* const kClosing[] = {".", ",", "!", "?", ";", ":", ")", "]", "}", "%",
                                           "。", "，", "！", "？", "；", "：", "）", "、",
                                           "」", "』", "》", "…"};
    for (const char* c : kClosing)
        if (t == c) return true;
    return false;
}

bool is_opening(const std::string& t) {
    static const char* const kOpening[] = {"(", "[", "{", "（", "「", "『", "《"};
    for (const char* c : kOpening)
        if (t == c) return true;
    return false;
}

// True when the token is a single CJK character or full-width punctuation: CJK text is
// written without spaces, so such tokens join their neighbours directly.
bool is_unspaced(const std::string& t) {
    if (t.empty() || static_cast<unsigned char>(t[0]) < 0x80) return false;
    const std::u32string u = utf8_decode(t);
    if (u.empty()) return false;
    const char32_t cp = u[0];
    return is_cjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF65);
}

} // namespace

TokenKind token_kind_from_string(const std::string& s, const std::string& what) {
    if (s == "char") return TokenKind::Char;
    if (s == "word") return TokenKind::Word;
    if (s == "auto") return TokenKind::Auto;
    throw Error(what + ": unknown token kind '" + s + "' (expected char, word or auto)");
}

std::string to_string(TokenKind k) {
    switch (k) {
    case TokenKind::Char: return "char";
    case TokenKind::Word: return "word";
    case TokenKind::Auto: return "auto";
    }
    return "auto";
}

TokenKind resolve_token_kind(TokenKind k, const std::vector<std::string>& samples) {
    if (k != TokenKind::Auto) return k;
    long cjk = 0, letters = 0;
    for (const std::string& s : samples) {
        if (!is_valid_utf8(s)) continue;
        for (char32_t cp : utf8_decode(s)) {
            const Cls c = classify(cp);
            if (c == Cls::Cjk) {
                ++cjk;
                ++letters;
            } else if (c == Cls::Word && !is_digit(cp)) {
                ++letters;
            }
        }
    }
    return (2 * cjk > letters) ? TokenKind::Char : TokenKind::Word;
}

Tokenizer::Tokenizer(TokenKind kind) : m_kind(kind) {
    if (kind != TokenKind::Char && kind != TokenKind::Word)
        throw Error("Tokenizer: token kind must be char or word, got '" + to_string(kind) +
                    "' (resolve auto with resolve_token_kind first)");
}

std::vector<std::string> Tokenizer::tokenize(const std::string& utf8) const {
    if (!is_valid_utf8(utf8)) throw Error("tokenizer: input is not valid UTF-8");
    const std::u32string u = utf8_decode(normalize_text(utf8));
    const size_t n = u.size();
    std::vector<std::string> out;

    if (m_kind == TokenKind::Char) {
        out.reserve(n);
        for (char32_t cp : u)
            if (cp != U' ') out.push_back(utf8_encode(cp));
        return out;
    }

    // Word: a word is a maximal run of word characters, also joined across an apostrophe
    // or a hyphen between two word characters and across '.' or ',' between two digits
    // ("don't", "allez-vous", "3.5", "1,000"). CJK characters and punctuation are single
    // tokens.
    std::vector<Cls> cls(n);
    for (size_t i = 0; i < n; ++i) cls[i] = classify(u[i]);
    size_t i = 0;
    while (i < n) {
        if (cls[i] == Cls::Space) {
            ++i;
            continue;
        }
        if (cls[i] != Cls::Word) {
            out.push_back(utf8_encode(u[i]));
            ++i;
            continue;
        }
        std::string word;
        size_t j = i;
        while (j < n) {
            if (cls[j] == Cls::Word) {
                word += utf8_encode(to_lower(u[j]));
                ++j;
                continue;
            }
            const bool inner = j > i && j + 1 < n && cls[j + 1] == Cls::Word;
            const bool joiner = inner && ((u[j] == U'\'' || is_hyphen(u[j])) ||
                                          ((u[j] == U'.' || u[j] == U',') &&
                                           is_digit(u[j - 1]) && is_digit(u[j + 1])));
            if (!joiner) break;
            word += utf8_encode(u[j]);
            ++j;
        }
        out.push_back(std::move(word));
        i = j;
    }
    return out;
}

std::string Tokenizer::detokenize(const std::vector<std::string>& tokens) const {
    std::string out;
    if (m_kind == TokenKind::Char) {
        for (const std::string& t : tokens) out += t;
        return out;
    }
    bool glue_next = true; // no space before the first token or after an opening bracket
    bool prev_unspaced = false;
    for (const std::string& t : tokens) {
        const bool unspaced = is_unspaced(t);
        const bool no_space = glue_next || is_closing(t) || (unspaced && prev_unspaced);
        if (!no_space) out += ' ';
        out += t;
        glue_next = is_opening(t);
        prev_unspaced = unspaced;
    }
    return out;
}

} // namespace al
