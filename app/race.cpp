// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/text_format.h"
#include "app/race.h"

#include "engine/corpus.h"
#include "engine/error.h"
#include "engine/layers.h"
#include "engine/safetensors.h"
#include "engine/trainer.h"

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

/// Options of `train` that `race` accepts unchanged and hands to parseTrainArgs.
struct Forwarded {
    const char* name;
    const char* value;
    const char* help;
};
const Forwarded kForwarded[] = {
    {"data", "FILE", "Tab-separated corpus, shuffled and split 90/5/5 into train/valid/test (default: the bundled Tatoeba cmn-eng corpus)."},
    {"src-col", "N", "0-based column of the source sentence (default: 1 with --data, i.e. Chinese in cmn.txt; 0 with --train/--valid/--test)."},
    {"tgt-col", "N", "0-based column of the target sentence (default: 0 with --data, i.e. English in cmn.txt; 1 with --train/--valid/--test)."},
    {"split-seed", "N", "Seed of the shuffle before splitting --data (default: 1)."},
    {"train", "FILE", "Training split, used with --valid and --test instead of --data (default: none)."},
    {"valid", "FILE", "Validation split (default: none)."},
    {"test", "FILE", "Test split (default: none)."},
    {"src-tokens", "KIND", "Source tokens: char, word or auto (default: auto)."},
    {"tgt-tokens", "KIND", "Target tokens: char, word or auto (default: auto)."},
    {"min-count", "N", "Tokens seen fewer times in the training split become <unk> (default: 2)."},
    {"d-model", "N", "Model width d_model (default: as `train`, 256)."},
    {"nhead", "N", "Attention heads; must divide d_model (default: as `train`, 4)."},
    {"layers", "N", "Encoder and decoder layers (default: as `train`, 3)."},
    {"d-ff", "N", "Feed-forward size d_ff (default: as `train`, 1024)."},
    {"dropout", "P", "Dropout probability (default: as `train`, 0.1)."},
    {"synthesizer-k", "N", "Rank k of the factorized random synthesizer (default: 8)."},
    {"max-tokens", "N", "Token budget per batch, B * max(S, T) (default: as `train`, 3000)."},
    {"max-len", "N", "Training pairs with more tokens are dropped; also the synthesizers' l - 1 (default: 64)."},
    {"warmup", "N", "Warm-up steps of the Noam schedule (default: as `train`, 1000)."},
    {"lr-factor", "X", "Noam schedule factor (default: 1)."},
    {"seed", "N", "Seed of initialisation, dropout and batching, the same for every variant (default: 1)."},
    {"threads", "N", "CPU threads (OpenMP and Eigen) (default: the number of cores)."},
};

void applyThreads(int threads)
{
    if (threads > 0) {
        omp_set_num_threads(threads);
        Eigen::setNbThreads(threads);
    }
}

