// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/task_cli.h"
#include "app/text_format.h"
#include "app/options.h"
#include "app/training_loop.h"
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/train/task_trainer.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <Eigen/Core>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <istream>
#include <limits>
#include <memory>
#include <ostream>

namespace al::cli {

namespace {

const char* const kProg = "attention-lab";
const QStringList kTasks = {"charlm", "pos", "sentiment", "langid", "mlm"};

std::string s8(const QString& s) { return s.toStdString(); }

ParseStatus parse(QCommandLineParser& p, const QString& sub, const QStringList& args, const QString& usage,
                  const QString& intro)
{
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.addOption(QCommandLineOption({"h", "help"}, "Show this help and exit."));
    p.setApplicationDescription(intro);
    QStringList argv = args;
    argv.prepend(QString(kProg) + " " + sub);
    if (!p.parse(argv))
        return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) {
        const QString text = p.helpText();
        const int nl = text.indexOf('\n');
        return {ParseStatus::Help, "Usage: " + usage + (nl >= 0 ? text.mid(nl) : QString())};
    }
    return {};
}

void opt(QCommandLineParser& p, const QString& name, const QString& value, const QString& desc)
{
    p.addOption(QCommandLineOption(name, desc, value));
}

QString firstExisting(const QStringList& candidates)
{
    for (const QString& c : candidates)
        if (QFileInfo::exists(c))
            return c;
    return {};
}

// <prefix>/share/attention-lab/data/<rel>, <exe dir>/resources/data/<rel>, then the source tree.
QString resourceFile(const QString& rel)
{
    QStringList c;
    if (QCoreApplication::instance()) {
        const QString exe = QCoreApplication::applicationDirPath();
        c << exe + "/../share/attention-lab/data/" + rel << exe + "/resources/data/" + rel;
    }
#ifdef AL_SOURCE_RESOURCE_DIR
    c << QString(AL_SOURCE_RESOURCE_DIR) + "/data/" + rel;
#endif
    return firstExisting(c);
}

std::vector<std::string> paths8(const QStringList& l)
{
    std::vector<std::string> v;
    for (const auto& s : l)
        v.push_back(s8(s));
    return v;
}

std::string summary(const TaskModel& m)
{
    const ModelConfig& c = m.net.config();
    std::string s = fmt("model: %s (%s), d_model %d nhead %d layers %d d_ff %d dropout %g %s max_len %d, %.2fM parameters; "
                        "%s tokens, vocabulary %d",
                        c.task.c_str(), c.model_kind().c_str(), c.d_model, c.nhead, c.num_layers(), c.dim_feedforward, c.dropout,
                        c.norm_first ? "Pre-LN" : "Post-LN", c.max_len, double(m.net.params().numel()) / 1e6,
                        c.tokens.c_str(), m.vocab.size());
    if (!c.labels.empty())
        s += fmt(", %zu labels", c.labels.size());
    if (c.task == "sentiment" || c.task == "langid")
        s += ", pooling " + c.pooling;
    // Block switches that differ from the paper's defaults.
    const ModelConfig d;
    struct Switch {
        const char* name;
        std::string ModelConfig::*key;
    };
    static const Switch kSwitches[] = {{"activation", &ModelConfig::activation},
                                       {"positional encoding", &ModelConfig::positional_encoding},
                                       {"norm", &ModelConfig::norm},
                                       {"attention", &ModelConfig::attention},
                                       {"scoring", &ModelConfig::attention_scoring},
                                       {"normalization", &ModelConfig::attention_normalization}};
    for (const Switch& w : kSwitches)
        if (c.*w.key != d.*w.key)
            s += std::string(", ") + w.name + " " + c.*w.key;
    if (c.attention_window > 0)
        s += fmt(", window %d", c.attention_window);
    if (c.attention_dropout)
        s += fmt(", attention dropout %g", *c.attention_dropout);
    return s;
}

std::string evalLine(const std::string& task, const char* split, const EvalStats& e)
{
    if (task == "charlm")
        return fmt("%s loss %.4f nats/char (%.4f bits/char, perplexity %.2f), next-char accuracy %.2f%% over %lld characters",
                   split, e.loss, e.bits, std::exp(e.loss), 100 * e.accuracy, static_cast<long long>(e.targets));
    const char* what = task == "pos" ? "token accuracy" : task == "mlm" ? "masked-token accuracy" : "accuracy";
    const char* unit = task == "pos" ? "tokens" : task == "mlm" ? "masked tokens" : "texts";
    return fmt("%s %s %.2f%% over %lld %s, loss %.4f nats", split, what, 100 * e.accuracy, static_cast<long long>(e.targets),
               unit, e.loss);
}

} // namespace

