// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/eval/bleu.h"

#include "engine/core/error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

namespace al {

namespace {

constexpr int kMaxN = 4;
using Ngram = std::array<int, kMaxN>; // token ids, unused tail slots are -1

// Counts of every n-gram of order n in `ids`.
std::map<Ngram, long> count_ngrams(const std::vector<int>& ids, int n) {
    std::map<Ngram, long> counts;
    if (static_cast<int>(ids.size()) < n) return counts;
    for (size_t i = 0; i + static_cast<size_t>(n) <= ids.size(); ++i) {
        Ngram g;
        g.fill(-1);
        for (int k = 0; k < n; ++k) g[static_cast<size_t>(k)] = ids[i + static_cast<size_t>(k)];
        ++counts[g];
    }
    return counts;
}

} // namespace

BleuResult corpus_bleu(const std::vector<std::vector<std::string>>& hyps,
                       const std::vector<std::vector<std::vector<std::string>>>& refs) {
    if (hyps.size() != refs.size())
        throw Error("corpus_bleu: " + std::to_string(hyps.size()) + " hypotheses but " +
                    std::to_string(refs.size()) + " reference sets");

    // Tokens become small integers so that n-grams compare cheaply.
    std::unordered_map<std::string, int> vocab;
    auto to_ids = [&vocab](const std::vector<std::string>& tokens) {
        std::vector<int> ids;
        ids.reserve(tokens.size());
        for (const std::string& t : tokens)
            ids.push_back(vocab.emplace(t, static_cast<int>(vocab.size())).first->second);
        return ids;
    };

    long num[kMaxN] = {0, 0, 0, 0}, den[kMaxN] = {0, 0, 0, 0};
    BleuResult r;
    for (size_t s = 0; s < hyps.size(); ++s) {
        if (refs[s].empty())
            throw Error("corpus_bleu: hypothesis " + std::to_string(s) + " has no reference");
        const std::vector<int> hyp = to_ids(hyps[s]);
        std::vector<std::vector<int>> ref_ids;
        ref_ids.reserve(refs[s].size());
        for (const auto& ref : refs[s]) ref_ids.push_back(to_ids(ref));

        for (int n = 1; n <= kMaxN; ++n) {
            const std::map<Ngram, long> counts = count_ngrams(hyp, n);
            std::map<Ngram, long> max_ref; // clip: most occurrences in any one reference
            for (const auto& ref : ref_ids)
                for (const auto& [g, c] : count_ngrams(ref, n))
                    if (counts.count(g)) max_ref[g] = std::max(max_ref[g], c);
            long matched = 0, total = 0;
            for (const auto& [g, c] : counts) {
                const auto it = max_ref.find(g);
                matched += std::min(c, it == max_ref.end() ? 0L : it->second);
                total += c;
            }
            num[n - 1] += matched;
            // NLTK's modified_precision uses max(1, total): a hypothesis shorter than n
            // still adds 1 to the denominator.
            den[n - 1] += std::max(1L, total);
        }

        // Closest reference length, ties to the shorter (NLTK closest_ref_length).
        const long hyp_len = static_cast<long>(hyps[s].size());
        long best = -1;
        for (const auto& ref : refs[s]) {
            const long len = static_cast<long>(ref.size());
            if (best < 0 || std::labs(len - hyp_len) < std::labs(best - hyp_len) ||
                (std::labs(len - hyp_len) == std::labs(best - hyp_len) && len < best))
                best = len;
        }
        r.hyp_length += hyp_len;
        r.ref_length += best;
    }

    for (int n = 0; n < kMaxN; ++n)
        r.precisions[n] = den[n] > 0 ? static_cast<double>(num[n]) / static_cast<double>(den[n]) : 0;
    if (r.hyp_length > r.ref_length) r.brevity_penalty = 1;
    else if (r.hyp_length == 0) r.brevity_penalty = 0;
    else r.brevity_penalty = std::exp(1 - static_cast<double>(r.ref_length) /
                                              static_cast<double>(r.hyp_length));

    // NLTK without smoothing substitutes sys.float_info.min for a zero precision, which
    // yields a score below 1e-70; the geometric mean is 0 there, and so is ours.
    if (hyps.empty() || std::any_of(num, num + kMaxN, [](long v) { return v == 0; })) {
        r.bleu = 0;
        return r;
    }
    double log_sum = 0;
    for (int n = 0; n < kMaxN; ++n) log_sum += 0.25 * std::log(r.precisions[n]);
    r.bleu = 100.0 * r.brevity_penalty * std::exp(log_sum);
    return r;
}

} // namespace al
