// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/vocab.h"

#include "engine/core/error.h"
#include "engine/data/text.h"
#include "engine/io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace al {

const std::vector<std::string>& special_tokens(VocabLayout layout)
{
    static const std::vector<std::string> seq2seq = {"<pad>", "<bos>", "<eos>", "<unk>"};
    static const std::vector<std::string> task = {"<pad>", "<unk>", "<bos>", "[CLS]", "[SEP]", "[MASK]"};
    return layout == VocabLayout::Task ? task : seq2seq;
}

const char* to_string(VocabLayout layout) { return layout == VocabLayout::Task ? "task" : "seq2seq"; }

Vocab::Vocab(VocabLayout layout)
    : m_layout(layout)
{
    for (const std::string& s : special_tokens(layout)) {
        const int i = size();
        if (s == "<pad>") m_pad = i;
        else if (s == "<bos>") m_bos = i;
        else if (s == "<eos>") m_eos = i;
        else if (s == "<unk>") m_unk = i;
        else if (s == "[CLS]") m_cls = i;
        else if (s == "[SEP]") m_sep = i;
        else if (s == "[MASK]") m_mask = i;
        add(s);
    }
    if (m_pad < 0 || m_unk < 0)
        throw Error(std::string("vocabulary layout '") + to_string(layout) + "' lacks <pad> or <unk>");
}

void Vocab::missing_special(const char* name) const
{
    throw Error(std::string("vocabulary: the ") + to_string(m_layout) + " layout has no " + name + " token");
}

void Vocab::add(std::string token)
{
    m_index.emplace(token, size());
    m_tokens.push_back(std::move(token));
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sequences, int min_count, int max_size,
                   VocabLayout layout)
{
    Vocab v(layout);
    std::unordered_map<std::string, long> counts;
    for (const auto& seq : sequences)
        for (const std::string& t : seq)
            if (!t.empty() && !v.m_index.count(t)) ++counts[t];

    std::vector<std::pair<std::string, long>> kept;
    kept.reserve(counts.size());
    for (auto& kv : counts)
        if (kv.second >= std::max(min_count, 1)) kept.emplace_back(kv.first, kv.second);
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });

    const int specials = v.size();
    size_t room = kept.size();
    if (max_size > 0) room = std::min(room, static_cast<size_t>(std::max(max_size - specials, 0)));
    v.m_tokens.reserve(size_t(specials) + room);
    for (size_t i = 0; i < room; ++i) v.add(std::move(kept[i].first));
    return v;
}

Vocab Vocab::from_tokens(const std::vector<std::string>& tokens, VocabLayout layout, const std::string& source)
{
    Vocab v(layout);
    const std::vector<std::string>& specials = special_tokens(layout);
    if (tokens.size() < specials.size())
        throw Error(source + ": " + std::to_string(tokens.size()) + " tokens, fewer than the " +
                    std::to_string(specials.size()) + " special tokens");
    for (size_t i = 0; i < specials.size(); ++i)
        if (tokens[i] != specials[i])
            throw Error(source + ": token " + std::to_string(i) + " must be \"" + specials[i] + "\", got \"" +
                        tokens[i] + "\"");
    for (size_t i = specials.size(); i < tokens.size(); ++i) {
        if (tokens[i].empty()) throw Error(source + ": token " + std::to_string(i) + " is empty");
        if (v.m_index.count(tokens[i]))
            throw Error(source + ": token " + std::to_string(i) + " (\"" + tokens[i] + "\") occurs twice");
        v.add(tokens[i]);
    }
    return v;
}

int Vocab::id(const std::string& token) const {
    const auto it = m_index.find(token);
    return it == m_index.end() ? m_unk : it->second;
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
        if (i == m_eos) break;
        if (i == m_pad || i == m_bos) continue;
        out.push_back(token(i));
    }
    return out;
}

void Vocab::save_lines(const std::string& path) const {
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

Vocab Vocab::load_lines(const std::string& path, VocabLayout layout) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path + "': " + std::strerror(errno));

    const std::vector<std::string>& specials = special_tokens(layout);
    const int nspecial = int(specials.size());
    Vocab v(layout);
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
        if (lineno <= nspecial && line != specials[size_t(lineno - 1)])
            throw Error(where + "expected special token '" + specials[size_t(lineno - 1)] + "', found '" + line +
                        "'");
        const auto it = v.m_index.find(line);
        if (it != v.m_index.end())
            throw Error(where + "duplicate token '" + line + "' (first on line " +
                        std::to_string(it->second + 1) + ")");
        v.add(std::move(line));
    }
    if (in.bad()) throw Error("cannot read '" + path + "': " + std::strerror(errno));
    if (lineno < nspecial) {
        std::string list;
        for (const std::string& s : specials) list += (list.empty() ? "" : ", ") + s;
        throw Error(path + ":" + std::to_string(lineno + 1) + ": missing special token '" +
                    specials[size_t(lineno)] + "' (the file must start with " + list + ")");
    }
    return v;
}

void Vocab::save_json(const std::string& path) const
{
    std::string bytes;
    try {
        bytes = nlohmann::json(m_tokens).dump() + "\n";
    } catch (const nlohmann::json::exception& e) {
        throw Error("cannot save vocabulary to '" + path + "': " + e.what());
    }
    atomic_write_file(path, bytes);
}

Vocab Vocab::load_json(const std::string& path, VocabLayout layout)
{
    const nlohmann::json v = read_json_file(path);
    if (!v.is_array())
        throw Error(path + ": expected a JSON array of tokens, got " + std::string(v.type_name()));
    std::vector<std::string> tokens;
    tokens.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            throw Error(path + ": token " + std::to_string(i) + " is a " + v[i].type_name() + ", not a string");
        tokens.push_back(v[i].get<std::string>());
    }
    return from_tokens(tokens, layout, path);
}

} // namespace al
