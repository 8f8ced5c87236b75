// SPDX-License-Identifier: GPL-3.0-or-later
// Parity with PyTorch: the lab's model.safetensors loads into torch.nn.Transformer with
// load_state_dict(strict=True), and logits (max abs diff < 1e-4) and the gradient of every
// parameter after one label-smoothed cross-entropy backward (relative diff < 1e-3) agree, for
// Post-LN and Pre-LN. The oracle is tests/pytorch_parity.py run by Debian's /usr/bin/python3.
#include "engine/checkpoint.h"
#include "engine/config_json.h"
#include "engine/layers.h"
#include "engine/safetensors.h"
#include "engine/transformer.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace al;

class PyTorchParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import torch"});
        if (!probe.waitForFinished(60000) || probe.exitCode() != 0)
            QSKIP("/usr/bin/python3 with torch is not installed (./lab.sh test installs python3-torch)");
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
        py.start("/usr/bin/python3", {QStringLiteral(AL_SOURCE_DIR "/tests/pytorch_parity.py"), dir.path()});
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
};

QTEST_APPLESS_MAIN(PyTorchParity)
#include "test_pytorch_parity.moc"
