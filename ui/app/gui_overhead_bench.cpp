// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/app/gui_overhead_bench.h"

#include "engine/core/error.h"
#include "ui/app/app_paths.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/training_plots_panel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QDir>
#include <QEvent>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QWindow>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <optional>

#include <unistd.h>

namespace al::ui {

namespace {

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

/// CPU seconds of every thread of this process except the training ones (the worker thread and
/// its OpenMP team are all named "training"): the window, the inference threads, Qt's pools.
/// -1 where /proc is not available.
double otherThreadsCpuSeconds()
{
    QDir tasks(QStringLiteral("/proc/self/task"));
    if (!tasks.exists())
        return -1;
    static const double ticks = double(sysconf(_SC_CLK_TCK));
    double total = 0;
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() == "training")
            continue;
        QFile stat(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        // Fields after the parenthesised name: state is field 3, utime 14 and stime 15.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 12)
            total += (f[11].toDouble() + f[12].toDouble()) / ticks;
    }
    return total;
}

double median(QVector<double> v)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    const qsizetype n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Counts the paint events of one widget.
class PaintCounter : public QObject {
public:
    explicit PaintCounter(QWidget* target) : QObject(target) { target->installEventFilter(this); }
    int count = 0;
    bool counting = false;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (counting && event->type() == QEvent::Paint)
            ++count;
        return QObject::eventFilter(watched, event);
    }
};

template <class T>
T* child(QObject& parent, const char* name)
{
    T* w = parent.findChild<T*>(QString::fromLatin1(name));
    if (!w)
        throw al::Error(std::string("bench-gui: the main window has no widget '") + name + "'");
    return w;
}

/// Sets a spin box of the window's settings; a value outside its range names the option.
void setSpin(MainWindow& window, const char* name, int value, const char* option)
{
    QSpinBox* spin = child<QSpinBox>(window, name);
    if (value < spin->minimum() || value > spin->maximum())
        throw al::Error(std::string("bench-gui: ") + option + " " + std::to_string(value) + " is outside the window's range "
                        + std::to_string(spin->minimum()) + ".." + std::to_string(spin->maximum()));
    spin->setValue(value);
}

/// Puts `o` into the window's settings, as a user would type them.
void applySettings(MainWindow& window, const GuiOverheadOptions& o)
{
    child<QLineEdit>(window, "corpusEdit")->setText(o.corpusPath);
    setSpin(window, "sourceColumnSpin", o.srcColumn + 1, "--src-col (0-based)");
    setSpin(window, "targetColumnSpin", o.tgtColumn + 1, "--tgt-col (0-based)");
    setSpin(window, "dModelSpin", o.dModel, "--d-model");
    setSpin(window, "headsSpin", o.nhead, "--nhead");
    setSpin(window, "encoderLayersSpin", o.encoderLayers, "--layers");
    setSpin(window, "decoderLayersSpin", o.decoderLayers, "--layers");
    setSpin(window, "feedForwardSpin", o.dimFeedforward, "--d-ff");
    setSpin(window, "maxTokensSpin", o.maxTokens, "--max-tokens");
    setSpin(window, "seedSpin", o.seed, "--seed");
    setSpin(window, "threadsSpin", o.threads, "--threads");
}

/// Where the measured range of steps lies; fixed by the first (headless) run.
struct StepRange {
    bool fixed = false;
    qint64 first = 0, last = 0;
};

/// Follows the metrics of one run and finds the measured range in it.
class RangeMeter {
public:
    RangeMeter(StepRange& range, const GuiOverheadOptions& o) : m_range(range), m_options(o) {}

    /// Returns true once the run has passed the end of the range.
    bool add(const TrainingMetrics& m)
    {
        if (m_done)
            return true;
        if (!m_started) {
            if (m_firstEndNs < 0)
                m_firstEndNs = m.endNs;
            const bool begin = m_range.fixed ? m.step >= m_range.first
                                             : double(m.endNs - m_firstEndNs) >= m_options.warmupSeconds * 1e9;
            if (begin) {
                m_started = true;
                m_startNs = m.endNs;
                m_firstStep = m.step;
                onStart();
            }
            return false;
        }
        m_tokens += m.tokens;
        const bool end = m_range.fixed ? m.step >= m_range.last
                                       : double(m.endNs - m_startNs) >= m_options.seconds * 1e9;
        if (end) {
            m_done = true;
            m_endNs = m.endNs;
            m_lastStep = m.step;
            if (!m_range.fixed) {
                m_range.fixed = true;
                m_range.first = m_firstStep;
                m_range.last = m_lastStep;
            }
            onEnd();
        }
        return m_done;
    }

