// SPDX-License-Identifier: GPL-3.0-or-later
// Export (offscreen): ui/exporters (PNG size and dpi, SVG that parses and holds the token labels
// including CJK ones, PDF with embedded fonts, CSV that parses back to the Trace's numbers),
// colour maps and ranges, the batch export of a Trace, and `attention-lab export` end to end on a
// tiny trained model, in-process and as the real executable with no display.
#include "app/cli.h"
#include "app/export_command.h"
#include "app/gui_subcommands.h"
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "ui/view_models/attention_selection.h"
#include "ui/view_models/color_maps.h"
#include "ui/export/export_ui.h"
#include "ui/export/exporters.h"
#include "ui/app/gui_main.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "test_support.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <qcustomplot.h>

#include <cmath>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

using namespace al::ui;

namespace {

/// RFC 4180 reader (quoted fields, doubled quotes, "\n" or "\r\n" line ends).
QVector<QStringList> parseCsv(const QByteArray& bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false, any = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
            any = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            any = false;
        } else if (c != QLatin1Char('\r')) {
            field += c;
            any = true;
        }
    }
    if (any || !field.isEmpty() || !row.isEmpty()) {
        row << field;
        rows << row;
    }
    return rows;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Texts of every <text> element (QXmlStreamReader); `ok` is false when the XML does not parse
/// or the root is not <svg>.
QStringList svgTexts(const QByteArray& svg, bool* ok, QString* width = nullptr)
{
    QXmlStreamReader xml(svg);
    QStringList texts;
    bool root = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (!root) {
                root = xml.name() == QLatin1String("svg");
                if (width)
                    *width = xml.attributes().value(QLatin1String("width")).toString();
            }
            if (xml.name() == QLatin1String("text"))
                texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        }
    }
    *ok = root && !xml.hasError();
    return texts;
}

/// Checks that `csv` is the matrix `m` with these labels, value for value (floats parse back exactly).
void compareCsv(const QByteArray& csv, const al::Mat& m, const QStringList& rowLabels, const QStringList& colLabels)
{
    const QVector<QStringList> rows = parseCsv(csv);
    QCOMPARE(rows.size(), int(m.rows()) + 1);
    QCOMPARE(rows[0].mid(1), colLabels);
    for (int r = 0; r < int(m.rows()); ++r) {
        QCOMPARE(rows[r + 1].size(), int(m.cols()) + 1);
        QCOMPARE(rows[r + 1][0], rowLabels[r]);
        for (int c = 0; c < int(m.cols()); ++c) {
            bool ok = false;
            const float v = rows[r + 1][c + 1].toFloat(&ok);
            QVERIFY(ok);
            // Exact (QCOMPARE on floats is fuzzy): 9 significant digits round-trip every float.
            QVERIFY2(v == float(m(r, c)), qPrintable(rows[r + 1][c + 1]));
        }
    }
}

int countNear(const QImage& img, QColor target, int tolerance)
{
    int n = 0;
    const QImage rgb = img.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x) {
            const QColor c = rgb.pixelColor(x, y);
            if (std::abs(c.red() - target.red()) <= tolerance && std::abs(c.green() - target.green()) <= tolerance
                && std::abs(c.blue() - target.blue()) <= tolerance)
                ++n;
        }
    return n;
}

al::Trace syntheticTrace()
{
    al::Trace t;
    t.src_tokens = {"我", "爱", "你", "。", "<eos>"};
    t.tgt_in_tokens = {"<bos>", "i", "love", "you", "."};
    t.tgt_out_tokens = {"i", "love", "you", ".", "<eos>"};
    for (int l = 0; l < 2; ++l) {
        t.enc_self.emplace_back();
        t.dec_self.emplace_back();
        t.cross.emplace_back();
        for (int h = 0; h < 3; ++h) {
            for (auto* maps : {&t.enc_self, &t.dec_self, &t.cross}) {
                al::Mat m = al::Mat::Random(5, 5).cwiseAbs();
                for (int r = 0; r < 5; ++r)
                    m.row(r) /= m.row(r).sum();
                maps->back().push_back(m);
            }
        }
    }
    return t;
}

struct Run {
    int code = -1;
    std::string out, err;
};

Run runArgs(const QStringList& args)
{
    std::istringstream in;
    std::ostringstream out, err;
    Run r;
    r.code = al::cli::runCli(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

/// Every entry of `dir`, hidden ones (a QSaveFile's temporary file) included.
QStringList allEntries(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

/// While alive, this process may write files of at most `bytes` bytes (RLIMIT_FSIZE) and ignores
/// SIGXFSZ, so a longer write fails with EFBIG: the failure a write onto a full disk (ENOSPC)
/// meets on the same path (QSaveFile's write and commit), without filling a disk.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        m_ok = ::getrlimit(RLIMIT_FSIZE, &m_saved) == 0;
        m_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lower = m_saved;
        lower.rlim_cur = bytes;
        m_ok = m_ok && ::setrlimit(RLIMIT_FSIZE, &lower) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_handler);
    }
    bool ok() const { return m_ok; }

private:
    rlimit m_saved{};
    void (*m_handler)(int) = nullptr;
    bool m_ok = false;
};

