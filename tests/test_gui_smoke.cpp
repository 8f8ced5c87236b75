// SPDX-License-Identifier: GPL-3.0-or-later
// GUI smoke test (offscreen): the widget-free helpers, the heatmap widget, the training and
// inference controllers without a window, and the main window training a tiny model.
#include "gui_test_support.h"
#include "ui/app/app_paths.h"
#include "ui/view_models/attention_selection.h"
#include "ui/app/gui_main.h"
#include "ui/views/heatmap_widget.h"
#include "ui/workers/inference_worker.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"
#include "ui/views/timeline_panel.h"
#include "ui/workers/training_worker.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {

constexpr int kTimeoutMs = 120000;

al::Mat uniformRows(int rows, int cols)
{
    return al::Mat::Constant(rows, cols, al::Scalar(1) / al::Scalar(cols));
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
            al::Mat m = uniformRows(5, 5);
            m(0, 0) = al::Scalar(l * 10 + h); // marks which map this is
            t.enc_self.back().push_back(m);
            t.dec_self.back().push_back(uniformRows(5, 5));
            t.cross.back().push_back(uniformRows(5, 5));
        }
    }
    return t;
}

TrainingRequest tinyRequest(const QString& corpus)
{
    TrainingRequest r;
    r.corpusPath = corpus;
    r.srcColumn = 1;
    r.tgtColumn = 0;
    r.model.d_model = 32;
    r.model.nhead = 2;
    r.model.num_encoder_layers = 1;
    r.model.num_decoder_layers = 1;
    r.model.dim_feedforward = 64;
    r.train.max_tokens = 256;
    r.train.warmup_steps = 50;
    r.train.threads = 1;
    r.evalEverySteps = 20;
    r.evalMaxPairs = 50;
    return r;
}

} // namespace

/// Qt Test case for the GUI library.
class TestGuiSmoke : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void selectionHelpers();
    void tickLabels();
    void exportFileNames();
    void resourcePaths();
    void heatmapWidget();
    void heatmapSingleCell();

    void controllerTrainsAndStops();
    void controllerStartsPaused();
    void inferenceCoalesces();
    void mainWindowTrains();
    void closeWhileTraining();
    void synthesizerVariantTrains();
    void blockOptionsTrain();

private:
    QTemporaryDir m_tmp;
    QString m_corpus;
};

void TestGuiSmoke::initTestCase()
{
    m_corpus = al::test::write_small_cmn_corpus(m_tmp, 200);
    QVERIFY2(!m_corpus.isEmpty(), "cannot copy the bundled corpus");
}

void TestGuiSmoke::selectionHelpers()
{
    const al::Trace t = syntheticTrace();
    QCOMPARE(layerCount(t, al::AttentionKind::EncoderSelf), 2);
    QCOMPARE(headCount(t, al::AttentionKind::Cross, 1), 3);
    QCOMPARE(headCount(t, al::AttentionKind::Cross, 2), 0);
    QCOMPARE(headCount(t, al::AttentionKind::Cross, -1), 0);

    const al::Mat* m = selectAttention(t, {al::AttentionKind::EncoderSelf, 1, 2});
    QVERIFY(m);
    QCOMPARE(double((*m)(0, 0)), 12.0);
    QVERIFY(!selectAttention(t, {al::AttentionKind::EncoderSelf, 2, 0}));
    QVERIFY(!selectAttention(t, {al::AttentionKind::EncoderSelf, 0, 3}));
    QVERIFY(!selectAttention(al::Trace{}, {al::AttentionKind::Cross, 0, 0}));

    QCOMPARE(queryTokens(t, al::AttentionKind::EncoderSelf).first(), QStringLiteral("我"));
    QCOMPARE(keyTokens(t, al::AttentionKind::EncoderSelf).last(), QStringLiteral("<eos>"));
    QCOMPARE(queryTokens(t, al::AttentionKind::DecoderSelf).first(), QStringLiteral("<bos>"));
    QCOMPARE(keyTokens(t, al::AttentionKind::DecoderSelf).first(), QStringLiteral("<bos>"));
    QCOMPARE(queryTokens(t, al::AttentionKind::Cross).first(), QStringLiteral("i"));
    QCOMPARE(keyTokens(t, al::AttentionKind::Cross).first(), QStringLiteral("我"));

    const AttentionSelection c = clampSelection(t, {al::AttentionKind::DecoderSelf, 7, -3});
    QCOMPARE(c.layer, 1);
    QCOMPARE(c.head, 0);
    QCOMPARE(attentionKinds().size(), 3);
    QCOMPARE(attentionKindName(al::AttentionKind::DecoderSelf), QStringLiteral("Decoder masked self-attention"));
}