    bool counting() const { return m_started && !m_done; }

    void fill(GuiOverheadRun& run) const
    {
        run.firstStep = m_firstStep;
        run.lastStep = m_lastStep;
        run.tokens = m_tokens;
        run.seconds = double(m_endNs - m_startNs) * 1e-9;
        run.tokensPerSecond = run.seconds > 0 ? double(m_tokens) / run.seconds : 0.0;
        run.guiThreadCpuPercent = m_guiWall > 0 ? 100.0 * m_guiCpu / m_guiWall : 0.0;
        run.otherThreadsCpuPercent = m_guiWall > 0 && m_otherCpu >= 0 ? 100.0 * m_otherCpu / m_guiWall : -1.0;
    }

private:
    void onStart()
    {
        m_cpu0 = threadCpuSeconds();
        m_other0 = otherThreadsCpuSeconds();
        m_wall.start();
    }
    void onEnd()
    {
        m_guiCpu = threadCpuSeconds() - m_cpu0;
        const double other = otherThreadsCpuSeconds();
        m_otherCpu = m_other0 >= 0 && other >= 0 ? other - m_other0 : -1.0;
        m_guiWall = double(m_wall.nsecsElapsed()) * 1e-9;
    }

    StepRange& m_range;
    const GuiOverheadOptions& m_options;
    qint64 m_firstEndNs = -1, m_startNs = 0, m_endNs = 0;
    qint64 m_firstStep = 0, m_lastStep = 0, m_tokens = 0;
    bool m_started = false, m_done = false;
    double m_cpu0 = 0, m_guiCpu = 0, m_guiWall = 0, m_other0 = 0, m_otherCpu = -1;
    QElapsedTimer m_wall;
};

int timeoutMs(const GuiOverheadOptions& o)
{
    // Generous: the window run may be slower, the machine loaded, the corpus large.
    return int(std::min(3600.0, std::max(120.0, 20.0 * (o.warmupSeconds + o.seconds))) * 1000.0);
}

/// Runs the event loop until `meter` is done, the run fails or the timeout hits.
void waitForRange(TrainingController& controller, RangeMeter& meter, const GuiOverheadOptions& o,
                  const std::function<void(bool)>& setCounting, GuiOverheadRun& run)
{
    QEventLoop loop;
    QString failure;
    bool finished = false;
    QObject guard; // disconnects the lambdas below when this function returns
    QObject::connect(&controller, &TrainingController::metrics, &guard, [&](const TrainingMetrics& m) {
        const bool wasCounting = meter.counting();
        const bool done = meter.add(m);
        if (meter.counting() != wasCounting || done)
            setCounting(meter.counting());
        if (done)
            loop.quit();
    });
    QObject::connect(&controller, &TrainingController::snapshotReady, &guard, [&](const ModelSnapshot&, qint64) {
        if (meter.counting())
            ++run.snapshots;
    });
    QObject::connect(&controller, &TrainingController::error, &guard, [&](const QString& message) {
        failure = message;
        loop.quit();
    });
    QObject::connect(&controller, &TrainingController::finished, &guard, [&](qint64) {
        finished = true;
        loop.quit();
    });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs(o));
    loop.exec();
    setCounting(false);
    if (!failure.isEmpty())
        throw al::Error("bench-gui: training failed: " + failure.toStdString());
    GuiOverheadRun probe;
    meter.fill(probe);
    if (finished && probe.seconds <= 0)
        throw al::Error("bench-gui: the training run ended before the measured range");
    if (probe.seconds <= 0)
        throw al::Error("bench-gui: no measurement within " + std::to_string(timeoutMs(o) / 1000) + " s");
}

GuiOverheadRun measureHeadless(const TrainingRequest& request, StepRange& range, const GuiOverheadOptions& o)
{
    GuiOverheadRun run;
    TrainingController controller;
    RangeMeter meter(range, o);
    if (!controller.start(request))
        throw al::Error("bench-gui: the training controller did not start");
    waitForRange(controller, meter, o, [](bool) {}, run);
    controller.shutdown();
    meter.fill(run);
    return run;
}

