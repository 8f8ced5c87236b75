// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/export/exporters.h"

#include "engine/core/error.h"
#include "ui/view_models/attention_selection.h"
#include "ui/views/heatmap_widget.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontInfo>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QImage>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <qcustomplot.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace al::ui {

namespace {

constexpr double kScreenDpi = 96.0;

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::Exporters)
};

std::string str(const QString& s)
{
    return s.toStdString();
}

/// Adds `title` above the plot's layout for the duration of an export.
class TemporaryTitle {
public:
    TemporaryTitle(QCustomPlot* plot, const QString& title) : m_plot(plot)
    {
        if (title.isEmpty())
            return;
        QFont font = plot->font();
        font.setBold(true);
        font.setPointSizeF(font.pointSizeF() * 1.15);
        m_plot->plotLayout()->insertRow(0);
        m_text = new QCPTextElement(plot, title, font);
        m_plot->plotLayout()->addElement(0, 0, m_text);
    }
    ~TemporaryTitle()
    {
        if (!m_text)
            return;
        m_plot->plotLayout()->remove(m_text);
        m_plot->plotLayout()->simplify();
    }
    TemporaryTitle(const TemporaryTitle&) = delete;
    TemporaryTitle& operator=(const TemporaryTitle&) = delete;

private:
    QCustomPlot* m_plot;
    QCPTextElement* m_text = nullptr;
};

/// QSvgGenerator names one family per text run, often Qt's alias "Sans Serif", which SVG viewers
/// do not know. Lists the family Qt resolved, the application font's fallbacks (the CJK families
/// added by installCjkFontFallback) and the CSS generic, so viewers find the glyphs.
QByteArray withSvgFontFallbacks(const QByteArray& svg, const QFont& font)
{
    QStringList families{QFontInfo(font).family()};
    for (const QString& f : QGuiApplication::font().families())
        if (!families.contains(f) && f != QLatin1String("Sans Serif"))
            families << f;
    QString list;
    for (const QString& f : families)
        list += QStringLiteral("'%1', ").arg(QString(f).remove(QLatin1Char('\'')).toHtmlEscaped());
    list += QStringLiteral("sans-serif");
    QString text = QString::fromUtf8(svg);
    static const QRegularExpression family(QStringLiteral("font-family=\"[^\"]*\""));
    text.replace(family, QStringLiteral("font-family=\"%1\"").arg(list));
    return text.toUtf8();
}

QString label(const QStringList& labels, int i)
{
    return i < labels.size() ? labels[i] : QString::number(i + 1);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Formats and sizes

QVector<ExportFormat> exportFormats()
{
    return {ExportFormat::Png, ExportFormat::Svg, ExportFormat::Pdf, ExportFormat::Csv};
}

QString exportFormatId(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Png: return QStringLiteral("png");
    case ExportFormat::Svg: return QStringLiteral("svg");
    case ExportFormat::Pdf: return QStringLiteral("pdf");
    case ExportFormat::Csv: return QStringLiteral("csv");
    }
    return {};
}

QString exportFormatFilter(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Png: return Tr::tr("PNG image (*.png)");
    case ExportFormat::Svg: return Tr::tr("SVG vector image (*.svg)");
    case ExportFormat::Pdf: return Tr::tr("PDF document (*.pdf)");
    case ExportFormat::Csv: return Tr::tr("CSV numbers (*.csv)");
    }
    return {};
}

bool parseExportFormat(const QString& text, ExportFormat& format)
{
    const QString t = text.trimmed().toLower();
    for (ExportFormat f : exportFormats()) {
        if (t == exportFormatId(f)) {
            format = f;
            return true;
        }
    }
    return false;
}

bool exportFormatFromPath(const QString& path, ExportFormat& format)
{
    return parseExportFormat(QFileInfo(path).suffix(), format);
}

QSize FigureSize::logicalSize() const
{
    const double s = kScreenDpi / dpi;
    return {std::max(1, int(std::lround(width * s))), std::max(1, int(std::lround(height * s)))};
}

