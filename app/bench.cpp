// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/text_format.h"
#include "app/bench.h"

#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "engine/core/tensor.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"
#include "engine/trace/attention_flow.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ostream>

namespace al::cli {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v)
{
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

double peakRssMb()
{
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_maxrss) / 1024.0; // Linux: KiB
}

std::string word(int i) { return "w" + std::to_string(i); }

/// Synthetic sentence pairs of exactly length - 1 words per side (so that S = T = length with
/// EOS / BOS), over cfg.vocab - 4 distinct words that all occur (min_count 1 then gives a
/// vocabulary of exactly cfg.vocab). The number of pairs is a multiple of the batch size.
CorpusSplits syntheticCorpus(const BenchConfig& cfg)
{
    const int words = cfg.vocab - 4;
    const int per = cfg.length - 1;
    const int cover = (words + per - 1) / per; // pairs needed for every word to occur on each side
    const int batches = std::max(4, (cover + cfg.batch - 1) / cfg.batch);
    Rng rng(12345);
    CorpusSplits s;
    int k = 0;
    for (int p = 0; p < batches * cfg.batch; ++p) {
        std::string src, tgt;
        for (int j = 0; j < per; ++j, ++k) {
            const bool covering = k < words;
            src += (j ? " " : "") + word(covering ? k : int(rng.below(uint64_t(words))));
            tgt += (j ? " " : "") + word(covering ? words - 1 - k : int(rng.below(uint64_t(words))));
        }
        s.train.push_back({src, tgt});
    }
    return s;
}

QString arg(int v) { return QString::number(v); }

// JSON numbers must be finite; a missing or broken figure is null.
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

double getNum(const nlohmann::json& j, const char* key)
{
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

BenchResult resultFromJson(const nlohmann::json& j)
{
    BenchResult r;
    r.config = QString::fromStdString(j.value("config", std::string()));
    r.threads = j.value("threads", 1);
    r.steps = j.value("steps", 0);
    r.train_tokens_per_s = getNum(j, "train_tokens_per_s");
    r.gflop_per_step = getNum(j, "gflop_per_step");
    r.gflops = getNum(j, "gflops");
    r.trace_ms = getNum(j, "trace_ms");
    r.trace_tokens = j.value("trace_tokens", 0);
    r.rollout_ms = getNum(j, "rollout_ms");
    r.flow_ms = getNum(j, "flow_ms");
    r.flow_tokens = j.value("flow_tokens", 0);
    r.peak_rss_mb = getNum(j, "peak_rss_mb");
    r.rss_is_own_process = j.value("rss_scope", std::string()) == "child process";
    return r;
}

/// The last non-empty line of a process's output.
QByteArray lastLine(const QByteArray& text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return lines.isEmpty() ? QByteArray() : lines.last().trimmed();
}

/// Measures one configuration in a child process (`<this program> bench --child ...`) so that
/// its peak RSS is its own. Throws al::Error when the child fails.
BenchResult measureInChild(const BenchConfig& cfg, int threads, int steps, int warmup, int micro_batch_tokens)
{
    QProcess proc;
    proc.setProcessChannelMode(QProcess::ForwardedErrorChannel); // progress lines stay visible
    proc.start(QCoreApplication::applicationFilePath(),
               {"bench", "--child", "--config", cfg.name, "--threads", arg(threads), "--steps", arg(steps),
                "--warmup", arg(warmup), "--micro-batch-tokens", arg(micro_batch_tokens)});
    if (!proc.waitForStarted(-1))
        throw Error("cannot start the benchmark child process: " + proc.errorString().toStdString());
    proc.waitForFinished(-1);
    const QByteArray line = lastLine(proc.readAllStandardOutput());
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0)
        throw Error(QString("benchmark child for %1 failed (exit code %2)").arg(cfg.name).arg(proc.exitCode()).toStdString());
    try {
        return resultFromJson(nlohmann::json::parse(line.toStdString()));
    } catch (const nlohmann::json::exception&) {
        throw Error("benchmark child printed no JSON: '" + line.toStdString() + "'");
    }
}