GuiOverheadRun measureWindow(StepRange& range, const GuiOverheadOptions& o, const TrainingRequest& reference)
{
    GuiOverheadRun run;
    run.window = true;
    MainWindow window;
    applySettings(window, o);
    const TrainingRequest request = window.trainingRequest();
    if (request.corpusPath != reference.corpusPath || request.train.threads != reference.train.threads
        || request.model.d_model != reference.model.d_model)
        throw al::Error("bench-gui: the window's request differs from the headless one");
    if (o.tab == QLatin1String("plots"))
        window.viewTabs()->setCurrentWidget(window.trainingPlotsPanel());
    else
        window.viewTabs()->setCurrentIndex(0);
    window.show();
    QElapsedTimer exposed;
    exposed.start();
    while (!(window.windowHandle() && window.windowHandle()->isExposed()) && exposed.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    HeatmapWidget* focused = window.focusedHeatmap();
    auto* paints = new PaintCounter(focused->plot());
    bool counting = false;
    QObject guard;
    QObject::connect(focused->plot(), &QCustomPlot::afterReplot, &guard, [&] {
        if (counting)
            ++run.heatmapRefreshes;
    });
    QObject::connect(child<QCustomPlot>(window, "lossPlot"), &QCustomPlot::afterReplot, &guard, [&] {
        if (counting)
            ++run.plotRefreshes;
    });
    QObject::connect(window.trainingPlotsPanel()->lossPlot(), &QCustomPlot::afterReplot, &guard, [&] {
        if (counting)
            ++run.trainingPlotsRefreshes;
    });
    QObject::connect(window.inferenceController(), &InferenceController::translated, &guard,
                     [&](const InferenceResult&) {
                         if (counting)
                             ++run.traces;
                     });

    RangeMeter meter(range, o);
    // Started from the window, as a user does (Train button).
    child<QPushButton>(window, "trainButton")->click();
    if (!window.trainingController()->isActive())
        throw al::Error("bench-gui: the window did not start training (see its status bar)");
    waitForRange(*window.trainingController(), meter, o,
                 [&](bool on) {
                     counting = on;
                     paints->counting = on;
                 },
                 run);
    window.trainingController()->shutdown();
    run.heatmapPaints = paints->count;
    meter.fill(run);
    return run;
}

QString runLine(const GuiOverheadRun& r)
{
    QString line = QStringLiteral("%1 steps %2-%3: %4 tokens in %5 s = %6 tokens/s, CPU of a core: GUI thread %7%, "
                                  "all non-training threads %8%")
                       .arg(r.window ? QStringLiteral("window  ") : QStringLiteral("headless"))
                       .arg(r.firstStep)
                       .arg(r.lastStep)
                       .arg(r.tokens)
                       .arg(r.seconds, 0, 'f', 2)
                       .arg(r.tokensPerSecond, 0, 'f', 0)
                       .arg(r.guiThreadCpuPercent, 0, 'f', 1)
                       .arg(r.otherThreadsCpuPercent, 0, 'f', 1);
    if (r.window)
        line += QStringLiteral(", %1 traces, %2 heatmap refreshes (%3 paints), %4 plot refreshes")
                    .arg(r.traces)
                    .arg(r.heatmapRefreshes)
                    .arg(r.heatmapPaints)
                    .arg(r.plotRefreshes);
    return line;
}

} // namespace

GuiOverheadOptions guiOverheadPreset(const QString& name)
{
    GuiOverheadOptions o;
    const al::ModelConfig mc;
    const al::TrainConfig tc;
    o.dModel = mc.d_model;
    o.nhead = mc.nhead;
    o.encoderLayers = mc.num_encoder_layers;
    o.decoderLayers = mc.num_decoder_layers;
    o.dimFeedforward = mc.dim_feedforward;
    o.maxTokens = tc.max_tokens;
    o.seed = int(tc.seed);
    o.threads = tc.threads;
    if (name == QLatin1String("window"))
        return o;
    if (name == QLatin1String("tiny")) {
        o.dModel = 64;
        o.nhead = 4;
        o.encoderLayers = 2;
        o.decoderLayers = 2;
        o.dimFeedforward = 256;
        o.maxTokens = 512;
        return o;
    }
    throw al::Error("bench-gui: --config: expected window or tiny, got '" + name.toStdString() + "'");
}