/// The message of the al::Error `f` throws; empty when it throws none.
template <class F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const al::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestGuiExport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void colorMapsAndRanges();
    void heatmapFormats();
    void pngSizeAndDpi();
    void colourMapReachesThePixels();
    void csvQuoting();
    void plotExport();
    void batchExport();
    void batchExportChecks();
    void exportArgs();
    void exportEndToEnd();
    void executableWithoutDisplay();
    void mainWindowColoursAndBatch();
    void exportWhereAFileIsInTheWay();
    void exportIntoAReadOnlyDirectory();
    void exportOntoAFullDisk();

private:
    QTemporaryDir m_tmp;
    QString m_model; ///< tiny trained model directory (initTestCase trains it)
};

void TestGuiExport::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    installCjkFontFallback();
    al::cli::registerSubcommand(al::cli::findGuiSubcommand("export")->command);
    // The tiny model every export of a real model reads (4 steps: seconds), trained here so
    // that each test function also runs alone.
    const QString corpus = al::test::writeSyntheticPairs(m_tmp.path());
    m_model = m_tmp.filePath(QStringLiteral("model"));
    const Run r = runArgs({"train", "--data", corpus, "--d-model", "16", "--nhead", "2", "--layers", "2", "--d-ff",
                           "32", "--dropout", "0", "--warmup", "10", "--max-tokens", "200", "--threads", "1",
                           "--min-count", "1", "--steps", "4", "--samples", "0", "--bleu-sentences", "4", "--out",
                           m_model});
    QVERIFY2(r.code == 0, r.err.c_str());
}

void TestGuiExport::colorMapsAndRanges()
{
    QCOMPARE(colorMaps().size(), 5);
    for (ColorMap m : colorMaps()) {
        ColorMap parsed = ColorMap::CoolWarm;
        QVERIFY(parseColorMap(colorMapId(m).toUpper(), parsed));
        QCOMPARE(parsed, m);
        QVERIFY(!colorMapName(m).isEmpty());
    }
    ColorMap m = ColorMap::Viridis;
    QVERIFY(parseColorMap(QStringLiteral("gray"), m));
    QCOMPARE(m, ColorMap::Greys);
    QVERIFY(!parseColorMap(QStringLiteral("jet"), m));
    QCOMPARE(m, ColorMap::Greys);
    const QCPRange unit(0, 1);
    QCOMPARE(QColor(colorGradient(ColorMap::Viridis).color(0.0, unit)), QColor(0x44, 0x01, 0x54));
    QCOMPARE(QColor(colorGradient(ColorMap::Viridis).color(1.0, unit)), QColor(0xfd, 0xe7, 0x25));
    QCOMPARE(QColor(colorGradient(ColorMap::Cividis).color(1.0, unit)), QColor(0xff, 0xea, 0x46));
    QCOMPARE(QColor(colorGradient(ColorMap::Greys).color(0.0, unit)), QColor(Qt::white));
    QCOMPARE(QColor(colorGradient(ColorMap::Greys).color(1.0, unit)), QColor(Qt::black));
    QCOMPARE(defaultColorMap(ColorRange::Symmetric), ColorMap::CoolWarm);
    QCOMPARE(defaultColorMap(ColorRange::Probability), ColorMap::Viridis);

    ColorRange r = ColorRange::Probability;
    QVERIFY(parseColorRange(QStringLiteral("per-head"), r));
    QCOMPARE(r, ColorRange::MinMax);
    QVERIFY(parseColorRange(QStringLiteral("fixed"), r));
    QCOMPARE(r, ColorRange::Probability);
    QVERIFY(!parseColorRange(QStringLiteral("log"), r));

    HeatmapWidget w;
    QCOMPARE(w.colorMap(), ColorMap::Viridis);
    w.setColorRange(ColorRange::Symmetric);
    QCOMPARE(w.colorMap(), ColorMap::CoolWarm); // the default follows the range until one is chosen
    w.setColorMap(ColorMap::Cividis);
    w.setColorRange(ColorRange::MinMax);
    QCOMPARE(w.colorMap(), ColorMap::Cividis);
    al::Mat m2(1, 2);
    m2 << 0.2f, 0.4f;
    w.setMatrix(m2, {QStringLiteral("a")}, {QStringLiteral("b"), QStringLiteral("c")});
    QCOMPARE(w.dataRange().lower, double(0.2f)); // per head: the matrix's own range
    QCOMPARE(w.dataRange().upper, double(0.4f));
    w.setColorRange(ColorRange::Probability);
    QCOMPARE(w.dataRange().lower, 0.0);
    QCOMPARE(w.dataRange().upper, 1.0);
}

