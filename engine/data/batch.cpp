// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/batch.h"

#include "engine/core/error.h"
#include "engine/core/tensor.h"
#include "engine/data/vocab.h"

#include <algorithm>
#include <numeric>

namespace al {

int64_t Batch::num_tgt_tokens() const {
    int64_t n = 0;
    for (int v : tgt_out) n += (v != Seq2SeqIds::PAD);
    return n;
}

Batch make_batch(const std::vector<const EncodedPair*>& pairs) {
    Batch b;
    b.B = static_cast<int>(pairs.size());
    for (const EncodedPair* p : pairs) {
        if (p == nullptr) throw Error("make_batch: null pair");
        b.S = std::max(b.S, static_cast<int>(p->src.size()) + 1);
        b.T = std::max(b.T, static_cast<int>(p->tgt.size()) + 1);
    }
    const auto S = static_cast<size_t>(b.S), T = static_cast<size_t>(b.T);
    b.src.assign(pairs.size() * S, Seq2SeqIds::PAD);
    b.tgt_in.assign(pairs.size() * T, Seq2SeqIds::PAD);
    b.tgt_out.assign(pairs.size() * T, Seq2SeqIds::PAD);
    b.src_len.resize(pairs.size());
    b.tgt_len.resize(pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
        const EncodedPair& p = *pairs[i];
        int* src = &b.src[i * S];
        int* in = &b.tgt_in[i * T];
        int* out = &b.tgt_out[i * T];
        std::copy(p.src.begin(), p.src.end(), src);
        src[p.src.size()] = Seq2SeqIds::EOS;
        in[0] = Seq2SeqIds::BOS;
        std::copy(p.tgt.begin(), p.tgt.end(), in + 1);
        std::copy(p.tgt.begin(), p.tgt.end(), out);
        out[p.tgt.size()] = Seq2SeqIds::EOS;
        b.src_len[i] = static_cast<int>(p.src.size()) + 1;
        b.tgt_len[i] = static_cast<int>(p.tgt.size()) + 1;
    }
    return b;
}

Batch make_source_batch(const std::vector<std::vector<int>>& sources, int max_len) {
    Batch b;
    b.B = static_cast<int>(sources.size());
    b.S = 1;
    for (const auto& s : sources) b.S = std::max(b.S, static_cast<int>(s.size()) + 1);
    b.S = std::max(1, std::min(b.S, max_len));
    const auto S = static_cast<size_t>(b.S);
    b.src.assign(sources.size() * S, Seq2SeqIds::PAD);
    b.src_len.resize(sources.size());
    for (size_t i = 0; i < sources.size(); ++i) {
        const int n = std::min(static_cast<int>(sources[i].size()), b.S - 1);
        std::copy_n(sources[i].begin(), n, b.src.begin() + static_cast<ptrdiff_t>(i * S));
        b.src[i * S + static_cast<size_t>(n)] = Seq2SeqIds::EOS;
        b.src_len[i] = n + 1;
    }
    return b;
}

std::vector<Batch> make_batches(const std::vector<EncodedPair>& pairs, int max_tokens,
                                uint64_t seed) {
    if (max_tokens <= 0)
        throw Error("make_batches: max_tokens must be positive, got " + std::to_string(max_tokens));
    Rng rng(seed);
    std::vector<uint64_t> tie(pairs.size());
    for (auto& t : tie) t = rng.engine()();
    std::vector<size_t> order(pairs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const size_t sa = pairs[a].src.size(), sb = pairs[b].src.size();
        if (sa != sb) return sa < sb;
        const size_t ta = pairs[a].tgt.size(), tb = pairs[b].tgt.size();
        if (ta != tb) return ta < tb;
        return tie[a] != tie[b] ? tie[a] < tie[b] : a < b;
    });

    // Greedy cut of the sorted list: a pair joins the current batch while the padded size
    // B * max(S, T) stays within budget, where S and T include EOS / BOS.
    std::vector<Batch> batches;
    std::vector<const EncodedPair*> cur;
    size_t cur_len = 0;
    for (size_t idx : order) {
        const EncodedPair& p = pairs[idx];
        const size_t len = std::max(p.src.size(), p.tgt.size()) + 1;
        const size_t new_len = std::max(cur_len, len);
        if (!cur.empty() && (cur.size() + 1) * new_len > static_cast<size_t>(max_tokens)) {
            batches.push_back(make_batch(cur));
            cur.clear();
            cur_len = 0;
        }
        cur.push_back(&p);
        cur_len = std::max(cur_len, len);
    }
    if (!cur.empty()) batches.push_back(make_batch(cur));

    for (size_t i = batches.size(); i > 1; --i) std::swap(batches[i - 1], batches[rng.below(i)]);
    return batches;
}

} // namespace al

namespace al {

Batch slice_batch(const Batch& batch, int begin, int end)
{
    Batch out;
    out.B = end - begin;
    out.S = 1;
    out.T = 1;
    for (int b = begin; b < end; ++b) {
        out.S = std::max(out.S, batch.src_len[size_t(b)]);
        out.T = std::max(out.T, batch.tgt_len[size_t(b)]);
    }
    out.src.reserve(size_t(out.B) * size_t(out.S));
    out.tgt_in.reserve(size_t(out.B) * size_t(out.T));
    out.tgt_out.reserve(size_t(out.B) * size_t(out.T));
    for (int b = begin; b < end; ++b) {
        const auto s0 = batch.src.begin() + ptrdiff_t(b) * batch.S;
        out.src.insert(out.src.end(), s0, s0 + out.S);
        const auto ti = batch.tgt_in.begin() + ptrdiff_t(b) * batch.T;
        out.tgt_in.insert(out.tgt_in.end(), ti, ti + out.T);
        const auto to = batch.tgt_out.begin() + ptrdiff_t(b) * batch.T;
        out.tgt_out.insert(out.tgt_out.end(), to, to + out.T);
        out.src_len.push_back(batch.src_len[size_t(b)]);
        out.tgt_len.push_back(batch.tgt_len[size_t(b)]);
    }
    return out;
}

std::vector<int> split_points(const Batch& batch, int parts)
{
    parts = std::max(1, std::min(parts, batch.B));
    int64_t total = 0;
    for (int len : batch.tgt_len)
        total += len;
    std::vector<int> cuts = {0};
    int64_t acc = 0;
    for (int b = 0; b < batch.B && int(cuts.size()) < parts; ++b) {
        acc += batch.tgt_len[size_t(b)];
        // Cut after b once this part holds its share; leave at least one sequence per part.
        if (acc * parts >= total * int64_t(cuts.size()) && batch.B - (b + 1) >= parts - int(cuts.size()))
            cuts.push_back(b + 1);
    }
    cuts.push_back(batch.B);
    return cuts;
}

std::vector<int> even_split_points(int B, int parts)
{
    parts = std::max(1, std::min(parts, B));
    std::vector<int> cuts;
    for (int w = 0; w <= parts; ++w)
        cuts.push_back(B * w / parts);
    return cuts;
}

std::vector<int> micro_batch_cuts(int B, int L, int budget)
{
    const int per = budget > 0 ? std::max(1, budget / std::max(L, 1)) : std::max(B, 1);
    const int pieces = std::max(1, (B + per - 1) / per);
    std::vector<int> cuts;
    for (int i = 0; i <= pieces; ++i)
        cuts.push_back(int(int64_t(B) * i / pieces));
    return cuts;
}

} // namespace al
