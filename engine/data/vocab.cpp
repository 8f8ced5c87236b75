// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/vocab.h"

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/data/text.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace al {

namespace {

bool is_special(const std::string& t) {
    for (const char* s : Vocab::kSpecials)
        if (t == s) return true;
    return false;
}

} // namespace

Vocab::Vocab() {
    for (const char* s : kSpecials) {
        m_index.emplace(s, static_cast<int>(m_tokens.size()));
        m_tokens.emplace_back(s);
    }
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sequences, int min_count,
                   int max_size) {
    std::unordered_map<std::string, long> counts;
    for (const auto& seq : sequences)
        for (const std::string& t : seq)
            if (!t.empty() && !is_special(t)) ++counts[t];

    std::vector<std::pair<std::string, long>> kept;
    kept.reserve(counts.size());
    for (auto& kv : counts)
        if (kv.second >= std::max(min_count, 1)) kept.emplace_back(kv.first, kv.second);
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });

    Vocab v;
    size_t room = kept.size();
    if (max_size > 0) room = std::min(room, static_cast<size_t>(std::max(max_size - 4, 0)));
    v.m_tokens.reserve(4 + room);
    for (size_t i = 0; i < room; ++i) {
        v.m_index.emplace(kept[i].first, static_cast<int>(v.m_tokens.size()));
        v.m_tokens.push_back(std::move(kept[i].first));
    }
    return v;
}

int Vocab::id(const std::string& token) const {
    const auto it = m_index.find(token);
    return it == m_index.end() ? UNK : it->second;
}

const std::string& Vocab::token(int id) const {
    if (id < 0 || id >= size())
        throw Error("vocabulary: id " + std::to_string(id) + " out of range [0, " +
                    std::to_string(size()) + ")");
    return m_tokens[static_cast<size_t>(id)];
}

std::vector<int> Vocab::encode(const std::vector<std::string>& tokens) const {
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (const std::string& t : tokens) ids.push_back(id(t));
    return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<int>& ids) const {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (int i : ids) {
        if (i == EOS) break;
        if (i == PAD || i == BOS) continue;
        out.push_back(token(i));
    }
    return out;
}

void Vocab::save(const std::string& path) const {
    std::string bytes;
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        const std::string& t = m_tokens[i];
        if (t.empty() || t.find_first_of("\n\r") != std::string::npos)
            throw Error("cannot save vocabulary to '" + path + "': token " + std::to_string(i) +
                        " is empty or contains a line break");
        bytes += t;
        bytes += '\n';
    }
    atomic_write_file(path, bytes);
}

Vocab Vocab::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path + "': " + std::strerror(errno));

    Vocab v;
    v.m_tokens.clear();
    v.m_index.clear();
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string where = path + ":" + std::to_string(lineno) + ": ";
        if (line.empty()) throw Error(where + "empty line");
        if (!is_valid_utf8(line)) throw Error(where + "invalid UTF-8");
        if (lineno <= 4 && line != kSpecials[lineno - 1])
            throw Error(where + "expected special token '" + kSpecials[lineno - 1] +
                        "', found '" + line + "'");
        const auto [it, inserted] = v.m_index.emplace(line, static_cast<int>(v.m_tokens.size()));
        if (!inserted)
            throw Error(where + "duplicate token '" + line + "' (first on line " +
                        std::to_string(it->second + 1) + ")");
        v.m_tokens.push_back(std::move(line));
    }
    if (in.bad()) throw Error("cannot read '" + path + "': " + std::strerror(errno));
    if (lineno < 4)
        throw Error(path + ":" + std::to_string(lineno + 1) + ": missing special token '" +
                    kSpecials[lineno] + "' (the file must start with <pad>, <bos>, <eos>, <unk>)");
    return v;
}

} // namespace al
