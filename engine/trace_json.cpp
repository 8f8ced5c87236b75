// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trace_json.h"

#include "engine/error.h"

namespace al {

namespace {

constexpr const char* kFormat = "attention-lab-trace";
constexpr int kVersion = 1;

nlohmann::json matrix_to_json(const Mat& m)
{
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(static_cast<double>(m(r, c)));
        rows.push_back(std::move(row));
    }
    return rows;
}

nlohmann::json maps_to_json(const AttentionMaps& maps)
{
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& heads : maps) {
        nlohmann::json hs = nlohmann::json::array();
        for (const Mat& m : heads) hs.push_back(matrix_to_json(m));
        layers.push_back(std::move(hs));
    }
    return layers;
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& source)
{
    auto it = j.find(key);
    if (it == j.end()) throw Error(source + ": missing key '" + key + "'");
    if (!it->is_array()) throw Error(source + ": key '" + key + "' must be a list");
    return *it;
}

std::vector<std::string> tokens_from_json(const nlohmann::json& j, const char* key, const std::string& source)
{
    std::vector<std::string> out;
    for (const auto& t : member(j, key, source)) {
        if (!t.is_string()) throw Error(source + ": key '" + key + "' must be a list of strings");
        out.push_back(t.get<std::string>());
    }
    return out;
}

AttentionMaps maps_from_json(const nlohmann::json& j, const char* key, size_t rows, size_t cols,
                             const std::string& source)
{
    AttentionMaps maps;
    const nlohmann::json& layers = member(j, key, source);
    for (size_t l = 0; l < layers.size(); ++l) {
        const std::string where = source + ": '" + key + "'[" + std::to_string(l) + "]";
        if (!layers[l].is_array()) throw Error(where + " must be a list of heads");
        std::vector<Mat> heads;
        for (size_t h = 0; h < layers[l].size(); ++h) {
            const nlohmann::json& m = layers[l][h];
            const std::string at = where + "[" + std::to_string(h) + "]";
            if (!m.is_array()) throw Error(at + " must be a list of rows");
            const size_t r = m.size();
            const size_t c = r > 0 && m[0].is_array() ? m[0].size() : 0;
            if (r != rows || c != cols)
                throw Error(at + " is " + std::to_string(r) + " x " + std::to_string(c) + ", expected "
                            + std::to_string(rows) + " x " + std::to_string(cols));
            Mat mat(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
            for (size_t i = 0; i < r; ++i) {
                if (!m[i].is_array() || m[i].size() != c)
                    throw Error(at + " row " + std::to_string(i) + " must hold " + std::to_string(c) + " numbers");
                for (size_t k = 0; k < c; ++k) {
                    if (!m[i][k].is_number())
                        throw Error(at + " row " + std::to_string(i) + " holds a non-number");
                    mat(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) =
                        static_cast<Scalar>(m[i][k].get<double>());
                }
            }
            heads.push_back(std::move(mat));
        }
        maps.push_back(std::move(heads));
    }
    return maps;
}

} // namespace

nlohmann::json trace_to_json(const Trace& trace)
{
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = kVersion;
    j["src_tokens"] = trace.src_tokens;
    j["tgt_in_tokens"] = trace.tgt_in_tokens;
    j["tgt_out_tokens"] = trace.tgt_out_tokens;
    j["encoder_self"] = maps_to_json(trace.enc_self);
    j["decoder_self"] = maps_to_json(trace.dec_self);
    j["cross"] = maps_to_json(trace.cross);
    return j;
}

Trace trace_from_json(const nlohmann::json& j, const std::string& source)
{
    if (!j.is_object()) throw Error(source + ": expected a JSON object");
    auto fmt = j.find("format");
    if (fmt != j.end() && (!fmt->is_string() || fmt->get<std::string>() != kFormat))
        throw Error(source + ": key 'format' must be \"" + std::string(kFormat) + "\"");
    auto ver = j.find("version");
    if (ver != j.end() && (!ver->is_number_integer() || ver->get<int>() > kVersion))
        throw Error(source + ": unsupported 'version' (this program reads version " + std::to_string(kVersion) + ")");
    Trace t;
    t.src_tokens = tokens_from_json(j, "src_tokens", source);
    t.tgt_in_tokens = tokens_from_json(j, "tgt_in_tokens", source);
    t.tgt_out_tokens = tokens_from_json(j, "tgt_out_tokens", source);
    if (t.tgt_in_tokens.size() != t.tgt_out_tokens.size())
        throw Error(source + ": 'tgt_in_tokens' and 'tgt_out_tokens' differ in length");
    const size_t S = t.src_tokens.size(), T = t.tgt_in_tokens.size();
    t.enc_self = maps_from_json(j, "encoder_self", S, S, source);
    t.dec_self = maps_from_json(j, "decoder_self", T, T, source);
    t.cross = maps_from_json(j, "cross", T, S, source);
    return t;
}

} // namespace al
