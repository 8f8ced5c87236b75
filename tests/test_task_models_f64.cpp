// SPDX-License-Identifier: GPL-3.0-or-later
// Finite-difference gradient checks of the task models (engine/models/task_models.h) in double
// precision: mean pooling, [CLS] pooling, the per-token classifier, the masked-LM head on
// selected rows with segment embeddings, and the decoder-only causal LM, each through the whole
// network (embeddings, blocks, final norm, head) with the cross-entropy of the trainer; and the
// block switches in them (GELU, learned and no positional encoding, dot / additive scoring,
// ReLU attention, a local window, BatchNorm in training mode, Post-LN and Pre-LN).
// Method as tests/test_gradcheck_f64.cpp: central differences with h = 1e-6, tolerance
// |a - n| <= 1e-6 * max(1, |a|, |n|). Sizes: B = 2, T = 5 (lengths 5 and 3), C = 12, H = 3,
// F = 10, 2 layers, V = 9, K = 3.
#include "engine/models/task_models.h"

#include "gradcheck_support.h"

#include <QtTest>
#include <functional>

using namespace al;

namespace {

using gradcheck::check_tensor;

ModelConfig small(const std::string& task, bool norm_first)
{
    ModelConfig c;
    c.task = task;
    c.d_model = 12;
    c.nhead = 3;
    c.dim_feedforward = 10;
    c.dropout = 0.0;
    c.norm_first = norm_first;
    c.max_len = 8;
    c.num_encoder_layers = task == "charlm" ? 0 : 2;
    c.num_decoder_layers = task == "charlm" ? 2 : 0;
    c.vocab_size = 9;
    if (task == "pos" || task == "sentiment" || task == "langid")
        c.labels = {"A", "B", "C"};
    return c;
}

TaskBatch batch_for(const std::string& task)
{
    TaskBatch b;
    b.B = 2;
    b.T = 5;
    b.ids = {6, 7, 8, 6, 7, /**/ 8, 8, 6, 0, 0};
    b.len = {5, 3};
    if (task == "sentiment" || task == "langid") {
        b.targets = {2, 0};
    } else if (task == "mlm") {
        b.ids = {3, 5, 7, 4, 8, /**/ 3, 6, 5, 0, 0};
        b.segments = {0, 0, 0, 0, 1, /**/ 0, 0, 1, 0, 0};
        b.targets = {-1, 6, -1, -1, 8, /**/ -1, -1, 7, -1, -1};
    } else if (task == "pos") {
        b.targets = {0, 1, 2, 1, 0, /**/ 2, 2, 1, -1, -1};
    } else {
        b.targets = {7, 8, 6, 7, 8, /**/ 8, 6, 7, -1, -1};
    }
    return b;
}

// Checks d(cross-entropy)/d(every parameter) of `net` on `batch`. train: a training-mode pass
// (BatchNorm normalises with the batch statistics; dropout stays 0 in these configs).
void check_net(TaskNet& net, const TaskBatch& batch, bool train = false)
{
    Rng rng(3);
    for (const auto& p : net.params().all())
        for (Eigen::Index i = 0; i < p->value.size(); ++i)
            p->value.data()[i] = (p->name.find("norm") != std::string::npos && p->name.find("weight") != std::string::npos)
                                     ? 1.0 + rng.normal(0.0, 0.2)
                                     : rng.normal(0.0, 0.4);
    auto loss = [&] {
        TaskActivations act;
        net.forward(batch, act, train, nullptr);
        return cross_entropy_forward_backward(act.logits, act.targets, -1, 0.1, nullptr);
    };
    TaskActivations act;
    net.forward(batch, act, train, nullptr);
    Mat dlogits;
    cross_entropy_forward_backward(act.logits, act.targets, -1, 0.1, &dlogits);
    net.params().zero_grad();
    net.backward(batch, act, dlogits);
    for (const auto& p : net.params().all())
        check_tensor(QString::fromStdString(p->name), p->value, p->grad, loss, 40);
}

} // namespace

