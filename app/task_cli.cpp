// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/task_cli.h"
#include "app/text_format.h"
#include "engine/error.h"
#include "engine/task_data.h"
#include "engine/task_trainer.h"

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

/// Reads option values, keeping the first usage error (the option is named in it).
class Opts {
public:
    explicit Opts(const QCommandLineParser& p) : m_p(p) {}
    QString error;
    bool isSet(const QString& n) const { return m_p.isSet(n); }
    QString str(const QString& n) const { return m_p.value(n); }
    void fail(const QString& m)
    {
        if (error.isEmpty())
            error = m;
    }
    template <class I>
    void integer(const QString& n, long long lo, long long hi, I& dst)
    {
        if (!m_p.isSet(n))
            return;
        bool ok = false;
        const long long v = m_p.value(n).trimmed().toLongLong(&ok);
        if (!ok || v < lo || v > hi)
            fail("--" + n + ": expected an integer " + (hi == std::numeric_limits<long long>::max() ? QString(">= %1").arg(lo)
                                                                                                  : QString("from %1 to %2").arg(lo).arg(hi))
                 + ", got '" + m_p.value(n) + "'");
        else
            dst = I(v);
    }
    void number(const QString& n, double lo, double hi, bool hi_open, double& dst)
    {
        if (!m_p.isSet(n))
            return;
        bool ok = false;
        const double v = m_p.value(n).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < lo || v > hi || (hi_open && v >= hi))
            fail("--" + n + ": expected a number in [" + QString::number(lo) + ", " + QString::number(hi) + (hi_open ? ")" : "]")
                 + ", got '" + m_p.value(n) + "'");
        else
            dst = v;
    }

private:
    const QCommandLineParser& m_p;
};

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
    const TaskModelConfig& c = m.net.config();
    const ModelConfig& a = c.arch;
    std::string s = fmt("model: %s (%s), d_model %d nhead %d layers %d d_ff %d dropout %g %s max_len %d, %.2fM parameters; "
                        "%s tokens, vocabulary %d",
                        c.task.c_str(), c.model_kind().c_str(), a.d_model, a.nhead, c.num_layers(), a.dim_feedforward, a.dropout,
                        a.norm_first ? "Pre-LN" : "Post-LN", a.max_len, double(m.net.params().numel()) / 1e6,
                        c.tokens.c_str(), m.vocab.size());
    if (!c.labels.empty())
        s += fmt(", %zu labels", c.labels.size());
    if (c.task == "sentiment" || c.task == "langid")
        s += ", pooling " + c.pooling;
    // Block switches that differ from the paper's defaults.
    const ModelConfig d;
    if (a.activation != d.activation)
        s += ", activation " + a.activation;
    if (a.positional_encoding != d.positional_encoding)
        s += ", positional encoding " + a.positional_encoding;
    if (a.norm != d.norm)
        s += ", norm " + a.norm;
    if (a.attention != d.attention)
        s += ", attention " + a.attention;
    if (a.attention_scoring != d.attention_scoring)
        s += ", scoring " + a.attention_scoring;
    if (a.attention_normalization != d.attention_normalization)
        s += ", normalization " + a.attention_normalization;
    if (a.attention_window > 0)
        s += fmt(", window %d", a.attention_window);
    if (a.attention_dropout)
        s += fmt(", attention dropout %g", *a.attention_dropout);
    return s;
}

std::string evalLine(const std::string& task, const char* split, const TaskEvalStats& e)
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
    if (sub == "eval") {
        const QString m = value("model");
        return !m.isEmpty() && !task_of_model_dir(s8(m)).empty();
    }
    return false;
}

