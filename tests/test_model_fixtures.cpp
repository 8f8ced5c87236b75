// SPDX-License-Identifier: GPL-3.0-or-later
// Model directories saved by an earlier build (tests/fixtures/models/<name>/) must keep loading
// and give the logits recorded when they were saved (expected_logits.txt beside each), so a
// change of the code never silently breaks the users' saved models. Every model kind has one:
// translation, NAT, an algorithmic task (copy), charlm, pos, sentiment and mlm.
// With AL_RECORD_FIXTURES=1 the test writes expected_logits.txt instead of comparing (done once,
// with the build that saved the directories).
#include "engine/data/batch.h"
#include "engine/core/error.h"
#include "engine/io/model_dir.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"

#include <QtTest>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace al;

namespace {

std::string fixture_dir(const char* name)
{
    return std::string(AL_SOURCE_DIR) + "/tests/fixtures/models/" + name;
}

/// A deterministic id in [lo, n): the same inputs every run, spread over the table.
int pick(int i, int salt, int lo, int n)
{
    return lo + int((uint64_t(i) * 2654435761u + uint64_t(salt) * 40503u) % uint64_t(n - lo));
}

/// Two sequences of different lengths (so padding masks matter) for an encoder-decoder.
Mat translation_logits(const TranslationModel& model)
{
    const int v_src = model.net.config().src_vocab_size, v_tgt = model.net.config().tgt_vocab_size;
    std::vector<EncodedPair> pairs(2);
    for (int i = 0; i < 6; ++i)
        pairs[0].src.push_back(pick(i, 1, 4, v_src));
    for (int i = 0; i < 3; ++i)
        pairs[1].src.push_back(pick(i, 2, 4, v_src));
    for (int i = 0; i < 4; ++i)
        pairs[0].tgt.push_back(pick(i, 3, 4, v_tgt));
    for (int i = 0; i < 5; ++i)
        pairs[1].tgt.push_back(pick(i, 4, 4, v_tgt));
    const Batch batch = make_batch({&pairs[0], &pairs[1]});
    Seq2SeqActivations act;
    model.net.forward(batch, act, false, nullptr);
    Mat out = act.logits;
    if (model.net.is_nat()) { // the length predictor is part of what a NAT model computes
        Mat both(out.rows() + act.length_logits.rows(), out.cols() > act.length_logits.cols() ? out.cols() : act.length_logits.cols());
        both.setZero();
        both.topLeftCorner(out.rows(), out.cols()) = out;
        both.bottomLeftCorner(act.length_logits.rows(), act.length_logits.cols()) = act.length_logits;
        out = both;
    }
    return out;
}

/// Two sequences of lengths 7 and 4 for a task model, with the inputs its kind needs
/// (segments for mlm, suffix tokens for pos, targets that select rows for mlm).
Mat task_logits(const TaskModel& model)
{
    const ModelConfig& c = model.net.config();
    TaskBatch batch;
    batch.B = 2;
    batch.T = 7;
    batch.len = {7, 4};
    const int k = int(c.labels.size());
    const int specials = model.vocab.num_specials(), pad = model.vocab.pad();
    for (int b = 0; b < batch.B; ++b)
        for (int t = 0; t < batch.T; ++t) {
            const bool real = t < batch.len[size_t(b)];
            const int i = b * batch.T + t;
            batch.ids.push_back(real ? pick(i, 5, specials, c.vocab_size) : pad);
            if (c.task == "mlm") {
                batch.segments.push_back(t < 3 ? 0 : 1);
                batch.targets.push_back(real && t % 3 == 1 ? pick(i, 6, specials, c.vocab_size) : -1);
            } else if (c.task == "pos") {
                batch.targets.push_back(real ? pick(i, 7, 0, k) : -1);
            } else if (c.task == "charlm") {
                batch.targets.push_back(real ? pick(i, 8, specials, c.vocab_size) : -1);
            }
            if (c.suffix_len > 0)
                batch.aux.push_back(real ? pick(i, 9, specials, c.vocab_size) : pad);
        }
    if (c.task == "sentiment" || c.task == "langid")
        batch.targets = {0, k - 1};
    TaskActivations act;
    model.net.forward(batch, act, false, nullptr);
    return act.logits;
}

std::string format_logits(const Mat& m)
{
    std::ostringstream out;
    out << m.rows() << " " << m.cols() << "\n";
    char buf[32];
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            std::snprintf(buf, sizeof buf, "%.9g", double(m(r, c)));
            out << (c ? " " : "") << buf;
        }
        out << "\n";
    }
    return out.str();
}

