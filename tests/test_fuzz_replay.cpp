// SPDX-License-Identifier: GPL-3.0-or-later
// Replays every seed (tests/fuzz/corpus/<target>/) and every fixed finding
// (tests/fuzz/regressions/<target>/) through the libFuzzer targets of tests/fuzz/, built here with
// the normal compiler and without libFuzzer: each target's entry point is compiled under the
// name al_fuzz_<target> (tests/CMakeLists.txt). A target aborts on a broken invariant and lets
// any exception but al::Error escape, so a regression fails this test (in the ASan build, also a
// memory error).
#include <QDir>
#include <QFile>
#include <QtTest>

#include <cstdint>

#define AL_FUZZ_TARGETS(X) X(safetensors) X(config_json) X(model_dir) X(tsv_pairs) X(conllu) X(text) X(labelled) X(vocab) X(trace_json) \
    X(session) X(lesson) X(timeline)

#define AL_DECLARE(name) extern "C" int al_fuzz_##name(const uint8_t* data, size_t size);
AL_FUZZ_TARGETS(AL_DECLARE)
#undef AL_DECLARE

namespace {

using Entry = int (*)(const uint8_t*, size_t);

struct Target {
    const char* name;
    Entry entry;
};

const Target kTargets[] = {
#define AL_ENTRY(name) {#name, al_fuzz_##name},
    AL_FUZZ_TARGETS(AL_ENTRY)
#undef AL_ENTRY
};

} // namespace

class TestFuzzReplay : public QObject {
    Q_OBJECT
private slots:
    void everyTargetHasSeeds()
    {
        for (const Target& t : kTargets) {
            const QDir dir(QStringLiteral(AL_SOURCE_DIR "/tests/fuzz/corpus/") + t.name);
            QVERIFY2(!dir.entryList(QDir::Files).isEmpty(), qPrintable(dir.path() + " has no seed files"));
        }
    }

    void replay_data()
    {
        QTest::addColumn<int>("target");
        QTest::addColumn<QString>("path");
        for (int i = 0; i < int(std::size(kTargets)); ++i)
            for (const char* kind : {"corpus", "regressions"}) {
                const QDir dir(QStringLiteral(AL_SOURCE_DIR "/tests/fuzz/") + kind + "/" + kTargets[i].name);
                for (const QString& f : dir.entryList(QDir::Files, QDir::Name))
                    QTest::newRow(qPrintable(QString("%1/%2/%3").arg(kind, kTargets[i].name, f)))
                        << i << dir.filePath(f);
            }
    }

    void replay()
    {
        QFETCH(int, target);
        QFETCH(QString, path);
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = f.readAll();
        QCOMPARE(kTargets[target].entry(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size())), 0);
    }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "test_fuzz_replay.moc"
