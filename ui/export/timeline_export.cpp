// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/export/timeline_export.h"

#include "engine/core/error.h"
#include "ui/export/exporters.h"

#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QFont>
#include <QFontMetrics>
#include <QHash>
#include <QBuffer>
#include <QPainter>

#include <gif_lib.h>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

constexpr int kGreys = 256 - kTimelineMapColors;

QString elide(const QString& token) { return token.size() <= 10 ? token : token.left(9) + QChar(0x2026); }

QFont labelFont()
{
    QFont f;
    f.setPixelSize(12);
    return f;
}

// The sizes every frame of a request shares: the largest map over the recorded steps and the
// widest token labels.
struct Layout {
    int rows = 1, cols = 1;   ///< largest map
    int cell = 8;             ///< pixels per cell
    int left = 0, top = 0;    ///< label room (single head)
    int layers = 1, heads = 1;
    int width = 0, height = 0;
};

constexpr int kMargin = 8, kTitle = 22, kTileLabel = 16, kGap = 10, kBar = 14, kBarRoom = 48;

Layout layoutOf(const TimelineView& view, const TimelineExportRequest& r)
{
    Layout l;
    const TimelineSelection s = r.selection;
    l.layers = r.grid ? view.layers(s.kind, s.probe) : 1;
    l.heads = r.grid ? view.heads(s.kind, s.probe) : 1;
    const QFontMetrics fm(labelFont());
    for (int i = 0; i < view.stepCount(); ++i) {
        TimelineSelection one = s;
        if (r.grid)
            one.layer = one.head = 0;
        const TimelineFrameView f = view.frame(one, i);
        l.rows = std::max(l.rows, int(f.map.rows()));
        l.cols = std::max(l.cols, int(f.map.cols()));
        if (!r.grid) {
            for (const QString& t : f.rowTokens)
                l.left = std::max(l.left, fm.horizontalAdvance(elide(t)) + 6);
            for (const QString& t : f.colTokens)
                l.top = std::max(l.top, fm.horizontalAdvance(elide(t)) + 6);
        }
    }
    const int n = std::max(l.rows, l.cols);
    if (r.grid) {
        l.cell = std::clamp(160 / n, 2, 24);
        const int tileW = l.cols * l.cell, tileH = l.rows * l.cell + kTileLabel;
        l.width = 2 * kMargin + l.heads * tileW + (l.heads - 1) * kGap + kGap + kBar + kBarRoom;
        l.height = kMargin + kTitle + l.layers * tileH + (l.layers - 1) * kGap + kMargin;
    } else {
        l.cell = std::clamp(420 / n, 6, 36);
        l.width = kMargin + l.left + l.cols * l.cell + kGap + kBar + kBarRoom;
        l.height = kMargin + kTitle + l.top + l.rows * l.cell + kMargin;
    }
    l.width = std::max(l.width, 360);
    return l;
}

void drawMap(QPainter& p, const al::MapF& m, int x0, int y0, int cell, const QVector<QRgb>& palette)
{
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            p.fillRect(x0 + int(j) * cell, y0 + int(i) * cell, cell, cell, QColor(palette[timelinePaletteIndex(m(i, j))]));
}

void drawColorBar(QPainter& p, int x, int y, int height, const QVector<QRgb>& palette)
{
    for (int k = 0; k < height; ++k) {
        const double v = 1.0 - double(k) / std::max(1, height - 1);
        p.fillRect(x, y + k, kBar, 1, QColor(palette[timelinePaletteIndex(v)]));
    }
    p.setPen(Qt::black);
    p.drawText(x + kBar + 4, y + 10, QStringLiteral("1"));
    p.drawText(x + kBar + 4, y + height, QStringLiteral("0"));
}