ParseStatus parseTaskTrainArgs(const QStringList& args, TaskTrainOptions& o)
{
    QCommandLineParser p;
    opt(p, "task", "name", "charlm | pos | sentiment | langid | mlm.");
    opt(p, "data", "path", "Data (may repeat for langid). charlm: a text file (default: bundled Tiny Shakespeare); "
                           "pos: a UD directory with *-ud-{train,dev,test}.conllu; sentiment: the rt-polarity directory "
                           "(required, not bundled); langid: Tatoeba TSV files (default: bundled cmn.txt and fra-sample.txt); "
                           "mlm: a TSV whose column 0 is English (default: bundled cmn.txt).");
    opt(p, "out", "dir", "Model directory written at the end.");
    opt(p, "resume", "dir", "Continue training a saved task model (with its optimizer state).");
    opt(p, "minutes", "m", "Wall-clock budget in minutes (default 2 when --steps is not given).");
    opt(p, "steps", "n", "Optimizer steps.");
    opt(p, "threads", "n", "Worker threads (data parallelism; default 2).");
    opt(p, "seed", "n", "Seed of initialisation, data split, batches, masks and dropout (default 1).");
    opt(p, "d-model", "n", "d_model.");
    opt(p, "nhead", "n", "Attention heads.");
    opt(p, "layers", "n", "Transformer blocks.");
    opt(p, "dim-feedforward", "n", "Feed-forward size d_ff.");
    opt(p, "dropout", "p", "Dropout rate.");
    opt(p, "max-len", "n", "Longest sequence in tokens (charlm: the context window).");
    opt(p, "norm-first", "bool", "true: Pre-LN, false: Post-LN.");
    p.addOption(QCommandLineOption("pre-ln", "Pre-LN blocks (the same as --norm-first true)."));
    p.addOption(QCommandLineOption("post-ln", "Post-LN blocks, as in the paper (the same as --norm-first false)."));
    // The block switches of the translation model (same option names as `train --task translate`).
    opt(p, "activation", "relu|gelu", "Feed-forward non-linearity: relu or gelu (exact, erf) (default: relu).");
    opt(p, "positional-encoding", "kind", "Positional encoding: sinusoidal, learned (trainable table pos_emb.weight) or "
                                          "none (default: sinusoidal).");
    opt(p, "norm", "kind", "Normalisation of the blocks and the final norm: layernorm or batchnorm (default: layernorm).");
    opt(p, "scoring", "kind", "Query-key score: scaled_dot (Q K^T / sqrt(d_k)), dot (unscaled) or additive (Bahdanau) "
                              "(default: scaled_dot).");
    opt(p, "normalization", "kind", "Attention weights from scores: softmax or relu (default: softmax).");
    opt(p, "window", "n", "Restricted self-attention: query i sees keys j with |i - j| <= n; 0 = unrestricted (default 0).");
    opt(p, "attention-dropout", "p", "Dropout on attention weights alone (default: the same as --dropout).");
    opt(p, "attention", "kind", "Self-attention alignment: vanilla or a Synthesizer (dense, random, fixed_random, "
                                "factorized_dense, factorized_random, random+vanilla, dense+vanilla, random+dense) "
                                "(default: vanilla).");
    opt(p, "synthesizer-k", "n", "Rank k of the factorized random synthesizer (default 8).");
    opt(p, "pooling", "mean|cls", "Classifier pooling: mean over non-padding positions or the [CLS] position.");
    opt(p, "suffix-len", "n", "pos: add a suffix token (word ending and case) of n characters to each word; 0 = off (default 3).");
    opt(p, "max-tokens", "n", "Token budget of a batch (B * T).");
    opt(p, "lr-factor", "x", "Noam learning-rate factor.");
    opt(p, "warmup", "n", "Warm-up steps.");
    opt(p, "label-smoothing", "x", "Label smoothing (default 0).");
    opt(p, "min-count", "n", "Words seen fewer times become <unk> (default 2; charlm keeps every character).");
    opt(p, "mask-prob", "p", "mlm: probability that a token is selected (default 0.15).");
    opt(p, "valid-every", "m", "Minutes between validation passes (default 1; charlm 2).");
    opt(p, "keep-best", "bool", "End with the weights of the best validation pass (default true).");
    opt(p, "valid-max", "n", "Validation examples per intermediate pass (0 = all).");
    opt(p, "log-seconds", "s", "Seconds between progress lines (default 10).");
    const ParseStatus st = parse(p, "train", args, QString(kProg) + " train --task charlm|pos|sentiment|langid|mlm [options]",
                                 "Train a character LM, POS tagger, text classifier or masked LM.");
    if (st.kind != ParseStatus::Ok)
        return st;
    o.task = s8(p.value("task").trimmed());
    if (!kTasks.contains(QString::fromStdString(o.task)))
        return {ParseStatus::Error, "--task: expected charlm, pos, sentiment, langid or mlm, got '" + p.value("task") + "'"};
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};
    o.model = default_task_config(o.task);
    o.train = default_task_train_config(o.task);
    Opts r(p);
    o.data = p.values("data");
    o.out = p.value("out");
    o.resume = p.value("resume");
    r.number("minutes", 0, 1e6, false, o.minutes);
    r.integer("steps", 0, std::numeric_limits<long long>::max(), o.steps);
    r.integer("threads", 1, 256, o.train.threads);
    r.integer("seed", 0, std::numeric_limits<long long>::max(), o.train.seed);
    ModelConfig& a = o.model.arch;
    r.integer("d-model", 1, 4096, a.d_model);
    r.integer("nhead", 1, 256, a.nhead);
    int layers = o.model.num_layers();
    r.integer("layers", 1, 64, layers);
    (o.task == "charlm" ? a.num_decoder_layers : a.num_encoder_layers) = layers;
    r.integer("dim-feedforward", 1, 65536, a.dim_feedforward);
    r.number("dropout", 0, 1, true, a.dropout);
    r.integer("max-len", 2, 4096, a.max_len);
    if (p.isSet("norm-first")) {
        const QString v = p.value("norm-first").trimmed().toLower();
        if (v == "true" || v == "1")
            a.norm_first = true;
        else if (v == "false" || v == "0")
            a.norm_first = false;
        else
            r.fail("--norm-first: expected true or false, got '" + p.value("norm-first") + "'");
    }
    if (p.isSet("pre-ln") && p.isSet("post-ln"))
        r.fail("--pre-ln and --post-ln exclude each other");
    if (p.isSet("pre-ln"))
        a.norm_first = true;
    if (p.isSet("post-ln"))
        a.norm_first = false;
    // Block switches: the engine's parsers give the message (it names the config key).
    auto choice = [&](const char* name, std::string& out, void (*check)(const std::string&)) {
        if (!p.isSet(name))
            return;
        out = s8(p.value(name).trimmed());
        try {
            check(out);
        } catch (const al::Error& e) {
            r.fail(QString("--") + name + ": " + QString::fromStdString(e.what()));
        }
    };
    choice("activation", a.activation, [](const std::string& v) { parse_activation(v); });
    choice("positional-encoding", a.positional_encoding, [](const std::string& v) { parse_positional_encoding(v); });
    choice("norm", a.norm, [](const std::string& v) { parse_norm_kind(v); });
    choice("scoring", a.attention_scoring, [](const std::string& v) { parse_attention_scoring(v); });
    choice("normalization", a.attention_normalization, [](const std::string& v) { parse_attention_normalization(v); });
    choice("attention", a.attention, [](const std::string& v) { SynthesizerConfig{v, 1, 1}.validate(); });
    r.integer("synthesizer-k", 1, 4096, a.synthesizer_k);
    r.integer("window", 0, 100000, a.attention_window);
    if (p.isSet("attention-dropout")) {
        double ad = 0;
        r.number("attention-dropout", 0, 1, true, ad);
        a.attention_dropout = ad;
    }
    if (p.isSet("pooling")) {
        o.model.pooling = s8(p.value("pooling").trimmed());
        if (o.model.pooling != "mean" && o.model.pooling != "cls")
            r.fail("--pooling: expected mean or cls, got '" + p.value("pooling") + "'");
    }
    r.integer("suffix-len", 0, 64, o.model.suffix_len);
    if (o.model.suffix_len > 0 && o.task != "pos")
        r.fail("--suffix-len: only for --task pos");
    r.integer("max-tokens", 1, 1 << 24, o.train.max_tokens);
    r.number("lr-factor", 0, 1e3, false, o.train.lr_factor);
    r.integer("warmup", 1, 1 << 24, o.train.warmup_steps);
    r.number("label-smoothing", 0, 1, true, o.train.label_smoothing);
    r.integer("min-count", 1, 1 << 24, o.min_count);
    r.number("mask-prob", 0, 1, false, o.mask_prob);
    o.valid_every = o.task == "charlm" ? 2 : 1;
    r.number("valid-every", 0, 1e6, false, o.valid_every);
    if (p.isSet("keep-best")) {
        const QString v = p.value("keep-best").trimmed().toLower();
        if (v == "true" || v == "1")
            o.keep_best = true;
        else if (v == "false" || v == "0")
            o.keep_best = false;
        else
            r.fail("--keep-best: expected true or false, got '" + p.value("keep-best") + "'");
    }
    r.integer("valid-max", 0, std::numeric_limits<long long>::max(), o.valid_max);
    r.number("log-seconds", 0, 1e6, false, o.log_seconds);
    if (!r.error.isEmpty())
        return {ParseStatus::Error, r.error};
    if (a.d_model % a.nhead != 0)
        return {ParseStatus::Error, QString("--d-model (%1) must be divisible by --nhead (%2)").arg(a.d_model).arg(a.nhead)};
    {
        // The architecture as the model will check it (vocabulary and labels come from the data).
        TaskModelConfig check = o.model;
        check.vocab_size = TokenTable::kNumSpecials + 1;
        if (check.task == "pos" || check.task == "sentiment" || check.task == "langid")
            check.labels = {"a", "b"};
        try {
            check.validate();
        } catch (const al::Error& e) {
            return {ParseStatus::Error, QString::fromStdString(e.what())};
        }
    }
    if (o.minutes == 0 && o.steps == 0)
        o.minutes = 2;
    if (o.data.isEmpty())
        o.data = defaultTaskData(o.task);
    if (o.data.isEmpty())
        return {ParseStatus::Error, QString("--data: task %1 needs a data path (%2)")
                                        .arg(QString::fromStdString(o.task),
                                             o.task == "pos" || o.task == "sentiment"
                                                 ? QString::fromStdString(task_data_hint(o.task))
                                                 : QString("the bundled data was not found"))};
    return {};
}

