// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/timeline_file.h"

#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/models/config.h"
#include "engine/models/limits.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>

namespace al {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kFormat = "attention-lab-timeline";
constexpr int kVersion = 1;
constexpr const char* kKindIds[3] = {"enc", "dec", "cross"};

std::string in_dir(const std::string& dir, const char* file) { return (fs::path(dir) / file).string(); }

std::string tensor_name(size_t record, size_t probe, size_t kind)
{
    return "record" + std::to_string(record) + ".probe" + std::to_string(probe) + "." + kKindIds[kind];
}
std::string alignment_name(size_t probe) { return "probe" + std::to_string(probe) + ".alignment"; }

std::string shape_text(const std::vector<int64_t>& shape)
{
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? " x " : "") + std::to_string(shape[i]);
    return s.empty() ? "a scalar" : s;
}

// (queries, keys) of a kind's maps in a frame of S source and T target positions.
std::pair<int64_t, int64_t> map_shape(size_t kind, int64_t S, int64_t T)
{
    if (kind == size_t(AttentionKind::EncoderSelf))
        return {S, S};
    if (kind == size_t(AttentionKind::DecoderSelf))
        return {T, T};
    return {T, S};
}

/// Reads the members of one JSON object with field paths in every message.
class Reader {
public:
    explicit Reader(std::string path) : m_path(std::move(path)) {}

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const
    {
        throw Error(m_path + ": " + field + ": " + problem);
    }
    const json& member(const json& obj, const std::string& field, const char* key) const
    {
        if (!obj.is_object())
            fail(field, std::string("expected an object, got ") + obj.type_name());
        const auto it = obj.find(key);
        if (it == obj.end())
            fail(field + "." + key, "missing");
        return *it;
    }
    int64_t integer(const json& obj, const std::string& field, const char* key, int64_t lo, int64_t hi) const
    {
        const json& v = member(obj, field, key);
        const std::string f = field.empty() ? key : field + "." + key;
        if (!v.is_number_integer())
            fail(f, std::string("expected an integer, got ") + v.type_name());
        const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
        if (x < lo || x > hi)
            fail(f, std::to_string(x) + " is not in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return x;
    }
    std::string string(const json& obj, const std::string& field, const char* key) const
    {
        const json& v = member(obj, field, key);
        if (!v.is_string())
            fail(field + "." + key, std::string("expected a string, got ") + v.type_name());
        return v.get<std::string>();
    }
    const json& array(const json& obj, const std::string& field, const char* key, size_t max) const
    {
        const json& v = member(obj, field, key);
        const std::string f = field.empty() ? key : field + "." + key;
        if (!v.is_array())
            fail(f, std::string("expected an array, got ") + v.type_name());
        if (v.size() > max)
            fail(f, std::to_string(v.size()) + " entries, over the limit of " + std::to_string(max));
        return v;
    }
    std::vector<std::string> tokens(const json& obj, const std::string& field, const char* key) const
    {
        const json& a = array(obj, field, key, size_t(TimelineLimits::tokens));
        std::vector<std::string> out;
        out.reserve(a.size());
        for (size_t i = 0; i < a.size(); ++i) {
            if (!a[i].is_string())
                fail(field + "." + key + "[" + std::to_string(i) + "]", std::string("expected a string, got ") + a[i].type_name());
            out.push_back(a[i].get<std::string>());
        }
        return out;
    }

private:
    std::string m_path;
};

} // namespace