void TestGuiExport::heatmapFormats()
{
    HeatmapWidget w;
    w.resize(500, 400);
    al::Mat m(3, 4);
    m << 0.1f, 0.2f, 0.3f, 0.4f,
         1.0f, 0.0f, 0.0f, 0.0f,
         0.25f, 0.25f, 0.25f, 0.25f;
    const QStringList q{QStringLiteral("<bos>"), QStringLiteral("i"), QStringLiteral("love")};
    const QStringList k{QStringLiteral("我"), QStringLiteral("爱"), QStringLiteral("你"), QStringLiteral("<eos>")};
    w.setMatrix(m, q, k);
    w.setTitle(QStringLiteral("Cross-attention · layer 1 · head 1"));
    const FigureSize size{800, 600, 96};

    const QString png = m_tmp.filePath(QStringLiteral("h.png"));
    w.exportFigure(png, ExportFormat::Png, size);
    const QImage img(png);
    QCOMPARE(img.size(), QSize(800, 600));

    const QString svgPath = m_tmp.filePath(QStringLiteral("h.svg"));
    w.exportFigure(svgPath, ExportFormat::Svg, size);
    const QByteArray svg = readAll(svgPath);
    QVERIFY(svg.size() > 1000);
    bool ok = false;
    const QStringList texts = svgTexts(svg, &ok);
    QVERIFY2(ok, "the SVG does not parse");
    const QString all = texts.join(QLatin1Char('\n'));
    for (const QString& label : q + k)
        QVERIFY2(texts.contains(label), qPrintable(label + " missing from " + all));
    QVERIFY(all.contains(QStringLiteral("layer 1")));
    QVERIFY(all.contains(QStringLiteral("attention weight")));
    // Viewers need a real family with the CJK fallback, not Qt's alias "Sans Serif".
    QVERIFY(svg.contains("sans-serif\""));
    QVERIFY(!svg.contains("font-family=\"Sans Serif\""));

    const QString pdfPath = m_tmp.filePath(QStringLiteral("h.pdf"));
    w.exportFigure(pdfPath, ExportFormat::Pdf, size);
    const QByteArray pdf = readAll(pdfPath);
    QVERIFY(pdf.startsWith("%PDF-"));
    QVERIFY(pdf.trimmed().endsWith("%%EOF"));
    QVERIFY2(pdf.contains("/FontFile2"), "the PDF must embed its (TrueType) fonts so CJK glyphs survive");
    // 800 x 600 px at 96 dpi = 600 x 450 pt.
    const QRegularExpressionMatch box =
        QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]")).match(QString::fromLatin1(pdf));
    QVERIFY(box.hasMatch());
    QCOMPARE(box.captured(1).toDouble(), 600.0);
    QCOMPARE(box.captured(2).toDouble(), 450.0);

    const QString csvPath = m_tmp.filePath(QStringLiteral("h.csv"));
    w.exportFigure(csvPath, ExportFormat::Csv, size);
    compareCsv(readAll(csvPath), m, q, k);

    // Only the requested files: QSaveFile leaves no temporary behind.
    QCOMPARE(QDir(m_tmp.path()).entryList({QStringLiteral("h*")}, QDir::Files).size(), 4);

    HeatmapWidget empty;
    QVERIFY_THROWS_EXCEPTION(al::Error, empty.exportFigure(m_tmp.filePath(QStringLiteral("e.png")), ExportFormat::Png, size));
    QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("e.png"))));
    QVERIFY(!w.exportPng(m_tmp.filePath(QStringLiteral("no/such/dir/x.png")), 100, 100));
}

void TestGuiExport::pngSizeAndDpi()
{
    HeatmapWidget w;
    w.setMatrix(al::Mat::Constant(4, 6, 0.5f), {}, {});
    for (const FigureSize& s : {FigureSize{1000, 700, 300}, FigureSize{333, 257, 72}, FigureSize{1601, 1203, 150}}) {
        const QImage img = QImage::fromData(w.renderFigure(ExportFormat::Png, s), "PNG");
        QCOMPARE(img.size(), QSize(s.width, s.height));
        QVERIFY(std::abs(img.dotsPerMeterX() * 0.0254 - s.dpi) < 0.5);
        // SVG and PDF carry the same physical size.
        QString width;
        bool ok = false;
        svgTexts(w.renderFigure(ExportFormat::Svg, s), &ok, &width);
        QVERIFY(ok);
        QVERIFY2(std::abs(width.chopped(2).toDouble() - s.width / s.dpi * 25.4) < 0.2, qPrintable(width));
    }
    QVERIFY(!FigureSize({10, 100, 96}).validate().isEmpty());
    QVERIFY(!FigureSize({100, 100, 5}).validate().isEmpty());
    QVERIFY_THROWS_EXCEPTION(al::Error, w.renderFigure(ExportFormat::Png, FigureSize{10, 10, 96}));
}

