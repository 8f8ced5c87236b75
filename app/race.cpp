// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/text_format.h"
#include "app/race.h"
#include "app/options.h"

#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/nn/synthesizer.h"
#include "engine/io/safetensors.h"
#include "engine/train/trainer.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>

#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <memory>
#include <ostream>
#include <set>

namespace al::cli {

namespace {

using Clock = std::chrono::steady_clock;

const char* const kProgram = "attention-lab";


double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// "" for a non-finite number, else printf("%.*f").
std::string num(double v, int decimals)
{
    return std::isfinite(v) ? fmt("%.*f", decimals, v) : std::string();
}

/// Options of `train` that `race` accepts unchanged and hands to parseTrainArgs; their names,
/// ranges and help come from train's option tables (app/options.h).
const char* const kForwarded[] = {"data", "src-col", "tgt-col", "split-seed", "train", "valid", "test", "src-tokens",
                                  "tgt-tokens", "min-count", "d-model", "nhead", "layers", "dim-feedforward", "dropout",
                                  "synthesizer-k", "max-tokens", "max-len", "warmup", "lr-factor", "seed", "task-vocab",
                                  "min-len", "task-pairs", "threads"};

void applyThreads(int threads)
{
    if (threads > 0) {
        omp_set_num_threads(threads);
        Eigen::setNbThreads(threads);
    }
}

CorpusSplits loadSplits(const DataSource& src, std::ostream& err)
{
    auto read = [&](const QString& path) {
        CorpusReadResult r = read_tsv_pairs(path.toStdString(), src.src_col, src.tgt_col);
        printReads(err, {r.summary});
        return std::move(r.pairs);
    };
    CorpusSplits s;
    if (!src.data.isEmpty()) {
        const std::vector<SentencePair> all = read(src.data);
        if (all.empty()) throw Error(src.data.toStdString() + ": no usable sentence pair");
        s = split_corpus(all, src.valid_frac, src.test_frac, src.split_seed);
    } else {
        s.train = read(src.train);
        s.valid = read(src.valid);
        s.test = read(src.test);
    }
    if (s.valid.empty()) throw Error("the validation split is empty");
    if (s.test.empty()) throw Error("the test split is empty");
    return s;
}

std::string cpuModel()
{
    QFile f("/proc/cpuinfo");
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                const int colon = line.indexOf(':');
                if (colon >= 0) return line.mid(colon + 1).trimmed().toStdString();
            }
        }
    }
    return QSysInfo::currentCpuArchitecture().toStdString();
}

void writeResults(const RaceOptions& o, const std::vector<RaceResult>& results, const std::string& note)
{
    const std::string d = QDir(o.out).absolutePath().toStdString() + "/";
    atomic_write_file(d + "results.csv", raceResultsCsv(results));
    atomic_write_file(d + "curves.csv", raceCurvesCsv(results));
    atomic_write_file(d + "results.md", raceResultsMarkdown(results, note));
}

} // namespace

// ---------------------------------------------------------------------------------------------

QStringList defaultRaceVariants()
{
    return {"vanilla", "dense", "random", "fixed_random", "factorized_dense", "factorized_random",
            "random+vanilla", "dense+vanilla"};
}

double raceSpeedVsVanilla(const RaceResult& r, const std::vector<RaceResult>& all)
{
    for (const RaceResult& v : all)
        if (v.variant == "vanilla" && v.tokens_per_s > 0) return r.tokens_per_s / v.tokens_per_s;
    return std::numeric_limits<double>::quiet_NaN();
}

