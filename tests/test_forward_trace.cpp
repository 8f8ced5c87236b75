// SPDX-License-Identifier: GPL-3.0-or-later
// The step-by-step forward pass in a Trace (TraceOptions::forward_detail): the recorded
// Q, K, V and scores reproduce the attention probabilities (softmax(Q K^T / sqrt(d_k)) with the
// padding, causal and window masks), the head outputs are probs * V, and the residual-stream
// steps come in the order of computation with their norms. Without the option nothing is recorded.
#include "engine/models/translation_model.h"
#include "engine/trace/task_trace.h"

#include <QtTest>
#include <cmath>

using namespace al;

namespace {

TranslationModel make_model(ModelConfig mc)
{
    Tokenizer src(TokenKind::Char), tgt(TokenKind::Word);
    Vocab sv = Vocab::build({src.tokenize("我们今天去学校。"), src.tokenize("我爱你。")}, 1);
    Vocab tv = Vocab::build({{"we", "go", "to", "school", "."}}, 1);
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return TranslationModel{Transformer(mc, 5), std::move(sv), std::move(tv), src, tgt};
}

ModelConfig base_config()
{
    ModelConfig mc;
    mc.d_model = 16;
    mc.nhead = 2;
    mc.num_encoder_layers = 2;
    mc.num_decoder_layers = 2;
    mc.dim_feedforward = 24;
    mc.dropout = 0.0;
    mc.max_len = 24;
    return mc;
}

Trace detailed_trace(const TranslationModel& m, const std::string& sentence)
{
    Trace t;
    DecodingOptions opts;
    opts.max_len = 6;
    TraceOptions topts;
    topts.forward_detail = true;
    translate(m, sentence, opts, &t, topts);
    return t;
}

// A task model of `task` (charlm: a causal decoder-only LM; pos: an encoder tagger) on a few
// characters, with the blocks of base_config.
TaskModel make_task_model(const std::string& task, bool norm_first)
{
    ModelConfig c = base_config();
    c.task = task;
    c.norm_first = norm_first;
    c.num_encoder_layers = task == "charlm" ? 0 : 2;
    c.num_decoder_layers = task == "charlm" ? 2 : 0;
    Vocab vocab = Vocab::build({task_tokenize("char", "the cat sat")}, 1, 0, VocabLayout::Task);
    c.vocab_size = vocab.size();
    if (task == "pos")
        c.labels = {"DET", "NOUN", "VERB"};
    return TaskModel{TaskNet(c, 3), std::move(vocab)};
}

// Softmax over the keys query i may see (written out here, independent of the engine).
Mat masked_softmax(const Mat& s, bool causal, int window)
{
    Mat p = Mat::Zero(s.rows(), s.cols());
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        auto sees = [&](Eigen::Index j) {
            return (!causal || j <= i) && (window <= 0 || std::abs(double(i - j)) <= window);
        };
        double mx = -1e300, sum = 0;
        for (Eigen::Index j = 0; j < s.cols(); ++j)
            if (sees(j))
                mx = std::max(mx, double(s(i, j)));
        for (Eigen::Index j = 0; j < s.cols(); ++j)
            if (sees(j)) {
                p(i, j) = Scalar(std::exp(double(s(i, j)) - mx));
                sum += double(p(i, j));
            }
        p.row(i) /= Scalar(sum);
    }
    return p;
}

double max_abs(const Mat& a, const Mat& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return 1e30;
    return double((a - b).cwiseAbs().maxCoeff());
}

void check_kind(const HeadDetails& details, const AttentionMaps& maps, double scale, bool causal, int window, int D)
{
    QCOMPARE(details.size(), maps.size());
    QVERIFY(!details.empty());
    for (size_t l = 0; l < details.size(); ++l) {
        QCOMPARE(details[l].size(), maps[l].size());
        for (size_t h = 0; h < details[l].size(); ++h) {
            const HeadDetail& d = details[l][h];
            QCOMPARE(int(d.q.cols()), D);
            QCOMPARE(int(d.k.cols()), D);
            QCOMPARE(int(d.v.cols()), D);
            QCOMPARE(d.q.rows(), maps[l][h].rows());
            QCOMPARE(d.k.rows(), maps[l][h].cols());
            const Mat qk = d.q * d.k.transpose();
            QVERIFY(max_abs(qk, d.scores) < 1e-5);
            QVERIFY(max_abs(qk * Scalar(scale), d.scaled) < 1e-5);
            const Mat p = masked_softmax(qk * Scalar(scale), causal, window);
            QVERIFY2(max_abs(p, maps[l][h]) < 1e-5, qPrintable(QStringLiteral("layer %1 head %2").arg(l).arg(h)));
            QVERIFY(max_abs(d.probs, maps[l][h]) == 0.0);
            QVERIFY(max_abs(d.probs * d.v, d.context) < 1e-5);
            for (Eigen::Index i = 0; i < d.visible.rows(); ++i)
                for (Eigen::Index j = 0; j < d.visible.cols(); ++j) {
                    const bool sees = (!causal || j <= i) && (window <= 0 || std::abs(double(i - j)) <= window);
                    QCOMPARE(d.visible(i, j) > 0, sees);
                }
        }
    }
}

} // namespace