void TestGuiExport::colourMapReachesThePixels()
{
    HeatmapWidget w;
    al::Mat m = al::Mat::Zero(2, 2);
    m(0, 0) = 1.0f;
    w.setMatrix(m, {}, {});
    w.setColorMap(ColorMap::Viridis);
    QImage img = QImage::fromData(w.renderFigure(ExportFormat::Png, {400, 400, 96}), "PNG");
    const int yellow = countNear(img, QColor(0xfd, 0xe7, 0x25), 6);
    QVERIFY2(yellow > 2000, qPrintable(QString::number(yellow))); // the 1.0 cell
    QVERIFY(countNear(img, QColor(0x44, 0x01, 0x54), 6) > 3 * 2000); // three 0.0 cells
    w.setColorMap(ColorMap::Greys);
    img = QImage::fromData(w.renderFigure(ExportFormat::Png, {400, 400, 96}), "PNG");
    QCOMPARE(countNear(img, QColor(0xfd, 0xe7, 0x25), 6), 0);
    QVERIFY(countNear(img, QColor(Qt::black), 4) > 2000);
    // Per-head range: 0.5 becomes the top of the scale.
    m(0, 0) = 0.5f;
    w.setMatrix(m, {}, {});
    w.setColorMap(ColorMap::Viridis);
    w.setColorRange(ColorRange::MinMax);
    img = QImage::fromData(w.renderFigure(ExportFormat::Png, {400, 400, 96}), "PNG");
    QVERIFY(countNear(img, QColor(0xfd, 0xe7, 0x25), 6) > 2000);
    w.setColorRange(ColorRange::Probability);
    img = QImage::fromData(w.renderFigure(ExportFormat::Png, {400, 400, 96}), "PNG");
    QVERIFY(countNear(img, QColor(0xfd, 0xe7, 0x25), 6) < 500); // only the colour scale's top
}

void TestGuiExport::csvQuoting()
{
    QCOMPARE(csvField(QStringLiteral("plain")), QStringLiteral("plain"));
    QCOMPARE(csvField(QStringLiteral("a,b")), QStringLiteral("\"a,b\""));
    QCOMPARE(csvField(QStringLiteral("say \"hi\"")), QStringLiteral("\"say \"\"hi\"\"\""));
    al::Mat m(2, 3);
    m << 0.1f, 1e-9f, 0.333333343f, 0.7f, 123456.789f, -2.5f;
    const QStringList rows{QStringLiteral(","), QStringLiteral("\"")};
    const QStringList cols{QStringLiteral("我"), QStringLiteral("a b "), QStringLiteral("x\ny")};
    compareCsv(matrixCsv(m, rows, cols), m, rows, cols);
    // Missing labels are 1-based positions.
    const QVector<QStringList> parsed = parseCsv(matrixCsv(m, {}, {}));
    QCOMPARE(parsed[0], (QStringList{QStringLiteral("query \\ key"), QStringLiteral("1"), QStringLiteral("2"),
                                     QStringLiteral("3")}));
    QCOMPARE(parsed[2][0], QStringLiteral("2"));
}

