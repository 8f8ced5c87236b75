// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/text_format.h"
#include "app/cli.h"
#include "engine/nn/activation.h"
#include "engine/nn/attention.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"
#include "app/ablate.h"
#include "app/bench.h"
#include "app/race.h"
#include "app/task_cli.h"
#include "app/options.h"
#include "app/training_loop.h"

#include "engine/data/corpus.h"
#include "engine/data/text.h"
#include "engine/core/error.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/safetensors.h"
#include "engine/io/model_dir.h"
#include "engine/io/config_json.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"
#include "engine/io/trace_json.h"
#include "engine/eval/evaluate.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <nlohmann/json.hpp>

#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <array>
#include <functional>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <istream>
#include <limits>
#include <memory>
#include <ostream>

#ifndef AL_VERSION
#define AL_VERSION "0.0.0"
#endif

namespace al::cli {

namespace {

const char* const kProgram = "attention-lab";
const char* const kTatoebaAttribution =
    "English\u2013Chinese sentence pairs from the Tatoeba Project (tatoeba.org), via ManyThings.org "
    "(www.manythings.org/anki), licensed CC BY 2.0 FR.";

// ---------------------------------------------------------------------------------------------
// Small helpers


std::string local8(const QString& s) { return s.toStdString(); }

QString optName(const QString& name) { return "--" + name; }

/// Replaces QCommandLineParser's "Usage: <argv[0]> ..." line with the program and subcommand.
QString helpFor(const QCommandLineParser& parser, const QString& usage)
{
    const QString text = parser.helpText();
    const int nl = text.indexOf('\n');
    return "Usage: " + usage + (nl >= 0 ? text.mid(nl) : QString());
}

/// A parser with the options every subcommand shares.
void addCommon(QCommandLineParser& p)
{
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.addOption(QCommandLineOption({"h", "help"}, "Show this help and exit."));
    p.addOption(QCommandLineOption("version", "Show the program version and exit."));
}

void addOpt(QCommandLineParser& p, const QString& name, const QString& value, const QString& desc)
{
    p.addOption(QCommandLineOption(name, desc, value));
}


/// Parses and handles --help / --version / unknown options. Returns Ok when the caller should
/// go on reading values.
ParseStatus runParser(QCommandLineParser& p, const QString& sub, const QStringList& args, const QString& usage,
                      const QString& intro)
{
    p.setApplicationDescription(intro);
    QStringList argv = args;
    argv.prepend(QString(kProgram) + " " + sub);
    if (!p.parse(argv)) return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) return {ParseStatus::Help, helpFor(p, usage)};
    if (p.isSet("version")) return {ParseStatus::Version, versionLine()};
    return {};
}

// Data-source options of eval: those of train's data table (with eval's own help for the split
// seed), --test, which scores a whole file, and --split.
void addEvalDataOptions(QCommandLineParser& p)
{
    for (const char* name : {"data", "src-col", "tgt-col"}) declareOption(p, *findTrainOption(name));
    addOpt(p, "split-seed", "N", "Seed of the split, as given to train: of --data's shuffle for a translation model "
                                 "(train --split-seed), of a language task's data (train --seed; sentiment, langid and "
                                 "mlm split with it) (default: 1).");
    addOpt(p, "test", "FILE", "Translation model: score this whole file instead of a split of --data (default: none).");
    addOpt(p, "split", "valid|test", "Held-out split to score: valid or test (default: test; charlm has one held-out "
                                     "part, its validation text).");
}

void readDataOptions(OptionReader& r, DataSource& src, bool with_train_valid)
{
    const bool explicitFiles = r.isSet("test") || (with_train_valid && (r.isSet("train") || r.isSet("valid")));
    if (explicitFiles && r.isSet("data"))
        r.fail(QString("--data cannot be combined with ") + (with_train_valid ? "--train/--valid/--test" : "--test"));
    if (explicitFiles) {
        src.data.clear();
        src.src_col = 0;
        src.tgt_col = 1;
        if (with_train_valid) {
            src.train = r.str("train");
            src.valid = r.str("valid");
            if (src.train.isEmpty()) r.fail("--train is required with --valid/--test");
            else if (src.valid.isEmpty()) r.fail("--valid is required with --train");
        }
        src.test = r.str("test");
        if (src.test.isEmpty()) r.fail("--test is required with --train");
    } else {
        src.data = r.isSet("data") ? r.str("data") : defaultCorpusPath();
        if (src.data.isEmpty())
            r.fail("--data: the bundled corpus resources/data/cmn-eng/cmn.txt was not found; name a file");
        src.src_col = 1;
        src.tgt_col = 0;
    }
    r.integer("src-col", 0, 1000, src.src_col);
    r.integer("tgt-col", 0, 1000, src.tgt_col);
    if (r.ok() && src.src_col == src.tgt_col)
        r.fail(QString("--src-col and --tgt-col must differ (both are %1)").arg(src.src_col));
    if (r.isSet("split-seed") && !src.data.isEmpty()) r.seed("split-seed", src.split_seed);
    else if (r.isSet("split-seed")) r.fail("--split-seed only applies to --data");
}

// The options translate and eval share: the model directory and the threads.
void addModelOptions(QCommandLineParser& p, const QString& modelHelp)
{
    addCommon(p);
    addOpt(p, "model", "DIR", modelHelp);
    addOpt(p, "threads", "N", "CPU threads (default: the OpenMP default).");
}

// The decoding options of translate and eval; `seedHelp` is the help of --seed.
void addDecodingOptions(QCommandLineParser& p, const QString& seedHelp)
{
    const DecodingOptions d;
    addOpt(p, "decoding", "KIND", "Search: greedy, beam (beam search) or sample (default: greedy; beam when --beam or "
                                  "--length-penalty is given, sample when --temperature, --top-k, --top-p or --seed is).");
    addOpt(p, "beam", "N", QString("Beam width of --decoding beam (default: %1).").arg(d.beam_width));
    addOpt(p, "length-penalty", "A", QString("GNMT length penalty alpha of --decoding beam: hypotheses ranked by "
                                             "log P / ((5 + length)^A / 6^A); 0 = plain log-probability (default: %1).")
                                         .arg(d.length_penalty));
    addOpt(p, "temperature", "T", QString("Sampling temperature, > 0; the logits are divided by T (default: %1).").arg(d.temperature));
    addOpt(p, "top-k", "K", "Sample only among the K most probable tokens; 0 = no limit (default: 0).");
    addOpt(p, "top-p", "P", "Nucleus sampling: only among the most probable tokens whose probability sums to P, in (0, 1] (default: 1).");
    addOpt(p, "seed", "N", seedHelp);
}

void readDecodingOptions(OptionReader& r, DecodingOptions& d)
{
    const bool beamSet = r.isSet("beam") || r.isSet("length-penalty");
    const bool sampleSet = r.isSet("temperature") || r.isSet("top-k") || r.isSet("top-p") || r.isSet("seed");
    if (r.isSet("decoding")) {
        try {
            d.strategy = decoding_strategy_from_string(r.str("decoding").trimmed().toLower().toStdString(), "--decoding");
        } catch (const Error& e) {
            r.fail(QString::fromStdString(e.what()) + " ('" + r.str("decoding") + "')");
            return;
        }
    } else if (beamSet && sampleSet) {
        r.fail("--beam/--length-penalty (beam search) cannot be combined with --temperature/--top-k/--top-p/--seed (sampling)");
        return;
    } else if (beamSet) {
        d.strategy = DecodingStrategy::Beam;
    } else if (sampleSet) {
        d.strategy = DecodingStrategy::Sample;
    }
    if (beamSet && d.strategy != DecodingStrategy::Beam)
        r.fail(QString(r.isSet("beam") ? "--beam" : "--length-penalty") + " applies to --decoding beam, not "
               + QString::fromStdString(to_string(d.strategy)));
    if (sampleSet && d.strategy != DecodingStrategy::Sample)
        for (const char* name : {"temperature", "top-k", "top-p", "seed"})
            if (r.isSet(name)) {
                r.fail(optName(name) + " applies to --decoding sample, not " + QString::fromStdString(to_string(d.strategy)));
                break;
            }
    r.integer("beam", 1, 10000, d.beam_width);
    r.number("length-penalty", 0, std::numeric_limits<double>::max(), false, d.length_penalty);
    r.number("temperature", 0, std::numeric_limits<double>::max(), false, d.temperature);
    if (r.isSet("temperature") && r.ok() && d.temperature <= 0)
        r.fail("--temperature: expected a number > 0, got '" + r.str("temperature") + "'");
    r.integer("top-k", 0, std::numeric_limits<int>::max(), d.top_k);
    r.number("top-p", 0, 1, false, d.top_p);
    if (r.isSet("top-p") && r.ok() && d.top_p <= 0)
        r.fail("--top-p: expected a number in (0, 1], got '" + r.str("top-p") + "'");
    r.seed("seed", d.seed);
}

CorpusSplits loadSplits(const DataSource& src, std::ostream& err)
{
    CorpusSplits s;
    auto read = [&](const QString& path) {
        CorpusReadResult r = read_tsv_pairs(local8(path), src.src_col, src.tgt_col);
        printReads(err, {r.summary});
        return std::move(r.pairs);
    };
    if (!src.data.isEmpty()) {
        const std::vector<SentencePair> all = read(src.data);
        if (all.empty()) throw Error(local8(src.data) + ": no usable sentence pair");
        s = split_corpus(all, src.valid_frac, src.test_frac, src.split_seed);
    } else {
        if (!src.train.isEmpty()) s.train = read(src.train);
        if (!src.valid.isEmpty()) s.valid = read(src.valid);
        s.test = read(src.test);
    }
    return s;
}

void writeSplits(const CorpusSplits& s, const DataSource& src, const QString& dir)
{
    if (!QDir().mkpath(dir)) throw Error("cannot create directory '" + local8(dir) + "'");
    auto tsv = [](const std::vector<SentencePair>& pairs) {
        std::string text;
        for (const auto& p : pairs) text += p.src + "\t" + p.tgt + "\n";
        return text;
    };
    const std::string d = local8(QDir(dir).absolutePath()) + "/";
    atomic_write_file(d + "train.tsv", tsv(s.train));
    atomic_write_file(d + "valid.tsv", tsv(s.valid));
    atomic_write_file(d + "test.tsv", tsv(s.test));
    std::string readme = "Splits written by `attention-lab train --save-split`: one pair per line, "
                         "source TAB target (the default columns of `train --train/--valid/--test`).\n";
    if (!src.data.isEmpty()) {
        readme += fmt("Source: %s (source column %d, target column %d), duplicates of a source removed, "
                      "shuffled with seed %llu, split %.0f/%.0f/%.0f.\n",
                      local8(src.data).c_str(), src.src_col, src.tgt_col, (unsigned long long)src.split_seed,
                      100 * (1 - src.valid_frac - src.test_frac), 100 * src.valid_frac, 100 * src.test_frac);
        if (QFileInfo(src.data).fileName() == "cmn.txt")
            readme += std::string(kTatoebaAttribution)
                      + "\nThe per-sentence author attribution is the third column of the original cmn.txt.\n";
    }
    atomic_write_file(d + "README.txt", readme);
}

void applyThreads(int threads)
{
    if (threads > 0) {
        omp_set_num_threads(threads);
        Eigen::setNbThreads(threads);
    }
}

std::string modelSummary(const TranslationModel& m)
{
    const ModelConfig& c = m.net.config();
    const double params = double(m.net.params().numel());
    std::string line = fmt("model: d_model %d nhead %d layers %d/%d d_ff %d dropout %g %s, %.2fM parameters; "
                           "source %s tokens (vocabulary %d), target %s tokens (vocabulary %d)",
                           c.d_model, c.nhead, c.num_encoder_layers, c.num_decoder_layers, c.dim_feedforward, c.dropout,
                           c.norm_first ? "Pre-LN" : "Post-LN", params / 1e6, to_string(m.src_tokenizer.kind()).c_str(),
                           m.src_vocab.size(), to_string(m.tgt_tokenizer.kind()).c_str(), m.tgt_vocab.size());
    if (c.attention != "vanilla") {
        const int64_t synth = m.net.synthesizer_parameters();
        line += fmt("\nattention: %s synthesizer (l = %d), %lld synthesizer parameters in %d self-attention blocks",
                    c.attention.c_str(), c.max_len, static_cast<long long>(synth),
                    c.num_encoder_layers + c.num_decoder_layers);
    }
    const ModelConfig d;
    if (c.attention_scoring != d.attention_scoring || c.attention_normalization != d.attention_normalization
        || c.attention_window != d.attention_window || c.positional_encoding != d.positional_encoding
        || c.norm != d.norm || c.activation != d.activation || c.attention_dropout) {
        line += fmt("\nblocks: scoring %s, normalization %s, window %d, positional encoding %s, %s, %s",
                    c.attention_scoring.c_str(), c.attention_normalization.c_str(), c.attention_window,
                    c.positional_encoding.c_str(), c.norm.c_str(), c.activation.c_str());
        if (c.attention_dropout)
            line += fmt(", attention dropout %g", *c.attention_dropout);
    }
    return line;
}

void printSamples(const std::vector<std::string>& samples, int n, std::ostream& out)
{
    for (int i = 0; i < n && size_t(i) < samples.size(); ++i) {
        const std::string& s = samples[size_t(i)];
        const size_t a = s.find('\t'), b = s.find('\t', a == std::string::npos ? a : a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        out << "sample " << (i + 1) << ":\n"
            << "  source:     " << s.substr(0, a) << "\n"
            << "  reference:  " << s.substr(a + 1, b - a - 1) << "\n"
            << "  hypothesis: " << s.substr(b + 1) << "\n";
    }
}

/// "greedy", "beam 4 alpha 0.6", "sample T 1 top-k 0 top-p 0.9 seed 1".
std::string describe(const DecodingOptions& d)
{
    if (d.strategy == DecodingStrategy::Beam) return fmt("beam %d alpha %g", d.beam_width, d.length_penalty);
    if (d.strategy == DecodingStrategy::Sample)
        return fmt("sample T %g top-k %d top-p %g seed %llu", d.temperature, d.top_k, d.top_p, (unsigned long long)d.seed);
    return "greedy";
}

std::string algorithmicDataSummary(const AlgorithmicTaskConfig& c)
{
    return fmt("%s task, %d symbols, lengths %d to %d, generator seed %llu", to_string(c.task).c_str(), c.vocab, c.min_len,
               c.max_len, (unsigned long long)c.seed);
}

/// "cross-attention ... layer 1 0.41, layer 2 0.99": share of symbol-emitting decoder positions whose
/// head-averaged cross-attention peaks on the task's textbook source position.
std::string agreementLine(AlgorithmicTask task, const std::vector<double>& agreement)
{
    const char* pattern = task == AlgorithmicTask::Copy      ? "the diagonal (copy)"
                          : task == AlgorithmicTask::Reverse ? "the anti-diagonal (reverse)"
                                                             : "a source position holding the emitted symbol (sort)";
    std::string line = std::string("cross-attention argmax (mean over heads) on ") + pattern + ":";
    for (size_t l = 0; l < agreement.size(); ++l) line += fmt(" layer %zu %.3f", l + 1, agreement[l]);
    return line;
}

/// Reads DIR/task.json; false when there is none. Throws al::Error naming the file and key.
bool readTaskFile(const QString& dir, AlgorithmicTaskConfig& c) { return load_algorithmic_task_file(local8(dir), c); }

/// DIR/metrics.csv: a header and one row of final figures of an algorithmic task.
void writeTaskMetrics(const QString& dir, const QString& task, int64_t step, double seconds, const EvalStats& valid,
                      const SequenceAccuracy& acc, const std::vector<double>& agreement)
{
    std::string header = "task,step,seconds,valid_loss,valid_token_accuracy,test_sequences,test_exact_match,test_token_accuracy";
    std::string row = fmt("%s,%lld,%.1f,%.6f,%.6f,%lld,%.6f,%.6f", local8(task).c_str(), (long long)step, seconds,
                          valid.loss, valid.accuracy, (long long)acc.sequences, acc.exact_match(), acc.token_accuracy());
    for (size_t l = 0; l < agreement.size(); ++l) {
        header += fmt(",cross_attention_agreement_layer%zu", l + 1);
        row += fmt(",%.6f", agreement[l]);
    }
    // Added to the saved checkpoint as one more directory save, so the directory is always one
    // complete checkpoint, with or without its metrics.
    atomic_write_dir(local8(dir), [&](const std::string& staging) {
        atomic_write_file((std::filesystem::path(staging) / "metrics.csv").string(), header + "\n" + row + "\n");
    });
}

} // namespace

int guarded(std::ostream& err, const std::function<int()>& body)
{
    try {
        return body();
    } catch (const Error& e) {
        err << "error: " << e.what() << "\n";
    } catch (const std::bad_alloc&) {
        err << "error: out of memory\n";
    } catch (const std::exception& e) {
        err << "error: " << e.what() << "\n";
    }
    return ExitFailure;
}

// ---------------------------------------------------------------------------------------------

QString versionLine() { return QString("%1 %2").arg(kProgram, AL_VERSION); }

QString defaultCorpusPath()
{
    const QString rel = "data/cmn-eng/cmn.txt";
    QStringList candidates;
    if (QCoreApplication::instance()) {
        const QString exeDir = QCoreApplication::applicationDirPath();
        candidates << exeDir + "/../share/attention-lab/" + rel << exeDir + "/resources/" + rel;
    }
#ifdef AL_SOURCE_RESOURCE_DIR
    candidates << QString(AL_SOURCE_RESOURCE_DIR "/") + rel;
#endif
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QDir::cleanPath(QFileInfo(c).absoluteFilePath());
    return {};
}

namespace {

/// Which OptionScope a --task value belongs to.
unsigned scopeOfTask(const QString& task)
{
    if (is_algorithmic_task(local8(task))) return ForAlgorithmic;
    if (is_task_model_name(local8(task))) return ForLanguage;
    return ForCorpus;
}

/// The usage error of an option given to a --task it does not apply to.
QString notForTask(const OptionSpec& s, const QString& spelling, const QString& task, unsigned scope)
{
    if (scope == ForAlgorithmic && s.group == OptionGroup::Data)
        return spelling + " cannot be combined with --task " + task + " (the data is generated)";
    if (s.scope == ForAlgorithmic) return spelling + " needs --task copy, reverse or sort";
    if (s.scope == ForLanguage) return spelling + " needs --task charlm, pos, sentiment, langid or mlm";
    return spelling + " does not apply to --task " + task;
}

} // namespace

ParseStatus parseTrainArgs(const QStringList& args, TrainOptions& opts)
{
    const int cores = std::max(1, QThread::idealThreadCount());
    const std::vector<OptionSpec> specs = trainOptionSpecs();
    QCommandLineParser p;
    addCommon(p);
    for (const OptionSpec& s : specs) declareOption(p, s);

    const QString usage = QString(kProgram) + " train [--task TASK] [options]";
    const QString intro = "Train a Transformer and report its figures: on a tab-separated corpus (translation: validation\n"
                          "loss, perplexity, test BLEU), on a generated algorithmic task (exact match) or on a language\n"
                          "task (character LM, tagger, classifier, masked LM). Options that apply only to some tasks say\n"
                          "so; giving one to another task is a usage error.";
    ParseStatus st = runParser(p, "train", args, usage, intro);
    if (st.kind == ParseStatus::Help) {
        st.text = "Usage: " + usage + "\n\n" + intro + "\n\nOptions:\n  -h, --help                  Show this help and exit.\n"
                  "  --version                   Show the program version and exit.\n" + groupedHelp(specs);
        return st;
    }
    if (st.kind != ParseStatus::Ok) return st;
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};