void TestGuiSmoke::tickLabels()
{
    const TickLabels t = makeTickLabels({QStringLiteral("我"), QStringLiteral("internationalization")}, 3, 8);
    QCOMPARE(t.positions, (QVector<double>{0, 1, 2}));
    QCOMPARE(t.labels[0], QStringLiteral("我"));
    QCOMPARE(t.labels[1], QStringLiteral("interna…"));
    QCOMPARE(t.labels[1].size(), 8);
    QCOMPARE(t.labels[2], QStringLiteral("3")); // missing label -> 1-based position
    QVERIFY(makeTickLabels({}, 0).labels.isEmpty());
    const TickLabels every3 = makeTickLabels({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                                              QStringLiteral("d")}, 7, 12, 3);
    QCOMPARE(every3.positions, (QVector<double>{0, 3, 6}));
    QCOMPARE(every3.labels, (QVector<QString>{QStringLiteral("a"), QStringLiteral("d"), QStringLiteral("7")}));
    QCOMPARE(tickStride(10, 200, 15), 1);  // 20 px per label
    QCOMPARE(tickStride(60, 300, 15), 3);  // 5 px per label
    QCOMPARE(tickStride(1, 5, 15), 1);
    QCOMPARE(tickStride(8, 10, 15), 8);    // no room: the first label only
    QVERIFY(makeTickLabels({QStringLiteral("a")}, -2).positions.isEmpty());
}

void TestGuiSmoke::exportFileNames()
{
    QCOMPARE(defaultExportFileName({al::AttentionKind::EncoderSelf, 0, 1}),
             QStringLiteral("attention_enc-self_layer1_head2.png"));
    QCOMPARE(defaultExportFileName({al::AttentionKind::Cross, 2, 0}, QStringLiteral("svg")),
             QStringLiteral("attention_cross_layer3_head1.svg"));
    QCOMPARE(defaultExportFileName({al::AttentionKind::DecoderSelf, 0, 0}),
             QStringLiteral("attention_dec-self_layer1_head1.png"));
}