class TestForwardTrace : public QObject {
    Q_OBJECT
private slots:
    void offByDefault()
    {
        const TranslationModel m = make_model(base_config());
        Trace t;
        translate(m, "我爱你。", 6, &t);
        QVERIFY(!t.enc_self.empty());
        QVERIFY(t.forward.empty());
        QVERIFY(t.forward.enc_self.empty());
    }

    void scoresReproduceProbabilities()
    {
        const TranslationModel m = make_model(base_config());
        const Trace t = detailed_trace(m, "我们今天去学校。");
        const double scale = 1.0 / std::sqrt(8.0);
        QCOMPARE(t.forward.scale, scale);
        check_kind(t.forward.enc_self, t.enc_self, scale, false, 0, 8);
        check_kind(t.forward.dec_self, t.dec_self, scale, true, 0, 8);
        check_kind(t.forward.cross, t.cross, scale, false, 0, 8);
    }

    void windowMaskAndUnscaledDot()
    {
        ModelConfig mc = base_config();
        mc.attention_window = 1;
        mc.attention_scoring = "dot";
        const TranslationModel m = make_model(mc);
        const Trace t = detailed_trace(m, "我们今天去学校。");
        QCOMPARE(t.forward.scale, 1.0);
        check_kind(t.forward.enc_self, t.enc_self, 1.0, false, 1, 8);
        check_kind(t.forward.dec_self, t.dec_self, 1.0, true, 1, 8);
        check_kind(t.forward.cross, t.cross, 1.0, false, 0, 8);
    }

    void additiveScores()
    {
        ModelConfig mc = base_config();
        mc.attention_scoring = "additive";
        const TranslationModel m = make_model(mc);
        const Trace t = detailed_trace(m, "我爱你。");
        const HeadDetail& d = t.forward.enc_self[1][1];
        const Param* vp = m.net.params().find("transformer.encoder.layers.1.self_attn.additive_v");
        QVERIFY(vp);
        const Mat& v = vp->value;
        for (Eigen::Index i = 0; i < d.scores.rows(); ++i)
            for (Eigen::Index j = 0; j < d.scores.cols(); ++j) {
                double s = 0;
                for (Eigen::Index c = 0; c < d.q.cols(); ++c)
                    s += double(v(1, c)) * std::tanh(double(d.q(i, c) + d.k(j, c)));
                QVERIFY(std::abs(s - double(d.scores(i, j))) < 1e-5);
            }
        QVERIFY(max_abs(d.scores, d.scaled) == 0.0);
        QVERIFY(max_abs(masked_softmax(d.scaled, false, 0), t.enc_self[1][1]) < 1e-5);
    }