    TrainOptions o;
    OptionReader r(p);
    // --task first: it picks the defaults and the scope of every other option.
    if (OptionValue v; r.read(taskOptionTable().front().spec, v)) taskOptionTable().front().apply(o, v);
    if (!r.ok()) return {ParseStatus::Error, r.error()};
    const unsigned scope = scopeOfTask(o.task);
    for (const OptionSpec& s : specs)
        if (!(s.scope & scope) && r.isSet(s)) r.fail(notForTask(s, r.spelling(s), o.task, scope));
    if (!r.ok()) return {ParseStatus::Error, r.error()};

    const bool algorithmic = scope == ForAlgorithmic, language = scope == ForLanguage;
    if (algorithmic) {
        // Generated data: a small model, its own optimiser defaults and a 2-minute budget; every
        // option given on the command line still overrides them below.
        o.algorithmic.task = algorithmic_task_from_string(local8(o.task), "--task");
        r.apply(taskOptionTable(), ForAlgorithmic, o);
        if (const OptionSpec* s = findTrainOption("split-seed"); r.isSet(*s)) r.seed("split-seed", o.algorithmic.seed);
        if (r.ok()) {
            try {
                o.algorithmic.validate();
            } catch (const al::Error& e) {
                r.fail(QString("--task %1: ").arg(o.task) + QString::fromStdString(e.what()));
            }
        }
        o.model = algorithmic_model_defaults();
        o.train = algorithmic_train_defaults(o.algorithmic);
        const DataOptions d = algorithmic_data_options();
        o.src_tokens = d.src_tokens;
        o.tgt_tokens = d.tgt_tokens;
        o.min_count = d.min_count;
        o.samples = 3;
        o.train.threads = cores;
    } else if (language) {
        o.model = default_task_config(local8(o.task));
        o.train = default_task_train_config(local8(o.task));
        o.min_count = kDefaultTaskMinCount;
        o.valid_every = o.task == "charlm" ? 2 : 1;
        o.log_every = 0;
        o.keep_best = true;
        o.task_data = p.values("data");
        r.apply(taskOptionTable(), ForLanguage, o);
    } else {
        o.train.threads = cores;
        readDataOptions(r, o.source, true);
        r.apply(taskOptionTable(), ForCorpus, o);
    }
    r.apply(dataOptionTable(), scope, o);

