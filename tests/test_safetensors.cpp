// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors reader/writer, atomic writes and parameter / optimizer checkpoints; files exchanged
// with PyTorch (tests/python_support.h: AL_PYTHON, AL_REQUIRE_PARITY).
#include "engine/io/checkpoint.h"
#include "engine/core/error.h"
#include "engine/core/params.h"
#include "engine/io/safetensors.h"

#include "python_support.h"

#include "tests/test_support.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>

#include <csignal>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

using al::Tensor32;

namespace {

using al::test::expectError;

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(f.write(bytes), bytes.size());
}

/// A safetensors file made by hand: 8-byte little-endian length, header text, data bytes.
QByteArray rawFile(const QByteArray& header, int dataBytes, uint64_t claimedLength = UINT64_MAX)
{
    const uint64_t n = claimedLength == UINT64_MAX ? static_cast<uint64_t>(header.size()) : claimedLength;
    QByteArray out;
    for (int i = 0; i < 8; ++i)
        out.append(static_cast<char>((n >> (8 * i)) & 0xff));
    out += header;
    for (int i = 0; i < dataBytes; ++i)
        out.append(static_cast<char>(i));
    return out;
}

Tensor32 makeTensor(std::vector<int64_t> shape, float seed)
{
    Tensor32 t;
    t.shape = std::move(shape);
    int64_t n = 1;
    for (auto d : t.shape)
        n *= d;
    for (int64_t i = 0; i < n; ++i)
        t.data.push_back(seed + 0.25f * static_cast<float>(i % 17) - 2.0f);
    return t;
}

bool bitEqual(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

QStringList filesIn(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

/// Drops this thread's capabilities that bypass file permissions (root in a container has
/// them), so that a read-only directory is read-only for the test too. Restored on exit.
class PermissionBypassDropped {
public:
    PermissionBypassDropped()
    {
        if (syscall(SYS_capget, &m_header, m_saved) != 0)
            return;
        __user_cap_data_struct reduced[2];
        std::memcpy(reduced, m_saved, sizeof reduced);
        const uint32_t mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_FOWNER);
        reduced[0].effective &= ~mask;
        m_active = syscall(SYS_capset, &m_header, reduced) == 0;
    }
    ~PermissionBypassDropped()
    {
        if (m_active)
            syscall(SYS_capset, &m_header, m_saved);
    }
    PermissionBypassDropped(const PermissionBypassDropped&) = delete;
    PermissionBypassDropped& operator=(const PermissionBypassDropped&) = delete;

private:
    __user_cap_header_struct m_header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct m_saved[2]{};
    bool m_active = false;
};

void fillStore(al::ParamStore& store, float base)
{
    for (const auto& p : store.all())
        for (Eigen::Index i = 0; i < p->value.size(); ++i)
            p->value.data()[i] = static_cast<al::Scalar>(base + 0.125f * static_cast<float>(i) - 1.0f);
}

std::vector<al::Mat> snapshot(const al::ParamStore& store)
{
    std::vector<al::Mat> out;
    for (const auto& p : store.all())
        out.push_back(p->value);
    return out;
}

bool sameValues(const al::ParamStore& store, const std::vector<al::Mat>& snap)
{
    for (size_t i = 0; i < snap.size(); ++i) {
        const al::Mat& v = store.all()[i]->value;
        if (v.rows() != snap[i].rows() || v.cols() != snap[i].cols()
            || std::memcmp(v.data(), snap[i].data(), sizeof(al::Scalar) * v.size()) != 0)
            return false;
    }
    return true;
}

void buildStore(al::ParamStore& store)
{
    store.add("encoder.linear1.weight", {5, 3});
    store.add("encoder.linear1.bias", {5});
    store.add("generator.weight", {7, 5});
    store.add("generator.bias", {7});
}

QByteArray runPython(const QString& script, const QStringList& args)
{
    QProcess p;
    p.start(al::test::python(), QStringList{"-c", script} + args);
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
        qWarning() << "python failed:" << p.readAllStandardError();
        return {};
    }
    return p.readAllStandardOutput();
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void roundTripBitExact();
    void layoutIsStandard();
    void readErrors_data();
    void readErrors();
    void missingFileNamesPath();
    void writeRejectsInconsistentTensor();
    void atomicWriteReplacesContent();
    void atomicWriteToDirectoryFails();
    void atomicWriteReadOnlyDirectoryKeepsOldFile();
    void atomicWriteFailureMidwayKeepsOldFile();
    void atomicWriteMissingDirectoryFails();
    void paramsRoundTrip();
    void loadParamsReportsProblemsAndKeepsStore();
    void loadParamsWrongDtypeKeepsStore();
    void optimizerStateRoundTrip();
    void optimizerStateChecks();
    void halfPrecisionRoundTrip();
    void halfPrecisionRefusesWhatItCannotHold();
    void halfPrecisionParamsLoad();
    void pythonReadsOurFile();
    void weReadPythonFile();
    void pythonAgreesOnHalfPrecision();
    void fortyMegabytesLoadQuickly();

private:
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }
};

