// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/decode/decoding.h"
#include "engine/models/nat.h"
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "engine/data/vocab.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace al {

namespace {

std::string num(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

// log softmax of one row of logits (V), in double.
std::vector<double> log_softmax(const RowVec& logits)
{
    const Eigen::Index V = logits.size();
    const double m = double(logits.maxCoeff());
    double sum = 0;
    for (Eigen::Index v = 0; v < V; ++v)
        sum += std::exp(double(logits(v)) - m);
    const double lse = m + std::log(sum);
    std::vector<double> out(static_cast<size_t>(V));
    for (Eigen::Index v = 0; v < V; ++v)
        out[size_t(v)] = double(logits(v)) - lse;
    return out;
}

// Token ids of the k largest values, by decreasing value, ties by lower id.
std::vector<int> top_ids(const std::vector<double>& values, int k)
{
    std::vector<int> ids(values.size());
    std::iota(ids.begin(), ids.end(), 0);
    k = std::min<int>(k, int(ids.size()));
    auto greater = [&](int a, int b) { return values[size_t(a)] > values[size_t(b)] || (values[size_t(a)] == values[size_t(b)] && a < b); };
    std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), greater);
    ids.resize(size_t(k));
    return ids;
}

int argmax(const std::vector<double>& values)
{
    return int(std::max_element(values.begin(), values.end()) - values.begin()); // first maximum
}

DecodingStep record_step(const std::vector<double>& logp, const std::vector<double>* sample_dist, int chosen,
                         bool forced, int k)
{
    DecodingStep s;
    s.top_ids = top_ids(logp, k);
    for (int id : s.top_ids) {
        s.top_probs.push_back(std::exp(logp[size_t(id)]));
        s.top_sample_probs.push_back(sample_dist ? (*sample_dist)[size_t(id)] : std::exp(logp[size_t(id)]));
    }
    s.token_id = chosen;
    s.prob = std::exp(logp[size_t(chosen)]);
    s.forced = forced;
    return s;
}

struct Alive {
    std::vector<int> tokens;
    double log_prob = 0;
    std::vector<DecodingStep> steps;
};

// One search as a state machine, so that searches over several sentences can share the model's
// steps: it names the rows it feeds next (parents into its own previous rows, tokens), then
// consumes their logits.
class SearchState {
public:
    virtual ~SearchState() = default;
    bool done() const { return m_done; }
    const std::vector<int>& parents() const { return m_parents; }
    const std::vector<int>& tokens() const { return m_tokens; }
    /// Consumes logits rows [first, first + tokens().size()) for the rows named last.
    virtual void advance(const Mat& logits, Eigen::Index first) = 0;
    virtual SearchResult result() = 0;

protected:
    SearchState(const DecodingOptions& opts, bool record) : m_opts(opts), m_record(record) {}
    const DecodingOptions m_opts;
    const bool m_record;
    int m_t = 0; // steps taken
    bool m_done = false;
    std::vector<int> m_parents{0}, m_tokens{Seq2SeqIds::BOS};
};

// Greedy search and sampling: one hypothesis.
class PathState : public SearchState {
public:
    PathState(const DecodingOptions& opts, bool record) : SearchState(opts, record), m_rng(opts.seed) {}

    void advance(const Mat& logits, Eigen::Index first) override
    {
        const bool sample = m_opts.strategy == DecodingStrategy::Sample;
        const RowVec row = logits.row(first);
        const std::vector<double> logp = log_softmax(row);
        const bool forced = m_t < int(m_opts.forced_prefix.size());
        std::vector<double> dist;
        if (sample)
            dist = sampling_distribution(row, m_opts);
        int chosen;
        if (forced) {
            chosen = m_opts.forced_prefix[size_t(m_t)];
        } else if (sample) {
            const double u = m_rng.uniform();
            double cum = 0;
            chosen = -1;
            for (size_t v = 0; v < dist.size(); ++v) {
                if (dist[v] <= 0)
                    continue;
                cum += dist[v];
                chosen = int(v);
                if (u < cum)
                    break;
            }
        } else {
            chosen = argmax(logp);
        }
        ++m_t;
        m_h.log_prob += logp[size_t(chosen)];
        if (m_record)
            m_h.steps.push_back(record_step(logp, sample ? &dist : nullptr, chosen, forced, m_opts.record_top_k));
        if (chosen == Seq2SeqIds::EOS) {
            m_h.finished = true;
            m_done = true;
            return;
        }
        m_h.tokens.push_back(chosen);
        m_tokens = {chosen};
        m_done = m_t >= m_opts.max_len;
    }