    // Model and block switches: a language task has one stack (the decoder for charlm, else the
    // encoder), which --layers sets.
    ModelConfig& m = o.model;
    const int enc = m.num_encoder_layers, dec = m.num_decoder_layers;
    r.apply(modelOptionTable(), scope, m);
    if (language) (o.task == "charlm" ? m.num_encoder_layers : m.num_decoder_layers) = o.task == "charlm" ? enc : dec;
    if (r.isSet("pre-ln") && r.isSet("post-ln")) r.fail("--pre-ln and --post-ln exclude each other");
    if (!language) {
        if (r.isSet("layers") && (r.isSet("encoder-layers") || r.isSet("decoder-layers")))
            r.fail("--layers cannot be combined with --encoder-layers/--decoder-layers");
        if (o.model.num_decoder_layers < 1) r.fail("--layers: the decoder needs at least 1 layer");
    }

    r.apply(trainOptionTable(), scope, o.train);
    if (algorithmic) o.train.max_len = o.algorithmic.max_len;
    if (!language) {
        if (r.isSet("length-loss-weight") && o.model.decoder != "nat" && !p.isSet("resume"))
            r.fail("--length-loss-weight needs --decoder nat");
        if ((r.isSet("scheduled-sampling-p") || r.isSet("scheduled-sampling-k")) && o.train.scheduled_sampling == "off")
            r.fail(optName(r.isSet("scheduled-sampling-p") ? "scheduled-sampling-p" : "scheduled-sampling-k")
                   + " needs --scheduled-sampling constant, linear or inverse_sigmoid");
        if (r.ok()) {
            try {
                o.train.validate();
            } catch (const Error& e) {
                const QString msg = QString::fromStdString(e.what());
                r.fail((msg.startsWith("scheduled_sampling_k") ? "--scheduled-sampling-k: " : "--scheduled-sampling: ") + msg);
            }
        }
    }

    r.apply(outputOptionTable(), scope, o);
    if (o.minutes == 0 && o.steps == 0) o.minutes = scope == ForCorpus ? 10 : 2;
    if (r.isSet("save-every") && o.out.isEmpty()) r.fail("--save-every needs --out");

