// SPDX-License-Identifier: GPL-3.0-or-later
// Lab setups and session files in the main window (offscreen): applying a setup shows it (tab,
// sentence and its translation, attention kind/layer/head, settings values, a demo model and its
// task); an invalid setup changes nothing and names the member; a saved session reopened in a
// fresh window captures the same setup; two runs from one session file give the same loss curve
// step for step, another seed another curve; the window's settings are remembered in a
// temporary INI file; the GUI's command line names a session file.
#include "ui/app/gui_main.h"
#include "ui/view_models/app_settings.h"
#include "ui/view_models/session_file.h"
#include "ui/views/decoding_panel.h"
#include "ui/views/lab_setup_applier.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/main_window.h"
#include "ui/views/overview_panel.h"
#include "ui/views/session_controller.h"
#include "ui/views/settings_panel.h"
#include "ui/views/training_plots_panel.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace al;
using namespace al::ui;

namespace {

constexpr int kTimeoutMs = 30000;

/// Copies the files of a fixture model directory (tests/fixtures/models/<fixture>) to `to`.
bool copyFixture(const QString& fixture, const QString& to)
{
    const QDir from(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/") + fixture);
    if (!QDir().mkpath(to))
        return false;
    for (const QString& name : from.entryList(QDir::Files))
        if (!QFile::copy(from.filePath(name), QDir(to).filePath(name)))
            return false;
    return true;
}

LabSetup setupOf(const char* json)
{
    QString error;
    const std::optional<LabSetup> s = LabSetup::fromJson(QJsonDocument::fromJson(QByteArray(json)).object(), &error);
    if (!s)
        qFatal("bad test setup: %s", qPrintable(error));
    return *s;
}

template <class W>
W* child(QObject& parent, const char* name)
{
    return parent.findChild<W*>(QString::fromLatin1(name));
}

/// A tiny copy task (generated data: no files) at `seed` on 2 threads.
QString tinyCopySetup(int seed)
{
    return QStringLiteral(R"({"settings": {"task": "copy", "symbols": 6, "min_len": 2, "max_len": 5, "pairs": 400,
        "d_model": 16, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1, "dim_feedforward": 32,
        "dropout": 0.1, "warmup_steps": 10, "max_tokens": 120, "seed": %1, "threads": 2}})")
        .arg(seed);
}

} // namespace

class TestGuiSession : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void applyShowsTheSetup();
    void demoModelBringsItsTaskAndSentence();
    void invalidSetupChangesNothing();
    void sessionReopensInAFreshWindow();
    void sameSessionSameLossCurve();
    void setupsDuringTrainingChangeOnlyTheView();
    void settingsAreRemembered();
    void commandLine();

private:
    /// Opens `session` in a fresh window and trains `steps` single steps (Step); the loss of
    /// each step, or empty (and a test failure message in `error`).
    QVector<double> lossCurve(const QString& session, int steps, QString* error);

    QTemporaryDir m_tmp;
    QString m_demos;
};

void TestGuiSession::initTestCase()
{
    // Nothing here reads or writes the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_tmp.filePath("user-settings"));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_tmp.filePath("user-settings"));
    // A demo catalogue from the fixtures (the shipped demo models are not needed).
    QVERIFY(copyFixture("translate", m_tmp.filePath("models/zh-en")));
    QVERIFY(copyFixture("copy", m_tmp.filePath("models/copy")));
    m_demos = m_tmp.filePath("models/demos.json");
    QFile f(m_demos);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "attention-lab-demos", "version": 1, "default": "zh-en",
                "models": [{"id": "zh-en", "task": "translate", "sentence": "我爱你。", "title": {"en": "Chinese → English"}},
                           {"id": "copy", "task": "copy", "sentence": "1 2 3", "title": {"en": "Copy"}}]})");
}

