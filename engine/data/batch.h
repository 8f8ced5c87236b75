// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <vector>

namespace al {

/// One sentence pair as token ids, without BOS/EOS.
struct EncodedPair {
    std::vector<int> src;
    std::vector<int> tgt;
};

/// A padded batch for teacher-forced training. Ids are row-major: element [b * S + s].
/// src is "x1 .. xm EOS"; tgt_in is "BOS y1 .. yn" and tgt_out is "y1 .. yn EOS"; all padded
/// with PAD (id 0) to S or T.
struct Batch {
    int B = 0;                  ///< sequences
    int S = 0;                  ///< padded source length
    int T = 0;                  ///< padded target length (n + 1 for the longest target)
    std::vector<int> src;       ///< B*S
    std::vector<int> tgt_in;    ///< B*T
    std::vector<int> tgt_out;   ///< B*T
    std::vector<int> src_len;   ///< B, real source lengths (m + 1, with EOS)
    std::vector<int> tgt_len;   ///< B, real lengths of tgt_in (= n + 1)
    int64_t num_tgt_tokens() const;  ///< non-PAD entries of tgt_out
};

/// Builds one Batch from pairs, in the given order (no length limit applied). S = longest
/// source + 1, T = longest target + 1; an empty target gives tgt_in = "BOS", tgt_out = "EOS".
/// No pairs give an empty batch (B = S = T = 0). A null pointer throws al::Error.
Batch make_batch(const std::vector<const EncodedPair*>& pairs);

/// The encoder input for decoding `sources` (token ids without EOS): row b of src is
/// "x1 .. xn EOS" padded with PAD, each source cut to max_len - 1 tokens, S = min(longest + 1,
/// max_len) (at least 1), src_len = n + 1; T = 0 and the target fields empty. No sources give
/// B = 0, S = 1.
Batch make_source_batch(const std::vector<std::vector<int>>& sources, int max_len);

/// Sequences [begin, end) of `batch` as a batch of their own, with S and T shrunk to the
/// longest sequence in the range. Used to split a batch across threads (data parallelism).
Batch slice_batch(const Batch& batch, int begin, int end);

/// Cut points that split `batch` into `parts` contiguous ranges of sequences with about the
/// same number of target tokens: returns parts + 1 increasing indices from 0 to B (fewer
/// parts when B < parts).
std::vector<int> split_points(const Batch& batch, int parts);

/// Cut points of B sequences into min(parts, B) (at least 1) contiguous ranges as even as integer
/// division gives: cut w is B * w / parts. Returns parts + 1 increasing indices from 0 to B.
std::vector<int> even_split_points(int B, int parts);

/// Cuts B sequences of padded length L into the fewest micro-batches of at most `budget` padded
/// tokens (at least one sequence each), their sizes differing by at most one; budget 0 = one
/// piece. Returns pieces + 1 increasing indices from 0 to B.
std::vector<int> micro_batch_cuts(int B, int L, int budget);

/// Groups pairs of similar length into batches under a token budget:
/// B * max(S, T) <= max_tokens for every batch (a single over-long pair still gets a batch).
/// Pairs are sorted by (source, target) length with a seeded random tie-break, cut into
/// batches, and the batch order is shuffled with `seed`. Deterministic for a given seed.
/// Every pair appears in exactly one batch. max_tokens <= 0 throws al::Error.
std::vector<Batch> make_batches(const std::vector<EncodedPair>& pairs, int max_tokens, uint64_t seed);

} // namespace al
