// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `attention-lab bench`: training throughput, matrix-product efficiency, Trace latency and
// peak memory of the engine on the benchmark configurations tiny, small and base, next to torch.nn.Transformer
// (bench/pytorch_bench.py) on the same shapes. As the other subcommands, parsing (argument
// list -> BenchOptions) is apart from running.
#include "app/cli.h"
#include "engine/models/config.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace al::cli {

/// One benchmark configuration: an encoder-decoder of `model`'s shape trained on batches of
/// exactly `batch` sequences whose source and target are both `length` tokens long (no
/// padding), vocabulary `vocab` (specials included) on both sides.
struct BenchConfig {
    QString name;             ///< "tiny", "small" or "base"
    ModelConfig model;
    int vocab = 8000;         ///< V_src = V_tgt
    int length = 32;          ///< S = T, with EOS / BOS
    int batch = 32;           ///< B
    int default_steps = 10;   ///< timed steps when --steps is not given
};

/// The benchmark configurations (tiny, small, base), in that order.
std::vector<BenchConfig> benchConfigs();

/// Options of `attention-lab bench`.
struct BenchOptions {
    QStringList configs = {"tiny", "small", "base"};
    std::vector<int> threads = {1, 2};
    int steps = 0;            ///< timed steps; 0 = the configuration's default
    int warmup = 2;           ///< untimed steps before timing
    bool json = false;        ///< one JSON object per line instead of a table
    bool peer = true;         ///< run the PyTorch peer
    QString python = "/usr/bin/python3";
    QString peer_script;      ///< bench/pytorch_bench.py; empty = looked up (see peerScriptPath)
    bool in_process = false;  ///< measure in this process instead of one child process each
    int micro_batch_tokens = -1; ///< TrainConfig::micro_batch_tokens for the engine; -1 = the engine's default
    bool child = false;       ///< hidden: measure one configuration and print its JSON (used by the parent)
};

/// Figures of one configuration at one thread count. Optional fields are absent when not
/// measured (no peer, peer failed).
struct BenchResult {
    QString config;
    int threads = 1;
    int steps = 0;                    ///< timed steps
    double train_tokens_per_s = 0;    ///< target tokens / second, forward + backward + Adam
    double gflop_per_step = 0;        ///< matrix-product GFLOP of one training step (gemmFlopsPerStep)
    double gflops = 0;                ///< gflop_per_step * steps / timed seconds
    double peak_gflops = 0;           ///< measured single-precision GEMM peak at `threads`
    double trace_ms = 0;              ///< median latency of one translate() with a Trace, 20-token source
    int trace_tokens = 0;             ///< tokens that translate() generated (20: EOS is suppressed)
    int flow_tokens = 0;              ///< n of the (n x n) encoder self-attention maps below (21: the source and <eos>)
    double rollout_ms = 0;            ///< median attention_rollout of that Trace's encoder, every layer
    double flow_ms = 0;               ///< median attention_flow of its last encoder layer (n^2 maximum flows)
    double peak_rss_mb = 0;           ///< ru_maxrss of the process that measured (MiB)
    bool rss_is_own_process = true;   ///< false: in-process run, RSS is the peak so far of the whole process
    std::optional<double> peer_train_tokens_per_s;
    std::optional<double> peer_peak_rss_mb;  ///< ru_maxrss of the PyTorch process (MiB)
    /// OpenBLAS threads the peer's matrix products ran on (its "blas_threads"); a peer whose count
    /// differs from `threads` is refused (peer_error), since it would not be a same-thread peer.
    std::optional<int> peer_blas_threads;
    QString peer_error;               ///< why the peer figure is missing (empty with --no-peer)
};

/// FLOPs of the matrix products of one training step (forward + backward) of `cfg`. See the
/// formula in bench.cpp.
double gemmFlopsPerStep(const BenchConfig& cfg);

/// Measured single-precision GEMM peak in GFLOP/s with `threads` (1 or more) cores: each
/// thread runs its own large single-threaded Eigen product (the engine's data-parallel use of
/// the cores); best of several repetitions.
double measurePeakGflops(int threads);

/// Trains `cfg` for warmup + steps steps with `threads` data-parallel workers in this process,
/// then times Traces. Fills everything but peak_gflops and the peer. Progress goes to `progress`.
BenchResult measureEngine(const BenchConfig& cfg, int threads, int steps, int warmup, std::ostream& progress,
                          int micro_batch_tokens = -1);

/// One JSON object (one line, no newline) with these keys: config, threads,
/// train_tokens_per_s, gflops, peak_gflops, gemm_fraction, trace_ms, peak_rss_mb,
/// peer_train_tokens_per_s and ratio (null when there is no peer figure), plus details.
std::string benchJson(const BenchResult& r);

/// bench/pytorch_bench.py next to the installed executable
/// (<prefix>/share/attention-lab/bench/) or in the source tree. Empty when none exists.
QString peerScriptPath();

/// Parses the words after `bench`. Usage errors name the option.
ParseStatus parseBenchArgs(const QStringList& args, BenchOptions& opts);

/// Runs the benchmark: results (table or JSON lines) to `out`, progress to `err`.
/// Returns ExitOk, or ExitFailure when an engine measurement failed.
int runBench(const BenchOptions& opts, std::ostream& out, std::ostream& err);

} // namespace al::cli
