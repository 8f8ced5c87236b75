// SPDX-License-Identifier: GPL-3.0-or-later
// The demo models the lab ships (resources/models/, made by make_demo_models.sh): each is
// evaluated again, as stored (float16 weights widened on load), with `attention-lab eval`
// in-process, and scores at least what docs/demo-models.md states for it, less a small margin
// for floating-point differences between machines. The zh-en model must reach test BLEU 25.
#include "cli_test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

#include <cmath>

using al::test::numberAfter;

namespace {

QString demoDir(const char* id)
{
    return QStringLiteral(AL_SOURCE_DIR "/resources/models/") + QLatin1String(id);
}

/// `attention-lab eval --model resources/models/<id> [extra...]`; fails the test on a non-zero exit.
std::string evalDemo(const char* id, const QStringList& extra = {})
{
    const al::test::CliRun r = al::test::runCliArgs(QStringList{QStringLiteral("eval"), QStringLiteral("--model"), demoDir(id)} + extra);
    if (r.code != 0)
        qWarning("eval %s exited %d: %s", id, r.code, r.err.c_str());
    return r.code == 0 ? r.out : std::string();
}

} // namespace

class TestDemoModels : public QObject {
    Q_OBJECT
private slots:
    void storedAsFloat16()
    {
        // Every demo's weights are F16 in the safetensors header: half the float32 size.
        for (const char* id : {"zh-en", "zh-en-synthesizer", "reverse", "charlm", "pos-en", "pos-zh"}) {
            QFile f(demoDir(id) + QStringLiteral("/model.safetensors"));
            QVERIFY2(f.open(QIODevice::ReadOnly), id);
            const QByteArray head = f.read(1 << 16);
            QVERIFY2(head.contains("\"dtype\":\"F16\"") && !head.contains("\"dtype\":\"F32\""), id);
        }
    }

    void translationReachesItsBleu_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("bleu");
        // Measured by make_demo_models.sh (docs/demo-models.md): zh-en 29.07, zh-en-synthesizer 28.28.
        QTest::newRow("zh-en") << QStringLiteral("zh-en") << 29.07;
        QTest::newRow("zh-en-synthesizer") << QStringLiteral("zh-en-synthesizer") << 28.28;
    }

    void translationReachesItsBleu()
    {
        QFETCH(QString, id);
        QFETCH(double, bleu);
        const std::string out = evalDemo(qPrintable(id));
        const double measured = numberAfter(out, "test_bleu ");
        qInfo("%s: test BLEU %.2f (%s)", qPrintable(id), measured, out.substr(0, out.find('\n')).c_str());
        QVERIFY2(measured >= bleu - 0.5, qPrintable(QString::number(measured)));
        QVERIFY(measured >= 25.0);
        QCOMPARE(numberAfter(out, "sentences "), 1264.0); // the whole test split
    }

    void reverseIsExact()
    {
        const std::string out = evalDemo("reverse");
        QCOMPARE(numberAfter(out, "test_exact_match "), 1.0);
        // Its second decoder layer's cross-attention follows the anti-diagonal.
        QVERIFY(numberAfter(out, "layer 2 ") > 0.9);
    }

    void charlmPredictsCharacters()
    {
        const std::string out = evalDemo("charlm");
        const double nats = numberAfter(out, "valid loss ");
        qInfo("charlm: %s", out.c_str());
        QVERIFY2(nats <= kCharlmNats + 0.02, qPrintable(QString::number(nats)));
    }

    void taggersTag_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("data");
        QTest::addColumn<double>("accuracy");
        QTest::newRow("pos-en") << QStringLiteral("pos-en") << QStringLiteral(AL_SOURCE_DIR "/resources/data/ud/en_ewt") << kPosEnAccuracy;
        QTest::newRow("pos-zh") << QStringLiteral("pos-zh") << QStringLiteral(AL_SOURCE_DIR "/resources/data/ud/zh_gsdsimp") << kPosZhAccuracy;
    }

    void taggersTag()
    {
        QFETCH(QString, id);
        QFETCH(QString, data);
        QFETCH(double, accuracy);
        const std::string out = evalDemo(qPrintable(id), {QStringLiteral("--data"), data});
        const double measured = numberAfter(out, "test token accuracy ");
        qInfo("%s: %s", qPrintable(id), out.c_str());
        QVERIFY2(measured >= accuracy - 0.3, qPrintable(QString::number(measured)));
    }

private:
    // Measured by make_demo_models.sh (docs/demo-models.md).
    static constexpr double kCharlmNats = 1.6313;   // validation nats/char (2.353 bits/char)
    static constexpr double kPosEnAccuracy = 84.18; // test token accuracy, %
    static constexpr double kPosZhAccuracy = 69.72;
};

QTEST_GUILESS_MAIN(TestDemoModels)
#include "test_demo_models.moc"
