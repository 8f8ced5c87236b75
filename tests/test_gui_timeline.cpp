// SPDX-License-Identifier: GPL-3.0-or-later
// The training timeline seen from the GUI library and the command line: the widget-free view
// (frames, curves, nearest step, difference of two steps), the exports (the GIF decoded back with
// giflib: frame count, size, palette, cell colours; the PNG frames; the CSV's figures), the
// recording of a tiny `train` run, and `attention-lab export --timeline` on its model directory.
#include "app/export_command.h"
#include "engine/core/error.h"
#include "engine/io/model_dir.h"
#include "engine/io/safetensors.h"
#include "tests/cli_test_support.h"
#include "tests/gui_test_support.h"
#include "ui/export/timeline_export.h"
#include "ui/view_models/timeline_view.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/lab_setup_applier.h"
#include "ui/views/main_window.h"
#include "ui/views/timeline_panel.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QSlider>
#include <QTabWidget>
#include <QtTest>
#include <qcustomplot.h>

#include <gif_lib.h>

#include <cmath>
#include <sstream>

using namespace al;
using namespace al::ui;
using al::cli::ExportOptions;
using al::cli::parseExportArgs;
using al::cli::runExport;

namespace {

// Two probes: probe 0 with one encoder layer of two heads whose head 0 moves from uniform
// attention to the diagonal over the steps; probe 1 with a map that grows by one token at step 4.
TimelineSnapshot makeTimeline()
{
    auto t = std::make_shared<TrainingTimeline>(std::vector<TimelineProbe>{{"a b c", {}, {}}, {"x y", {}, {}}});
    const int n = 3;
    for (int64_t step : {0, 1, 2, 4}) {
        TimelineFrame a;
        a.src_tokens = {"a", "b", "<eos>"};
        const float w = float(step) / 4.0f; // 0 .. 1
        MapF head0 = (1 - w) * MapF::Constant(n, n, 1.0f / n) + w * MapF::Identity(n, n);
        MapF head1 = MapF::Zero(n, n);
        head1.col(0).setOnes();
        a.maps[size_t(AttentionKind::EncoderSelf)] = {{head0, head1}};
        TimelineFrame b;
        const int m = step < 4 ? 2 : 3;
        for (int i = 0; i < m; ++i) b.src_tokens.push_back("y" + std::to_string(i));
        b.maps[size_t(AttentionKind::EncoderSelf)] = {{MapF::Constant(m, m, 1.0f / m), MapF::Constant(m, m, 1.0f / m)}};
        if (!t->add(step, step == 0 ? NAN : 3.0 - double(step) / 2, {a, b})) qFatal("timeline refused step %d", int(step));
    }
    return t;
}

QStringList csvLines(const QByteArray& bytes) { return QString::fromUtf8(bytes).split('\n', Qt::SkipEmptyParts); }

} // namespace