void TestGuiSmoke::resourcePaths()
{
    const QStringList dirs = resourceDirCandidates(QStringLiteral("/opt/al/bin"), QStringLiteral("/src/resources"));
    QCOMPARE(dirs.first(), QStringLiteral("/opt/al/share/attention-lab"));
    QCOMPARE(dirs.last(), QStringLiteral("/src/resources"));
    QVERIFY(dirs.contains(QStringLiteral("/opt/al/bin/resources")));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("bin")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("share/attention-lab/data")));
    QFile f(dir.filePath(QStringLiteral("share/attention-lab/data/x.txt")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    QCOMPARE(findResourceFile(QStringLiteral("data/x.txt"), dir.filePath(QStringLiteral("bin")), QString()),
             QFileInfo(f).absoluteFilePath());
    QVERIFY(findResourceFile(QStringLiteral("data/none.txt"), dir.filePath(QStringLiteral("bin")), QString()).isEmpty());
    // The bundled corpus is found (here through AL_RESOURCE_DIR, the source tree).
    QVERIFY(QFileInfo(findBundledCorpus()).isFile());
}

void TestGuiSmoke::heatmapWidget()
{
    HeatmapWidget w;
    w.resize(500, 400);
    w.show();
    QVERIFY(!w.hasData());
    al::Mat m(3, 4);
    m << 0.1f, 0.2f, 0.3f, 0.4f,
         1.0f, 0.0f, 0.0f, 0.0f,
         0.25f, 0.25f, 0.25f, 0.25f;
    const QStringList q{QStringLiteral("<bos>"), QStringLiteral("i"), QStringLiteral("love")};
    const QStringList k{QStringLiteral("我"), QStringLiteral("爱"), QStringLiteral("你"), QStringLiteral("<eos>")};
    w.setMatrix(m, q, k);
    QVERIFY(w.hasData());
    QCOMPARE(w.queryCount(), 3);
    QCOMPARE(w.keyCount(), 4);
    QCOMPARE(w.cellValue(1, 0), 1.0);
    QVERIFY(std::abs(w.cellValue(0, 3) - 0.4) < 1e-6);
    QVERIFY(std::isnan(w.cellValue(3, 0)));
    QCOMPARE(w.queryTickLabels(), q);
    QCOMPARE(w.keyTickLabels(), k);

    const QString png = m_tmp.filePath(QStringLiteral("heatmap.png"));
    QVERIFY(w.exportPng(png, 640, 480));
    QImage img(png);
    QCOMPARE(img.size(), QSize(640, 480));

    w.setCompact(true);
    QVERIFY(w.isCompact());
    QVERIFY(w.exportPng(png, 120, 100));
    QCOMPARE(QImage(png).size(), QSize(120, 100));
    QSignalSpy clicked(&w, &HeatmapWidget::clicked);
    QTest::mouseClick(w.plot(), Qt::LeftButton, {}, w.plot()->rect().center());
    QCOMPARE(clicked.count(), 1);
    w.setCompact(false);
    w.clearMatrix();
    QVERIFY(!w.hasData());
    QVERIFY(w.keyTickLabels().isEmpty());
}

void TestGuiSmoke::heatmapSingleCell()
{
    HeatmapWidget w;
    al::Mat m(1, 2);
    m << 0.7f, 0.3f;
    w.setMatrix(m, {QStringLiteral("<eos>")}, {QStringLiteral("a"), QStringLiteral("b")});
    QCOMPARE(w.queryCount(), 1);
    QCOMPARE(w.keyCount(), 2);
    QVERIFY(std::abs(w.cellValue(0, 0) - 0.7) < 1e-6);
    QCOMPARE(w.queryTickLabels(), QStringList{QStringLiteral("<eos>")});
}

void TestGuiSmoke::controllerTrainsAndStops()
{
    TrainingController controller;
    QSignalSpy started(&controller, &TrainingController::started);
    QSignalSpy metrics(&controller, &TrainingController::metrics);
    QSignalSpy snapshots(&controller, &TrainingController::snapshotReady);
    QSignalSpy validated(&controller, &TrainingController::validated);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy errors(&controller, &TrainingController::error);

    QVERIFY(controller.start(tinyRequest(m_corpus)));
    QVERIFY(!controller.start(tinyRequest(m_corpus))); // one run at a time
    QPointer<QThread> thread = controller.workerThread();
    QVERIFY(thread);
    QVERIFY(thread != QThread::currentThread());

    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 3 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QCOMPARE(started.count(), 1);
    const auto info = started.first().first().value<TrainingInfo>();
    QVERIFY(info.trainPairs > 100);
    QVERIFY(info.srcVocabSize > 4 && info.tgtVocabSize > 4);
    QCOMPARE(info.model.d_model, 32);

    const auto m0 = metrics.at(0).first().value<TrainingMetrics>();
    const auto m2 = metrics.at(2).first().value<TrainingMetrics>();
    QVERIFY(m0.step >= 1);
    QVERIFY(m2.step > m0.step);
    QVERIFY(std::isfinite(m2.loss) && m2.loss > 0);
    QVERIFY(m2.learningRate > 0);
    QVERIFY(m2.tokensPerSecond > 0);
    QCOMPARE(controller.state(), TrainingController::State::Running);

    // Pause holds the step; Step advances exactly one.
    QSignalSpy workerPaused(&controller, &TrainingController::workerPaused);
    controller.pause();
    QCOMPARE(controller.state(), TrainingController::State::Paused);
    QTRY_VERIFY_WITH_TIMEOUT(!workerPaused.isEmpty(), kTimeoutMs);
    QCOMPARE(workerPaused.last().first().toBool(), true);
    QVERIFY(!snapshots.isEmpty());
    const int settled = metrics.count(); // queued in order: every chunk before the pause has landed
    const qint64 pausedStep = settled > 0 ? metrics.last().first().value<TrainingMetrics>().step : 0;
    controller.stepOnce();
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() == settled + 1, kTimeoutMs);
    QCOMPARE(metrics.last().first().value<TrainingMetrics>().step, pausedStep + 1);
    controller.resume();
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() > settled + 3, kTimeoutMs);

    // Saving while training goes through the worker thread (with the optimizer state).
    QSignalSpy saved(&controller, &TrainingController::saveFinished);
    const QString dir = m_tmp.filePath(QStringLiteral("running-save"));
    QVERIFY(controller.saveModel(dir));
    QTRY_VERIFY_WITH_TIMEOUT(saved.count() == 1, kTimeoutMs);
    QVERIFY2(saved.first().at(1).toString().isEmpty(), qPrintable(saved.first().at(1).toString()));
    QVERIFY(QFileInfo(QDir(dir).filePath(QStringLiteral("config.json"))).isFile());
    QVERIFY(QFileInfo(QDir(dir).filePath(QStringLiteral("optimizer.safetensors"))).isFile());

    controller.stop();
    QCOMPARE(controller.state(), TrainingController::State::Stopping);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
    QCOMPARE(controller.state(), TrainingController::State::Idle);
    QVERIFY(!controller.workerThread());
    QVERIFY(thread.isNull()); // joined and deleted
    QVERIFY(!validated.isEmpty()); // at least the final validation
    QVERIFY(!snapshots.isEmpty());
    QVERIFY(snapshots.last().first().value<ModelSnapshot>());
    QVERIFY(errors.isEmpty());

    // A missing corpus is an error signal, not a crash, and the thread still ends.
    TrainingRequest bad = tinyRequest(m_tmp.filePath(QStringLiteral("missing.tsv")));
    QVERIFY(controller.start(bad));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, kTimeoutMs);
    QCOMPARE(errors.count(), 1);
    QVERIFY(errors.first().first().toString().contains(QStringLiteral("missing.tsv")));
    QVERIFY(!controller.workerThread());
}