    for (const OptionSpec& s : specs) {
        if (s.architecture && r.isSet(s)) {
            o.architecture_set = true;
            // A language task's --resume keeps the saved architecture and ignores these.
            if (!o.resume.isEmpty() && !language)
                r.fail(r.spelling(s) + " cannot be combined with --resume (the model directory fixes it)");
        }
    }
    if (r.ok() && (language || o.resume.isEmpty()) && m.d_model % m.nhead != 0)
        r.fail(QString("--d-model (%1) must be divisible by --nhead (%2)").arg(m.d_model).arg(m.nhead));
    if (language && r.ok()) {
        if (o.model.suffix_len > 0 && o.task != "pos") r.fail("--suffix-len: only for --task pos");
        // The architecture as the model will check it (vocabulary and labels come from the data).
        ModelConfig check = o.model;
        check.vocab_size = int(al::special_tokens(al::VocabLayout::Task).size()) + 1;
        if (check.task == "pos" || check.task == "sentiment" || check.task == "langid") check.labels = {"a", "b"};
        try {
            check.validate();
        } catch (const al::Error& e) {
            r.fail(QString::fromStdString(e.what()));
        }
        if (r.ok() && o.task_data.isEmpty()) o.task_data = defaultTaskData(local8(o.task));
        if (r.ok() && o.task_data.isEmpty())
            r.fail(QString("--data: task %1 needs a data path (%2)")
                       .arg(o.task, o.task == "pos" || o.task == "sentiment" ? QString::fromStdString(task_data_hint(local8(o.task)))
                                                                             : QString("the bundled data was not found")));
    }
    if (!r.ok()) return {ParseStatus::Error, r.error()};
    opts = o;
    return {};
}

ParseStatus parseTranslateArgs(const QStringList& args, TranslateOptions& opts)
{
    QCommandLineParser p;
    addModelOptions(p, "Model directory written by `attention-lab train --out` (required).");
    addOpt(p, "max-len", "N", "Longest translation, in tokens (default: 64).");
    addOpt(p, "attention", "FILE", "Write the attention maps (encoder_self, decoder_self, cross) as JSON to FILE; "
                                   "only with one sentence (default: not written).");
    addDecodingOptions(p, QString("Seed of --decoding sample; the same seed gives the same output (default: %1).")
                              .arg(DecodingOptions{}.seed));
    addOpt(p, "prefix", "TEXT", "Force the translation to start with TEXT (target tokens, teacher forcing by hand); "
                                "decoding continues from there (default: none).");
    p.addPositionalArgument("sentence", "Sentences to translate, one output line each (default: one per line from stdin).",
                            "[sentence...]");
    ParseStatus st = runParser(p, "translate", args, QString(kProgram) + " translate [options] [sentence...]",
                               "Translate sentences with a saved model; the first line of output is the first "
                               "translation.");
    if (st.kind != ParseStatus::Ok) return st;
    TranslateOptions o;
    OptionReader r(p);
    o.model = p.value("model");
    if (o.model.isEmpty()) r.fail("--model is required");
    r.integer("max-len", 1, 100000, o.max_len);
    o.attention = p.value("attention");
    r.integer("threads", 1, 1024, o.threads);
    o.sentences = p.positionalArguments();
    readDecodingOptions(r, o.decoding);
    o.prefix = p.value("prefix");
    if (!o.attention.isEmpty() && o.sentences.size() != 1)
        r.fail("--attention needs exactly one sentence on the command line");
    if (!r.ok()) return {ParseStatus::Error, r.error()};
    opts = o;
    return {};
}

/// --model (required), the task its directory names ("" for translation), and --split valid|test
/// (1 | 2; "dev" is read as valid), as eval and ablate read them.
static void readModelAndSplit(const QCommandLineParser& p, OptionReader& r, QString& model, QString& task, int& split)
{
    model = p.value("model");
    if (model.isEmpty()) r.fail("--model is required");
    task = QString::fromStdString(task_of_model_dir(local8(model)));
    if (p.isSet("split")) {
        const QString v = p.value("split").trimmed();
        if (v == "valid" || v == "dev") split = 1;
        else if (v == "test") split = 2;
        else r.fail("--split: expected valid or test, got '" + v + "'");
    }
}

ParseStatus parseEvalArgs(const QStringList& args, EvalOptions& opts)
{
    QCommandLineParser p;
    addModelOptions(p, "Model directory written by `attention-lab train --out`, of any --task (required).");
    addEvalDataOptions(p);
    addOpt(p, "max-sentences", "N", "Score only the first N examples of the split (sentences, sequences, texts; charlm: "
                                    "windows); 0 = all (default: 0).");
    addOpt(p, "samples", "N", "Sample translations printed, translation and copy|reverse|sort models (default: 3).");
    addDecodingOptions(p, QString("Seed of --decoding sample: sentence i of the length-sorted test set is sampled with "
                                  "seed + i (default: %1). For a language-task model, which is not decoded, --seed is "
                                  "read as --split-seed (its earlier spelling there).")
                              .arg(DecodingOptions{}.seed));
    ParseStatus st = runParser(p, "eval", args, QString(kProgram) + " eval --model DIR [options]",
                               "Score a saved model of any kind on held-out data: loss, perplexity and token accuracy, "
                               "and BLEU (translation; decoded with the decoding options), exact match (copy|reverse|sort, "
                               "on the test set regenerated from task.json) or the task's own figure (charlm, pos, "
                               "sentiment, langid, mlm: re-reads --data, default the bundled data, split as train splits it).");
    if (st.kind != ParseStatus::Ok) return st;
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};
    EvalOptions o;
    OptionReader r(p);
    readModelAndSplit(p, r, o.model, o.task, o.split);
    r.size("max-sentences", o.max_sentences);
    r.integer("threads", 1, 1024, o.threads);
    if (!o.task.isEmpty()) {
        // A language-task model: its data paths and split seed; nothing is decoded.
        for (const char* name : {"src-col", "tgt-col", "test", "samples", "decoding", "beam", "length-penalty", "temperature",
                                 "top-k", "top-p"})
            if (p.isSet(name)) r.fail(optName(name) + " applies to translation models, not a " + o.task + " model");
        if (p.isSet("seed") && p.isSet("split-seed")) r.fail("--seed is another spelling of --split-seed here; give one of them");
        o.task_data = p.values("data");
        r.seed(p.isSet("seed") ? "seed" : "split-seed", o.source.split_seed);
    } else {
        readDataOptions(r, o.source, false);
        if (o.split == 1 && o.source.data.isEmpty() && r.ok()) r.fail("--split valid needs --data (a --test file is one split)");
        r.integer("samples", 0, 1000, o.samples);
        readDecodingOptions(r, o.decoding);
    }
    if (!r.ok()) return {ParseStatus::Error, r.error()};
    opts = o;
    return {};
}

ParseStatus parseConvertArgs(const QStringList& args, ConvertOptions& opts)
{
    QCommandLineParser p;
    addCommon(p);
    addOpt(p, "model", "DIR", "Model directory to read, of any kind (required).");
    addOpt(p, "out", "DIR", "Model directory to write (required; not the one read).");
    addOpt(p, "dtype", "TYPE", "Element type of the written model.safetensors: f16 (IEEE half), bf16 (bfloat16) or f32 "
                               "(default: f16).");
    ParseStatus st = runParser(p, "convert", args, QString(kProgram) + " convert --model DIR --out DIR [--dtype f16|bf16|f32]",
                               "Copy a model directory with its weights stored as another dtype: float16 halves the size "
                               "of a float32 model (every weight rounded to nearest even); the lab widens F16 and BF16 to "
                               "float32 when it loads them. config.json and the vocabularies are checked and copied "
                               "unchanged; optimizer.safetensors is not copied.");
    if (st.kind != ParseStatus::Ok) return st;
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};
    ConvertOptions o;
    o.model = p.value("model");
    o.out = p.value("out");
    if (o.model.isEmpty()) return {ParseStatus::Error, "--model is required"};
    if (o.out.isEmpty()) return {ParseStatus::Error, "--out is required"};
    if (p.isSet("dtype") && !parse_storage_dtype(local8(p.value("dtype")), o.dtype))
        return {ParseStatus::Error, "--dtype: expected f16, bf16 or f32, got '" + p.value("dtype") + "'"};
    opts = o;
    return {};
}

int runConvert(const ConvertOptions& opts, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&]() -> int {
        convert_model_dir(local8(opts.model), local8(opts.out), opts.dtype);
        const auto size = [](const QString& dir) { return QFileInfo(QDir(dir).filePath("model.safetensors")).size(); };
        out << "converted " << local8(opts.model) << " -> " << local8(opts.out) << ": model.safetensors "
            << size(opts.model) << " -> " << size(opts.out) << " bytes (" << storage_dtype_name(opts.dtype) << ")\n";
        return ExitOk;
    });
}

