// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/text.h"

#include "engine/core/error.h"

#include <cstddef>
#include <cstdint>

namespace al {

namespace {

// Decodes one code point starting at s[i] and advances i. Returns false (i unchanged) on
// an ill-formed sequence: bad lead byte, missing or bad continuation bytes, overlong form,
// surrogate, or a value above U+10FFFF (RFC 3629, Unicode Table 3-7).
bool decode_one(const std::string& s, size_t& i, char32_t& out) {
    const size_t n = s.size();
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        out = b0;
        ++i;
        return true;
    }
    int len = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;      // overlong
        else if (b0 == 0xED) hi = 0x9F; // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;      // overlong
        else if (b0 == 0xF4) hi = 0x8F; // > U+10FFFF
    } else {
        return false;
    }
    if (i + static_cast<size_t>(len) > n) return false;
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
        cp = (cp << 6) | (b & 0x3F);
    }
    out = cp;
    i += static_cast<size_t>(len);
    return true;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_encodable(char32_t cp) { return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

// White space of Unicode (White_Space property) plus the ASCII controls that separate text.
bool is_space_like(char32_t cp) {
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

// Invisible characters that only affect line breaking or hyphenation; the same sentence
// with and without them must tokenise identically. ZWJ/ZWNJ are kept: they change
// rendering in some scripts and in emoji.
bool is_dropped(char32_t cp) {
    return cp == 0x200B || cp == 0x00AD || cp == 0xFEFF || cp == 0x2060 || (cp < 0x20) ||
           (cp >= 0x7F && cp < 0xA0);
}

} // namespace

size_t utf8_error_offset(const std::string& s) {
    size_t i = 0;
    char32_t cp = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        if (!decode_one(s, i, cp)) return i;
    }
    return std::string::npos;
}

bool is_valid_utf8(const std::string& s) {
    size_t i = 0;
    char32_t cp = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) { // ASCII fast path
            ++i;
            continue;
        }
        if (!decode_one(s, i, cp)) return false;
    }
    return true;
}

std::u32string utf8_decode(const std::string& s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    char32_t cp = 0;
    while (i < s.size()) {
        if (!decode_one(s, i, cp))
            throw Error("invalid UTF-8 at byte " + std::to_string(i) + " of a " +
                        std::to_string(s.size()) + "-byte string");
        out += cp;
    }
    return out;
}

std::string utf8_encode(char32_t cp) {
    if (!is_encodable(cp))
        throw Error("cannot encode code point " + std::to_string(static_cast<uint32_t>(cp)) +
                    " as UTF-8 (surrogate or above U+10FFFF)");
    std::string out;
    append_utf8(out, cp);
    return out;
}

std::string utf8_encode(const std::u32string& s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t cp : s) {
        if (!is_encodable(cp))
            throw Error("cannot encode code point " + std::to_string(static_cast<uint32_t>(cp)) +
                        " as UTF-8 (surrogate or above U+10FFFF)");
        append_utf8(out, cp);
    }
    return out;
}

std::string normalize_text(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    bool pending_space = false; // a space is emitted lazily, so runs collapse and ends trim
    size_t i = 0;
    char32_t cp = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            cp = b;
            ++i;
        } else if (!decode_one(s, i, cp)) {
            throw Error("invalid UTF-8 at byte " + std::to_string(i) + " of a " +
                        std::to_string(s.size()) + "-byte string");
        }
        if (is_space_like(cp)) {
            pending_space = !out.empty();
            continue;
        }
        if (is_dropped(cp)) continue;
        if (cp == 0x2019) cp = U'\'';
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        append_utf8(out, cp);
    }
    return out;
}

bool is_cjk(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)     // CJK Unified Ideographs
        || (cp >= 0x3400 && cp <= 0x4DBF)     // Extension A
        || (cp >= 0x20000 && cp <= 0x2FA1F)   // Extensions B-F, compatibility supplement
        || (cp >= 0x30000 && cp <= 0x323AF)   // Extensions G-H
        || (cp >= 0xF900 && cp <= 0xFAFF)     // CJK Compatibility Ideographs
        || (cp >= 0x3005 && cp <= 0x3007)     // 々 〆 〇
        || (cp >= 0x3040 && cp <= 0x309F)     // Hiragana
        || (cp >= 0x30A0 && cp <= 0x30FF)     // Katakana
        || (cp >= 0x31F0 && cp <= 0x31FF)     // Katakana Phonetic Extensions
        || (cp >= 0xFF66 && cp <= 0xFF9F)     // half-width katakana
        || (cp >= 0x3100 && cp <= 0x312F)     // Bopomofo
        || (cp >= 0x1100 && cp <= 0x11FF)     // Hangul Jamo
        || (cp >= 0x3130 && cp <= 0x318F)     // Hangul Compatibility Jamo
        || (cp >= 0xAC00 && cp <= 0xD7AF);    // Hangul Syllables
}

char32_t to_lower(char32_t cp) {
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp < 0x100) // Latin-1: À..Þ except ×
        return (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ? cp + 32 : cp;
    if (cp <= 0x17F) { // Latin Extended-A: mostly upper/lower pairs
        if (cp == 0x130) return U'i';  // İ
        if (cp == 0x178) return 0xFF;  // Ÿ -> ÿ
        if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
            (cp >= 0x14A && cp <= 0x177))
            return (cp % 2 == 0) ? cp + 1 : cp;
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return (cp % 2 == 1) ? cp + 1 : cp;
        return cp;
    }
    if (cp >= 0x370 && cp <= 0x3FF) { // Greek
        if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
        if (cp == 0x386) return 0x3AC;
        if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
        if (cp == 0x38C) return 0x3CC;
        if (cp == 0x38E || cp == 0x38F) return cp + 63;
        return cp;
    }
    if (cp >= 0x400 && cp <= 0x4FF) { // Cyrillic
        if (cp <= 0x40F) return cp + 80;
        if (cp <= 0x42F) return cp + 32;
        if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
            (cp >= 0x4D0 && cp <= 0x4FF))
            return (cp % 2 == 0) ? cp + 1 : cp;
        if (cp == 0x4C0) return 0x4CF;
        if (cp >= 0x4C1 && cp <= 0x4CE) return (cp % 2 == 1) ? cp + 1 : cp;
        return cp;
    }
    return cp;
}

} // namespace al