void TestGuiSmoke::controllerStartsPaused()
{
    // What Step does when idle: a paused run that performs exactly one step.
    TrainingController controller;
    QSignalSpy metrics(&controller, &TrainingController::metrics);
    QSignalSpy snapshots(&controller, &TrainingController::snapshotReady);
    QSignalSpy finished(&controller, &TrainingController::finished);
    TrainingRequest r = tinyRequest(m_corpus);
    r.startPaused = true;
    QVERIFY(controller.start(r));
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() == 1, kTimeoutMs);
    QCOMPARE(metrics.first().first().value<TrainingMetrics>().step, qint64(1));
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 2, kTimeoutMs); // step 0 and step 1
    QCOMPARE(snapshots.last().at(1).toLongLong(), qint64(1));
    QCOMPARE(controller.state(), TrainingController::State::Paused);
    controller.stepOnce();
    controller.stepOnce();
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 2
                                 && metrics.last().first().value<TrainingMetrics>().step == 3, kTimeoutMs);
    controller.stop();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
    QCOMPARE(finished.first().first().toLongLong(), qint64(3));
}

void TestGuiSmoke::inferenceCoalesces()
{
    // A model of its own: the snapshot of a paused run after its one step.
    ModelSnapshot model;
    {
        TrainingController controller;
        QSignalSpy snapshots(&controller, &TrainingController::snapshotReady);
        QSignalSpy finished(&controller, &TrainingController::finished);
        TrainingRequest r = tinyRequest(m_corpus);
        r.startPaused = true;
        QVERIFY(controller.start(r));
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 2, kTimeoutMs); // step 0 and step 1
        controller.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
        model = snapshots.last().first().value<ModelSnapshot>();
    }
    QVERIFY(model);
    InferenceController inference;
    QSignalSpy results(&inference, &InferenceController::translated);
    inference.setModel(model, 7);
    for (int i = 0; i < 30; ++i)
        inference.setSentence(QStringLiteral("我爱你") + QString(i % 5, QChar(0x3002)) + QString::number(i));
    inference.setSentence(QStringLiteral("我爱你。"));
    QTRY_VERIFY_WITH_TIMEOUT(!results.isEmpty()
                                 && results.last().first().value<InferenceResult>().sentence == QStringLiteral("我爱你。"),
                             kTimeoutMs);
    quint64 lastId = 0;
    for (const QList<QVariant>& args : results) { // in order, never an older request after a newer one
        const quint64 id = args.first().value<InferenceResult>().requestId;
        QVERIFY(id > lastId);
        lastId = id;
    }
    const auto r = results.last().first().value<InferenceResult>();
    QVERIFY2(r.errorMessage.isEmpty(), qPrintable(r.errorMessage));
    QCOMPARE(r.modelStep, qint64(7));
    QVERIFY(r.trace);
    QVERIFY(!r.srcTokens.isEmpty());
    QVERIFY(!r.trace->enc_self.empty());
    QCOMPARE(int(r.trace->enc_self.size()), 1);
    QCOMPARE(int(r.trace->enc_self[0].size()), 2);
    inference.shutdown();

    // Coalescing, deterministically: a worker on this thread only runs when events are processed,
    // so ten submissions in a row become one translation of the newest request.
    InferenceWorker worker;
    QSignalSpy direct(&worker, &InferenceWorker::translated);
    quint64 newest = 0;
    for (int i = 0; i < 10; ++i)
        newest = worker.submit(QStringLiteral("你好%1").arg(i), model, i, 16);
    QTRY_COMPARE(direct.count(), 1);
    const auto only = direct.first().first().value<InferenceResult>();
    QCOMPARE(only.requestId, newest);
    QCOMPARE(only.sentence, QStringLiteral("你好9"));
    QCOMPARE(only.modelStep, qint64(9));
    QCoreApplication::processEvents();
    QCOMPARE(direct.count(), 1);
}

