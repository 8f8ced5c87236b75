// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/trace_json.h"

#include "engine/core/error.h"

#include <cmath>
#include <limits>

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

/// A JSON number as a Scalar; a value beyond the Scalar range (converting it would be undefined
/// behaviour) throws al::Error "<where> holds <v>, outside the range of a float".
Scalar scalar_from_json(const nlohmann::json& v, const std::string& where)
{
    const double d = v.get<double>();
    if (!(std::fabs(d) <= static_cast<double>(std::numeric_limits<Scalar>::max())))
        throw Error(where + " holds " + v.dump() + ", outside the range of a float");
    return static_cast<Scalar>(d);
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
                        scalar_from_json(m[i][k], at + " row " + std::to_string(i));
                }
            }
            heads.push_back(std::move(mat));
        }
        maps.push_back(std::move(heads));
    }
    return maps;
}

nlohmann::json decoding_to_json(const DecodingTrace& d)
{
    nlohmann::json j;
    j["strategy"] = d.strategy;
    if (d.strategy == "beam") {
        j["beam_width"] = d.beam_width;
        j["length_penalty"] = d.length_penalty;
    } else if (d.strategy == "nat") {
        j["beam_width"] = d.beam_width; // length candidates of the non-autoregressive decoder
    } else if (d.strategy == "sample") {
        j["temperature"] = d.temperature;
        j["top_k"] = d.top_k;
        j["top_p"] = d.top_p;
        j["seed"] = d.seed;
    }
    j["forced"] = d.forced;
    j["log_prob"] = d.log_prob;
    j["score"] = d.score;
    nlohmann::json steps = nlohmann::json::array();
    for (const DecodingStep& s : d.steps) {
        nlohmann::json js;
        js["token"] = s.token;
        js["token_id"] = s.token_id;
        js["prob"] = s.prob;
        js["forced"] = s.forced;
        js["top_tokens"] = s.top_tokens;
        js["top_ids"] = s.top_ids;
        js["top_probs"] = s.top_probs;
        js["top_sample_probs"] = s.top_sample_probs;
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& heads : s.cross) {
            nlohmann::json hs = nlohmann::json::array();
            for (const RowVec& r : heads) {
                nlohmann::json row = nlohmann::json::array();
                for (Eigen::Index c = 0; c < r.size(); ++c) row.push_back(static_cast<double>(r(c)));
                hs.push_back(std::move(row));
            }
            layers.push_back(std::move(hs));
        }
        js["cross"] = std::move(layers);
        steps.push_back(std::move(js));
    }
    j["steps"] = std::move(steps);
    return j;
}

template <class T>
std::vector<T> list_of(const nlohmann::json& j, const char* key, const std::string& where,
                       bool (nlohmann::json::*is)() const noexcept, const char* what)
{
    auto it = j.find(key);
    if (it == j.end()) throw Error(where + ": missing key '" + key + "'");
    if (!it->is_array()) throw Error(where + ": key '" + key + "' must be a list of " + what);
    std::vector<T> out;
    for (const auto& v : *it) {
        if (!(v.*is)()) throw Error(where + ": key '" + key + "' must be a list of " + what);
        out.push_back(v.get<T>());
    }
    return out;
}

template <class T>
T scalar_of(const nlohmann::json& j, const char* key, const std::string& where,
            bool (nlohmann::json::*is)() const noexcept, const char* what, T fallback)
{
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!((*it).*is)()) throw Error(where + ": key '" + key + "' must be " + what);
    return it->get<T>();
}