std::string raceResultsCsv(const std::vector<RaceResult>& results)
{
    std::string s = "variant,parameters,synthesizer_parameters,steps,train_seconds,steps_per_s,tokens_per_s,"
                    "speed_vs_vanilla,valid_loss,valid_ppl,valid_accuracy,bleu,bleu_sentences,exact_match,"
                    "test_token_accuracy,test_sequences\n";
    for (const RaceResult& r : results)
        s += fmt("%s,%lld,%lld,%lld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r.variant.c_str(), (long long)r.parameters,
                 (long long)r.synthesizer_parameters, (long long)r.steps, num(r.train_seconds, 2).c_str(),
                 num(r.steps_per_s, 3).c_str(), num(r.tokens_per_s, 1).c_str(),
                 num(raceSpeedVsVanilla(r, results), 3).c_str(), num(r.valid_loss, 4).c_str(),
                 num(r.valid_ppl, 2).c_str(), num(r.valid_accuracy, 4).c_str(), num(r.bleu, 2).c_str(),
                 std::isfinite(r.bleu) ? std::to_string(r.bleu_sentences).c_str() : "",
                 num(r.exact_match, 4).c_str(), num(r.test_token_accuracy, 4).c_str(),
                 std::isfinite(r.exact_match) ? std::to_string(r.test_sequences).c_str() : "");
    return s;
}

std::string raceCurvesCsv(const std::vector<RaceResult>& results)
{
    std::string s = "variant,step,seconds,valid_loss\n";
    for (const RaceResult& r : results)
        for (const RaceCurvePoint& p : r.curve)
            s += fmt("%s,%lld,%s,%s\n", r.variant.c_str(), (long long)p.step, num(p.seconds, 2).c_str(),
                     num(p.valid_loss, 4).c_str());
    return s;
}

std::string raceResultsMarkdown(const std::vector<RaceResult>& results, const std::string& note)
{
    const bool exact = std::any_of(results.begin(), results.end(),
                                   [](const RaceResult& r) { return std::isfinite(r.exact_match); });
    std::string s = "| Variant | Parameters | Synthesizer parameters | Steps | Steps/s | Tokens/s | Speed vs vanilla "
                    "| Valid loss | Valid ppl | ";
    s += exact ? "Test exact match | Test token accuracy |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
               : "Test BLEU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const RaceResult& r : results) {
        const double speed = raceSpeedVsVanilla(r, results);
        s += fmt("| %s | %lld | %lld | %lld | %s | %s | %s | %s | %s | ", r.variant.c_str(), (long long)r.parameters,
                 (long long)r.synthesizer_parameters, (long long)r.steps, num(r.steps_per_s, 2).c_str(),
                 num(r.tokens_per_s, 0).c_str(), std::isfinite(speed) ? fmt("%.2f×", speed).c_str() : "–",
                 num(r.valid_loss, 3).c_str(), num(r.valid_ppl, 1).c_str());
        s += exact ? fmt("%s | %s |\n", std::isfinite(r.exact_match) ? fmt("%.1f %%", 100 * r.exact_match).c_str() : "",
                         std::isfinite(r.test_token_accuracy) ? fmt("%.1f %%", 100 * r.test_token_accuracy).c_str() : "")
                   : fmt("%s |\n", num(r.bleu, 2).c_str());
    }
    if (!note.empty()) s += "\n" + note + (note.back() == '\n' ? "" : "\n");
    return s;
}