ParseStatus parseTaskEvalArgs(const QStringList& args, TaskEvalOptions& o)
{
    QCommandLineParser p;
    opt(p, "model", "dir", "Task model directory.");
    opt(p, "data", "path", "Data as for train (default: the task's bundled data).");
    opt(p, "split", "valid|test", "Held-out split to score (default test; charlm has one held-out part).");
    opt(p, "seed", "n", "The training seed (it decides the split of sentiment, langid and mlm data; default 1).");
    opt(p, "threads", "n", "Threads.");
    const ParseStatus st = parse(p, "eval", args, QString(kProg) + " eval --model DIR [--data PATH]",
                                 "Score a task model on held-out data.");
    if (st.kind != ParseStatus::Ok)
        return st;
    Opts r(p);
    o.model = p.value("model");
    o.data = p.values("data");
    if (p.isSet("split")) {
        const QString v = p.value("split").trimmed();
        if (v == "valid" || v == "dev")
            o.split = 1;
        else if (v == "test")
            o.split = 2;
        else
            r.fail("--split: expected valid or test, got '" + v + "'");
    }
    r.integer("seed", 0, std::numeric_limits<long long>::max(), o.seed);
    r.integer("threads", 1, 256, o.threads);
    if (o.model.isEmpty())
        r.fail("--model: required");
    if (!r.error.isEmpty())
        return {ParseStatus::Error, r.error};
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
    const ParseStatus st = parse(p, "generate", args, QString(kProg) + " generate --model DIR --prompt TEXT [--length N]",
                                 "Sample text from a character language model.");
    if (st.kind != ParseStatus::Ok)
        return st;
    Opts r(p);
    o.model = p.value("model");
    if (p.isSet("prompt"))
        o.prompt = p.value("prompt").replace("\\n", "\n");
    r.integer("length", 0, 1 << 24, o.length);
    r.number("temperature", 0, 100, false, o.temperature);
    r.integer("seed", 0, std::numeric_limits<long long>::max(), o.seed);
    if (o.model.isEmpty())
        r.fail("--model: required");
    if (!r.error.isEmpty())
        return {ParseStatus::Error, r.error};
    return {};
}

