// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace al {

struct BleuResult {
    double bleu = 0;              ///< 0..100
    double precisions[4] = {0, 0, 0, 0}; ///< modified n-gram precisions, 0..1
    double brevity_penalty = 0;   ///< 1 when c > r, 0 when c = 0, else exp(1 - r/c)
    long hyp_length = 0, ref_length = 0; ///< c and r in tokens (r: closest reference lengths)
};

/// Corpus BLEU-4 with uniform weights, clipped n-gram counts summed over the corpus and the
/// brevity penalty of Papineni et al. (2002) using, per sentence, the reference length closest
/// to the hypothesis length (ties: the shorter). Identical to NLTK's
/// nltk.translate.bleu_score.corpus_bleu without smoothing (0 when any precision is 0),
/// scaled to 0..100. refs[i] holds the references of hyp[i] (one or more).
/// As in NLTK, a hypothesis shorter than n adds 1 to the n-gram denominator. Where a
/// precision is 0 NLTK returns a number below 1e-70 (it substitutes sys.float_info.min for
/// the zero precision); this returns exactly 0. Tokens are compared as exact strings
/// (tokenize and normalise first). Empty input gives 0. Throws al::Error when the two
/// lists differ in length or a hypothesis has no reference.
/// Checked against NLTK 3.8 by tests/test_bleu.cpp (values from tests/bleu_reference.py).
BleuResult corpus_bleu(const std::vector<std::vector<std::string>>& hyps,
                       const std::vector<std::vector<std::vector<std::string>>>& refs);

} // namespace al