DecodingTrace decoding_from_json(const nlohmann::json& j, size_t S, const std::string& source)
{
    const std::string where = source + ": 'decoding'";
    if (!j.is_object()) throw Error(where + " must be an object");
    DecodingTrace d;
    d.strategy = scalar_of<std::string>(j, "strategy", where, &nlohmann::json::is_string, "a string", "");
    d.beam_width = scalar_of<int>(j, "beam_width", where, &nlohmann::json::is_number_integer, "an integer", 0);
    d.length_penalty = scalar_of<double>(j, "length_penalty", where, &nlohmann::json::is_number, "a number", 0.0);
    d.temperature = scalar_of<double>(j, "temperature", where, &nlohmann::json::is_number, "a number", 0.0);
    d.top_k = scalar_of<int>(j, "top_k", where, &nlohmann::json::is_number_integer, "an integer", 0);
    d.top_p = scalar_of<double>(j, "top_p", where, &nlohmann::json::is_number, "a number", 0.0);
    d.seed = scalar_of<uint64_t>(j, "seed", where, &nlohmann::json::is_number_unsigned, "a non-negative integer", 0);
    d.forced = scalar_of<int>(j, "forced", where, &nlohmann::json::is_number_integer, "an integer", 0);
    d.log_prob = scalar_of<double>(j, "log_prob", where, &nlohmann::json::is_number, "a number", 0.0);
    d.score = scalar_of<double>(j, "score", where, &nlohmann::json::is_number, "a number", 0.0);
    const nlohmann::json& steps = member(j, "steps", where);
    for (size_t t = 0; t < steps.size(); ++t) {
        const std::string at = where + " step " + std::to_string(t);
        const nlohmann::json& js = steps[t];
        if (!js.is_object()) throw Error(at + " must be an object");
        DecodingStep s;
        s.token = scalar_of<std::string>(js, "token", at, &nlohmann::json::is_string, "a string", "");
        s.token_id = scalar_of<int>(js, "token_id", at, &nlohmann::json::is_number_integer, "an integer", -1);
        s.prob = scalar_of<double>(js, "prob", at, &nlohmann::json::is_number, "a number", 0.0);
        s.forced = scalar_of<bool>(js, "forced", at, &nlohmann::json::is_boolean, "true or false", false);
        s.top_tokens = list_of<std::string>(js, "top_tokens", at, &nlohmann::json::is_string, "strings");
        s.top_ids = list_of<int>(js, "top_ids", at, &nlohmann::json::is_number_integer, "integers");
        s.top_probs = list_of<double>(js, "top_probs", at, &nlohmann::json::is_number, "numbers");
        s.top_sample_probs = list_of<double>(js, "top_sample_probs", at, &nlohmann::json::is_number, "numbers");
        const size_t k = s.top_tokens.size();
        if (s.top_ids.size() != k || s.top_probs.size() != k || s.top_sample_probs.size() != k)
            throw Error(at + ": 'top_tokens', 'top_ids', 'top_probs' and 'top_sample_probs' differ in length");
        const nlohmann::json& layers = member(js, "cross", at);
        for (size_t l = 0; l < layers.size(); ++l) {
            if (!layers[l].is_array()) throw Error(at + ": 'cross'[" + std::to_string(l) + "] must be a list of heads");
            std::vector<RowVec> heads;
            for (size_t h = 0; h < layers[l].size(); ++h) {
                const nlohmann::json& row = layers[l][h];
                const std::string rat = at + ": 'cross'[" + std::to_string(l) + "][" + std::to_string(h) + "]";
                if (!row.is_array() || row.size() != S)
                    throw Error(rat + " must hold " + std::to_string(S) + " numbers (one per source token)");
                RowVec r(static_cast<Eigen::Index>(S));
                for (size_t c = 0; c < S; ++c) {
                    if (!row[c].is_number()) throw Error(rat + " holds a non-number");
                    r(static_cast<Eigen::Index>(c)) = scalar_from_json(row[c], rat);
                }
                heads.push_back(std::move(r));
            }
            s.cross.push_back(std::move(heads));
        }
        d.steps.push_back(std::move(s));
    }
    return d;
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
    if (!trace.src_tags.empty()) j["src_tags"] = trace.src_tags;
    j["encoder_self"] = maps_to_json(trace.enc_self);
    j["decoder_self"] = maps_to_json(trace.dec_self);
    j["cross"] = maps_to_json(trace.cross);
    if (!trace.decoding.strategy.empty()) j["decoding"] = decoding_to_json(trace.decoding);
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
    if (j.contains("src_tags")) {
        t.src_tags = tokens_from_json(j, "src_tags", source);
        if (t.src_tags.size() != S)
            throw Error(source + ": 'src_tags' has " + std::to_string(t.src_tags.size()) + " tags for " +
                        std::to_string(S) + " 'src_tokens'");
    }
    t.enc_self = maps_from_json(j, "encoder_self", S, S, source);
    t.dec_self = maps_from_json(j, "decoder_self", T, T, source);
    t.cross = maps_from_json(j, "cross", T, S, source);
    if (auto d = j.find("decoding"); d != j.end()) t.decoding = decoding_from_json(*d, S, source);
    return t;
}

} // namespace al
