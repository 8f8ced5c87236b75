// SPDX-License-Identifier: GPL-3.0-or-later
// Autosave of GUI training (offscreen): the settings' "Autosave (minutes)" reaches the
// TrainingRequest with the directory a continued model was opened from; the training worker
// saves the run's checkpoint there on the interval, off the GUI thread, each save a whole
// checkpoint (atomic_write_dir) whose trainer state is the reported step; a new model is
// autosaved into the directory the run was saved to.
#include "gui_test_support.h"
#include "settings_test_support.h"

#include "engine/io/atomic_dir.h"
#include "engine/models/task_models.h"
#include "engine/train/trainer_state.h"
#include "ui/view_models/model_document.h"
#include "ui/view_models/settings_form.h"
#include "ui/view_models/demo_catalog.h"
#include "ui/views/demo_models.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"
#include "ui/workers/training_worker.h"

#include <QDir>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

#include <filesystem>

using namespace al;
using namespace al::ui;
using al::test::tinyCharlm;

namespace {


/// The hidden names beside `dir` (staging directories of unfinished saves).
QStringList hiddenBeside(const QString& dir)
{
    return QDir(QFileInfo(dir).absolutePath()).entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot)
        .filter(QRegularExpression(QStringLiteral("^\\.")));
}

/// Waits for `count` autosaved() signals; each must report success from the worker thread.
bool waitForAutosaves(QSignalSpy& spy, int count, int timeoutMs = 30000)
{
    QElapsedTimer t;
    t.start();
    while (spy.count() < count && t.elapsed() < timeoutMs)
        spy.wait(200);
    return spy.count() >= count;
}

} // namespace

class TestGuiAutosave : public QObject {
    Q_OBJECT
private slots:
    void settingReachesTheRequest()
    {
        SettingsForm form;
        SettingsValues v = tinyCharlm(form);
        QCOMPARE(v.autosaveMinutes, 5); // the default
        v.autosaveMinutes = 3;
        form.setValues(v);
        TrainingRequest r = form.request();
        QCOMPARE(r.autosaveSeconds, 180.0);
        QVERIFY(r.autosaveDirectory.isEmpty()); // a new model has no directory yet

        // The settings panel's spin box feeds the form.
        MainWindow w;
        QSpinBox* spin = w.findChild<QSpinBox*>(QStringLiteral("autosaveSpin"));
        QVERIFY(spin);
        QCOMPARE(spin->value(), 5);
        QCOMPARE(spin->minimum(), 0);
        spin->setValue(0);
        SettingsForm* shown = w.findChild<SettingsForm*>();
        QVERIFY(shown);
        QCOMPARE(shown->values().autosaveMinutes, 0);
        QCOMPARE(shown->request().autosaveSeconds, 0.0);
    }