void TestSafetensors::roundTripBitExact()
{
    std::map<std::string, Tensor32> in;
    in["b.matrix"] = makeTensor({3, 4}, 1.0f);
    in["a.vector"] = makeTensor({5}, -3.0f);
    in["c.scalar"] = makeTensor({}, 7.0f);
    in["d.empty"] = makeTensor({0, 4}, 0.0f);
    in["e.cube"] = makeTensor({2, 1, 3}, 0.5f);
    // Values a lossy text or double round trip would change.
    auto& special = in["f.special"];
    special.shape = {8};
    special.data = {-0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
                    std::numeric_limits<float>::quiet_NaN(), 1.0f / 3.0f, std::nextafter(1.0f, 2.0f)};
    const std::map<std::string, std::string> meta{
        {"format", "pt"}, {"step", "42"}, {"note", "Grüße, \"quoted\"\nnewline"}, {"empty", ""}};

    const std::string file = path("roundtrip.safetensors");
    al::write_safetensors(file, in, meta);
    std::map<std::string, std::string> metaOut;
    const auto out = al::read_safetensors(file, &metaOut);

    QCOMPARE(out.size(), in.size());
    for (const auto& [name, t] : in) {
        QVERIFY2(out.count(name), name.c_str());
        QVERIFY(out.at(name).shape == t.shape);
        QVERIFY2(bitEqual(out.at(name).data, t.data), name.c_str());
    }
    QVERIFY(metaOut == meta);

    // Without metadata nothing is invented; the out-parameter is optional.
    al::write_safetensors(file, in);
    metaOut = {{"stale", "x"}};
    al::read_safetensors(file, &metaOut);
    QVERIFY(metaOut.empty());
    QCOMPARE(al::read_safetensors(file).size(), in.size());
}