QStringList defaultTaskData(const std::string& task)
{
    QStringList l;
    for (const std::string& rel : bundled_task_data_files(task)) {
        const QString p = resourceFile(QString::fromStdString(rel));
        if (!p.isEmpty())
            l << p;
    }
    return l;
}

bool isTaskInvocation(const QString& sub, const QStringList& args)
{
    if (sub == "generate" || sub == "predict")
        return true;
    auto value = [&](const QString& name) -> QString {
        for (int i = 0; i < args.size(); ++i) {
            if ((args[i] == "--" + name || args[i] == "-" + name) && i + 1 < args.size())
                return args[i + 1];
            if (args[i].startsWith("--" + name + "="))
                return args[i].mid(name.size() + 3);
        }
        return {};
    };
    if (sub == "train")
        return kTasks.contains(value("task"));
    return false;
}

// Parses `args` with the options declared on `p`, reads --model (required) into `model` and the
// other values with `read`.
ParseStatus parseModelCommand(QCommandLineParser& p, const QString& sub, const QStringList& args, const QString& usage,
                              const QString& intro, QString& model, const std::function<void(OptionReader&)>& read)
{
    const ParseStatus st = parse(p, sub, args, usage, intro);
    if (st.kind != ParseStatus::Ok)
        return st;
    OptionReader r(p);
    model = p.value("model");
    read(r);
    if (model.isEmpty())
        r.fail("--model: required");
    if (!r.ok())
        return {ParseStatus::Error, r.error()};
    return {};
}

ParseStatus parseGenerateArgs(const QStringList& args, GenerateOptions& o)
{
    QCommandLineParser p;
    opt(p, "model", "dir", "Character LM directory (train --task charlm).");
    opt(p, "prompt", "text", "Text to continue (default: a newline). \\n in it is a newline.");
    opt(p, "length", "n", "Characters to generate (default 300).");
    opt(p, "temperature", "t", "Sampling temperature; 0 = greedy (default 0.8).");
    opt(p, "seed", "n", "Sampling seed (default 1).");
    return parseModelCommand(p, "generate", args, QString(kProg) + " generate --model DIR --prompt TEXT [--length N]",
                             "Sample text from a character language model.", o.model, [&](OptionReader& r) {
                                 if (p.isSet("prompt"))
                                     o.prompt = p.value("prompt").replace("\\n", "\n");
                                 r.integer("length", 0, 1 << 24, o.length);
                                 r.number("temperature", 0, 100, false, o.temperature);
                                 r.seed("seed", o.seed);
                             });
}

ParseStatus parsePredictArgs(const QStringList& args, PredictOptions& o)
{
    QCommandLineParser p;
    opt(p, "model", "dir", "Task model directory (pos, sentiment, langid or mlm).");
    opt(p, "top-k", "k", "mlm: candidates shown per [MASK] (default 5).");
    p.addPositionalArgument("text", "Texts (default: one per line from stdin). mlm: write [MASK]; ' ||| ' separates sentence B.");
    return parseModelCommand(p, "predict", args, QString(kProg) + " predict --model DIR [TEXT...]",
                             "Tag, classify, or fill [MASK] with a task model.", o.model, [&](OptionReader& r) {
                                 o.texts = p.positionalArguments();
                                 r.integer("top-k", 1, 1 << 20, o.top_k);
                             });
}

