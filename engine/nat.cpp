// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nat.h"
#include "engine/error.h"
#include "engine/vocab.h"

#include <algorithm>
#include <cmath>

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
    std::vector<int> ids(size_t(batch.B) * size_t(batch.T), Vocab::PAD);
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
                                  int max_tokens)
{
    if (!net.is_nat())
        throw Error("nat_decode needs a model with decoder \"nat\", this one is \"" + net.config().decoder + "\"");
    const int B = int(sources.size());
    std::vector<NatOutput> out(static_cast<size_t>(B));
    if (B == 0)
        return out;
    const int model_max = net.config().max_len;
    Batch batch;
    batch.B = B;
    batch.S = 1;
    for (const auto& s : sources)
        batch.S = std::max(batch.S, int(s.size()) + 1);
    batch.S = std::min(batch.S, model_max);
    batch.src.assign(size_t(B) * size_t(batch.S), Vocab::PAD);
    batch.src_len.resize(size_t(B));
    for (int b = 0; b < B; ++b) {
        const int n = std::min(int(sources[size_t(b)].size()), batch.S - 1);
        std::copy_n(sources[size_t(b)].begin(), n, batch.src.begin() + ptrdiff_t(b) * batch.S);
        batch.src[size_t(b) * size_t(batch.S) + size_t(n)] = Vocab::EOS;
        batch.src_len[size_t(b)] = n + 1;
    }
    Seq2SeqActivations act;
    net.encode(batch, act);

    // Length: the most probable class among the allowed lengths 1 .. cap.
    const int cap = std::max(1, std::min(max_tokens + 1, model_max));
    batch.T = 1;
    batch.tgt_len.resize(size_t(B));
    for (int b = 0; b < B; ++b) {
        const auto full = act.length_logits.row(b);
        Eigen::Index arg;
        full.head(cap).maxCoeff(&arg);
        const Scalar top = full.maxCoeff();
        const double lse = double(top) + std::log(double((full.array() - top).exp().sum()));
        out[size_t(b)].length = int(arg) + 1;
        out[size_t(b)].length_log_prob = double(full(arg)) - lse;
        batch.tgt_len[size_t(b)] = int(arg) + 1;
        batch.T = std::max(batch.T, int(arg) + 1);
    }
    batch.tgt_in.assign(size_t(B) * size_t(batch.T), Vocab::PAD); // unused by the NAT decoder
    batch.tgt_out = batch.tgt_in;

    // One decoder pass for every position of every sentence.
    net.decode(batch, act);
    Mat logits;
    net.project_logits(act.dec_out, logits);
    for (int b = 0; b < B; ++b) {
        NatOutput& o = out[size_t(b)];
        bool ended = false;
        for (int t = 0; t < o.length; ++t) {
            const auto row = logits.row(Eigen::Index(b) * batch.T + t);
            Eigen::Index arg;
            const Scalar top = row.maxCoeff(&arg);
            o.log_prob -= std::log(double((row.array() - top).exp().sum()));
            o.positions.push_back(int(arg));
            // EOS ends the sentence (normally at the last position); PAD and BOS are dropped.
            ended = ended || int(arg) == Vocab::EOS;
            if (!ended && int(arg) != Vocab::PAD && int(arg) != Vocab::BOS)
                o.tokens.push_back(int(arg));
        }
    }
    return out;
}

} // namespace al