void TestSafetensors::layoutIsStandard()
{
    std::map<std::string, Tensor32> in{{"z", makeTensor({2}, 1.0f)}, {"a", makeTensor({3}, 2.0f)}};
    const std::string file = path("layout.safetensors");
    al::write_safetensors(file, in, {{"k", "v"}});
    const QByteArray bytes = readAll(QString::fromStdString(file));
    QVERIFY(bytes.size() >= 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    QCOMPARE(n % 8, uint64_t(0)); // data section 8-byte aligned
    const QByteArray header = bytes.mid(8, static_cast<int>(n));
    QVERIFY(header.startsWith('{'));
    const auto j = nlohmann::json::parse(header.toStdString());
    QCOMPARE(j.at("__metadata__").at("k").get<std::string>(), std::string("v"));
    QCOMPARE(j.at("a").at("dtype").get<std::string>(), std::string("F32"));
    // Tensors are laid out in name order.
    QVERIFY(j.at("a").at("data_offsets") == nlohmann::json({0, 12}));
    QVERIFY(j.at("z").at("data_offsets") == nlohmann::json({12, 20}));
    QVERIFY(j.at("z").at("shape") == nlohmann::json({2}));
    QCOMPARE(bytes.size(), static_cast<int>(8 + n + 20));
    float first = 0;
    std::memcpy(&first, bytes.constData() + 8 + n, 4);
    QCOMPARE(first, in["a"].data[0]);
}

void TestSafetensors::readErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("expected");

    const QByteArray ok = R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    QTest::newRow("valid file cut in the data") << rawFile(ok, 32).left(8 + ok.size() + 28)
                                                << QStringList{"truncated", "tensor 'b'"};
    QTest::newRow("shorter than the length field") << QByteArray("\x10\x00\x00", 3)
                                                   << QStringList{"truncated", "3 bytes"};
    QTest::newRow("header length beyond the file") << rawFile(ok, 32, 100000)
                                                   << QStringList{"header length 100000", "exceeds the file size"};
    QTest::newRow("header length near 2^64") << rawFile(ok, 32, UINT64_MAX - 3)
                                             << QStringList{"exceeds the file size"};
    QTest::newRow("garbage JSON") << rawFile("{\"a\": nonsense ]]]", 0) << QStringList{"invalid JSON header"};
    QTest::newRow("binary garbage") << rawFile(QByteArray("\xff\xfe\x00\x01garbage", 11), 0)
                                    << QStringList{"invalid JSON header"};
    QTest::newRow("header is an array") << rawFile("[1, 2]", 0) << QStringList{"expected a JSON object"};
    QTest::newRow("dtype F64") << rawFile(R"({"h":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})", 16)
                               << QStringList{"tensor 'h'", "dtype F64", "only F32, F16 and BF16"};
    QTest::newRow("dtype in lower case") << rawFile(R"({"h":{"dtype":"f16","shape":[2],"data_offsets":[0,4]}})", 4)
                                         << QStringList{"tensor 'h'", "dtype f16", "only F32, F16 and BF16"};
    QTest::newRow("F16 span of F32 size") << rawFile(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", 8)
                                          << QStringList{"tensor 'h'", "2 F16 elements", "span 8 bytes"};
    QTest::newRow("BF16 odd span") << rawFile(R"({"h":{"dtype":"BF16","shape":[1],"data_offsets":[0,3]}})", 3)
                                   << QStringList{"tensor 'h'", "1 BF16 elements", "span 3 bytes"};
    QTest::newRow("dtype missing") << rawFile(R"({"h":{"shape":[1],"data_offsets":[0,4]}})", 4)
                                   << QStringList{"tensor 'h'", "dtype"};
    QTest::newRow("overlapping offsets")
        << rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)
        << QStringList{"overlapping", "'a'", "'b'"};
    QTest::newRow("identical offsets")
        << rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8)
        << QStringList{"overlapping"};
    QTest::newRow("offsets past the end")
        << rawFile(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}})", 16)
        << QStringList{"tensor 'a'", "past the end", "out of range", "[16, 32]"};
    QTest::newRow("begin after end")
        << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8)
        << QStringList{"tensor 'a'", "begin > end"};
    QTest::newRow("negative offset")
        << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4)
        << QStringList{"tensor 'a'", "data_offsets"};
    QTest::newRow("gap between tensors")
        << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                   R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12)
        << QStringList{"gap", "'b'"};
    QTest::newRow("trailing bytes")
        << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 12)
        << QStringList{"8 trailing bytes"};
    QTest::newRow("shape does not match byte range")
        << rawFile(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20)
        << QStringList{"tensor 'a'", "shape [2, 3]", "6 F32 elements", "span 20 bytes"};
    QTest::newRow("shape overflows")
        << rawFile(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4)
        << QStringList{"tensor 'a'", "shape"};
    QTest::newRow("negative dimension")
        << rawFile(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)
        << QStringList{"tensor 'a'", "invalid shape"};
    QTest::newRow("non-string metadata")
        << rawFile(R"({"__metadata__":{"step":3}})", 0) << QStringList{"__metadata__", "'step'", "string"};
}

void TestSafetensors::readErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, expected);
    const QString file = m_dir.filePath("broken_file.safetensors");
    writeAll(file, bytes);
    expectError([&] { al::read_safetensors(file.toStdString()); },
                QStringList{file + ": "} + expected);
}

void TestSafetensors::missingFileNamesPath()
{
    const std::string file = path("does-not-exist.safetensors");
    expectError([&] { al::read_safetensors(file); }, {QString::fromStdString(file), "No such file"});
    expectError([&] { al::read_file(m_dir.path().toStdString()); }, {m_dir.path(), "directory"});
}

void TestSafetensors::writeRejectsInconsistentTensor()
{
    const std::string file = path("inconsistent.safetensors");
    Tensor32 t = makeTensor({2, 3}, 0.0f);
    t.data.pop_back();
    expectError([&] { al::write_safetensors(file, {{"w", t}}); },
                {"inconsistent.safetensors", "tensor 'w'", "5 values", "[2, 3]"});
    expectError([&] { al::write_safetensors(file, {{"__metadata__", makeTensor({1}, 0)}}); },
                {"reserved"});
    QVERIFY(!QFile::exists(QString::fromStdString(file)));
    QVERIFY(!filesIn(m_dir.path()).join(' ').contains(".tmp"));
}

void TestSafetensors::atomicWriteReplacesContent()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath("a.txt").toStdString();
    al::atomic_write_file(file, "first");
    QCOMPARE(readAll(dir.filePath("a.txt")), QByteArray("first"));
    al::atomic_write_file(file, std::string("second\0binary", 13));
    QCOMPARE(readAll(dir.filePath("a.txt")), QByteArray("second\0binary", 13));
    QCOMPARE(al::read_file(file), std::string("second\0binary", 13));
    al::atomic_write_file(file, "");
    QCOMPARE(readAll(dir.filePath("a.txt")), QByteArray());
    // The replacement keeps the permission bits of the file it replaces.
    QVERIFY(::chmod(file.c_str(), 0640) == 0);
    al::atomic_write_file(file, "third");
    struct stat st {};
    QVERIFY(::stat(file.c_str(), &st) == 0);
    QCOMPARE(st.st_mode & 07777, mode_t(0640));
    QCOMPARE(filesIn(dir.path()), QStringList{"a.txt"});
}

