// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `attention-lab race`: trains several self-attention variants (vanilla and the Synthesizers of
// Tay et al. 2021) one after another on the same data split, seed and per-variant budget,
// records their validation curves and writes a results table (the Synthesizer variant race). As the
// other subcommands, parsing (argument list -> RaceOptions) is kept apart from running.
#include "app/cli.h"
#include "engine/experiments/race.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace al::cli {

/// The variants raced by default, in table order: vanilla, dense, random, fixed_random,
/// factorized_dense, factorized_random, random+vanilla, dense+vanilla.
QStringList defaultRaceVariants();

/// Options of `attention-lab race`.
struct RaceOptions {
    QString task = "translate";  ///< translate (a corpus) or an algorithmic task: copy, reverse, sort
    TrainOptions base;           ///< data, tokenisation, architecture (attention is set per variant) and optimiser
    QStringList variants = defaultRaceVariants();
    double minutes = 0;          ///< training wall time per variant (evaluation not counted); 0 = none
    int64_t steps = 0;           ///< optimizer steps per variant; 0 = none. Exactly one budget is set.
    QString out;                 ///< directory receiving results.csv, results.md and curves.csv
    int eval_points = 10;        ///< validation passes over the whole valid split per variant, evenly spaced over the budget
    double log_seconds = 10;     ///< progress line at least every this many seconds of training
};

/// The figures of a race live in the engine (engine/experiments/race.h); the command line only prints them.
using al::RaceCurvePoint;
using al::RaceResult;

/// Tokens/s of `r` divided by that of the "vanilla" entry of `all`; NaN when there is none.
double raceSpeedVsVanilla(const RaceResult& r, const std::vector<RaceResult>& all);

/// results.csv: a header and one row per variant (variant, parameters, synthesizer_parameters,
/// steps, train_seconds, steps_per_s, tokens_per_s, speed_vs_vanilla, valid_loss, valid_ppl,
/// valid_accuracy, bleu, bleu_sentences, exact_match, test_token_accuracy, test_sequences).
/// Unknown figures and scores that do not apply to the task (NaN) are empty fields.
std::string raceResultsCsv(const std::vector<RaceResult>& results);
/// curves.csv: header "variant,step,seconds,valid_loss" and one row per curve point.
std::string raceCurvesCsv(const std::vector<RaceResult>& results);
/// results.md: the results as a Markdown table followed by `note` (budget, machine, data). The
/// score columns are test BLEU, or exact match and token accuracy when any result has them.
std::string raceResultsMarkdown(const std::vector<RaceResult>& results, const std::string& note);

/// Parses `args` (the words after "race") into `opts`. Data and model options are those of
/// `train` and are validated by parseTrainArgs; usage errors name the option.
ParseStatus parseRaceArgs(const QStringList& args, RaceOptions& opts);

/// Runs the race: every variant in turn, progress on `out`; after each variant
/// DIR/results.csv, DIR/results.md and DIR/curves.csv are rewritten atomically, so an
/// interrupted race leaves the finished variants. Returns an ExitCode.
int runRace(const RaceOptions& opts, std::ostream& out, std::ostream& err);

} // namespace al::cli
