// SPDX-License-Identifier: GPL-3.0-or-later
// Bounded allocation: every size a file claims is checked against a documented limit and against
// the file before anything is allocated, and the refusal names the file and the key.
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/trace_json.h"
#include "engine/models/limits.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "tests/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

using al::test::expectError;

namespace {

/// A file of `size` bytes (sparse: no disk blocks) that starts with `head`.
void writeSparse(const QString& path, const QByteArray& head, qint64 size)
{
    const int fd = ::open(path.toLocal8Bit().constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, head.constData(), size_t(head.size())), ssize_t(head.size()));
    QCOMPARE(::ftruncate(fd, off_t(size)), 0);
    ::close(fd);
}

const QString kFixtures = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/");

/// A copy of fixture model `name` in `dir` whose config.json has `key` set to `value`.
QString fixtureWith(const QTemporaryDir& dir, const QString& name, const char* key, int64_t value)
{
    const QString out = dir.filePath(name);
    QDir().mkpath(out);
    for (const QString& f : QDir(kFixtures + name).entryList(QDir::Files))
        QFile::copy(kFixtures + name + "/" + f, out + "/" + f);
    const std::string cfg = (out + "/config.json").toStdString();
    nlohmann::json j = nlohmann::json::parse(al::read_file(cfg));
    j[key] = value;
    QFile::remove(out + "/config.json");
    QFile f(out + "/config.json");
    if (f.open(QIODevice::WriteOnly))
        f.write(QByteArray::fromStdString(j.dump(2)));
    return out;
}

QByteArray headerLength(uint64_t n)
{
    QByteArray b(8, '\0');
    for (int i = 0; i < 8; ++i)
        b[i] = char((n >> (8 * i)) & 0xff);
    return b;
}

} // namespace

