// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/bench_gui.h"

#include "app/gui_subcommands.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonDocument>

#include <cmath>
#include <exception>
#include <ostream>

namespace al::cli {

namespace {

const char* const kUsage = "attention-lab bench-gui [options]";

/// Reads options into a GuiOverheadOptions, keeping the first usage error.
class Reader {
public:
    explicit Reader(const QCommandLineParser& p) : m_p(p) {}
    QString error;

    void integer(const QString& name, int lo, int hi, int& dst)
    {
        if (!error.isEmpty() || !m_p.isSet(name)) return;
        bool ok = false;
        const int v = m_p.value(name).trimmed().toInt(&ok);
        if (!ok || v < lo || v > hi)
            error = QString("--%1: expected an integer from %2 to %3, got '%4'").arg(name).arg(lo).arg(hi).arg(m_p.value(name));
        else
            dst = v;
    }
    void number(const QString& name, double lo, double hi, double& dst)
    {
        if (!error.isEmpty() || !m_p.isSet(name)) return;
        bool ok = false;
        const double v = m_p.value(name).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < lo || v > hi)
            error = QString("--%1: expected a number from %2 to %3, got '%4'").arg(name).arg(lo).arg(hi).arg(m_p.value(name));
        else
            dst = v;
    }

private:
    const QCommandLineParser& m_p;
};

} // namespace

ParseStatus parseBenchGuiArgs(const QStringList& args, BenchGuiOptions& opts)
{
    const al::ui::GuiOverheadOptions d = al::ui::guiOverheadPreset("window");
    QCommandLineParser p;
    declareGuiSubcommandOptions(p);
    auto opt = [&p](const QString& name, const QString& value, const QString& desc) {
        p.addOption(QCommandLineOption(name, desc, value));
    };
    opt("config", "NAME", "window (the main window's default model: d_model 256, 4 heads, 3+3 layers, d_ff 1024, "
                          "3000 tokens per batch) or tiny (d_model 64, 4 heads, 2+2 layers, d_ff 256, 512 tokens per "
                          "batch) (default: window).");
    opt("data", "FILE", "Tab-separated corpus (default: the bundled Tatoeba English-Chinese corpus).");
    opt("src-col", "N", QString("0-based column of the source sentence (default: %1).").arg(d.srcColumn));
    opt("tgt-col", "N", QString("0-based column of the target sentence (default: %1).").arg(d.tgtColumn));
    opt("d-model", "N", "Model width d_model (default: from --config).");
    opt("nhead", "N", "Attention heads (default: from --config).");
    opt("layers", "N", "Encoder and decoder layers (default: from --config).");
    opt("d-ff", "N", "Feed-forward size d_ff (default: from --config).");
    opt("max-tokens", "N", "Token budget per batch (default: from --config).");
    opt("seed", "N", QString("Seed of initialisation, dropout and batching, the same in every run (default: %1).").arg(d.seed));
    opt("threads", "N", QString("Data-parallel training threads, as the window's Threads setting (default: %1).").arg(d.threads));
    opt("seconds", "S", QString("Length of the measured range of steps, in seconds of the first headless run (default: %1).")
                            .arg(d.seconds));
    opt("warmup-seconds", "S", QString("Training before the measured range (default: %1).").arg(d.warmupSeconds));
    opt("rounds", "N", QString("Rounds of one headless and one window run each, the order alternating (default: %1).")
                           .arg(d.rounds));
    opt("tab", "TAB", "View tab shown in the window while it trains: attention (heatmaps) or plots (Training plots) "
                      "(default: attention).");
    p.addOption(QCommandLineOption("json", "Print one JSON object on one line instead of the report."));
    p.setApplicationDescription(
        "GUI overhead of training: target tokens/s of the same run (corpus, model, seed, threads) headless through the "
        "training controller and started from the shown main window while its heatmaps and plots update live; prints "
        "both, the overhead in percent and how often the views refreshed. Shows the window on the display (works under "
        "xvfb-run and with QT_QPA_PLATFORM=offscreen; without any display the offscreen platform is used).");
    if (const ParseStatus st = parseGuiSubcommandArgs(p, "bench-gui", args, kUsage); st.kind != ParseStatus::Ok)
        return st;

    BenchGuiOptions o;
    if (p.isSet("config")) {
        o.config = p.value("config").trimmed().toLower();
        if (o.config != "window" && o.config != "tiny")
            return {ParseStatus::Error, "--config: expected window or tiny, got '" + p.value("config") + "'"};
    }
    o.bench = al::ui::guiOverheadPreset(o.config);
    al::ui::GuiOverheadOptions& b = o.bench;
    b.corpusPath = p.value("data");
    Reader r(p);
    r.integer("src-col", 0, 98, b.srcColumn);
    r.integer("tgt-col", 0, 98, b.tgtColumn);
    r.integer("d-model", 8, 2048, b.dModel);
    r.integer("nhead", 1, 32, b.nhead);
    int layers = -1;
    r.integer("layers", 1, 12, layers);
    if (layers > 0) b.encoderLayers = b.decoderLayers = layers;
    r.integer("d-ff", 8, 8192, b.dimFeedforward);
    r.integer("max-tokens", 16, 100000, b.maxTokens);
    r.integer("seed", 0, 1000000, b.seed);
    r.integer("threads", 1, 1024, b.threads);
    r.number("seconds", 0.05, 3600, b.seconds);
    r.number("warmup-seconds", 0, 3600, b.warmupSeconds);
    r.integer("rounds", 1, 100, b.rounds);
    if (!r.error.isEmpty()) return {ParseStatus::Error, r.error};
    if (b.dModel % b.nhead != 0)
        return {ParseStatus::Error, QString("--nhead: %1 heads do not divide d_model %2").arg(b.nhead).arg(b.dModel)};
    if (p.isSet("tab")) {
        b.tab = p.value("tab").trimmed().toLower();
        if (b.tab != "attention" && b.tab != "plots")
            return {ParseStatus::Error, "--tab: expected attention or plots, got '" + p.value("tab") + "'"};
    }
    o.json = p.isSet("json");
    opts = o;
    return {};
}

int runBenchGui(const BenchGuiOptions& opts, std::ostream& out, std::ostream& err)
{
    if (!prepareDrawing("bench-gui", err))
        return ExitFailure;
    try {
        const al::ui::GuiOverheadResult result = al::ui::runGuiOverheadBench(
            opts.bench, [&err](const QString& line) { err << line.toStdString() << std::endl; });
        if (opts.json) {
            QJsonObject j = al::ui::guiOverheadJson(result);
            j["config"] = opts.config;
            out << QJsonDocument(j).toJson(QJsonDocument::Compact).toStdString() << "\n";
        } else {
            out << al::ui::guiOverheadReport(result).toStdString();
        }
        out.flush();
        return ExitOk;
    } catch (const std::exception& e) {
        err << "attention-lab bench-gui: " << e.what() << "\n";
        return ExitFailure;
    }
}

} // namespace al::cli