int runTrain(const TrainOptions& opts, std::ostream& out, std::ostream& err)
{
    if (is_task_model_name(local8(opts.task))) return runTaskTrain(opts, out, err);
    return guarded(err, [&]() -> int {
        using Clock = std::chrono::steady_clock;
        applyThreads(opts.train.threads);
        const bool algorithmic = is_algorithmic_task(local8(opts.task));
        const CorpusSplits splits = algorithmic ? generate_algorithmic_splits(opts.algorithmic) : loadSplits(opts.source, err);
        if (algorithmic)
            out << "data: " << algorithmicDataSummary(opts.algorithmic) << ": train " << splits.train.size() << " valid "
                << splits.valid.size() << " test " << splits.test.size() << " pairs (test sources held out from training)\n";
        else
            out << "data: " << (opts.source.data.isEmpty() ? local8(opts.source.train) : local8(opts.source.data))
                << ": train " << splits.train.size() << " valid " << splits.valid.size() << " test "
                << splits.test.size() << " pairs\n";
        if (!opts.save_split.isEmpty()) {
            writeSplits(splits, opts.source, opts.save_split);
            out << "split written to " << local8(opts.save_split) << "/{train,valid,test}.tsv\n";
        }

        std::unique_ptr<Trainer> trainer;
        if (!opts.resume.isEmpty()) {
            TranslationModel model = load_model_dir(local8(opts.resume));
            const QString opt = QDir(opts.resume).filePath("optimizer.safetensors");
            const bool haveOpt = QFileInfo(opt).isFile();
            trainer = std::make_unique<Trainer>(splits, std::move(model), opts.train,
                                                haveOpt ? local8(opt) : std::string());
            out << "resumed from " << local8(opts.resume) << " at step " << trainer->step()
                << (haveOpt ? "" : " (no optimizer.safetensors: fresh Adam state)") << "\n";
        } else {
            DataOptions d;
            d.src_tokens = opts.src_tokens;
            d.tgt_tokens = opts.tgt_tokens;
            d.min_count = opts.min_count;
            trainer = std::make_unique<Trainer>(splits, opts.model, opts.train, d);
        }
        out << modelSummary(trainer->model()) << "\n";
        out << fmt("training: %zu pairs, max_tokens %d, warmup %d, lr_factor %g, label_smoothing %g, clip %g, seed %llu, threads %d",
                   trainer->train_pairs(), opts.train.max_tokens, opts.train.warmup_steps, opts.train.lr_factor,
                   opts.train.label_smoothing, opts.train.clip_grad_norm, (unsigned long long)opts.train.seed,
                   opts.train.threads);
        if (opts.train.scheduled_sampling != "off")
            out << fmt(", scheduled sampling %s p %g k %g", opts.train.scheduled_sampling.c_str(),
                       opts.train.scheduled_sampling_p, opts.train.scheduled_sampling_k);
        if (opts.minutes > 0) out << fmt(", %g minutes", opts.minutes);
        if (opts.steps > 0) out << ", " << opts.steps << " steps";
        out << std::endl;

        TimelineRecording timeline(
            makeRunTimeline(opts, trainer->model().net.config(),
                            [&](const std::vector<std::string>& texts, int fromValid) {
                                return translation_timeline_probes(trainer->model(), texts, splits.valid, fromValid,
                                                                   algorithmic ? &opts.algorithmic.task : nullptr);
                            },
                            err),
            [&](const TimelineProbe& p) { return timeline_frame(trainer->model(), p); });

        auto save = [&](const char* why) {
            if (opts.out.isEmpty()) return;
            // task.json and the timeline are part of the checkpoint: swapped in with the model.
            trainer->save(local8(opts.out), [&](const std::string& staging) {
                if (algorithmic) save_algorithmic_task_file(opts.algorithmic, staging);
                timeline.write(staging);
            });
            out << "saved " << local8(opts.out) << " (" << why << ", step " << trainer->step() << ")" << std::endl;
        };

        InterruptScope interruptScope;
        const auto t0 = Clock::now();
        auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
        EvalStats valid;
        int64_t valid_step = -1; // step of the last validation pass over all pairs
        LoopHooks hooks;
        hooks.progress = [&](const ProgressWindow& w) {
            out << fmt("step %lld epoch %.2f loss %.4f lr %.3e tokens/s %.0f elapsed %s", (long long)w.last.step, w.last.epoch,
                       w.loss_sum / double(w.steps), w.last.lr, w.step_seconds > 0 ? double(w.tokens) / w.step_seconds : 0.0,
                       hms(w.elapsed).c_str());
            if (opts.train.scheduled_sampling != "off") out << fmt(" sampling_p %.3f", w.last.sampling_prob);
            if (trainer->model().net.is_nat()) out << fmt(" length_loss %.4f", w.last.length_loss);
            out << std::endl;
        };
        auto report = [&](const EvalStats& ev, size_t max, double elapsed) {
            valid = ev;
            valid_step = max == 0 ? trainer->step() : -1;
            out << fmt("valid: step %lld loss %.4f ppl %.2f accuracy %.3f elapsed %s", (long long)trainer->step(), ev.loss,
                       ev.perplexity, ev.accuracy, hms(elapsed).c_str())
                << std::endl;
        };
        hooks.validated = [&](const EvalStats& ev, double elapsed) { report(ev, opts.valid_max, elapsed); };
        hooks.score = [](const EvalStats& ev) { return -ev.loss; };
        hooks.save = [&] { save("periodic"); };
        if (!opts.out.isEmpty())
            hooks.save_kept = [&] {
                save("the weights before the numeric fault");
                return local8(opts.out);
            };
        hooks.stepped = [&](int64_t step, double loss) { timeline.record(step, loss); };
        const LoopSchedule schedule = loopSchedule(opts);
        const LoopResult loop = runTrainingLoop(schedule, *trainer, hooks, out);
        out << timeline.summary() << fmt(" (%lld steps in %.1f s: %.2f steps/s)", (long long)loop.steps, loop.seconds,
                                         loop.seconds > 0 ? double(loop.steps) / loop.seconds : 0.0)
            << std::endl;
        const double train_seconds = loop.step_seconds;
        const int64_t total_tokens = loop.tokens;

        // The last pass may already be of this step, on all pairs.
        if (restoreBestPass(schedule, *trainer, hooks, out) || valid_step != trainer->step())
            report(trainer->evaluate(0), 0, since(t0));
        const EvalStats& ev = valid;
        save("final");
        if (algorithmic) {
            std::vector<std::string> samples;
            const SequenceAccuracy acc = decode_accuracy(trainer->model(), splits.test, &samples);
            const std::vector<double> agreement = cross_attention_agreement(trainer->model(), opts.algorithmic.task, splits.test);
            const double tps = train_seconds > 0 ? double(total_tokens) / train_seconds : 0.0;
            out << fmt("final: valid_loss %.4f valid_accuracy %.4f test_exact_match %.4f test_token_accuracy %.4f "
                       "(%lld test sequences) steps %lld tokens/s %.0f elapsed %s",
                       ev.loss, ev.accuracy, acc.exact_match(), acc.token_accuracy(), (long long)acc.sequences,
                       (long long)trainer->step(), tps, hms(since(t0)).c_str())
                << "\n";
            out << agreementLine(opts.algorithmic.task, agreement) << "\n";
            printSamples(samples, opts.samples, out);
            if (!opts.out.isEmpty()) {
                writeTaskMetrics(opts.out, opts.task, trainer->step(), since(t0), ev, acc, agreement);
                out << "metrics written to " << local8(QDir(opts.out).filePath("metrics.csv")) << "\n";
            }
            out.flush();
            return ExitOk;
        }
        std::vector<std::string> samples;
        const BleuResult bleu = trainer->test_bleu(opts.bleu_sentences, &samples);
        const double tps = train_seconds > 0 ? double(total_tokens) / train_seconds : 0.0;
        out << fmt("final: valid_loss %.3f valid_ppl %.2f test_bleu %.2f steps %lld tokens/s %.0f",
                   ev.loss, ev.perplexity, bleu.bleu, (long long)trainer->step(), tps)
            << "\n";
        printSamples(samples, opts.samples, out);
        out.flush();
        return ExitOk;
    });
}