void TestGuiExport::plotExport()
{
    QCustomPlot plot;
    QCPGraph* g = plot.addGraph();
    g->setName(QStringLiteral("train, smoothed"));
    g->setData({1, 2, 3}, {4.5, 3.25, 2.125});
    auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
    bars->setData({0, 1}, {0.75, 0.25});
    plot.xAxis->setLabel(QStringLiteral("步 step"));
    const QVector<QStringList> rows = parseCsv(plotCsv(&plot));
    QCOMPARE(rows.size(), 6);
    QCOMPARE(rows[0], (QStringList{QStringLiteral("series"), QStringLiteral("x"), QStringLiteral("y")}));
    QCOMPARE(rows[1], (QStringList{QStringLiteral("train, smoothed"), QStringLiteral("1"), QStringLiteral("4.5")}));
    QCOMPARE(rows[3][2].toDouble(), 2.125);
    QCOMPARE(rows[5], (QStringList{QStringLiteral("series 2"), QStringLiteral("1"), QStringLiteral("0.25")}));

    const QString base = m_tmp.filePath(QStringLiteral("plot."));
    for (ExportFormat f : exportFormats())
        exportPlot(&plot, base + exportFormatId(f), f, {640, 360, 96}, QStringLiteral("Loss 损失"));
    QCOMPARE(QImage(base + QStringLiteral("png")).size(), QSize(640, 360));
    bool ok = false;
    const QStringList texts = svgTexts(readAll(base + QStringLiteral("svg")), &ok);
    QVERIFY(ok);
    QVERIFY2(texts.join(QString()).contains(QStringLiteral("损失")), qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY(texts.join(QString()).contains(QStringLiteral("步")));
    QVERIFY(readAll(base + QStringLiteral("pdf")).startsWith("%PDF-"));
    QCOMPARE(readAll(base + QStringLiteral("csv")), plotCsv(&plot));
    // The temporary title is gone again.
    QCOMPARE(plot.plotLayout()->rowCount(), 1);
}

void TestGuiExport::batchExport()
{
    const al::Trace trace = syntheticTrace();
    AttentionExportRequest r;
    r.kinds = attentionKinds();
    r.formats = {ExportFormat::Svg, ExportFormat::Csv};
    r.size = {600, 0, 96};
    r.directory = m_tmp.filePath(QStringLiteral("batch/all"));
    int calls = 0;
    const QStringList written = exportAttention(trace, r, [&calls](int done, int total) {
        ++calls;
        return done <= total;
    });
    QCOMPARE(written.size(), 3 * 2 * 3 * 2);
    QCOMPARE(calls, written.size());
    QCOMPARE(QDir(r.directory).entryList(QDir::Files).size(), written.size());
    QCOMPARE(QFileInfo(written.first()).fileName(), QStringLiteral("enc_L1_H1.svg"));
    QVERIFY(written.contains(QDir(r.directory).filePath(QStringLiteral("cross_L2_H3.csv"))));
    QCOMPARE(attentionFileName(al::AttentionKind::Cross, 0, 1, ExportFormat::Svg), QStringLiteral("cross_L1_H2.svg"));
    for (al::AttentionKind kind : attentionKinds())
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 3; ++h) {
                const QString csv = QDir(r.directory).filePath(attentionFileName(kind, l, h, ExportFormat::Csv));
                compareCsv(readAll(csv), *selectAttention(trace, {kind, l, h}), queryTokens(trace, kind),
                           keyTokens(trace, kind));
            }
    bool ok = false;
    const QStringList texts = svgTexts(readAll(QDir(r.directory).filePath(QStringLiteral("cross_L2_H1.svg"))), &ok);
    QVERIFY(ok);
    QVERIFY(texts.contains(QStringLiteral("我")));
    QVERIFY(texts.contains(QStringLiteral("love")));
    QVERIFY(texts.join(QLatin1Char(' ')).contains(QStringLiteral("layer 2 · head 1")));

    // One layer, one head; the progress callback can stop the batch.
    r.layer = 1;
    r.head = 2;
    r.kinds = {al::AttentionKind::DecoderSelf};
    r.formats = {ExportFormat::Png};
    r.directory = m_tmp.filePath(QStringLiteral("batch/one"));
    QCOMPARE(exportAttention(trace, r), QStringList{QDir(r.directory).filePath(QStringLiteral("dec_L2_H3.png"))});
    r.layer = r.head = -1;
    r.directory = m_tmp.filePath(QStringLiteral("batch/stopped"));
    QCOMPARE(exportAttention(trace, r, [](int done, int) { return done < 2; }).size(), 2);
}

void TestGuiExport::batchExportChecks()
{
    const al::Trace trace = syntheticTrace();
    AttentionExportRequest r;
    r.kinds = {al::AttentionKind::Cross};
    r.directory = m_tmp.filePath(QStringLiteral("checks"));
    r.layer = 2;
    QCOMPARE(checkAttentionRequest(trace, r), QStringLiteral("--layer 3: cross-attention has 2 layer(s) (1-2)"));
    QVERIFY_THROWS_EXCEPTION(al::Error, exportAttention(trace, r));
    QVERIFY(!QFileInfo::exists(r.directory)); // checked before anything is written
    r.layer = 0;
    r.head = 3;
    QVERIFY(checkAttentionRequest(trace, r).startsWith(QStringLiteral("--head 4: ")));
    r.head = -1;
    QVERIFY(checkAttentionRequest(trace, r).isEmpty());

    // An encoder-only trace: an explicit --kind cross is an error, "all" skips what is missing.
    al::Trace enc = trace;
    enc.cross.clear();
    enc.dec_self.clear();
    QVERIFY(checkAttentionRequest(enc, r).contains(QStringLiteral("records no")));
    r.kinds = attentionKinds();
    QVERIFY(checkAttentionRequest(enc, r).isEmpty());
    r.formats.clear();
    QVERIFY(!checkAttentionRequest(enc, r).isEmpty());
}

