// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/export_command.h"

#include "app/gui_subcommands.h"
#include "engine/core/error.h"
#include "engine/io/config_json.h"
#include "engine/io/model_dir.h"
#include "engine/models/translation_model.h"
#include "ui/export/timeline_export.h"
#include "ui/view_models/attention_selection.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFile>

#include <cmath>
#include <ostream>

namespace al::cli {

namespace {

const char* const kUsage = "attention-lab export --model DIR --sentence TEXT --out DIR [options]\n"
                           "       attention-lab export --timeline --model DIR [--kind enc|dec|cross] [--layer L] "
                           "[--head H | --grid] [--probe N] --out DIR_OR_FILE";

/// Reads "all" (-> -1) or a 1-based index >= 1 (-> 0-based); keeps the first error.
void readIndex(const QCommandLineParser& p, const QString& name, int& dst, QString& error)
{
    if (!error.isEmpty() || !p.isSet(name)) return;
    const QString v = p.value(name).trimmed();
    if (v.compare("all", Qt::CaseInsensitive) == 0) {
        dst = -1;
        return;
    }
    bool ok = false;
    const int n = v.toInt(&ok);
    if (!ok || n < 1)
        error = QString("--%1: expected 'all' or a number >= 1 (1 is the first), got '%2'").arg(name, p.value(name));
    else
        dst = n - 1;
}

/// Reads an integer in [lo, hi]; keeps the first error.
void readInt(const QCommandLineParser& p, const QString& name, int lo, int hi, int& dst, QString& error)
{
    if (!error.isEmpty() || !p.isSet(name)) return;
    bool ok = false;
    const int v = p.value(name).trimmed().toInt(&ok);
    if (!ok || v < lo || v > hi)
        error = QString("--%1: expected an integer from %2 to %3, got '%4'").arg(name).arg(lo).arg(hi).arg(p.value(name));
    else
        dst = v;
}

QString elided(const QString& text, int maxChars)
{
    return text.size() <= maxChars ? text : text.left(maxChars - 1) + QChar(0x2026);
}

} // namespace

ParseStatus parseExportArgs(const QStringList& args, ExportOptions& opts)
{
    using namespace al::ui;
    QCommandLineParser p;
    declareGuiSubcommandOptions(p);
    auto opt = [&p](const QString& name, const QString& value, const QString& desc) {
        p.addOption(QCommandLineOption(name, desc, value));
    };
    opt("model", "DIR", "Model directory written by `attention-lab train --out` (required).");
    opt("sentence", "TEXT", "Source sentence to translate and draw (required).");
    opt("kind", "KIND", "Attention to export: enc (encoder self-attention), dec (decoder masked self-attention), "
                        "cross (encoder-decoder attention) or all; with all, kinds the model does not have are skipped "
                        "(default: all).");
    opt("layer", "N", "Layer, 1 = the first, or all (default: all).");
    opt("head", "N", "Head, 1 = the first, or all (default: all).");
    opt("format", "FMT", "png, svg, pdf or csv; several separated by commas, e.g. png,csv (default: png).");
    opt("out", "DIR", "Folder for the files, created if missing; files are named <kind>_L<layer>_H<head>.<format>, "
                      "e.g. cross_L1_H2.svg (required).");
    opt("width", "PX", "Figure width in pixels of the PNG (default: 1200).");
    opt("height", "PX", "Figure height in pixels; 0 = from the matrix's shape (default: 0).");
    opt("dpi", "N", "Pixels per inch: sets the printed size (width / dpi inches, also for SVG and PDF) and so the "
                    "text size relative to the figure (default: 150).");
    opt("colormap", "NAME", "Colour map: " + colorMapIds().join(", ") + " (default: viridis).");
    opt("range", "RANGE", "Colour range: fixed (0 to 1, comparable across heads), per-head (each map's min to max) "
                          "or symmetric (default: fixed).");
    opt("max-len", "N", "Longest translation, in tokens (default: 64).");
    p.addOption(QCommandLineOption("timeline", "Write the model's training timeline instead of a sentence's maps: the "
                                               "evolution of one head (--kind, --layer, --head; default the first kind, "
                                               "layer 1, head 1) or of a layers x heads grid (--grid) as an animated GIF, "
                                               "numbered PNG frames and a CSV of the curves; --out is a folder, a .gif "
                                               "or a .csv file."));
    p.addOption(QCommandLineOption("grid", "With --timeline: every layer and head of the kind, as a grid."));
    opt("probe", "N", "With --timeline: the probe sentence, 1 = the first (default: 1).");
    opt("delay", "CS", "With --timeline: GIF time per frame in hundredths of a second, 1 to 1000 (default: 40).");
    p.setApplicationDescription("Translate one sentence with a saved model and write its attention maps, one file per "
                                "kind, layer, head and format. Needs no display.");
    if (const ParseStatus st = parseGuiSubcommandArgs(p, "export", args, kUsage); st.kind != ParseStatus::Ok)
        return st;

    ExportOptions o;
    QString error;
    auto fail = [&error](const QString& msg) {
        if (error.isEmpty()) error = msg;
    };
    if (p.isSet("timeline")) {
        o.timeline = true;
        o.model = p.value("model");
        if (o.model.isEmpty()) fail("--model is required");
        o.out = p.value("out");
        if (o.out.isEmpty()) fail("--out is required");
        for (const char* other : {"sentence", "format", "width", "height", "dpi", "range", "max-len"})
            if (p.isSet(other)) fail(QString("--%1 does not apply to --timeline").arg(other));
        o.kinds.clear();
        if (p.isSet("kind")) {
            al::AttentionKind kind;
            if (!parseAttentionKind(p.value("kind").trimmed().toLower(), kind))
                fail("--kind: expected enc, dec or cross with --timeline, got '" + p.value("kind") + "'");
            else
                o.kinds = {kind};
        }
        o.grid = p.isSet("grid");
        if (o.grid && (p.isSet("layer") || p.isSet("head"))) fail("--grid shows every layer and head; drop --layer and --head");
        int layer = 1, head = 1, probe = 1;
        readInt(p, "layer", 1, 1 << 20, layer, error);
        readInt(p, "head", 1, 1 << 20, head, error);
        readInt(p, "probe", 1, 1 << 20, probe, error);
        readInt(p, "delay", 1, 1000, o.delay, error);
        o.layer = layer - 1;
        o.head = head - 1;
        o.probe = probe - 1;
        if (p.isSet("colormap") && !parseColorMap(p.value("colormap"), o.colorMap))
            fail("--colormap: expected one of " + colorMapIds().join(", ") + ", got '" + p.value("colormap") + "'");
        if (!error.isEmpty()) return {ParseStatus::Error, error};
        opts = o;
        return {};
    }
    if (p.isSet("grid") || p.isSet("probe") || p.isSet("delay"))
        fail("--grid, --probe and --delay apply to --timeline");
    o.model = p.value("model");
    if (o.model.isEmpty()) fail("--model is required");
    o.sentence = p.value("sentence");
    if (!p.isSet("sentence")) fail("--sentence is required");
    else if (o.sentence.trimmed().isEmpty()) fail("--sentence: the sentence is empty");
    o.out = p.value("out");
    if (o.out.isEmpty()) fail("--out is required");
    o.kinds = attentionKinds();
    if (p.isSet("kind")) {
        const QString k = p.value("kind").trimmed().toLower();
        al::AttentionKind kind;
        if (k == "all") {
            o.allKinds = true;
        } else if (parseAttentionKind(k, kind)) {
            o.kinds = {kind};
            o.allKinds = false;
        } else {
            fail("--kind: expected enc, dec, cross or all, got '" + p.value("kind") + "'");
        }
    }
    readIndex(p, "layer", o.layer, error);
    readIndex(p, "head", o.head, error);
    if (p.isSet("format")) {
        o.formats.clear();
        for (const QString& f : p.value("format").split(',', Qt::SkipEmptyParts)) {
            ExportFormat format;
            if (!parseExportFormat(f, format)) {
                fail("--format: expected png, svg, pdf or csv, got '" + f.trimmed() + "'");
                break;
            }
            if (!o.formats.contains(format)) o.formats << format;
        }
        if (o.formats.isEmpty()) fail("--format: expected png, svg, pdf or csv");
    }
    readInt(p, "width", 16, 20000, o.size.width, error);
    readInt(p, "height", 0, 20000, o.size.height, error);
    if (o.size.height > 0 && o.size.height < 16)
        fail("--height: expected 0 (automatic) or from 16 to 20000, got '" + p.value("height") + "'");
    if (p.isSet("dpi")) {
        bool ok = false;
        const double dpi = p.value("dpi").trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(dpi) || dpi < 24 || dpi > 2400)
            fail("--dpi: expected a number from 24 to 2400, got '" + p.value("dpi") + "'");
        else
            o.size.dpi = dpi;
    }
    if (p.isSet("colormap") && !parseColorMap(p.value("colormap"), o.colorMap))
        fail("--colormap: expected one of " + colorMapIds().join(", ") + ", got '" + p.value("colormap") + "'");
    if (p.isSet("range") && !parseColorRange(p.value("range"), o.colorRange))
        fail("--range: expected fixed, per-head or symmetric, got '" + p.value("range") + "'");
    readInt(p, "max-len", 1, 100000, o.max_len, error);
    if (!error.isEmpty()) return {ParseStatus::Error, error};
    opts = o;
    return {};
}