ParseStatus parsePredictArgs(const QStringList& args, PredictOptions& o)
{
    QCommandLineParser p;
    opt(p, "model", "dir", "Task model directory (pos, sentiment, langid or mlm).");
    opt(p, "top-k", "k", "mlm: candidates shown per [MASK] (default 5).");
    p.addPositionalArgument("text", "Texts (default: one per line from stdin). mlm: write [MASK]; ' ||| ' separates sentence B.");
    const ParseStatus st = parse(p, "predict", args, QString(kProg) + " predict --model DIR [TEXT...]",
                                 "Tag, classify, or fill [MASK] with a task model.");
    if (st.kind != ParseStatus::Ok)
        return st;
    Opts r(p);
    o.model = p.value("model");
    o.texts = p.positionalArguments();
    r.integer("top-k", 1, 1 << 20, o.top_k);
    if (o.model.isEmpty())
        r.fail("--model: required");
    if (!r.error.isEmpty())
        return {ParseStatus::Error, r.error};
    return {};
}

int runTaskTrain(const TaskTrainOptions& o, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&] {
        Eigen::setNbThreads(1);
        omp_set_num_threads(o.train.threads);
        const auto t0 = std::chrono::steady_clock::now();
        const TaskCorpus corpus = load_task_corpus(o.task, paths8(o.data), o.train.seed);
        for (size_t i = 0; i < corpus.skipped.size() && i < 10; ++i)
            err << "skipped " << corpus.skipped[i].to_string() << "\n";
        if (corpus.skipped.size() > 10)
            err << "skipped " << corpus.skipped.size() << " lines in all\n";
        out << "data: " << s8(o.data.join(", ")) << ": " << corpus.describe() << "\n";
        TaskModel model = o.resume.isEmpty() ? new_task_model(corpus, o.model, o.min_count, o.train.seed)
                                             : load_task_model_dir(s8(o.resume));
        if (model.net.config().task != o.task)
            throw Error(s8(o.resume) + ": a " + model.net.config().task + " model, not " + o.task);
        out << summary(model) << "\n";
        TaskData data = encode_task_corpus(model, corpus);
        TaskTrainer trainer(std::move(model), std::move(data), o.train, o.mask_prob);
        if (!o.resume.isEmpty())
            trainer.load_optimizer(s8(QDir(o.resume).filePath("optimizer.safetensors")));
        out << fmt("training: %d threads, batch budget %d tokens, Noam lr factor %g warm-up %d, %s\n", o.train.threads,
                   o.train.max_tokens, o.train.lr_factor, o.train.warmup_steps,
                   o.steps ? fmt("%lld steps", static_cast<long long>(o.steps)).c_str() : fmt("%g minutes", o.minutes).c_str());
        out.flush();
        const auto start = std::chrono::steady_clock::now();
        auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
        double last_log = 0, last_valid = 0, loss_sum = 0;
        int64_t tokens = 0, n = 0, tokens_since = 0;
        double time_since = 0;
        const int64_t first = trainer.step();
        // Keep-best: higher accuracy is better; for the LM, lower loss.
        auto score = [&](const TaskEvalStats& e) { return o.task == "charlm" ? -e.loss : e.accuracy; };
        std::shared_ptr<const TaskModel> best;
        double best_score = -std::numeric_limits<double>::infinity();
        int64_t best_step = 0;
        while (true) {
            if (o.steps && trainer.step() - first >= o.steps)
                break;
            if (o.minutes > 0 && elapsed() >= o.minutes * 60)
                break;
            const StepStats s = trainer.train_step();
            loss_sum += s.nll;
            ++n;
            tokens += s.tgt_tokens;
            tokens_since += s.tgt_tokens;
            time_since += s.seconds;
            if (elapsed() - last_log >= o.log_seconds) {
                out << fmt("step %lld  epoch %.2f  loss %.4f  lr %.2e  |g| %.2f  %.0f targets/s  %s\n",
                           static_cast<long long>(s.step), s.epoch, loss_sum / double(n), s.lr, s.grad_norm,
                           double(tokens_since) / std::max(time_since, 1e-9), hms(elapsed()).c_str());
                out.flush();
                last_log = elapsed();
                loss_sum = 0;
                n = 0;
                tokens_since = 0;
                time_since = 0;
            }
            if (o.valid_every > 0 && elapsed() - last_valid >= o.valid_every * 60) {
                const TaskEvalStats v = trainer.evaluate(1, o.valid_max);
                out << fmt("[%s] step %lld ", hms(elapsed()).c_str(), static_cast<long long>(trainer.step()))
                    << evalLine(o.task, "valid", v) << "\n";
                out.flush();
                if (o.keep_best && score(v) > best_score) {
                    best_score = score(v);
                    best = trainer.snapshot();
                    best_step = trainer.step();
                }
                last_valid = elapsed();
            }
        }
        const double train_seconds = elapsed();
        out << fmt("trained %lld steps in %s (%lld targets)\n", static_cast<long long>(trainer.step() - first),
                   hms(train_seconds).c_str(), static_cast<long long>(tokens));
        TaskEvalStats final_valid = trainer.evaluate(1, best ? o.valid_max : 0);
        if (best && score(final_valid) < best_score) {
            trainer.restore_weights(*best);
            out << fmt("keep-best: back to the weights of step %lld (best validation pass)\n", static_cast<long long>(best_step));
        }
        out << evalLine(o.task, "valid", trainer.evaluate(1)) << "\n";
        if (o.task != "charlm")
            out << evalLine(o.task, "test", trainer.evaluate(2)) << "\n";
        if (o.task == "charlm") {
            const std::string prompt = "ROMEO:";
            out << "sample (temperature 0.8) after \"" << prompt << "\":\n"
                << prompt << generate_text(trainer.model(), prompt, 200, 0.8, o.train.seed) << "\n";
        }
        if (!o.out.isEmpty()) {
            trainer.save(s8(o.out));
            out << "saved " << s8(o.out) << "\n";
        }
        out << fmt("total time %s\n", hms(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()).c_str());
        return int(ExitOk);
    });
}