QString FigureSize::validate() const
{
    if (width < 16 || width > 20000 || height < 16 || height > 20000)
        return Tr::tr("the size must be from 16 to 20000 pixels each way, got %1 x %2").arg(width).arg(height);
    if (!(dpi >= 24 && dpi <= 2400))
        return Tr::tr("the resolution must be from 24 to 2400 dpi, got %1").arg(dpi);
    return {};
}

// ---------------------------------------------------------------------------------------------
// Rendering

QByteArray renderPlot(QCustomPlot* plot, ExportFormat format, const FigureSize& size, const QString& title)
{
    if (const QString problem = size.validate(); !problem.isEmpty())
        throw al::Error(str(problem));
    const QSize logical = size.logicalSize();
    const TemporaryTitle withTitle(plot, title);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    switch (format) {
    case ExportFormat::Png: {
        // The image keeps the default 96 dpi while painting (fonts are sized for the logical
        // layout, then scaled); the requested dpi is only stored in the file.
        QImage image(size.width, size.height, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QCPPainter painter(&image);
        painter.setMode(QCPPainter::pmNoCaching);
        const double sx = double(size.width) / logical.width(), sy = double(size.height) / logical.height();
        if (sx > 1.0 || sy > 1.0)
            painter.setMode(QCPPainter::pmNonCosmetic);
        painter.scale(sx, sy);
        plot->toPainter(&painter, logical.width(), logical.height());
        painter.end();
        const int dpm = int(std::lround(size.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        if (!image.save(&buffer, "PNG"))
            throw al::Error("cannot encode the PNG image");
        break;
    }
    case ExportFormat::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setResolution(int(kScreenDpi));
        svg.setSize(logical);
        svg.setViewBox(QRect(QPoint(0, 0), logical));
        svg.setTitle(title.isEmpty() ? QStringLiteral("Attention Lab figure") : title);
        svg.setDescription(QStringLiteral("Exported by Attention Lab"));
        QCPPainter painter;
        if (!painter.begin(&svg))
            throw al::Error("cannot start the SVG painter");
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        plot->toPainter(&painter, logical.width(), logical.height());
        painter.end();
        buffer.close();
        bytes = withSvgFontFallbacks(bytes, plot->font());
        break;
    }
    case ExportFormat::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setCreator(QStringLiteral("Attention Lab"));
        pdf.setTitle(title);
        pdf.setResolution(int(kScreenDpi));
        const QSizeF points(size.width * 72.0 / size.dpi, size.height * 72.0 / size.dpi);
        pdf.setPageSize(QPageSize(points, QPageSize::Point, QString(), QPageSize::ExactMatch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        if (!painter.begin(&pdf))
            throw al::Error("cannot start the PDF painter");
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.setWindow(QRect(QPoint(0, 0), logical));
        plot->toPainter(&painter, logical.width(), logical.height());
        painter.end();
        break;
    }
    case ExportFormat::Csv:
        throw al::Error("renderPlot draws PNG, SVG or PDF; CSV holds numbers (matrixCsv, plotCsv)");
    }
    if (buffer.isOpen())
        buffer.close();
    if (bytes.isEmpty())
        throw al::Error(str(QStringLiteral("the %1 renderer produced no output").arg(exportFormatId(format))));
    return bytes;
}

// ---------------------------------------------------------------------------------------------
// CSV

QString csvField(const QString& text)
{
    const bool quote = text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"'))
                       || text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r'))
                       || text.startsWith(QLatin1Char(' ')) || text.endsWith(QLatin1Char(' '));
    if (!quote)
        return text;
    QString q = text;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

QByteArray matrixCsv(const al::Mat& m, const QStringList& rowLabels, const QStringList& colLabels, const QString& corner)
{
    QString out;
    out += csvField(corner);
    for (int c = 0; c < int(m.cols()); ++c)
        out += QLatin1Char(',') + csvField(label(colLabels, c));
    out += QLatin1Char('\n');
    for (int r = 0; r < int(m.rows()); ++r) {
        out += csvField(label(rowLabels, r));
        for (int c = 0; c < int(m.cols()); ++c)
            out += QLatin1Char(',') + QString::number(double(m(r, c)), 'g', 9);
        out += QLatin1Char('\n');
    }
    return out.toUtf8();
}

QByteArray plotCsv(QCustomPlot* plot)
{
    QString out = QStringLiteral("series,x,y\n");
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        const QString name = csvField(p->name().isEmpty() ? QStringLiteral("series %1").arg(i + 1) : p->name());
        auto rows = [&](auto* container) {
            for (auto it = container->constBegin(); it != container->constEnd(); ++it)
                out += name + QLatin1Char(',') + QString::number(it->mainKey(), 'g', 17) + QLatin1Char(',')
                       + QString::number(it->mainValue(), 'g', 17) + QLatin1Char('\n');
        };
        if (auto* g = qobject_cast<QCPGraph*>(p))
            rows(g->data().data());
        else if (auto* c = qobject_cast<QCPCurve*>(p))
            rows(c->data().data());
        else if (auto* b = qobject_cast<QCPBars*>(p))
            rows(b->data().data());
    }
    return out.toUtf8();
}

// ---------------------------------------------------------------------------------------------
// Files

namespace {

// Why a QSaveFile step failed: its error string, or the system's message for `err` (the errno
// right after the step) where Qt has only "Unknown error" (a failed write or flush, e.g. a full
// disk).
QString writeErrorReason(const QSaveFile& file, int err)
{
    QString reason = file.errorString();
    if (err != 0 && (reason.isEmpty() || reason == QLatin1String("Unknown error")))
        reason = QString::fromLocal8Bit(std::strerror(err));
    return reason;
}

[[noreturn]] void throwWriteError(const QString& path, const QString& reason)
{
    throw al::Error(str(QStringLiteral("cannot write '%1': %2").arg(path, reason)));
}

} // namespace

void writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    errno = 0;
    if (!file.open(QIODevice::WriteOnly))
        throwWriteError(path, writeErrorReason(file, errno));
    errno = 0;
    if (file.write(bytes) != bytes.size() || !file.flush()) {
        const QString reason = writeErrorReason(file, errno);
        file.cancelWriting(); // the destructor removes the temporary file
        throwWriteError(path, reason);
    }
    errno = 0;
    if (!file.commit())
        throwWriteError(path, writeErrorReason(file, errno));
}

void exportPlot(QCustomPlot* plot, const QString& path, ExportFormat format, const FigureSize& size, const QString& title)
{
    writeFileAtomically(path, format == ExportFormat::Csv ? plotCsv(plot) : renderPlot(plot, format, size, title));
}

// ---------------------------------------------------------------------------------------------
// Attention maps


QString attentionFileName(al::AttentionKind kind, int layer, int head, ExportFormat format)
{
    return QStringLiteral("%1_L%2_H%3.%4").arg(attentionKindId(kind)).arg(layer + 1).arg(head + 1).arg(exportFormatId(format));
}

QString checkAttentionRequest(const al::Trace& trace, const AttentionExportRequest& request)
{
    if (request.kinds.isEmpty())
        return Tr::tr("no attention kind selected");
    if (request.formats.isEmpty())
        return Tr::tr("no format selected");
    const bool explicitKinds = request.kinds.size() == 1;
    int recorded = 0;
    for (al::AttentionKind kind : request.kinds) {
        const int layers = layerCount(trace, kind);
        if (layers == 0) {
            if (explicitKinds)
                return Tr::tr("--kind %1: this model records no %2").arg(attentionKindId(kind), attentionKindName(kind).toLower());
            continue;
        }
        ++recorded;
        if (request.layer >= layers)
            return Tr::tr("--layer %1: %2 has %3 layer(s) (1-%3)")
                .arg(request.layer + 1)
                .arg(attentionKindName(kind).toLower())
                .arg(layers);
        const int first = request.layer >= 0 ? request.layer : 0;
        const int last = request.layer >= 0 ? request.layer : layers - 1;
        for (int l = first; l <= last; ++l) {
            const int heads = headCount(trace, kind, l);
            if (request.head >= heads)
                return Tr::tr("--head %1: %2 layer %3 has %4 head(s) (1-%4)")
                    .arg(request.head + 1)
                    .arg(attentionKindName(kind).toLower())
                    .arg(l + 1)
                    .arg(heads);
        }
    }
    if (recorded == 0)
        return Tr::tr("the trace records no attention of the selected kinds");
    return {};
}

int autoHeatmapHeight(int width, int nq, int nk)
{
    // The axis rect takes the width minus the query labels and the colour scale (~25%); the
    // height adds the key labels and the title (~20%).
    const double cell = width * 0.75 / std::max(nk, 1);
    const int h = int(std::lround(cell * std::max(nq, 1) / 0.8));
    return std::clamp(h, std::max(16, width / 2), width * 2);
}

QStringList exportAttention(const al::Trace& trace, const AttentionExportRequest& request,
                            const std::function<bool(int, int)>& progress)
{
    if (const QString problem = checkAttentionRequest(trace, request); !problem.isEmpty())
        throw al::Error(str(problem));
    if (request.directory.isEmpty())
        throw al::Error("no output directory given");
    {
        // std::filesystem says why a directory cannot be made (a file in the way, permissions,
        // a read-only or full file system); QDir::mkpath only that it failed.
        std::error_code ec;
        const std::filesystem::path target(QFile::encodeName(request.directory).toStdString());
        std::filesystem::create_directories(target, ec);
        if (!ec && !std::filesystem::is_directory(target, ec))
            ec = std::make_error_code(std::errc::not_a_directory);
        if (ec)
            throw al::Error(str(QStringLiteral("cannot create the directory '%1': %2")
                                    .arg(request.directory, QString::fromLocal8Bit(ec.message().c_str()))));
    }
    const QDir dir(request.directory);

    QVector<AttentionSelection> selections;
    for (al::AttentionKind kind : request.kinds) {
        const int layers = layerCount(trace, kind);
        for (int l = 0; l < layers; ++l) {
            if (request.layer >= 0 && l != request.layer)
                continue;
            const int heads = headCount(trace, kind, l);
            for (int h = 0; h < heads; ++h)
                if (request.head < 0 || h == request.head)
                    selections.push_back({kind, l, h});
        }
    }
    const int total = int(selections.size() * request.formats.size());

    HeatmapWidget heatmap;
    heatmap.setColorRange(request.colorRange);
    heatmap.setColorMap(request.colorMap);
    QStringList written;
    for (const AttentionSelection& sel : selections) {
        const al::Mat* m = selectAttention(trace, sel);
        if (!m)
            continue;
        const QStringList queries = queryTokens(trace, sel.kind), keys = keyTokens(trace, sel.kind);
        heatmap.setMatrix(*m, queries, keys);
        QString title = Tr::tr("%1 · layer %2 · head %3").arg(attentionKindName(sel.kind)).arg(sel.layer + 1).arg(sel.head + 1);
        if (!request.caption.isEmpty())
            title += QStringLiteral(" · ") + request.caption;
        heatmap.setTitle(title);
        FigureSize size = request.size;
        if (size.height <= 0)
            size.height = autoHeatmapHeight(size.width, int(m->rows()), int(m->cols()));
        for (ExportFormat format : request.formats) {
            const QString path = dir.filePath(attentionFileName(sel.kind, sel.layer, sel.head, format));
            try {
                heatmap.exportFigure(path, format, size);
            } catch (const al::Error& e) {
                // Each file is whole or absent (QSaveFile); say which ones are there.
                if (written.isEmpty())
                    throw;
                throw al::Error(std::string(e.what()) + " (" + std::to_string(written.size()) + " of " +
                                std::to_string(total) + " files were written before it)");
            }
            written << path;
            if (progress && !progress(int(written.size()), total))
                return written;
        }
    }
    return written;
}

} // namespace al::ui