class TestLimits : public QObject {
    Q_OBJECT
private slots:
    void safetensorsHeaderOverTheLimit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.safetensors");
        const uint64_t n = al::kMaxSafetensorsHeaderBytes + 1;
        writeSparse(path, headerLength(n) + "{", qint64(8 + n));
        expectError([&] { al::read_safetensors(path.toStdString()); },
                    {"big.safetensors", "header length 100000001", "over the limit of 100000000 bytes"});
    }

    void safetensorsTensorBeyondTheFile()
    {
        // A 1 TB tensor claimed by a 100-byte file is refused from the header alone.
        QTemporaryDir dir;
        const QString path = dir.filePath("huge.safetensors");
        QByteArray header = R"({"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,1099511627776]}})";
        header.append(QByteArray((8 - header.size() % 8) % 8, ' '));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(headerLength(uint64_t(header.size())) + header + QByteArray(16, '\0'));
        f.close();
        expectError([&] { al::read_safetensors(path.toStdString()); },
                    {"huge.safetensors", "tensor 'w'", "past the end of the data section (16 bytes)"});
    }

    void safetensorsFileThatIsNotRegular()
    {
        expectError([] { al::read_safetensors("/dev/null"); }, {"/dev/null", "not a regular file"});
    }

    void configKeysOverTheirLimits_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        QTest::addColumn<QString>("message");
        // The two configs of the hardening issue: a translate that kept building layers, and an
        // out-of-memory error that did not say which key.
        QTest::newRow("translate layers") << "translate" << "num_encoder_layers" << qint64(1000000)
                                          << "num_encoder_layers (1000000) is over the limit of 256";
        QTest::newRow("translate max_len") << "translate" << "max_len" << qint64(2147483647)
                                           << "max_len (2147483647) is over the limit of 8192";
        QTest::newRow("nat d_model") << "nat" << "d_model" << qint64(1 << 20) << "d_model (1048576) is over the limit of 4096";
        QTest::newRow("copy vocabulary") << "copy" << "tgt_vocab_size" << qint64(1 << 30)
                                         << "tgt_vocab_size (1073741824) is over the limit of 2097152";
        QTest::newRow("copy feed-forward") << "copy" << "dim_feedforward" << qint64(1 << 17)
                                           << "dim_feedforward (131072) is over the limit of 65536";
        QTest::newRow("charlm layers") << "charlm" << "num_decoder_layers" << qint64(1000000)
                                       << "num_decoder_layers (1000000) is over the limit of 256";
        QTest::newRow("pos max_len") << "pos" << "max_len" << qint64(100000) << "max_len (100000) is over the limit of 8192";
        QTest::newRow("sentiment vocabulary") << "sentiment" << "vocab_size" << qint64(1 << 30)
                                              << "vocab_size (1073741824) is over the limit of 2097152";
    }

    void configKeysOverTheirLimits()
    {
        QFETCH(QString, model);
        QFETCH(QString, key);
        QFETCH(qint64, value);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string path = fixtureWith(dir, model, key.toLatin1().constData(), value).toStdString();
        const bool task = model != "translate" && model != "nat" && model != "copy";
        expectError([&] { task ? (void)al::load_task_model_dir(path) : (void)al::load_model_dir(path); },
                    {"config.json", message});
    }

    void architectureLargerThanTheWeightsFile_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        QTest::newRow("translate d_model") << "translate" << "d_model" << qint64(4096);
        QTest::newRow("nat d_model") << "nat" << "d_model" << qint64(4096);
        QTest::newRow("mlm d_model") << "mlm" << "d_model" << qint64(4096);
        QTest::newRow("charlm d_model") << "charlm" << "d_model" << qint64(4096);
    }

    void architectureLargerThanTheWeightsFile()
    {
        // Within the limits, but the network would need far more weights than model.safetensors
        // holds: refused before it is built.
        QFETCH(QString, model);
        QFETCH(QString, key);
        QFETCH(qint64, value);
        QTemporaryDir dir;
        const std::string path = fixtureWith(dir, model, key.toLatin1().constData(), value).toStdString();
        const bool task = model != "translate" && model != "nat" && model != "copy";
        expectError([&] { task ? (void)al::load_task_model_dir(path) : (void)al::load_model_dir(path); },
                    {"config.json: the architecture", "needs at least", "model.safetensors has only"});
    }

    void weightBoundIsBelowEveryRealModel()
    {
        // min_weight_count must never refuse a genuine model: it stays below the parameter count
        // of every fixture kind and of every attention variant.
        for (const char* name : {"translate", "nat", "copy"}) {
            const al::TranslationModel m = al::load_model_dir((kFixtures + name).toStdString());
            QVERIFY2(al::min_weight_count(m.net.config()) <= m.net.params().numel(), name);
        }
        for (const char* name : {"charlm", "pos", "sentiment", "mlm"}) {
            const al::TaskModel m = al::load_task_model_dir((kFixtures + name).toStdString());
            QVERIFY2(al::min_weight_count(m.net.config()) <= m.net.params().numel(), name);
        }
        for (const char* attention : {"vanilla", "dense", "random", "fixed_random", "factorized_dense",
                                      "factorized_random", "random+vanilla", "dense+vanilla", "random+dense"})
            for (const char* decoder : {"autoregressive", "nat"}) {
                al::ModelConfig c;
                c.src_vocab_size = 11;
                c.tgt_vocab_size = 13;
                c.d_model = 8;
                c.nhead = 2;
                c.num_encoder_layers = 2;
                c.num_decoder_layers = 2;
                c.dim_feedforward = 4;
                c.max_len = 6;
                c.attention = attention;
                c.decoder = decoder;
                const al::Transformer t(c, 1);
                QVERIFY2(al::min_weight_count(c) <= t.params().numel(), attention);
            }
    }

    void traceValueOutsideTheFloatRange()
    {
        // Converting 1e300 to float is undefined behaviour; the reader refuses it by name.
        for (const char* file : {"float_out_of_range.json", "step_cross_out_of_range.json"}) {
            QFile f(QStringLiteral(AL_SOURCE_DIR "/tests/fuzz/regressions/trace_json/") + file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const auto j = nlohmann::json::parse(f.readAll().toStdString());
            expectError([&] { al::trace_from_json(j, file); }, {file, "outside the range of a float"});
        }
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "test_limits.moc"