    SearchResult result() override
    {
        m_h.score = m_h.log_prob;
        SearchResult r;
        r.hypotheses.push_back(std::move(m_h));
        return r;
    }

private:
    Rng m_rng;
    Hypothesis m_h;
};

// Beam search (fairseq's BeamSearch), see al::search.
class BeamState : public SearchState {
public:
    BeamState(const DecodingOptions& opts, bool record) : SearchState(opts, record), m_alive(1) {}

    void advance(const Mat& logits, Eigen::Index first) override
    {
        const int K = m_opts.beam_width;
        const int n = int(m_alive.size());
        std::vector<std::vector<double>> logp(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i)
            logp[size_t(i)] = log_softmax(logits.row(first + i));
        std::vector<Cand> cands;
        const bool forced = m_t < int(m_opts.forced_prefix.size());
        if (forced) {
            // The forced prefix keeps a single hypothesis (alive has one entry here).
            const int c = m_opts.forced_prefix[size_t(m_t)];
            cands.push_back({m_alive[0].log_prob + logp[0][size_t(c)], 0, c});
        } else {
            // Each hypothesis contributes its 2K best tokens; the 2K best of those overall
            // are as good as the 2K best of all n * V extensions.
            for (int i = 0; i < n; ++i)
                for (int v : top_ids(logp[size_t(i)], 2 * K))
                    cands.push_back({m_alive[size_t(i)].log_prob + logp[size_t(i)][size_t(v)], i, v});
            std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.score > b.score; });
            if (int(cands.size()) > 2 * K)
                cands.resize(size_t(2 * K));
        }
        ++m_t;
        std::vector<Alive> next;
        std::vector<int> next_parents, next_tokens;
        for (size_t r = 0; r < cands.size(); ++r) {
            const Cand& c = cands[r];
            if (c.token == Seq2SeqIds::EOS && !forced && (int(r) >= K || int(m_finished.size()) >= K))
                continue; // an EOS below the beam does not finish (fairseq); at most K finish
            if (c.token != Seq2SeqIds::EOS && int(next.size()) >= K)
                continue;
            Alive a;
            a.tokens = m_alive[size_t(c.parent)].tokens;
            a.log_prob = c.score;
            if (m_record) {
                a.steps = m_alive[size_t(c.parent)].steps;
                a.steps.push_back(record_step(logp[size_t(c.parent)], nullptr, c.token, forced, m_opts.record_top_k));
            }
            if (c.token == Seq2SeqIds::EOS) {
                finish(std::move(a), true);
            } else {
                a.tokens.push_back(c.token);
                next.push_back(std::move(a));
                next_parents.push_back(c.parent);
                next_tokens.push_back(c.token);
            }
        }
        if (int(m_finished.size()) >= K || (forced && !m_finished.empty())) {
            m_done = true;
            return;
        }
        m_alive = std::move(next);
        m_parents = std::move(next_parents);
        m_tokens = std::move(next_tokens);
        if (m_alive.empty()) {
            m_done = true;
        } else if (m_t >= m_opts.max_len) { // the alive hypotheses end without EOS
            for (Alive& a : m_alive)
                finish(std::move(a), false);
            m_alive.clear();
            m_done = true;
        }
    }

    SearchResult result() override
    {
        std::stable_sort(m_finished.begin(), m_finished.end(),
                         [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
        SearchResult r;
        r.hypotheses = std::move(m_finished);
        return r;
    }

private:
    struct Cand {
        double score;
        int parent, token;
    };
    void finish(Alive&& a, bool with_eos)
    {
        Hypothesis h;
        h.tokens = std::move(a.tokens);
        h.finished = with_eos;
        h.log_prob = a.log_prob;
        h.score = a.log_prob / gnmt_length_penalty(int(h.tokens.size()) + (with_eos ? 1 : 0), m_opts.length_penalty);
        h.steps = std::move(a.steps);
        m_finished.push_back(std::move(h));
    }
    std::vector<Alive> m_alive;
    std::vector<Hypothesis> m_finished;
};

std::unique_ptr<SearchState> make_state(const DecodingOptions& opts, bool record)
{
    if (opts.strategy == DecodingStrategy::Beam)
        return std::make_unique<BeamState>(opts, record);
    return std::make_unique<PathState>(opts, record);
}

} // namespace