void TestGuiSmoke::mainWindowTrains()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto spin = [&w](const char* name) {
        auto* s = w.findChild<QSpinBox*>(QString::fromLatin1(name));
        if (!s)
            qFatal("no spin box %s", name);
        return s;
    };
    // The paper-scale defaults are shown first.
    QCOMPARE(spin("dModelSpin")->value(), 256);
    QCOMPARE(spin("headsSpin")->value(), 4);
    QCOMPARE(spin("encoderLayersSpin")->value(), 3);
    QCOMPARE(spin("decoderLayersSpin")->value(), 3);
    QCOMPARE(spin("feedForwardSpin")->value(), 1024);
    QCOMPARE(w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->text(), QStringLiteral("我爱你。"));
    QVERIFY(QFileInfo(w.corpusPath()).isFile()); // bundled corpus found

    spin("dModelSpin")->setValue(32);
    spin("headsSpin")->setValue(2);
    spin("encoderLayersSpin")->setValue(1);
    spin("decoderLayersSpin")->setValue(1);
    spin("feedForwardSpin")->setValue(64);
    spin("maxTokensSpin")->setValue(256);
    spin("warmupSpin")->setValue(50);
    w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(m_corpus);
    const TrainingRequest req = w.trainingRequest();
    QCOMPARE(req.model.d_model, 32);
    QCOMPARE(req.srcColumn, 1);
    QCOMPARE(req.corpusPath, m_corpus);

    TrainingController* controller = w.trainingController();
    QSignalSpy metrics(controller, &TrainingController::metrics);
    QSignalSpy errors(controller, &TrainingController::error);
    QSignalSpy finished(controller, &TrainingController::finished);
    auto* train = w.findChild<QPushButton*>(QStringLiteral("trainButton"));
    QTest::mouseClick(train, Qt::LeftButton);
    QVERIFY(controller->isActive());
    QVERIFY(!spin("dModelSpin")->isEnabled()); // settings locked while training
    QPointer<QThread> thread = controller->workerThread();
    QVERIFY(thread);

    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 2 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QVERIFY(metrics.last().first().value<TrainingMetrics>().step > metrics.first().first().value<TrainingMetrics>().step);

    HeatmapWidget* focused = w.focusedHeatmap();
    QTRY_VERIFY_WITH_TIMEOUT(focused->hasData(), kTimeoutMs);
    QVERIFY(focused->queryCount() > 0 && focused->keyCount() > 0);
    QVERIFY(focused->keyTickLabels().contains(QStringLiteral("我")));
    QVERIFY(focused->keyTickLabels().contains(QStringLiteral("<eos>")));
    QTRY_COMPARE_WITH_TIMEOUT(w.headHeatmaps().size(), 2, kTimeoutMs);
    QVERIFY(w.headHeatmaps().at(1)->hasData());

    // Clicking a thumbnail focuses that head.
    QTest::mouseClick(w.headHeatmaps().at(1)->plot(), Qt::LeftButton, {},
                      w.headHeatmaps().at(1)->plot()->rect().center());
    QTRY_COMPARE(w.selection().head, 1);
    QTRY_VERIFY(w.headHeatmaps().at(1)->isSelected());
    // Cross-attention: queries are the produced tokens, keys the source.
    auto* kind = w.findChild<QComboBox*>(QStringLiteral("kindCombo"));
    QVERIFY(kind);
    kind->setCurrentIndex(2);
    QTRY_COMPARE(w.selection().kind, al::AttentionKind::Cross);
    QTRY_VERIFY(focused->hasData() && focused->keyTickLabels().contains(QStringLiteral("我")));

    auto* stop = w.findChild<QPushButton*>(QStringLiteral("stopButton"));
    QVERIFY(stop->isEnabled());
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
    QVERIFY(!controller->isActive());
    QVERIFY(thread.isNull());
    QVERIFY(train->isEnabled());
    QVERIFY(spin("dModelSpin")->isEnabled());

    const QString png = m_tmp.filePath(QStringLiteral("focused.png"));
    QVERIFY(focused->exportPng(png, 900, 700));
    QCOMPARE(QImage(png).size(), QSize(900, 700));

    // Save through the snapshot path (idle), then reopen it.
    const QString dir = m_tmp.filePath(QStringLiteral("model"));
    QVERIFY(w.saveModelTo(dir));
    QVERIFY(QFileInfo(QDir(dir).filePath(QStringLiteral("config.json"))).isFile());
    QVERIFY(w.loadModelDirectory(dir));
    QVERIFY(w.trainingRequest().resumeFrom);
    QVERIFY(!spin("dModelSpin")->isEnabled()); // the opened model fixes the architecture
    QCOMPARE(spin("dModelSpin")->value(), 32);

    // Train continues the opened model (the answer to Train's question, given beforehand).
    w.settingsPanel()->chooseContinue(true);
    QSignalSpy started(controller, &TrainingController::started);
    QTest::mouseClick(train, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QCOMPARE(started.first().first().value<TrainingInfo>().model.d_model, 32);
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, kTimeoutMs);
    QVERIFY(errors.isEmpty());
}