void write_timeline_files(const std::string& dir, const TrainingTimeline& timeline, StorageDtype dtype)
{
    std::map<std::string, Tensor32> tensors;
    json probes = json::array();
    for (size_t j = 0; j < timeline.probes().size(); ++j) {
        const TimelineProbe& p = timeline.probes()[j];
        probes.push_back({{"text", p.text}, {"reference", p.reference}, {"alignment", p.alignment.size() > 0}});
        if (p.alignment.size() > 0) {
            Tensor32 t;
            t.shape = {p.alignment.rows(), p.alignment.cols()};
            t.data.assign(p.alignment.data(), p.alignment.data() + p.alignment.size());
            tensors[alignment_name(j)] = std::move(t);
        }
    }
    json records = json::array();
    for (size_t i = 0; i < timeline.records().size(); ++i) {
        const TimelineRecord& r = *timeline.records()[i];
        json frames = json::array();
        for (size_t j = 0; j < r.frames.size(); ++j) {
            const TimelineFrame& f = r.frames[j];
            json layers = json::array();
            int heads = 0;
            for (size_t k = 0; k < 3; ++k) {
                const MapsF& maps = f.maps[k];
                layers.push_back(maps.size());
                if (maps.empty())
                    continue;
                heads = int(maps[0].size());
                const auto [rows, cols] = map_shape(k, int64_t(f.src_tokens.size()), int64_t(f.tgt_in_tokens.size()));
                Tensor32 t;
                t.shape = {int64_t(maps.size()), int64_t(heads), rows, cols};
                t.data.reserve(size_t(int64_t(maps.size()) * heads * rows * cols));
                for (const auto& layer : maps) {
                    if (int(layer.size()) != heads)
                        throw Error("timeline: record " + std::to_string(i) + " has layers with different head counts");
                    for (const MapF& m : layer) {
                        if (m.rows() != rows || m.cols() != cols)
                            throw Error("timeline: record " + std::to_string(i) + ": a " + kKindIds[k] +
                                        " map does not match its tokens");
                        t.data.insert(t.data.end(), m.data(), m.data() + m.size());
                    }
                }
                tensors[tensor_name(i, j, k)] = std::move(t);
            }
            frames.push_back({{"src_tokens", f.src_tokens},
                              {"tgt_in_tokens", f.tgt_in_tokens},
                              {"tgt_out_tokens", f.tgt_out_tokens},
                              {"layers", layers},
                              {"heads", heads}});
        }
        records.push_back({{"step", r.step}, {"loss", std::isfinite(r.loss) ? json(r.loss) : json(nullptr)}, {"frames", frames}});
    }
    const json j = {{"format", kFormat},
                    {"version", kVersion},
                    {"schedule", {{"per_octave", timeline.schedule().per_octave}, {"max_gap", timeline.schedule().max_gap}}},
                    {"max_bytes", timeline.max_bytes()},
                    {"refused", timeline.refused()},
                    {"probes", probes},
                    {"records", records}};
    write_safetensors(in_dir(dir, kTimelineTensors), tensors, {{"format", kFormat}}, dtype);
    atomic_write_file(in_dir(dir, kTimelineJson), j.dump() + "\n");
}