void TestGuiSession::applyShowsTheSetup()
{
    MainWindow w;
    const LabSetup setup = setupOf(R"({"model": "demo:zh-en",
        "settings": {"seed": 42, "warmup_steps": 123, "label_smoothing": 0.2},
        "view": {"tab": "decoding", "sentence": "他很好。", "attention": {"kind": "cross", "layer": 0, "head": 1},
                 "decoding": {"strategy": "beam", "beam_width": 3, "length_penalty": 0}}})");
    LabSetupContext context;
    context.demosFile = m_demos;
    QCOMPARE(applyLabSetup(w, setup, context), QString());
    QVERIFY(w.decodingPanel()->options().strategy == al::DecodingStrategy::Beam);
    QCOMPARE(w.decodingPanel()->options().beam_width, 3);
    QCOMPARE(w.decodingPanel()->options().length_penalty, 0.0);

    QCOMPARE(w.viewTabs()->currentWidget(), static_cast<QWidget*>(w.decodingPanel()));
    QCOMPARE(w.liveTrainingPanel()->sentence(), QString("他很好。"));
    QCOMPARE(w.selection().kind, AttentionKind::Cross);
    QCOMPARE(w.selection().layer, 0);
    QCOMPARE(w.selection().head, 1);
    QCOMPARE(child<QSpinBox>(*w.settingsPanel(), "seedSpin")->value(), 42);
    QCOMPARE(child<QSpinBox>(w, "warmupSpin")->value(), 123);
    QCOMPARE(child<QDoubleSpinBox>(w, "labelSmoothingSpin")->value(), 0.2);
    QCOMPARE(w.trainingRequest().train.seed, uint64_t(42));
    QVERIFY(w.currentModel());
    QCOMPARE(w.sessionController()->modelReference(), QString("demo:zh-en"));
    // The sentence is translated off the GUI thread, as when typed; the selection holds.
    QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() && !w.currentTrace()->src_tokens.empty()
                                 && QString::fromStdString(w.currentTrace()->src_tokens.front()) == "他",
                             kTimeoutMs);
    QCOMPARE(w.selection().kind, AttentionKind::Cross);
    QCOMPARE(w.selection().head, 1);

    // The captured setup names what was applied.
    const LabSetup captured = captureLabSetup(w);
    QCOMPARE(captured.model, std::optional<QString>("demo:zh-en"));
    QCOMPARE(captured.view.tab, std::optional<QString>("decoding"));
    QCOMPARE(captured.view.sentence, std::optional<QString>("他很好。"));
    QCOMPARE(captured.settings.values.seed, 42);
    QCOMPARE(captured.settings.keys, settingsKeys());
    QVERIFY(!captured.lesson);

    // The same model again (not trained since) is not reopened.
    const ModelSnapshot model = w.currentModel();
    QCOMPARE(applyLabSetup(w, setupOf(R"({"model": "demo:zh-en", "view": {"sentence": "我很好。"}})"), context), QString());
    QCOMPARE(w.currentModel(), model);
    QCOMPARE(w.liveTrainingPanel()->sentence(), QString("我很好。"));

    // A view-only setup changes the view and nothing else.
    QCOMPARE(applyLabSetup(w, setupOf(R"({"view": {"tab": "training_plots", "attention": {"head": 0}}})")), QString());
    QCOMPARE(w.viewTabs()->currentWidget(), static_cast<QWidget*>(w.trainingPlotsPanel()));
    QCOMPARE(w.selection().kind, AttentionKind::Cross);
    QCOMPARE(w.selection().head, 0);
    QCOMPARE(child<QSpinBox>(*w.settingsPanel(), "seedSpin")->value(), 42);
}

void TestGuiSession::demoModelBringsItsTaskAndSentence()
{
    MainWindow w;
    LabSetupContext context;
    context.demosFile = m_demos;
    QCOMPARE(applyLabSetup(w, setupOf(R"({"model": "demo:copy"})"), context), QString());
    QCOMPARE(w.task(), QString("copy"));
    QCOMPARE(w.liveTrainingPanel()->sentence(), QString("1 2 3"));
    QVERIFY(w.currentModel());
    // The setup's own task and sentence win over the demo's.
    MainWindow w2;
    QCOMPARE(applyLabSetup(w2, setupOf(R"({"model": "demo:copy", "settings": {"task": "reverse"}, "view": {"sentence": "4 5"}})"),
                           context),
             QString());
    QCOMPARE(w2.task(), QString("reverse"));
    QCOMPARE(w2.liveTrainingPanel()->sentence(), QString("4 5"));
}

