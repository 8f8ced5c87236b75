// SPDX-License-Identifier: GPL-3.0-or-later
// Head ablation (engine/nn/head_mask.h) checked against an independent route on tiny models:
// a head h of an attention contributes ctx_h W_o[:, hD:(h+1)D]^T to out_proj, so
//   zero ablation of h  ==  the intact model with those D columns of out_proj.weight zeroed;
//   mean ablation of h  ==  the same, with out_proj.bias += W_o[:, hD:(h+1)D] m_h.
// For encoder self-, decoder self- and cross-attention, in the teacher-forced forward, the
// one-step (KV-cached) decoding path, greedy and beam search, and the Trace. An empty mask
// (never set, or set and cleared) gives bit-identical results.
// Sizes: C = 12, H = 3 (D = 4), 2 + 2 layers, vocabularies 13 / 11.
#include "engine/data/batch.h"
#include "engine/decode/decoding.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/task_models.h"
#include "engine/models/transformer.h"
#include "engine/core/error.h"

#include <QtTest>

using namespace al;

namespace {

constexpr int kC = 12, kH = 3, kD = kC / kH;

ModelConfig tiny()
{
    ModelConfig c;
    c.src_vocab_size = 13;
    c.tgt_vocab_size = 11;
    c.d_model = kC;
    c.nhead = kH;
    c.num_encoder_layers = c.num_decoder_layers = 2;
    c.dim_feedforward = 10;
    c.dropout = 0;
    c.max_len = 12;
    return c;
}

std::vector<EncodedPair> pairs()
{
    return {{{4, 5, 6, 7}, {4, 5, 6}}, {{8, 9}, {7, 8, 9, 10}}, {{10, 11, 12, 4, 5}, {6, 7}}};
}

Batch batch()
{
    static const std::vector<EncodedPair> p = pairs();
    return make_batch({&p[0], &p[1], &p[2]});
}

std::string out_proj_prefix(AttentionKind kind, int layer)
{
    const std::string l = std::to_string(layer);
    switch (kind) {
    case AttentionKind::EncoderSelf: return "transformer.encoder.layers." + l + ".self_attn.out_proj";
    case AttentionKind::DecoderSelf: return "transformer.decoder.layers." + l + ".self_attn.out_proj";
    case AttentionKind::Cross: return "transformer.decoder.layers." + l + ".multihead_attn.out_proj";
    }
    return {};
}

// The independent route: head h's columns of out_proj.weight zeroed; with `mean` (D), the bias
// takes the constant contribution W_o[:, hD:(h+1)D] mean^T instead.
template <class Net>
void remove_head_by_weights(Net& net, const std::string& prefix, int h, const RowVec* mean = nullptr)
{
    Param* w = net.params().find(prefix + ".weight");
    Param* b = net.params().find(prefix + ".bias");
    QVERIFY(w && b);
    if (mean)
        b->value.row(0) += (w->value.middleCols(h * kD, kD) * mean->transpose()).transpose();
    w->value.middleCols(h * kD, kD).setZero();
}

double max_abs_diff(const Mat& a, const Mat& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return 1e30;
    return double((a - b).cwiseAbs().maxCoeff());
}

Mat logits_of(const Transformer& net, const Batch& b)
{
    Seq2SeqActivations act;
    net.forward(b, act, false, nullptr);
    return act.logits;
}

// The decoder outputs of positions 0..T-1 of `tgt_in` through the one-step path, stacked (B*T, C).
Mat stepped_outputs(const Transformer& net, const Batch& b)
{
    Seq2SeqActivations act;
    net.encode(b, act);
    DecoderState st;
    net.start_decoding(b, act, b.T, st);
    Mat out = Mat::Zero(Eigen::Index(b.B) * b.T, kC), row;
    for (int t = 0; t < b.T; ++t) {
        std::vector<int> tokens(size_t(b.B));
        for (int s = 0; s < b.B; ++s)
            tokens[size_t(s)] = b.tgt_in[size_t(s * b.T + t)];
        net.decode_step(tokens, st, row);
        for (int s = 0; s < b.B; ++s)
            out.row(Eigen::Index(s) * b.T + t) = row.row(s);
    }
    return out;
}

// The decoder outputs of the teacher-forced pass, rows t < tgt_len only (the step path sees
// no padding: compare those).
Mat masked_rows(const Mat& m, const Batch& b)
{
    Mat r = m;
    for (int s = 0; s < b.B; ++s)
        for (int t = b.tgt_len[size_t(s)]; t < b.T; ++t)
            r.row(Eigen::Index(s) * b.T + t).setZero();
    return r;
}

Mat decoder_outputs(const Transformer& net, const Batch& b)
{
    Seq2SeqActivations act;
    net.forward(b, act, false, nullptr);
    return act.dec_out;
}

HeadMask one_head(AttentionKind kind, int layer, int head, AblationMode mode = AblationMode::Zero)
{
    HeadMask m;
    m.mode = mode;
    m.heads = {HeadId{kind, layer, head}};
    return m;
}

} // namespace

