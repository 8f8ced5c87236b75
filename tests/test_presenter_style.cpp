// SPDX-License-Identifier: GPL-3.0-or-later
// The figures of presenter mode without a window: type sizes, pen widths, colour maps and the
// panels it hides.
#include "ui/view_models/presenter_style.h"

#include <QtTest>

using namespace al::ui;

class TestPresenterStyle : public QObject {
    Q_OBJECT
private slots:
    void typeIsLargeAndKeepsItsProportions()
    {
        const PresenterStyle s;
        QVERIFY(s.pointSize >= 20.0);
        QCOMPARE(s.fontPointSize(1.0), s.pointSize);
        // A bigger text (the sentence box at 1.4 times) stays bigger.
        QCOMPARE(s.fontPointSize(1.4), 1.4 * s.pointSize);
        // A smaller one (a legend at 0.85 times, tick labels of a default font) is at least 20 pt.
        QCOMPARE(s.fontPointSize(0.85), s.minPointSize);
        QCOMPARE(s.fontPointSize(0.3), s.minPointSize);
        QVERIFY(s.minPointSize >= 20.0);
        PresenterStyle custom;
        custom.pointSize = 30;
        custom.minPointSize = 24;
        QCOMPARE(custom.fontPointSize(0.5), 24.0);
        QCOMPARE(custom.fontPointSize(1.0), 30.0);
    }

    void linesAreThick()
    {
        const PresenterStyle s;
        QCOMPARE(s.penWidth(1.5), 1.5 * s.penScale);
        QCOMPARE(s.penWidth(2.0), 2.0 * s.penScale);
        QCOMPARE(s.penWidth(0.0), std::max(s.minPenWidth, s.penScale)); // a cosmetic pen counts as 1 px
        QVERIFY(s.penWidth(1.0) >= 3.0);
        QCOMPARE(s.axisPenWidth(1.0), s.minAxisPenWidth);
        QCOMPARE(s.axisPenWidth(4.0), 4.0);
        QVERIFY(s.axisPenWidth(0.0) >= 2.0);
    }

    void colourMapIsHighContrastAndKeepsSigns()
    {
        const PresenterStyle s;
        QCOMPARE(s.colorMap(ColorRange::Probability), ColorMap::Magma);
        QCOMPARE(s.colorMap(ColorRange::MinMax), ColorMap::Magma);
        QCOMPARE(s.colorMap(ColorRange::Symmetric), ColorMap::CoolWarm); // signed scores need a diverging map
    }

    void hidesTheSettingsAndAdvancedControls()
    {
        const PresenterStyle s;
        QVERIFY(s.hiddenWidgets.contains(QStringLiteral("settingsPanel")));
        QVERIFY(s.hiddenWidgets.contains(QStringLiteral("colorControls")));
        QVERIFY(!s.hiddenWidgets.contains(QStringLiteral("liveTrainingPanel"))); // the sentence box stays
        QVERIFY(!s.hiddenWidgets.contains(QStringLiteral("viewTabs")));
    }
};

QTEST_GUILESS_MAIN(TestPresenterStyle)
#include "test_presenter_style.moc"
