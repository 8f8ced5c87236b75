// SPDX-License-Identifier: GPL-3.0-or-later
// LabSetup without a window: every settings key, the view and the lesson round-trip through
// JSON and through a session file; every malformed member is refused with its member path;
// model references resolve through demos.json or as directories; overrides change only their keys.
#include "ui/view_models/lab_setup.h"
#include "ui/view_models/session_file.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace al::ui;

namespace {

/// A value of `key` that differs from SettingsValues{}'s.
QJsonValue nonDefault(const QString& key)
{
    const QJsonValue d = settingsValue(SettingsValues{}, key);
    if (key == QLatin1String("task"))
        return QStringLiteral("charlm");
    if (key == QLatin1String("attention_dropout"))
        return 0.3; // default: unset (null)
    if (d.isString())
        return d.toString() + QStringLiteral("-x");
    if (d.isBool())
        return !d.toBool();
    const double v = d.toDouble();
    return v == std::floor(v) && key != QLatin1String("dropout") && key != QLatin1String("label_smoothing")
                   && key != QLatin1String("lr_factor") && key != QLatin1String("mask_prob")
                   && !key.startsWith(QLatin1String("scheduled_sampling_"))
               ? QJsonValue(int(v) + 3)
               : QJsonValue(v + 0.25);
}

QJsonObject parse(const char* text)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &e);
    if (e.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", text);
    return doc.object();
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

} // namespace

class TestLabSetup : public QObject {
    Q_OBJECT
private slots:
    void everyKeyRoundTripsWithANonDefaultValue();
    void emptySetupIsEmptyJson();
    void attentionDropoutNullMeansUnset();
    void overridesChangeOnlyTheirKeys();
    void errorsNameTheMemberPath_data();
    void errorsNameTheMemberPath();
    void errorsCarryTheCallersPath();
    void sessionFileRoundTrips();
    void sessionFileErrors_data();
    void sessionFileErrors();
    void modelReferences();
};

void TestLabSetup::everyKeyRoundTripsWithANonDefaultValue()
{
    LabSetup s;
    s.model = QStringLiteral("demo:zh-en");
    for (const QString& key : settingsKeys()) {
        const QJsonValue v = nonDefault(key);
        QVERIFY2(v != settingsValue(SettingsValues{}, key), qPrintable(key));
        QCOMPARE(s.settings.set(key, v), QString());
    }
    QCOMPARE(s.settings.keys, settingsKeys());
    s.view.tab = QStringLiteral("decoding");
    s.view.sentence = QStringLiteral("我爱你。");
    s.view.kind = al::AttentionKind::Cross;
    s.view.layer = 1;
    s.view.head = 3;
    s.view.decodingStrategy = al::DecodingStrategy::Beam;
    s.view.beamWidth = 6;
    s.view.lengthPenalty = 0.25;
    s.lesson = LabLesson{QStringLiteral("resources/lessons/01-qkv.json"), 4};

    const QJsonObject json = s.toJson();
    QCOMPARE(json.value("settings").toObject().size(), settingsKeys().size());
    QString error;
    const std::optional<LabSetup> back = LabSetup::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->model, s.model);
    for (const QString& key : settingsKeys())
        QCOMPARE(settingsValue(back->settings.values, key), nonDefault(key));
    QCOMPARE(back->view.tab, s.view.tab);
    QCOMPARE(back->view.sentence, s.view.sentence);
    QVERIFY(back->view.kind == al::AttentionKind::Cross);
    QCOMPARE(back->view.layer, std::optional<int>(1));
    QCOMPARE(back->view.head, std::optional<int>(3));
    QVERIFY(back->view.decodingStrategy == al::DecodingStrategy::Beam);
    QCOMPARE(back->view.beamWidth, std::optional<int>(6));
    QCOMPARE(back->view.lengthPenalty, std::optional<double>(0.25));
    QVERIFY(back->lesson);
    QCOMPARE(back->lesson->file, s.lesson->file);
    QCOMPARE(back->lesson->step, 4);
    QVERIFY(*back == s);

    // Every kind and tab identifier reads back as itself.
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross}) {
        al::AttentionKind parsed = al::AttentionKind::EncoderSelf;
        QVERIFY(parseLabAttentionKind(labAttentionKindId(k), parsed));
        QVERIFY(parsed == k);
    }
    for (const QString& tab : labTabIds()) {
        const QJsonObject o{{"view", QJsonObject{{"tab", tab}}}};
        QCOMPARE(LabSetup::fromJson(o, &error)->view.tab, std::optional<QString>(tab));
    }
}

