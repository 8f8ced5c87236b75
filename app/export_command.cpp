// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/export_command.h"

#include "app/gui_subcommands.h"
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "ui/view_models/attention_selection.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFile>

#include <cmath>
#include <ostream>

namespace al::cli {

namespace {

const char* const kUsage = "attention-lab export --model DIR --sentence TEXT --out DIR [options]";

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
    p.setApplicationDescription("Translate one sentence with a saved model and write its attention maps, one file per "
                                "kind, layer, head and format. Needs no display.");
    if (const ParseStatus st = parseGuiSubcommandArgs(p, "export", args, kUsage); st.kind != ParseStatus::Ok)
        return st;

    ExportOptions o;
    QString error;
    auto fail = [&error](const QString& msg) {
        if (error.isEmpty()) error = msg;
    };
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

int runExport(const ExportOptions& opts, std::ostream& out, std::ostream& err)
{
    using namespace al::ui;
    if (!prepareDrawing("export", err))
        return ExitFailure;
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
