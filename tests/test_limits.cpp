// SPDX-License-Identifier: GPL-3.0-or-later
// Bounded allocation: every size a file claims is checked against a documented limit and against
// the file before anything is allocated, and the refusal names the file and the key.
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/io/trace_json.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include <functional>

namespace {

void expectError(const std::function<void()>& f, const QStringList& parts)
{
    try {
        f();
    } catch (const al::Error& e) {
        const QString msg = QString::fromStdString(e.what());
        for (const QString& p : parts)
            QVERIFY2(msg.contains(p), qPrintable("message '" + msg + "' lacks '" + p + "'"));
        return;
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("expected al::Error, got std::exception: ") + e.what()));
    }
    QFAIL("expected al::Error, nothing was thrown");
}

/// A file of `size` bytes (sparse: no disk blocks) that starts with `head`.
void writeSparse(const QString& path, const QByteArray& head, qint64 size)
{
    const int fd = ::open(path.toLocal8Bit().constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, head.constData(), size_t(head.size())), ssize_t(head.size()));
    QCOMPARE(::ftruncate(fd, off_t(size)), 0);
    ::close(fd);
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
