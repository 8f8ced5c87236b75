// SPDX-License-Identifier: GPL-3.0-or-later
// Parity of the task models (engine/models/task_models.h) with PyTorch: a lab task model directory
// (config.json, model.safetensors, vocab.json) loads into the equivalent torch module built by
// tests/pytorch_task_parity.py from config.json (torch.nn.TransformerEncoder "encoder." +
// nn.Embedding "tok_emb" / "seg_emb" / "pos_emb" + nn.Linear "head") with
// load_state_dict(strict=True), and on the same batch the logits (max abs diff < 1e-4) and the
// gradient of every parameter after one cross-entropy backward (relative diff < 1e-3) agree:
// charlm (causal), pos tagger (with suffix tokens), sentiment (mean pooling over non-padding),
// langid ([CLS] pooling), mlm (segment embeddings, loss on the selected tokens), Post-LN and
// Pre-LN, ReLU and GELU, sinusoidal, learned and no positional encoding. A control case whose
// config.json says GELU while the lab ran ReLU must fail the logit comparison, so the
// comparison can fail. The oracle runs under Debian's /usr/bin/python3 (python3-torch;
// tests/python_support.h: AL_PYTHON, AL_REQUIRE_PARITY).
#include "engine/io/checkpoint.h"
#include "engine/io/config_json.h"
#include "engine/io/safetensors.h"
#include "engine/models/task_models.h"

#include "python_support.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace al;

namespace {

struct Case {
    const char* name;
    const char* task;
    bool norm_first;
    const char* activation;
    const char* positional_encoding;
    const char* pooling = "mean";
    int suffix_len = 0;
};

// Every task, both block orders, both activations, every torch-expressible positional encoding.
const Case kCases[] = {
    {"charlm_post_ln_gelu_learned", "charlm", false, "gelu", "learned"},
    {"charlm_pre_ln_relu_sinusoidal", "charlm", true, "relu", "sinusoidal"},
    {"pos_pre_ln_relu_sinusoidal_suffix", "pos", true, "relu", "sinusoidal", "mean", 3},
    {"pos_post_ln_gelu_none", "pos", false, "gelu", "none"},
    {"sentiment_post_ln_relu_mean", "sentiment", false, "relu", "sinusoidal", "mean"},
    {"langid_pre_ln_gelu_learned_cls", "langid", true, "gelu", "learned", "cls"},
    {"mlm_pre_ln_gelu_learned", "mlm", true, "gelu", "learned"},
    {"mlm_post_ln_relu_sinusoidal", "mlm", false, "relu", "sinusoidal"},
};

constexpr int kV = 15, kB = 3, kT = 7;

ModelConfig config_of(const Case& k)
{
    ModelConfig c;
    c.task = k.task;
    c.d_model = 24;
    c.nhead = 3;
    c.dim_feedforward = 40;
    c.dropout = 0.0;
    c.norm_first = k.norm_first;
    c.activation = k.activation;
    c.positional_encoding = k.positional_encoding;
    c.max_len = 10;
    c.num_encoder_layers = c.task == "charlm" ? 0 : 2;
    c.num_decoder_layers = c.task == "charlm" ? 2 : 0;
    c.vocab_size = kV;
    if (c.task == "pos" || c.task == "sentiment" || c.task == "langid")
        c.labels = {"A", "B", "C", "D"};
    c.pooling = k.pooling;
    c.suffix_len = k.suffix_len;
    return c;
}

TaskBatch batch_of(const std::string& task)
{
    TaskBatch b;
    b.B = kB;
    b.T = kT;
    b.len = {7, 4, 5};
    b.ids = {6, 7, 8, 9, 10, 11, 12, /**/ 13, 14, 6, 8, 0, 0, 0, /**/ 9, 9, 10, 14, 7, 0, 0};
    if (task == "sentiment" || task == "langid") {
        if (task == "langid") // [CLS] first
            for (int s = 0; s < kB; ++s)
                b.ids[size_t(s * kT)] = TokenTable::CLS;
        b.targets = {2, 0, 3};
    } else if (task == "mlm") {
        b.ids = {3, 7, 5, 9, 4, 11, 4, /**/ 3, 5, 4, 0, 0, 0, 0, /**/ 3, 9, 10, 4, 5, 0, 0};
        b.segments = {0, 0, 0, 0, 0, 1, 1, /**/ 0, 0, 0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 1, 0, 0};
        b.targets = {-1, -1, 8, -1, -1, 12, -1, /**/ -1, 13, -1, -1, -1, -1, -1, /**/ -1, 9, -1, -1, 6, -1, -1};
    } else if (task == "pos") {
        b.targets = {0, 1, 2, 3, 0, 1, 2, /**/ 3, 3, 0, 1, -1, -1, -1, /**/ 2, 2, 1, 0, 3, -1, -1};
        b.aux = {12, 13, 14, 6, 7, 8, 9, /**/ 10, 11, 12, 13, 0, 0, 0, /**/ 14, 14, 6, 7, 8, 0, 0};
    } else { // charlm: next token
        b.targets = {7, 8, 9, 10, 11, 12, 13, /**/ 14, 6, 8, 9, -1, -1, -1, /**/ 9, 10, 14, 7, 6, -1, -1};
    }
    return b;
}

/// Writes the lab side of one case into `dir`: the model directory, case.json and
/// out.safetensors (logits and gradients). `as_config` (if given) replaces config.json.
void write_case(const Case& k, const std::string& dir, const ModelConfig* as_config = nullptr)
{
    const ModelConfig cfg = config_of(k);
    std::vector<std::string> tokens(TokenTable::kSpecials, TokenTable::kSpecials + TokenTable::kNumSpecials);
    for (int i = TokenTable::kNumSpecials; i < kV; ++i)
        tokens.push_back("t" + std::to_string(i));
    TaskModel m{TaskNet(cfg, 11), TokenTable::from_tokens(tokens, "test vocabulary")};
    // Non-trivial biases and norm gains (initialisation leaves them 0 and 1).
    Rng rng(5);
    for (const auto& p : m.net.params().all())
        for (Eigen::Index i = 0; i < p->value.size(); ++i)
            p->value.data()[i] += Scalar(rng.normal(0.0, 0.05));
    const TaskBatch b = batch_of(cfg.task);
    TaskActivations a;
    m.net.forward(b, a, true, nullptr);
    Mat dlogits;
    const double loss = cross_entropy_forward_backward(a.logits, a.targets, -1, 0.1, &dlogits);
    m.net.params().zero_grad();
    m.net.backward(b, a, dlogits);

    save_task_model_dir(m, dir);
    if (as_config)
        atomic_write_file(dir + "/config.json", model_config_to_json(*as_config).dump(2) + "\n");
    std::map<std::string, Tensor32> out;
    out["logits"] = Tensor32{{a.logits.rows(), a.logits.cols()}, std::vector<float>(a.logits.data(), a.logits.data() + a.logits.size())};
    for (const auto& p : m.net.params().all())
        out["grad." + p->name] = Tensor32{p->shape, std::vector<float>(p->grad.data(), p->grad.data() + p->grad.size())};
    write_safetensors(dir + "/out.safetensors", out);
    nlohmann::json cs;
    cs["B"] = b.B;
    cs["T"] = b.T;
    cs["ids"] = b.ids;
    cs["len"] = b.len;
    cs["segments"] = b.segments;
    cs["aux"] = b.aux;
    cs["targets"] = b.targets;
    cs["label_smoothing"] = 0.1;
    cs["loss"] = loss;
    atomic_write_file(dir + "/case.json", cs.dump());
}

struct Result {
    double logit = 1e9, grad = 1e9, loss = 1e9;
    QString worst_param;
    int params = 0;
};

} // namespace

