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
    /// byte order (deterministic). max_size > 0 caps the size including specials.
    static Vocab build(const std::vector<std::vector<std::string>>& sequences, int min_count,
                       int max_size = 0);

    int size() const { return static_cast<int>(m_tokens.size()); }
    int id(const std::string& token) const; ///< UNK when unknown
    const std::string& token(int id) const; ///< throws al::Error when out of range
    std::vector<int> encode(const std::vector<std::string>& tokens) const;
    /// Drops PAD/BOS, stops at the first EOS; UNK shows as "<unk>".
    std::vector<std::string> decode(const std::vector<int>& ids) const;

    /// One token per line, UTF-8, in id order (specials included). Written atomically.
    void save(const std::string& path) const;
    /// Throws al::Error naming path:line on a malformed file (missing specials, duplicate
    /// token, empty line, invalid UTF-8) or when the file cannot be read.
    static Vocab load(const std::string& path);

private:
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int> m_index;
};

} // namespace al
