// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Synthesizer variant race, without any I/O: several self-attention variants (vanilla and the
// Synthesizers of Tay et al. 2021) are trained one after another on the same data split, seed,
// optimiser and per-variant budget; each gets a validation curve and a final score (test BLEU on
// translation, exact match on the algorithmic tasks). `attention-lab race` (app/race.cpp) and the
// GUI's race action (ui/race_worker.*) both run this loop and differ only in how they report.
#include "engine/data/algorithmic_tasks.h"
#include "engine/models/config.h"
#include "engine/data/corpus.h"
#include "engine/train/trainer.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace al {

/// One point of a validation curve.
struct RaceCurvePoint {
    int64_t step = 0;
    double seconds = 0;          ///< training seconds so far (evaluation excluded)
    double valid_loss = 0;       ///< cross-entropy per target token over the whole valid split (nats)
};

/// Figures of one raced variant. Scores that do not apply to the task are NaN.
struct RaceResult {
    std::string variant;
    int64_t parameters = 0;             ///< all trainable and fixed parameters of the network
    int64_t synthesizer_parameters = 0; ///< of which in synthesizer parts (0 for vanilla)
    int64_t steps = 0;
    int64_t train_tokens = 0;           ///< target tokens trained on
    double train_seconds = 0;           ///< wall time spent in training steps
    double steps_per_s = 0;
    double tokens_per_s = 0;            ///< target tokens per second of training
    double valid_loss = 0;              ///< last pass over the whole valid split (nats per token)
    double valid_ppl = 0;
    double valid_accuracy = 0;          ///< teacher-forced token accuracy of that pass
    double bleu = std::numeric_limits<double>::quiet_NaN(); ///< translate: corpus BLEU on bleu_sentences test pairs
    size_t bleu_sentences = 0;          ///< test pairs decoded for BLEU
    double exact_match = std::numeric_limits<double>::quiet_NaN();   ///< algorithmic: greedy decoding of the test split
    double test_token_accuracy = std::numeric_limits<double>::quiet_NaN(); ///< algorithmic: see SequenceAccuracy
    int64_t test_sequences = 0;         ///< algorithmic: test pairs decoded
    std::vector<RaceCurvePoint> curve;
};

/// What to race. Exactly one budget (steps or seconds) is positive.
struct RaceConfig {
    std::vector<std::string> variants; ///< ModelConfig::attention values, raced in this order
    ModelConfig model;                  ///< attention is set per variant
    TrainConfig train;
    DataOptions data;
    int64_t steps = 0;                  ///< optimizer steps per variant
    double seconds = 0;                 ///< training wall time per variant (evaluation not counted)
    int eval_points = 10;               ///< validation passes per variant, evenly spaced, the last at the end
    bool algorithmic = false;           ///< score by exact match on the whole test split instead of BLEU
    size_t bleu_sentences = 500;        ///< translate: test pairs decoded for BLEU (0 = all)
};

/// Progress callbacks of run_race, all optional, called on the racing thread. `index` is the
/// variant's position in RaceConfig::variants.
struct RaceEvents {
    std::function<void(int index, const RaceResult&)> variant_started;   ///< model built (parameters known)
    std::function<void(int index, const RaceResult&, const StepStats&)> stepped;
    std::function<void(int index, const RaceResult&, const EvalStats&)> evaluated; ///< a curve point was added
    std::function<void(int index, const RaceResult&)> variant_finished;  ///< final scores filled in
    std::function<bool()> cancelled;    ///< polled between steps; true ends the race
};

/// Evaluation marks: steps (step budget) or training seconds (time budget), ascending, the
/// last one equal to the budget. Throws al::Error unless exactly one budget is positive and
/// eval_points >= 1.
std::vector<double> race_checkpoints(const RaceConfig& config);

/// Runs the race on `splits` (valid and test must not be empty). Returns the finished variants in
/// order; after a cancellation, those finished before it. A diverging variant (non-finite loss)
/// throws al::Error naming it.
std::vector<RaceResult> run_race(const RaceConfig& config, const CorpusSplits& splits, const RaceEvents& events = {});

} // namespace al