void TestGuiExport::exportArgs()
{
    using namespace al::cli;
    ExportOptions o;
    QCOMPARE(parseExportArgs({"--model", "m", "--sentence", "我爱你。", "--out", "o"}, o).kind, ParseStatus::Ok);
    QCOMPARE(o.kinds.size(), 3);
    QCOMPARE(o.layer, -1);
    QCOMPARE(o.head, -1);
    QCOMPARE(o.formats, QVector<ExportFormat>{ExportFormat::Png});
    QCOMPARE(o.size.height, 0);
    QCOMPARE(parseExportArgs({"--model", "m", "--sentence", "s", "--out", "o", "--kind", "cross", "--layer", "2",
                              "--head", "all", "--format", "svg,csv", "--width", "800", "--height", "600", "--dpi",
                              "300", "--colormap", "cividis", "--range", "per-head"},
                             o)
                 .kind,
             ParseStatus::Ok);
    QCOMPARE(o.kinds, QVector<al::AttentionKind>{al::AttentionKind::Cross});
    QCOMPARE(o.layer, 1);
    QCOMPARE(o.head, -1);
    QCOMPARE(o.formats, (QVector<ExportFormat>{ExportFormat::Svg, ExportFormat::Csv}));
    QCOMPARE(o.size.width, 800);
    QCOMPARE(o.size.height, 600);
    QCOMPARE(o.size.dpi, 300.0);
    QCOMPARE(o.colorMap, ColorMap::Cividis);
    QCOMPARE(o.colorRange, ColorRange::MinMax);

    const QStringList base{"export", "--model", "m", "--sentence", "s", "--out", "o"};
    struct Bad {
        QStringList extra;
        const char* names;
    };
    for (const Bad& b : {Bad{{"--kind", "self"}, "--kind"}, Bad{{"--layer", "0"}, "--layer"}, Bad{{"--head", "x"}, "--head"},
                         Bad{{"--format", "jpg"}, "--format"}, Bad{{"--dpi", "5"}, "--dpi"}, Bad{{"--width", "8"}, "--width"},
                         Bad{{"--colormap", "jet"}, "--colormap"}, Bad{{"--range", "log"}, "--range"},
                         Bad{{"--height", "3"}, "--height"}}) {
        const Run r = runArgs(base + b.extra);
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(QString::fromStdString(r.err).contains(QString::fromLatin1(b.names)), r.err.c_str());
    }
    for (const char* missing : {"--model", "--sentence", "--out"}) {
        QStringList args = base;
        const int i = int(args.indexOf(QString::fromLatin1(missing)));
        args.remove(i, 2);
        const Run r = runArgs(args);
        QCOMPARE(r.code, int(ExitUsage));
        QVERIFY2(QString::fromStdString(r.err).contains(QString::fromLatin1(missing) + " is required"), r.err.c_str());
    }
    const Run help = runArgs({"export", "--help"});
    QCOMPARE(help.code, int(ExitOk));
    QVERIFY(help.out.find("--colormap") != std::string::npos);
    const Run top = runArgs({"--help"});
    QVERIFY2(top.out.find("  export ") != std::string::npos, top.out.c_str());
}

void TestGuiExport::exportEndToEnd()
{
    const QString sentence = QStringLiteral("我喜欢猫。");
    const QString out = m_tmp.filePath(QStringLiteral("cli-out"));
    Run r = runArgs({"export", "--model", m_model, "--sentence", sentence, "--kind", "all", "--layer", "all", "--head",
                 "all", "--format", "png,svg,pdf,csv", "--width", "500", "--height", "400", "--out", out});
    QVERIFY2(r.code == 0, r.err.c_str());
    // 3 kinds x 2 layers x 2 heads x 4 formats.
    QCOMPARE(QDir(out).entryList(QDir::Files).size(), 48);
    QVERIFY2(r.out.find("wrote 48 file(s)") != std::string::npos, r.out.c_str());

    // The CSVs hold the numbers of the Trace the model gives for this sentence.
    const al::TranslationModel model = al::load_model_dir(m_model.toStdString());
    al::Trace trace;
    al::translate(model, sentence.toStdString(), 64, &trace);
    for (al::AttentionKind kind : attentionKinds())
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 2; ++h)
                compareCsv(readAll(QDir(out).filePath(attentionFileName(kind, l, h, ExportFormat::Csv))),
                           *selectAttention(trace, {kind, l, h}), queryTokens(trace, kind), keyTokens(trace, kind));
    const QString svgPath = QDir(out).filePath(QStringLiteral("cross_L2_H1.svg"));
    bool ok = false;
    const QStringList texts = svgTexts(readAll(svgPath), &ok);
    QVERIFY(ok);
    QVERIFY2(texts.contains(QStringLiteral("猫")), qPrintable(texts.join(QLatin1Char('|'))));
    QCOMPARE(QImage(QDir(out).filePath(QStringLiteral("enc_L1_H2.png"))).size(), QSize(500, 400));
    QVERIFY(readAll(QDir(out).filePath(QStringLiteral("dec_L2_H2.pdf"))).startsWith("%PDF-"));

    // A bad index is a usage error naming the option; a missing model a runtime failure.
    r = runArgs({"export", "--model", m_model, "--sentence", sentence, "--kind", "cross", "--layer", "3", "--out", out});
    QCOMPARE(r.code, int(al::cli::ExitUsage));
    QVERIFY2(r.err.find("--layer 3: cross-attention has 2 layer(s) (1-2)") != std::string::npos, r.err.c_str());
    r = runArgs({"export", "--model", m_model, "--sentence", sentence, "--head", "5", "--out", out});
    QCOMPARE(r.code, int(al::cli::ExitUsage));
    QVERIFY2(r.err.find("--head 5") != std::string::npos, r.err.c_str());
    r = runArgs({"export", "--model", m_tmp.filePath(QStringLiteral("nope")), "--sentence", sentence, "--out", out});
    QCOMPARE(r.code, int(al::cli::ExitFailure));
    QVERIFY2(r.err.find("nope") != std::string::npos, r.err.c_str());
}