void TestLabSetup::emptySetupIsEmptyJson()
{
    QString error;
    const std::optional<LabSetup> s = LabSetup::fromJson(QJsonObject(), &error);
    QVERIFY(s);
    QVERIFY(!s->model && s->settings.isEmpty() && s->view.isEmpty() && !s->lesson);
    QCOMPARE(s->toJson(), QJsonObject());
    // A lesson step's partial setup writes only what it has.
    const QJsonObject partial = parse(R"({"view": {"attention": {"head": 1}}, "settings": {"d_model": 32}})");
    QCOMPARE(LabSetup::fromJson(partial, &error)->toJson(), partial);
}

void TestLabSetup::attentionDropoutNullMeansUnset()
{
    QString error;
    std::optional<LabSetup> s = LabSetup::fromJson(parse(R"({"settings": {"attention_dropout": null}})"), &error);
    QVERIFY2(s, qPrintable(error));
    QVERIFY(s->settings.contains("attention_dropout"));
    QVERIFY(!s->settings.values.attentionDropout);
    QVERIFY(s->toJson().value("settings").toObject().value("attention_dropout").isNull());
    s = LabSetup::fromJson(parse(R"({"settings": {"attention_dropout": 0.2}})"), &error);
    QCOMPARE(s->settings.values.attentionDropout, std::optional<double>(0.2));
}

void TestLabSetup::overridesChangeOnlyTheirKeys()
{
    SettingsOverrides o;
    QCOMPARE(o.set("d_model", 48), QString());
    QCOMPARE(o.set("seed", 9), QString());
    SettingsValues target;
    target.heads = 2;
    target.seed = 1;
    o.applyTo(target);
    QCOMPARE(target.dModel, 48);
    QCOMPARE(target.seed, 9);
    QCOMPARE(target.heads, 2); // not overridden
    QCOMPARE(o.keys, QStringList({"d_model", "seed"}));
    // A rejected value changes nothing.
    QVERIFY(!o.set("seed", "nine").isEmpty());
    QCOMPARE(o.values.seed, 9);
    QVERIFY(!o.set("no_such_key", 1).isEmpty());
    QCOMPARE(o.keys.size(), 2);
    const SettingsOverrides all = SettingsOverrides::all(target);
    QCOMPARE(all.keys, settingsKeys());
}