class HeadMaskTest : public QObject {
    Q_OBJECT
private slots:
    void parses_head_ids_and_refuses_bad_ones()
    {
        const HeadId id = parse_head_id("cross:1:2");
        QVERIFY(id == (HeadId{AttentionKind::Cross, 1, 2}));
        QCOMPARE(QString::fromStdString(to_string(id)), QString("cross:1:2"));
        for (const char* bad : {"cross:1", "x:0:0", "enc:a:0", "enc:0:-1", "enc:0:0:0", ""})
            QVERIFY_THROWS_EXCEPTION(Error, parse_head_id(bad));
        QVERIFY(parse_ablation_mode("mean") == AblationMode::Mean);
        QVERIFY_THROWS_EXCEPTION(Error, parse_ablation_mode("half"));
    }

    void set_head_mask_refuses_heads_out_of_range_and_leaves_the_model_unchanged()
    {
        Transformer net(tiny(), 3);
        const Batch b = batch();
        const Mat before = logits_of(net, b);
        auto refused = [&](const HeadMask& m, const QString& expected) {
            try {
                net.set_head_mask(m);
            } catch (const Error& e) {
                if (!QString(e.what()).contains(expected))
                    qWarning() << e.what();
                return QString(e.what()).contains(expected);
            }
            return false;
        };
        QVERIFY(refused(one_head(AttentionKind::Cross, 2, 0), "cross:2:0: layer 2 out of range"));
        QVERIFY(refused(one_head(AttentionKind::EncoderSelf, 0, 3), "enc:0:3: head 3 out of range"));
        // Mean ablation without the means of that attention.
        QVERIFY(refused(one_head(AttentionKind::DecoderSelf, 1, 0, AblationMode::Mean), "no (3, 4) head means"));
        QVERIFY(net.head_mask().empty());
        QCOMPARE(max_abs_diff(logits_of(net, b), before), 0.0);

        ModelConfig tc;
        tc.task = "pos";
        tc.d_model = kC;
        tc.nhead = kH;
        tc.num_encoder_layers = 1;
        tc.num_decoder_layers = 0;
        tc.dim_feedforward = 10;
        tc.vocab_size = 9;
        tc.max_len = 8;
        tc.labels = {"A", "B"};
        TaskNet task(tc, 2);
        QVERIFY_THROWS_EXCEPTION(Error, task.set_head_mask(one_head(AttentionKind::Cross, 0, 0)));
        QVERIFY_THROWS_EXCEPTION(Error, task.set_head_mask(one_head(AttentionKind::DecoderSelf, 0, 0)));
        task.set_head_mask(one_head(AttentionKind::EncoderSelf, 0, 2));
        QCOMPARE(int(task.head_mask().heads.size()), 1);
    }

    void empty_mask_is_bit_identical()
    {
        const Transformer intact(tiny(), 3);
        Transformer net(intact);
        const Batch b = batch();
        const Mat ref = logits_of(intact, b);
        const Mat ref_steps = stepped_outputs(intact, b);
        net.set_head_mask(HeadMask());
        QVERIFY(ref == logits_of(net, b)); // exact: ==, not a tolerance
        // Masked, then cleared: every HeadAblation is empty again.
        HeadMask all;
        all.heads = all_heads(net.attention_layers(), kH);
        net.set_head_mask(all);
        QVERIFY(max_abs_diff(logits_of(net, b), ref) > 1e-3);
        net.set_head_mask(HeadMask());
        QVERIFY(ref == logits_of(net, b));
        QVERIFY(ref_steps == stepped_outputs(net, b));
        DecodingOptions beam;
        beam.strategy = DecodingStrategy::Beam;
        beam.beam_width = 3;
        beam.max_len = 8;
        const SearchResult a = decode(intact, {4, 5, 6, 7}, beam), c = decode(net, {4, 5, 6, 7}, beam);
        QVERIFY(a.hypotheses.front().tokens == c.hypotheses.front().tokens);
        QCOMPARE(a.hypotheses.front().log_prob, c.hypotheses.front().log_prob);
    }