namespace {

int runTimelineExport(const ExportOptions& opts, std::ostream& out, std::ostream& err)
{
    using namespace al::ui;
    return guarded(err, [&]() -> int {
        const std::string dir = QFile::encodeName(opts.model).toStdString();
        const al::ModelFamily family = al::model_dir_family(dir);
        const nlohmann::json j = al::read_model_config_json(dir, family);
        const al::ModelConfig cfg = al::model_config_from_json(j, dir + "/config.json");
        if (!al::has_model_timeline(dir))
            throw al::Error("'" + dir + "' has no training timeline (timeline.json); train it with --timeline true");
        const TimelineView view(std::make_shared<const al::TrainingTimeline>(al::read_model_timeline(dir, cfg)));
        if (view.isEmpty())
            throw al::Error("'" + dir + "': the timeline holds no recorded step");
        TimelineExportRequest request;
        request.selection.kind = opts.kinds.isEmpty() ? view.kinds(opts.probe < view.probeCount() ? opts.probe : 0).value(0)
                                                      : opts.kinds.front();
        request.selection.layer = opts.grid ? 0 : opts.layer;
        request.selection.head = opts.grid ? 0 : opts.head;
        request.selection.probe = opts.probe;
        request.grid = opts.grid;
        request.colorMap = opts.colorMap;
        request.delayCentiseconds = opts.delay;
        if (const QString problem = view.check(request.selection); !problem.isEmpty()) {
            const bool option = problem.startsWith("layer ") || problem.startsWith("head ") || problem.startsWith("probe ");
            err << "attention-lab export: " << (option ? "--" : "") << problem.toStdString() << "\n"
                << "Try 'attention-lab export --help'.\n";
            return ExitUsage;
        }
        out << "timeline: " << view.stepCount() << " recorded steps (" << view.stepAt(0) << " to "
            << view.stepAt(view.stepCount() - 1) << "), probe " << opts.probe + 1 << ": "
            << view.probeText(request.selection.probe).toStdString() << "\n";
        const QStringList written = exportTimeline(view, request, opts.out);
        for (const QString& path : written) out << path.toStdString() << "\n";
        out << "wrote " << written.size() << " file(s)\n";
        out.flush();
        return ExitOk;
    });
}

} // namespace