std::string to_string(DecodingStrategy s)
{
    switch (s) {
    case DecodingStrategy::Greedy: return "greedy";
    case DecodingStrategy::Beam: return "beam";
    case DecodingStrategy::Sample: return "sample";
    }
    return "greedy";
}

DecodingStrategy decoding_strategy_from_string(const std::string& s, const std::string& what)
{
    if (s == "greedy")
        return DecodingStrategy::Greedy;
    if (s == "beam")
        return DecodingStrategy::Beam;
    if (s == "sample")
        return DecodingStrategy::Sample;
    throw Error(what + " must be greedy, beam or sample, got \"" + s + "\"");
}

void DecodingOptions::validate() const
{
    if (max_len < 1)
        throw Error("max_len must be >= 1, got " + std::to_string(max_len));
    if (beam_width < 1)
        throw Error("beam_width must be >= 1, got " + std::to_string(beam_width));
    if (!(length_penalty >= 0 && std::isfinite(length_penalty)))
        throw Error("length_penalty must be >= 0, got " + num(length_penalty));
    if (!(temperature > 0 && std::isfinite(temperature)))
        throw Error("temperature must be > 0, got " + num(temperature));
    if (top_k < 0)
        throw Error("top_k must be >= 0 (0 = no limit), got " + std::to_string(top_k));
    if (!(top_p > 0 && top_p <= 1))
        throw Error("top_p must be in (0, 1], got " + num(top_p));
    if (record_top_k < 1)
        throw Error("record_top_k must be >= 1, got " + std::to_string(record_top_k));
    for (size_t i = 0; i < forced_prefix.size(); ++i)
        if (forced_prefix[i] < 0 || forced_prefix[i] == Seq2SeqIds::PAD || forced_prefix[i] == Seq2SeqIds::BOS)
            throw Error("forced_prefix[" + std::to_string(i) + "] must be a target token id other than <pad> and <bos>, got "
                        + std::to_string(forced_prefix[i]));
}

double gnmt_length_penalty(int length, double alpha)
{
    return std::pow((5.0 + double(length)) / 6.0, alpha);
}

std::vector<double> sampling_distribution(const RowVec& logits, const DecodingOptions& opts)
{
    opts.validate();
    const size_t V = size_t(logits.size());
    std::vector<double> z(V);
    for (size_t v = 0; v < V; ++v)
        z[v] = double(logits(Eigen::Index(v))) / opts.temperature;
    const double m = *std::max_element(z.begin(), z.end());
    std::vector<double> p(V);
    double sum = 0;
    for (size_t v = 0; v < V; ++v)
        sum += p[v] = std::exp(z[v] - m);
    for (double& x : p)
        x /= sum;
    if ((opts.top_k == 0 || size_t(opts.top_k) >= V) && opts.top_p >= 1)
        return p; // nothing to cut: skip the sort
    // Tokens by decreasing probability; keep a prefix of this order.
    const std::vector<int> order = top_ids(p, int(V));
    size_t keep = opts.top_k > 0 ? std::min(V, size_t(opts.top_k)) : V;
    double kept = 0;
    for (size_t i = 0; i < keep; ++i)
        kept += p[size_t(order[i])];
    if (opts.top_p < 1) {
        double cum = 0;
        size_t n = 0;
        while (n < keep) {
            cum += p[size_t(order[n])] / kept;
            ++n;
            if (cum >= opts.top_p)
                break;
        }
        keep = n;
    }
    std::vector<double> out(V, 0.0);
    double total = 0;
    for (size_t i = 0; i < keep; ++i)
        total += p[size_t(order[i])];
    for (size_t i = 0; i < keep; ++i)
        out[size_t(order[i])] = p[size_t(order[i])] / total;
    return out;
}

