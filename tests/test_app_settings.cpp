// SPDX-License-Identifier: GPL-3.0-or-later
// AppSettings on a temporary INI file (never the user's settings): every typed key reads back
// what was written, across instances; missing and unreadable values read as "none saved".
#include "ui/view_models/app_settings.h"

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace al::ui;

class TestAppSettings : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void emptyFileHasNothingSaved();
    void everyKeyRoundTrips();
    void unreadableValuesReadAsNone();
};

void TestAppSettings::emptyFileHasNothingSaved()
{
    QTemporaryDir tmp;
    const AppSettings s(tmp.filePath("lab.ini"));
    QVERIFY(s.windowGeometry().isEmpty());
    QVERIFY(s.windowState().isEmpty());
    QVERIFY(s.splitterSizes().isEmpty());
    QVERIFY(!s.heatmapColorMap());
    QVERIFY(!s.heatmapColorRange());
    QCOMPARE(s.lastModelDirectory(), QString());
    QCOMPARE(s.lastSessionFile(), QString());
}

void TestAppSettings::everyKeyRoundTrips()
{
    QTemporaryDir tmp;
    const QString ini = tmp.filePath("lab.ini");
    {
        AppSettings s(ini);
        s.setWindowGeometry(QByteArray("\x01\x02geometry", 10));
        s.setWindowState(QByteArray("state\x00\xff", 7));
        s.setSplitterSizes({290, 560, 750});
        s.setHeatmapColorMap(ColorMap::Cividis);
        s.setHeatmapColorRange(ColorRange::MinMax);
        s.setLastModelDirectory("/models/zh-en");
        s.setLastSessionFile("/sessions/lesson.json");
        s.sync();
    }
    QVERIFY(QFile::exists(ini));
    const AppSettings s(ini);
    QCOMPARE(s.windowGeometry(), QByteArray("\x01\x02geometry", 10));
    QCOMPARE(s.windowState(), QByteArray("state\x00\xff", 7));
    QCOMPARE(s.splitterSizes(), QList<int>({290, 560, 750}));
    QVERIFY(s.heatmapColorMap() == ColorMap::Cividis);
    QVERIFY(s.heatmapColorRange() == ColorRange::MinMax);
    QCOMPARE(s.lastModelDirectory(), QString("/models/zh-en"));
    QCOMPARE(s.lastSessionFile(), QString("/sessions/lesson.json"));
}

void TestAppSettings::unreadableValuesReadAsNone()
{
    QTemporaryDir tmp;
    const QString ini = tmp.filePath("lab.ini");
    {
        QSettings raw(ini, QSettings::IniFormat);
        raw.setValue("heatmap/color_map", "rainbow");
        raw.setValue("heatmap/color_range", "log");
        raw.setValue("window/splitter", QVariantList{100, "wide", 30});
    }
    const AppSettings s(ini);
    QVERIFY(!s.heatmapColorMap());
    QVERIFY(!s.heatmapColorRange());
    QVERIFY(s.splitterSizes().isEmpty());
}

QTEST_GUILESS_MAIN(TestAppSettings)
#include "test_app_settings.moc"