TrainingTimeline read_timeline_files(const std::string& dir)
{
    const std::string json_path = in_dir(dir, kTimelineJson), tensors_path = in_dir(dir, kTimelineTensors);
    std::error_code ec;
    const auto json_size = fs::file_size(fs::path(json_path), ec);
    if (ec)
        throw Error(json_path + ": cannot read: " + ec.message());
    if (int64_t(json_size) > TimelineLimits::json_bytes)
        throw Error(json_path + ": " + std::to_string(json_size) + " bytes, over the limit of " +
                    std::to_string(TimelineLimits::json_bytes));
    const auto tensor_size = fs::file_size(fs::path(tensors_path), ec);
    if (ec)
        throw Error(tensors_path + ": cannot read: " + ec.message());
    if (int64_t(tensor_size) > TimelineLimits::tensor_bytes)
        throw Error(tensors_path + ": " + std::to_string(tensor_size) + " bytes, over the limit of " +
                    std::to_string(TimelineLimits::tensor_bytes));

    const json j = read_json_file(json_path);
    const Reader rd(json_path);
    if (!j.is_object())
        rd.fail("(top level)", std::string("expected an object, got ") + j.type_name());
    if (rd.string(j, "", "format") != kFormat)
        rd.fail("format", "expected \"" + std::string(kFormat) + "\"");
    if (rd.integer(j, "", "version", 0, INT64_MAX) != kVersion)
        rd.fail("version", "this build reads version " + std::to_string(kVersion));
    const json& sj = rd.member(j, "", "schedule");
    TimelineSchedule schedule;
    schedule.per_octave = int(rd.integer(sj, "schedule", "per_octave", 1, 1 << 20));
    schedule.max_gap = rd.integer(sj, "schedule", "max_gap", 1, int64_t(1) << 40);
    try {
        schedule.validate();
    } catch (const Error& e) {
        rd.fail("schedule", e.what());
    }
    const size_t max_bytes = size_t(rd.integer(j, "", "max_bytes", 1, INT64_MAX));
    const int64_t refused = rd.integer(j, "", "refused", 0, INT64_MAX);

    // The claimed sizes first: every float the JSON promises must be in the tensor file.
    const json& pj = rd.array(j, "", "probes", size_t(TimelineLimits::probes));
    const json& rj = rd.array(j, "", "records", size_t(TimelineLimits::records));
    uint64_t claimed_floats = 0;
    std::vector<TimelineProbe> probes(pj.size());
    std::vector<bool> has_alignment(pj.size());
    for (size_t p = 0; p < pj.size(); ++p) {
        const std::string f = "probes[" + std::to_string(p) + "]";
        probes[p].text = rd.string(pj[p], f, "text");
        probes[p].reference = rd.string(pj[p], f, "reference");
        const json& a = rd.member(pj[p], f, "alignment");
        if (!a.is_boolean())
            rd.fail(f + ".alignment", std::string("expected true or false, got ") + a.type_name());
        has_alignment[p] = a.get<bool>();
    }
    struct FrameHead {
        int64_t layers[3];
        int64_t heads;
    };
    std::vector<TimelineRecord> records(rj.size());
    std::vector<std::vector<FrameHead>> heads(rj.size());
    for (size_t i = 0; i < rj.size(); ++i) {
        const std::string f = "records[" + std::to_string(i) + "]";
        records[i].step = rd.integer(rj[i], f, "step", 0, INT64_MAX);
        const json& loss = rd.member(rj[i], f, "loss");
        if (loss.is_null())
            records[i].loss = std::numeric_limits<double>::quiet_NaN();
        else if (loss.is_number())
            records[i].loss = loss.get<double>();
        else
            rd.fail(f + ".loss", std::string("expected a number or null, got ") + loss.type_name());
        const json& fj = rd.array(rj[i], f, "frames", size_t(TimelineLimits::probes));
        if (fj.size() != probes.size())
            rd.fail(f + ".frames", std::to_string(fj.size()) + " frames for " + std::to_string(probes.size()) + " probes");
        records[i].frames.resize(fj.size());
        heads[i].resize(fj.size());
        for (size_t p = 0; p < fj.size(); ++p) {
            const std::string ff = f + ".frames[" + std::to_string(p) + "]";
            TimelineFrame& fr = records[i].frames[p];
            fr.src_tokens = rd.tokens(fj[p], ff, "src_tokens");
            fr.tgt_in_tokens = rd.tokens(fj[p], ff, "tgt_in_tokens");
            fr.tgt_out_tokens = rd.tokens(fj[p], ff, "tgt_out_tokens");
            if (!fr.tgt_out_tokens.empty() && fr.tgt_out_tokens.size() != fr.tgt_in_tokens.size())
                rd.fail(ff + ".tgt_out_tokens", std::to_string(fr.tgt_out_tokens.size()) + " tokens for " +
                                                    std::to_string(fr.tgt_in_tokens.size()) + " decoder inputs");
            const json& lj = rd.array(fj[p], ff, "layers", 3);
            if (lj.size() != 3)
                rd.fail(ff + ".layers", "expected 3 layer counts (enc, dec, cross), got " + std::to_string(lj.size()));
            FrameHead& h = heads[i][p];
            h.heads = rd.integer(fj[p], ff, "heads", 0, ModelLimits::nhead);
            bool any = false;
            for (size_t k = 0; k < 3; ++k) {
                if (!lj[k].is_number_integer() || lj[k].get<int64_t>() < 0 || lj[k].get<int64_t>() > ModelLimits::layers)
                    rd.fail(ff + ".layers[" + std::to_string(k) + "]",
                            "expected an integer from 0 to " + std::to_string(ModelLimits::layers));
                h.layers[k] = lj[k].get<int64_t>();
                if (h.layers[k] == 0)
                    continue;
                any = true;
                const auto [rows, cols] = map_shape(k, int64_t(fr.src_tokens.size()), int64_t(fr.tgt_in_tokens.size()));
                if (rows == 0 || cols == 0)
                    rd.fail(ff + ".layers[" + std::to_string(k) + "]",
                            std::string(kKindIds[k]) + " maps need tokens on both sides, got " + std::to_string(rows) +
                                " x " + std::to_string(cols));
                claimed_floats += uint64_t(h.layers[k]) * uint64_t(h.heads) * uint64_t(rows) * uint64_t(cols);
            }
            if (any && h.heads == 0)
                rd.fail(ff + ".heads", "0 heads with maps recorded");
        }
        // 2 bytes a weight at the least (float16 / bfloat16 storage).
        if (claimed_floats * 2 > tensor_size)
            rd.fail(f, "the records up to here claim at least " + std::to_string(claimed_floats * 2) +
                           " bytes of maps, but " + tensors_path + " has " + std::to_string(tensor_size));
    }

    // Then the tensors, each checked by name and shape before its values are kept.
    std::map<std::string, Tensor32> tensors = read_safetensors(tensors_path);
    auto take = [&](const std::string& name, const std::vector<int64_t>& shape) {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw Error(tensors_path + ": tensor '" + name + "' is missing (" + kTimelineJson + " names it)");
        if (it->second.shape != shape)
            throw Error(tensors_path + ": " + name + " is " + shape_text(it->second.shape) + ", expected " + shape_text(shape));
        for (size_t e = 0; e < it->second.data.size(); ++e)
            if (!std::isfinite(it->second.data[e]) || it->second.data[e] < 0)
                throw Error(tensors_path + ": " + name + " element " + std::to_string(e) + " is " +
                            std::to_string(it->second.data[e]) + ", not a finite attention weight >= 0");
        Tensor32 t = std::move(it->second);
        tensors.erase(it);
        return t;
    };
    for (size_t p = 0; p < probes.size(); ++p) {
        if (!has_alignment[p])
            continue;
        const auto it = tensors.find(alignment_name(p));
        if (it == tensors.end() || it->second.shape.size() != 2)
            throw Error(tensors_path + ": tensor '" + alignment_name(p) + "' is missing or not 2-D");
        const std::vector<int64_t> shape = it->second.shape;
        Tensor32 t = take(alignment_name(p), shape);
        probes[p].alignment = Eigen::Map<const MapF>(t.data.data(), Eigen::Index(shape[0]), Eigen::Index(shape[1]));
    }
    for (size_t i = 0; i < records.size(); ++i)
        for (size_t p = 0; p < records[i].frames.size(); ++p) {
            TimelineFrame& fr = records[i].frames[p];
            const FrameHead& h = heads[i][p];
            for (size_t k = 0; k < 3; ++k) {
                if (h.layers[k] == 0)
                    continue;
                const auto [rows, cols] = map_shape(k, int64_t(fr.src_tokens.size()), int64_t(fr.tgt_in_tokens.size()));
                const Tensor32 t = take(tensor_name(i, p, k), {h.layers[k], h.heads, rows, cols});
                fr.maps[k].assign(size_t(h.layers[k]), std::vector<MapF>(size_t(h.heads)));
                const float* src = t.data.data();
                for (auto& layer : fr.maps[k])
                    for (MapF& m : layer) {
                        m = Eigen::Map<const MapF>(src, Eigen::Index(rows), Eigen::Index(cols));
                        src += rows * cols;
                    }
            }
        }
    if (!tensors.empty())
        throw Error(tensors_path + ": tensor '" + tensors.begin()->first + "' is not named by " + kTimelineJson);
    try {
        return TrainingTimeline::from_parts(std::move(probes), schedule, max_bytes, refused, std::move(records));
    } catch (const Error& e) {
        throw Error(json_path + ": records: " + e.what());
    }
}