SearchResult search(NextTokenModel& model, const DecodingOptions& opts, bool record)
{
    opts.validate();
    for (size_t i = 0; i < opts.forced_prefix.size(); ++i)
        if (opts.forced_prefix[i] >= model.vocab_size())
            throw Error("forced_prefix[" + std::to_string(i) + "] = " + std::to_string(opts.forced_prefix[i])
                        + " is outside the target vocabulary (" + std::to_string(model.vocab_size()) + " tokens)");
    std::unique_ptr<SearchState> state = make_state(opts, record);
    Mat logits;
    while (!state->done()) {
        model.step(state->parents(), state->tokens(), logits);
        state->advance(logits, 0);
    }
    return state->result();
}

void PrefixNextToken::step(const std::vector<int>& parents, const std::vector<int>& tokens, Mat& logits)
{
    std::vector<std::vector<int>> next;
    for (size_t i = 0; i < tokens.size(); ++i) {
        next.push_back(m_prefixes.empty() ? std::vector<int>{} : m_prefixes[size_t(parents[i])]);
        next.back().push_back(tokens[i]);
    }
    m_prefixes = std::move(next);
    m_fn(m_prefixes, logits);
    if (logits.rows() != Eigen::Index(tokens.size()) || logits.cols() != m_v)
        throw Error("PrefixNextToken: the function returned " + std::to_string(logits.rows()) + " x "
                    + std::to_string(logits.cols()) + " logits, expected " + std::to_string(tokens.size()) + " x "
                    + std::to_string(m_v));
}

TransformerNextToken::TransformerNextToken(const Transformer& net, const std::vector<int>& src, int max_steps,
                                           bool use_cache)
    : TransformerNextToken(net, std::vector<std::vector<int>>{src}, max_steps, use_cache)
{
}

TransformerNextToken::TransformerNextToken(const Transformer& net, const std::vector<std::vector<int>>& sources,
                                           int max_steps, bool use_cache)
    : m_net(net), m_cache(use_cache && net.supports_incremental_decoding()),
      m_max_steps(std::max(1, std::min(max_steps, net.config().max_len - 1)))
{
    if (sources.empty())
        throw Error("TransformerNextToken: no source");
    m_src = make_source_batch(sources, net.config().max_len);
    net.encode(m_src, m_enc);
}