int runTaskTrain(const TrainOptions& o, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&] {
        Eigen::setNbThreads(1);
        omp_set_num_threads(o.train.threads);
        const std::string task = s8(o.task);
        const auto t0 = std::chrono::steady_clock::now();
        const TaskCorpus corpus = load_task_corpus(task, paths8(o.task_data), o.train.seed);
        printReads(err, corpus.reads);
        out << "data: " << s8(o.task_data.join(", ")) << ": " << corpus.describe() << "\n";
        TaskModel model = o.resume.isEmpty() ? new_task_model(corpus, o.model, o.min_count, o.train.seed)
                                             : load_task_model_dir(s8(o.resume));
        if (model.net.config().task != task)
            throw Error(s8(o.resume) + ": a " + model.net.config().task + " model, not " + task);
        out << summary(model) << "\n";
        TaskData data = encode_task_corpus(model, corpus);
        TaskTrainer trainer(std::move(model), std::move(data), o.train, o.mask_prob);
        if (!o.resume.isEmpty())
            trainer.load_optimizer(s8(QDir(o.resume).filePath("optimizer.safetensors")));
        out << fmt("training: %d threads, batch budget %d tokens, Noam lr factor %g warm-up %d, %s\n", o.train.threads,
                   o.train.max_tokens, o.train.lr_factor, o.train.warmup_steps,
                   o.steps ? fmt("%lld steps", static_cast<long long>(o.steps)).c_str() : fmt("%g minutes", o.minutes).c_str());
        out.flush();
        TimelineRecording timeline(
            makeRunTimeline(o, trainer.model().net.config(),
                            [&](const std::vector<std::string>& texts, int fromValid) {
                                return task_timeline_probes(corpus, texts, fromValid);
                            },
                            err),
            [&](const TimelineProbe& p) { return timeline_frame(trainer.model(), p); });
        auto save = [&](const char* why) {
            trainer.save(s8(o.out), [&](const std::string& staging) { timeline.write(staging); });
            out << "saved " << s8(o.out) << " (" << why << ", step " << trainer.step() << ")\n";
            out.flush();
        };
        InterruptScope interruptScope;
        LoopHooks hooks;
        hooks.progress = [&](const ProgressWindow& w) {
            out << fmt("step %lld  epoch %.2f  loss %.4f  lr %.2e  |g| %.2f  %.0f targets/s  %s\n",
                       static_cast<long long>(w.last.step), w.last.epoch, w.nll_sum / double(w.steps), w.last.lr,
                       w.last.grad_norm, double(w.tokens) / std::max(w.step_seconds, 1e-9), hms(w.elapsed).c_str());
            out.flush();
        };
        hooks.validated = [&](const EvalStats& v, double elapsed) {
            out << fmt("[%s] step %lld ", hms(elapsed).c_str(), static_cast<long long>(trainer.step()))
                << evalLine(task, "valid", v) << "\n";
            out.flush();
        };
        // Keep-best: higher accuracy is better; for the LM, lower loss.
        hooks.score = [&](const EvalStats& e) { return task == "charlm" ? -e.loss : e.accuracy; };
        hooks.save = [&] { save("periodic"); };
        if (!o.out.isEmpty())
            hooks.save_kept = [&] {
                save("the weights before the numeric fault");
                return s8(o.out);
            };
        const LoopSchedule schedule = loopSchedule(o);
        hooks.stepped = [&](int64_t step, double loss) { timeline.record(step, loss); };
        const LoopResult loop = runTrainingLoop(schedule, trainer, hooks, out);
        out << fmt("trained %lld steps in %s (%lld targets)\n", static_cast<long long>(loop.steps),
                   hms(loop.seconds).c_str(), static_cast<long long>(loop.tokens));
        out << timeline.summary() << fmt(" (%.2f steps/s)\n", loop.seconds > 0 ? double(loop.steps) / loop.seconds : 0.0);
        restoreBestPass(schedule, trainer, hooks, out);
        out << evalLine(task, "valid", trainer.evaluate(1)) << "\n";
        if (task != "charlm")
            out << evalLine(task, "test", trainer.evaluate(2)) << "\n";
        if (task == "charlm") {
            const std::string prompt = "ROMEO:";
            out << "sample (temperature 0.8) after \"" << prompt << "\":\n"
                << prompt << generate_text(trainer.model(), prompt, 200, 0.8, o.train.seed) << "\n";
        }
        if (!o.out.isEmpty())
            save("final");
        out << fmt("total time %s\n", hms(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()).c_str());
        return int(ExitOk);
    });
}