void TestLabSetup::errorsNameTheMemberPath_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    const std::pair<const char*, const char*> cases[] = {
        {R"({"bogus": 1})", "bogus: unknown member"},
        {R"({"format": "attention-lab-session"})", "format: unknown member"},
        {R"({"model": 3})", "model: expected a string"},
        {R"({"model": " "})", "model: expected \"demo:<id>\" or a model directory"},
        {R"({"settings": []})", "settings: expected an object"},
        {R"({"settings": {"bogus": 1}})", "settings.bogus: unknown member"},
        {R"({"settings": {"d_model": "64"}})", "settings.d_model: expected an integer"},
        {R"({"settings": {"d_model": 64.5}})", "settings.d_model: expected an integer"},
        {R"({"settings": {"seed": 1e12}})", "settings.seed: expected an integer"},
        {R"({"settings": {"dropout": "0.1"}})", "settings.dropout: expected a number"},
        {R"({"settings": {"norm_first": 1}})", "settings.norm_first: expected true or false"},
        {R"({"settings": {"attention": 3}})", "settings.attention: expected a string"},
        {R"({"settings": {"task": null}})", "settings.task: expected a string"},
        {R"({"settings": {"attention_dropout": "x"}})", "settings.attention_dropout: expected a number or null"},
        {R"({"view": 1})", "view: expected an object"},
        {R"({"view": {"bogus": 1}})", "view.bogus: unknown member"},
        {R"({"view": {"tab": 3}})", "view.tab: expected a string"},
        {R"({"view": {"tab": "heatmap"}})", "view.tab: unknown tab 'heatmap'"},
        {R"({"view": {"sentence": 1}})", "view.sentence: expected a string"},
        {R"({"view": {"attention": "cross"}})", "view.attention: expected an object"},
        {R"({"view": {"attention": {"bogus": 1}}})", "view.attention.bogus: unknown member"},
        {R"({"view": {"attention": {"kind": 2}}})", "view.attention.kind: expected a string"},
        {R"({"view": {"attention": {"kind": "self"}}})", "view.attention.kind: unknown attention kind 'self'"},
        {R"({"view": {"attention": {"layer": -1}}})", "view.attention.layer: expected an integer >= 0"},
        {R"({"view": {"attention": {"layer": 0.5}}})", "view.attention.layer: expected an integer >= 0"},
        {R"({"view": {"attention": {"head": "0"}}})", "view.attention.head: expected an integer >= 0"},
        {R"({"view": {"decoding": {"strategy": "topk"}}})", "view.decoding.strategy: unknown decoding strategy 'topk'"},
        {R"({"view": {"decoding": {"beam_width": 0}}})", "view.decoding.beam_width: expected an integer from 1 to 32"},
        {R"({"view": {"decoding": {"beam_width": 33}}})", "view.decoding.beam_width: expected an integer from 1 to 32"},
        {R"({"view": {"decoding": {"length_penalty": -0.1}}})", "view.decoding.length_penalty: expected a number from 0 to 3"},
        {R"({"view": {"decoding": {"temperature": 1}}})", "view.decoding.temperature: unknown member"},
        {R"({"lesson": "01-qkv.json"})", "lesson: expected an object"},
        {R"({"lesson": {"step": 1}})", "lesson.file: expected the lesson file's path"},
        {R"({"lesson": {"file": 1}})", "lesson.file: expected a string"},
        {R"({"lesson": {"file": "a.json", "step": -2}})", "lesson.step: expected an integer >= 0"},
        {R"({"lesson": {"file": "a.json", "page": 1}})", "lesson.page: unknown member"},
    };
    for (const auto& [json, expected] : cases)
        QTest::newRow(expected) << QString::fromUtf8(json) << QString::fromUtf8(expected);
}

void TestLabSetup::errorsNameTheMemberPath()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    QString error;
    const std::optional<LabSetup> s = LabSetup::fromJson(QJsonDocument::fromJson(json.toUtf8()).object(), &error);
    QVERIFY(!s);
    QVERIFY2(error.startsWith(expected), qPrintable(error));
}

void TestLabSetup::errorsCarryTheCallersPath()
{
    QString error;
    QVERIFY(!LabSetup::fromJson(parse(R"({"settings": {"d_model": "x"}})"), &error, "steps[2].setup"));
    QVERIFY2(error.startsWith("steps[2].setup.settings.d_model: expected an integer"), qPrintable(error));
}

void TestLabSetup::sessionFileRoundTrips()
{
    QTemporaryDir tmp;
    LabSetup s;
    s.model = tmp.path();
    for (const QString& key : settingsKeys())
        QCOMPARE(s.settings.set(key, nonDefault(key)), QString());
    s.view.tab = QStringLiteral("overview");
    s.view.sentence = QStringLiteral("我爱你。");
    s.view.kind = al::AttentionKind::DecoderSelf;
    s.view.layer = 0;
    s.view.head = 1;
    const QString path = tmp.filePath("run.json");
    QString error;
    QVERIFY2(writeSessionFile(path, s, &error), qPrintable(error));
    const std::optional<LabSetup> back = readSessionFile(path, &error);
    QVERIFY2(back, qPrintable(error));
    QVERIFY(*back == s);
    // format and version open the file.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY2(bytes.startsWith("{\n    \"format\": \"attention-lab-session\",\n    \"version\": 1,\n"), bytes.constData());
    const QJsonObject root = QJsonDocument::fromJson(bytes).object();
    QCOMPARE(root.size(), 5); // format, version, model, settings, view
    // Rewriting over an existing file replaces it whole (QSaveFile).
    s.view.head = 0;
    QVERIFY(writeSessionFile(path, s, &error));
    QCOMPARE(readSessionFile(path, &error)->view.head, std::optional<int>(0));
    QVERIFY(!writeSessionFile(tmp.filePath("no/such/dir/run.json"), s, &error));
    QVERIFY2(error.contains("run.json: cannot write the file"), qPrintable(error));
    // An empty setup is a valid session.
    QVERIFY(parseSession(sessionBytes(LabSetup{}), "x", &error));
}