void TransformerNextToken::step(const std::vector<int>& parents, const std::vector<int>& tokens, Mat& logits)
{
    const int n = int(tokens.size()), S = m_src.S, C = m_net.config().d_model;
    if (n == 0)
        throw Error("TransformerNextToken::step: no hypothesis");
    if (parents.size() != tokens.size())
        throw Error("TransformerNextToken::step: parents and tokens differ in length");
    const bool first = m_row_src.empty();
    std::vector<int> row_src(static_cast<size_t>(n));
    if (first) {
        if (n != m_src.B)
            throw Error("TransformerNextToken::step: the first step feeds one row per source (" + std::to_string(m_src.B)
                        + "), got " + std::to_string(n));
        std::iota(row_src.begin(), row_src.end(), 0);
    } else {
        for (int i = 0; i < n; ++i) {
            const int p = parents[size_t(i)];
            if (p < 0 || p >= int(m_row_src.size()))
                throw Error("TransformerNextToken::step: parent " + std::to_string(p) + " out of range");
            row_src[size_t(i)] = m_row_src[size_t(p)];
        }
    }
    const bool same_sources = row_src == m_row_src;
    m_row_src = row_src;
    // The batch of n rows, row i on source row_src[i] (its memory block copied).
    auto rows_batch = [&](Batch& b, Seq2SeqActivations& act) {
        b.B = n;
        b.S = S;
        b.src_len.resize(size_t(n));
        act.memory.resize(Eigen::Index(n) * S, C);
        for (int i = 0; i < n; ++i) {
            b.src_len[size_t(i)] = m_src.src_len[size_t(row_src[size_t(i)])];
            act.memory.middleRows(Eigen::Index(i) * S, S) = m_enc.memory.middleRows(Eigen::Index(row_src[size_t(i)]) * S, S);
        }
    };
    Mat out;
    if (m_cache) {
        if (first) {
            m_net.start_decoding(m_src, m_enc, m_max_steps, m_state);
            m_cross_k = m_state.cross_k; // per source, for rebuilding the per-row blocks
            m_cross_v = m_state.cross_v;
        } else {
            // Reorder the key/value cache: block i of the new state is block parents[i]. Only
            // the t filled rows of a self-attention block are copied; the cross-attention
            // blocks (the projected memory of each row's source) change only when the rows'
            // sources do.
            DecoderState& st = m_state;
            for (std::vector<Mat>* mats : {&st.self_k, &st.self_v})
                for (Mat& m : *mats) {
                    Mat g(Eigen::Index(n) * st.max_steps, m.cols());
                    for (int i = 0; i < n; ++i)
                        g.middleRows(Eigen::Index(i) * st.max_steps, st.t) =
                            m.middleRows(Eigen::Index(parents[size_t(i)]) * st.max_steps, st.t);
                    m.swap(g);
                }
            if (!same_sources) {
                for (size_t l = 0; l < st.cross_k.size(); ++l) {
                    st.cross_k[l].resize(Eigen::Index(n) * S, C);
                    st.cross_v[l].resize(Eigen::Index(n) * S, C);
                    for (int i = 0; i < n; ++i) {
                        const Eigen::Index from = Eigen::Index(row_src[size_t(i)]) * S;
                        st.cross_k[l].middleRows(Eigen::Index(i) * S, S) = m_cross_k[l].middleRows(from, S);
                        st.cross_v[l].middleRows(Eigen::Index(i) * S, S) = m_cross_v[l].middleRows(from, S);
                    }
                }
                st.src_len.resize(size_t(n));
                for (int i = 0; i < n; ++i)
                    st.src_len[size_t(i)] = m_src.src_len[size_t(row_src[size_t(i)])];
            }
            st.B = n;
        }
        m_net.decode_step(tokens, m_state, out);
    } else {
        std::vector<std::vector<int>> next;
        for (int i = 0; i < n; ++i) {
            next.push_back(first ? std::vector<int>{} : m_prefixes[size_t(parents[size_t(i)])]);
            next.back().push_back(tokens[size_t(i)]);
        }
        m_prefixes = std::move(next);
        const int T = int(m_prefixes.front().size());
        if (T > m_max_steps)
            throw Error("TransformerNextToken::step: more than " + std::to_string(m_max_steps) + " steps");
        Batch b;
        Seq2SeqActivations act;
        rows_batch(b, act);
        b.T = T;
        b.tgt_len.assign(size_t(n), T);
        for (const auto& p : m_prefixes)
            b.tgt_in.insert(b.tgt_in.end(), p.begin(), p.end());
        m_net.decode(b, act);
        out.resize(n, C);
        for (int i = 0; i < n; ++i)
            out.row(i) = act.dec_out.row(Eigen::Index(i) * T + T - 1);
    }
    m_net.project_logits(out, logits);
}

int nat_length_candidates(const DecodingOptions& o)
{
    return o.strategy == DecodingStrategy::Beam ? o.beam_width : 1;
}