int runExport(const ExportOptions& opts, std::ostream& out, std::ostream& err)
{
    using namespace al::ui;
    if (!prepareDrawing("export", err))
        return ExitFailure;
    if (opts.timeline)
        return runTimelineExport(opts, out, err);
    return guarded(err, [&]() -> int {
        const al::TranslationModel model = al::load_model_dir(QFile::encodeName(opts.model).toStdString());
        al::Trace trace;
        const al::Translation t = al::translate(model, opts.sentence.toStdString(), opts.max_len, &trace);
        AttentionExportRequest request;
        request.kinds = opts.kinds;
        request.layer = opts.layer;
        request.head = opts.head;
        request.formats = opts.formats;
        request.size = opts.size;
        request.colorMap = opts.colorMap;
        request.colorRange = opts.colorRange;
        request.directory = opts.out;
        request.caption = elided(opts.sentence.trimmed(), 40);
        if (const QString problem = checkAttentionRequest(trace, request); !problem.isEmpty()) {
            err << "attention-lab export: " << problem.toStdString() << "\n"
                << "Try 'attention-lab export --help'.\n";
            return ExitUsage;
        }
        out << "translation: " << t.text << "\n";
        const QStringList written = exportAttention(trace, request, [&out](int, int) {
            out.flush();
            return true;
        });
        for (const QString& path : written) out << path.toStdString() << "\n";
        out << "wrote " << written.size() << " file(s) to " << opts.out.toStdString() << "\n";
        out.flush();
        return ExitOk;
    });
}

} // namespace al::cli