    void stepsInOrderPostLn()
    {
        const TranslationModel m = make_model(base_config());
        const Trace t = detailed_trace(m, "我爱你。");
        using S = ForwardStage;
        struct Want { bool dec; int layer; S stage; };
        std::vector<Want> want = {{false, -1, S::Embedding}};
        for (int l = 0; l < 2; ++l)
            for (S s : {S::SelfAttention, S::AddNorm, S::FeedForward, S::AddNorm})
                want.push_back({false, l, s});
        want.push_back({false, -1, S::FinalNorm});
        want.push_back({true, -1, S::Embedding});
        for (int l = 0; l < 2; ++l)
            for (S s : {S::SelfAttention, S::AddNorm, S::CrossAttention, S::AddNorm, S::FeedForward, S::AddNorm})
                want.push_back({true, l, s});
        want.push_back({true, -1, S::FinalNorm});
        QCOMPARE(t.forward.steps.size(), want.size());
        const int S_len = int(t.src_tokens.size()), T_len = int(t.tgt_in_tokens.size());
        for (size_t i = 0; i < want.size(); ++i) {
            const ForwardStep& s = t.forward.steps[i];
            QCOMPARE(s.decoder, want[i].dec);
            QCOMPARE(s.layer, want[i].layer);
            QCOMPARE(int(s.stage), int(want[i].stage));
            QCOMPARE(int(s.stream.rows()), s.decoder ? T_len : S_len);
            QCOMPARE(int(s.stream.cols()), 16);
            QCOMPARE(int(s.norms.size()), int(s.stream.rows()));
            double mean = 0;
            for (Eigen::Index r = 0; r < s.stream.rows(); ++r) {
                QVERIFY(std::abs(double(s.stream.row(r).norm()) - s.norms[size_t(r)]) < 1e-4);
                mean += s.norms[size_t(r)];
            }
            QVERIFY(std::abs(mean / s.stream.rows() - s.mean_norm) < 1e-4);
            // A fresh LayerNorm (gamma 1, beta 0) leaves rows of mean 0 and variance 1: norm sqrt(C).
            if (s.stage == S::AddNorm || s.stage == S::FinalNorm)
                for (double n : s.norms)
                    QVERIFY2(std::abs(n - 4.0) < 1e-2, qPrintable(QString::fromStdString(s.label)));
        }
        // The add & norm after self-attention normalises the residual sum of the step before it.
        const Mat& sum = t.forward.steps[1].stream;
        const Mat& normed = t.forward.steps[2].stream;
        for (Eigen::Index r = 0; r < sum.rows(); ++r) {
            const RowVec x = sum.row(r);
            const Scalar mu = x.mean();
            const Scalar var = (x.array() - mu).square().mean();
            const RowVec ln = (x.array() - mu) / std::sqrt(var + Scalar(1e-5));
            QVERIFY((ln - normed.row(r)).cwiseAbs().maxCoeff() < 1e-4);
        }
        QCOMPARE(t.forward.steps.front().label, std::string("encoder · embedding + PE"));
        QCOMPARE(t.forward.steps[1].label, std::string("encoder 1 · self-attention"));
    }

    void taskModelsRecordTheSameTrace()
    {
        // The stack fills a task model's Trace as the encoder-decoder's: an encoder (pos) on the
        // encoder side, the decoder-only LM (charlm, causal) on the decoder side.
        TraceOptions detail;
        detail.forward_detail = true;
        const double scale = 1.0 / std::sqrt(8.0);
        for (bool pre : {false, true}) {
            const TaskModel pos = make_task_model("pos", pre);
            const Trace p = task_model_trace(pos, "the cat", detail);
            QCOMPARE(int(p.src_tokens.size()), 7);
            QVERIFY(p.dec_self.empty() && p.cross.empty());
            check_kind(p.forward.enc_self, p.enc_self, scale, false, 0, 8);
            QCOMPARE(p.forward.norm_first, pre);
            QCOMPARE(int(p.forward.steps.size()), 1 + 2 * (pre ? 2 : 4) + 1);
            QVERIFY(!p.forward.steps.front().decoder);
            QCOMPARE(int(p.forward.steps.back().stage), int(ForwardStage::FinalNorm));

            const TaskModel lm = make_task_model("charlm", pre);
            const Trace c = task_model_trace(lm, "a cat", detail);
            QCOMPARE(int(c.tgt_in_tokens.size()), 5);
            QVERIFY(c.enc_self.empty() && c.cross.empty());
            check_kind(c.forward.dec_self, c.dec_self, scale, true, 0, 8);
            QCOMPARE(int(c.forward.steps.size()), 1 + 2 * (pre ? 2 : 4) + 1);
            QVERIFY(c.forward.steps.front().decoder);
            QCOMPARE(c.forward.steps[1].label, std::string("decoder 1 · self-attention"));
            // Without the option: the maps only.
            QVERIFY(task_model_trace(lm, "a cat").forward.empty());
        }
    }

    void stepsInOrderPreLn()
    {
        ModelConfig mc = base_config();
        mc.norm_first = true;
        const TranslationModel m = make_model(mc);
        const Trace t = detailed_trace(m, "我爱你。");
        QVERIFY(t.forward.norm_first);
        // Embedding, 2 x (SA, FF), final norm; then embedding, 2 x (SA, CA, FF), final norm.
        QCOMPARE(int(t.forward.steps.size()), 1 + 4 + 1 + 1 + 6 + 1);
        QCOMPARE(int(t.forward.steps[1].stage), int(ForwardStage::SelfAttention));
        QCOMPARE(int(t.forward.steps[2].stage), int(ForwardStage::FeedForward));
        QCOMPARE(int(t.forward.steps[7].stage), int(ForwardStage::SelfAttention));
        QCOMPARE(int(t.forward.steps[8].stage), int(ForwardStage::CrossAttention));
        QCOMPARE(int(t.forward.steps[9].stage), int(ForwardStage::FeedForward));
        QVERIFY(t.forward.steps[7].decoder && t.forward.steps[7].layer == 0);
    }
};

QTEST_GUILESS_MAIN(TestForwardTrace)
#include "test_forward_trace.moc"