void TestSafetensors::atomicWriteToDirectoryFails()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir("target"));
    writeAll(dir.filePath("target/inside.txt"), "keep");
    const QString target = dir.filePath("target");
    expectError([&] { al::atomic_write_file(target.toStdString(), "new"); }, {target, "directory"});
    QVERIFY(QFileInfo(target).isDir());
    QCOMPARE(readAll(dir.filePath("target/inside.txt")), QByteArray("keep"));
    QCOMPARE(filesIn(dir.path()), QStringList{});
    QCOMPARE(filesIn(target), QStringList{"inside.txt"});
}

void TestSafetensors::atomicWriteReadOnlyDirectoryKeepsOldFile()
{
    QTemporaryDir dir;
    const QString sub = dir.filePath("ro");
    QVERIFY(QDir(dir.path()).mkdir("ro"));
    const QString file = sub + "/model.safetensors";
    al::write_safetensors(file.toStdString(), {{"w", makeTensor({2}, 1.0f)}});
    const QByteArray before = readAll(file);
    QVERIFY(::chmod(sub.toLocal8Bit().constData(), 0555) == 0);
    {
        PermissionBypassDropped guard;
        // Probe: if the process can still create files here, permissions are not enforced.
        const QString probe = sub + "/probe";
        const bool enforced = !QFile(probe).open(QIODevice::WriteOnly);
        if (enforced) {
            expectError([&] { al::atomic_write_file(file.toStdString(), "new content"); },
                        {file, "temporary file", "Permission denied"});
            expectError([&] { al::write_safetensors(file.toStdString(), {{"w", makeTensor({3}, 5.0f)}}); },
                        {file});
        }
        QVERIFY(::chmod(sub.toLocal8Bit().constData(), 0755) == 0);
        QFile::remove(probe);
        if (!enforced)
            QSKIP("directory permissions are not enforced for this process");
    }
    QCOMPARE(readAll(file), before);
    QCOMPARE(filesIn(sub), QStringList{"model.safetensors"});
    QCOMPARE(al::read_safetensors(file.toStdString()).at("w").data, makeTensor({2}, 1.0f).data);
}

