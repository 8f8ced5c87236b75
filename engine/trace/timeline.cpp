// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trace/timeline.h"

#include "engine/core/error.h"
#include "engine/data/algorithmic_tasks.h"
#include "engine/data/batch.h"
#include "engine/data/corpus.h"
#include "engine/data/task_data.h"
#include "engine/models/translation_model.h"
#include "engine/trace/task_trace.h"

#include <algorithm>
#include <cmath>

namespace al {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool power_of_two(int64_t v) { return v >= 1 && (v & (v - 1)) == 0; }

int64_t floor_pow2(int64_t v)
{
    int64_t p = 1;
    while (p <= v / 2)
        p *= 2;
    return p;
}

size_t token_bytes(const std::vector<std::string>& tokens)
{
    size_t n = 0;
    for (const std::string& t : tokens)
        n += t.size() + kTimelineTokenOverhead;
    return n;
}

MapsF to_float(const AttentionMaps& maps)
{
    MapsF out(maps.size());
    for (size_t l = 0; l < maps.size(); ++l) {
        out[l].reserve(maps[l].size());
        for (const Mat& m : maps[l])
            out[l].push_back(m.cast<float>());
    }
    return out;
}

// Indices spread evenly through [0, n) among those `fits` accepts: `count` of them at most.
template <class Fits>
std::vector<size_t> spread(size_t n, int count, Fits fits)
{
    std::vector<size_t> ok;
    for (size_t i = 0; i < n; ++i)
        if (fits(i))
            ok.push_back(i);
    std::vector<size_t> out;
    if (count <= 0 || ok.empty())
        return out;
    const size_t k = std::min(ok.size(), size_t(count));
    for (size_t i = 0; i < k; ++i)
        out.push_back(ok[i * ok.size() / k]);
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Schedule

int64_t TimelineSchedule::gap(int64_t step) const
{
    if (step < 2)
        return 1;
    const int64_t g = floor_pow2(step) / per_octave;
    return std::clamp<int64_t>(g, 1, max_gap);
}

bool TimelineSchedule::thin(int64_t last_step)
{
    if (per_octave == 1 && max_gap > last_step)
        return false;
    if (per_octave > 1)
        per_octave /= 2;
    max_gap *= 2;
    return true;
}

void TimelineSchedule::validate() const
{
    if (!power_of_two(per_octave) || per_octave > (1 << 20))
        throw Error("timeline schedule: per_octave must be a power of two from 1 to 2^20, not " +
                    std::to_string(per_octave));
    if (!power_of_two(max_gap) || max_gap > (int64_t(1) << 40))
        throw Error("timeline schedule: max_gap must be a power of two from 1 to 2^40, not " + std::to_string(max_gap));
}

// ---------------------------------------------------------------------------------------------
// Records

size_t TimelineFrame::bytes() const
{
    size_t n = token_bytes(src_tokens) + token_bytes(tgt_in_tokens) + token_bytes(tgt_out_tokens);
    for (const MapsF& kind : maps)
        for (const auto& layer : kind)
            for (const MapF& m : layer)
                n += size_t(m.size()) * sizeof(float);
    return n;
}

size_t TimelineRecord::bytes() const
{
    size_t n = 0;
    for (const TimelineFrame& f : frames)
        n += f.bytes();
    return n;
}

TrainingTimeline::TrainingTimeline(std::vector<TimelineProbe> probes, TimelineSchedule schedule, size_t max_bytes)
    : m_probes(std::move(probes)), m_schedule(schedule), m_max_bytes(max_bytes)
{
    m_schedule.validate();
    if (max_bytes == 0)
        throw Error("timeline: the memory bound must be > 0 bytes");
}

bool TrainingTimeline::due(int64_t step) const
{
    return m_schedule.due(step) && (m_records.empty() || step > m_records.back()->step);
}

bool TrainingTimeline::add(int64_t step, double loss, std::vector<TimelineFrame> frames)
{
    if (!m_records.empty() && step <= m_records.back()->step)
        throw Error("timeline: step " + std::to_string(step) + " is not after the last record (step " +
                    std::to_string(m_records.back()->step) + ")");
    if (frames.size() != m_probes.size())
        throw Error("timeline: " + std::to_string(frames.size()) + " frames for " + std::to_string(m_probes.size()) +
                    " probes");
    auto rec = std::make_shared<TimelineRecord>();
    rec->step = step;
    rec->loss = loss;
    rec->frames = std::move(frames);
    const size_t need = rec->bytes();
    while (m_bytes + need > m_max_bytes) {
        if (!m_schedule.thin(step)) {
            ++m_refused;
            return false;
        }
        std::vector<std::shared_ptr<const TimelineRecord>> kept;
        size_t bytes = 0;
        for (auto& r : m_records)
            if (m_schedule.due(r->step)) {
                bytes += r->bytes();
                kept.push_back(std::move(r));
            }
        m_records = std::move(kept);
        m_bytes = bytes;
        if (!m_schedule.due(step))
            return false; // the thinned schedule no longer names this step: not a refusal
    }
    m_bytes += need;
    m_records.push_back(std::move(rec));
    return true;
}

int TrainingTimeline::nearest(int64_t step) const
{
    if (m_records.empty())
        return -1;
    const auto it = std::lower_bound(m_records.begin(), m_records.end(), step,
                                     [](const std::shared_ptr<const TimelineRecord>& r, int64_t s) { return r->step < s; });
    if (it == m_records.end())
        return int(m_records.size()) - 1;
    const int i = int(it - m_records.begin());
    if (i == 0 || (*it)->step == step)
        return i;
    const int64_t before = step - m_records[size_t(i) - 1]->step, after = (*it)->step - step;
    return before <= after ? i - 1 : i;
}

TrainingTimeline TrainingTimeline::from_parts(std::vector<TimelineProbe> probes, TimelineSchedule schedule,
                                              size_t max_bytes, int64_t refused, std::vector<TimelineRecord> records)
{
    TrainingTimeline t(std::move(probes), schedule, max_bytes);
    t.m_refused = refused;
    for (TimelineRecord& r : records) {
        if (!t.m_records.empty() && r.step <= t.m_records.back()->step)
            throw Error("timeline: record steps must increase (step " + std::to_string(r.step) + " after step " +
                        std::to_string(t.m_records.back()->step) + ")");
        if (r.frames.size() != t.m_probes.size())
            throw Error("timeline: a record of step " + std::to_string(r.step) + " has " + std::to_string(r.frames.size()) +
                        " frames for " + std::to_string(t.m_probes.size()) + " probes");
        t.m_bytes += r.bytes();
        t.m_records.push_back(std::make_shared<const TimelineRecord>(std::move(r)));
    }
    return t;
}

// ---------------------------------------------------------------------------------------------
// Figures

const char* timeline_pattern_name(TimelinePattern pattern)
{
    switch (pattern) {
    case TimelinePattern::Diagonal: return "diagonal";
    case TimelinePattern::Previous: return "previous";
    case TimelinePattern::First: return "first";
    case TimelinePattern::Alignment: return "alignment";
    }
    return "";
}

double attention_entropy(const MapF& map)
{
    double sum = 0;
    int rows = 0;
    for (Eigen::Index i = 0; i < map.rows(); ++i) {
        double h = 0, mass = 0;
        for (Eigen::Index j = 0; j < map.cols(); ++j) {
            const double p = map(i, j);
            mass += p;
            if (p > 0)
                h -= p * std::log(p);
        }
        if (mass > 0) {
            sum += h;
            ++rows;
        }
    }
    return rows ? sum / rows : kNaN;
}

double pattern_agreement(const MapF& map, AttentionKind kind, TimelinePattern pattern, const MapF& alignment)
{
    const bool self = kind != AttentionKind::Cross;
    const Eigen::Index nq = map.rows(), nk = map.cols();
    double sum = 0;
    Eigen::Index rows = 0;
    switch (pattern) {
    case TimelinePattern::Diagonal:
        if (!self)
            return kNaN;
        for (Eigen::Index i = 0; i < std::min(nq, nk); ++i, ++rows)
            sum += map(i, i);
        break;
    case TimelinePattern::Previous:
        if (!self)
            return kNaN;
        for (Eigen::Index i = 1; i < nq && i - 1 < nk; ++i, ++rows)
            sum += map(i, i - 1);
        break;
    case TimelinePattern::First:
        if (nk == 0)
            return kNaN;
        for (Eigen::Index i = 0; i < nq; ++i, ++rows)
            sum += map(i, 0);
        break;
    case TimelinePattern::Alignment:
        if (self || alignment.rows() != nq || alignment.cols() != nk)
            return kNaN;
        for (Eigen::Index i = 0; i < nq; ++i) {
            if (!(alignment.row(i).array() > 0.5f).any())
                continue;
            sum += (map.row(i).array() * (alignment.row(i).array() > 0.5f).cast<float>()).sum();
            ++rows;
        }
        break;
    }
    return rows ? sum / double(rows) : kNaN;
}

HeadFigures head_figures(const MapF& map, AttentionKind kind, const MapF& alignment)
{
    HeadFigures f;
    f.entropy = attention_entropy(map);
    for (int p = 0; p < kTimelinePatterns; ++p)
        f.agreement[size_t(p)] = pattern_agreement(map, kind, TimelinePattern(p), alignment);
    return f;
}

// ---------------------------------------------------------------------------------------------
// Probe passes

TimelineFrame timeline_frame(const Trace& trace)
{
    TimelineFrame f;
    f.src_tokens = trace.src_tokens;
    f.tgt_in_tokens = trace.tgt_in_tokens;
    f.tgt_out_tokens = trace.tgt_out_tokens;
    f.maps[size_t(AttentionKind::EncoderSelf)] = to_float(trace.enc_self);
    f.maps[size_t(AttentionKind::DecoderSelf)] = to_float(trace.dec_self);
    f.maps[size_t(AttentionKind::Cross)] = to_float(trace.cross);
    return f;
}

TimelineFrame timeline_frame(const TranslationModel& model, const TimelineProbe& probe)
{
    const int room = model.net.config().max_len - 1;
    std::vector<std::string> src = model.src_tokenizer.tokenize(probe.text);
    if (src.empty())
        throw Error("timeline probe '" + probe.text + "' has no token");
    if (int(src.size()) > room)
        src.resize(size_t(room));
    if (probe.reference.empty() || model.net.is_nat()) {
        Trace trace;
        DecodingOptions opts;
        opts.max_len = std::min(room, 2 * int(src.size()) + 10);
        translate(model, probe.text, opts, &trace);
        return timeline_frame(trace);
    }
    std::vector<std::string> tgt = model.tgt_tokenizer.tokenize(probe.reference);
    if (int(tgt.size()) > room)
        tgt.resize(size_t(room));
    const EncodedPair pair{model.src_vocab.encode(src), model.tgt_vocab.encode(tgt)};
    const Batch batch = make_batch({&pair});
    Seq2SeqActivations act;
    model.net.encode(batch, act);
    model.net.decode(batch, act);
    Trace trace;
    trace.src_tokens = src;
    trace.src_tokens.push_back(model.src_vocab.token(model.src_vocab.eos()));
    trace.tgt_in_tokens.push_back(model.tgt_vocab.token(model.tgt_vocab.bos()));
    trace.tgt_in_tokens.insert(trace.tgt_in_tokens.end(), tgt.begin(), tgt.end());
    trace.tgt_out_tokens = tgt;
    trace.tgt_out_tokens.push_back(model.tgt_vocab.token(model.tgt_vocab.eos()));
    model.net.fill_trace(act, 0, trace);
    return timeline_frame(trace);
}

TimelineFrame timeline_frame(const TaskModel& model, const TimelineProbe& probe)
{
    return timeline_frame(task_model_trace(model, probe.text));
}

std::vector<TimelineProbe> translation_timeline_probes(const TranslationModel& model,
                                                       const std::vector<std::string>& texts,
                                                       const std::vector<SentencePair>& valid, int from_valid,
                                                       const AlgorithmicTask* task)
{
    std::vector<TimelineProbe> out;
    for (const std::string& t : texts)
        if (!model.src_tokenizer.tokenize(t).empty())
            out.push_back(TimelineProbe{t, {}, {}});
    const int room = model.net.config().max_len - 1;
    const std::vector<size_t> picks = spread(valid.size(), from_valid, [&](size_t i) {
        const size_t n = model.src_tokenizer.tokenize(valid[i].src).size();
        const size_t m = model.tgt_tokenizer.tokenize(valid[i].tgt).size();
        return n >= 3 && n <= 24 && int(n) <= room && m >= 1 && int(m) <= room;
    });
    for (size_t i : picks) {
        TimelineProbe p{valid[i].src, valid[i].tgt, {}};
        if (task) {
            const std::vector<int> symbols = symbols_from_text(p.text);
            const int n = int(symbols.size());
            const int S = int(model.src_tokenizer.tokenize(p.text).size()) + 1;
            const int T = int(model.tgt_tokenizer.tokenize(p.reference).size()) + 1;
            if (n + 1 == S && n + 1 == T) {
                p.alignment = MapF::Zero(T, S);
                for (int t = 0; t < n; ++t)
                    for (int j = 0; j < n; ++j)
                        if (expected_alignment(*task, symbols, t, j))
                            p.alignment(t, j) = 1;
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<TimelineProbe> task_timeline_probes(const TaskCorpus& corpus, const std::vector<std::string>& texts,
                                                int from_valid)
{
    std::vector<TimelineProbe> out;
    for (const std::string& t : texts)
        if (!t.empty())
            out.push_back(TimelineProbe{t, {}, {}});
    auto add = [&](std::string text) { out.push_back(TimelineProbe{std::move(text), {}, {}}); };
    const auto words = [](const std::string& s) {
        size_t n = 0;
        bool in = false;
        for (char c : s) {
            const bool space = c == ' ' || c == '\t';
            n += !space && !in;
            in = !space;
        }
        return n;
    };
    if (corpus.task == "charlm") {
        const std::string& text = corpus.lm_valid;
        const size_t piece = 64;
        if (text.size() < piece)
            return out;
        for (size_t i : spread(text.size() / piece, from_valid, [](size_t) { return true; })) {
            size_t begin = i * piece;
            while (begin > 0 && (uint8_t(text[begin]) & 0xC0) == 0x80) // start at a character
                --begin;
            size_t end = std::min(text.size(), begin + piece);
            while (end < text.size() && (uint8_t(text[end]) & 0xC0) == 0x80)
                ++end;
            add(text.substr(begin, end - begin));
        }
    } else if (corpus.task == "pos") {
        const auto& v = corpus.tagged[1];
        for (size_t i : spread(v.size(), from_valid, [&](size_t k) { return v[k].words.size() >= 3 && v[k].words.size() <= 24; })) {
            std::string s;
            for (const std::string& w : v[i].words)
                s += (s.empty() ? "" : " ") + w;
            add(s);
        }
    } else if (corpus.task == "mlm") {
        const auto& v = corpus.sentence_pairs[1];
        for (size_t i : spread(v.size(), from_valid, [&](size_t k) { return words(v[k].first) + words(v[k].second) <= 24; }))
            add(v[i].first + " ||| " + v[i].second);
    } else {
        const auto& v = corpus.labelled[1];
        for (size_t i : spread(v.size(), from_valid, [&](size_t k) { return !v[k].text.empty() && v[k].text.size() <= 120; }))
            add(v[i].text);
    }
    return out;
}

} // namespace al
