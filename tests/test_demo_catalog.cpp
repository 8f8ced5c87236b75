// SPDX-License-Identifier: GPL-3.0-or-later
// demos.json: the demo models' list, its errors naming the member, "demo:<id>" references and
// titles in the UI language.
#include "ui/view_models/demo_catalog.h"

#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace al::ui;

namespace {

const char* kTwoModels = R"({"format": "attention-lab-demos", "version": 1, "default": "zh-en",
  "models": [
    {"id": "reverse", "task": "reverse", "sentence": "1 2 3",
     "title": {"en": "Reverse a sequence", "zh_CN": "倒序"}, "data": ["../data/seqs", "/abs/more"]},
    {"id": "zh-en", "task": "translate", "sentence": "我爱你。",
     "title": {"en": "Chinese → English translation", "zh_CN": "中译英翻译"},
     "about": {"en": "A small Transformer trained on Tatoeba."}}]})";

DemoCatalog parse(const QByteArray& json)
{
    return DemoCatalog::parse(json, QStringLiteral("/demos/demos.json"));
}

} // namespace

class TestDemoCatalog : public QObject {
    Q_OBJECT
private slots:
    void readsTheList()
    {
        const DemoCatalog c = parse(kTwoModels);
        QCOMPARE(c.models().size(), 2);
        QCOMPARE(c.defaultId(), QStringLiteral("zh-en"));
        const DemoModel* zh = c.find(QStringLiteral("zh-en"));
        QVERIFY(zh);
        QCOMPARE(zh->task, QStringLiteral("translate"));
        QCOMPARE(zh->sentence, QStringLiteral("我爱你。"));
        QCOMPARE(zh->directory, QDir::cleanPath(QStringLiteral("/demos/zh-en")));
        QCOMPARE(c.models().first().id, QStringLiteral("reverse")); // file order is menu order
        QVERIFY(!c.find(QStringLiteral("pos-en")));
        QVERIFY(!zh->isInstalled()); // /demos/zh-en does not exist
        // "data": paths relative to the catalogue's folder, made absolute; none when not listed.
        QCOMPARE(c.find(QStringLiteral("reverse"))->data,
                 (QStringList{QDir::cleanPath(QStringLiteral("/data/seqs")), QDir::cleanPath(QStringLiteral("/abs/more"))}));
        QVERIFY(zh->data.isEmpty());
    }

    void titlesInTheUiLanguage()
    {
        const DemoCatalog c = parse(kTwoModels);
        const DemoModel* zh = c.find(QStringLiteral("zh-en"));
        QCOMPARE(zh->titleIn(QStringLiteral("zh_CN")), QStringLiteral("中译英翻译"));
        QCOMPARE(zh->titleIn(QStringLiteral("en")), QStringLiteral("Chinese → English translation"));
        QCOMPARE(zh->titleIn(QStringLiteral("fr")), QStringLiteral("Chinese → English translation"));
        // "about" without a Chinese text falls back to English; without "about" it is empty.
        QCOMPARE(zh->aboutIn(QStringLiteral("zh_CN")), QStringLiteral("A small Transformer trained on Tatoeba."));
        QCOMPARE(c.find(QStringLiteral("reverse"))->aboutIn(QStringLiteral("en")), QString());
    }

    void resolvesReferences()
    {
        const DemoCatalog c = parse(kTwoModels);
        QCOMPARE(c.resolve(QStringLiteral("demo:reverse"), QStringLiteral("/lessons")),
                 QDir::cleanPath(QStringLiteral("/demos/reverse")));
        QCOMPARE(c.resolve(QStringLiteral("models/mine"), QStringLiteral("/home/t/lessons")),
                 QStringLiteral("/home/t/lessons/models/mine"));
        QCOMPARE(c.resolve(QStringLiteral("/abs/model"), QStringLiteral("/home")), QStringLiteral("/abs/model"));
        al::test::expectError([&] { c.resolve(QStringLiteral("demo:pos-zh"), QString()); },
                              {"demo:pos-zh", "no such demo model", "reverse, zh-en"});
    }