ParseStatus parseRaceArgs(const QStringList& args, RaceOptions& opts)
{
    QCommandLineParser p;
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.addOption(QCommandLineOption({"h", "help"}, "Show this help and exit."));
    p.addOption(QCommandLineOption("version", "Show the program version and exit."));
    p.addOption(QCommandLineOption("task", "What to race on: translate (the corpus of --data, scored by test BLEU) or "
                                           "an algorithmic task generated on the fly, copy, reverse or sort (scored by "
                                           "exact match; small-model defaults as `train --task`) (required).", "TASK"));
    p.addOption(QCommandLineOption("minutes", "Training budget PER VARIANT in minutes of wall time (validation and "
                                              "BLEU not counted): the race takes about (number of variants) x M minutes "
                                              "plus evaluation. Exactly one of --minutes and --steps is required.", "M"));
    p.addOption(QCommandLineOption("steps", "Training budget per variant in optimizer steps.", "N"));
    p.addOption(QCommandLineOption("out", "Directory receiving results.csv, results.md and curves.csv (required).", "DIR"));
    p.addOption(QCommandLineOption("variants", "Comma-separated self-attention variants, raced in this order (default: "
                                                   + defaultRaceVariants().join(",") + "; random+dense is also accepted).",
                                   "LIST"));
    p.addOption(QCommandLineOption("eval-points", "Validation passes over the whole valid split per variant, evenly "
                                                  "spaced over the budget, the last at its end (default: 10).", "N"));
    p.addOption(QCommandLineOption("bleu-sentences", "Test sentences decoded for each variant's final BLEU; 0 = all "
                                                     "(default: 500).", "N"));
    for (const char* name : kForwarded) declareOption(p, *findTrainOption(name));
    p.setApplicationDescription("Race self-attention variants (vanilla and the Synthesizers of Tay et al. 2021): train "
                                "each in turn on the same data split, seed and budget, record validation curves and "
                                "test BLEU (exact match for copy/reverse/sort), and write DIR/results.csv, "
                                "DIR/results.md and DIR/curves.csv. With --task copy|reverse|sort the model and "
                                "optimiser defaults are those of `train --task` (d_model 64, 2 layers, Pre-LN, ...).");
    QStringList argv = args;
    argv.prepend(QString(kProgram) + " race");
    if (!p.parse(argv)) return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) {
        const QString text = p.helpText();
        const int nl = text.indexOf('\n');
        return {ParseStatus::Help, QString("Usage: %1 race --task translate|copy|reverse|sort (--minutes M | --steps N) --out DIR [options]")
                                           .arg(kProgram)
                                       + (nl >= 0 ? text.mid(nl) : QString())};
    }
    if (p.isSet("version")) return {ParseStatus::Version, versionLine()};
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};

    RaceOptions o;
    auto error = [](const QString& msg) { return ParseStatus{ParseStatus::Error, msg}; };
    if (!p.isSet("task")) return error("--task is required (translate, copy, reverse or sort)");
    o.task = p.value("task").trimmed().toLower();
    if (o.task != "translate" && !is_algorithmic_task(o.task.toStdString()))
        return error("--task: expected translate, copy, reverse or sort, got '" + p.value("task") + "'");

    if (p.isSet("minutes") == p.isSet("steps"))
        return error(p.isSet("minutes") ? "--minutes cannot be combined with --steps"
                                        : "--minutes or --steps is required (the budget per variant)");
    bool good = false;
    if (p.isSet("minutes")) {
        o.minutes = p.value("minutes").trimmed().toDouble(&good);
        if (!good || !std::isfinite(o.minutes) || o.minutes <= 0)
            return error("--minutes: expected a number > 0, got '" + p.value("minutes") + "'");
    } else {
        o.steps = p.value("steps").trimmed().toLongLong(&good);
        if (!good || o.steps < 1) return error("--steps: expected an integer >= 1, got '" + p.value("steps") + "'");
    }
    o.out = p.value("out");
    if (o.out.isEmpty()) return error("--out is required");

    if (p.isSet("variants")) {
        o.variants.clear();
        std::set<QString> seen;
        for (const QString& raw : p.value("variants").split(',')) {
            const QString v = raw.trimmed().toLower();
            if (v.isEmpty()) return error("--variants: empty name in '" + p.value("variants") + "'");
            try {
                SynthesizerConfig{v.toStdString(), 1, 1}.validate();
            } catch (const Error&) {
                return error("--variants: unknown variant '" + v + "' (expected " + defaultRaceVariants().join(", ")
                             + " or random+dense)");
            }
            if (!seen.insert(v).second) return error("--variants: '" + v + "' is listed twice");
            o.variants << v;
        }
    }
    if (p.isSet("eval-points")) {
        o.eval_points = p.value("eval-points").trimmed().toInt(&good);
        if (!good || o.eval_points < 1 || o.eval_points > 1000)
            return error("--eval-points: expected an integer from 1 to 1000, got '" + p.value("eval-points") + "'");
    }

    // Data, architecture and optimiser: exactly as `train` reads them.
    QStringList trainArgs = {"--task", o.task};
    const OptionReader reader(p);
    for (const char* name : kForwarded) {
        const OptionSpec& spec = *findTrainOption(name);
        if (reader.isSet(spec)) trainArgs << reader.spelling(spec) << p.value(reader.spelling(spec).mid(2));
    }
    trainArgs << "--bleu-sentences" << (p.isSet("bleu-sentences") ? p.value("bleu-sentences") : QString("500"));
    const ParseStatus st = parseTrainArgs(trainArgs, o.base);
    if (st.kind != ParseStatus::Ok) return st;
    o.base.minutes = o.minutes;
    o.base.steps = o.steps;
    opts = o;
    return {};
}