    void zero_ablation_equals_zeroed_out_proj_columns_in_every_path_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("head");
        QTest::newRow("enc:1:2") << int(AttentionKind::EncoderSelf) << 1 << 2;
        QTest::newRow("enc:0:0") << int(AttentionKind::EncoderSelf) << 0 << 0;
        QTest::newRow("dec:0:1") << int(AttentionKind::DecoderSelf) << 0 << 1;
        QTest::newRow("dec:1:2") << int(AttentionKind::DecoderSelf) << 1 << 2;
        QTest::newRow("cross:1:0") << int(AttentionKind::Cross) << 1 << 0;
        QTest::newRow("cross:0:2") << int(AttentionKind::Cross) << 0 << 2;
    }
    void zero_ablation_equals_zeroed_out_proj_columns_in_every_path()
    {
        QFETCH(int, kind);
        QFETCH(int, layer);
        QFETCH(int, head);
        const AttentionKind k = AttentionKind(kind);
        const Transformer intact(tiny(), 5);
        Transformer masked(intact), by_weights(intact);
        masked.set_head_mask(one_head(k, layer, head));
        remove_head_by_weights(by_weights, out_proj_prefix(k, layer), head);
        const Batch b = batch();
        const double tol = 1e-5;

        // Teacher-forced forward: equal to the independent route, and different from intact.
        const Mat lm = logits_of(masked, b);
        QVERIFY(max_abs_diff(lm, logits_of(by_weights, b)) < tol);
        QVERIFY(max_abs_diff(lm, logits_of(intact, b)) > 1e-4);

        // The one-step path, position by position (the KV cache of decoder self-attention and
        // the projected memory of cross-attention), against both routes' teacher-forced rows.
        const Mat sm = stepped_outputs(masked, b);
        QVERIFY(max_abs_diff(sm, stepped_outputs(by_weights, b)) < tol);
        QVERIFY(max_abs_diff(masked_rows(sm, b), masked_rows(decoder_outputs(masked, b), b)) < tol);

        // Greedy (batched) and beam search decode the same tokens as the independent route.
        const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 9}, {10, 11, 12, 4, 5}};
        DecodingOptions greedy;
        greedy.max_len = 8;
        QVERIFY(decode_all(masked, sources, greedy) == decode_all(by_weights, sources, greedy));
        DecodingOptions beam = greedy;
        beam.strategy = DecodingStrategy::Beam;
        beam.beam_width = 3;
        for (const auto& src : sources) {
            const SearchResult x = decode(masked, src, beam), y = decode(by_weights, src, beam);
            QVERIFY(x.hypotheses.front().tokens == y.hypotheses.front().tokens);
            QVERIFY(std::abs(x.hypotheses.front().log_prob - y.hypotheses.front().log_prob) < 1e-4);
        }

        // The Trace: the ablated head's output is zero, its map is still recorded, and the
        // maps after it are those of the independent route.
        Seq2SeqActivations am, aw;
        masked.forward(b, am, false, nullptr);
        by_weights.forward(b, aw, false, nullptr);
        Trace tm, tw;
        masked.fill_trace(am, 0, tm, true);
        by_weights.fill_trace(aw, 0, tw, true);
        const HeadDetail& d = head_details(tm, k)[size_t(layer)][size_t(head)];
        QVERIFY(d.context.size() > 0);
        QCOMPARE(double(d.context.cwiseAbs().maxCoeff()), 0.0);
        QVERIFY(d.probs.size() > 0);
        const AttentionMaps& last_m = tm.cross, &last_w = tw.cross;
        for (size_t h = 0; h < size_t(kH); ++h)
            QVERIFY(max_abs_diff(last_m.back()[h], last_w.back()[h]) < tol);
    }

    void several_heads_at_once()
    {
        const Transformer intact(tiny(), 7);
        Transformer masked(intact), by_weights(intact);
        HeadMask m;
        m.heads = {{AttentionKind::EncoderSelf, 0, 1}, {AttentionKind::DecoderSelf, 1, 0}, {AttentionKind::Cross, 0, 2},
                   {AttentionKind::Cross, 0, 1}, {AttentionKind::Cross, 0, 1}};
        masked.set_head_mask(m);
        for (const HeadId& id : m.heads)
            remove_head_by_weights(by_weights, out_proj_prefix(id.kind, id.layer), id.head);
        const Batch b = batch();
        QVERIFY(max_abs_diff(logits_of(masked, b), logits_of(by_weights, b)) < 1e-5);
        QVERIFY(max_abs_diff(stepped_outputs(masked, b), stepped_outputs(by_weights, b)) < 1e-5);
        // A copy keeps the mask.
        const Transformer copy(masked);
        QVERIFY(logits_of(copy, b) == logits_of(masked, b));
    }

    void head_output_means_are_the_mean_over_real_query_positions()
    {
        const Transformer net(tiny(), 5);
        const Batch b = batch();
        const HeadMeans means = head_output_means(net, {b, b});
        Seq2SeqActivations act;
        net.forward(b, act, false, nullptr);
        // By hand: probs_h V_h per sequence, rows t < the real query length.
        auto check = [&](AttentionKind kind, int layer, const AttentionCache& c, const std::vector<int>& qlen) {
            for (int h = 0; h < kH; ++h) {
                RowVec sum = RowVec::Zero(kD);
                int n = 0;
                for (int s = 0; s < b.B; ++s) {
                    const Mat P = c.probs.block((Eigen::Index(s) * kH + h) * c.Tq, 0, c.Tq, c.Tk);
                    const Mat V = c.v.block(Eigen::Index(s) * c.Tk, h * kD, c.Tk, kD);
                    const Mat ctx = P * V;
                    for (int t = 0; t < qlen[size_t(s)]; ++t, ++n)
                        sum += ctx.row(t);
                }
                const RowVec expected = sum / Scalar(n);
                QVERIFY(max_abs_diff(means[size_t(kind)][size_t(layer)].row(h), expected) < 1e-5);
            }
        };
        for (int l = 0; l < 2; ++l) {
            check(AttentionKind::EncoderSelf, l, act.enc[size_t(l)].sa, b.src_len);
            check(AttentionKind::DecoderSelf, l, act.dec[size_t(l)].sa, b.tgt_len);
            check(AttentionKind::Cross, l, act.dec[size_t(l)].ca, b.tgt_len);
        }
    }

    void mean_ablation_equals_zeroed_columns_and_a_bias_shift()
    {
        const Transformer intact(tiny(), 5);
        const Batch b = batch();
        const HeadMeans means = head_output_means(intact, {b});
        for (const HeadId id : {HeadId{AttentionKind::EncoderSelf, 1, 1}, HeadId{AttentionKind::DecoderSelf, 0, 2},
                                HeadId{AttentionKind::Cross, 1, 0}}) {
            Transformer masked(intact), by_weights(intact);
            HeadMask m = one_head(id.kind, id.layer, id.head, AblationMode::Mean);
            m.means = means;
            masked.set_head_mask(m);
            const RowVec mean = means[size_t(id.kind)][size_t(id.layer)].row(id.head);
            remove_head_by_weights(by_weights, out_proj_prefix(id.kind, id.layer), id.head, &mean);
            const Mat lm = logits_of(masked, b);
            QVERIFY2(max_abs_diff(lm, logits_of(by_weights, b)) < 1e-5, to_string(id).c_str());
            QVERIFY(max_abs_diff(stepped_outputs(masked, b), stepped_outputs(by_weights, b)) < 1e-5);
            // Mean and zero ablation differ.
            Transformer zeroed(intact);
            zeroed.set_head_mask(one_head(id.kind, id.layer, id.head));
            QVERIFY(max_abs_diff(lm, logits_of(zeroed, b)) > 1e-5);
        }
    }

    void task_model_zero_ablation_equals_zeroed_columns()
    {
        ModelConfig tc;
        tc.task = "pos";
        tc.d_model = kC;
        tc.nhead = kH;
        tc.num_encoder_layers = 2;
        tc.num_decoder_layers = 0;
        tc.dim_feedforward = 10;
        tc.dropout = 0;
        tc.vocab_size = 9;
        tc.max_len = 8;
        tc.labels = {"A", "B", "C"};
        const TaskNet intact(tc, 4);
        TaskNet masked(intact), by_weights(intact);
        masked.set_head_mask(one_head(AttentionKind::EncoderSelf, 1, 2));
        remove_head_by_weights(by_weights, "encoder.layers.1.self_attn.out_proj", 2);
        TaskBatch tb;
        tb.B = 2;
        tb.T = 5;
        tb.ids = {6, 7, 8, 6, 7, 8, 8, 6, 0, 0};
        tb.len = {5, 3};
        tb.targets = {0, 1, 2, 1, 0, 2, 2, 1, -1, -1};
        TaskActivations a, w, i;
        masked.forward(tb, a, false, nullptr);
        by_weights.forward(tb, w, false, nullptr);
        intact.forward(tb, i, false, nullptr);
        QVERIFY(max_abs_diff(a.logits, w.logits) < 1e-5);
        QVERIFY(max_abs_diff(a.logits, i.logits) > 1e-4);
    }
};

QTEST_GUILESS_MAIN(HeadMaskTest)
#include "test_head_mask.moc"
