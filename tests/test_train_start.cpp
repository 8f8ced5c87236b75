// SPDX-License-Identifier: GPL-3.0-or-later
// Train with a model open: when it asks whether to continue, and the request each answer gives.
#include "ui/view_models/model_document.h"
#include "ui/view_models/settings_form.h"
#include "ui/view_models/train_start.h"

#include <QtTest>

using namespace al::ui;

class TestTrainStart : public QObject {
    Q_OBJECT
private slots:
    void decision()
    {
        // Nothing to continue: a new model, no question, whatever the box says.
        QCOMPARE(trainStart(false, false, true), TrainStart::FromScratch);
        QCOMPARE(trainStart(false, true, true), TrainStart::FromScratch);
        // A model to continue and nobody chose: ask.
        QCOMPARE(trainStart(true, false, true), TrainStart::Ask);
        QCOMPARE(trainStart(true, false, false), TrainStart::Ask);
        // A choice was made: the box decides.
        QCOMPARE(trainStart(true, true, true), TrainStart::Continue);
        QCOMPARE(trainStart(true, true, false), TrainStart::FromScratch);
        QVERIFY(continueChecked(TrainStart::Continue));
        QVERIFY(!continueChecked(TrainStart::FromScratch));
    }

    void anOpenModelAsksAndEachAnswerGivesItsRequest()
    {
        SettingsForm form;
        QCOMPARE(trainStart(form, false), TrainStart::FromScratch); // no model open
        ModelDocument doc;
        doc.load(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate"));
        form.setResumePoint(doc.resumePoint());
        SettingsValues v = form.values();
        v.continueModel = true; // what opening a model checks
        form.setValues(v);
        QCOMPARE(trainStart(form, false), TrainStart::Ask);

        // "Continue training": the box checked, the request continues the opened model.
        v.continueModel = continueChecked(TrainStart::Continue);
        form.setValues(v);
        QCOMPARE(trainStart(form, true), TrainStart::Continue);
        const TrainingRequest keep = form.request();
        QVERIFY(keep.resumeFrom);
        QCOMPARE(keep.resumeFrom.get(), doc.translation().get());

        // "Start from scratch": the box cleared, a new model.
        v.continueModel = continueChecked(TrainStart::FromScratch);
        form.setValues(v);
        QCOMPARE(trainStart(form, true), TrainStart::FromScratch);
        QVERIFY(!form.request().resumeFrom);

        // A task that cannot continue a translation model does not ask.
        form.setTask(QStringLiteral("charlm"));
        QCOMPARE(trainStart(form, false), TrainStart::FromScratch);
    }
};

QTEST_GUILESS_MAIN(TestTrainStart)
#include "test_train_start.moc"