void TestGuiSession::invalidSetupChangesNothing()
{
    MainWindow w;
    LabSetupContext context;
    context.demosFile = m_demos;
    const LabSetup before = captureLabSetup(w);
    const std::pair<const char*, const char*> cases[] = {
        {R"({"settings": {"nhead": 99}})", "settings.nhead: 99 is not accepted"},
        {R"({"settings": {"attention": "bogus"}})", "settings.attention: \"bogus\" is not accepted"},
        {R"({"settings": {"pooling": "max", "task": "sentiment"}})", "settings.pooling: \"max\" is not accepted"},
        {R"({"settings": {"task": "bogus"}, "view": {"tab": "overview"}})", "settings.task: unknown task 'bogus'"},
        {R"({"view": {"tab": "overview"}, "settings": {"seed": -5}})", "settings.seed: -5 is not accepted"},
        {R"({"model": "demo:nope", "view": {"tab": "decoding"}})", "model: "},
        {R"({"model": "/no/such/model/dir", "settings": {"seed": 3}})", "model: the model directory"},
    };
    for (const auto& [json, expected] : cases) {
        const QString error = applyLabSetup(w, setupOf(json), context);
        QVERIFY2(error.startsWith(QString::fromUtf8(expected)), qPrintable(error));
        QVERIFY2(captureLabSetup(w) == before, json);
        QVERIFY(!w.currentModel());
    }
}

void TestGuiSession::sessionReopensInAFreshWindow()
{
    QTemporaryDir tmp;
    const QString modelDir = tmp.filePath("models/small");
    QVERIFY(copyFixture("translate", modelDir));
    const QString path = tmp.filePath("sessions/lesson-run.json");
    QVERIFY(QDir().mkpath(tmp.filePath("sessions")));
    LabSetup captured;
    {
        MainWindow a;
        LabSetup setup = setupOf(R"({"settings": {"seed": 5, "label_smoothing": 0.2, "threads": 1, "max_tokens": 777},
            "view": {"tab": "overview", "sentence": "他很好。", "attention": {"kind": "decoder", "layer": 0, "head": 1}}})");
        setup.model = QStringLiteral("../models/small"); // relative to `base`
        LabSetupContext context;
        context.baseDirectory = tmp.filePath("sessions");
        QCOMPARE(applyLabSetup(a, setup, context), QString());
        a.sessionController()->setLesson(LabLesson{QStringLiteral("resources/lessons/01-qkv.json"), 2});
        QTRY_VERIFY_WITH_TIMEOUT(a.currentTrace(), kTimeoutMs);
        QCOMPARE(a.sessionController()->saveSession(path), QString());
        captured = captureLabSetup(a);
    }
    // The file holds every member; the model directory is written absolute.
    QString error;
    const std::optional<LabSetup> file = readSessionFile(path, &error);
    QVERIFY2(file, qPrintable(error));
    QCOMPARE(file->model, std::optional<QString>(QDir(modelDir).absolutePath()));
    QCOMPARE(file->settings.keys, settingsKeys());
    QCOMPARE(file->settings.values.maxTokens, 777);
    QVERIFY(file->view.tab && file->view.sentence && file->view.kind && file->view.layer && file->view.head);
    QVERIFY(file->lesson);

    MainWindow b;
    QSignalSpy lessons(b.sessionController(), &SessionController::lessonRequested);
    QCOMPARE(b.sessionController()->openSession(path), QString());
    QTRY_VERIFY_WITH_TIMEOUT(b.currentTrace(), kTimeoutMs);
    QVERIFY(captureLabSetup(b) == captured);
    QCOMPARE(b.viewTabs()->currentWidget(), static_cast<QWidget*>(b.overviewPanel()));
    QCOMPARE(b.selection().kind, AttentionKind::DecoderSelf);
    QCOMPARE(b.selection().head, 1);
    QCOMPARE(b.liveTrainingPanel()->sentence(), QString("他很好。"));
    QCOMPARE(child<QSpinBox>(b, "maxTokensSpin")->value(), 777);
    QCOMPARE(lessons.count(), 1);
    QCOMPARE(lessons.first().at(0).toString(), QString("resources/lessons/01-qkv.json"));
    QCOMPARE(lessons.first().at(1).toInt(), 2);

    // A broken session names the file and member and changes nothing.
    const QString bad = tmp.filePath("sessions/bad.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"format": "attention-lab-session", "version": 1, "view": {"attention": {"layer": "first"}}})");
    f.close();
    error = b.sessionController()->openSession(bad);
    QVERIFY2(error.contains("bad.json: view.attention.layer: expected an integer >= 0"), qPrintable(error));
    QVERIFY(captureLabSetup(b) == captured);
}