class TestGuiTimeline : public QObject {
    Q_OBJECT
private slots:
    void viewGivesFramesCurvesNearestAndDifference()
    {
        const TimelineView view(makeTimeline());
        QCOMPARE(view.stepCount(), 4);
        QCOMPARE(view.stepAt(3), qint64(4));
        QCOMPARE(view.nearestStepIndex(3), 2);   // steps 2 and 4: the earlier
        QCOMPARE(view.nearestStepIndex(100), 3);
        QCOMPARE(view.kinds(), QVector<AttentionKind>{AttentionKind::EncoderSelf});
        QCOMPARE(view.layers(AttentionKind::EncoderSelf), 1);
        QCOMPARE(view.heads(AttentionKind::EncoderSelf), 2);
        QVERIFY(view.check({AttentionKind::Cross, 0, 0, 0}).contains("no cross-attention"));
        QCOMPARE(view.check({AttentionKind::EncoderSelf, 1, 0, 0}), QString("layer 2: encoder self-attention has 1 layer(s) (1-1)"));
        const TimelineSelection head0{AttentionKind::EncoderSelf, 0, 0, 0};
        const TimelineFrameView f = view.frame(head0, 3);
        QCOMPARE(f.step, qint64(4));
        QCOMPARE(f.loss, 1.0);
        QCOMPARE(f.rowTokens, QStringList({"a", "b", "<eos>"}));
        QVERIFY(f.map.isApprox(MapF::Identity(3, 3)));
        const TimelineCurves c = view.curves(head0);
        QCOMPARE(c.steps, QVector<double>({0, 1, 2, 4}));
        QVERIFY(std::isnan(c.loss[0]));
        QVERIFY(std::abs(c.entropy[0] - std::log(3.0)) < 1e-6);
        QVERIFY(std::abs(c.entropy[3]) < 1e-6);
        const auto diag = c.agreement[size_t(TimelinePattern::Diagonal)];
        QVERIFY(std::abs(diag[0] - 1.0 / 3) < 1e-6 && std::abs(diag[3] - 1.0) < 1e-6);
        QVERIFY(c.applies[size_t(TimelinePattern::Previous)]);
        QVERIFY(!c.applies[size_t(TimelinePattern::Alignment)]);
        const MapF d = view.difference(head0, 0, 3);
        QVERIFY(std::abs(d(0, 0) - (1 - 1.0f / 3)) < 1e-6f && std::abs(d(0, 1) + 1.0f / 3) < 1e-6f);
        bool refused = false;
        try {
            view.difference({AttentionKind::EncoderSelf, 0, 0, 1}, 0, 3);
        } catch (const Error& e) {
            refused = QString(e.what()).contains("step 0 (2 x 2) and step 4 (3 x 3)");
        }
        QVERIFY(refused);
    }