void TestGuiSmoke::closeWhileTraining()
{
    auto* w = new MainWindow;
    w->show();
    w->findChild<QSpinBox*>(QStringLiteral("dModelSpin"))->setValue(32);
    w->findChild<QSpinBox*>(QStringLiteral("headsSpin"))->setValue(2);
    w->findChild<QSpinBox*>(QStringLiteral("encoderLayersSpin"))->setValue(1);
    w->findChild<QSpinBox*>(QStringLiteral("decoderLayersSpin"))->setValue(1);
    w->findChild<QSpinBox*>(QStringLiteral("feedForwardSpin"))->setValue(64);
    w->findChild<QSpinBox*>(QStringLiteral("maxTokensSpin"))->setValue(256);
    w->findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(m_corpus);
    QSignalSpy metrics(w->trainingController(), &TrainingController::metrics);
    w->startTraining();
    QPointer<QThread> thread = w->trainingController()->workerThread();
    QVERIFY(thread);
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 1, kTimeoutMs);
    QVERIFY(w->close());
    QVERIFY(thread.isNull()); // close() joined the thread
    delete w;
}

void TestGuiSmoke::synthesizerVariantTrains()
{
    MainWindow w;
    w.show();
    auto* combo = w.findChild<QComboBox*>(QStringLiteral("attentionCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 9);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("vanilla"));
    combo->setCurrentIndex(combo->findData(QStringLiteral("random+dense")));
    w.findChild<QSpinBox*>(QStringLiteral("dModelSpin"))->setValue(32);
    w.findChild<QSpinBox*>(QStringLiteral("headsSpin"))->setValue(2);
    w.findChild<QSpinBox*>(QStringLiteral("encoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("decoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("feedForwardSpin"))->setValue(64);
    w.findChild<QSpinBox*>(QStringLiteral("maxTokensSpin"))->setValue(256);
    w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(m_corpus);
    QCOMPARE(QString::fromStdString(w.trainingRequest().model.attention), QStringLiteral("random+dense"));
    QSignalSpy started(w.trainingController(), &TrainingController::started);
    QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
    QSignalSpy errors(w.trainingController(), &TrainingController::error);
    w.startTraining();
    QVERIFY(!combo->isEnabled()); // locked while training
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 2 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QVERIFY(started.first().first().value<TrainingInfo>().synthesizerParameters > 0);
    QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), kTimeoutMs);
    // The run's training timeline reaches the Timeline tab while it trains: step 0 and later
    // steps, the sentence box's text among the probes, a map of the model's heads.
    TimelinePanel* timeline = w.timelinePanel();
    QTRY_VERIFY_WITH_TIMEOUT(timeline->view().stepCount() >= 3, kTimeoutMs);
    QCOMPARE(timeline->view().stepAt(0), qint64(0));
    QCOMPARE(timeline->view().heads(al::AttentionKind::EncoderSelf), 2);
    QVERIFY(timeline->heatmap()->hasData());
    QVERIFY(!timeline->messageText().contains(QStringLiteral("No training timeline")));
    QVERIFY(w.close());
}

void TestGuiSmoke::blockOptionsTrain()
{
    // The attention/block settings reach the training request and a model with all of them trains.
    MainWindow w;
    w.show();
    const TrainingRequest defaults = w.trainingRequest();
    QCOMPARE(QString::fromStdString(defaults.model.attention_scoring), QStringLiteral("scaled_dot"));
    QCOMPARE(QString::fromStdString(defaults.model.attention_normalization), QStringLiteral("softmax"));
    QCOMPARE(defaults.model.attention_window, 0);
    QCOMPARE(QString::fromStdString(defaults.model.positional_encoding), QStringLiteral("sinusoidal"));
    QCOMPARE(QString::fromStdString(defaults.model.norm), QStringLiteral("layernorm"));
    QCOMPARE(QString::fromStdString(defaults.model.activation), QStringLiteral("relu"));
    QVERIFY(!defaults.model.norm_first);
    auto choose = [&](const char* name, const char* key) {
        auto* combo = w.findChild<QComboBox*>(QString::fromLatin1(name));
        QVERIFY2(combo, name);
        const int i = combo->findData(QString::fromLatin1(key));
        QVERIFY2(i >= 0, key);
        combo->setCurrentIndex(i);
    };
    choose("scoringCombo", "additive");
    choose("normalizationCombo", "relu");
    choose("positionalCombo", "learned");
    choose("normCombo", "batchnorm");
    choose("activationCombo", "gelu");
    w.findChild<QSpinBox*>(QStringLiteral("windowSpin"))->setValue(3);
    w.findChild<QCheckBox*>(QStringLiteral("preLnCheck"))->setChecked(true);
    w.findChild<QSpinBox*>(QStringLiteral("dModelSpin"))->setValue(32);
    w.findChild<QSpinBox*>(QStringLiteral("headsSpin"))->setValue(2);
    w.findChild<QSpinBox*>(QStringLiteral("encoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("decoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("feedForwardSpin"))->setValue(64);
    w.findChild<QSpinBox*>(QStringLiteral("maxTokensSpin"))->setValue(256);
    w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(m_corpus);
    const al::ModelConfig m = w.trainingRequest().model;
    QCOMPARE(QString::fromStdString(m.attention_scoring), QStringLiteral("additive"));
    QCOMPARE(QString::fromStdString(m.attention_normalization), QStringLiteral("relu"));
    QCOMPARE(m.attention_window, 3);
    QCOMPARE(QString::fromStdString(m.positional_encoding), QStringLiteral("learned"));
    QCOMPARE(QString::fromStdString(m.norm), QStringLiteral("batchnorm"));
    QCOMPARE(QString::fromStdString(m.activation), QStringLiteral("gelu"));
    QVERIFY(m.norm_first);
    QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
    QSignalSpy errors(w.trainingController(), &TrainingController::error);
    w.startTraining();
    QVERIFY(!w.findChild<QComboBox*>(QStringLiteral("normCombo"))->isEnabled()); // locked while training
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 2 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
    QTRY_VERIFY_WITH_TIMEOUT(w.focusedHeatmap()->hasData(), kTimeoutMs);
    QVERIFY(w.close());
}

AL_GUI_TEST_MAIN(TestGuiSmoke)

#include "test_gui_smoke.moc"
