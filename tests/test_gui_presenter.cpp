// SPDX-License-Identifier: GPL-3.0-or-later
// Presenter mode (offscreen): F11 switches it on and off; large type in the panels and plots,
// thick curves, the settings panel hidden, the high-contrast colour map; leaving restores all of
// it; the presentation keys: Space trains and pauses, Page Down / Page Up step a lesson.
#include "gui_test_support.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/main_window.h"
#include "ui/views/presenter_mode.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QtTest>
#include <qcustomplot.h>

using namespace al::ui;

namespace {

/// What presenter mode changes, to compare before and after.
struct Looks {
    double windowPoints = 0;
    bool windowHasFont = false;
    bool fullScreen = false;
    bool settingsVisible = false;
    bool colorControlsVisible = false;
    ColorMap map = ColorMap::Viridis;
    ColorRange range = ColorRange::Probability;
    QFont lossTicks, lossLabel, lossTitle, lossLegend, heatmapTicks, scaleLabel, sentence, translation;
    QPen trainPen, validPen, axisPen;
    QList<int> splitter;
    QRect geometry;
};

QCPTextElement* titleOf(QCustomPlot* plot)
{
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
        if (auto* t = qobject_cast<QCPTextElement*>(e))
            return t;
    return nullptr;
}

QCPColorScale* scaleOf(QCustomPlot* plot)
{
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
        if (auto* s = qobject_cast<QCPColorScale*>(e))
            return s;
    return nullptr;
}

Looks looksOf(MainWindow& w)
{
    Looks l;
    l.windowPoints = w.font().pointSizeF();
    l.windowHasFont = w.testAttribute(Qt::WA_SetFont);
    l.fullScreen = w.isFullScreen();
    l.settingsVisible = w.findChild<QWidget*>(QStringLiteral("settingsPanel"))->isVisible();
    l.colorControlsVisible = w.findChild<QWidget*>(QStringLiteral("colorControls"))->isVisible();
    l.map = w.heatmapColorMap();
    l.range = w.heatmapColorRange();
    auto* loss = w.findChild<QCustomPlot*>(QStringLiteral("lossPlot"));
    l.lossTicks = loss->xAxis->tickLabelFont();
    l.lossLabel = loss->yAxis->labelFont();
    l.lossTitle = titleOf(loss)->font();
    l.lossLegend = loss->legend->font();
    l.trainPen = loss->graph(0)->pen();
    l.validPen = loss->graph(1)->pen();
    l.axisPen = loss->xAxis->basePen();
    QCustomPlot* heat = w.focusedHeatmap()->plot();
    l.heatmapTicks = heat->xAxis2->tickLabelFont();
    l.scaleLabel = scaleOf(heat)->axis()->labelFont();
    l.sentence = w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->font();
    l.translation = w.findChild<QLabel*>(QStringLiteral("translationLabel"))->font();
    l.splitter = qobject_cast<QSplitter*>(w.centralWidget())->sizes();
    l.geometry = w.geometry();
    return l;
}

} // namespace

class TestGuiPresenter : public QObject {
    Q_OBJECT
private slots:
    void f11SwitchesAndLeavingRestoresEverything()
    {
        MainWindow w;
        w.resize(1280, 720);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.findChild<QAction*>(QStringLiteral("presenterModeAction")));
        const Looks before = looksOf(w);
        QVERIFY(!w.presenterMode());
        QVERIFY(before.lossTicks.pointSizeF() < 20); // the test compares something that changes