void TestGuiExport::executableWithoutDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(var));
    const QString out = m_tmp.filePath(QStringLiteral("exe-out"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(AL_EXE),
            {"export", "--model", m_model, "--sentence", "我有书。", "--kind", "cross", "--layer", "1", "--head", "2",
             "--format", "svg", "--colormap", "greys", "--out", out});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QString svg = QDir(out).filePath(QStringLiteral("cross_L1_H2.svg"));
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains(svg));
    bool ok = false;
    QVERIFY(svgTexts(readAll(svg), &ok).contains(QStringLiteral("书")));
    QVERIFY(ok);

    p.start(QStringLiteral(AL_EXE), {"export", "--model", m_model, "--sentence", "x", "--out", out, "--layer", "-1"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), int(al::cli::ExitUsage));
}

void TestGuiExport::mainWindowColoursAndBatch()
{
    MainWindow w;
    w.show();
    QVERIFY(w.loadModelDirectory(m_model));
    QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() != nullptr, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), 10000);
    QCOMPARE(w.focusedHeatmap()->exportFileName(), QStringLiteral("enc_L1_H1.png")); // context menu enabled

    w.setHeatmapColors(ColorMap::Cividis, ColorRange::MinMax);
    QVector<HeatmapWidget*> all = w.headHeatmaps();
    QVERIFY(!all.isEmpty());
    all << w.focusedHeatmap();
    for (HeatmapWidget* h : all) {
        QCOMPARE(h->colorMap(), ColorMap::Cividis);
        QCOMPARE(h->colorRange(), ColorRange::MinMax);
    }
    // A choice in the focused heatmap's context menu applies to the whole grid.
    emit w.focusedHeatmap()->colorMapChosen(ColorMap::Greys);
    QCOMPARE(w.heatmapColorMap(), ColorMap::Greys);
    for (HeatmapWidget* h : w.headHeatmaps())
        QCOMPARE(h->colorMap(), ColorMap::Greys);

    AttentionExportRequest r;
    r.kinds = attentionKinds();
    r.formats = {ExportFormat::Csv, ExportFormat::Pdf};
    r.size = {400, 300, 96};
    r.directory = m_tmp.filePath(QStringLiteral("window-batch"));
    const QStringList written = w.exportAttentionTo(r);
    QCOMPARE(written.size(), 3 * 2 * 2 * 2);
    const std::shared_ptr<const al::Trace> trace = w.currentTrace();
    compareCsv(readAll(QDir(r.directory).filePath(QStringLiteral("cross_L2_H2.csv"))),
               *selectAttention(*trace, {al::AttentionKind::Cross, 1, 1}), queryTokens(*trace, al::AttentionKind::Cross),
               keyTokens(*trace, al::AttentionKind::Cross));
    QVERIFY(readAll(QDir(r.directory).filePath(QStringLiteral("enc_L1_H1.pdf"))).startsWith("%PDF-"));
    w.close();
}

void TestGuiExport::exportWhereAFileIsInTheWay()
{
    // A path whose parent is a regular file stops root as it stops anyone.
    const QString blocker = m_tmp.filePath(QStringLiteral("blocker"));
    writeFileAtomically(blocker, "not a directory\n");
    const QString file = blocker + QStringLiteral("/x.csv");
    QString error = errorOf([&] { writeFileAtomically(file, "a,b\n"); });
    QVERIFY2(error.startsWith(QStringLiteral("cannot write '%1': ").arg(file)) && error.size() > file.size() + 17,
             qPrintable(error));
    QVERIFY(!QFileInfo::exists(file));

    const al::Trace trace = syntheticTrace();
    AttentionExportRequest r;
    r.kinds = {al::AttentionKind::Cross};
    r.formats = {ExportFormat::Csv};
    r.directory = blocker + QStringLiteral("/maps");
    error = errorOf([&] { exportAttention(trace, r); });
    QCOMPARE(error, QStringLiteral("cannot create the directory '%1': Not a directory").arg(r.directory));
    QCOMPARE(readAll(blocker), QByteArray("not a directory\n"));

    // The headless export: a runtime failure (exit 1) naming the path and the reason.
    const Run run = runArgs({"export", "--model", m_model, "--sentence", "我有书。", "--format", "csv", "--out", r.directory});
    QCOMPARE(run.code, int(al::cli::ExitFailure));
    QVERIFY2(run.err.find("cannot create the directory '" + r.directory.toStdString() + "': Not a directory")
                 != std::string::npos,
             run.err.c_str());
}