void check_timeline_fits(const TrainingTimeline& timeline, const ModelConfig& cfg, const std::string& json_path)
{
    const bool seq2seq = cfg.task.empty();
    const int allowed[3] = {cfg.num_encoder_layers, cfg.num_decoder_layers, seq2seq ? cfg.num_decoder_layers : 0};
    for (size_t i = 0; i < timeline.records().size(); ++i) {
        const TimelineRecord& r = *timeline.records()[i];
        for (size_t p = 0; p < r.frames.size(); ++p)
            for (size_t k = 0; k < 3; ++k) {
                const MapsF& maps = r.frames[p].maps[k];
                const std::string f = "records[" + std::to_string(i) + "].frames[" + std::to_string(p) + "]";
                if (int(maps.size()) > allowed[k])
                    throw Error(json_path + ": " + f + ".layers[" + std::to_string(k) + "]: " + std::to_string(maps.size()) +
                                " " + kKindIds[k] + " layers, the model has " + std::to_string(allowed[k]));
                if (!maps.empty() && int(maps[0].size()) != cfg.nhead)
                    throw Error(json_path + ": " + f + ".heads: " + std::to_string(maps[0].size()) +
                                " heads, the model has nhead " + std::to_string(cfg.nhead));
            }
    }
}

} // namespace al