int runTranslate(const TranslateOptions& opts, std::istream& in, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&]() -> int {
        applyThreads(opts.threads);
        const TranslationModel model = load_model_dir(local8(opts.model));
        DecodingOptions decoding = opts.decoding;
        decoding.max_len = opts.max_len;
        if (!opts.prefix.isEmpty())
            decoding.forced_prefix = model.tgt_vocab.encode(model.tgt_tokenizer.tokenize(local8(opts.prefix)));
        // One output line per sentence, always, so that output line i answers input line i; what
        // the model cannot read as given is said on stderr, naming the sentence.
        const int room = model.net.config().max_len - 1; // translate() reads this many source tokens
        bool unreadable = false;
        auto one = [&](const std::string& where, const std::string& sentence) {
            const size_t bad = utf8_error_offset(sentence);
            if (bad != std::string::npos) {
                err << where << ": invalid UTF-8 at byte offset " << bad << ", not translated\n";
                out << "\n";
                unreadable = true;
                return;
            }
            const std::vector<std::string> tokens = model.src_tokenizer.tokenize(sentence);
            if (tokens.empty()) {
                err << where << ": empty sentence, empty translation\n";
                out << "\n";
                return;
            }
            if (int(tokens.size()) > room)
                err << where << ": " << tokens.size() << " source tokens; the model reads the first " << room
                    << " (max_len " << room + 1 << "), the rest is ignored\n";
            const size_t read = std::min(tokens.size(), size_t(room));
            if (std::all_of(tokens.begin(), tokens.begin() + ptrdiff_t(read),
                            [&](const std::string& t) { return model.src_vocab.id(t) == model.src_vocab.unk(); }))
                err << where << ": every source token (" << read
                    << ") is unknown to the model's vocabulary; it reads only <unk>\n";
            Trace trace;
            const Translation t = translate(model, sentence, decoding, opts.attention.isEmpty() ? nullptr : &trace);
            out << t.text << "\n";
            if (!opts.attention.isEmpty()) {
                nlohmann::json j = trace_to_json(trace);
                j["source"] = sentence;
                j["translation"] = t.text;
                atomic_write_file(local8(opts.attention), j.dump() + "\n");
            }
        };
        if (!opts.sentences.isEmpty()) {
            int n = 0;
            for (const QString& s : opts.sentences) one("sentence " + std::to_string(++n), local8(s));
        } else {
            std::string line;
            int n = 0;
            while (std::getline(in, line)) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                one("stdin:" + std::to_string(++n), line);
                out.flush();
            }
        }
        if (unreadable) {
            out.flush();
            return ExitFailure;
        }
        out.flush();
        return ExitOk;
    });
}

int runEval(const EvalOptions& opts, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&]() -> int {
        configure_training_threads(opts.threads);
        if (!opts.task.isEmpty()) return evalTaskModel(opts, out, err);
        const TranslationModel model = load_model_dir(local8(opts.model));
        const char* split = opts.split == 1 ? "valid" : "test";
        AlgorithmicTaskConfig task;
        const bool algorithmic = readTaskFile(opts.model, task);
        std::vector<SentencePair> pairs;
        if (algorithmic) {
            // A copy/reverse/sort model: regenerate its held-out sets from task.json.
            CorpusSplits s = generate_algorithmic_splits(task);
            pairs = opts.split == 1 ? s.valid : s.test;
        } else {
            CorpusSplits s = loadSplits(opts.source, err);
            pairs = opts.split == 1 ? s.valid : s.test;
        }
        if (opts.max_sentences && pairs.size() > opts.max_sentences) pairs.resize(opts.max_sentences);
        if (pairs.empty()) throw Error(std::string("the ") + split + " set is empty");
        // Teacher-forced figures on the pairs as the trainer scores its validation split.
        const EvalStats ev =
            evaluate(model.net, make_batches(encode_pairs(model, pairs, model.net.config().max_len - 1, false),
                                             TrainConfig{}.max_tokens, 0));
        std::vector<std::string> samples;
        if (algorithmic) {
            const SequenceAccuracy acc = decode_accuracy(model, pairs, &samples);
            out << fmt("eval: %s: %s_loss %.4f %s_exact_match %.4f %s_token_accuracy %.4f sequences %lld",
                       algorithmicDataSummary(task).c_str(), split, ev.loss, split, acc.exact_match(), split,
                       acc.token_accuracy(), (long long)acc.sequences)
                << "\n"
                << agreementLine(task.task, cross_attention_agreement(model, task.task, pairs)) << "\n";
        } else {
            const auto d0 = std::chrono::steady_clock::now();
            const BleuResult bleu = evaluate_bleu(model, pairs, opts.decoding, &samples);
            const double decode_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - d0).count();
            const int l = nat_length_candidates(opts.decoding);
            const std::string how = !model.net.is_nat() ? describe(opts.decoding)
                                  : l == 1 ? std::string("nat (one pass)")
                                           : "nat (one pass, " + std::to_string(l) + " length candidates)";
            out << fmt("eval: %s_loss %.3f %s_ppl %.2f %s_accuracy %.3f %s_bleu %.2f sentences %zu decoding %s", split,
                       ev.loss, split, ev.perplexity, split, ev.accuracy, split, bleu.bleu, pairs.size(), how.c_str())
                << fmt(" decode_seconds %.2f sentences/s %.1f", decode_s, decode_s > 0 ? double(pairs.size()) / decode_s : 0.0)
                << "\n";
        }
        printSamples(samples, opts.samples, out);
        out.flush();
        return ExitOk;
    });
}

namespace {

// Layers per attention kind and heads of the model directory `dir`, read from its config.json;
// false when it cannot be read (running the subcommand reports that).
bool modelHeadShape(const QString& dir, std::array<int, kAttentionKinds>& layers, int& heads)
{
    try {
        const std::string d = local8(dir);
        const ModelFamily family = model_dir_family(d);
        const ModelConfig c = model_config_from_json(read_model_config_json(d, family), d + "/config.json");
        layers = c.is_task_model() ? std::array<int, kAttentionKinds>{c.num_layers(), 0, 0}
                                   : std::array<int, kAttentionKinds>{c.num_encoder_layers, c.num_decoder_layers,
                                                                      c.num_decoder_layers};
        heads = c.nhead;
        return true;
    } catch (const Error&) {
        return false;
    }
}

} // namespace