void TestSafetensors::atomicWriteFailureMidwayKeepsOldFile()
{
    // A file-size limit makes write() fail part-way (EFBIG), as a full disk would.
    QTemporaryDir dir;
    const QString file = dir.filePath("big.bin");
    writeAll(file, "old content");
    rlimit saved{};
    QVERIFY(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    rlimit small = saved;
    small.rlim_cur = 4096;
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    QVERIFY(setrlimit(RLIMIT_FSIZE, &small) == 0);
    bool threw = false;
    std::string message;
    try {
        al::atomic_write_file(file.toStdString(), std::string(100000, 'x'));
    } catch (const al::Error& e) {
        threw = true;
        message = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);
    QVERIFY(threw);
    QVERIFY2(message.find(file.toStdString()) != std::string::npos, message.c_str());
    QVERIFY2(message.find("write failed") != std::string::npos, message.c_str());
    QCOMPARE(readAll(file), QByteArray("old content"));
    QCOMPARE(filesIn(dir.path()), QStringList{"big.bin"});
}

void TestSafetensors::atomicWriteMissingDirectoryFails()
{
    const QString file = m_dir.filePath("no/such/dir/x.json");
    expectError([&] { al::atomic_write_file(file.toStdString(), "x"); }, {file, "No such file or directory"});
}

void TestSafetensors::paramsRoundTrip()
{
    al::ParamStore a, b;
    buildStore(a);
    buildStore(b);
    fillStore(a, 3.0f);
    a.all()[0]->value(1, 2) = static_cast<al::Scalar>(1.0f / 3.0f);
    const std::string file = path("model.safetensors");
    al::save_params(a, file);
    al::load_params(b, file);
    QVERIFY(sameValues(b, snapshot(a)));

    // PyTorch shapes and the "pt" format marker are what the file carries.
    std::map<std::string, std::string> meta;
    const auto t = al::read_safetensors(file, &meta);
    QCOMPARE(meta.at("format"), std::string("pt"));
    QVERIFY((t.at("encoder.linear1.weight").shape == std::vector<int64_t>{5, 3}));
    QVERIFY((t.at("generator.bias").shape == std::vector<int64_t>{7}));
    QCOMPARE(t.at("encoder.linear1.weight").data[1 * 3 + 2], 1.0f / 3.0f); // row-major
}

void TestSafetensors::loadParamsReportsProblemsAndKeepsStore()
{
    al::ParamStore store;
    buildStore(store);
    fillStore(store, 1.0f);
    const auto before = snapshot(store);

    al::ParamStore other;
    other.add("encoder.linear1.weight", {3, 5});   // wrong shape (transposed)
    other.add("encoder.linear1.bias", {5});
    other.add("generator.weight", {7, 5});
    other.add("extra.weight", {2, 2});             // unexpected; generator.bias missing
    fillStore(other, 9.0f);
    const std::string file = path("mismatch.safetensors");
    al::save_params(other, file);

    expectError([&] { al::load_params(store, file); },
                {"mismatch.safetensors: ", "missing tensor 'generator.bias'",
                 "tensor 'encoder.linear1.weight' has shape [3, 5], expected [5, 3]",
                 "unexpected tensor 'extra.weight'"});
    QVERIFY(sameValues(store, before));

    // One problem alone gives exactly the documented message.
    al::ParamStore onlyMissing;
    onlyMissing.add("encoder.linear1.weight", {5, 3});
    onlyMissing.add("encoder.linear1.bias", {5});
    onlyMissing.add("generator.weight", {7, 5});
    al::save_params(onlyMissing, file);
    try {
        al::load_params(store, file);
        QFAIL("no error");
    } catch (const al::Error& e) {
        QCOMPARE(std::string(e.what()), file + ": missing tensor 'generator.bias'");
    }
    QVERIFY(sameValues(store, before));

    // A corrupt file leaves the store unchanged as well.
    writeAll(QString::fromStdString(file), "garbage");
    expectError([&] { al::load_params(store, file); }, {"mismatch.safetensors", "truncated"});
    QVERIFY(sameValues(store, before));
}

void TestSafetensors::loadParamsWrongDtypeKeepsStore()
{
    al::ParamStore store;
    store.add("w", {2});
    fillStore(store, 4.0f);
    const auto before = snapshot(store);
    const QString file = m_dir.filePath("f64.safetensors");
    writeAll(file, rawFile(R"({"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})", 16));
    expectError([&] { al::load_params(store, file.toStdString()); }, {file, "tensor 'w'", "F64"});
    QVERIFY(sameValues(store, before));
}

void TestSafetensors::optimizerStateRoundTrip()
{
    al::ParamStore a, b;
    buildStore(a);
    buildStore(b);
    a.ensure_optimizer_state();
    for (const auto& p : a.all()) {
        p->adam_m.setConstant(static_cast<al::Scalar>(0.5));
        p->adam_v.setConstant(static_cast<al::Scalar>(0.25));
        p->adam_m(0, 0) = static_cast<al::Scalar>(-1e-7f);
    }
    const std::string file = path("optimizer.safetensors");
    al::save_optimizer_state(a, 12345, file);
    QCOMPARE(al::load_optimizer_state(b, file), int64_t(12345));
    for (size_t i = 0; i < a.all().size(); ++i) {
        QVERIFY(b.all()[i]->adam_m == a.all()[i]->adam_m);
        QVERIFY(b.all()[i]->adam_v == a.all()[i]->adam_v);
    }
    const auto t = al::read_safetensors(file);
    QVERIFY(t.count("generator.bias.exp_avg") && t.count("generator.bias.exp_avg_sq"));
    QCOMPARE(t.size(), 2 * a.all().size());

    // Before the first step the moments are not allocated; they are saved as zeros.
    al::ParamStore fresh;
    buildStore(fresh);
    al::save_optimizer_state(fresh, 0, file);
    QCOMPARE(al::load_optimizer_state(b, file), int64_t(0));
    for (const auto& p : b.all())
        QVERIFY(p->adam_m.isZero() && p->adam_v.isZero() && p->adam_m.rows() == p->value.rows());
}

void TestSafetensors::optimizerStateChecks()
{
    al::ParamStore store;
    buildStore(store);
    store.ensure_optimizer_state();
    const std::string file = path("optimizer_bad.safetensors");

    al::ParamStore smaller;
    smaller.add("encoder.linear1.weight", {5, 3});
    al::save_optimizer_state(smaller, 7, file);
    expectError([&] { al::load_optimizer_state(store, file); },
                {"optimizer_bad.safetensors", "missing tensor 'generator.bias.exp_avg'",
                 "missing tensor 'generator.bias.exp_avg_sq'"});

    std::map<std::string, Tensor32> tensors;
    for (const auto& p : store.all()) {
        tensors[p->name + ".exp_avg"] = makeTensor(p->shape, 0.0f);
        tensors[p->name + ".exp_avg_sq"] = makeTensor(p->shape, 0.0f);
    }
    al::write_safetensors(file, tensors);
    expectError([&] { al::load_optimizer_state(store, file); }, {"optimizer_bad.safetensors", "'step' is missing"});
    al::write_safetensors(file, tensors, {{"step", "-3"}});
    expectError([&] { al::load_optimizer_state(store, file); }, {"'step'", "non-negative integer", "'-3'"});
    al::write_safetensors(file, tensors, {{"step", "12abc"}});
    expectError([&] { al::load_optimizer_state(store, file); }, {"'step'", "'12abc'"});
    for (const auto& p : store.all())
        QVERIFY(p->adam_m.isZero()); // untouched by the failed loads
}

void TestSafetensors::halfPrecisionRoundTrip()
{
    // Values float16 holds exactly, the largest finite one, a subnormal, and ties that round to
    // the even neighbour: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 (float16 has 10
    // fraction bits), 1 + 3 * 2^-11 halfway between 1 + 2^-10 and 1 + 2^-9.
    const float tie_down = 1.0f + std::ldexp(1.0f, -11);
    const float tie_up = 1.0f + 3.0f * std::ldexp(1.0f, -11);
    Tensor32 t;
    t.shape = {7};
    t.data = {0.5f, -2.25f, 65504.0f, std::ldexp(1.0f, -24), tie_down, tie_up, -0.0f};
    const std::string f16 = path("half.safetensors");
    al::write_safetensors(f16, {{"w", t}}, {{"format", "pt"}}, al::StorageDtype::F16);
    QCOMPARE(al::read_safetensors_dtypes(f16).at("w"), al::StorageDtype::F16);
    const auto back = al::read_safetensors(f16).at("w");
    QVERIFY((back.shape == std::vector<int64_t>{7}));
    const std::vector<float> expected = {0.5f, -2.25f, 65504.0f, std::ldexp(1.0f, -24), 1.0f,
                                         1.0f + std::ldexp(1.0f, -9), -0.0f};
    QVERIFY(back.data == expected);
    QVERIFY(std::signbit(back.data[6]));
    // 2 bytes an element after the padded header.
    const auto size = QFileInfo(QString::fromStdString(f16)).size();
    std::ifstream in(f16, std::ios::binary);
    uint64_t header = 0;
    in.read(reinterpret_cast<char*>(&header), 8);
    QCOMPARE(size, static_cast<qint64>(8 + header + 7 * 2));

    // bfloat16 keeps float32's exponent: 1e30 survives, with 8 significant bits.
    Tensor32 b;
    b.shape = {3};
    b.data = {1e30f, -3.0f, 1.0f + std::ldexp(1.0f, -8)}; // the last is a tie: rounds to 1
    const std::string bf16 = path("bhalf.safetensors");
    al::write_safetensors(bf16, {{"b", b}}, {}, al::StorageDtype::BF16);
    QCOMPARE(al::read_safetensors_dtypes(bf16).at("b"), al::StorageDtype::BF16);
    const auto bb = al::read_safetensors(bf16).at("b");
    QVERIFY(std::fabs(bb.data[0] - 1e30f) <= 1e30f * std::ldexp(1.0f, -8));
    QCOMPARE(bb.data[1], -3.0f);
    QCOMPARE(bb.data[2], 1.0f);

    al::StorageDtype d = al::StorageDtype::F32;
    QVERIFY(al::parse_storage_dtype("float16", d) && d == al::StorageDtype::F16);
    QVERIFY(al::parse_storage_dtype("BF16", d) && d == al::StorageDtype::BF16);
    QVERIFY(al::parse_storage_dtype("f32", d) && d == al::StorageDtype::F32);
    QVERIFY(!al::parse_storage_dtype("f8", d));
}

void TestSafetensors::halfPrecisionRefusesWhatItCannotHold()
{
    Tensor32 t;
    t.shape = {3};
    t.data = {1.0f, 65520.0f, 2.0f}; // 65520 would round to infinity in float16
    const std::string file = path("refused.safetensors");
    expectError([&] { al::write_safetensors(file, {{"big", t}}, {}, al::StorageDtype::F16); },
                {"refused.safetensors", "tensor 'big'", "element 1", "F16 cannot hold", "65504"});
    QVERIFY(!QFileInfo::exists(QString::fromStdString(file)));
    t.data[1] = std::numeric_limits<float>::quiet_NaN();
    expectError([&] { al::write_safetensors(file, {{"nan", t}}, {}, al::StorageDtype::BF16); },
                {"tensor 'nan'", "element 1", "BF16 cannot hold"});
    t.data[1] = 65520.0f; // BF16 holds it
    al::write_safetensors(file, {{"ok", t}}, {}, al::StorageDtype::BF16);
    QCOMPARE(al::read_safetensors(file).at("ok").data[1], 65536.0f);
}

void TestSafetensors::halfPrecisionParamsLoad()
{
    al::ParamStore a, b;
    buildStore(a);
    buildStore(b);
    fillStore(a, 0.25f);
    const std::string file = path("params_f16.safetensors");
    al::save_params(a, file, al::StorageDtype::F16);
    al::load_params(b, file);
    for (size_t i = 0; i < a.all().size(); ++i) {
        const al::Mat& va = a.all()[i]->value;
        const al::Mat& vb = b.all()[i]->value;
        QCOMPARE(vb.rows(), va.rows());
        // Relative rounding error of float16: at most 2^-11.
        QVERIFY2(((va - vb).array().abs() <= va.array().abs() * std::ldexp(1.0, -11) + 1e-7).all(),
                 a.all()[i]->name.c_str());
    }
}

void TestSafetensors::pythonAgreesOnHalfPrecision()
{
    AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-torch", "torch");
    // Python writes F16 and BF16 tensors of seeded random values (PyTorch's rounding) and we read
    // them; we write the same float32 values as F16 and BF16 and Python compares our bits with
    // torch's .to(float16 / bfloat16). Both directions must agree bit for bit.
    const QString script = R"PY(
import json, struct, sys, torch
torch.manual_seed(7)
x = torch.randn(64, dtype=torch.float32) * torch.logspace(-6, 4, 64)
dtypes = {'h': (torch.float16, 'F16'), 'b': (torch.bfloat16, 'BF16')}
if sys.argv[1] == 'write':
    header, blobs, off = {}, [], 0
    for name, (dt, key) in dtypes.items():
        blob = x.to(dt).view(torch.int16).numpy().tobytes()
        header[name] = {'dtype': key, 'shape': [8, 8], 'data_offsets': [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header).encode('utf-8')
    open(sys.argv[2], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    print(json.dumps({'x': x.tolist(), 'h': x.to(torch.float16).float().tolist(),
                      'b': x.to(torch.bfloat16).float().tolist()}))
else:
    ok = {}
    for path in sys.argv[2:]:
        raw = open(path, 'rb').read()
        (n,) = struct.unpack('<Q', raw[:8])
        header = json.loads(raw[8:8 + n])
        data = raw[8 + n:]
        for name, e in header.items():
            dt, key = dtypes[name]
            b0, b1 = e['data_offsets']
            ours = torch.frombuffer(bytearray(data[b0:b1]), dtype=torch.int16)
            ok[name] = e['dtype'] == key and bool(torch.equal(ours, x.to(dt).view(torch.int16)))
    print(json.dumps(ok))
)PY";
    const std::string fromPython = path("python_half.safetensors");
    const QByteArray written = runPython(script, {"write", QString::fromStdString(fromPython)});
    QVERIFY(!written.isEmpty());
    const auto j = nlohmann::json::parse(written.toStdString());
    const auto t = al::read_safetensors(fromPython);
    QCOMPARE(al::read_safetensors_dtypes(fromPython).at("h"), al::StorageDtype::F16);
    QCOMPARE(al::read_safetensors_dtypes(fromPython).at("b"), al::StorageDtype::BF16);
    QVERIFY(t.at("h").data == j.at("h").get<std::vector<float>>());
    QVERIFY(t.at("b").data == j.at("b").get<std::vector<float>>());

    Tensor32 x;
    x.shape = {8, 8};
    x.data = j.at("x").get<std::vector<float>>();
    const std::string ours16 = path("ours_f16.safetensors");
    const std::string oursBf16 = path("ours_bf16.safetensors");
    al::write_safetensors(ours16, {{"h", x}}, {}, al::StorageDtype::F16);
    al::write_safetensors(oursBf16, {{"b", x}}, {}, al::StorageDtype::BF16);
    const QByteArray r = runPython(script, {"read", QString::fromStdString(ours16), QString::fromStdString(oursBf16)});
    QVERIFY(!r.isEmpty());
    const auto agree = nlohmann::json::parse(r.toStdString());
    QVERIFY(agree.at("h").get<bool>());
    QVERIFY(agree.at("b").get<bool>());
}

void TestSafetensors::pythonReadsOurFile()
{
    AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-torch", "torch");
    std::map<std::string, Tensor32> in{{"enc.weight", makeTensor({3, 5}, 1.0f)},
                                       {"enc.bias", makeTensor({5}, -2.0f)},
                                       {"scalar", makeTensor({}, 4.0f)},
                                       {"cube", makeTensor({2, 3, 4}, 0.5f)}};
    const std::string file = path("for_python.safetensors");
    al::write_safetensors(file, in, {{"format", "pt"}});

    // Pure-Python parse: no safetensors package, just struct + json + torch.frombuffer.
    const QString script = R"PY(
import json, struct, sys, torch
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n].decode('utf-8'))
meta = header.pop('__metadata__', {})
data = raw[8 + n:]
out = {}
for name in sorted(header):
    e = header[name]
    assert e['dtype'] == 'F32', e
    b, end = e['data_offsets']
    t = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32).reshape(e['shape'])
    flat = t.double().flatten()
    out[name] = {'shape': list(t.shape), 'sum': float(flat.sum()),
                 'wsum': float((flat * torch.arange(flat.numel(), dtype=torch.float64)).sum())}