QImage render(const TimelineView& view, const TimelineExportRequest& r, int stepIndex, const Layout& l,
              const QVector<QRgb>& palette)
{
    QImage image(l.width, l.height, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setFont(labelFont());
    p.setPen(Qt::black);
    const TimelineSelection s = r.selection;
    const qint64 step = view.stepAt(stepIndex);
    const double loss = view.timeline()->records()[size_t(stepIndex)]->loss;
    QString title = attentionKindName(s.kind);
    if (!r.grid)
        title += QStringLiteral(" · layer %1 · head %2").arg(s.layer + 1).arg(s.head + 1);
    title += QStringLiteral(" · step %1").arg(step);
    if (std::isfinite(loss))
        title += QStringLiteral(" · loss %1").arg(loss, 0, 'f', 3);
    p.drawText(kMargin, kMargin + 14, title);
    if (r.grid) {
        const int tileW = l.cols * l.cell, tileH = l.rows * l.cell + kTileLabel;
        for (int layer = 0; layer < l.layers; ++layer)
            for (int head = 0; head < l.heads; ++head) {
                TimelineSelection one = s;
                one.layer = layer;
                one.head = head;
                const int x = kMargin + head * (tileW + kGap);
                const int y = kMargin + kTitle + layer * (tileH + kGap);
                p.drawText(x, y + 12, QStringLiteral("L%1 H%2").arg(layer + 1).arg(head + 1));
                drawMap(p, view.frame(one, stepIndex).map, x, y + kTileLabel, l.cell, palette);
            }
        drawColorBar(p, kMargin + l.heads * (tileW + kGap), kMargin + kTitle + kTileLabel,
                     std::min(l.rows * l.cell, l.height - kMargin - kTitle - kTileLabel - kMargin), palette);
        return image;
    }
    const TimelineFrameView f = view.frame(s, stepIndex);
    const int x0 = kMargin + l.left, y0 = kMargin + kTitle + l.top;
    drawMap(p, f.map, x0, y0, l.cell, palette);
    for (int i = 0; i < f.rowTokens.size(); ++i)
        p.drawText(QRect(kMargin, y0 + i * l.cell, l.left - 6, l.cell), Qt::AlignRight | Qt::AlignVCenter, elide(f.rowTokens[i]));
    for (int j = 0; j < f.colTokens.size(); ++j) {
        p.save();
        p.translate(x0 + j * l.cell, y0 - 4);
        p.rotate(-90);
        p.drawText(QRect(0, 0, l.top - 4, l.cell), Qt::AlignLeft | Qt::AlignVCenter, elide(f.colTokens[j]));
        p.restore();
    }
    drawColorBar(p, x0 + l.cols * l.cell + kGap, y0, std::max(20, l.rows * l.cell), palette);
    return image;
}

QString number(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 9) : QString();
}

struct GifBuffer {
    QByteArray bytes;
};

int gifWrite(GifFileType* gif, const GifByteType* data, int length)
{
    static_cast<GifBuffer*>(gif->UserData)->bytes.append(reinterpret_cast<const char*>(data), length);
    return length;
}

[[noreturn]] void gifFail(const char* what, int code)
{
    const char* reason = GifErrorString(code);
    throw al::Error(std::string("GIF: ") + what + " failed: " + (reason ? reason : "unknown error"));
}

} // namespace

QVector<QRgb> timelinePalette(ColorMap map)
{
    QCPColorGradient g = colorGradient(map); // color() is not const: it fills the gradient's level table
    QVector<QRgb> palette;
    palette.reserve(256);
    for (int i = 0; i < kTimelineMapColors; ++i)
        palette << (g.color(double(i) / (kTimelineMapColors - 1), QCPRange(0, 1)) | 0xff000000u);
    for (int i = 0; i < kGreys; ++i) {
        const int v = 255 - (255 * i) / (kGreys - 1);
        palette << qRgb(v, v, v);
    }
    return palette;
}

int timelinePaletteIndex(double p)
{
    const double c = std::clamp(std::isfinite(p) ? p : 0.0, 0.0, 1.0);
    return int(std::lround(c * (kTimelineMapColors - 1)));
}

