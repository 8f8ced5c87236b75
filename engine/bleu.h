// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace al {

struct BleuResult {
    double bleu = 0;              ///< 0..100
    double precisions[4] = {0, 0, 0, 0}; ///< modified n-gram precisions, 0..1
    double brevity_penalty = 0;
    long hyp_length = 0, ref_length = 0;
};

/// Corpus BLEU-4 with uniform weights, clipped n-gram counts summed over the corpus and the
/// brevity penalty of Papineni et al. (2002) using, per sentence, the reference length closest
/// to the hypothesis length (ties: the shorter). Identical to NLTK's
/// nltk.translate.bleu_score.corpus_bleu without smoothing (0 when any precision is 0),
/// scaled to 0..100. refs[i] holds the references of hyp[i] (one or more).
BleuResult corpus_bleu(const std::vector<std::vector<std::string>>& hyps,
                       const std::vector<std::vector<std::vector<std::string>>>& refs);

} // namespace al