print(json.dumps({'meta': meta, 'aligned': n % 8 == 0, 'tensors': out}))
)PY";
    const QByteArray output = runPython(script, {QString::fromStdString(file)});
    QVERIFY(!output.isEmpty());
    const auto j = nlohmann::json::parse(output.toStdString());
    QVERIFY(j.at("aligned").get<bool>());
    QCOMPARE(j.at("meta").at("format").get<std::string>(), std::string("pt"));
    QCOMPARE(j.at("tensors").size(), in.size());
    for (const auto& [name, t] : in) {
        const auto& r = j.at("tensors").at(name);
        QVERIFY2(r.at("shape").get<std::vector<int64_t>>() == t.shape, name.c_str());
        double sum = 0, wsum = 0;
        for (size_t i = 0; i < t.data.size(); ++i) {
            sum += t.data[i];
            wsum += t.data[i] * static_cast<double>(i);
        }
        // Quarter-step values: every sum is exact in double, so the checksums must match exactly.
        QCOMPARE(r.at("sum").get<double>(), sum);
        QCOMPARE(r.at("wsum").get<double>(), wsum);
    }
}

void TestSafetensors::weReadPythonFile()
{
    AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-torch", "torch");
    // Written by Python without header padding and with data in reverse name order: both legal.
    const QString script = R"PY(
import json, struct, sys, torch
tensors = {'a': torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5,
           'b': torch.tensor([1.5, -2.0, 3.25]), 'c': torch.tensor(7.0)}
header, blobs, off = {'__metadata__': {'source': 'python'}}, [], 0
for name in sorted(tensors, reverse=True):
    blob = tensors[name].contiguous().numpy().tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [off, off + len(blob)]}
    blobs.append(blob)
    off += len(blob)