/// Runs bench/pytorch_bench.py on the same shapes; fills peer_train_tokens_per_s or peer_error.
void runPeer(const BenchOptions& opts, const BenchConfig& cfg, int threads, int steps, int warmup, BenchResult& r)
{
    const QString script = opts.peer_script.isEmpty() ? peerScriptPath() : opts.peer_script;
    if (script.isEmpty()) {
        r.peer_error = "bench/pytorch_bench.py not found (use --peer-script)";
        return;
    }
    QProcess proc;
    proc.start(opts.python, {script, "--d-model", arg(cfg.model.d_model), "--nhead", arg(cfg.model.nhead),
                             "--layers", arg(cfg.model.num_encoder_layers), "--d-ff", arg(cfg.model.dim_feedforward),
                             "--vocab", arg(cfg.vocab), "--length", arg(cfg.length), "--batch", arg(cfg.batch),
                             "--threads", arg(threads), "--steps", arg(steps), "--warmup", arg(warmup)});
    if (!proc.waitForStarted(-1)) {
        r.peer_error = "cannot start " + opts.python + ": " + proc.errorString();
        return;
    }
    proc.waitForFinished(-1);
    const QByteArray line = lastLine(proc.readAllStandardOutput());
    if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0) {
        r.peer_error = QString("PyTorch peer failed (exit code %1): %2")
                           .arg(proc.exitCode())
                           .arg(QString::fromUtf8(lastLine(proc.readAllStandardError())));
        return;
    }
    try {
        const nlohmann::json j = nlohmann::json::parse(line.toStdString());
        const double tps = getNum(j, "train_tokens_per_s"), rss = getNum(j, "peak_rss_mb");
        const double blas = getNum(j, "blas_threads");
        if (std::isfinite(rss) && rss > 0) r.peer_peak_rss_mb = rss;
        if (std::isfinite(blas)) r.peer_blas_threads = int(blas);
        if (r.peer_blas_threads && *r.peer_blas_threads != threads)
            r.peer_error = QString("PyTorch peer ran its matrix products on %1 OpenBLAS threads, not %2; "
                                   "its figure is not a same-thread comparison and is left out")
                               .arg(*r.peer_blas_threads)
                               .arg(threads);
        else if (std::isfinite(tps) && tps > 0) r.peer_train_tokens_per_s = tps;
        else r.peer_error = "PyTorch peer printed no train_tokens_per_s";
    } catch (const nlohmann::json::exception&) {
        r.peer_error = "PyTorch peer printed no JSON: '" + QString::fromUtf8(line) + "'";
    }
}


std::string tableHeader()
{
    return fmt("%-6s %7s %10s %8s %8s %6s %9s %8s %8s %8s %12s %6s\n", "config", "threads", "tokens/s", "GFLOP/s",
               "peak", "%peak", "trace ms", "roll ms", "flow ms", "RSS MB", "PyTorch t/s", "ratio");
}

std::string tableRow(const BenchResult& r)
{
    std::string peer = "-", ratio = "-";
    if (r.peer_train_tokens_per_s) {
        peer = fmt("%.0f", *r.peer_train_tokens_per_s);
        ratio = fmt("%.2f", r.train_tokens_per_s / *r.peer_train_tokens_per_s);
    }
    return fmt("%-6s %7d %10.0f %8.1f %8.1f %5.1f%% %9.2f %8.3f %8.1f %8.0f %12s %6s\n", r.config.toStdString().c_str(),
               r.threads, r.train_tokens_per_s, r.gflops, r.peak_gflops, 100.0 * r.gflops / r.peak_gflops, r.trace_ms,
               r.rollout_ms, r.flow_ms, r.peak_rss_mb, peer.c_str(), ratio.c_str());
}

} // namespace

std::vector<BenchConfig> benchConfigs()
{
    auto make = [](const char* name, int c, int h, int layers, int f, int vocab, int length, int batch, int steps) {
        BenchConfig b;
        b.name = name;
        b.model.d_model = c;
        b.model.nhead = h;
        b.model.num_encoder_layers = b.model.num_decoder_layers = layers;
        b.model.dim_feedforward = f;
        b.model.dropout = 0.1;
        b.vocab = vocab;
        b.length = length;
        b.batch = batch;
        b.default_steps = steps;
        return b;
    };
    return {make("tiny", 64, 4, 2, 256, 1000, 16, 32, 40), make("small", 256, 8, 3, 1024, 8000, 32, 64, 10),
            make("base", 512, 8, 6, 2048, 8000, 32, 32, 5)};
}