QByteArray quantizeToPalette(const QImage& source, const QVector<QRgb>& palette)
{
    const QImage image = source.convertToFormat(QImage::Format_RGB32);
    QByteArray out(qsizetype(image.width()) * image.height(), '\0');
    QHash<QRgb, uchar> cache;
    for (int i = 0; i < palette.size(); ++i)
        if (!cache.contains(palette[i] | 0xff000000u))
            cache.insert(palette[i] | 0xff000000u, uchar(i));
    for (int y = 0; y < image.height(); ++y) {
        const QRgb* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        uchar* dst = reinterpret_cast<uchar*>(out.data()) + qsizetype(y) * image.width();
        for (int x = 0; x < image.width(); ++x) {
            const QRgb c = line[x] | 0xff000000u;
            auto it = cache.constFind(c);
            if (it == cache.constEnd()) {
                int best = 0;
                long bestD = -1;
                for (int k = 0; k < palette.size(); ++k) {
                    const long dr = qRed(c) - qRed(palette[k]), dg = qGreen(c) - qGreen(palette[k]),
                               db = qBlue(c) - qBlue(palette[k]);
                    const long d = dr * dr + dg * dg + db * db;
                    if (bestD < 0 || d < bestD) {
                        bestD = d;
                        best = k;
                    }
                }
                it = cache.insert(c, uchar(best));
            }
            dst[x] = char(*it);
        }
    }
    return out;
}

QImage renderTimelineFrame(const TimelineView& view, const TimelineExportRequest& request, int stepIndex)
{
    if (const QString problem = view.check(request.selection); !problem.isEmpty())
        throw al::Error(problem.toStdString());
    return render(view, request, stepIndex, layoutOf(view, request), timelinePalette(request.colorMap));
}

QByteArray timelineGif(const TimelineView& view, const TimelineExportRequest& request)
{
    if (const QString problem = view.check(request.selection); !problem.isEmpty())
        throw al::Error(problem.toStdString());
    const Layout l = layoutOf(view, request);
    const QVector<QRgb> palette = timelinePalette(request.colorMap);
    GifBuffer buffer;
    int code = 0;
    GifFileType* gif = EGifOpen(&buffer, gifWrite, &code);
    if (!gif)
        gifFail("EGifOpen", code);
    auto check = [&](int result, const char* what) {
        if (result != GIF_OK) {
            const int error = gif->Error;
            int ignored = 0;
            EGifCloseFile(gif, &ignored);
            gifFail(what, error);
        }
    };
    GifColorType colors[256];
    for (int i = 0; i < 256; ++i)
        colors[i] = GifColorType{GifByteType(qRed(palette[i])), GifByteType(qGreen(palette[i])), GifByteType(qBlue(palette[i]))};
    ColorMapObject* cmap = GifMakeMapObject(256, colors);
    if (!cmap) {
        EGifCloseFile(gif, &code);
        throw al::Error("GIF: out of memory for the palette");
    }
    EGifSetGifVersion(gif, true);
    const int screen = EGifPutScreenDesc(gif, l.width, l.height, 8, 0, cmap);
    GifFreeMapObject(cmap);
    check(screen, "EGifPutScreenDesc");
    // NETSCAPE2.0 application extension: loop forever.
    static const GifByteType netscape[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static const GifByteType loop[] = {1, 0, 0};
    check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "the loop extension");
    check(EGifPutExtensionBlock(gif, sizeof netscape, netscape), "the loop extension");
    check(EGifPutExtensionBlock(gif, sizeof loop, loop), "the loop extension");
    check(EGifPutExtensionTrailer(gif), "the loop extension");
    for (int i = 0; i < view.stepCount(); ++i) {
        const QByteArray pixels = quantizeToPalette(render(view, request, i, l, palette), palette);
        GraphicsControlBlock gcb;
        gcb.DisposalMode = DISPOSE_DO_NOT;
        gcb.UserInputFlag = false;
        gcb.DelayTime = request.delayCentiseconds * (i + 1 == view.stepCount() ? 4 : 1);
        gcb.TransparentColor = NO_TRANSPARENT_COLOR;
        GifByteType ext[4];
        EGifGCBToExtension(&gcb, ext);
        check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext), "the frame delay");
        check(EGifPutImageDesc(gif, 0, 0, l.width, l.height, false, nullptr), "EGifPutImageDesc");
        for (int y = 0; y < l.height; ++y)
            check(EGifPutLine(gif, reinterpret_cast<GifPixelType*>(const_cast<char*>(pixels.constData())) + qsizetype(y) * l.width,
                              l.width),
                  "EGifPutLine");
    }
    if (EGifCloseFile(gif, &code) != GIF_OK)
        gifFail("EGifCloseFile", code);
    return buffer.bytes;
}