int runTaskEval(const TaskEvalOptions& o, std::ostream& out, std::ostream& err)
{
    return guarded(err, [&] {
        Eigen::setNbThreads(1);
        if (o.threads > 0)
            omp_set_num_threads(o.threads);
        TaskModel model = load_task_model_dir(s8(o.model));
        const std::string task = model.net.config().task;
        QStringList data = o.data.isEmpty() ? defaultTaskData(task) : o.data;
        if (data.isEmpty())
            throw Error("task " + task + " needs --data");
        const TaskCorpus corpus = load_task_corpus(task, paths8(data), o.seed);
        out << summary(model) << "\n";
        TrainConfig tc = default_task_train_config(task);
        tc.seed = o.seed;
        tc.threads = std::max(1, o.threads);
        TaskData encoded = encode_task_corpus(model, corpus);
        const TaskTrainer trainer(std::move(model), std::move(encoded), tc);
        const int split = task == "charlm" ? 1 : o.split;
        out << evalLine(task, split == 1 ? "valid" : "test", trainer.evaluate(split)) << "\n";
        return int(ExitOk);
    });
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
    auto report = [&](const ParseStatus& st) -> int {
        if (st.kind == ParseStatus::Help) {
            out << s8(st.text);
            return ExitOk;
        }
        err << kProg << " " << s8(sub) << ": " << s8(st.text) << "\n"
            << "Try '" << kProg << " " << s8(sub) << " --help'.\n";
        return ExitUsage;
    };
    if (sub == "train") {
        TaskTrainOptions o;
        const ParseStatus st = parseTaskTrainArgs(args, o);
        return st.kind == ParseStatus::Ok ? runTaskTrain(o, out, err) : report(st);
    }
    if (sub == "eval") {
        TaskEvalOptions o;
        const ParseStatus st = parseTaskEvalArgs(args, o);
        return st.kind == ParseStatus::Ok ? runTaskEval(o, out, err) : report(st);
    }
    if (sub == "generate") {
        GenerateOptions o;
        const ParseStatus st = parseGenerateArgs(args, o);
        return st.kind == ParseStatus::Ok ? runGenerate(o, out, err) : report(st);
    }
    PredictOptions o;
    const ParseStatus st = parsePredictArgs(args, o);
    return st.kind == ParseStatus::Ok ? runPredict(o, in, out, err) : report(st);
}

} // namespace al::cli