// FLOPs of the matrix products of one training step, counting a multiply-add as 2 FLOPs.
// B sequences, source length S, target length T, C = d_model, F = d_ff, V = target vocabulary,
// Ne / Nd encoder / decoder layers (the head split does not change the count: H heads of
// D = C/H give H * 2*S*S*D = 2*S*S*C for QK^T).
//   encoder layer  = 2BS*C*3C (Q,K,V) + 2BS*C*C (output) + 2BS*S*C (QK^T) + 2BS*S*C (PV)
//                    + 2BS*C*F * 2 (two FFN linears)                = BS (8C^2 + 4SC + 4CF)
//   decoder layer  = self-attention as above with T               + BT (8C^2 + 4TC)
//                    + cross: 2BT*C*C (Q) + 2BS*C*2C (K,V of memory) + 2BT*C*C (output)
//                      + 2BT*S*C (QK^T) + 2BT*S*C (PV)            + 4BTC^2 + 4BSC^2 + 4BTSC
//                    + FFN                                         + 4BTCF
//   generator      = 2BT*C*V
//   step           = 3 * (Ne * encoder + Nd * decoder + generator)
// The factor 3 is forward + backward: every product Y = X W^T has two products of the same size
// in backward (dX = dY W, dW = dY^T X). Masked (causal, padding) entries are counted as computed,
// as in PyTorch; embedding lookups, softmax, norms and Adam are not matrix products.
double gemmFlopsPerStep(const BenchConfig& cfg)
{
    const double B = cfg.batch, S = cfg.length, T = cfg.length, C = cfg.model.d_model,
                 F = cfg.model.dim_feedforward, V = cfg.vocab;
    const double enc = B * S * (8 * C * C + 4 * S * C + 4 * C * F);
    const double dec = B * T * (8 * C * C + 4 * T * C) + (4 * B * T * C * C + 4 * B * S * C * C + 4 * B * T * S * C) +
                       4 * B * T * C * F;
    const double gen = 2 * B * T * C * V;
    return 3 * (cfg.model.num_encoder_layers * enc + cfg.model.num_decoder_layers * dec + gen);
}

double measurePeakGflops(int threads)
{
    // Large enough to run at full speed (n^3 work on n^2 data); each thread owns its operands.
    const int n = 1024, reps = 8;
    Eigen::setNbThreads(1);
    const size_t nt = size_t(threads);
    std::vector<Mat> a(nt), b(nt), c(nt);
    for (int t = 0; t < threads; ++t) {
        a[size_t(t)] = Mat::Random(n, n);
        b[size_t(t)] = Mat::Random(n, n);
        c[size_t(t)] = Mat::Zero(n, n);
    }
    double best = 0;
    for (int rep = 0; rep < reps; ++rep) {
        const auto t0 = Clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t)
            c[size_t(t)].noalias() = a[size_t(t)] * b[size_t(t)];
        const double s = secondsSince(t0);
        if (rep > 0) // the first repetition starts the threads and warms the caches
            best = std::max(best, double(threads) * 2.0 * double(n) * n * n / s / 1e9);
    }
    return best;
}