    /// Two models' timelines: the same head of the same probe text at the other's nearest step.
    void viewComparesTwoModels()
    {
        const TimelineView mine(makeTimeline());
        // The other model: probe "a b c" second, its head 0 always uniform, records at 0 and 3.
        auto o = std::make_shared<TrainingTimeline>(std::vector<TimelineProbe>{{"other", {}, {}}, {"a b c", {}, {}}});
        for (int64_t step : {0, 3}) {
            TimelineFrame x, a;
            x.src_tokens = {"o"};
            x.maps[size_t(AttentionKind::EncoderSelf)] = {{MapF::Ones(1, 1), MapF::Ones(1, 1)}};
            a.src_tokens = {"a", "b", "<eos>"};
            a.maps[size_t(AttentionKind::EncoderSelf)] = {{MapF::Constant(3, 3, 1.0f / 3), MapF::Constant(3, 3, 1.0f / 3)}};
            QVERIFY(o->add(step, NAN, {x, a}));
        }
        const TimelineView other(o);
        const TimelineSelection head0{AttentionKind::EncoderSelf, 0, 0, 0};
        const TimelineModelComparison c = mine.compareWithModel(head0, 3, other); // step 4 -> the other's step 3
        QCOMPARE(c.otherProbe, 1);
        QCOMPARE(c.otherIndex, 1);
        QCOMPARE(c.other.step, qint64(3));
        QVERIFY((c.difference - (MapF::Identity(3, 3) - MapF::Constant(3, 3, 1.0f / 3))).cwiseAbs().maxCoeff() < 1e-6f);
        auto refusal = [&](const TimelineSelection& s, const TimelineView& v) {
            try {
                mine.compareWithModel(s, 3, v);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString();
        };
        // Probe "x y" is not among the other's probes; the other has no head 3; no timeline at all.
        QVERIFY(refusal({AttentionKind::EncoderSelf, 0, 0, 1}, other).contains("no probe \"x y\""));
        QVERIFY(refusal({AttentionKind::EncoderSelf, 0, 2, 0}, other).contains("head 3"));
        QVERIFY(refusal(head0, TimelineView()).contains("no training timeline"));
        // Different tokens (another tokeniser) cannot be subtracted.
        auto t = std::make_shared<TrainingTimeline>(std::vector<TimelineProbe>{{"a b c", {}, {}}});
        TimelineFrame a;
        a.src_tokens = {"a", "bc", "<eos>"};
        a.maps[size_t(AttentionKind::EncoderSelf)] = {{MapF::Identity(3, 3), MapF::Identity(3, 3)}};
        QVERIFY(t->add(0, NAN, {a}));
        QVERIFY2(refusal(head0, TimelineView(t)).contains("differ in tokens"), qPrintable(refusal(head0, TimelineView(t))));
    }

    void gifDecodesToTheFramesInPaletteColours()
    {
        const TimelineView view(makeTimeline());
        TimelineExportRequest r;
        r.selection = {AttentionKind::EncoderSelf, 0, 1, 0}; // head 1: column 0 all ones
        r.colorMap = ColorMap::Magma;
        const QImage first = renderTimelineFrame(view, r, 0);
        const QByteArray gif = timelineGif(view, r);
        QVERIFY(gif.startsWith("GIF89a"));
        QTemporaryDir tmp;
        const QString path = tmp.filePath("t.gif");
        writeFileAtomically(path, gif);
        int err = 0;
        GifFileType* g = DGifOpenFileName(QFile::encodeName(path).constData(), &err);
        QVERIFY(g);
        QCOMPARE(DGifSlurp(g), GIF_OK);
        QCOMPARE(g->ImageCount, view.stepCount());
        QCOMPARE(g->SWidth, first.width());
        QCOMPARE(g->SHeight, first.height());
        QVERIFY(g->SColorMap);
        QCOMPARE(g->SColorMap->ColorCount, 256);
        const QVector<QRgb> palette = timelinePalette(ColorMap::Magma);
        for (int i = 0; i < 256; ++i) {
            const GifColorType c = g->SColorMap->Colors[i];
            QCOMPARE(qRgb(c.Red, c.Green, c.Blue), palette[i] | 0xff000000u);
        }
        // The decoded pixels are the quantised rendering, and a cell of weight 1 (row 0, key 0)
        // and of weight 0 (row 0, key 1) carry their palette indices.
        const QByteArray expected = quantizeToPalette(first, palette);
        const SavedImage& frame0 = g->SavedImages[0];
        QCOMPARE(frame0.ImageDesc.Width, first.width());
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(frame0.RasterBits), expected.size()), expected);
        QHash<int, int> counts;
        for (char c : expected) counts[uchar(c)]++;
        QVERIFY(counts.value(timelinePaletteIndex(1.0)) >= 9);   // three cells of weight 1 at >= 6 px each side... at least
        QVERIFY(counts.value(timelinePaletteIndex(0.0)) >= 9);
        // Every frame has a delay; the last is held longer.
        GraphicsControlBlock gcb0, gcbLast;
        QCOMPARE(DGifSavedExtensionToGCB(g, 0, &gcb0), GIF_OK);
        QCOMPARE(DGifSavedExtensionToGCB(g, g->ImageCount - 1, &gcbLast), GIF_OK);
        QCOMPARE(gcb0.DelayTime, r.delayCentiseconds);
        QCOMPARE(gcbLast.DelayTime, 4 * r.delayCentiseconds);
        DGifCloseFile(g, &err);
        // Frames of a probe whose tokens change share the largest size.
        TimelineExportRequest growing;
        growing.selection = {AttentionKind::EncoderSelf, 0, 0, 1};
        QCOMPARE(renderTimelineFrame(view, growing, 0).size(), renderTimelineFrame(view, growing, 3).size());
    }

    void pngFramesAndCsv()
    {
        const TimelineView view(makeTimeline());
        QTemporaryDir tmp;
        TimelineExportRequest r;
        r.grid = true;
        const QStringList written = exportTimeline(view, r, tmp.filePath("out"));
        QCOMPARE(written.size(), 2 + 4);
        QVERIFY(written[0].endsWith("enc_grid.gif"));
        const QString frames = tmp.filePath("out/enc_grid_frames");
        QCOMPARE(QDir(frames).entryList({"frame_*.png"}, QDir::Files, QDir::Name),
                 QStringList({"frame_0001.png", "frame_0002.png", "frame_0003.png", "frame_0004.png"}));
        const QImage png(QDir(frames).filePath("frame_0004.png"));
        QCOMPARE(png.size(), renderTimelineFrame(view, r, 3).size());
        QFile csvFile(tmp.filePath("out/enc_grid.csv"));
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QStringList lines = csvLines(csvFile.readAll());
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QString("step,loss,enc_L1_H1_entropy,enc_L1_H1_diagonal,enc_L1_H1_previous,enc_L1_H1_first,"
                                   "enc_L1_H2_entropy,enc_L1_H2_diagonal,enc_L1_H2_previous,enc_L1_H2_first"));
        const QStringList row0 = lines[1].split(','), row3 = lines[4].split(',');
        QCOMPARE(row0[0], QString("0"));
        QCOMPARE(row0[1], QString()); // no loss at step 0
        QVERIFY(std::abs(row0[2].toDouble() - std::log(3.0)) < 1e-6);
        QCOMPARE(row3[0], QString("4"));
        QCOMPARE(row3[1].toDouble(), 1.0);
        QVERIFY(std::abs(row3[3].toDouble() - 1.0) < 1e-6);  // head 1 on the diagonal at step 4
        QCOMPARE(row3[9].toDouble(), 1.0);                   // head 2 on the first token
        QVERIFY(std::abs(row3[7].toDouble() - 1.0 / 3) < 1e-8); // head 2 diagonal: only row 0
        // A .csv or .gif path writes that file alone.
        QCOMPARE(exportTimeline(view, r, tmp.filePath("one.csv")), QStringList{tmp.filePath("one.csv")});
        QVERIFY(QFileInfo(tmp.filePath("one.csv")).size() > 0);
    }

    void trainRecordsAndExportWritesTheTimeline()
    {
        QTemporaryDir tmp;
        const QString model = tmp.filePath("m");
        const QStringList tiny = {"train", "--task", "reverse", "--task-vocab", "6", "--min-len", "3", "--max-len", "5",
                                  "--task-pairs", "200", "--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "16",
                                  "--steps", "40", "--threads", "1", "--log-seconds", "1000", "--samples", "0"};
        al::test::CliRun r = al::test::runCliArgs(tiny + QStringList{"--out", model, "--timeline-probe", "1 2 3 4"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.out.find("timeline: ") != std::string::npos, r.out.c_str());
        ModelConfig cfg;
        cfg.nhead = 2;
        cfg.num_encoder_layers = cfg.num_decoder_layers = 1;
        const TrainingTimeline t = read_model_timeline(QFile::encodeName(model).toStdString(), cfg);
        QCOMPARE(t.probes().size(), size_t(1));
        QCOMPARE(t.probes()[0].text, std::string("1 2 3 4"));
        std::vector<int64_t> steps;
        for (const auto& rec : t.records()) steps.push_back(rec->step);
        QCOMPARE(steps, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26,
                                               28, 30, 32, 36, 40}));
        QVERIFY(std::isnan(t.records()[0]->loss));
        QVERIFY(std::isfinite(t.records()[1]->loss) && t.records()[1]->loss > 0);
        QCOMPARE(t.records()[0]->frames[0].kind(AttentionKind::Cross).size(), size_t(1));

        // Headless export of the recorded head.
        ExportOptions o;
        QCOMPARE(parseExportArgs({"--timeline", "--model", model, "--kind", "cross", "--head", "2", "--out", tmp.filePath("x")}, o).kind,
                 al::cli::ParseStatus::Ok);
        std::ostringstream out, err;
        QCOMPARE(runExport(o, out, err), 0);
        QVERIFY2(QFileInfo(tmp.filePath("x/cross_L1_H2.gif")).size() > 0, out.str().c_str());
        QCOMPARE(QDir(tmp.filePath("x/cross_L1_H2_frames")).entryList(QDir::Files).size(), int(steps.size()));
        QVERIFY(parseExportArgs({"--timeline", "--model", model, "--grid", "--head", "1", "--out", "y"}, o).kind !=
                al::cli::ParseStatus::Ok);
        QCOMPARE(parseExportArgs({"--timeline", "--model", model, "--layer", "3", "--out", tmp.filePath("z")}, o).kind,
                 al::cli::ParseStatus::Ok);
        std::ostringstream out2, err2;
        QCOMPARE(runExport(o, out2, err2), int(al::cli::ExitUsage));
        QVERIFY2(err2.str().find("--layer 3: encoder self-attention has 1 layer(s) (1-1)") != std::string::npos, err2.str().c_str());

        // --timeline false records nothing and the save drops the old timeline.
        r = al::test::runCliArgs(tiny + QStringList{"--out", model, "--timeline", "false"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY(!QFileInfo::exists(QDir(model).filePath("timeline.json")));
        QVERIFY(!QFileInfo::exists(QDir(model).filePath("timeline.safetensors")));
    }

    void timelineTabScrubsPlaysAndDiffers()
    {
        TimelinePanel panel;
        panel.resize(1000, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.messageText().contains(QStringLiteral("No training timeline")));
        const TimelineSnapshot t = makeTimeline();
        panel.setTimeline(t);
        // The scrubber starts on the newest step: head 0 is the diagonal at step 4.
        QCOMPARE(panel.stepIndex(), 3);
        QVERIFY((panel.heatmap()->matrix() - Mat::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-6);
        QVERIFY(panel.heatmap()->title().contains(QStringLiteral("step 4")));
        panel.setStepIndex(0);
        QVERIFY((panel.heatmap()->matrix() - Mat::Constant(3, 3, 1.0f / 3)).cwiseAbs().maxCoeff() < 1e-6);
        // Step 4 beside step 0, and their difference: identity minus uniform.
        panel.setStepIndex(3);
        QVERIFY(!panel.comparisonHeatmap()->isVisible());
        panel.setDifferenceBase(0);
        QVERIFY(panel.comparisonHeatmap()->isVisible() && panel.differenceHeatmap()->isVisible());
        QVERIFY((panel.heatmap()->matrix() - Mat::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-6);
        QVERIFY((panel.comparisonHeatmap()->matrix() - Mat::Constant(3, 3, 1.0f / 3)).cwiseAbs().maxCoeff() < 1e-6);
        QVERIFY((panel.differenceHeatmap()->matrix() - (Mat::Identity(3, 3) - Mat::Constant(3, 3, 1.0f / 3))).cwiseAbs().maxCoeff() < 1e-6);
        QVERIFY(panel.differenceHeatmap()->title().contains(QStringLiteral("step 4 minus step 0")));
        panel.setDifferenceBase(-1);
        QVERIFY(!panel.comparisonHeatmap()->isVisible());
        // Loss, entropy and the patterns that apply to encoder self-attention (not the alignment).
        QCOMPARE(panel.curvesPlot()->graphCount(), 2 + 3);
        QCOMPARE(panel.curvesPlot()->graph(1)->dataCount(), 4);
        // Play runs from the start to the newest step and stops there.
        panel.setPlaying(true);
        QVERIFY(panel.isPlaying());
        QCOMPARE(panel.stepIndex(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel.stepIndex(), 3, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isPlaying(), 5000);
        // Probe 1's map grows at step 4: its difference is refused with the reason.
        TimelineSelection sel = panel.selection();
        sel.probe = 1;
        panel.setSelection(sel);
        panel.setDifferenceBase(0);
        QVERIFY2(panel.messageText().contains(QStringLiteral("differ in shape")), qPrintable(panel.messageText()));
        panel.setTimeline({});
        QVERIFY(panel.messageText().contains(QStringLiteral("No training timeline")));
    }

    /// "Compare with: another model": a model directory's timeline is read off the GUI thread
    /// and its head shown beside this one's with the difference; a directory without one is
    /// refused in the message line.
    void timelineTabComparesWithAModelDirectory()
    {
        QTemporaryDir tmp;
        const std::string fixture = std::string(AL_SOURCE_DIR) + "/tests/fixtures/models/translate";
        const QString dir = tmp.filePath("other"), bare = tmp.filePath("bare");
        convert_model_dir(fixture, dir.toStdString(), StorageDtype::F32);
        convert_model_dir(fixture, bare.toStdString(), StorageDtype::F32);
        // The fixture has nhead 2 and one encoder layer, like makeTimeline()'s maps.
        const TimelineSnapshot t = makeTimeline();
        write_model_timeline(dir.toStdString(), t.get());
        QCOMPARE(readModelTimeline(dir)->records().size(), t->records().size());
        TimelinePanel panel;
        panel.resize(1000, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setTimeline(t);
        panel.compareWithModelDirectory(bare);
        QTRY_VERIFY2(panel.messageText().contains(QStringLiteral("has no training timeline")), qPrintable(panel.messageText()));
        panel.compareWithModelDirectory(dir);
        QTRY_VERIFY(panel.differenceHeatmap()->title().contains(QStringLiteral("this model minus other")));
        QVERIFY(panel.comparisonHeatmap()->isVisible());
        // The same timeline on both sides: no difference anywhere.
        QVERIFY(panel.differenceHeatmap()->matrix().cwiseAbs().maxCoeff() < 1e-7);
        QVERIFY((panel.comparisonHeatmap()->matrix() - panel.heatmap()->matrix()).cwiseAbs().maxCoeff() < 1e-7);
        panel.setComparisonTimeline({}, {});
        QVERIFY(!panel.comparisonHeatmap()->isVisible());
    }

    void mainWindowHasTheTimelineTab()
    {
        QVERIFY(labTabIds().contains(QStringLiteral("timeline")));
        MainWindow w;
        const int index = w.viewTabs()->indexOf(w.timelinePanel());
        QVERIFY(index >= 0);
        QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Timeline"));
    }

    /// A session's or a lesson step's head (kind, layer, head) is the one the Timeline tab shows
    /// too, on the reverse demo's own recorded history.
    void sessionHeadIsTheTimelineHead()
    {
        MainWindow w;
        LabSetupContext context;
        context.demosFile = QStringLiteral(AL_SOURCE_DIR "/resources/models/demos.json");
        LabSetup setup;
        setup.model = QStringLiteral("demo:reverse");
        setup.view.tab = QStringLiteral("timeline");
        setup.view.kind = AttentionKind::Cross;
        setup.view.layer = 1;
        setup.view.head = 2;
        QCOMPARE(applyLabSetup(w, setup, context), QString());
        QCOMPARE(w.viewTabs()->currentWidget(), static_cast<QWidget*>(w.timelinePanel()));
        const TimelineSelection sel = w.timelinePanel()->selection();
        QCOMPARE(sel.kind, AttentionKind::Cross);
        QCOMPARE(sel.layer, 1);
        QCOMPARE(sel.head, 2);
        QVERIFY2(w.timelinePanel()->heatmap()->title().contains(QStringLiteral("layer 2 · head 3")),
                 qPrintable(w.timelinePanel()->heatmap()->title()));
        // Another head later: the timeline follows again.
        setup = LabSetup{};
        setup.view.kind = AttentionKind::EncoderSelf;
        setup.view.head = 0;
        QCOMPARE(applyLabSetup(w, setup, context), QString());
        QCOMPARE(w.timelinePanel()->selection().kind, AttentionKind::EncoderSelf);
        QCOMPARE(w.timelinePanel()->selection().layer, 1);
        QCOMPARE(w.timelinePanel()->selection().head, 0);
    }
};

AL_GUI_TEST_MAIN(TestGuiTimeline)
#include "test_gui_timeline.moc"