void require_nat_options(const DecodingOptions& o)
{
    if (o.strategy == DecodingStrategy::Sample)
        throw Error("decoding 'sample' needs an autoregressive decoder; a NAT model predicts every position in one "
                    "pass (argmax per position; beam_width = number of length candidates)");
    if (!o.forced_prefix.empty())
        throw Error("forced_prefix needs an autoregressive decoder; a NAT model does not read its own outputs");
}

SearchResult decode(const Transformer& net, const std::vector<int>& src, const DecodingOptions& opts, bool record)
{
    DecodingOptions o = opts;
    o.max_len = std::min(opts.max_len, net.config().max_len - 1);
    o.validate();
    if (net.is_nat()) {
        require_nat_options(o);
        const NatOutput nat = nat_decode(net, {src}, o.max_len, nat_length_candidates(o)).front();
        Hypothesis h;
        h.tokens = nat.tokens;
        h.finished = std::find(nat.positions.begin(), nat.positions.end(), int(Seq2SeqIds::EOS)) != nat.positions.end();
        h.log_prob = nat.log_prob;
        h.score = nat.log_prob;
        return SearchResult{{std::move(h)}};
    }
    TransformerNextToken model(net, src, o.max_len);
    return search(model, o, record);
}

std::vector<std::vector<int>> decode_all(const Transformer& net, const std::vector<std::vector<int>>& sources,
                                         const DecodingOptions& opts)
{
    DecodingOptions o = opts;
    o.max_len = std::min(opts.max_len, net.config().max_len - 1);
    o.validate();
    if (net.is_nat()) {
        require_nat_options(o);
        std::vector<std::vector<int>> out;
        for (auto& r : nat_decode(net, sources, o.max_len, nat_length_candidates(o)))
            out.push_back(std::move(r.tokens));
        return out;
    }
    if (o.strategy == DecodingStrategy::Greedy && o.forced_prefix.empty())
        return greedy_decode(net, sources, o.max_len);
    std::vector<std::vector<int>> out(sources.size());
    // Chunks of sentences searched in lockstep: one model step feeds every alive hypothesis
    // of the chunk (a larger matrix product than one sentence's beam).
    const size_t chunk = 16;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t c0 = 0; c0 < sources.size(); c0 += chunk) {
        const size_t c1 = std::min(sources.size(), c0 + chunk);
        const std::vector<std::vector<int>> part(sources.begin() + ptrdiff_t(c0), sources.begin() + ptrdiff_t(c1));
        TransformerNextToken model(net, part, o.max_len);
        std::vector<std::unique_ptr<SearchState>> states;
        for (size_t i = c0; i < c1; ++i) {
            DecodingOptions oi = o;
            oi.seed = opts.seed + uint64_t(i);
            states.push_back(make_state(oi, false));
        }
        // The model's rows: those of the searches still running, in order. A finished search
        // drops out; the parents index the previous call's rows.
        std::vector<Eigen::Index> offset(states.size(), -1); // first row of search s in the last call
        Mat logits;
        for (bool first = true;; first = false) {
            std::vector<int> parents, tokens;
            std::vector<Eigen::Index> next_offset(states.size(), -1);
            for (size_t s = 0; s < states.size(); ++s) {
                if (states[s]->done())
                    continue;
                next_offset[s] = Eigen::Index(tokens.size());
                for (size_t r = 0; r < states[s]->tokens().size(); ++r) {
                    parents.push_back(first ? int(parents.size()) : int(offset[s]) + states[s]->parents()[r]);
                    tokens.push_back(states[s]->tokens()[r]);
                }
            }
            if (tokens.empty())
                break;
            model.step(parents, tokens, logits);
            offset = next_offset;
            for (size_t s = 0; s < states.size(); ++s)
                if (offset[s] >= 0)
                    states[s]->advance(logits, offset[s]);
        }
        for (size_t s = 0; s < states.size(); ++s)
            out[c0 + s] = states[s]->result().best().tokens;
    }
    return out;
}

} // namespace al