    void demoModelsAreNotAutosavedInto()
    {
        // The charlm fixture as a demo, and a copy of it as an ordinary model directory.
        QTemporaryDir tmp;
        const QString fixture = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/charlm");
        for (const QString& to : {tmp.filePath("charlm"), tmp.filePath("mine")}) {
            QVERIFY(QDir().mkpath(to));
            for (const QString& name : QDir(fixture).entryList(QDir::Files))
                QVERIFY(QFile::copy(QDir(fixture).filePath(name), QDir(to).filePath(name)));
        }
        QFile f(tmp.filePath("demos.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "attention-lab-demos", "version": 1, "default": "charlm", "models": [
          {"id": "charlm", "task": "charlm", "sentence": "To be", "title": {"en": "Character language model"}}]})");
        f.close();
        MainWindow w;
        w.demoModels()->setCatalog(DemoCatalog::read(tmp.filePath("demos.json")));
        QVERIFY(w.loadModelDirectory(tmp.filePath("mine")));
        w.settingsPanel()->chooseContinue(true);
        QVERIFY(w.trainingRequest().resumeTaskModel);
        QCOMPARE(w.trainingRequest().autosaveDirectory, tmp.filePath("mine"));
        QVERIFY(w.demoModels()->open(QStringLiteral("charlm")));
        w.settingsPanel()->chooseContinue(true);
        QVERIFY(w.trainingRequest().resumeTaskModel);
        QVERIFY(w.trainingRequest().autosaveDirectory.isEmpty());
    }

    void continuedModelIsAutosavedIntoItsDirectory()
    {
        SettingsForm form;
        form.setValues(tinyCharlm(form));
        const TrainingRequest fresh = form.request();
        if (fresh.task.data.isEmpty() && bundledTaskData("charlm").isEmpty())
            QSKIP("the bundled charlm text (resources/data/tinyshakespeare) was not found");
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("lm"));
        {
            std::unique_ptr<TrainingSession> first = makeTrainingSession(fresh);
            for (int i = 0; i < 2; ++i)
                first->trainStep();
            first->save(dir);
        }
        ModelDocument doc;
        QCOMPARE(doc.load(dir), ModelDocument::Kind::Task);
        form.setResumePoint(doc.resumePoint());
        SettingsValues v = form.values();
        v.continueModel = true;
        v.autosaveMinutes = 1;
        form.setValues(v);
        TrainingRequest r = form.request();
        QCOMPARE(r.autosaveDirectory, dir);
        QCOMPARE(r.autosaveSeconds, 60.0);
        r.autosaveSeconds = 0.4; // a short interval for the test
        r.evalEverySteps = 0;

        TrainingController training;
        QSignalSpy autosaved(&training, &TrainingController::autosaved);
        QSignalSpy errors(&training, &TrainingController::error);
        QVERIFY(training.start(r));
        QVERIFY2(waitForAutosaves(autosaved, 2), qPrintable(QString("%1 autosaves").arg(autosaved.count())));
        training.shutdown();
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
        qint64 previous = 2;
        for (const QList<QVariant>& s : autosaved) {
            QCOMPARE(s.at(0).toString(), dir);
            QVERIFY2(s.at(2).toString().isEmpty(), qPrintable(s.at(2).toString()));
            QVERIFY(s.at(1).toLongLong() > previous); // each one a later step
            previous = s.at(1).toLongLong();
        }
        // The directory holds a whole checkpoint of a reported step and loads.
        const al::TrainerState state = al::load_trainer_state(QDir(dir).filePath("trainer_state.json").toStdString());
        QVERIFY(state.step >= previous);
        QCOMPARE(al::load_task_model_dir(dir.toStdString()).net.config().task, std::string("charlm"));
        QVERIFY2(hiddenBeside(dir).isEmpty(), qPrintable(hiddenBeside(dir).join(", ")));
    }

    void newModelIsAutosavedWhereItWasSaved()
    {
        SettingsForm form;
        SettingsValues v = tinyCharlm(form);
        v.autosaveMinutes = 1;
        form.setValues(v);
        TrainingRequest r = form.request();
        if (r.task.data.isEmpty() && bundledTaskData("charlm").isEmpty())
            QSKIP("the bundled charlm text (resources/data/tinyshakespeare) was not found");
        r.autosaveSeconds = 0.4;
        r.evalEverySteps = 0;
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("new-lm"));
        TrainingController training;
        QSignalSpy autosaved(&training, &TrainingController::autosaved);
        QSignalSpy saved(&training, &TrainingController::saveFinished);
        QSignalSpy metrics(&training, &TrainingController::metrics);
        QVERIFY(training.start(r));
        QVERIFY(metrics.wait(20000));
        // Without a directory nothing is autosaved ...
        QTest::qWait(900);
        QCOMPARE(autosaved.count(), 0);
        // ... until the run is saved somewhere: then there.
        QVERIFY(training.saveModel(dir));
        QVERIFY(saved.wait(20000));
        QVERIFY2(saved.first().at(1).toString().isEmpty(), qPrintable(saved.first().at(1).toString()));
        QVERIFY(waitForAutosaves(autosaved, 1));
        training.shutdown();
        QCOMPARE(autosaved.first().at(0).toString(), dir);
        QVERIFY(al::load_trainer_state(QDir(dir).filePath("trainer_state.json").toStdString()).step
                >= autosaved.first().at(1).toLongLong());
    }
};

AL_GUI_TEST_MAIN(TestGuiAutosave)
#include "test_gui_autosave.moc"
