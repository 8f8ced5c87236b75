// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

namespace al {

/// Token <-> id table with four special tokens at fixed ids.
class Vocab {
public:
    static constexpr int PAD = 0, BOS = 1, EOS = 2, UNK = 3;
    static constexpr const char* kSpecials[4] = {"<pad>", "<bos>", "<eos>", "<unk>"};

    Vocab(); ///< only the four specials
    /// Specials first, then tokens with count >= min_count by decreasing count, ties in
    /// byte order (deterministic). max_size > 0 caps the size including specials (the four
    /// specials always stay). Empty tokens and tokens spelled like a special are not added;
    /// min_count < 1 counts as 1.
    static Vocab build(const std::vector<std::vector<std::string>>& sequences, int min_count,
                       int max_size = 0);

    int size() const { return static_cast<int>(m_tokens.size()); } ///< V, specials included
    int id(const std::string& token) const; ///< UNK when unknown
    const std::string& token(int id) const; ///< throws al::Error when out of range
    std::vector<int> encode(const std::vector<std::string>& tokens) const; ///< id() of each, no BOS/EOS
    /// Drops PAD/BOS, stops at the first EOS; UNK shows as "<unk>". An id out of range
    /// throws al::Error.
    std::vector<std::string> decode(const std::vector<int>& ids) const;

    /// One token per line, UTF-8, '\n' line ends, in id order (specials included). Written
    /// atomically (temporary file + rename). Throws al::Error on I/O failure or on a token
    /// that cannot be written on one line.
    void save(const std::string& path) const;
    /// Throws al::Error naming path:line on a malformed file (missing specials, duplicate
    /// token, empty line, invalid UTF-8) or when the file cannot be read. Accepts CRLF.
    static Vocab load(const std::string& path);

private:
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int> m_index;
};

} // namespace al