QByteArray timelineCsv(const TimelineView& view, const TimelineExportRequest& request)
{
    if (const QString problem = view.check(request.selection); !problem.isEmpty())
        throw al::Error(problem.toStdString());
    const TimelineSelection s = request.selection;
    QVector<TimelineSelection> heads;
    for (int layer = 0; layer < view.layers(s.kind, s.probe); ++layer)
        for (int head = 0; head < view.heads(s.kind, s.probe); ++head)
            if (request.grid || (layer == s.layer && head == s.head)) {
                TimelineSelection one = s;
                one.layer = layer;
                one.head = head;
                heads << one;
            }
    QVector<TimelineCurves> curves;
    QStringList header{QStringLiteral("step"), QStringLiteral("loss")};
    for (const TimelineSelection& h : heads) {
        curves << view.curves(h);
        const QString stem = QStringLiteral("%1_L%2_H%3").arg(attentionKindId(h.kind)).arg(h.layer + 1).arg(h.head + 1);
        header << stem + QStringLiteral("_entropy");
        for (int p = 0; p < al::kTimelinePatterns; ++p)
            if (curves.back().applies[size_t(p)])
                header << stem + "_" + QString::fromLatin1(al::timeline_pattern_name(al::TimelinePattern(p)));
    }
    QString text = header.join(',') + '\n';
    for (int i = 0; i < view.stepCount(); ++i) {
        QStringList row{QString::number(view.stepAt(i)), number(curves.isEmpty() ? NAN : curves[0].loss[i])};
        for (const TimelineCurves& c : curves) {
            row << number(c.entropy[i]);
            for (int p = 0; p < al::kTimelinePatterns; ++p)
                if (c.applies[size_t(p)])
                    row << number(c.agreement[size_t(p)][i]);
        }
        text += row.join(',') + '\n';
    }
    return text.toUtf8();
}

QString timelineStem(const TimelineExportRequest& r)
{
    const TimelineSelection& s = r.selection;
    QString stem = r.grid ? QStringLiteral("%1_grid").arg(attentionKindId(s.kind))
                          : QStringLiteral("%1_L%2_H%3").arg(attentionKindId(s.kind)).arg(s.layer + 1).arg(s.head + 1);
    if (s.probe > 0)
        stem += QStringLiteral("_p%1").arg(s.probe + 1);
    return stem;
}

QStringList exportTimeline(const TimelineView& view, const TimelineExportRequest& request, const QString& out)
{
    if (const QString problem = view.check(request.selection); !problem.isEmpty())
        throw al::Error(problem.toStdString());
    if (out.endsWith(QLatin1String(".gif"), Qt::CaseInsensitive)) {
        writeFileAtomically(out, timelineGif(view, request));
        return {out};
    }
    if (out.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)) {
        writeFileAtomically(out, timelineCsv(view, request));
        return {out};
    }
    const QString stem = timelineStem(request);
    const QDir dir(out);
    const QString frames = dir.filePath(stem + QStringLiteral("_frames"));
    if (!QDir().mkpath(frames))
        throw al::Error("cannot create the folder '" + frames.toStdString() + "'");
    QStringList written;
    const QString gif = dir.filePath(stem + QStringLiteral(".gif"));
    writeFileAtomically(gif, timelineGif(view, request));
    written << gif;
    const QString csv = dir.filePath(stem + QStringLiteral(".csv"));
    writeFileAtomically(csv, timelineCsv(view, request));
    written << csv;
    const Layout l = layoutOf(view, request);
    const QVector<QRgb> palette = timelinePalette(request.colorMap);
    for (int i = 0; i < view.stepCount(); ++i) {
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (!render(view, request, i, l, palette).save(&buffer, "PNG"))
            throw al::Error("cannot encode frame " + std::to_string(i + 1) + " as PNG");
        const QString path = QDir(frames).filePath(QStringLiteral("frame_%1.png").arg(i + 1, 4, 10, QChar('0')));
        writeFileAtomically(path, png);
        written << path;
    }
    return written;
}

} // namespace al::ui