Mat read_logits(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    Eigen::Index rows = 0, cols = 0;
    in >> rows >> cols;
    Mat m(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r)
        for (Eigen::Index c = 0; c < cols; ++c) {
            double v = 0;
            in >> v;
            m(r, c) = Scalar(v);
        }
    if (!in)
        throw std::runtime_error(path + ": fewer values than its header says");
    return m;
}

} // namespace

class TestModelFixtures : public QObject {
    Q_OBJECT

    /// Loads (through the loader the kind uses), computes, and compares with the recording.
    /// Tolerance: 1e-5 relative to the largest logit; the same CPU gives identical values, another
    /// SIMD width may round the sums differently.
    void check(const char* name)
    {
        const std::string dir = fixture_dir(name);
        const bool task = !task_of_model_dir(dir).empty();
        const Mat logits = task ? task_logits(load_task_model_dir(dir)) : translation_logits(load_model_dir(dir));
        QVERIFY(logits.size() > 0);
        QVERIFY(logits.allFinite());
        const std::string expected_path = dir + "/expected_logits.txt";
        if (qEnvironmentVariableIntValue("AL_RECORD_FIXTURES") == 1) {
            std::ofstream(expected_path) << format_logits(logits);
            qInfo("recorded %s", expected_path.c_str());
            return;
        }
        const Mat expected = read_logits(expected_path);
        QCOMPARE(logits.rows(), expected.rows());
        QCOMPARE(logits.cols(), expected.cols());
        const double scale = std::max(1.0, double(expected.cwiseAbs().maxCoeff()));
        const double diff = double((logits - expected).cwiseAbs().maxCoeff());
        qInfo("%s: %lld x %lld logits, max |difference| %.3g (scale %.3g)", name, (long long)logits.rows(),
              (long long)logits.cols(), diff, scale);
        QVERIFY2(diff <= 1e-5 * scale, qPrintable(QStringLiteral("%1: logits moved by %2").arg(name).arg(diff)));
    }

    /// The fixture converted to float16 or bfloat16 weights (al::convert_model_dir) loads through
    /// the same loader and gives the float32 model's logits up to the rounding of its weights.
    void checkHalf(const char* name, StorageDtype dtype, double tolerance)
    {
        const std::string dir = fixture_dir(name);
        const bool task = !task_of_model_dir(dir).empty();
        auto logits_of = [task](const std::string& d) {
            return task ? task_logits(load_task_model_dir(d)) : translation_logits(load_model_dir(d));
        };
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string out = tmp.filePath("half").toStdString();
        convert_model_dir(dir, out, dtype);
        QCOMPARE(read_safetensors_dtypes(out + "/model.safetensors").begin()->second, dtype);
        const Mat full = logits_of(dir), half = logits_of(out);
        QCOMPARE(half.rows(), full.rows());
        const double scale = std::max(1.0, double(full.cwiseAbs().maxCoeff()));
        const double diff = double((half - full).cwiseAbs().maxCoeff());
        qInfo("%s as %s: max |difference| %.3g (scale %.3g)", name, storage_dtype_name(dtype), diff, scale);
        QVERIFY2(diff <= tolerance * scale, qPrintable(QStringLiteral("%1: %2 logits moved by %3").arg(name)
                                                           .arg(storage_dtype_name(dtype)).arg(diff)));
    }

private slots:
    void halfPrecision_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* n : {"translate", "nat", "copy", "charlm", "pos", "sentiment", "mlm"})
            QTest::newRow(n) << QString(n);
    }
    /// Float16 keeps 11 significant bits (relative rounding 2^-11), bfloat16 8 (2^-8).
    void halfPrecision()
    {
        QFETCH(QString, name);
        checkHalf(qPrintable(name), StorageDtype::F16, 5e-3);
        checkHalf(qPrintable(name), StorageDtype::BF16, 4e-2);
    }
    void convertRefusesItsInput()
    {
        QTemporaryDir tmp;
        const std::string out = tmp.filePath("copy").toStdString();
        convert_model_dir(fixture_dir("pos"), out, StorageDtype::F16);
        try {
            convert_model_dir(out, out, StorageDtype::F32);
            QFAIL("converting a directory onto itself was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("is the model directory being converted"), e.what());
        }
        try {
            convert_model_dir(tmp.path().toStdString() + "/missing", tmp.filePath("x").toStdString(), StorageDtype::F16);
            QFAIL("a missing directory was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("is not a model directory"), e.what());
        }
        QVERIFY(!QFileInfo::exists(tmp.filePath("x")));
    }
    void translation() { check("translate"); }
    void nat() { check("nat"); }
    void copyTask() { check("copy"); }
    void charlm() { check("charlm"); }
    void pos() { check("pos"); }
    void sentiment() { check("sentiment"); }
    void mlm() { check("mlm"); }
};

QTEST_APPLESS_MAIN(TestModelFixtures)
#include "test_model_fixtures.moc"