GuiOverheadResult runGuiOverheadBench(const GuiOverheadOptions& options,
                                      const std::function<void(const QString&)>& progress)
{
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        throw al::Error("bench-gui: needs a QApplication");
    if (options.rounds < 1 || options.seconds <= 0 || options.warmupSeconds < 0)
        throw al::Error("bench-gui: needs rounds >= 1, seconds > 0 and warm-up seconds >= 0");
    if (options.tab != QLatin1String("attention") && options.tab != QLatin1String("plots"))
        throw al::Error("bench-gui: --tab: expected attention or plots, got '" + options.tab.toStdString() + "'");
    registerTrainingMetaTypes();
    GuiOverheadResult result;
    result.options = options;
    result.platform = QGuiApplication::platformName();

    // The request a window with these settings sends; the headless runs send it too.
    TrainingRequest request;
    {
        MainWindow settings;
        applySettings(settings, options);
        request = settings.trainingRequest();
    }
    result.corpusPath = request.corpusPath;
    if (request.corpusPath.isEmpty() || !QFileInfo(request.corpusPath).isReadable())
        throw al::Error("bench-gui: cannot read the corpus '"
                        + (request.corpusPath.isEmpty() ? std::string("(bundled corpus not found)")
                                                        : request.corpusPath.toStdString())
                        + "'");

    StepRange range;
    QVector<double> headless, window, headlessCpu, windowCpu, paired;
    for (int r = 0; r < options.rounds; ++r) {
        double roundRate[2] = {0, 0}; // headless, window
        for (int k = 0; k < 2; ++k) {
            const bool inWindow = (k == 1) != (r % 2 == 1);
            GuiOverheadRun run = inWindow ? measureWindow(range, options, request)
                                          : measureHeadless(request, range, options);
            // The very first run fixes the range; it must be a headless one (no window cost in it).
            (inWindow ? window : headless) << run.tokensPerSecond;
            roundRate[inWindow ? 1 : 0] = run.tokensPerSecond;
            (inWindow ? windowCpu : headlessCpu) << run.otherThreadsCpuPercent;
            if (inWindow) {
                result.traces += run.traces;
                result.heatmapRefreshes += run.heatmapRefreshes;
                result.heatmapPaints += run.heatmapPaints;
                result.plotRefreshes += run.plotRefreshes;
                result.trainingPlotsRefreshes += run.trainingPlotsRefreshes;
                result.windowSeconds += run.seconds;
            }
            result.runs << run;
            if (progress)
                progress(QStringLiteral("round %1/%2 %3").arg(r + 1).arg(options.rounds).arg(runLine(run)));
        }
        if (roundRate[0] > 0)
            paired << 100.0 * (1.0 - roundRate[1] / roundRate[0]);
    }
    result.pairedOverheadPercent = median(paired);
    result.headlessTokensPerSecond = median(headless);
    result.windowTokensPerSecond = median(window);
    result.headlessOtherCpuPercent = median(headlessCpu);
    result.windowOtherCpuPercent = median(windowCpu);
    result.overheadPercent = result.headlessTokensPerSecond > 0
                                 ? 100.0 * (1.0 - result.windowTokensPerSecond / result.headlessTokensPerSecond)
                                 : 0.0;
    return result;
}

