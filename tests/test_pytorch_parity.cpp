// SPDX-License-Identifier: GPL-3.0-or-later
// Parity with PyTorch: the lab's model.safetensors loads into torch.nn.Transformer with
// load_state_dict(strict=True), and logits (max abs diff < 1e-4) and the gradient of every
// parameter after one label-smoothed cross-entropy backward (relative diff < 1e-3) agree, for
// Post-LN and Pre-LN. The oracle is tests/pytorch_parity.py run by Debian's /usr/bin/python3
// (tests/python_support.h: AL_PYTHON, AL_REQUIRE_PARITY).
// The other direction: a model built and trained a few Adam steps in PyTorch, written as a lab
// model directory by tests/pytorch_to_lab.py, opens with load_model_dir and gives torch's logits
// (max abs diff < 1e-4) and torch's greedy translation; a transposed weight breaks that, a
// wrong-shaped one is refused by name.
#include "engine/io/checkpoint.h"
#include "engine/io/config_json.h"
#include "engine/core/error.h"
#include "engine/nn/loss.h"
#include "engine/io/safetensors.h"
#include "engine/models/transformer.h"
#include "engine/models/translation_model.h"

#include "python_support.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace al;

namespace {

/// The batch tests/pytorch_to_lab.py wrote to DIR/case.json; lengths = last non-PAD position + 1.
Batch read_case(const std::string& path)
{
    const nlohmann::json j = nlohmann::json::parse(read_file(path));
    Batch b;
    b.B = j.at("B").get<int>();
    b.S = j.at("S").get<int>();
    b.T = j.at("T").get<int>();
    b.src = j.at("src").get<std::vector<int>>();
    b.tgt_in = j.at("tgt_in").get<std::vector<int>>();
    b.tgt_out = j.at("tgt_out").get<std::vector<int>>();
    auto length = [](const std::vector<int>& ids, int row, int n) {
        int len = 0;
        for (int t = 0; t < n; ++t)
            if (ids[size_t(row) * size_t(n) + size_t(t)] != 0)
                len = t + 1;
        return len;
    };
    for (int r = 0; r < b.B; ++r) {
        b.src_len.push_back(length(b.src, r, b.S));
        b.tgt_len.push_back(length(b.tgt_in, r, b.T));
    }
    return b;
}

/// Max |lab - torch| over the logits rows whose target is not PAD (torch's logits of padded
/// query rows are not part of the model's output).
double max_logit_diff(const std::string& case_dir, const std::string& model_dir)
{
    const TranslationModel m = load_model_dir(model_dir);
    const Batch b = read_case(case_dir + "/case.json");
    Seq2SeqActivations a;
    m.net.forward(b, a, false, nullptr);
    const Tensor32 ref = read_safetensors(case_dir + "/logits.safetensors").at("logits");
    if (ref.shape != std::vector<int64_t>{a.logits.rows(), a.logits.cols()})
        throw Error("logits.safetensors: shape differs from the lab's logits");
    double worst = 0;
    for (Eigen::Index r = 0; r < a.logits.rows(); ++r) {
        if (b.tgt_out[size_t(r)] == 0)
            continue;
        for (Eigen::Index v = 0; v < a.logits.cols(); ++v)
            worst = std::max(worst, std::abs(double(a.logits(r, v)) - double(ref.data[size_t(r * a.logits.cols() + v)])));
    }
    return worst;
}

/// Copies the model directory `from` to `to` with tensor `name` transposed (2-D): its data, and
/// its shape too when `transpose_shape`.
void copy_with_transposed(const std::string& from, const std::string& to, const std::string& name, bool transpose_shape)
{
    namespace fs = std::filesystem;
    fs::copy(from, to, fs::copy_options::recursive);
    auto tensors = read_safetensors(to + "/model.safetensors");
    Tensor32& t = tensors.at(name);
    const int64_t rows = t.shape.at(0), cols = t.shape.at(1);
    std::vector<float> data(t.data.size());
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            data[size_t(j * rows + i)] = t.data[size_t(i * cols + j)];
    t.data = data;
    if (transpose_shape)
        t.shape = {cols, rows};
    write_safetensors(to + "/model.safetensors", tensors);
}

} // namespace

class PyTorchParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-torch", "torch");
        // PyTorch -> lab: one run writes the Post-LN and the Pre-LN model directories.
        QVERIFY(m_torchDir.isValid());
        QProcess py;
        py.start(al::test::python(), {QStringLiteral(AL_SOURCE_DIR "/tests/pytorch_to_lab.py"), m_torchDir.path()});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        m_torchOut = QString::fromUtf8(py.readAllStandardOutput());
        qInfo("%s", qPrintable(m_torchOut.trimmed()));
    }

    void pytorch_model_opens_with_same_logits_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("Post-LN") << "post_ln";
        QTest::newRow("Pre-LN") << "pre_ln";
    }
    void pytorch_model_opens_with_same_logits()
    {
        QFETCH(QString, name);
        // The weights were trained, not left at torch's initialisation.
        const auto m = QRegularExpression(name + " loss_first=(\\S+) loss_last=(\\S+)").match(m_torchOut);
        QVERIFY(m.hasMatch());
        QVERIFY2(m.captured(2).toDouble() < 0.5 * m.captured(1).toDouble(), "torch training did not reduce the loss");
        const std::string d = m_torchDir.path().toStdString() + "/" + name.toStdString();
        const TranslationModel model = load_model_dir(d + "/model");
        QCOMPARE(model.net.config().norm_first, name == "pre_ln");
        QCOMPARE(model.net.config().d_model, 32);
        const double diff = max_logit_diff(d, d + "/model");
        qInfo("%s: max |lab - torch| logit = %.3e", qPrintable(name), diff);
        QVERIFY2(diff < 1e-4, qPrintable(QString("logits differ by %1").arg(diff)));

        // Through the vocab files and the tokenizer: the lab's greedy translation of a sentence
        // is torch's (at most 20 tokens, GREEDY_MAX in the script).
        const nlohmann::json cs = nlohmann::json::parse(read_file(d + "/case.json"));
        const Translation tr = translate(model, cs.at("sentence").get<std::string>(), 20, nullptr);
        const auto expected = cs.at("greedy").get<std::vector<std::string>>();
        QVERIFY(!expected.empty());
        QVERIFY2(tr.out_tokens == expected, qPrintable(QString::fromStdString(tr.text)));
    }

    // The comparison above can fail: a transposed square weight loads (same shape) but changes
    // the logits far beyond the tolerance.
    void transposed_weight_changes_logits()
    {
        const std::string d = m_torchDir.path().toStdString() + "/post_ln";
        QTemporaryDir tmp;
        const std::string broken = tmp.path().toStdString() + "/model";
        copy_with_transposed(d + "/model", broken, "transformer.decoder.layers.0.multihead_attn.out_proj.weight", false);
        const double diff = max_logit_diff(d, broken);
        qInfo("transposed out_proj.weight: max |lab - torch| logit = %.3e", diff);
        QVERIFY(diff > 1e-2);
    }

    void wrong_shaped_tensor_is_refused()
    {
        const std::string d = m_torchDir.path().toStdString() + "/pre_ln";
        QTemporaryDir tmp;
        const std::string broken = tmp.path().toStdString() + "/model";
        copy_with_transposed(d + "/model", broken, "transformer.encoder.layers.1.linear1.weight", true);
        try {
            load_model_dir(broken);
            QFAIL("a model.safetensors with a wrong-shaped tensor was accepted");
        } catch (const Error& e) {
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains("model.safetensors: tensor 'transformer.encoder.layers.1.linear1.weight' has shape [32, 64], expected [64, 32]"),
                     qPrintable(msg));
        }
    }

    void logits_and_gradients_match_data()
    {
        QTest::addColumn<bool>("pre_ln");
        QTest::newRow("Post-LN") << false;
        QTest::newRow("Pre-LN") << true;
    }
    void logits_and_gradients_match()
    {
        QFETCH(bool, pre_ln);
        ModelConfig c;
        c.src_vocab_size = 13;
        c.tgt_vocab_size = 11;
        c.d_model = 24;
        c.nhead = 3;
        c.num_encoder_layers = 2;
        c.num_decoder_layers = 3;
        c.dim_feedforward = 40;
        c.dropout = 0.0;
        c.norm_first = pre_ln;
        c.max_len = 32;
        Transformer net(c, 11);
        Batch b;
        b.B = 3;
        b.S = 6;
        b.T = 5;
        b.src = {4, 5, 6, 7, 8, 2, 9, 10, 2, 0, 0, 0, 12, 11, 4, 2, 0, 0};
        b.src_len = {6, 3, 4};
        b.tgt_in = {1, 4, 5, 6, 7, 1, 8, 0, 0, 0, 1, 9, 10, 0, 0};
        b.tgt_out = {4, 5, 6, 7, 2, 8, 2, 0, 0, 0, 9, 10, 2, 0, 0};
        b.tgt_len = {5, 2, 3};
        Seq2SeqActivations a;
        net.forward(b, a, false, nullptr);
        Mat dlogits;
        const double loss = cross_entropy_forward_backward(a.logits, b.tgt_out, 0, 0.1, &dlogits);
        net.params().zero_grad();
        net.backward(b, a, dlogits);

        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        save_params(net.params(), d + "/params.safetensors");
        std::map<std::string, Tensor32> out;
        out["logits"] = Tensor32{{a.logits.rows(), a.logits.cols()}, std::vector<float>(a.logits.data(), a.logits.data() + a.logits.size())};
        for (const auto& p : net.params().all())
            out["grad." + p->name] = Tensor32{p->shape, std::vector<float>(p->grad.data(), p->grad.data() + p->grad.size())};
        write_safetensors(d + "/out.safetensors", out);
        nlohmann::json cs;
        cs["config"] = model_config_to_json(c);
        cs["B"] = b.B;
        cs["S"] = b.S;
        cs["T"] = b.T;
        cs["src"] = b.src;
        cs["tgt_in"] = b.tgt_in;
        cs["tgt_out"] = b.tgt_out;
        cs["label_smoothing"] = 0.1;
        cs["loss"] = loss;
        atomic_write_file(d + "/case.json", cs.dump());

        QProcess py;
        py.start(al::test::python(), {QStringLiteral(AL_SOURCE_DIR "/tests/pytorch_parity.py"), dir.path()});
        QVERIFY(py.waitForFinished(120000));
        const QString stdoutText = QString::fromUtf8(py.readAllStandardOutput());
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        qInfo("%s", qPrintable(stdoutText.trimmed()));
        const auto m = QRegularExpression("max_logit_diff=(\\S+) worst_grad_rel=(\\S+) worst_param=(\\S+) loss_diff=(\\S+)").match(stdoutText);
        QVERIFY(m.hasMatch());
        QVERIFY2(m.captured(1).toDouble() < 1e-4, "logits differ");
        QVERIFY2(m.captured(2).toDouble() < 1e-3, qPrintable("gradient differs: " + m.captured(3)));
        QVERIFY(m.captured(4).toDouble() < 1e-5);
    }

private:
    QTemporaryDir m_torchDir; ///< written by tests/pytorch_to_lab.py in initTestCase
    QString m_torchOut;       ///< its stdout: "<name> loss_first=<x> loss_last=<y>" per model
};

QTEST_APPLESS_MAIN(PyTorchParity)
#include "test_pytorch_parity.moc"