int evalTaskModel(const EvalOptions& o, std::ostream& out, std::ostream& err)
{
    const TaskModel model = load_task_model_dir(s8(o.model));
    const std::string task = model.net.config().task;
    const QStringList data = o.task_data.isEmpty() ? defaultTaskData(task) : o.task_data;
    if (data.isEmpty())
        throw Error("task " + task + " needs --data");
    const TaskCorpus corpus = load_task_corpus(task, paths8(data), o.source.split_seed);
    printReads(err, corpus.reads);
    out << summary(model) << "\n";
    const int split = task == "charlm" ? 1 : o.split;
    const EvalStats ev = evaluate(model.net, task_eval_batches(model, encode_task_corpus(model, corpus), split, o.max_sentences,
                                                               default_task_train_config(task).max_tokens, kDefaultMaskProb));
    out << evalLine(task, split == 1 ? "valid" : "test", ev) << "\n";
    return int(ExitOk);
}

int runGenerate(const GenerateOptions& o, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&] {
        const TaskModel model = load_task_model_dir(s8(o.model));
        const std::string prompt = s8(o.prompt);
        out << prompt << generate_text(model, prompt, o.length, o.temperature, o.seed) << "\n";
        return int(ExitOk);
    });
}

int runPredict(const PredictOptions& o, std::istream& in, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&] {
        const TaskModel model = load_task_model_dir(s8(o.model));
        const std::string task = model.net.config().task;
        if (task == "charlm")
            throw Error("predict: a charlm model generates text; use '" + std::string(kProg) + " generate'");
        std::vector<std::string> texts = paths8(o.texts);
        if (texts.empty())
            for (std::string line; std::getline(in, line);)
                if (!line.empty())
                    texts.push_back(line);
        for (const std::string& t : texts) {
            if (task == "pos") {
                std::string line;
                for (const auto& [w, tag] : tag_text(model, t))
                    line += (line.empty() ? "" : " ") + w + "/" + tag;
                out << line << "\n";
            } else if (task == "mlm") {
                const auto rows = masked_token_probabilities(model, t, o.top_k);
                for (size_t m = 0; m < rows.size(); ++m) {
                    out << "[MASK] " << (m + 1) << ":";
                    for (const auto& p : rows[m])
                        out << fmt(" %s %.3f", p.token.c_str(), p.prob);
                    out << "\n";
                }
            } else {
                const auto probs = classify_text(model, t);
                size_t best = 0;
                for (size_t k = 0; k < probs.size(); ++k)
                    if (probs[k].prob > probs[best].prob)
                        best = k;
                out << probs[best].token << "\t";
                for (size_t k = 0; k < probs.size(); ++k)
                    out << fmt("%s%s %.3f", k ? " " : "", probs[k].token.c_str(), probs[k].prob);
                out << "\t" << t << "\n";
            }
        }
        return int(ExitOk);
    });
}

int runTaskCli(const QString& sub, const QStringList& args, std::istream& in, std::ostream& out, std::ostream& err)
{
    if (sub == "generate")
        return parseAndRun(sub, args, parseGenerateArgs, [&](const GenerateOptions& o) { return runGenerate(o, out, err); },
                           out, err);
    return parseAndRun(sub, args, parsePredictArgs, [&](const PredictOptions& o) { return runPredict(o, in, out, err); },
                       out, err);
}

} // namespace al::cli
