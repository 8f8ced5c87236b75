#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Reference values for tests/test_bleu.cpp: NLTK's corpus_bleu (default BLEU-4 weights, no
# smoothing) times 100. Run with the Debian/Ubuntu package python3-nltk (NLTK 3.8):
#   /usr/bin/python3 tests/bleu_reference.py
# and paste the printed values into test_bleu.cpp. Tokens are whitespace-split strings.
import warnings

from nltk.translate.bleu_score import corpus_bleu

warnings.simplefilter("ignore")  # NLTK warns when an n-gram order has no match


def s(text):
    return text.split()


CASES = {
    # NLTK's own doctest: two sentences, the first with three references.
    "nltk_doctest": (
        [[s("It is a guide to action that ensures that the military will forever heed Party commands"),
          s("It is the guiding principle which guarantees the military forces always being under the command of the Party"),
          s("It is the practical guide for the army always to heed the directions of the party")],
         [s("he was interested in world history because he read the book")]],
        [s("It is a guide to action which ensures that the military always obeys the commands of the party"),
         s("he read the book because he was interested in world history")],
    ),
    # One reference, hypothesis shorter than it: brevity penalty exp(1 - 9/7) < 1.
    "single_ref_brevity": (
        [[s("the cat sat on the red mat today")],
         [s("a dog ran in the park")]],
        [s("the cat sat on the mat"),
         s("a dog ran in park")],
    ),
    # Sentence 2 has two references at equal distance (5 and 7 tokens for a 6-token
    # hypothesis): the shorter sets r, so c = 13 > r = 12 and the brevity penalty is 1 (it
    # would be < 1 with the longer). Sentence 1 checks clipping: "the" x4 against at most 2.
    "multi_ref_tie_and_clipping": (
        [[s("the cat is on the mat"), s("there is a cat on the mat")],
         [s("i do not know tom"), s("i really do not know it tom")]],
        [s("the the the cat on the mat"),
         s("i do not know it tom")],
    ),
    # A 2-token hypothesis: NLTK adds 1 to the 3-gram and 4-gram denominators for it.
    "short_hypothesis": (
        [[s("where is the station please")],
         [s("thank you")],
         [s("i like green tea very much")]],
        [s("where is the station please"),
         s("thank you"),
         s("i like green tea very much indeed")],
    ),
    # Unigram to trigram matches but no 4-gram match: NLTK gives ~1e-76, BLEU is 0.
    "no_4gram_match": (
        [[s("the quick brown fox jumps over the lazy dog")]],
        [s("the quick brown cat jumps over a lazy dog")],
    ),
    # No unigram match at all: NLTK returns exactly 0.
    "no_match": (
        [[s("a b c d e")]],
        [s("v w x y z")],
    ),
    # Perfect match: 100.
    "perfect": (
        [[s("i don't know , tom !")], [s("我 爱 你 。")]],
        [s("i don't know , tom !"), s("我 爱 你 。")],
    ),
}

for name, (refs, hyps) in CASES.items():
    print(f"{name}: {corpus_bleu(refs, hyps) * 100!r}")