int runRace(const RaceOptions& opts, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&]() -> int {
        applyThreads(opts.base.train.threads);
        if (!QDir().mkpath(opts.out)) throw Error("cannot create directory '" + opts.out.toStdString() + "'");
        const bool algorithmic = is_algorithmic_task(opts.task.toStdString());
        const CorpusSplits splits =
            algorithmic ? generate_algorithmic_splits(opts.base.algorithmic) : loadSplits(opts.base.source, err);
        const AlgorithmicTaskConfig& ac = opts.base.algorithmic;
        const std::string dataName =
            algorithmic ? fmt("%s task, %d symbols, lengths %d to %d, generator seed %llu", to_string(ac.task).c_str(),
                              ac.vocab, ac.min_len, ac.max_len, (unsigned long long)ac.seed)
                        : (opts.base.source.data.isEmpty() ? opts.base.source.train : opts.base.source.data).toStdString();
        out << "data: " << dataName << ": train " << splits.train.size() << " valid " << splits.valid.size()
            << " test " << splits.test.size() << " pairs\n";
        const ModelConfig& mc = opts.base.model;
        const TrainConfig& tc = opts.base.train;
        const std::string budget = opts.steps > 0 ? fmt("%lld optimizer steps per variant", (long long)opts.steps)
                                                  : fmt("%g minutes of training per variant", opts.minutes);
        out << fmt("race: %d variant(s), %s, %d validation passes each; d_model %d nhead %d layers %d/%d d_ff %d %s, "
                   "max_tokens %d, warmup %d, lr_factor %g, seed %llu, threads %d",
                   int(opts.variants.size()), budget.c_str(), opts.eval_points, mc.d_model, mc.nhead,
                   mc.num_encoder_layers, mc.num_decoder_layers, mc.dim_feedforward, mc.norm_first ? "Pre-LN" : "Post-LN",
                   tc.max_tokens, tc.warmup_steps, tc.lr_factor, (unsigned long long)tc.seed, tc.threads)
            << std::endl;

        const std::string started = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        auto note = [&](const std::vector<RaceResult>& results) {
            const std::string task =
                algorithmic
                    ? fmt("Task: %s: train %zu, valid %zu, test %zu pairs (test and valid sources held out from "
                          "training). Valid loss: cross-entropy per target token over the whole valid split; exact "
                          "match: greedy decoding of the whole test split, the output identical to the reference.",
                          dataName.c_str(), splits.train.size(), splits.valid.size(), splits.test.size())
                    : fmt("Task: translate, %s: train %zu, valid %zu, test %zu pairs (columns %d -> %d). Valid loss: "
                          "cross-entropy per target token over the whole valid split; BLEU: greedy decoding of the "
                          "first %zu test pairs.",
                          dataName.c_str(), splits.train.size(), splits.valid.size(), splits.test.size(),
                          opts.base.source.src_col, opts.base.source.tgt_col,
                          opts.base.bleu_sentences ? std::min(opts.base.bleu_sentences, splits.test.size())
                                                   : splits.test.size());
            std::string n = fmt(
                "Budget: %s (training wall time; validation and %s excluded), the same data split "
                "(split seed %llu), initialisation/batching seed %llu and optimiser for every variant.\n\n"
                "%s\n\n"
                "Model: d_model %d, nhead %d, layers %d/%d, d_ff %d, dropout %g, %s, max_len %d (synthesizer l = %d), "
                "synthesizer k %d; max_tokens %d, warmup %d, lr_factor %g, label smoothing %g.\n\n"
                "Machine: %s, %d thread(s); started %s; %zu of %d variant(s) done.\n",
                budget.c_str(), algorithmic ? "test decoding" : "BLEU",
                (unsigned long long)(algorithmic ? ac.seed : opts.base.source.split_seed), (unsigned long long)tc.seed,
                task.c_str(), mc.d_model, mc.nhead, mc.num_encoder_layers, mc.num_decoder_layers, mc.dim_feedforward,
                mc.dropout, mc.norm_first ? "Pre-LN" : "Post-LN", tc.max_len, tc.max_len + 1, mc.synthesizer_k,
                tc.max_tokens, tc.warmup_steps, tc.lr_factor, tc.label_smoothing, cpuModel().c_str(), tc.threads,
                started.c_str(), results.size(), int(opts.variants.size()));
            if (opts.minutes > 0)
                n += "\nWith a time budget, faster variants take more steps; differences of a few hundredths in loss "
                     "or a few tenths of BLEU at this budget are within run-to-run noise.\n";
            return n;
        };

        RaceConfig rc;
        for (const QString& v : opts.variants) rc.variants.push_back(v.toStdString());
        rc.model = mc;
        rc.train = tc;
        rc.data.src_tokens = opts.base.src_tokens;
        rc.data.tgt_tokens = opts.base.tgt_tokens;
        rc.data.min_count = opts.base.min_count;
        rc.steps = opts.steps;
        rc.seconds = opts.minutes * 60;
        rc.eval_points = opts.eval_points;
        rc.algorithmic = algorithmic;
        rc.bleu_sentences = opts.base.bleu_sentences;

        const int n = int(rc.variants.size());
        auto tag = [&](int vi) { return fmt("[%d/%d %s]", vi + 1, n, rc.variants[size_t(vi)].c_str()); };
        const auto raceStart = Clock::now();
        auto lastLog = Clock::now();
        double winLoss = 0;
        int64_t winSteps = 0;
        std::vector<RaceResult> done;
        RaceEvents ev;
        ev.variant_started = [&](int vi, const RaceResult& r) {
            out << tag(vi) << fmt(" %lld parameters (%lld in synthesizers)", (long long)r.parameters,
                                  (long long)r.synthesizer_parameters)
                << std::endl;
            lastLog = Clock::now();
            winLoss = 0;
            winSteps = 0;
        };
        ev.stepped = [&](int vi, const RaceResult& r, const StepStats& st) {
            winLoss += st.loss;
            ++winSteps;
            if (since(lastLog) < opts.log_seconds) return;
            out << tag(vi)
                << fmt(" step %lld epoch %.2f loss %.4f lr %.3e tokens/s %.0f train %s", (long long)r.steps, st.epoch,
                       winLoss / double(winSteps), st.lr, double(r.train_tokens) / r.train_seconds,
                       hms(r.train_seconds).c_str())
                << std::endl;
            winLoss = 0;
            winSteps = 0;
            lastLog = Clock::now();
        };
        ev.evaluated = [&](int vi, const RaceResult& r, const EvalStats& e) {
            out << tag(vi)
                << fmt(" valid: step %lld loss %.4f ppl %.2f accuracy %.3f train %s", (long long)r.steps, e.loss,
                       e.perplexity, e.accuracy, hms(r.train_seconds).c_str())
                << std::endl;
        };
        ev.variant_finished = [&](int vi, const RaceResult& r) {
            done.push_back(r);
            const std::string score = algorithmic ? fmt("test_exact_match %.4f test_token_accuracy %.4f", r.exact_match,
                                                        r.test_token_accuracy)
                                                  : fmt("test_bleu %.2f", r.bleu);
            out << tag(vi)
                << fmt(" done: steps %lld steps/s %.2f tokens/s %.0f valid_loss %.3f valid_ppl %.2f %s (race elapsed %s)",
                       (long long)r.steps, r.steps_per_s, r.tokens_per_s, r.valid_loss, r.valid_ppl, score.c_str(),
                       hms(since(raceStart)).c_str())
                << std::endl;
            writeResults(opts, done, note(done));
        };
        const std::vector<RaceResult> results = run_race(rc, splits, ev);
        out << "\n" << raceResultsMarkdown(results, {}) << "written: " << opts.out.toStdString()
            << "/{results.csv,results.md,curves.csv}" << std::endl;
        return int(ExitOk);
    });
}

} // namespace al::cli