h = json.dumps(header).encode('utf-8')
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
print('ok')
)PY";
    const std::string file = path("from_python.safetensors");
    QCOMPARE(runPython(script, {QString::fromStdString(file)}).trimmed(), QByteArray("ok"));
    std::map<std::string, std::string> meta;
    const auto t = al::read_safetensors(file, &meta);
    QCOMPARE(meta.at("source"), std::string("python"));
    QVERIFY((t.at("a").shape == std::vector<int64_t>{2, 3}));
    QVERIFY((t.at("a").data == std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f}));
    QVERIFY((t.at("b").data == std::vector<float>{1.5f, -2.0f, 3.25f}));
    QVERIFY(t.at("c").shape.empty());
    QVERIFY((t.at("c").data == std::vector<float>{7.0f}));
}

void TestSafetensors::fortyMegabytesLoadQuickly()
{
    std::map<std::string, Tensor32> in;
    for (int i = 0; i < 10; ++i)
        in["layer" + std::to_string(i) + ".weight"] = makeTensor({1000, 1000}, static_cast<float>(i));
    const std::string file = path("big.safetensors");
    al::write_safetensors(file, in);
    QVERIFY(QFileInfo(QString::fromStdString(file)).size() > 40000000);
    QElapsedTimer timer;
    timer.start();
    const auto out = al::read_safetensors(file);
    const qint64 ms = timer.elapsed();
    qInfo("read 40 MB in %lld ms", static_cast<long long>(ms));
    QVERIFY2(ms < 1000, qPrintable(QString("took %1 ms").arg(ms)));
    QVERIFY(bitEqual(out.at("layer7.weight").data, in.at("layer7.weight").data));
    QFile::remove(QString::fromStdString(file));
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