BenchResult measureEngine(const BenchConfig& cfg, int threads, int steps, int warmup, std::ostream& progress,
                          int micro_batch_tokens)
{
    Eigen::setNbThreads(1);
    omp_set_num_threads(threads);
    TrainConfig tc;
    tc.threads = threads;
    tc.seed = 1;
    tc.max_len = cfg.length;
    tc.max_tokens = cfg.batch * cfg.length; // B * max(S, T) <= max_tokens: exactly B sequences per batch
    if (micro_batch_tokens >= 0) tc.micro_batch_tokens = micro_batch_tokens;
    DataOptions data;
    data.src_tokens = data.tgt_tokens = TokenKind::Word;
    data.min_count = 1;
    Trainer trainer(syntheticCorpus(cfg), cfg.model, tc, data);
    const ModelConfig& mc = trainer.model().net.config();
    if (mc.src_vocab_size != cfg.vocab || mc.tgt_vocab_size != cfg.vocab)
        throw Error(fmt("benchmark vocabulary is %d/%d, expected %d", mc.src_vocab_size, mc.tgt_vocab_size, cfg.vocab));

    // Trace latency first, on a copy that is freed before training allocates its activations
    // (so it does not raise the peak): a 20-token source and greedy decoding of exactly 20
    // tokens, the EOS logit being suppressed so that an untrained model does not stop early
    // (the cost depends on shapes only), attention recorded.
    double trace_ms = 0, rollout_ms = 0, flow_ms = 0;
    int trace_tokens = 0, flow_tokens = 0;
    {
        TranslationModel model = trainer.model(); // one value-only copy (a snapshot() copied again would hold two)
        Param* bias = model.net.params().find("generator.bias");
        if (!bias) throw Error("benchmark model has no generator.bias");
        bias->value(0, model.tgt_vocab.eos()) = Scalar(-1e4);
        std::string sentence;
        for (int i = 0; i < 20; ++i) sentence += (i ? " " : "") + word(i * 37 % (cfg.vocab - 4));
        const int runs = 20;
        std::vector<double> ms;
        Trace warm;
        trace_tokens = int(translate(model, sentence, 20, &warm).out_tokens.size());
        for (int i = 0; i < runs; ++i) {
            Trace trace;
            const auto t = Clock::now();
            translate(model, sentence, 20, &trace);
            ms.push_back(secondsSince(t) * 1e3);
        }
        trace_ms = median(ms);
        // Attention rollout and flow (Abnar & Zuidema 2020) of that Trace's encoder self-attention,
        // as the Attention flow tab computes them.
        flow_tokens = warm.enc_self.empty() || warm.enc_self[0].empty() ? 0 : int(warm.enc_self[0][0].rows());
        ms.clear();
        for (int i = 0; i < runs; ++i) {
            const auto t = Clock::now();
            if (attention_rollout(warm.enc_self).empty()) throw Error("benchmark rollout is empty");
            ms.push_back(secondsSince(t) * 1e3);
        }
        rollout_ms = median(ms);
        ms.clear();
        for (int i = 0; i < 3; ++i) {
            const auto t = Clock::now();
            if (attention_flow(warm.enc_self, int(warm.enc_self.size()) - 1).rows() != flow_tokens)
                throw Error("benchmark flow has the wrong shape");
            ms.push_back(secondsSince(t) * 1e3);
        }
        flow_ms = median(ms);
    }

    const int64_t tokens_per_step = int64_t(cfg.batch) * cfg.length;
    auto step = [&] {
        const StepStats st = trainer.train_step();
        if (st.tgt_tokens != tokens_per_step)
            throw Error(fmt("benchmark batch has %lld target tokens, expected %lld", (long long)st.tgt_tokens,
                            (long long)tokens_per_step));
        if (!std::isfinite(st.loss)) throw Error("benchmark training diverged");
    };
    progress << fmt("bench: %s, %d thread(s): %d warm-up + %d timed training steps", cfg.name.toStdString().c_str(),
                    threads, warmup, steps)
             << std::endl;
    for (int i = 0; i < warmup; ++i) step();
    const auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i) step();
    const double seconds = secondsSince(t0);

    BenchResult r;
    r.config = cfg.name;
    r.threads = threads;
    r.steps = steps;
    r.train_tokens_per_s = double(tokens_per_step) * steps / seconds;
    r.gflop_per_step = gemmFlopsPerStep(cfg) / 1e9;
    r.gflops = r.gflop_per_step * steps / seconds;

    r.trace_ms = trace_ms;
    r.trace_tokens = trace_tokens;
    r.rollout_ms = rollout_ms;
    r.flow_ms = flow_ms;
    r.flow_tokens = flow_tokens;
    r.peak_rss_mb = peakRssMb();
    return r;
}

std::string benchJson(const BenchResult& r)
{
    nlohmann::json j;
    j["config"] = r.config.toStdString();
    j["threads"] = r.threads;
    j["steps"] = r.steps;
    j["train_tokens_per_s"] = num(r.train_tokens_per_s);
    j["gflop_per_step"] = num(r.gflop_per_step);
    j["gflops"] = num(r.gflops);
    j["peak_gflops"] = r.peak_gflops > 0 ? num(r.peak_gflops) : nlohmann::json(nullptr);
    j["gemm_fraction"] = r.peak_gflops > 0 ? num(r.gflops / r.peak_gflops) : nlohmann::json(nullptr);
    j["trace_ms"] = num(r.trace_ms);
    j["trace_tokens"] = r.trace_tokens;
    j["rollout_ms"] = num(r.rollout_ms);
    j["flow_ms"] = num(r.flow_ms);
    j["flow_tokens"] = r.flow_tokens;
    j["peak_rss_mb"] = num(r.peak_rss_mb);
    j["rss_scope"] = r.rss_is_own_process ? "child process" : "process so far";
    j["peer_train_tokens_per_s"] = r.peer_train_tokens_per_s ? num(*r.peer_train_tokens_per_s) : nlohmann::json(nullptr);
    j["ratio"] = r.peer_train_tokens_per_s ? num(r.train_tokens_per_s / *r.peer_train_tokens_per_s)
                                           : nlohmann::json(nullptr);
    j["peer_peak_rss_mb"] = r.peer_peak_rss_mb ? num(*r.peer_peak_rss_mb) : nlohmann::json(nullptr);
    j["peer_blas_threads"] = r.peer_blas_threads ? nlohmann::json(*r.peer_blas_threads) : nlohmann::json(nullptr);
    if (!r.peer_error.isEmpty()) j["peer_error"] = r.peer_error.toStdString();
    return j.dump();
}