        QSignalSpy changed(&w, &MainWindow::presenterModeChanged);
        QTest::keyClick(&w, Qt::Key_F11);
        QVERIFY(w.presenterMode());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.last().first().toBool(), true);
        QTRY_VERIFY(w.isFullScreen());
        QVERIFY(w.findChild<QAction*>(QStringLiteral("presenterModeAction"))->isChecked());

        // Large type: the window's font and every label and button of the visible panels.
        const Looks on = looksOf(w);
        QVERIFY(on.windowPoints >= 20);
        for (const char* panel : {"liveTrainingPanel", "attentionPanel"})
            for (QWidget* c : w.findChild<QWidget*>(QString::fromLatin1(panel))->findChildren<QWidget*>())
                if (qobject_cast<QLabel*>(c) || qobject_cast<QAbstractButton*>(c) || qobject_cast<QLineEdit*>(c)
                    || qobject_cast<QAbstractSpinBox*>(c))
                    QVERIFY2(c->font().pointSizeF() >= 20,
                             qPrintable(QStringLiteral("%1 %2: %3 pt").arg(QString::fromLatin1(c->metaObject()->className()),
                                                                        c->objectName()).arg(c->font().pointSizeF())));
        QVERIFY(w.viewTabs()->tabBar()->font().pointSizeF() >= 20);
        // ... the plots' tick labels, axis labels, titles and legends, the heatmap's token labels.
        for (const QFont& f : {on.lossTicks, on.lossLabel, on.lossTitle, on.lossLegend, on.heatmapTicks, on.scaleLabel})
            QVERIFY2(f.pointSizeF() >= 20, qPrintable(QString::number(f.pointSizeF())));
        // Bigger texts stay bigger: the sentence box is 1.4 times the window's font.
        QVERIFY(on.sentence.pointSizeF() > on.windowPoints);
        QVERIFY(on.lossTitle.bold());
        // Thick lines.
        QVERIFY(on.trainPen.widthF() >= 3);
        QVERIFY(on.trainPen.widthF() > before.trainPen.widthF());
        QCOMPARE(on.trainPen.color(), before.trainPen.color());
        QVERIFY(on.axisPen.widthF() >= 2);
        // The settings panel and colour choice hidden; the high-contrast colour map.
        QVERIFY(!on.settingsVisible);
        QVERIFY(!on.colorControlsVisible);
        QCOMPARE(on.map, ColorMap::Magma);
        QCOMPARE(w.focusedHeatmap()->colorMap(), ColorMap::Magma);
        QCOMPARE(on.range, before.range);
        // The panes scroll instead of pushing each other (and the lesson dock) off a small screen:
        // the live panel and the view tabs are each inside a scroll area of the central splitter,
        // and the views get three quarters of its width.
        auto* central = qobject_cast<QSplitter*>(w.centralWidget());
        for (const char* pane : {"liveTrainingPanel", "viewTabs"}) {
            auto* scroll = central->findChild<QScrollArea*>(QStringLiteral("paneScroll_") + QLatin1String(pane),
                                                            Qt::FindDirectChildrenOnly);
            QVERIFY2(scroll && scroll->widget() == w.findChild<QWidget*>(QLatin1String(pane)), pane);
        }
        QTRY_VERIFY(central->widget(central->indexOf(w.viewTabs()->parentWidget()->parentWidget()))->width()
                    > 2 * w.liveTrainingPanel()->parentWidget()->parentWidget()->width());

        // A curve a panel adds while presenter mode is on is drawn thick too, and thin after.
        auto* loss = w.findChild<QCustomPlot*>(QStringLiteral("lossPlot"));
        QCPGraph* extra = loss->addGraph();
        extra->setPen(QPen(Qt::red, 1));
        loss->replot();
        QVERIFY(extra->pen().widthF() >= 3);

        // F11 again: everything as it was.
        QTest::keyClick(&w, Qt::Key_F11);
        QVERIFY(!w.presenterMode());
        QCOMPARE(changed.count(), 2);
        QTRY_VERIFY(!w.isFullScreen());
        const Looks after = looksOf(w);
        QCOMPARE(after.windowPoints, before.windowPoints);
        QCOMPARE(after.windowHasFont, before.windowHasFont);
        QCOMPARE(after.settingsVisible, before.settingsVisible);
        QCOMPARE(after.colorControlsVisible, before.colorControlsVisible);
        QCOMPARE(after.map, before.map);
        QCOMPARE(after.range, before.range);
        QCOMPARE(w.focusedHeatmap()->colorMap(), before.map);
        QCOMPARE(after.lossTicks, before.lossTicks);
        QCOMPARE(after.lossLabel, before.lossLabel);
        QCOMPARE(after.lossTitle, before.lossTitle);
        QCOMPARE(after.lossLegend, before.lossLegend);
        QCOMPARE(after.heatmapTicks, before.heatmapTicks);
        QCOMPARE(after.scaleLabel, before.scaleLabel);
        QCOMPARE(after.sentence, before.sentence);
        QCOMPARE(after.translation, before.translation);
        QCOMPARE(after.trainPen, before.trainPen);
        QCOMPARE(after.validPen, before.validPen);
        QCOMPARE(after.axisPen, before.axisPen);
        QCOMPARE(extra->pen().widthF(), 1.0);
        // The position is the window manager's; the size is the one before, where that was not
        // below the window's minimum (offscreen, the first size can be).
        QTRY_COMPARE(w.geometry().size(), before.geometry.size().expandedTo(w.minimumSizeHint()));
        QTRY_COMPARE(qobject_cast<QSplitter*>(w.centralWidget())->sizes(), before.splitter);
        // The panes are the splitter's own children again, and the scroll areas are gone.
        QCOMPARE(w.viewTabs()->parentWidget(), w.centralWidget());
        QCOMPARE(w.liveTrainingPanel()->parentWidget(), w.centralWidget());
        QVERIFY(w.findChildren<QScrollArea*>(QRegularExpression(QStringLiteral("^paneScroll_"))).isEmpty());

        // The API of the contract does the same.
        w.setPresenterMode(true);
        QVERIFY(w.presenterMode());
        QVERIFY(w.findChild<QAction*>(QStringLiteral("presenterModeAction"))->isChecked());
        QTest::keyClick(w.viewTabs(), Qt::Key_Escape); // Escape leaves it too
        QVERIFY(!w.presenterMode());
        QCOMPARE(looksOf(w).lossTicks, before.lossTicks);
    }

    void pageKeysStepTheLesson()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy next(&w, &MainWindow::nextStepRequested);
        QSignalSpy previous(&w, &MainWindow::previousStepRequested);
        w.viewTabs()->setFocus();
        QTest::keyClick(w.viewTabs(), Qt::Key_PageDown);
        QCOMPARE(next.count(), 1);
        QCOMPARE(previous.count(), 0);
        QTest::keyClick(w.viewTabs(), Qt::Key_PageUp);
        QCOMPARE(previous.count(), 1);
        // In presenter mode too, and with the sentence box focused (a one-line edit has no use for them).
        w.setPresenterMode(true);
        auto* sentence = w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"));
        QTest::keyClick(sentence, Qt::Key_PageDown);
        QCOMPARE(next.count(), 2);
        // A spin box keeps them (ten steps at a time).
        auto* layer = w.findChild<QSpinBox*>(QStringLiteral("layerSpin"));
        QTest::keyClick(layer, Qt::Key_PageDown);
        QCOMPARE(next.count(), 2);
        w.setPresenterMode(false);
    }

    void spaceTrainsAndPauses()
    {
        QTemporaryDir tmp;
        const QString corpus = al::test::write_small_cmn_corpus(tmp, 400);
        QVERIFY(!corpus.isEmpty());
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        for (auto [name, value] : {std::pair{"dModelSpin", 32}, {"headsSpin", 2}, {"encoderLayersSpin", 1},
                                   {"decoderLayersSpin", 1}, {"feedForwardSpin", 64}, {"maxTokensSpin", 256}})
            w.findChild<QSpinBox*>(QString::fromLatin1(name))->setValue(value);
        w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(corpus);
        w.setPresenterMode(true);
        TrainingController* c = w.trainingController();

        // Space in the sentence box is a space.
        auto* sentence = w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"));
        sentence->setFocus();
        sentence->setText(QStringLiteral("ab"));
        QTest::keyClick(sentence, Qt::Key_Space, Qt::NoModifier);
        QCOMPARE(c->state(), TrainingController::State::Idle);

        // Elsewhere it is Train, then Pause, then Resume.
        QSignalSpy metrics(c, &TrainingController::metrics);
        w.viewTabs()->setFocus();
        QTest::keyClick(w.viewTabs(), Qt::Key_Space);
        QVERIFY(c->isActive());
        QTRY_VERIFY_WITH_TIMEOUT(c->state() == TrainingController::State::Running, 60000);
        QTest::keyClick(w.viewTabs(), Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Paused, 30000);
        QTest::keyClick(w.viewTabs(), Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Running, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 1, 60000);
        w.stopTraining();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), TrainingController::State::Idle, 60000);
        w.setPresenterMode(false);
    }
};

QTEST_MAIN(TestGuiPresenter)
#include "test_gui_presenter.moc"