void TestLabSetup::sessionFileErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("syntax") << QByteArray("{\n  \"format\": \"attention-lab-session\",\n  \"version\": 1,,\n}")
                            << "s.json: line 3, column";
    QTest::newRow("array") << QByteArray("[]") << "s.json: expected a JSON object";
    QTest::newRow("no format") << QByteArray(R"({"version": 1})") << "s.json: format: expected \"attention-lab-session\"";
    QTest::newRow("other format") << QByteArray(R"({"format": "attention-lab-lesson", "version": 1})")
                                  << "s.json: format: expected \"attention-lab-session\"";
    QTest::newRow("version 2") << QByteArray(R"({"format": "attention-lab-session", "version": 2})")
                               << "s.json: version: expected 1";
    QTest::newRow("member") << QByteArray(R"({"format": "attention-lab-session", "version": 1, "settings": {"nhead": true}})")
                            << "s.json: settings.nhead: expected an integer";
}

void TestLabSetup::sessionFileErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!parseSession(bytes, "s.json", &error));
    QVERIFY2(error.startsWith(expected), qPrintable(error));
    QVERIFY(!readSessionFile("/no/such/file.json", &error));
    QVERIFY2(error.contains("file.json: cannot read the file"), qPrintable(error));
}

void TestLabSetup::modelReferences()
{
    QTemporaryDir tmp;
    QVERIFY(QDir(tmp.path()).mkpath("models/zh-en"));
    QVERIFY(QDir(tmp.path()).mkpath("mine/m1"));
    const QString demos = tmp.filePath("models/demos.json");
    writeFile(demos, R"({"format": "attention-lab-demos", "version": 1, "default": "zh-en",
                         "models": [{"id": "reverse", "task": "reverse", "sentence": "1 2 3", "title": {"en": "Reverse"}},
                                    {"id": "zh-en", "task": "translate", "sentence": "我爱你。", "title": {"en": "Chinese to English"}}]})");
    QString error;
    std::optional<ResolvedModel> r = resolveModelReference("demo:zh-en", QString(), demos, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->directory, QDir(tmp.filePath("models/zh-en")).absolutePath());
    QVERIFY(r->demo);
    QCOMPARE(r->demo->task, QString("translate"));
    QCOMPARE(r->demo->sentence, QString("我爱你。"));
    // Listed but not on disk; not listed.
    QVERIFY(!resolveModelReference("demo:reverse", QString(), demos, &error));
    QVERIFY2(error.contains("does not exist"), qPrintable(error));
    QVERIFY(!resolveModelReference("demo:charlm", QString(), demos, &error));
    QVERIFY2(error.contains("demo:charlm: no such demo model (installed: reverse, zh-en)"), qPrintable(error));
    // A directory, relative to the file that names it, or absolute.
    r = resolveModelReference("mine/m1", tmp.path(), demos, &error);
    QVERIFY2(r, qPrintable(error));
    QCOMPARE(r->directory, QDir(tmp.filePath("mine/m1")).absolutePath());
    QVERIFY(!r->demo);
    QVERIFY(resolveModelReference(tmp.filePath("mine/m1"), "/elsewhere", demos, &error));
    QVERIFY(!resolveModelReference("mine/none", tmp.path(), demos, &error));
    // A demos.json of another format.
    writeFile(demos, R"({"format": "something", "version": 1, "models": []})");
    QVERIFY(!resolveModelReference("demo:zh-en", QString(), demos, &error));
    QVERIFY2(error.contains("demos.json: format: expected \"attention-lab-demos\""), qPrintable(error));
    writeFile(demos, "{");
    QVERIFY(!resolveModelReference("demo:zh-en", QString(), demos, &error));
    QVERIFY2(error.contains("demos.json: offset "), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestLabSetup)
#include "test_lab_setup.moc"
