// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace al {

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(const std::string& s);
/// The byte offset (0-based) of the first ill-formed UTF-8 sequence of `s`, or
/// std::string::npos when `s` is well-formed.
size_t utf8_error_offset(const std::string& s);
/// Decodes valid UTF-8 into code points. Precondition: is_valid_utf8(s); ill-formed input
/// throws al::Error naming the byte offset.
std::u32string utf8_decode(const std::string& s);
/// Encodes code points as UTF-8; a surrogate or a value above U+10FFFF throws al::Error.
std::string utf8_encode(char32_t cp);
std::string utf8_encode(const std::u32string& s);

/// Normalises text before tokenisation and BLEU so that visually identical sentences
/// tokenise identically: U+00A0, U+202F, U+2009, U+3000 and other Unicode spaces -> ' ';
/// U+200B and U+00AD removed; U+2019 -> '\''; runs of spaces collapsed; trimmed.
/// Also: tabs and line breaks -> ' '; U+FEFF, U+2060 and other control characters removed
/// (ZWJ/ZWNJ are kept). No Unicode NFC/NFKC: the Tatoeba files are already NFC.
/// Invalid UTF-8 throws al::Error. Single pass, no regular expressions.
std::string normalize_text(const std::string& s);

/// True for CJK ideographs, kana and hangul (scripts written without spaces).
bool is_cjk(char32_t cp);
/// Lower-cases a code point (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic).
char32_t to_lower(char32_t cp);

} // namespace al
