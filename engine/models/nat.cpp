// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/nat.h"
#include "engine/core/error.h"
#include "engine/data/vocab.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace al {

int uniform_copy_position(int t, int T, int S)
{
    if (T <= 1 || S <= 1)
        return 0;
    // Integer round-half-up of t * (S - 1) / (T - 1).
    const int64_t num = int64_t(t) * (S - 1), den = T - 1;
    return int(std::min<int64_t>((2 * num + den) / (2 * den), S - 1));
}

std::vector<int> nat_decoder_inputs(const Batch& batch)
{
    std::vector<int> ids(size_t(batch.B) * size_t(batch.T), Seq2SeqIds::PAD);
    for (int b = 0; b < batch.B; ++b) {
        const int S = batch.src_len[size_t(b)], T = batch.tgt_len[size_t(b)];
        for (int t = 0; t < T; ++t)
            ids[size_t(b) * size_t(batch.T) + size_t(t)] =
                batch.src[size_t(b) * size_t(batch.S) + size_t(uniform_copy_position(t, T, S))];
    }
    return ids;
}

std::vector<int> nat_length_targets(const Batch& batch)
{
    std::vector<int> out(size_t(batch.B));
    for (int b = 0; b < batch.B; ++b)
        out[size_t(b)] = batch.tgt_len[size_t(b)] - 1;
    return out;
}

std::vector<NatOutput> nat_decode(const Transformer& net, const std::vector<std::vector<int>>& sources,
                                  int max_tokens, int length_candidates, const std::vector<int>* forced_lengths)
{
    if (!net.is_nat())
        throw Error("nat_decode needs a model with decoder \"nat\", this one is \"" + net.config().decoder + "\"");
    const int B = int(sources.size());
    if (forced_lengths) {
        if (forced_lengths->size() != sources.size())
            throw Error("nat_decode: " + std::to_string(forced_lengths->size()) + " forced lengths for " +
                        std::to_string(B) + " sources");
        for (int T : *forced_lengths)
            if (T < 1 || T > net.config().max_len)
                throw Error("nat_decode: forced length " + std::to_string(T) + " is outside 1 .. max_len (" +
                            std::to_string(net.config().max_len) + ")");
    }
    std::vector<NatOutput> out(static_cast<size_t>(B));
    if (B == 0)
        return out;
    const int model_max = net.config().max_len;
    Batch batch = make_source_batch(sources, model_max);
    Seq2SeqActivations act;
    net.encode(batch, act);

    // Lengths: the l most probable classes among the allowed lengths 1 .. cap per sentence.
    const int cap = std::max(1, std::min(max_tokens + 1, model_max));
    const int l = forced_lengths ? 1 : std::max(1, std::min(length_candidates, cap));
    std::vector<int> cand_len;     // B*l candidate lengths
    std::vector<double> cand_llp;  // their log p(T | x)
    for (int b = 0; b < B; ++b) {
        const auto full = act.length_logits.row(b);
        const Scalar top = full.maxCoeff();
        const double lse = double(top) + std::log(double((full.array() - top).exp().sum()));
        std::vector<int> cls(static_cast<size_t>(cap));
        std::iota(cls.begin(), cls.end(), 0);
        std::partial_sort(cls.begin(), cls.begin() + l, cls.end(), [&](int x, int y) {
            return full(x) != full(y) ? full(x) > full(y) : x < y;
        });
        if (forced_lengths)
            cls[0] = (*forced_lengths)[size_t(b)] - 1;
        for (int i = 0; i < l; ++i) {
            cand_len.push_back(cls[size_t(i)] + 1);
            cand_llp.push_back(double(full(cls[size_t(i)])) - lse);
        }
    }

    // One decoder pass for every position of every candidate of every sentence: candidate
    // row r = b * l + i reads the memory of sentence b.
    Batch dec;
    dec.B = B * l;
    dec.S = batch.S;
    dec.T = *std::max_element(cand_len.begin(), cand_len.end());
    Seq2SeqActivations dact;
    dact.memory.resize(Eigen::Index(dec.B) * dec.S, act.memory.cols());
    for (int r = 0; r < dec.B; ++r) {
        const int b = r / l;
        dec.src.insert(dec.src.end(), batch.src.begin() + ptrdiff_t(b) * batch.S,
                       batch.src.begin() + ptrdiff_t(b + 1) * batch.S);
        dec.src_len.push_back(batch.src_len[size_t(b)]);
        dec.tgt_len.push_back(cand_len[size_t(r)]);
        dact.memory.middleRows(Eigen::Index(r) * dec.S, dec.S) = act.memory.middleRows(Eigen::Index(b) * batch.S, batch.S);
    }
    dec.tgt_in.assign(size_t(dec.B) * size_t(dec.T), Seq2SeqIds::PAD); // unused by the NAT decoder
    dec.tgt_out = dec.tgt_in;
    net.decode(dec, dact);
    Mat logits;
    net.project_logits(dact.dec_out, logits);

    // Per sentence, the candidate with the highest mean log-probability per position.
    for (int b = 0; b < B; ++b) {
        double best_score = -std::numeric_limits<double>::infinity();
        for (int i = 0; i < l; ++i) {
            const int r = b * l + i;
            NatOutput o;
            o.length = cand_len[size_t(r)];
            o.length_log_prob = cand_llp[size_t(r)];
            bool ended = false;
            for (int t = 0; t < o.length; ++t) {
                const auto row = logits.row(Eigen::Index(r) * dec.T + t);
                Eigen::Index arg;
                const Scalar top = row.maxCoeff(&arg);
                o.log_prob -= std::log(double((row.array() - top).exp().sum()));
                o.positions.push_back(int(arg));
                // EOS ends the sentence (normally at the last position); PAD and BOS are dropped.
                ended = ended || int(arg) == Seq2SeqIds::EOS;
                if (!ended && int(arg) != Seq2SeqIds::PAD && int(arg) != Seq2SeqIds::BOS)
                    o.tokens.push_back(int(arg));
            }
            const double score = o.log_prob / double(o.length);
            if (score > best_score) {
                best_score = score;
                out[size_t(b)] = std::move(o);
            }
        }
    }
    return out;
}

} // namespace al