class TaskGradCheck : public QObject {
    Q_OBJECT
private slots:
    void mean_pooling()
    {
        // L = sum(pool(h) * R): dL/dh from mean_pool_backward(R) against central differences.
        Rng rng(1);
        const int B = 2, T = 5, C = 7;
        const std::vector<int> len{5, 2};
        Mat h(B * T, C), R(B, C);
        for (Eigen::Index i = 0; i < h.size(); ++i)
            h.data()[i] = rng.normal();
        for (Eigen::Index i = 0; i < R.size(); ++i)
            R.data()[i] = rng.normal();
        auto loss = [&] { Mat p; mean_pool_forward(h, B, T, len, p); return (p.array() * R.array()).sum(); };
        Mat dh;
        mean_pool_backward(R, B, T, len, dh);
        check_tensor("h", h, dh, loss, 1000);
        // Padding rows (sequence 1, t >= 2) get exactly zero gradient.
        QVERIFY(dh.middleRows(T + 2, 3).isZero(0));
    }
    void classifier_mean_pooling()
    {
        TaskNet net(small("sentiment", false), 1);
        check_net(net, batch_for("sentiment"));
    }
    void classifier_cls_pooling()
    {
        ModelConfig c = small("langid", true);
        c.pooling = "cls";
        TaskNet net(c, 1);
        check_net(net, batch_for("langid"));
    }
    void token_classifier()
    {
        TaskNet net(small("pos", false), 1);
        check_net(net, batch_for("pos"));
    }
    void token_classifier_with_suffix_tokens()
    {
        // The suffix token's embedding is added from the same table: tok_emb gets two
        // gradient contributions per position.
        ModelConfig c = small("pos", true);
        c.suffix_len = 3;
        TaskNet net(c, 1);
        TaskBatch b = batch_for("pos");
        b.aux = {8, 6, 6, 7, 8, /**/ 7, 6, 8, 0, 0};
        check_net(net, b);
    }
    void masked_lm_head_and_segments()
    {
        TaskNet net(small("mlm", false), 1);
        check_net(net, batch_for("mlm"));
    }
    // The block switches of the translation model (block_options) in the task models.
    void decoder_only_lm_gelu_learned_positions_pre_ln()
    {
        ModelConfig c = small("charlm", true);
        c.activation = "gelu";
        c.positional_encoding = "learned";
        TaskNet net(c, 1);
        QVERIFY(net.params().find("pos_emb.weight") != nullptr);
        check_net(net, batch_for("charlm"));
    }
    void decoder_only_lm_additive_window_batchnorm_post_ln()
    {
        ModelConfig c = small("charlm", false);
        c.attention_scoring = "additive";
        c.attention_window = 2;
        c.norm = "batchnorm";
        TaskNet net(c, 1);
        check_net(net, batch_for("charlm"), true);
    }
    void token_classifier_no_positions_dot_relu_gelu()
    {
        ModelConfig c = small("pos", false);
        c.positional_encoding = "none";
        c.attention_scoring = "dot";
        c.attention_normalization = "relu";
        c.activation = "gelu";
        TaskNet net(c, 1);
        check_net(net, batch_for("pos"));
    }
    void token_classifier_batchnorm_pre_ln_training()
    {
        ModelConfig c = small("pos", true);
        c.norm = "batchnorm";
        c.positional_encoding = "learned";
        TaskNet net(c, 1);
        check_net(net, batch_for("pos"), true);
    }
    void classifier_learned_positions_batchnorm_training()
    {
        ModelConfig c = small("sentiment", false);
        c.positional_encoding = "learned";
        c.norm = "batchnorm";
        c.activation = "gelu";
        TaskNet net(c, 1);
        check_net(net, batch_for("sentiment"), true);
    }
    void masked_lm_gelu_learned_positions_pre_ln()
    {
        ModelConfig c = small("mlm", true);
        c.positional_encoding = "learned";
        c.activation = "gelu";
        c.attention_scoring = "additive";
        TaskNet net(c, 1);
        check_net(net, batch_for("mlm"));
    }
    void decoder_only_lm_synthesizer_mixture()
    {
        ModelConfig c = small("charlm", true);
        c.attention = "dense+vanilla";
        TaskNet net(c, 1);
        check_net(net, batch_for("charlm"));
    }
    void decoder_only_lm()
    {
        TaskNet pre(small("charlm", true), 1);
        check_net(pre, batch_for("charlm"));
        TaskNet post(small("charlm", false), 1);
        check_net(post, batch_for("charlm"));
    }
};

QTEST_APPLESS_MAIN(TaskGradCheck)
#include "test_task_models_f64.moc"
