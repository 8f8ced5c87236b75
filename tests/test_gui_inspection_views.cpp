// SPDX-License-Identifier: GPL-3.0-or-later
// The views that inspect a model (offscreen): the forward-pass stepper (view model and tab),
// comparing two sentences, the live training plots (EMA, log scale, hover values, attention
// entropy), the layer x head overview and the cell hover of heatmap thumbnails.
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "ui/views/compare_dialog.h"
#include "ui/view_models/forward_view_model.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/overview_panel.h"
#include "ui/views/stepper_panel.h"
#include "ui/view_models/training_plots_model.h"
#include "ui/views/training_plots_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QSignalSpy>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {

std::shared_ptr<const al::TranslationModel> makeModel(int layers = 2, int heads = 2)
{
    al::Tokenizer src(al::TokenKind::Char), tgt(al::TokenKind::Word);
    std::vector<std::vector<std::string>> tokens;
    for (const char* s : {"我们今天去学校。", "他们明天去学校。", "我爱你。"})
        tokens.push_back(src.tokenize(s));
    al::Vocab sv = al::Vocab::build(tokens, 1);
    al::Vocab tv = al::Vocab::build({{"we", "go", "to", "school", "."}}, 1);
    al::ModelConfig mc;
    mc.d_model = 16;
    mc.nhead = heads;
    mc.num_encoder_layers = layers;
    mc.num_decoder_layers = layers;
    mc.dim_feedforward = 24;
    mc.dropout = 0.0;
    mc.max_len = 24;
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return std::make_shared<al::TranslationModel>(
        al::TranslationModel{al::Transformer(mc, 3), std::move(sv), std::move(tv), src, tgt});
}

std::shared_ptr<const al::Trace> detailedTrace(const al::TranslationModel& m, const std::string& sentence)
{
    auto t = std::make_shared<al::Trace>();
    al::DecodingOptions opts;
    opts.max_len = 6;
    al::TraceOptions topts;
    topts.forward_detail = true;
    al::translate(m, sentence, opts, t.get(), topts);
    return t;
}

double maxAbs(const al::Mat& a, const al::Mat& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return 1e30;
    return double((a - b).cwiseAbs().maxCoeff());
}

} // namespace

class TestGuiInspectionViews : public QObject {
    Q_OBJECT
private slots:
    void stepperVisitsEverySublayerInOrder();
    void recomputedProbabilitiesMatchTrace();
    void weightedSumOfValueRows();
    void diagramBoxesFollowTheModel();
    void emaAndHover();
    void entropy();
    void entropyHistory();
    void compareSelection();
    void stepperPanel();
    void trainingPlotsPanel();
    void compareDialog();
    void thumbnailHover();
    void layerHeadOverview();
    void mainWindowTabs();
};

