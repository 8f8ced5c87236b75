// SPDX-License-Identifier: GPL-3.0-or-later
// Demo models (offscreen) from a temporary demo folder made of the test fixtures: start-up opens
// the default one with its sentence translated and its attention shown, File > Open demo model
// lists and opens every one, Train asks whether to continue the open model, and the
// executable's start-up time (`attention-lab --startup-time`, printed, not asserted).
#include "gui_test_support.h"
#include "ui/views/demo_models.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QtTest>

using namespace al::ui;

namespace {

bool copyDirectory(const QString& from, const QString& to)
{
    if (!QDir().mkpath(to))
        return false;
    for (const QString& name : QDir(from).entryList(QDir::Files))
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name)))
            return false;
    return true;
}

/// tests/fixtures/models/translate as "zh-en" (the default) and charlm as "charlm".
bool writeDemoFolder(const QTemporaryDir& dir)
{
    const QString fixtures = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/");
    if (!copyDirectory(fixtures + "translate", dir.filePath("zh-en")) || !copyDirectory(fixtures + "charlm", dir.filePath("charlm")))
        return false;
    QFile f(dir.filePath("demos.json"));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(R"({"format": "attention-lab-demos", "version": 1, "default": "zh-en", "models": [
      {"id": "zh-en", "task": "translate", "sentence": "我爱你。",
       "title": {"en": "Chinese → English translation", "zh_CN": "中译英翻译"}, "about": {"en": "Tatoeba."}},
      {"id": "charlm", "task": "charlm", "sentence": "To be",
       "title": {"en": "Character language model"}},
      {"id": "pos-en", "task": "pos", "sentence": "the dog runs", "title": {"en": "Part-of-speech tagger"}}]})");
    return true;
}

} // namespace

class TestGuiDemoModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_demos.isValid());
        QVERIFY(writeDemoFolder(m_demos));
        qputenv("AL_DEMO_DIR", m_demos.path().toLocal8Bit());
    }

    void startUpOpensTheDefaultDemoWithItsSentence()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.demoModels()->errorMessage().isEmpty());
        w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->setText(QStringLiteral("他"));
        QVERIFY(w.demoModels()->openDefault());
        QCOMPARE(w.task(), QStringLiteral("translate"));
        QCOMPARE(w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->text(), QStringLiteral("我爱你。"));
        QVERIFY(w.currentModel());
        // The translation and its attention, of that sentence.
        // (The model first runs on the sentence the box held when it opened; the demo's replaces it.)
        QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() && w.focusedHeatmap()->hasData()
                                     && QString::fromStdString(w.currentTrace()->src_tokens.front()) == QStringLiteral("我"),
                                 20000);
        QVERIFY(!w.taskOutputText().isEmpty());
        QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("Chinese → English translation")));
    }

    void theMenuListsAndOpensEveryDemo()
    {
        MainWindow w;
        w.show();
        QMenu* menu = w.demoModels()->menu();
        QStringList titles;
        for (QAction* a : menu->actions())
            titles << a->text();
        QCOMPARE(titles, (QStringList{"Chinese → English translation", "Character language model", "Part-of-speech tagger"}));
        QVERIFY(menu->actions().at(0)->isEnabled());
        QVERIFY(!menu->actions().at(2)->isEnabled()); // pos-en has no directory
        // The menu is under File.
        bool underFile = false;
        for (QAction* a : w.menuBar()->actions())
            if (a->menu())
                for (QAction* b : a->menu()->actions())
                    underFile |= b->menu() == menu;
        QVERIFY(underFile);

        w.findChild<QAction*>(QStringLiteral("demo:charlm"))->trigger();
        QCOMPARE(w.task(), QStringLiteral("charlm"));
        QVERIFY(w.currentTaskModel());
        QCOMPARE(w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->text(), QStringLiteral("To be"));
        QTRY_VERIFY_WITH_TIMEOUT(w.currentTrace() && w.focusedHeatmap()->hasData(), 20000);
        QVERIFY(!w.demoModels()->open(QStringLiteral("pos-en")));
        QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("not installed")));
        QVERIFY(!w.demoModels()->open(QStringLiteral("nope")));
    }

    void withoutDemosTheWindowOpensEmpty()
    {
        QTemporaryDir empty;
        qputenv("AL_DEMO_DIR", empty.path().toLocal8Bit());
        MainWindow w;
        qputenv("AL_DEMO_DIR", m_demos.path().toLocal8Bit());
        QVERIFY(w.demoModels()->catalog().isEmpty());
        QVERIFY(!w.demoModels()->openDefault());
        QVERIFY(!w.currentModel());
        QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("No demo models")));
        QCOMPARE(w.demoModels()->menu()->actions().size(), 1);
        QVERIFY(!w.demoModels()->menu()->actions().first()->isEnabled());
    }

    void trainAsksWhetherToContinue()
    {
        QTemporaryDir tmp;
        const QString corpus = al::test::write_small_cmn_corpus(tmp, 300);
        MainWindow w;
        w.show();
        QVERIFY(w.demoModels()->openDefault());
        w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(corpus);
        TrainingController* c = w.trainingController();
        QSignalSpy started(c, &TrainingController::started);

        auto question = [&w]() { return w.findChild<QMessageBox*>(QStringLiteral("trainQuestion")); };
        w.startTraining();
        QTRY_VERIFY(question() && question()->isVisible());
        QCOMPARE(c->state(), TrainingController::State::Idle);
        QVERIFY(question()->findChild<QPushButton*>(QStringLiteral("continueTrainingButton")));
        question()->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!question());
        QCOMPARE(c->state(), TrainingController::State::Idle);

        // "Start from scratch": a new model, step 0.
        w.startTraining();
        QTRY_VERIFY(question());
        question()->findChild<QPushButton*>(QStringLiteral("startFromScratchButton"))->click();
        QVERIFY(w.settingsPanel()->continueChosen());
        QVERIFY(!w.trainingRequest().resumeFrom);
        QTRY_VERIFY_WITH_TIMEOUT(started.count() == 1, 60000);
        QCOMPARE(started.first().first().value<TrainingInfo>().startStep, 0);
        QSignalSpy metrics(c, &TrainingController::metrics);
        QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 1, 60000);
        w.stopTraining();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Idle, 60000);

        // The run's model is the open one now: Train asks again; "Continue training" continues it.
        w.startTraining();
        QTRY_VERIFY(question());
        question()->findChild<QPushButton*>(QStringLiteral("continueTrainingButton"))->click();
        QVERIFY(w.settingsPanel()->form()->resumes());
        QVERIFY(w.trainingRequest().resumeFrom); // the last run's weights
        QTRY_VERIFY_WITH_TIMEOUT(started.count() == 2, 60000);
        w.stopTraining();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Idle, 60000);

        // A choice made beforehand (the box clicked, or chooseContinue): no question.
        w.settingsPanel()->chooseContinue(false);
        w.startTraining();
        QVERIFY(!question());
        QVERIFY(c->isActive());
        w.stopTraining();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Idle, 60000);
    }

    void startUpTimeOfTheExecutable()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // The program remembers its window and files in QSettings: a folder of the test's own,
        // not the user's configuration.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path());
        env.insert(QStringLiteral("AL_DEMO_DIR"), m_demos.path());
        if (env.value(QStringLiteral("QT_QPA_PLATFORM")).isEmpty())
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(AL_EXE), {QStringLiteral("--startup-time")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QStringList parts = out.trimmed().split(QLatin1Char(' '));
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts[0], QStringLiteral("startup_ms"));
        bool ok = false;
        const int ms = parts[1].toInt(&ok);
        QVERIFY(ok && ms > 0);
        qInfo("attention-lab --startup-time (fixture zh-en model, %s): %d ms to the first attention map drawn",
              qPrintable(env.value(QStringLiteral("QT_QPA_PLATFORM"))), ms);

        // Without demo models it says so and fails.
        QTemporaryDir empty;
        env.insert(QStringLiteral("AL_DEMO_DIR"), empty.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(AL_EXE), {QStringLiteral("--startup-time")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("no demo model")));
    }

    void theExecutableOpensASessionFile()
    {
        // `--session FILE` (which QApplication would take for X11 session management if the lab
        // read it after constructing one) and a positional FILE.json open the session, not the
        // default demo; with --startup-time a session that cannot be opened ends the program.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto writeSession = [&](const char* name, const QByteArray& model) {
            QFile f(dir.filePath(QString::fromLatin1(name)));
            if (!f.open(QIODevice::WriteOnly))
                return QString();
            f.write(R"({"format": "attention-lab-session", "version": 1, "model": ")" + model + R"("})");
            return f.fileName();
        };
        const QString good = writeSession("charlm.json", "demo:charlm");
        const QString bad = writeSession("broken.json", "no-such-model-directory");
        QVERIFY(!good.isEmpty() && !bad.isEmpty());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // The program remembers its window and files in QSettings: a folder of the test's own,
        // not the user's configuration.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_config.path());
        env.insert(QStringLiteral("AL_DEMO_DIR"), m_demos.path());
        if (env.value(QStringLiteral("QT_QPA_PLATFORM")).isEmpty())
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        QProcess p;
        p.setProcessEnvironment(env);
        for (const QStringList& args : {QStringList{QStringLiteral("--session"), bad}, QStringList{bad}}) {
            p.start(QStringLiteral(AL_EXE), args + QStringList{QStringLiteral("--startup-time")});
            QVERIFY(p.waitForFinished(60000));
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(p.exitCode() == 1 && err.contains(QStringLiteral("broken.json")), qPrintable(args.join(' ') + ": " + err));
        }
        p.start(QStringLiteral(AL_EXE), {QStringLiteral("--session"), good, QStringLiteral("--startup-time")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).startsWith(QStringLiteral("startup_ms ")));
    }

private:
    QTemporaryDir m_demos;
    QTemporaryDir m_config;
};

QTEST_MAIN(TestGuiDemoModels)
#include "test_gui_demo_models.moc"