QString peerScriptPath()
{
    const QString rel = "pytorch_bench.py";
    QStringList candidates;
    if (QCoreApplication::instance()) {
        const QString exeDir = QCoreApplication::applicationDirPath();
        candidates << exeDir + "/../share/attention-lab/bench/" + rel;
    }
#ifdef AL_SOURCE_BENCH_DIR
    candidates << QString(AL_SOURCE_BENCH_DIR "/") + rel;
#endif
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
}

ParseStatus parseBenchArgs(const QStringList& args, BenchOptions& opts)
{
    QCommandLineParser p;
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.setApplicationDescription(
        "Benchmark the engine on the configurations tiny (d_model 64, 4 heads, 2+2 layers, d_ff 256, vocabulary "
        "1000, length 16, batch 32), small (256, 8, 3+3, 1024, 8000, 32, 64) and base (512, 8, 6+6, 2048, 8000, "
        "32, 32): training tokens/s, matrix-product GFLOP/s against the measured GEMM peak, Trace latency for a "
        "20-token sentence, peak memory, and training tokens/s of torch.nn.Transformer on the same shapes.");
    p.addOption(QCommandLineOption({"h", "help"}, "Show this help and exit."));
    p.addOption(QCommandLineOption("version", "Show the program version and exit."));
    p.addOption(QCommandLineOption("config", "tiny, small, base or all; a comma-separated list is allowed (default: all).", "NAME"));
    p.addOption(QCommandLineOption("threads", "Data-parallel threads; a comma-separated list is allowed (default: 1,2).", "N"));
    p.addOption(QCommandLineOption("steps", "Timed training steps (default: tiny 40, small 10, base 5).", "N"));
    p.addOption(QCommandLineOption("warmup", "Untimed training steps before timing (default: 2).", "N"));
    p.addOption(QCommandLineOption("json", "One JSON object per line instead of a table."));
    p.addOption(QCommandLineOption("no-peer", "Skip the PyTorch peer."));
    p.addOption(QCommandLineOption("python", "Python interpreter of the peer (default: /usr/bin/python3).", "FILE"));
    p.addOption(QCommandLineOption("peer-script", "The peer script (default: bench/pytorch_bench.py, looked up).", "FILE"));
    p.addOption(QCommandLineOption("micro-batch-tokens", "Engine micro-batch size in padded tokens (gradient "
                                   "accumulation inside a step); 0 = whole batch (default: the engine's, as train).", "N"));
    p.addOption(QCommandLineOption("in-process", "Measure in this process rather than one child process per "
                                                 "configuration; peak RSS is then the peak so far."));
    QCommandLineOption child("child", "Measure one configuration and print its JSON (used by bench itself).");
    child.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOption(child);

    QStringList argv = args;
    argv.prepend("attention-lab bench");
    if (!p.parse(argv)) return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) {
        const QString text = p.helpText();
        const int nl = text.indexOf('\n');
        return {ParseStatus::Help, "Usage: attention-lab bench [options]" + (nl >= 0 ? text.mid(nl) : QString())};
    }
    if (p.isSet("version")) return {ParseStatus::Version, versionLine()};
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};

    BenchOptions o;
    if (p.isSet("config")) {
        o.configs.clear();
        for (const QString& raw : p.value("config").split(',')) {
            const QString c = raw.trimmed().toLower();
            if (c == "all") o.configs << "tiny" << "small" << "base";
            else if (c == "tiny" || c == "small" || c == "base") o.configs << c;
            else return {ParseStatus::Error, "--config: expected tiny, small, base or all, got '" + raw + "'"};
        }
        o.configs.removeDuplicates();
    }
    if (p.isSet("threads")) {
        o.threads.clear();
        for (const QString& raw : p.value("threads").split(',')) {
            bool ok = false;
            const int t = raw.trimmed().toInt(&ok);
            if (!ok || t < 1 || t > 1024)
                return {ParseStatus::Error, "--threads: expected integers from 1 to 1024, got '" + raw + "'"};
            o.threads.push_back(t);
        }
    }
    auto integer = [&](const char* name, int lo, int& dst) -> bool {
        if (!p.isSet(name)) return true;
        bool ok = false;
        const int v = p.value(name).trimmed().toInt(&ok);
        if (!ok || v < lo) return false;
        dst = v;
        return true;
    };
    if (!integer("steps", 1, o.steps)) return {ParseStatus::Error, "--steps: expected an integer >= 1, got '" + p.value("steps") + "'"};
    if (!integer("warmup", 0, o.warmup)) return {ParseStatus::Error, "--warmup: expected an integer >= 0, got '" + p.value("warmup") + "'"};
    if (p.isSet("micro-batch-tokens") && p.value("micro-batch-tokens").trimmed() != "-1" &&
        !integer("micro-batch-tokens", 0, o.micro_batch_tokens))
        return {ParseStatus::Error, "--micro-batch-tokens: expected an integer >= 0, got '" + p.value("micro-batch-tokens") + "'"};
    o.json = p.isSet("json");
    o.peer = !p.isSet("no-peer");
    if (p.isSet("python")) o.python = p.value("python");
    o.peer_script = p.value("peer-script");
    o.in_process = p.isSet("in-process");
    o.child = p.isSet("child");
    if (o.child && (o.configs.size() != 1 || o.threads.size() != 1))
        return {ParseStatus::Error, "--child needs exactly one --config and one --threads"};
    opts = o;
    return {};
}