void TestGuiInspectionViews::stepperVisitsEverySublayerInOrder()
{
    ForwardStepper s;
    QCOMPARE(s.count(), 0);
    QCOMPARE(s.current(), -1);
    QVERIFY(!s.next());
    QVERIFY(s.step() == nullptr);
    const auto model = makeModel(2, 2);
    const auto trace = detailedTrace(*model, "我爱你。");
    s.setTrace(trace);
    // Embedding, 2 x 4 encoder sublayers, final norm; embedding, 2 x 6 decoder sublayers, final norm.
    QCOMPARE(s.count(), 1 + 8 + 1 + 1 + 12 + 1);
    QCOMPARE(s.current(), 0);
    QStringList visited;
    QVector<al::AttentionKind> kinds;
    do {
        const al::ForwardStep* step = s.step();
        QVERIFY(step);
        visited << QString::fromStdString(step->label);
        if (auto k = ForwardStepper::attentionKind(*step))
            kinds << *k;
        QCOMPARE(s.positionTokens().size(), int(step->stream.rows()));
    } while (s.next());
    QCOMPARE(visited.size(), s.count());
    QVERIFY(s.atEnd());
    const QStringList want = {
        "encoder · embedding + PE", "encoder 1 · self-attention", "encoder 1 · add & norm", "encoder 1 · feed-forward",
        "encoder 1 · add & norm", "encoder 2 · self-attention", "encoder 2 · add & norm", "encoder 2 · feed-forward",
        "encoder 2 · add & norm", "encoder · final norm", "decoder · embedding + PE", "decoder 1 · self-attention",
        "decoder 1 · add & norm", "decoder 1 · cross-attention", "decoder 1 · add & norm", "decoder 1 · feed-forward",
        "decoder 1 · add & norm", "decoder 2 · self-attention", "decoder 2 · add & norm", "decoder 2 · cross-attention",
        "decoder 2 · add & norm", "decoder 2 · feed-forward", "decoder 2 · add & norm", "decoder · final norm"};
    QCOMPARE(visited, want);
    using K = al::AttentionKind;
    QCOMPARE(kinds, (QVector<K>{K::EncoderSelf, K::EncoderSelf, K::DecoderSelf, K::Cross, K::DecoderSelf, K::Cross}));
    // Backwards, clamped at both ends.
    QVERIFY(!s.next());
    QVERIFY(s.previous());
    QCOMPARE(s.current(), s.count() - 2);
    QVERIFY(s.first());
    QVERIFY(!s.previous());
    QVERIFY(s.setCurrent(1000));
    QCOMPARE(s.current(), s.count() - 1);
    // Residual norms per step, with short labels.
    const QVector<double> norms = residualNorms(trace->forward);
    QCOMPARE(norms.size(), s.count());
    QCOMPARE(norms[3], trace->forward.steps[3].mean_norm);
    QCOMPARE(residualNormLabels(trace->forward)[1], QStringLiteral("E1 SA"));
    QCOMPARE(residualNormLabels(trace->forward)[13], QStringLiteral("D1 CA"));
}

void TestGuiInspectionViews::recomputedProbabilitiesMatchTrace()
{
    const auto model = makeModel(2, 2);
    const auto trace = detailedTrace(*model, "我们今天去学校。");
    const double scale = trace->forward.scale;
    QVERIFY(std::abs(scale - 1.0 / std::sqrt(8.0)) < 1e-12);
    int checked = 0;
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross}) {
        const al::HeadDetails& d = al::head_details(*trace, k);
        const al::AttentionMaps& maps = al::attention_maps(*trace, k);
        QCOMPARE(d.size(), maps.size());
        for (size_t l = 0; l < d.size(); ++l)
            for (size_t h = 0; h < d[l].size(); ++h) {
                QVERIFY(maxAbs(recomputeProbabilities(d[l][h], scale), maps[l][h]) < 1e-5);
                QVERIFY(maxAbs(recomputeProbabilities(d[l][h], scale, false, false), maps[l][h]) < 1e-5);
                // Without the scaling the rows come out different (sharper): the scale matters.
                QVERIFY(maxAbs(recomputeProbabilities(d[l][h], 1.0), maps[l][h]) > 1e-4);
                ++checked;
            }
    }
    QCOMPARE(checked, 3 * 2 * 2);
    // Causal mask: the decoder's first query sees only itself.
    const al::Mat p = recomputeProbabilities(trace->forward.dec_self[0][0], scale);
    QCOMPARE(double(p(0, 0)), 1.0);
    QVERIFY(p.rows() > 1 && p(0, 1) == 0);
    al::HeadDetail empty;
    QVERIFY_THROWS_EXCEPTION(al::Error, recomputeProbabilities(empty, scale));
}