CorpusSplits loadSplits(const DataSource& src, std::ostream& err)
{
    size_t skipped = 0;
    auto read = [&](const QString& path) {
        CorpusReadResult r = read_tsv_pairs(path.toStdString(), src.src_col, src.tgt_col);
        skipped += r.skipped.size();
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
    if (skipped) err << "skipped " << skipped << " malformed line(s) (`attention-lab train` lists them)\n";
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

/// Evaluation checkpoints: steps (step budget) or training seconds (time budget), ascending,
/// the last one equal to the budget.
std::vector<double> checkpoints(const RaceOptions& o)
{
    std::vector<double> c;
    for (int i = 1; i <= o.eval_points; ++i) {
        if (o.steps > 0) {
            const double s = std::ceil(double(o.steps) * i / o.eval_points);
            if (c.empty() || s > c.back()) c.push_back(s);
        } else {
            c.push_back(o.minutes * 60 * i / o.eval_points);
        }
    }
    return c;
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
                    "speed_vs_vanilla,valid_loss,valid_ppl,valid_accuracy,bleu,bleu_sentences\n";
    for (const RaceResult& r : results)
        s += fmt("%s,%lld,%lld,%lld,%s,%s,%s,%s,%s,%s,%s,%s,%zu\n", r.variant.c_str(), (long long)r.parameters,
                 (long long)r.synthesizer_parameters, (long long)r.steps, num(r.train_seconds, 2).c_str(),
                 num(r.steps_per_s, 3).c_str(), num(r.tokens_per_s, 1).c_str(),
                 num(raceSpeedVsVanilla(r, results), 3).c_str(), num(r.valid_loss, 4).c_str(),
                 num(r.valid_ppl, 2).c_str(), num(r.valid_accuracy, 4).c_str(), num(r.bleu, 2).c_str(),
                 r.bleu_sentences);
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
    std::string s = "| Variant | Parameters | Synthesizer parameters | Steps | Steps/s | Tokens/s | Speed vs vanilla "
                    "| Valid loss | Valid ppl | Test BLEU |\n"
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const RaceResult& r : results) {
        const double speed = raceSpeedVsVanilla(r, results);
        s += fmt("| %s | %lld | %lld | %lld | %s | %s | %s | %s | %s | %s |\n", r.variant.c_str(),
                 (long long)r.parameters, (long long)r.synthesizer_parameters, (long long)r.steps,
                 num(r.steps_per_s, 2).c_str(), num(r.tokens_per_s, 0).c_str(),
                 std::isfinite(speed) ? fmt("%.2f×", speed).c_str() : "–", num(r.valid_loss, 3).c_str(),
                 num(r.valid_ppl, 1).c_str(), num(r.bleu, 2).c_str());
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
    p.addOption(QCommandLineOption("task", "What to race on: translate (the corpus of --data); other tasks come later "
                                           "(required).", "TASK"));
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
    for (const Forwarded& f : kForwarded) p.addOption(QCommandLineOption(f.name, f.help, f.value));
    p.setApplicationDescription("Race self-attention variants (vanilla and the Synthesizers of Tay et al. 2021): train "
                                "each in turn on the same data split, seed and budget, record validation curves and "
                                "test BLEU, and write DIR/results.csv, DIR/results.md and DIR/curves.csv.");
    QStringList argv = args;
    argv.prepend(QString(kProgram) + " race");
    if (!p.parse(argv)) return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) {
        const QString text = p.helpText();
        const int nl = text.indexOf('\n');
        return {ParseStatus::Help, QString("Usage: %1 race --task translate (--minutes M | --steps N) --out DIR [options]")
                                           .arg(kProgram)
                                       + (nl >= 0 ? text.mid(nl) : QString())};
    }
    if (p.isSet("version")) return {ParseStatus::Version, versionLine()};
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};

    RaceOptions o;
    auto error = [](const QString& msg) { return ParseStatus{ParseStatus::Error, msg}; };
    if (!p.isSet("task")) return error("--task is required (translate)");
    o.task = p.value("task").trimmed().toLower();
    if (o.task != "translate")
        return error("--task: expected translate (the only task so far), got '" + p.value("task") + "'");

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
    QStringList trainArgs;
    for (const Forwarded& f : kForwarded)
        if (p.isSet(f.name)) trainArgs << QString("--") + f.name << p.value(f.name);
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
    try {
        applyThreads(opts.base.train.threads);
        if (!QDir().mkpath(opts.out)) throw Error("cannot create directory '" + opts.out.toStdString() + "'");
        const CorpusSplits splits = loadSplits(opts.base.source, err);
        const std::string dataName =
            (opts.base.source.data.isEmpty() ? opts.base.source.train : opts.base.source.data).toStdString();
        out << "data: " << dataName << ": train " << splits.train.size() << " valid " << splits.valid.size()
            << " test " << splits.test.size() << " pairs\n";
        const ModelConfig& mc = opts.base.model;
        const TrainConfig& tc = opts.base.train;
        const std::string budget = opts.steps > 0 ? fmt("%lld optimizer steps per variant", (long long)opts.steps)
                                                  : fmt("%g minutes of training per variant", opts.minutes);
        out << fmt("race: %d variant(s), %s, %d validation passes each; d_model %d nhead %d layers %d/%d d_ff %d, "
                   "max_tokens %d, warmup %d, seed %llu, threads %d",
                   int(opts.variants.size()), budget.c_str(), opts.eval_points, mc.d_model, mc.nhead,
                   mc.num_encoder_layers, mc.num_decoder_layers, mc.dim_feedforward, tc.max_tokens, tc.warmup_steps,
                   (unsigned long long)tc.seed, tc.threads)
            << std::endl;

        const std::string started = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        auto note = [&](const std::vector<RaceResult>& results) {
            std::string n = fmt(
                "Budget: %s (training wall time; validation and BLEU excluded), the same data split "
                "(split seed %llu), initialisation/batching seed %llu and optimiser for every variant.\n\n"
                "Task: translate, %s: train %zu, valid %zu, test %zu pairs (columns %d -> %d). Valid loss: "
                "cross-entropy per target token over the whole valid split; BLEU: greedy decoding of the "
                "first %zu test pairs.\n\n"
                "Model: d_model %d, nhead %d, layers %d/%d, d_ff %d, dropout %g, max_len %d (synthesizer l = %d), "
                "synthesizer k %d; max_tokens %d, warmup %d, lr_factor %g.\n\n"
                "Machine: %s, %d thread(s); started %s; %zu of %d variant(s) done.\n",
                budget.c_str(), (unsigned long long)opts.base.source.split_seed, (unsigned long long)tc.seed,
                dataName.c_str(), splits.train.size(), splits.valid.size(), splits.test.size(),
                opts.base.source.src_col, opts.base.source.tgt_col,
                opts.base.bleu_sentences ? std::min(opts.base.bleu_sentences, splits.test.size()) : splits.test.size(),
                mc.d_model, mc.nhead, mc.num_encoder_layers, mc.num_decoder_layers, mc.dim_feedforward, mc.dropout,
                tc.max_len, tc.max_len + 1, mc.synthesizer_k, tc.max_tokens, tc.warmup_steps, tc.lr_factor,
                cpuModel().c_str(), tc.threads, started.c_str(), results.size(), int(opts.variants.size()));
            if (opts.minutes > 0)
                n += "\nWith a time budget, faster variants take more steps; differences of a few hundredths in loss "
                     "or a few tenths of BLEU at this budget are within run-to-run noise.\n";
            return n;
        };

        std::vector<RaceResult> results;
        const std::vector<double> marks = checkpoints(opts);
        const auto raceStart = Clock::now();
        for (int vi = 0; vi < opts.variants.size(); ++vi) {
            RaceResult r;
            r.variant = opts.variants[vi].toStdString();
            ModelConfig cfg = mc;
            cfg.attention = r.variant;
            DataOptions d;
            d.src_tokens = opts.base.src_tokens;
            d.tgt_tokens = opts.base.tgt_tokens;
            d.min_count = opts.base.min_count;
            auto trainer = std::make_unique<Trainer>(splits, cfg, tc, d);
            r.parameters = trainer->model().net.params().numel();
            r.synthesizer_parameters = trainer->model().net.synthesizer_parameters();
            const std::string tag = fmt("[%d/%d %s]", vi + 1, int(opts.variants.size()), r.variant.c_str());
            out << tag << fmt(" %lld parameters (%lld in synthesizers)", (long long)r.parameters,
                              (long long)r.synthesizer_parameters)
                << std::endl;

            int64_t tokens = 0, winSteps = 0;
            double winLoss = 0;
            size_t next = 0;
            auto lastLog = Clock::now();
            while (next < marks.size()) {
                const auto t = Clock::now();
                const StepStats st = trainer->train_step();
                r.train_seconds += since(t);
                if (!std::isfinite(st.loss))
                    throw Error(fmt("%s: training diverged: loss is %g at step %lld; try a longer --warmup or a "
                                    "smaller --lr-factor",
                                    r.variant.c_str(), st.loss, (long long)st.step));
                tokens += st.tgt_tokens;
                winLoss += st.loss;
                ++winSteps;
                r.steps = trainer->step();
                if (since(lastLog) >= opts.log_seconds) {
                    out << tag
                        << fmt(" step %lld epoch %.2f loss %.4f lr %.3e tokens/s %.0f train %s", (long long)r.steps,
                               st.epoch, winLoss / double(winSteps), st.lr, double(tokens) / r.train_seconds,
                               hms(r.train_seconds).c_str())
                        << std::endl;
                    winLoss = 0;
                    winSteps = 0;
                    lastLog = Clock::now();
                }
                const double progress = opts.steps > 0 ? double(r.steps) : r.train_seconds;
                if (progress < marks[next]) continue;
                while (next < marks.size() && progress >= marks[next]) ++next; // a slow step may pass several marks
                const EvalStats ev = trainer->evaluate(0);
                r.curve.push_back({r.steps, r.train_seconds, ev.loss});
                r.valid_loss = ev.loss;
                r.valid_ppl = ev.perplexity;
                r.valid_accuracy = ev.token_accuracy;
                out << tag
                    << fmt(" valid: step %lld loss %.4f ppl %.2f accuracy %.3f train %s", (long long)r.steps, ev.loss,
                           ev.perplexity, ev.token_accuracy, hms(r.train_seconds).c_str())
                    << std::endl;
            }
            r.steps_per_s = r.train_seconds > 0 ? double(r.steps) / r.train_seconds : 0;
            r.tokens_per_s = r.train_seconds > 0 ? double(tokens) / r.train_seconds : 0;
            const BleuResult bleu = trainer->test_bleu(opts.base.bleu_sentences);
            r.bleu = bleu.bleu;
            r.bleu_sentences = opts.base.bleu_sentences ? std::min(opts.base.bleu_sentences, splits.test.size())
                                                        : splits.test.size();
            trainer.reset();
            results.push_back(r);
            out << tag
                << fmt(" done: steps %lld steps/s %.2f tokens/s %.0f valid_loss %.3f valid_ppl %.2f test_bleu %.2f "
                       "(race elapsed %s)",
                       (long long)r.steps, r.steps_per_s, r.tokens_per_s, r.valid_loss, r.valid_ppl, r.bleu,
                       hms(since(raceStart)).c_str())
                << std::endl;
            writeResults(opts, results, note(results));
        }
        out << "\n" << raceResultsMarkdown(results, {}) << "written: " << opts.out.toStdString()
            << "/{results.csv,results.md,curves.csv}" << std::endl;
        return ExitOk;
    } catch (const Error& e) {
        err << "error: " << e.what() << "\n";
    } catch (const std::bad_alloc&) {
        err << "error: out of memory\n";
    } catch (const std::exception& e) {
        err << "error: " << e.what() << "\n";
    }
    return ExitFailure;
}

} // namespace al::cli