ParseStatus parseAblateArgs(const QStringList& args, AblateOptions& opts)
{
    QCommandLineParser p;
    addModelOptions(p, "Model directory written by `attention-lab train --out`, of any --task (required).");
    for (const char* name : {"data", "src-col", "tgt-col"}) declareOption(p, *findTrainOption(name));
    addOpt(p, "split-seed", "N", "Seed of the split, as given to train (train --split-seed for a translation model, "
                                 "train --seed for a language task) (default: 1).");
    addOpt(p, "test", "FILE", "Translation model: score this whole file instead of a split of --data (default: none).");
    addOpt(p, "split", "valid|test", "Held-out split to score: valid or test (default: valid; charlm has one held-out "
                                     "part, its validation text).");
    addOpt(p, "samples", "N", "Examples of the split scored (sentences, sequences, texts; charlm: windows): the "
                              "validation loss, the BLEU sample and the gradient importance; 0 = all (default: 200).");
    addOpt(p, "mode", "zero|mean", "What replaces an ablated head's output: zero (Michel et al. 2019), or its mean "
                                   "over the real query positions of the scored examples (default: zero).");
    addOpt(p, "heads", "LIST", "Comma-separated heads kind:layer:head (kind enc, dec or cross; layer and head from 0), "
                               "e.g. enc:0:1,cross:1:0: score the model with these heads ablated against the intact "
                               "model instead of writing the per-head table.");
    addOpt(p, "prune-least", "K", "Also score the model with the K least important heads ablated together.");
    addOpt(p, "prune-most", "K", "Also score the model with the K most important heads ablated together.");
    addOpt(p, "rank-by", "gradient|loss", "Importance that --prune-least/--prune-most and the printed ranking use: "
                                          "the normalised gradient importance or the loss rise (default: gradient).");
    addOpt(p, "csv", "FILE", "Write the per-head table (or the --heads comparison) as CSV.");
    addOpt(p, "json", "FILE", "Write the per-head table (or the --heads comparison), the pruning figures and the "
                              "intact scores as JSON.");
    ParseStatus st = runParser(p, "ablate", args, QString(kProgram) + " ablate --model DIR [options]",
                               "Head ablation and importance (Michel et al. 2019, \"Are Sixteen Heads Really Better "
                               "than One?\"): for every attention head (encoder self, decoder self, cross; every "
                               "layer), the validation loss and BLEU (task models: accuracy) with that head alone "
                               "ablated, and its gradient importance; or, with --heads, a chosen set of heads "
                               "ablated together. docs/ablation.md explains the method and the table.");
    if (st.kind != ParseStatus::Ok) return st;
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};
    AblateOptions o;
    OptionReader r(p);
    readModelAndSplit(p, r, o.model, o.task, o.split);
    r.size("samples", o.samples);
    r.integer("threads", 1, 1024, o.threads);
    if (p.isSet("mode")) {
        try {
            o.mode = parse_ablation_mode(local8(p.value("mode").trimmed()));
        } catch (const Error& e) {
            r.fail(QString("--mode: ") + e.what());
        }
    }
    if (p.isSet("rank-by")) {
        try {
            o.rank_by = parse_importance_ranking(local8(p.value("rank-by").trimmed()));
        } catch (const Error& e) {
            r.fail(QString("--rank-by: ") + e.what());
        }
    }
    std::array<int, kAttentionKinds> layers{};
    int heads = 0;
    const bool shape = !o.model.isEmpty() && modelHeadShape(o.model, layers, heads);
    if (p.isSet("heads")) {
        try {
            for (const QString& item : p.value("heads").split(',', Qt::SkipEmptyParts))
                o.heads.push_back(parse_head_id(local8(item.trimmed())));
            if (o.heads.empty()) throw Error("no head given");
            if (shape) {
                HeadMask m;
                m.heads = o.heads;
                check_head_mask(m, layers, heads);
            }
        } catch (const Error& e) {
            r.fail(QString("--heads: ") + e.what());
        }
    }
    const int total = shape ? int(all_heads(layers, heads).size()) : std::numeric_limits<int>::max();
    r.integer("prune-least", 1, total, o.prune_least);
    r.integer("prune-most", 1, total, o.prune_most);
    if (!o.heads.empty() && (p.isSet("prune-least") || p.isSet("prune-most")))
        r.fail("--heads cannot be combined with --prune-least/--prune-most (pruning ranks every head)");
    o.csv = p.value("csv");
    o.json = p.value("json");
    if (!o.task.isEmpty()) {
        for (const char* name : {"src-col", "tgt-col", "test"})
            if (p.isSet(name)) r.fail(optName(name) + " applies to translation models, not a " + o.task + " model");
        o.task_data = p.values("data");
        r.seed("split-seed", o.source.split_seed);
    } else {
        readDataOptions(r, o.source, false);
        if (p.isSet("split") && !o.source.test.isEmpty() && r.ok()) r.fail("--split applies to --data (a --test file is one split)");
    }
    if (!r.ok()) return {ParseStatus::Error, r.error()};
    opts = o;
    return {};
}

namespace {

nlohmann::json scoreJson(const AblationScore& s, const std::string& metric)
{
    return {{"loss", s.loss}, {metric, s.metric}};
}

nlohmann::json headsJson(const std::vector<HeadId>& heads)
{
    nlohmann::json a = nlohmann::json::array();
    for (const HeadId& h : heads) a.push_back(to_string(h));
    return a;
}

std::string headList(const std::vector<HeadId>& heads)
{
    std::string s;
    for (const HeadId& h : heads) s += (s.empty() ? "" : ",") + to_string(h);
    return s;
}

} // namespace

int runAblate(const AblateOptions& o, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&]() -> int {
        configure_training_threads(o.threads);
        const char* split = o.split == 1 ? "valid" : "test";
        // The model and its scoring, for either family; the engine calls restore the mask.
        std::function<AblationScore(const HeadMask&)> score;
        std::function<HeadMeans()> means;
        std::function<HeadImportanceTable()> table_of;
        std::string metric;
        size_t examples = 0;
        std::shared_ptr<TranslationModel> translation;
        std::shared_ptr<TaskModel> task_model;
        if (o.task.isEmpty()) {
            translation = std::make_shared<TranslationModel>(load_model_dir(local8(o.model)));
            AlgorithmicTaskConfig task;
            std::vector<SentencePair> pairs;
            if (readTaskFile(o.model, task)) {
                const CorpusSplits s = generate_algorithmic_splits(task);
                pairs = o.split == 1 ? s.valid : s.test;
            } else {
                const CorpusSplits s = loadSplits(o.source, err);
                pairs = !o.source.test.isEmpty() ? s.test : o.split == 1 ? s.valid : s.test;
            }
            if (o.samples && pairs.size() > o.samples) pairs.resize(o.samples);
            if (pairs.empty()) throw Error(std::string("the ") + split + " set is empty");
            const std::vector<Batch> batches =
                make_batches(encode_pairs(*translation, pairs, translation->net.config().max_len - 1, false),
                             TrainConfig{}.max_tokens, 0);
            const DecodingOptions greedy;
            metric = "bleu";
            examples = pairs.size();
            score = [=](const HeadMask& m) { return score_with_mask(*translation, m, batches, pairs, greedy); };
            means = [=] { return head_output_means(translation->net, batches); };
            table_of = [=] { return head_importance(*translation, batches, pairs, greedy, o.mode); };
            out << modelSummary(*translation) << "\n";
        } else {
            task_model = std::make_shared<TaskModel>(load_task_model_dir(local8(o.model)));
            const std::string name = task_model->net.config().task;
            const QStringList data = o.task_data.isEmpty() ? defaultTaskData(name) : o.task_data;
            if (data.isEmpty()) throw Error("task " + name + " needs --data");
            std::vector<std::string> paths;
            for (const QString& d : data) paths.push_back(local8(d));
            const TaskCorpus corpus = load_task_corpus(name, paths, o.source.split_seed);
            printReads(err, corpus.reads);
            const std::vector<TaskBatch> batches =
                task_eval_batches(*task_model, encode_task_corpus(*task_model, corpus), name == "charlm" ? 1 : o.split,
                                  o.samples, default_task_train_config(name).max_tokens, kDefaultMaskProb);
            if (batches.empty()) throw Error(std::string("the ") + split + " set is empty");
            for (const TaskBatch& b : batches) examples += size_t(b.B);
            metric = "accuracy";
            score = [=](const HeadMask& m) { return score_with_mask(task_model->net, m, batches); };
            means = [=] { return head_output_means(task_model->net, batches); };
            table_of = [=] { return head_importance(task_model->net, batches, o.mode); };
        }
        nlohmann::json doc = {{"model", local8(o.model)}, {"split", split}, {"examples", examples},
                              {"mode", to_string(o.mode)}, {"metric", metric}};

        if (!o.heads.empty()) {
            HeadMask mask;
            mask.mode = o.mode;
            mask.heads = o.heads;
            if (o.mode == AblationMode::Mean) mask.means = means();
            const AblationScore intact = score(HeadMask());
            const AblationScore ablated = score(mask);
            out << fmt("ablate: %s examples %zu mode %s\n", split, examples, to_string(o.mode).c_str())
                << fmt("intact:  %s_loss %.4f %s_%s %.4f\n", split, intact.loss, split, metric.c_str(), intact.metric)
                << fmt("ablated: %s_loss %.4f %s_%s %.4f heads %s\n", split, ablated.loss, split, metric.c_str(),
                       ablated.metric, headList(o.heads).c_str())
                << fmt("change:  delta_loss %+.4f delta_%s %+.4f\n", ablated.loss - intact.loss, metric.c_str(),
                       intact.metric - ablated.metric);
            doc["heads"] = headsJson(o.heads);
            doc["intact"] = scoreJson(intact, metric);
            doc["ablated"] = scoreJson(ablated, metric);
            if (!o.csv.isEmpty())
                atomic_write_file(local8(o.csv), fmt("model,heads,loss,%s\nintact,,%.6f,%.6f\nablated,%s,%.6f,%.6f\n",
                                                     metric.c_str(), intact.loss, intact.metric,
                                                     headList(o.heads).c_str(), ablated.loss, ablated.metric));
        } else {
            const HeadImportanceTable table = table_of();
            out << fmt("ablate: %s examples %zu mode %s; intact %s_loss %.4f %s_%s %.4f; ranked by %s importance\n",
                       split, examples, to_string(o.mode).c_str(), split, table.intact.loss, split, metric.c_str(),
                       table.intact.metric, o.rank_by == ImportanceRanking::Gradient ? "gradient" : "loss")
                << importanceText(table, o.rank_by);
            doc["intact"] = scoreJson(table.intact, metric);
            nlohmann::json rows = nlohmann::json::array();
            for (const HeadScore& s : table.heads)
                rows.push_back({{"kind", to_string(s.head.kind)}, {"layer", s.head.layer}, {"head", s.head.head},
                                {"loss", s.loss}, {"delta_loss", s.delta_loss}, {metric, s.metric},
                                {"delta_" + metric, s.delta_metric}, {"gradient_importance", s.gradient},
                                {"gradient_importance_raw", s.gradient_raw}});
            doc["heads"] = rows;
            const std::vector<HeadId> ranked = rank_heads(table, o.rank_by); // least important first
            nlohmann::json pruning = nlohmann::json::array();
            auto prune = [&](const char* which, std::vector<HeadId> heads) {
                HeadMask mask;
                mask.mode = o.mode;
                mask.heads = heads;
                mask.means = table.means;
                const AblationScore s = score(mask);
                out << fmt("prune %s %zu: %s_loss %.4f delta_loss %+.4f %s_%s %.4f delta_%s %+.4f heads %s\n", which,
                           heads.size(), split, s.loss, s.loss - table.intact.loss, split, metric.c_str(), s.metric,
                           metric.c_str(), table.intact.metric - s.metric, headList(heads).c_str());
                pruning.push_back({{"which", which}, {"k", heads.size()}, {"heads", headsJson(heads)}, {"loss", s.loss},
                                   {"delta_loss", s.loss - table.intact.loss}, {metric, s.metric},
                                   {"delta_" + metric, table.intact.metric - s.metric}});
            };
            if (o.prune_least) prune("least", {ranked.begin(), ranked.begin() + o.prune_least});
            if (o.prune_most) prune("most", {ranked.end() - o.prune_most, ranked.end()});
            if (o.prune_least || o.prune_most) {
                doc["pruning"] = pruning;
                doc["rank_by"] = o.rank_by == ImportanceRanking::Gradient ? "gradient" : "loss";
            }
            if (!o.csv.isEmpty()) atomic_write_file(local8(o.csv), importanceCsv(table));
        }
        if (!o.json.isEmpty()) atomic_write_file(local8(o.json), doc.dump(2) + "\n");
        out.flush();
        return ExitOk;
    });
}