QJsonObject guiOverheadJson(const GuiOverheadResult& r)
{
    const GuiOverheadOptions& o = r.options;
    QJsonObject j;
    j["bench"] = "gui_overhead";
    j["platform"] = r.platform;
    j["corpus"] = QFileInfo(r.corpusPath).fileName();
    j["d_model"] = o.dModel;
    j["nhead"] = o.nhead;
    j["num_encoder_layers"] = o.encoderLayers;
    j["num_decoder_layers"] = o.decoderLayers;
    j["dim_feedforward"] = o.dimFeedforward;
    j["max_tokens"] = o.maxTokens;
    j["seed"] = o.seed;
    j["threads"] = o.threads;
    j["tab"] = o.tab;
    j["rounds"] = o.rounds;
    if (!r.runs.isEmpty()) {
        j["first_step"] = double(r.runs.first().firstStep);
        j["last_step"] = double(r.runs.first().lastStep);
    }
    j["headless_tokens_per_s"] = r.headlessTokensPerSecond;
    j["window_tokens_per_s"] = r.windowTokensPerSecond;
    j["overhead_percent"] = r.overheadPercent;
    j["paired_overhead_percent"] = r.pairedOverheadPercent;
    j["headless_other_threads_cpu_percent"] = r.headlessOtherCpuPercent;
    j["window_other_threads_cpu_percent"] = r.windowOtherCpuPercent;
    j["traces"] = r.traces;
    j["heatmap_refreshes"] = r.heatmapRefreshes;
    j["heatmap_paints"] = r.heatmapPaints;
    j["heatmap_refreshes_per_s"] = r.windowSeconds > 0 ? r.heatmapRefreshes / r.windowSeconds : 0.0;
    j["plot_refreshes"] = r.plotRefreshes;
    j["training_plots_refreshes"] = r.trainingPlotsRefreshes;
    QJsonArray runs;
    for (const GuiOverheadRun& run : r.runs) {
        QJsonObject x;
        x["mode"] = run.window ? "window" : "headless";
        x["tokens_per_s"] = run.tokensPerSecond;
        x["tokens"] = double(run.tokens);
        x["seconds"] = run.seconds;
        x["first_step"] = double(run.firstStep);
        x["last_step"] = double(run.lastStep);
        x["gui_thread_cpu_percent"] = run.guiThreadCpuPercent;
        x["other_threads_cpu_percent"] = run.otherThreadsCpuPercent;
        x["snapshots"] = run.snapshots;
        if (run.window) {
            x["traces"] = run.traces;
            x["heatmap_refreshes"] = run.heatmapRefreshes;
            x["heatmap_paints"] = run.heatmapPaints;
            x["plot_refreshes"] = run.plotRefreshes;
            x["training_plots_refreshes"] = run.trainingPlotsRefreshes;
        }
        runs.append(x);
    }
    j["runs"] = runs;
    return j;
}

QString guiOverheadReport(const GuiOverheadResult& r)
{
    const GuiOverheadOptions& o = r.options;
    QString s;
    s += QStringLiteral("GUI overhead: d_model %1, %2 heads, %3+%4 layers, d_ff %5, %6 tokens/batch, %7 thread(s), "
                        "corpus %8, platform %9, tab %10\n")
             .arg(o.dModel)
             .arg(o.nhead)
             .arg(o.encoderLayers)
             .arg(o.decoderLayers)
             .arg(o.dimFeedforward)
             .arg(o.maxTokens)
             .arg(o.threads)
             .arg(QFileInfo(r.corpusPath).fileName(), r.platform, o.tab);
    for (const GuiOverheadRun& run : r.runs)
        s += QStringLiteral("  ") + runLine(run) + QLatin1Char('\n');
    s += QStringLiteral("headless  %1 tokens/s (median of %2)\n")
             .arg(r.headlessTokensPerSecond, 0, 'f', 0)
             .arg(o.rounds);
    s += QStringLiteral("window    %1 tokens/s (median of %2)\n").arg(r.windowTokensPerSecond, 0, 'f', 0).arg(o.rounds);
    s += QStringLiteral("overhead  %1% (of the medians); %2% (median of the %3 rounds' own overheads)\n")
             .arg(r.overheadPercent, 0, 'f', 1)
             .arg(r.pairedOverheadPercent, 0, 'f', 1)
             .arg(o.rounds);
    s += QStringLiteral("CPU       all non-training threads: %1% of a core with the window, %2% headless (medians)\n")
             .arg(r.windowOtherCpuPercent, 0, 'f', 1)
             .arg(r.headlessOtherCpuPercent, 0, 'f', 1);
    s += QStringLiteral("refreshes %1 traces, %2 heatmap refreshes (%3/s, %4 paints), %5 loss-plot refreshes, "
                        "%6 training-plots refreshes in %7 s of window runs\n")
             .arg(r.traces)
             .arg(r.heatmapRefreshes)
             .arg(r.windowSeconds > 0 ? r.heatmapRefreshes / r.windowSeconds : 0.0, 0, 'f', 1)
             .arg(r.heatmapPaints)
             .arg(r.plotRefreshes)
             .arg(r.trainingPlotsRefreshes)
             .arg(r.windowSeconds, 0, 'f', 1);
    return s;
}

} // namespace al::ui