void TestGuiInspectionViews::weightedSumOfValueRows()
{
    const auto model = makeModel(1, 2);
    const auto trace = detailedTrace(*model, "我爱你。");
    const al::HeadDetail& d = trace->forward.cross[0][1];
    for (int q = 0; q < int(d.probs.rows()); ++q) {
        const WeightedSum w = weightedSum(d, q);
        QCOMPARE(w.weights.size(), d.probs.cols());
        QCOMPARE(w.terms.rows(), d.v.rows());
        for (Eigen::Index j = 0; j < d.v.rows(); ++j)
            QVERIFY((w.terms.row(j) - d.probs(q, j) * d.v.row(j)).cwiseAbs().maxCoeff() < 1e-6);
        QVERIFY((w.sum - d.context.row(q)).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY(std::abs(double(w.weights.sum()) - 1.0) < 1e-5);
    }
    QVERIFY_THROWS_EXCEPTION(al::Error, weightedSum(d, int(d.probs.rows())));
    QVERIFY_THROWS_EXCEPTION(al::Error, weightedSum(d, -1));
}

void TestGuiInspectionViews::diagramBoxesFollowTheModel()
{
    const auto model = makeModel(2, 2);
    const auto trace = detailedTrace(*model, "我爱你。");
    const QVector<DiagramBox> boxes = diagramBoxes(trace->forward);
    QCOMPARE(boxes.size(), int(trace->forward.steps.size()));
    QCOMPARE(diagramRows(boxes), 14); // decoder: embedding + 12 sublayers + final norm
    QCOMPARE(boxes[0].column, 0);
    QCOMPARE(boxes[0].row, 0);
    QCOMPARE(boxes[0].text, QStringLiteral("Embedding + PE"));
    QCOMPARE(boxes[9].text, QStringLiteral("Final norm"));
    QCOMPARE(boxes[9].row, 9);
    QCOMPARE(boxes[10].column, 1);
    QCOMPARE(boxes[10].row, 0);
    QCOMPARE(boxes[13].text, QStringLiteral("Cross-attention"));
    QCOMPARE(boxes[13].layer, 0);
    for (int i = 0; i < boxes.size(); ++i)
        QCOMPARE(boxes[i].step, i);
}

void TestGuiInspectionViews::emaAndHover()
{
    const QVector<double> x = {1, 2, 3, 4};
    QCOMPARE(emaSmooth(x, 0.0), x);
    const QVector<double> s = emaSmooth(x, 0.5);
    QCOMPARE(s[0], 1.0);
    QCOMPARE(s[1], 1.5);
    QCOMPARE(s[2], 2.25);
    QCOMPARE(s[3], 3.125);
    const QVector<double> withNan = emaSmooth({1, std::nan(""), 3}, 0.5);
    QVERIFY(std::isnan(withNan[1]));
    QCOMPARE(withNan[2], 2.0);
    QVERIFY_THROWS_EXCEPTION(al::Error, emaSmooth(x, 1.0));
    QVERIFY_THROWS_EXCEPTION(al::Error, emaSmooth(x, -0.1));
    QCOMPARE(nearestIndex({}, 3), -1);
    QCOMPARE(nearestIndex({10, 20, 30}, 0), 0);
    QCOMPARE(nearestIndex({10, 20, 30}, 24), 1);
    QCOMPARE(nearestIndex({10, 20, 30}, 26), 2);
    QCOMPARE(nearestIndex({10, 20, 30}, 99), 2);
    QCOMPARE(pointToolTip(120, 2.3456), QStringLiteral("step 120: 2.346"));
    QCOMPARE(pointToolTip(5, 0.5, QStringLiteral("grad")), QStringLiteral("grad · step 5: 0.5"));
}

void TestGuiInspectionViews::entropy()
{
    for (int n : {1, 2, 5, 17}) {
        const al::RowVec uniform = al::RowVec::Constant(n, al::Scalar(1.0 / n));
        QVERIFY(std::abs(rowEntropy(uniform) - std::log(double(n))) < 1e-5);
        al::RowVec oneHot = al::RowVec::Zero(n);
        oneHot[n - 1] = 1;
        QCOMPARE(rowEntropy(oneHot), 0.0);
    }
    al::Mat m(3, 4);
    m << 0.25f, 0.25f, 0.25f, 0.25f, 1, 0, 0, 0, 0, 0, 0, 0; // last row: nothing visible
    QVERIFY(std::abs(meanEntropy(m) - std::log(4.0) / 2) < 1e-5);
    QVERIFY(std::isnan(meanEntropy(al::Mat::Zero(2, 2))));
}

void TestGuiInspectionViews::entropyHistory()
{
    auto traceWith = [](float p) {
        al::Trace t;
        t.enc_self = {{al::Mat::Constant(2, 2, 0.5f), (al::Mat(2, 2) << p, 1 - p, 1 - p, p).finished()}};
        return t;
    };
    EntropyHistory h;
    QVERIFY(h.isEmpty());
    h.add(10, al::Trace{}); // no maps: nothing recorded
    QVERIFY(h.isEmpty());
    h.add(10, traceWith(1.0f));
    h.add(20, traceWith(0.5f));
    QCOMPARE(h.steps(), (QVector<double>{10, 20}));
    QCOMPARE(h.layers(al::AttentionKind::EncoderSelf), 1);
    QCOMPARE(h.layers(al::AttentionKind::Cross), 0);
    QCOMPARE(h.heads(al::AttentionKind::EncoderSelf, 0), 2);
    const QVector<double> uniform = h.series(al::AttentionKind::EncoderSelf, 0, 0);
    QVERIFY(std::abs(uniform[0] - std::log(2.0)) < 1e-6 && std::abs(uniform[1] - std::log(2.0)) < 1e-6);
    const QVector<double> sharpening = h.series(al::AttentionKind::EncoderSelf, 0, 1);
    QCOMPARE(sharpening[0], 0.0);
    QVERIFY(std::abs(sharpening[1] - std::log(2.0)) < 1e-6);
    h.clear();
    QVERIFY(h.isEmpty());
}

void TestGuiInspectionViews::compareSelection()
{
    const auto big = makeModel(2, 2);
    const auto small = makeModel(1, 2);
    const auto a = detailedTrace(*big, "我爱你。");
    const auto b = detailedTrace(*small, "我们今天去学校。");
    AttentionSelection sel;
    sel.kind = al::AttentionKind::Cross;
    sel.layer = 1;
    sel.head = 5;
    const PairSelection p = clampSelectionForBoth(*a, *b, sel);
    QVERIFY(p.ok);
    QCOMPARE(p.sel.layer, 0);
    QCOMPARE(p.sel.head, 1);
    al::Trace none;
    QVERIFY(!clampSelectionForBoth(*a, none, sel).ok);
}

void TestGuiInspectionViews::stepperPanel()
{
    StepperPanel panel;
    panel.resize(1400, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(!panel.run()); // no model
    QSignalSpy passes(&panel, &StepperPanel::passFinished);
    panel.setModel(makeModel(2, 2));
    // The pass runs on the panel's inference thread: nothing is shown before it answers.
    QVERIFY(!panel.stepper().trace());
    QVERIFY(passes.wait(10000));
    QCOMPARE(passes.takeFirst().at(0).toBool(), true);
    QVERIFY(panel.stepper().count() > 0);
    QCOMPARE(panel.stepper().current(), 0);
    QCOMPARE(panel.diagram()->current(), 0);
    // Embedding: no attention, only the residual stream.
    QVERIFY(!panel.heatmap(QStringLiteral("q"))->hasData());
    QVERIFY(panel.heatmap(QStringLiteral("stream"))->hasData());
    QCOMPARE(panel.heatmap(QStringLiteral("stream"))->queryCount(), 5); // 我 爱 你 。 <eos>
    QCOMPARE(panel.heatmap(QStringLiteral("stream"))->keyCount(), 16);
    // Keyboard: Right and Space step forward, Left back.
    panel.activateWindow();
    panel.setFocus();
    QTest::keyClick(&panel, Qt::Key_Right);
    QCOMPARE(panel.stepper().current(), 1);
    QCOMPARE(panel.diagram()->current(), 1);
    // Encoder self-attention of layer 1: Q, K, V and the scores of head 1.
    HeatmapWidget* q = panel.heatmap(QStringLiteral("q"));
    QVERIFY(q->hasData());
    QCOMPARE(q->queryCount(), 5);
    QCOMPARE(q->keyCount(), 8);
    const al::HeadDetail& d = panel.stepper().trace()->forward.enc_self[0][0];
    QVERIFY(maxAbs(panel.heatmap(QStringLiteral("probs"))->matrix(), d.probs) == 0);
    QVERIFY(maxAbs(panel.heatmap(QStringLiteral("scaled"))->matrix(), d.scaled) == 0);
    QVERIFY(maxAbs(panel.heatmap(QStringLiteral("scores"))->matrix(), d.scores) == 0);
    // The weighted sum: one row per key plus the sum (= the head output of query 1).
    HeatmapWidget* sum = panel.heatmap(QStringLiteral("sum"));
    QCOMPARE(sum->queryCount(), 5 + 1);
    QVERIFY((sum->matrix().row(5) - d.context.row(0)).cwiseAbs().maxCoeff() < 1e-5);
    panel.setHead(1);
    panel.setQuery(2);
    const al::HeadDetail& d2 = panel.stepper().trace()->forward.enc_self[0][1];
    QVERIFY(maxAbs(panel.heatmap(QStringLiteral("probs"))->matrix(), d2.probs) == 0);
    QVERIFY((sum->matrix().row(5) - d2.context.row(2)).cwiseAbs().maxCoeff() < 1e-5);
    QTest::keyClick(&panel, Qt::Key_Space);
    QCOMPARE(panel.stepper().current(), 2);
    QVERIFY(!q->hasData()); // add & norm: no attention
    QCOMPARE(panel.pages()->currentIndex(), 2); // the residual stream page
    QTest::keyClick(&panel, Qt::Key_Left);
    QCOMPARE(panel.stepper().current(), 1);
    // Clicking a box of the diagram jumps there: decoder 1 cross-attention is step 13.
    const QRectF box = panel.diagram()->boxRect(13);
    QVERIFY(!box.isEmpty());
    QTest::mouseClick(panel.diagram(), Qt::LeftButton, {}, box.center().toPoint());
    QCOMPARE(panel.stepper().current(), 13);
    QCOMPARE(panel.pages()->currentIndex(), 0);
    QCOMPARE(panel.heatmap(QStringLiteral("probs"))->keyCount(), 5);
    // Stepping to the end visits every step once.
    panel.firstStep();
    int visits = 1;
    for (int i = 0; i < 100 && !panel.stepper().atEnd(); ++i) {
        panel.nextStep();
        ++visits;
    }
    QCOMPARE(visits, panel.stepper().count());
    QCOMPARE(panel.normPlot()->graph(0)->dataCount(), panel.stepper().count());
    QCOMPARE(panel.normPlot()->graph(1)->data()->at(0)->key, double(panel.stepper().count())); // 1-based
    QCOMPARE(panel.normPlot()->graph(1)->data()->at(0)->value, panel.stepper().step()->mean_norm);
    // A new sentence re-runs the pass shortly after (coalesced), keeping the step.
    panel.setSentence(QStringLiteral("我们今天去学校。"));
    QVERIFY(passes.wait(10000));
    QCOMPARE(int(panel.stepper().trace()->src_tokens.size()), 9);
    // run() returns at once: the old pass stays on screen until the new one arrives.
    const std::shared_ptr<const al::Trace> before = panel.stepper().trace();
    panel.setSentence(QStringLiteral("我爱你。"));
    QVERIFY(panel.run());
    QCOMPARE(panel.stepper().trace(), before);
    QVERIFY(passes.wait(10000));
    QCOMPARE(int(panel.stepper().trace()->src_tokens.size()), 5);
    QCOMPARE(panel.heatmap(QStringLiteral("stream"))->queryCount(), int(panel.stepper().trace()->tgt_in_tokens.size()));
}

void TestGuiInspectionViews::trainingPlotsPanel()
{
    TrainingPlotsPanel panel;
    panel.resize(1200, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    for (int i = 1; i <= 4; ++i) {
        TrainingMetrics m;
        m.step = i * 10;
        m.loss = i; // 1 2 3 4
        m.gradNorm = 0.5 * i;
        m.tokensPerSecond = 1000.0 * i;
        panel.addMetrics(m);
    }
    ValidationMetrics v;
    v.step = 40;
    v.loss = 3.5;
    panel.addValidation(v);
    QTRY_COMPARE(panel.gradPlot()->graph(0)->dataCount(), 4); // drawn on the panel's redraw timer
    panel.redrawNow();
    QCOMPARE(panel.gradPlot()->graph(0)->data()->at(3)->value, 2.0);
    QCOMPARE(panel.speedPlot()->graph(0)->data()->at(1)->value, 2000.0);
    QCOMPARE(panel.lossPlot()->graph(2)->dataCount(), 1);
    panel.setSmoothing(0.5);
    QCOMPARE(panel.smoothing(), 0.5);
    QCOMPARE(panel.lossPlot()->graph(1)->data()->at(3)->value, 3.125);
    panel.setSmoothing(0.0);
    QCOMPARE(panel.lossPlot()->graph(1)->data()->at(3)->value, 4.0);
    panel.setLogScale(panel.gradPlot(), true);
    QCOMPARE(panel.gradPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    panel.setLogScale(panel.gradPlot(), false);
    QCOMPARE(panel.gradPlot()->yAxis->scaleType(), QCPAxis::stLinear);
    // Hover: the point nearest the mouse.
    QCustomPlot* g = panel.gradPlot();
    g->replot();
    const QPointF at(g->xAxis->coordToPixel(30), g->yAxis->coordToPixel(1.5));
    QCOMPARE(hoverText(g, at), QStringLiteral("gradient norm · step 30: 1.5"));
    // Entropy from a model's probe translation: one sample per call, a curve per head.
    const auto model = makeModel(1, 2);
    QVERIFY(panel.sampleEntropy(model, 0));
    QTRY_COMPARE(panel.entropyHistory().steps().size(), 1); // translated on the worker thread
    QVERIFY(panel.sampleEntropy(model, 10));
    QTRY_COMPARE(panel.entropyHistory().steps().size(), 2);
    QCOMPARE(panel.entropyPlot()->graphCount(), 2);
    const double h0 = panel.entropyPlot()->graph(0)->data()->at(0)->value;
    QVERIFY(h0 > 0 && h0 <= std::log(5.0) + 1e-9); // at most log(#keys) for the 5 source tokens
    panel.reset();
    QCOMPARE(panel.gradPlot()->graph(0)->dataCount(), 0);
    QVERIFY(panel.entropyHistory().isEmpty());
}

void TestGuiInspectionViews::compareDialog()
{
    CompareDialog dialog;
    QVERIFY(!dialog.compare()); // no model
    dialog.setModel(makeModel(2, 2));
    dialog.setSentences(QStringLiteral("我爱你。"), QStringLiteral("我们今天去学校。"));
    AttentionSelection sel;
    sel.kind = al::AttentionKind::EncoderSelf;
    sel.layer = 1;
    sel.head = 1;
    dialog.setSelection(sel);
    QSignalSpy compared(&dialog, &CompareDialog::compared);
    QVERIFY(dialog.compare());
    QVERIFY(!dialog.trace(0)); // both passes run on the dialog's threads
    QVERIFY(compared.wait(10000));
    QCOMPARE(compared.takeFirst().at(0).toBool(), true);
    QCOMPARE(dialog.heatmap(0)->queryCount(), 5);
    QCOMPARE(dialog.heatmap(1)->queryCount(), 9);
    QVERIFY(maxAbs(dialog.heatmap(0)->matrix(), dialog.trace(0)->enc_self[1][1]) == 0);
    QVERIFY(maxAbs(dialog.heatmap(1)->matrix(), dialog.trace(1)->enc_self[1][1]) == 0);
    QCOMPARE(dialog.heatmap(0)->dataRange().upper, dialog.heatmap(1)->dataRange().upper);
    QVERIFY(!dialog.heatmap(0)->exportFileName().isEmpty());
}

void TestGuiInspectionViews::thumbnailHover()
{
    HeatmapWidget w;
    al::Mat m(2, 2);
    m << 0.25f, 0.75f, 1, 0;
    w.setMatrix(m, {QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("x"), QStringLiteral("y")});
    QCOMPARE(w.cellHoverText(0, 1), QStringLiteral("query a → key y: 0.750"));
    QVERIFY(w.cellHoverText(2, 0).isEmpty());
    w.setCompact(true);
    w.setTitle(QStringLiteral("Head 2"));
    QCOMPARE(w.cellHoverText(1, 0), QStringLiteral("Head 2 · query b → key x: 1.000"));
    w.setAxisTitles(QStringLiteral("dimension"), QStringLiteral("position"));
    w.setCompact(false);
    QCOMPARE(w.cellHoverText(1, 1), QStringLiteral("position b → dimension y: 0.000"));
}

void TestGuiInspectionViews::layerHeadOverview()
{
    const auto model = makeModel(2, 2);
    const auto trace = detailedTrace(*model, "我爱你。");
    QVector<QPair<int, al::AttentionKind>> captions;
    const QVector<OverviewCell> cells = overviewCells(*trace, &captions);
    QCOMPARE(cells.size(), 3 * 2 * 2); // three kinds x two layers x two heads
    QCOMPARE(captions.size(), 3);
    QCOMPARE(captions[0].first, 0);
    QCOMPARE(captions[1].first, 3); // caption, layer 1, layer 2, then the next caption
    QCOMPARE(captions[2].second, al::AttentionKind::Cross);
    QCOMPARE(cells[5].sel.kind, al::AttentionKind::DecoderSelf);
    QCOMPARE(cells[5].sel.layer, 0);
    QCOMPARE(cells[5].sel.head, 1);
    QCOMPARE(cells[5].row, 4);
    QCOMPARE(cells[5].column, 1);
    al::Trace encoderOnly;
    encoderOnly.enc_self = trace->enc_self;
    QCOMPARE(overviewCells(encoderOnly).size(), 4);

    OverviewPanel panel;
    panel.resize(800, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(trace);
    QCOMPARE(panel.thumbnails().size(), 12);
    HeatmapWidget* cross = panel.thumbnails()[11]; // cross-attention, layer 2, head 2
    QVERIFY(maxAbs(cross->matrix(), trace->cross[1][1]) == 0);
    QVERIFY(cross->cellHoverText(0, 0).startsWith(QStringLiteral("L2 H2 · query ")));
    int emitted = 0;
    AttentionSelection sel;
    connect(&panel, &OverviewPanel::selected, this, [&](const AttentionSelection& s) {
        sel = s;
        ++emitted;
    });
    emit cross->clicked();
    QCOMPARE(emitted, 1);
    QCOMPARE(sel.kind, al::AttentionKind::Cross);
    QCOMPARE(sel.layer, 1);
    QCOMPARE(sel.head, 1);
}

void TestGuiInspectionViews::mainWindowTabs()
{
    MainWindow w;
    QTabWidget* tabs = w.viewTabs();
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i)
        names << tabs->tabText(i);
    QVERIFY(names.contains(QStringLiteral("Forward pass")));
    QVERIFY(names.contains(QStringLiteral("Training plots")));
    QVERIFY(names.contains(QStringLiteral("Layers × heads")));
    QVERIFY(w.stepperPanel() && w.trainingPlotsPanel());
}

QTEST_MAIN(TestGuiInspectionViews)
#include "test_gui_inspection_views.moc"