    void errorsNameTheMember_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("parts");
        QTest::newRow("syntax") << QByteArray("{\"format\": ") << QStringList{"demos.json", "offset"};
        QTest::newRow("format") << QByteArray(R"({"format": "x", "version": 1, "models": []})")
                                << QStringList{"demos.json", "format", "attention-lab-demos"};
        QTest::newRow("version") << QByteArray(R"({"format": "attention-lab-demos", "version": 2, "models": []})")
                                 << QStringList{"version", "not supported"};
        QTest::newRow("models") << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": {}})")
                                << QStringList{"models: expected an array"};
        QTest::newRow("unknown") << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [], "x": 1})")
                                 << QStringList{"x: unknown member"};
        QTest::newRow("title type")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"en": 3}}]})")
            << QStringList{"models[0].title.en: expected a string"};
        QTest::newRow("title missing")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"zh_CN": "甲"}}]})")
            << QStringList{"models[0].title.en: missing"};
        QTest::newRow("sentence")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "translate", "title": {"en": "A"}}]})")
            << QStringList{"models[0].sentence: missing"};
        QTest::newRow("model member")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"en": "A"}, "weights": "x"}]})")
            << QStringList{"models[0].weights: unknown member"};
        QTest::newRow("data type")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "pos", "sentence": "s", "title": {"en": "A"}, "data": "ud"}]})")
            << QStringList{"models[0].data: expected an array of paths"};
        QTest::newRow("data entry")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "pos", "sentence": "s", "title": {"en": "A"}, "data": ["ud", 3]}]})")
            << QStringList{"models[0].data[1]: expected a path"};
        QTest::newRow("id path")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "../x", "task": "translate", "sentence": "s", "title": {"en": "A"}}]})")
            << QStringList{"models[0].id", "not a directory name"};
        QTest::newRow("id twice")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "models": [
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"en": "A"}},
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"en": "A"}}]})")
            << QStringList{"models[1].id", "listed twice"};
        QTest::newRow("default")
            << QByteArray(R"({"format": "attention-lab-demos", "version": 1, "default": "b", "models": [
                 {"id": "a", "task": "translate", "sentence": "s", "title": {"en": "A"}}]})")
            << QStringList{"default", "\"b\" is not one of the models"};
    }

    void errorsNameTheMember()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, parts);
        al::test::expectError([&] { parse(json); }, parts);
    }

    void readsAFolderAndFindsItThroughTheEnvironment()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("zh-en")));
        QFile::copy(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate/config.json"),
                    tmp.filePath(QStringLiteral("zh-en/config.json")));
        QFile f(tmp.filePath(QStringLiteral("demos.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(kTwoModels);
        f.close();
        qputenv("AL_DEMO_DIR", tmp.path().toLocal8Bit());
        QCOMPARE(DemoCatalog::findInstalled(), tmp.filePath(QStringLiteral("demos.json")));
        const DemoCatalog c = DemoCatalog::read(DemoCatalog::findInstalled());
        QVERIFY(c.find(QStringLiteral("zh-en"))->isInstalled());
        QVERIFY(!c.find(QStringLiteral("reverse"))->isInstalled());
        QCOMPARE(c.resolve(QStringLiteral("demo:zh-en"), QString()), tmp.filePath(QStringLiteral("zh-en")));
        qputenv("AL_DEMO_DIR", tmp.filePath(QStringLiteral("nowhere")).toLocal8Bit());
        QCOMPARE(DemoCatalog::findInstalled(), QString());
        qunsetenv("AL_DEMO_DIR");
        al::test::expectError([&] { DemoCatalog::read(tmp.filePath(QStringLiteral("missing.json"))); },
                              {"missing.json", "cannot read"});
    }

    void theShippedCatalogListsEveryDemoInstalled()
    {
        // resources/models/demos.json, as the program finds it (no AL_DEMO_DIR): the six demo
        // models the lab ships, each an installed model directory with texts in both languages.
        qunsetenv("AL_DEMO_DIR");
        const QString file = DemoCatalog::findInstalled();
        QCOMPARE(QFileInfo(file).canonicalFilePath(), QFileInfo(QStringLiteral(AL_SOURCE_DIR "/resources/models/demos.json")).canonicalFilePath());
        const DemoCatalog c = DemoCatalog::read(file);
        QCOMPARE(c.defaultId(), QStringLiteral("zh-en"));
        QStringList ids;
        for (const DemoModel& m : c.models()) {
            ids << m.id;
            QVERIFY2(m.isInstalled(), qPrintable(m.directory));
            QVERIFY2(!m.title.value(QStringLiteral("zh_CN")).isEmpty(), qPrintable(m.id));
            QVERIFY2(!m.about.value(QStringLiteral("en")).isEmpty() && !m.about.value(QStringLiteral("zh_CN")).isEmpty(), qPrintable(m.id));
            QVERIFY2(!m.sentence.isEmpty(), qPrintable(m.id));
            // The data a demo names exists (the taggers' treebank samples).
            for (const QString& d : m.data)
                QVERIFY2(QFileInfo::exists(d), qPrintable(d));
        }
        const QStringList posData = c.find(QStringLiteral("pos-en"))->data;
        QCOMPARE(posData.size(), 1);
        QCOMPARE(QFileInfo(posData.front()).canonicalFilePath(),
                 QFileInfo(QStringLiteral(AL_SOURCE_DIR "/resources/data/ud/en_ewt")).canonicalFilePath());
        QCOMPARE(ids, (QStringList{"zh-en", "zh-en-synthesizer", "reverse", "charlm", "pos-en", "pos-zh"}));
        QCOMPARE(c.find(QStringLiteral("zh-en"))->sentence, QStringLiteral("我爱你。"));
    }
};

QTEST_GUILESS_MAIN(TestDemoCatalog)
#include "test_demo_catalog.moc"
