// SPDX-License-Identifier: GPL-3.0-or-later
// A numeric fault in the window (offscreen): a copy-task run (the encoder-decoder on generated
// pairs) at the Noam factor 1e6 meets a NaN or an Inf; the worker pauses (its thread runs on and can be joined), the window shows the
// message naming the step, the model snapshot is the last good one, Save model writes finite
// weights equal to it, a lower LR factor set while paused is the one the run continues with, and
// Stop ends the run.
#include "gui_test_support.h"

#include "engine/models/translation_model.h"
#include "engine/train/optimizer.h"
#include "ui/views/main_window.h"

#include <QDoubleSpinBox>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace al;
using namespace al::ui;

namespace {

constexpr int kTimeoutMs = 60000;

template <class W>
W* child(QObject& parent, const char* name)
{
    return parent.findChild<W*>(QString::fromLatin1(name));
}

} // namespace

class TestGuiNumericFault : public QObject {
    Q_OBJECT

private slots:
    void aNumericFaultPausesOnTheLastGoodWeights()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        MainWindow w;
        w.show();
        w.setTask(QStringLiteral("copy"));
        child<QSpinBox>(w, "dModelSpin")->setValue(16);
        child<QSpinBox>(w, "headsSpin")->setValue(2);
        child<QSpinBox>(w, "encoderLayersSpin")->setValue(2);
        child<QSpinBox>(w, "decoderLayersSpin")->setValue(2);
        child<QSpinBox>(w, "feedForwardSpin")->setValue(32);
        child<QSpinBox>(w, "warmupSpin")->setValue(1);
        // The LR factor box stops at 100; the run gets 1e6 through the request.
        TrainingRequest request = w.trainingRequest();
        request.train.lr_factor = 1e6;
        request.evalEverySteps = 0;

        TrainingController* controller = w.trainingController();
        QSignalSpy faults(controller, &TrainingController::numericFault);
        QSignalSpy errors(controller, &TrainingController::error);
        QSignalSpy snapshots(controller, &TrainingController::snapshotReady);
        QSignalSpy metrics(controller, &TrainingController::metrics);
        QSignalSpy paused(controller, &TrainingController::workerPaused);
        QSignalSpy finished(controller, &TrainingController::finished);
        QVERIFY(controller->start(request));
        QPointer<QThread> thread = controller->workerThread();
        QVERIFY(thread);
        QTRY_VERIFY_WITH_TIMEOUT(!faults.isEmpty() || !errors.isEmpty() || !finished.isEmpty(), kTimeoutMs);
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
        QVERIFY(finished.isEmpty());
        const QString message = faults.first().at(0).toString();
        const qint64 kept = faults.first().at(1).toLongLong();
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.startsWith(QStringLiteral("step %1: ").arg(kept + 1)), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral(" is not finite (")), qPrintable(message));
        QVERIFY(kept >= 1);

        // Paused, not stopped: the worker thread runs on; Resume, Step and Stop are offered.
        QCOMPARE(controller->state(), TrainingController::State::Paused);
        QTRY_VERIFY_WITH_TIMEOUT(!paused.isEmpty() && paused.last().first().toBool(), kTimeoutMs);
        QVERIFY(thread && thread->isRunning());
        QVERIFY(child<QPushButton>(w, "pauseButton")->property("paused").toBool());
        QVERIFY(child<QPushButton>(w, "stepButton")->isEnabled());
        QVERIFY(child<QPushButton>(w, "stopButton")->isEnabled());

        // The window shows the message (a dismissable box and the status bar).
        QMessageBox* box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = w.findChild<QMessageBox*>()) != nullptr, kTimeoutMs);
        QCOMPARE(box->text(), QStringLiteral("Training paused"));
        QVERIFY2(box->informativeText().contains(message), qPrintable(box->informativeText()));
        QVERIFY2(box->informativeText().contains(QStringLiteral("step %1").arg(kept)), qPrintable(box->informativeText()));
        QVERIFY(w.statusBar()->currentMessage().contains(message));
        box->accept();

        // The snapshot is the last good one: of step `kept`, with finite weights.
        QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty() && snapshots.last().at(1).toLongLong() == kept, kTimeoutMs);
        const ModelSnapshot snapshot = snapshots.last().at(0).value<ModelSnapshot>();
        QVERIFY(snapshot);
        for (const auto& p : snapshot->net.params().all())
            QVERIFY2(p->value.allFinite(), p->name.c_str());

        // Save model writes those weights.
        const QString dir = tmp.filePath(QStringLiteral("kept"));
        QSignalSpy saved(controller, &TrainingController::saveFinished);
        QVERIFY(w.saveModelTo(dir));
        QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty(), kTimeoutMs);
        QVERIFY2(saved.first().at(1).toString().isEmpty(), qPrintable(saved.first().at(1).toString()));
        const TranslationModel loaded = load_model_dir(dir.toStdString());
        const auto& a = loaded.net.params().all();
        const auto& b = snapshot->net.params().all();
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QVERIFY2(a[i]->value.allFinite(), a[i]->name.c_str());
            QVERIFY2(a[i]->value == b[i]->value, a[i]->name.c_str());
        }

        // A lower LR factor, set while paused, is the one the run continues with: the next step
        // runs at Noam(0.5), or meets a non-finite value again and pauses once more.
        auto* lr = child<QDoubleSpinBox>(w, "lrFactorSpin");
        QVERIFY(lr->isEnabled());
        QVERIFY(!child<QSpinBox>(w, "warmupSpin")->isEnabled());
        lr->setValue(0.5);
        const int metricsBefore = int(metrics.count());
        child<QPushButton>(w, "pauseButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(metrics.count() > metricsBefore || faults.count() > 1, kTimeoutMs);
        QVERIFY(errors.isEmpty());
        if (metrics.count() > metricsBefore) {
            const TrainingMetrics m = metrics.at(metricsBefore).first().value<TrainingMetrics>();
            qInfo("resumed: step %lld at lr %g", (long long)m.step, m.learningRate);
            QVERIFY(m.step > kept);
            QCOMPARE(m.learningRate, noam_learning_rate(m.step, 16, 0.5, 1));
        } else {
            qInfo("resumed: %s", qPrintable(faults.last().at(0).toString()));
            QCOMPARE(faults.last().at(1).toLongLong(), kept);
        }

        // Stop ends the run and joins the worker thread.
        child<QPushButton>(w, "stopButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, kTimeoutMs);
        QVERIFY(!controller->isActive());
        QVERIFY(thread.isNull());
        QVERIFY(errors.isEmpty());
    }
};

AL_GUI_TEST_MAIN(TestGuiNumericFault)
#include "test_gui_numeric_fault.moc"
