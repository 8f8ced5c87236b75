// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Headless subcommands of `attention-lab` (train, translate, eval). Parsing (argument list ->
// options struct, with validation) is kept apart from running, so tests call both halves.
// Output goes to caller-supplied streams; nothing here needs a display or a QCoreApplication
// instance except the help text (which names the program).
#include "engine/data/algorithmic_tasks.h"
#include "engine/models/config.h"
#include "engine/decode/decoding.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"
#include "engine/data/tokenizer.h"
#include "engine/io/safetensors.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace al::cli {

/// Process exit codes. 0 success, 1 runtime failure (message on stderr), 2 usage error.
enum ExitCode : int { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

/// Outcome of parsing one subcommand's arguments.
struct ParseStatus {
    enum Kind { Ok, Help, Version, Error } kind = Ok;
    QString text; ///< help text (Help), version line (Version) or the message naming the option (Error)
};

/// Where the corpus comes from: one TSV split 90/5/5 by al::split_corpus, or three files.
struct DataSource {
    QString data;             ///< single TSV file (empty when train/valid/test are given)
    QString train, valid, test;
    int src_col = 1;          ///< 0-based; 1 with --data (cmn.txt is "English \t Chinese"), 0 with --train
    int tgt_col = 0;          ///< 0-based; 0 with --data, 1 with --train
    uint64_t split_seed = 1;
    double valid_frac = 0.05;
    double test_frac = 0.05;
};

/// Options of `attention-lab train`, for every --task (app/options.h lists them).
struct TrainOptions {
    /// translate (a corpus), an algorithmic task (copy, reverse, sort) or a language task
    /// (charlm, pos, sentiment, langid, mlm: app/task_cli.h).
    QString task = "translate";
    AlgorithmicTaskConfig algorithmic; ///< generator of copy/reverse/sort (--task-vocab, --min-len, --max-len, ...)
    QStringList task_data;      ///< language task: --data paths (langid may take several); empty = bundled data
    double mask_prob = kDefaultMaskProb; ///< mlm
    /// At the end, go back to the weights of the best validation pass (minus the loss; a language
    /// task's accuracy, charlm's minus the loss) when a later pass was worse; the test figures are
    /// then of the selected model. Default off, on for language tasks (parseTrainArgs).
    bool keep_best = false;
    DataSource source;
    TokenKind src_tokens = TokenKind::Auto;
    TokenKind tgt_tokens = TokenKind::Auto;
    int min_count = 2;
    /// The model, of every kind: ModelConfig{} for translation, algorithmic_model_defaults() for
    /// copy/reverse/sort, default_task_config(task) for a language task; then the options (the
    /// vocabulary sizes are filled in by the trainer).
    ModelConfig model;
    TrainConfig train;        ///< train.threads is also applied to OpenMP and Eigen
    double minutes = 0;       ///< wall-clock budget; 0 = none
    int64_t steps = 0;        ///< optimizer steps to run in this invocation; 0 = none
    QString out;              ///< model directory written at the end and every save_every minutes
    double save_every = 10;   ///< minutes; 0 = only at the end
    QString resume;           ///< model directory to continue from
    QString save_split;       ///< directory that receives train.tsv / valid.tsv / test.tsv
    int log_every = 100;      ///< progress line every N steps (0 = by time only) and every log_seconds
    double log_seconds = 10;
    double valid_every = 2;   ///< minutes between validation passes; 0 = only at the end
    size_t valid_max = 0;     ///< validation pairs (charlm: windows) per intermediate pass; 0 = all
    size_t bleu_sentences = 0;///< test sentences decoded for the final BLEU; 0 = all
    int samples = 5;          ///< sample translations printed at the end
    bool timeline = true;     ///< record the training timeline (docs/timeline.md) and save it with --out
    QStringList timeline_probes; ///< probe sentences; empty = kDefaultTimelineProbes from the validation split
    double timeline_mb = 50;  ///< the timeline's memory bound, in MB (10^6 bytes)
    bool architecture_set = false; ///< an option that fixes the architecture or tokenisation was given
};

/// Options of `attention-lab translate`.
struct TranslateOptions {
    QString model;            ///< model directory
    int max_len = 64;         ///< longest output, in tokens
    QString attention;        ///< JSON file for the attention Trace (one sentence only)
    QStringList sentences;    ///< empty: read one sentence per line from stdin
    int threads = 0;          ///< 0 = OpenMP default
    DecodingOptions decoding; ///< strategy and its options (decoding.max_len is set from max_len)
    QString prefix;           ///< target text forced as the start of every translation (empty: none)
};

/// Options of `attention-lab eval`, for a model of any kind.
struct EvalOptions {
    QString model;
    QString task;             ///< the language task of the model directory ("" for an encoder-decoder)
    /// Translation: with --data a split of it is scored, with --test the whole file. A language
    /// task: source.split_seed is the seed of its data split (the training --seed).
    DataSource source;
    QStringList task_data;    ///< language task: --data paths; empty = the task's bundled data
    int split = 2;            ///< 1 validation, 2 test
    size_t max_sentences = 0; ///< examples scored; 0 = all
    int samples = 3;
    int threads = 0;
    DecodingOptions decoding; ///< the search used for BLEU (greedy by default)
};

/// Options of `attention-lab convert`.
struct ConvertOptions {
    QString model;                          ///< model directory read
    QString out;                            ///< model directory written
    StorageDtype dtype = StorageDtype::F16; ///< dtype of the written model.safetensors
};

/// The program name and version for --version ("attention-lab 0.1.0").
QString versionLine();

/// The bundled Tatoeba cmn-eng corpus: next to the installed executable
/// (<prefix>/share/attention-lab/data/cmn-eng/cmn.txt or <exe dir>/resources/...), else the
/// source tree's resources/ (compile-time AL_SOURCE_RESOURCE_DIR). Empty when none exists.
QString defaultCorpusPath();

/// Parses `args` (the words after the subcommand, e.g. {"--steps", "10"}) into `opts`.
/// Usage errors name the option ("--d-model: expected an integer >= 1, got 'x'").
ParseStatus parseTrainArgs(const QStringList& args, TrainOptions& opts);
ParseStatus parseTranslateArgs(const QStringList& args, TranslateOptions& opts);
ParseStatus parseEvalArgs(const QStringList& args, EvalOptions& opts);
ParseStatus parseConvertArgs(const QStringList& args, ConvertOptions& opts);

/// Runs a parsed subcommand. Progress and results go to `out`, diagnostics and errors to
/// `err`. Returns an ExitCode (al::Error and I/O failures -> ExitFailure with the message).
int runTrain(const TrainOptions& opts, std::ostream& out, std::ostream& err);
int runTranslate(const TranslateOptions& opts, std::istream& in, std::ostream& out, std::ostream& err);
int runEval(const EvalOptions& opts, std::ostream& out, std::ostream& err);
/// Copies a model directory with its weights stored as another dtype (al::convert_model_dir) and
/// prints the sizes before and after.
int runConvert(const ConvertOptions& opts, std::ostream& out, std::ostream& err);

/// True when `word` (argv[1]) selects the command line rather than the GUI: a subcommand,
/// "help", -h/--help/--help-all, -v/--version. A word ending in ".json" is a session file the
/// GUI opens (`attention-lab lesson.json`), not a subcommand.
bool isCliInvocation(const QString& word);

/// A subcommand that lives outside this library, e.g. `export`, which draws with the GUI library
/// (app/export_command.h): its name, one line for the top-level help, and its entry point (the
/// words after the name; returns an ExitCode).
struct ExternalSubcommand {
    QString name;
    QString summary;
    std::function<int(const QStringList& args, std::ostream& out, std::ostream& err)> run;
};
/// Adds `sub` to runCli's dispatch and help text (main() registers before calling runCli).
void registerSubcommand(const ExternalSubcommand& sub);

/// Prints a non-Ok parse status of subcommand `sub` the way every subcommand does: help and
/// version to `out` (ExitOk), a usage error naming the option plus a hint to `err` (ExitUsage).
int reportParseStatus(const QString& sub, const ParseStatus& status, std::ostream& out, std::ostream& err);

/// Parses `args` (the words after subcommand `sub`) with `parse` (a parse...Args function) and
/// returns run(options); help, version and usage errors are printed by reportParseStatus instead.
template <class Options, class Run>
int parseAndRun(const QString& sub, const QStringList& args, ParseStatus (*parse)(const QStringList&, Options&), Run run,
                std::ostream& out, std::ostream& err)
{
    Options o;
    const ParseStatus st = parse(args, o);
    return st.kind == ParseStatus::Ok ? run(o) : reportParseStatus(sub, st, out, err);
}

/// Runs `body` and returns its exit code; an al::Error, std::bad_alloc or other std::exception
/// becomes "error: <message>" on `err` and ExitFailure (shared by every subcommand).
int guarded(std::ostream& err, const std::function<int()>& body);

/// Entry point of the command line: `args` are argv[1..] (the subcommand first). Parses,
/// prints help/version/usage errors, runs. Returns the exit code.
int runCli(const QStringList& args, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace al::cli
