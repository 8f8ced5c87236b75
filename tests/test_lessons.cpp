// SPDX-License-Identifier: GPL-3.0-or-later
// The lesson file format and the lesson player (widget-free): the bundled lessons parse, each
// step's setup is a valid LabSetup, malformed files are refused with the member at fault named,
// and the player steps within bounds.
#include "ui/view_models/lab_setup.h"
#include "ui/view_models/lesson.h"

#include "engine/core/error.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace al::ui;

namespace {

const char* kTwoSteps = R"({"format": "attention-lab-lesson", "version": 1, "id": "demo",
  "title": {"en": "A lesson", "zh_CN": "一课"},
  "steps": [
    {"title": {"en": "First", "zh_CN": "第一步"}, "text": {"en": "<p>Look.</p>", "zh_CN": "<p>看。</p>"},
     "setup": {"view": {"tab": "attention", "sentence": "我爱你。"}}, "highlight": "sentenceEdit"},
    {"title": {"en": "Second", "zh_CN": "第二步"}, "text": {"en": "Change it.", "zh_CN": "改一改。"},
     "claims": ["attention-rows-sum-to-one"]}]})";

/// The message of the al::Error that parseLesson throws for `json`; empty when it parses.
QString parseError(const QByteArray& json)
{
    try {
        parseLesson(json, QStringLiteral("teacher.json"));
    } catch (const al::Error& e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestLessons : public QObject {
    Q_OBJECT
private slots:
    void parsesBothLanguages()
    {
        const Lesson l = parseLesson(kTwoSteps, QStringLiteral("teacher.json"));
        QCOMPARE(l.id, QStringLiteral("demo"));
        QCOMPARE(l.fileName, QStringLiteral("teacher.json"));
        QCOMPARE(l.steps.size(), 2);
        QCOMPARE(l.title.text(QStringLiteral("en")), QStringLiteral("A lesson"));
        QCOMPARE(l.title.text(QStringLiteral("zh_CN")), QStringLiteral("一课"));
        QCOMPARE(l.steps[0].highlight, QStringLiteral("sentenceEdit"));
        QCOMPARE(l.steps[0].setup.value("view").toObject().value("tab").toString(), QStringLiteral("attention"));
        QVERIFY(l.steps[1].setup.isEmpty());
        QCOMPARE(l.steps[1].claims, QStringList{QStringLiteral("attention-rows-sum-to-one")});
    }

    void malformedFilesNameTheMember_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << QByteArray("{\"format\": ") << QStringLiteral("teacher.json: not valid JSON at offset");
        QTest::newRow("format") << QByteArray(R"({"format": "lesson", "version": 1})")
                                << QStringLiteral("teacher.json: format: expected \"attention-lab-lesson\"");
        QTest::newRow("version") << QByteArray(R"({"format": "attention-lab-lesson", "version": 2})")
                                 << QStringLiteral("teacher.json: version: expected 1");
        QByteArray noChinese(kTwoSteps);
        noChinese.replace(R"(, "zh_CN": "改一改。")", "");
        QTest::newRow("missing zh_CN") << noChinese << QStringLiteral("teacher.json: steps[1].text: missing \"zh_CN\"");
        QByteArray unknown(kTwoSteps);
        unknown.replace(R"("highlight": "sentenceEdit")", R"("highlite": "sentenceEdit")");
        QTest::newRow("unknown member") << unknown << QStringLiteral("teacher.json: steps[0].highlite");
        QByteArray badSetup(kTwoSteps);
        badSetup.replace(R"("tab": "attention")", R"("tab": "nowhere")");
        QTest::newRow("bad setup") << badSetup << QStringLiteral("teacher.json: steps[0].setup.view.tab: unknown tab 'nowhere'");
        QByteArray lessonInStep(kTwoSteps);
        lessonInStep.replace(R"("setup": {"view")", R"("setup": {"lesson": {"file": "x.json", "step": 0}, "view")");
        QTest::newRow("lesson in a step") << lessonInStep << QStringLiteral("steps[0].setup.lesson: a lesson step cannot open a lesson");
        QByteArray noSteps(R"({"format": "attention-lab-lesson", "version": 1, "id": "x",
                              "title": {"en": "A", "zh_CN": "甲"}, "steps": []})");
        QTest::newRow("no steps") << noSteps << QStringLiteral("teacher.json: steps: expected a non-empty array of steps");
    }

    void malformedFilesNameTheMember()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const QString error = parseError(json);
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void everyBundledLessonParsesAndItsSetupsAreLabSetups()
    {
        const QStringList files = bundledLessonFiles();
        QVERIFY2(files.size() >= 10, qPrintable(QString::number(files.size())));
        QStringList ids;
        for (const QString& path : files) {
            const Lesson l = loadLesson(path);
            QVERIFY2(!ids.contains(l.id), qPrintable(l.id));
            ids << l.id;
            QCOMPARE(l.path, QFileInfo(path).absoluteFilePath());
            QVERIFY(!l.title.en.isEmpty() && !l.title.zhCN.isEmpty());
            // The first step sets the lab up, so a lesson opened at any moment starts from its state.
            QVERIFY2(!l.steps.front().setup.isEmpty(), qPrintable(l.fileName));
            for (int i = 0; i < l.steps.size(); ++i) {
                const LessonStep& s = l.steps[i];
                const QString where = QStringLiteral("%1 step %2").arg(l.fileName).arg(i + 1);
                QVERIFY2(!s.text.en.isEmpty() && !s.text.zhCN.isEmpty(), qPrintable(where));
                // Chinese text is Chinese: at least one CJK character.
                QVERIFY2(s.text.zhCN.contains(QRegularExpression(QStringLiteral("[\\x{4e00}-\\x{9fff}]"))), qPrintable(where));
                if (!s.setup.isEmpty()) {
                    QString error;
                    QVERIFY2(LabSetup::fromJson(s.setup, &error), qPrintable(where + ": " + error));
                }
            }
        }
    }

    void playerStepsWithinBounds()
    {
        LessonPlayer player;
        QCOMPARE(player.index(), -1);
        QVERIFY(!player.next());
        QSignalSpy entered(&player, &LessonPlayer::stepChanged);
        player.setLesson(parseLesson(kTwoSteps, QStringLiteral("teacher.json")));
        QCOMPARE(entered.size(), 1);
        QCOMPARE(player.index(), 0);
        QVERIFY(!player.canGoPrevious());
        QVERIFY(!player.previous());
        QCOMPARE(player.title(QStringLiteral("zh_CN")), QStringLiteral("第一步"));
        QVERIFY(player.next());
        QCOMPARE(player.index(), 1);
        QCOMPARE(entered.last().at(0).toInt(), 1);
        QCOMPARE(player.text(QStringLiteral("en")), QStringLiteral("Change it."));
        QVERIFY(!player.canGoNext());
        QVERIFY(!player.next());
        QCOMPARE(entered.size(), 2);
        QVERIFY(player.previous());
        QCOMPARE(player.index(), 0);
        QVERIFY(!player.goTo(2));
        QVERIFY(player.goTo(1));
        // A start step past the end is clamped to the last step.
        player.setLesson(parseLesson(kTwoSteps, QStringLiteral("teacher.json")), 7);
        QCOMPARE(player.index(), 1);
        player.clear();
        QCOMPARE(player.index(), -1);
        QVERIFY(!player.hasLesson());
    }

    void aTeachersFileOpensFromAnyDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile f(dir.filePath(QStringLiteral("my-lesson.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kTwoSteps);
        f.close();
        const Lesson l = loadLesson(f.fileName());
        QCOMPARE(l.fileName, QStringLiteral("my-lesson.json"));
        QCOMPARE(l.path, QFileInfo(f.fileName()).absoluteFilePath());
        QCOMPARE(lessonFiles(dir.path()), QStringList{QFileInfo(f.fileName()).absoluteFilePath()});
        try {
            loadLesson(dir.filePath(QStringLiteral("missing.json")));
            QFAIL("a missing file was read");
        } catch (const al::Error& e) {
            QVERIFY2(QString::fromStdString(e.what()).startsWith(QStringLiteral("missing.json: cannot read")), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestLessons)
#include "test_lessons.moc"