namespace {
std::vector<ExternalSubcommand>& externalSubcommands()
{
    static std::vector<ExternalSubcommand> subs;
    return subs;
}
} // namespace

void registerSubcommand(const ExternalSubcommand& sub)
{
    for (ExternalSubcommand& s : externalSubcommands()) {
        if (s.name == sub.name) {
            s = sub;
            return;
        }
    }
    externalSubcommands().push_back(sub);
}

int reportParseStatus(const QString& sub, const ParseStatus& st, std::ostream& out, std::ostream& err)
{
    if (st.kind == ParseStatus::Help) {
        out << local8(st.text);
        return ExitOk;
    }
    if (st.kind == ParseStatus::Version) {
        out << local8(st.text) << "\n";
        return ExitOk;
    }
    err << kProgram << " " << local8(sub) << ": " << local8(st.text) << "\n"
        << "Try '" << kProgram << " " << local8(sub) << " --help'.\n";
    return ExitUsage;
}

bool isCliInvocation(const QString& word)
{
    if (word.isEmpty()) return false;
    static const QStringList kFlags = {"-h", "--help", "-help", "--help-all", "-v", "--version", "-version"};
    if (word.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return false; // a session file for the GUI (attention-lab FILE.json)
    return !word.startsWith('-') || kFlags.contains(word);
}

int runCli(const QStringList& args, std::istream& in, std::ostream& out, std::ostream& err)
{
    QString topHelp =
        QString("Usage: %1 [subcommand] [options]\n\n"
                "Attention Lab: train, explore and explain a small Transformer on a CPU.\n"
                "Without a subcommand the graphical lab starts.\n\n"
                "Subcommands:\n"
                "  train      Train a translation model (TSV corpus) or, with --task, any other model kind.\n"
                "  translate  Translate sentences with a saved model (optionally writing attention as JSON).\n"
                "  eval       Score a saved model of any kind: loss, perplexity, accuracy; BLEU for translation.\n"
                "  ablate     Switch attention heads off: per-head importance table (loss, BLEU, gradient), pruning.\n"
                "  bench      Benchmark training speed, GEMM efficiency, Trace latency and memory against PyTorch.\n"
                "  race       Train attention variants (vanilla, Synthesizers) on the same data and budget; compare.\n"
                "  generate   Sample text from a character language model (train --task charlm).\n"
                "  predict    Tag, classify or fill [MASK] with a task model (train --task pos|sentiment|langid|mlm).\n"
                "  convert    Copy a model directory with its weights stored as float16, bfloat16 or float32.\n\n"
                "The graphical lab (no subcommand) opens the default demo model, or:\n"
                "  %1 [FILE.json] | --session FILE  Open a session file (docs/session-format.md).\n"
                "  --presenter     Start in presenter mode (F11: full screen, large type).\n"
                "  --no-demo       Start without opening the default demo model.\n"
                "  --startup-time  Print the milliseconds to the first attention map drawn, then quit.\n\n"
                "Options:\n"
                "  -h, --help     Show this help (`%1 <subcommand> --help` for the subcommand's options).\n"
                "  -v, --version  Show the program version.\n")
            .arg(kProgram);
    for (const ExternalSubcommand& e : externalSubcommands())
        topHelp.replace("\n\nOptions:\n", QString("\n  %1 %2\n\nOptions:\n").arg(e.name, -10).arg(e.summary));
    if (args.isEmpty()) {
        err << local8(topHelp);
        return ExitUsage;
    }
    const QString sub = args.first();
    const QStringList rest = args.mid(1);
    if (sub == "-h" || sub == "--help" || sub == "-help" || sub == "--help-all" || sub == "help") {
        if (sub == "help" && !rest.isEmpty() && rest.first() != "help")
            return runCli({rest.first(), "--help"}, in, out, err);
        out << local8(topHelp);
        return ExitOk;
    }
    if (sub == "-v" || sub == "--version" || sub == "-version") {
        out << local8(versionLine()) << "\n";
        return ExitOk;
    }

    // generate and predict are in app/task_cli.cpp; `train` and `eval` read every --task and
    // every model kind with one parser each.
    if (sub != "train" && isTaskInvocation(sub, rest))
        return runTaskCli(sub, rest, in, out, err);
    if (sub == "train")
        return parseAndRun(sub, rest, parseTrainArgs, [&](const TrainOptions& o) { return runTrain(o, out, err); }, out, err);
    if (sub == "translate")
        return parseAndRun(sub, rest, parseTranslateArgs,
                           [&](const TranslateOptions& o) { return runTranslate(o, in, out, err); }, out, err);
    if (sub == "eval")
        return parseAndRun(sub, rest, parseEvalArgs, [&](const EvalOptions& o) { return runEval(o, out, err); }, out, err);
    if (sub == "ablate")
        return parseAndRun(sub, rest, parseAblateArgs, [&](const AblateOptions& o) { return runAblate(o, out, err); },
                           out, err);
    if (sub == "bench")
        return parseAndRun(sub, rest, parseBenchArgs, [&](const BenchOptions& o) { return runBench(o, out, err); }, out, err);
    if (sub == "race")
        return parseAndRun(sub, rest, parseRaceArgs, [&](const RaceOptions& o) { return runRace(o, out, err); }, out, err);
    if (sub == "convert")
        return parseAndRun(sub, rest, parseConvertArgs, [&](const ConvertOptions& o) { return runConvert(o, out, err); },
                           out, err);
    for (const ExternalSubcommand& e : externalSubcommands())
        if (sub == e.name) return e.run(rest, out, err);
    QString expected = "train, translate, eval, ablate, bench, race, convert";
    for (const ExternalSubcommand& e : externalSubcommands()) expected += ", " + e.name;
    err << kProgram << ": unknown subcommand '" << local8(sub) << "' (expected " << local8(expected) << ")\n"
        << "Try '" << kProgram << " --help'.\n";
    return ExitUsage;
}

} // namespace al::cli
