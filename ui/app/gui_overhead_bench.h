// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GUI overhead of training: target tokens/s of the same training run (corpus, model,
// seed, threads) through TrainingController without a window against the same run started from
// a shown MainWindow whose attention heatmaps and plots update live. `attention-lab bench-gui`
// (app/bench_gui.h) is the command line; this is the measurement, which needs a QApplication.
#include "engine/models/config.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <functional>

namespace al::ui {

/// What is trained and how long it is measured. The run is configured through the window's own
/// settings (corpus, columns, d_model, heads, layers, d_ff, max tokens per batch, seed, threads);
/// every other setting keeps the window's default. The headless run sends exactly
/// the request such a window sends.
struct GuiOverheadOptions {
    QString corpusPath;        ///< tab-separated pairs; empty = the bundled corpus
    int srcColumn = 1;         ///< 0-based (the bundled cmn.txt: 1 = Chinese)
    int tgtColumn = 0;
    int dModel = 256, nhead = 4, encoderLayers = 3, decoderLayers = 3, dimFeedforward = 1024;
    int maxTokens = 3000;      ///< token budget per batch (TrainConfig::max_tokens)
    int seed = 1;
    int threads = 2;           ///< data-parallel training threads (TrainConfig::threads)
    double warmupSeconds = 2;  ///< training skipped before the measured range (steady state)
    double seconds = 5;        ///< length of the measured range of steps (in the first headless run)
    int rounds = 2;            ///< each round measures headless and window once; the order alternates
    QString tab = QStringLiteral("attention"); ///< view tab shown in the window: "attention" or "plots"
};

/// The window's default model and batch settings ("window") or the benchmark's tiny shape ("tiny":
/// d_model 64, 4 heads, 2+2 layers, d_ff 256, 512 tokens per batch). Throws al::Error otherwise.
GuiOverheadOptions guiOverheadPreset(const QString& name);

/// One measured run: the steps [firstStep, lastStep] trained from the same start in every run.
struct GuiOverheadRun {
    bool window = false;
    qint64 firstStep = 0, lastStep = 0;
    qint64 tokens = 0;                 ///< target tokens of the measured chunks
    double seconds = 0;                ///< worker wall clock over them (gaps between chunks included)
    double tokensPerSecond = 0;
    double guiThreadCpuPercent = 0;    ///< CPU time of the GUI thread / wall time, same interval (% of a core)
    /// CPU time of every thread but the training ones (GUI, inference, Qt's pools) / wall time, in
    /// % of one core: what the window takes from the cores whatever else runs on the machine.
    /// -1 where /proc/self/task is unavailable.
    double otherThreadsCpuPercent = 0;
    int snapshots = 0;                 ///< weight snapshots the GUI thread received
    // Window runs only: what the user sees change, counted over the measured interval.
    int traces = 0;                    ///< translations (each with a Trace) delivered to the window
    int heatmapRefreshes = 0;          ///< replots of the focused attention heatmap
    int heatmapPaints = 0;             ///< paint events of the focused heatmap (what reaches the screen)
    int plotRefreshes = 0;             ///< replots of the window's loss plot
    int trainingPlotsRefreshes = 0;    ///< replots of the "Training plots" tab's loss plot
};

/// Both figures and every run.
struct GuiOverheadResult {
    GuiOverheadOptions options;
    QString platform;                  ///< Qt platform plugin (xcb, wayland, offscreen, ...)
    QString corpusPath;                ///< the corpus actually read
    double headlessTokensPerSecond = 0; ///< median over the headless runs
    double windowTokensPerSecond = 0;  ///< median over the window runs
    double overheadPercent = 0;        ///< 100 * (1 - window / headless)
    /// Median over rounds of each round's own 100 * (1 - window / headless): the two runs of a
    /// round are minutes apart at most, so slow changes of the machine's load cancel.
    double pairedOverheadPercent = 0;
    /// Medians of GuiOverheadRun::otherThreadsCpuPercent (-1 when unavailable).
    double headlessOtherCpuPercent = 0, windowOtherCpuPercent = 0;
    QVector<GuiOverheadRun> runs;      ///< in the order they ran
    /// Sums over the window runs.
    int traces = 0, heatmapRefreshes = 0, heatmapPaints = 0, plotRefreshes = 0, trainingPlotsRefreshes = 0;
    double windowSeconds = 0;          ///< measured seconds of all window runs
};

/// Runs the benchmark: round r measures headless then window (r even) or window then headless
/// (r odd). The first headless run trains warmupSeconds, then `seconds` more, and fixes that step
/// range; every later run trains from step 0 with the same seed and measures the same steps.
/// `progress` receives one line per run. Needs a QApplication (any platform, offscreen included).
/// Throws al::Error when the corpus cannot be read, a setting is out of the window's range, the
/// training fails, or a run does not reach its last step within a generous timeout.
GuiOverheadResult runGuiOverheadBench(const GuiOverheadOptions& options,
                                      const std::function<void(const QString&)>& progress = {});

/// The result as one JSON object (see docs/benchmark.md for the keys).
QJsonObject guiOverheadJson(const GuiOverheadResult& result);

/// The result as a few lines of text for a terminal.
QString guiOverheadReport(const GuiOverheadResult& result);

} // namespace al::ui