int runBench(const BenchOptions& opts, std::ostream& out, std::ostream& err)
{
    try {
        std::vector<BenchConfig> chosen;
        for (const BenchConfig& c : benchConfigs())
            if (opts.configs.contains(c.name)) chosen.push_back(c);
        auto stepsOf = [&](const BenchConfig& c) { return opts.steps > 0 ? opts.steps : c.default_steps; };

        if (opts.child) {
            BenchResult r = measureEngine(chosen.front(), opts.threads.front(), stepsOf(chosen.front()), opts.warmup, err,
                                          opts.micro_batch_tokens);
            out << benchJson(r) << std::endl;
            return ExitOk;
        }

        // The machine's peak first, once per thread count, before any model is in memory.
        std::vector<double> peak(opts.threads.size());
        for (size_t i = 0; i < opts.threads.size(); ++i) {
            peak[i] = measurePeakGflops(opts.threads[i]);
            err << fmt("bench: GEMM peak with %d thread(s): %.1f GFLOP/s", opts.threads[i], peak[i]) << std::endl;
        }
        const bool children = !opts.in_process && QCoreApplication::instance();
        if (!opts.json) out << tableHeader() << std::flush;
        for (const BenchConfig& cfg : chosen) {
            for (size_t i = 0; i < opts.threads.size(); ++i) {
                const int threads = opts.threads[i];
                BenchResult r = children ? measureInChild(cfg, threads, stepsOf(cfg), opts.warmup, opts.micro_batch_tokens)
                                         : measureEngine(cfg, threads, stepsOf(cfg), opts.warmup, err,
                                                         opts.micro_batch_tokens);
                r.rss_is_own_process = children;
                r.peak_gflops = peak[i];
                if (opts.peer) {
                    err << fmt("bench: %s, %d thread(s): PyTorch peer", cfg.name.toStdString().c_str(), threads)
                        << std::endl;
                    runPeer(opts, cfg, threads, stepsOf(cfg), opts.warmup, r);
                    if (!r.peer_error.isEmpty()) err << "bench: " << r.peer_error.toStdString() << std::endl;
                }
                out << (opts.json ? benchJson(r) + "\n" : tableRow(r)) << std::flush;
            }
        }
        if (!opts.json) {
            out << "tokens/s: target tokens per second of training (forward + backward + Adam); GFLOP/s: matrix-product\n"
                   "FLOPs of a step / step time; peak: measured single-precision Eigen GEMM at that thread count;\n"
                   "trace ms: median translate() with attention Trace, 20-token source; roll ms, flow ms: median\n"
                   "attention rollout (every encoder layer) and attention flow (last encoder layer) of that Trace's\n"
                   "21 x 21 encoder self-attention (Abnar & Zuidema 2020); RSS: peak resident memory"
                << (children ? " of the child process" : " of this process so far") << ";\n"
                << "ratio: engine tokens/s / PyTorch tokens/s.\n";
        }
        return ExitOk;
    } catch (const Error& e) {
        err << "error: " << e.what() << "\n";
    } catch (const std::exception& e) {
        err << "error: " << e.what() << "\n";
    }
    return ExitFailure;
}

} // namespace al::cli