QVector<double> TestGuiSession::lossCurve(const QString& session, int steps, QString* error)
{
    MainWindow w;
    *error = w.sessionController()->openSession(session);
    if (!error->isEmpty())
        return {};
    for (int i = 1; i <= steps; ++i) {
        w.stepOnce(); // idle: a paused run with one step; paused: one more step
        if (!QTest::qWaitFor([&] { return w.curveStore()->steps().size() >= i; }, kTimeoutMs)) {
            *error = QStringLiteral("step %1 did not arrive").arg(i);
            return {};
        }
    }
    QVector<double> expectedSteps;
    for (int i = 1; i <= steps; ++i)
        expectedSteps << i;
    if (w.curveStore()->steps() != expectedSteps)
        *error = QStringLiteral("one loss per step expected");
    const QVector<double> loss = w.curveStore()->loss();
    w.trainingController()->shutdown();
    return loss;
}

void TestGuiSession::sameSessionSameLossCurve()
{
    QTemporaryDir tmp;
    const QString seven = tmp.filePath("seed7.json");
    const QString eight = tmp.filePath("seed8.json");
    {
        // Full sessions, as File > Save session writes them.
        MainWindow w;
        QCOMPARE(applyLabSetup(w, setupOf(tinyCopySetup(7).toUtf8().constData())), QString());
        QCOMPARE(w.sessionController()->saveSession(seven), QString());
        QCOMPARE(applyLabSetup(w, setupOf(R"({"settings": {"seed": 8}})")), QString());
        QCOMPARE(w.sessionController()->saveSession(eight), QString());
    }
    constexpr int kSteps = 20;
    QString error;
    const QVector<double> first = lossCurve(seven, kSteps, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QVector<double> second = lossCurve(seven, kSteps, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QVector<double> other = lossCurve(eight, kSteps, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(first.size(), kSteps);
    for (double l : first)
        QVERIFY(std::isfinite(l) && l > 0);
    QCOMPARE(second, first); // bit for bit
    QVERIFY(other != first);
    int differing = 0;
    for (int i = 0; i < kSteps; ++i)
        differing += other[i] != first[i];
    QVERIFY2(differing > kSteps / 2, "another seed: another initialisation and data, so most steps differ");
}

void TestGuiSession::setupsDuringTrainingChangeOnlyTheView()
{
    MainWindow w;
    QCOMPARE(applyLabSetup(w, setupOf(tinyCopySetup(3).toUtf8().constData())), QString());
    w.stepOnce();
    QTRY_VERIFY_WITH_TIMEOUT(!w.curveStore()->steps().isEmpty(), kTimeoutMs);
    QVERIFY(w.trainingController()->isActive());
    QString error = applyLabSetup(w, setupOf(R"({"settings": {"seed": 1}, "view": {"tab": "overview"}})"));
    QVERIFY2(error.startsWith("settings: training is running"), qPrintable(error));
    QCOMPARE(w.viewTabs()->currentIndex(), 0);
    error = applyLabSetup(w, setupOf(R"({"model": "demo:zh-en"})"));
    QVERIFY2(error.startsWith("model: training is running"), qPrintable(error));
    QCOMPARE(applyLabSetup(w, setupOf(R"({"view": {"tab": "overview", "sentence": "1 2"}})")), QString());
    QCOMPARE(w.viewTabs()->currentWidget(), static_cast<QWidget*>(w.overviewPanel()));
    QCOMPARE(w.liveTrainingPanel()->sentence(), QString("1 2"));
    w.trainingController()->shutdown();
}

void TestGuiSession::settingsAreRemembered()
{
    QTemporaryDir tmp;
    const QString ini = tmp.filePath("lab.ini");
    const QString modelDir = tmp.filePath("model");
    QVERIFY(copyFixture("translate", modelDir));
    QList<int> sizes;
    QSize size;
    {
        MainWindow a;
        a.sessionController()->rememberSettings(std::make_unique<AppSettings>(ini));
        a.resize(1300, 820);
        a.show();
        QVERIFY(QTest::qWaitForWindowExposed(&a));
        auto* splitter = child<QSplitter>(a, "mainSplitter");
        QVERIFY(splitter);
        splitter->setSizes({300, 420, 560});
        sizes = splitter->sizes();
        size = a.size();
        a.setHeatmapColors(ColorMap::Magma, ColorRange::MinMax);
        QVERIFY(a.loadModelDirectory(modelDir));
        QCOMPARE(a.sessionController()->saveSession(tmp.filePath("s.json")), QString());
        a.close(); // closeEvent writes the settings
    }
    {
        const AppSettings saved(ini);
        QCOMPARE(saved.splitterSizes(), sizes);
        QVERIFY(!saved.windowGeometry().isEmpty());
        QVERIFY(!saved.windowState().isEmpty());
        QVERIFY(saved.heatmapColorMap() == ColorMap::Magma);
        QVERIFY(saved.heatmapColorRange() == ColorRange::MinMax);
        QCOMPARE(saved.lastModelDirectory(), QDir(modelDir).absolutePath());
        QCOMPARE(saved.lastSessionFile(), QFileInfo(tmp.filePath("s.json")).absoluteFilePath());
    }
    MainWindow b;
    QVERIFY(b.heatmapColorMap() != ColorMap::Magma);
    b.sessionController()->rememberSettings(std::make_unique<AppSettings>(ini));
    QVERIFY(b.heatmapColorMap() == ColorMap::Magma);
    QVERIFY(b.heatmapColorRange() == ColorRange::MinMax);
    QCOMPARE(b.sessionController()->lastModelDirectory(), QDir(modelDir).absolutePath());
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    QCOMPARE(b.size(), size);
    QCOMPARE(child<QSplitter>(b, "mainSplitter")->sizes(), sizes);
    // A window that remembers nothing writes nothing.
    MainWindow c;
    c.setHeatmapColors(ColorMap::Greys, ColorRange::Probability);
    c.close();
    QVERIFY(AppSettings(ini).heatmapColorMap() == ColorMap::Magma);
}

void TestGuiSession::commandLine()
{
    QString error;
    std::optional<GuiArguments> a = parseGuiArguments({"attention-lab"}, &error);
    QVERIFY(a && a->sessionFile.isEmpty());
    a = parseGuiArguments({"attention-lab", "--session", "run.json"}, &error);
    QVERIFY(a);
    QCOMPARE(a->sessionFile, QString("run.json"));
    a = parseGuiArguments({"attention-lab", "lessons/qkv.JSON"}, &error);
    QVERIFY(a);
    QCOMPARE(a->sessionFile, QString("lessons/qkv.JSON"));
    QVERIFY(!parseGuiArguments({"attention-lab", "--bogus"}, &error));
    QVERIFY2(error.contains("bogus"), qPrintable(error));
    QVERIFY(!parseGuiArguments({"attention-lab", "notes.txt"}, &error));
    QVERIFY2(error.contains("notes.txt"), qPrintable(error));
    QVERIFY(!parseGuiArguments({"attention-lab", "--session", "a.json", "b.json"}, &error));
    QVERIFY2(error.contains("a.json") && error.contains("b.json"), qPrintable(error));
}

QTEST_MAIN(TestGuiSession)
#include "test_gui_session.moc"