void TestGuiExport::exportIntoAReadOnlyDirectory()
{
    if (::geteuid() == 0)
        QSKIP("running as root: permission bits do not stop root (exportWhereAFileIsInTheWay and "
              "exportOntoAFullDisk reach the same failure path)");
    const QString ro = m_tmp.filePath(QStringLiteral("read-only"));
    QVERIFY(QDir().mkpath(ro));
    QVERIFY(QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const QString file = QDir(ro).filePath(QStringLiteral("plot.png"));
    QCustomPlot plot;
    plot.addGraph()->setData({1, 2}, {3, 4});
    const QString error = errorOf([&] { exportPlot(&plot, file, ExportFormat::Png, {320, 200, 96}); });
    QVERIFY2(error.startsWith(QStringLiteral("cannot write '%1': ").arg(file)) && error.size() > file.size() + 17,
             qPrintable(error));
    const al::Trace trace = syntheticTrace();
    AttentionExportRequest r;
    r.kinds = {al::AttentionKind::Cross};
    r.formats = {ExportFormat::Csv};
    r.directory = ro;
    QVERIFY(errorOf([&] { exportAttention(trace, r); }).startsWith(QStringLiteral("cannot write '%1/").arg(ro)));
    const Run run = runArgs({"export", "--model", m_model, "--sentence", "我有书。", "--format", "png", "--out", ro});
    QCOMPARE(run.code, int(al::cli::ExitFailure));
    QVERIFY2(run.err.find("cannot write '" + ro.toStdString() + "/") != std::string::npos, run.err.c_str());
    QCOMPARE(allEntries(ro), QStringList());
    QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void TestGuiExport::exportOntoAFullDisk()
{
    const QString full = m_tmp.filePath(QStringLiteral("full"));
    QVERIFY(QDir().mkpath(full));
    const QString big = QDir(full).filePath(QStringLiteral("big.csv"));
    const QString png = QDir(full).filePath(QStringLiteral("plot.png"));
    const al::Trace trace = syntheticTrace();
    AttentionExportRequest r;
    r.kinds = {al::AttentionKind::Cross};
    r.layer = 0;
    r.head = 0;
    r.formats = {ExportFormat::Csv, ExportFormat::Svg}; // a CSV of a few hundred bytes, an SVG of tens of KB
    r.size = {600, 0, 96};
    r.directory = full;
    QString bigError, pngError, batchError;
    Run run;
    {
        FileSizeLimit limit(4096);
        QVERIFY(limit.ok());
        bigError = errorOf([&] { writeFileAtomically(big, QByteArray(64 * 1024, 'x')); });
        QCustomPlot plot;
        plot.addGraph()->setData({1, 2, 3}, {3, 1, 2});
        pngError = errorOf([&] { exportPlot(&plot, png, ExportFormat::Png, {1200, 900, 96}); });
        batchError = errorOf([&] { exportAttention(trace, r); });
        run = runArgs({"export", "--model", m_model, "--sentence", "我有书。", "--format", "svg", "--out",
                       QDir(full).filePath(QStringLiteral("cli"))});
    }
    const QString reason = QString::fromLocal8Bit(std::strerror(EFBIG));
    QCOMPARE(bigError, QStringLiteral("cannot write '%1': %2").arg(big, reason));
    QCOMPARE(pngError, QStringLiteral("cannot write '%1': %2").arg(png, reason));
    const QString csv = QDir(full).filePath(QStringLiteral("cross_L1_H1.csv"));
    const QString svg = QDir(full).filePath(QStringLiteral("cross_L1_H1.svg"));
    QCOMPARE(batchError, QStringLiteral("cannot write '%1': %2 (1 of 2 files were written before it)").arg(svg, reason));
    QCOMPARE(run.code, int(al::cli::ExitFailure));
    QVERIFY2(run.err.find("cannot write '" + QDir(full).filePath(QStringLiteral("cli/")).toStdString()) != std::string::npos
                 && run.err.find(reason.toStdString()) != std::string::npos,
             run.err.c_str());
    // No partial file and no temporary file: only the CSV written whole before the SVG failed,
    // and the headless export's (empty) output directory.
    QCOMPARE(allEntries(full), (QStringList{QStringLiteral("cli"), QStringLiteral("cross_L1_H1.csv")}));
    QCOMPARE(allEntries(QDir(full).filePath(QStringLiteral("cli"))), QStringList());
    compareCsv(readAll(csv), *selectAttention(trace, {al::AttentionKind::Cross, 0, 0}),
               queryTokens(trace, al::AttentionKind::Cross), keyTokens(trace, al::AttentionKind::Cross));
}

QTEST_MAIN(TestGuiExport)
#include "test_gui_export.moc"