class PyTorchTaskParity : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        AL_REQUIRE_PYTHON_MODULES("./lab.sh test installs python3-torch", "torch");
        QVERIFY(m_dir.isValid());
        // All cases (and the control) in one python run: torch is imported once.
        QStringList args{QStringLiteral(AL_SOURCE_DIR "/tests/pytorch_task_parity.py")};
        for (const Case& k : kCases) {
            const std::string d = m_dir.path().toStdString() + "/" + k.name;
            write_case(k, d);
            args << QString::fromStdString(d);
        }
        // Control: the lab ran ReLU, config.json claims GELU.
        const Case relu{"control_relu_as_gelu", "pos", false, "relu", "sinusoidal"};
        ModelConfig claimed = config_of(relu);
        claimed.activation = "gelu";
        write_case(relu, m_dir.path().toStdString() + "/" + relu.name, &claimed);
        args << m_dir.path() + "/" + relu.name;

        QProcess py;
        py.start(al::test::python(), args);
        QVERIFY(py.waitForFinished(300000));
        const QString text = QString::fromUtf8(py.readAllStandardOutput());
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        qInfo("%s", qPrintable(text.trimmed()));
        const QRegularExpression re("case=(\\S+) max_logit_diff=(\\S+) worst_grad_rel=(\\S+) worst_param=(\\S*) "
                                    "loss_diff=(\\S+) params=(\\d+)");
        for (auto it = re.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            Result r;
            r.logit = m.captured(2).toDouble();
            r.grad = m.captured(3).toDouble();
            r.worst_param = m.captured(4);
            r.loss = m.captured(5).toDouble();
            r.params = m.captured(6).toInt();
            m_results[m.captured(1)] = r;
        }
    }

    void logits_and_gradients_match_data()
    {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(std::size(kCases)); ++i)
            QTest::newRow(kCases[i].name) << i;
    }
    void logits_and_gradients_match()
    {
        QFETCH(int, index);
        const Case& k = kCases[index];
        QVERIFY2(m_results.count(k.name), "no result line from pytorch_task_parity.py");
        const Result& r = m_results.at(k.name);
        // Every lab tensor is a torch parameter (strict load) and was compared.
        const TaskNet net(config_of(k), 1);
        QCOMPARE(r.params, int(net.params().all().size()));
        QVERIFY2(r.logit < 1e-4, qPrintable(QString("logits differ by %1").arg(r.logit)));
        QVERIFY2(r.grad < 1e-3, qPrintable(QString("gradient of %1 differs by %2 (relative)").arg(r.worst_param).arg(r.grad)));
        QVERIFY2(r.loss < 1e-5, qPrintable(QString("loss differs by %1").arg(r.loss)));
    }

    void control_case_fails_the_comparison()
    {
        QVERIFY(m_results.count("control_relu_as_gelu"));
        const Result& r = m_results.at("control_relu_as_gelu");
        QVERIFY2(r.logit > 1e-3, qPrintable(QString("ReLU outputs matched a GELU torch model: %1").arg(r.logit)));
    }

private:
    QTemporaryDir m_dir;
    std::map<QString, Result> m_results;
};

QTEST_APPLESS_MAIN(PyTorchTaskParity)
#include "test_pytorch_task_parity.moc"
