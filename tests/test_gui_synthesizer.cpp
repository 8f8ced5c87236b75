// SPDX-License-Identifier: GPL-3.0-or-later
// Synthesizer view (offscreen): the widget-free view model (matrix choice, colour ranges, probe
// difference, alpha history) and the panel in the main window training a tiny mixture.
#include "gui_test_support.h"
#include "engine/models/translation_model.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/synthesizer_panel.h"
#include "ui/view_models/synthesizer_view_model.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {

constexpr int kTimeoutMs = 120000;

/// A trace of a 2-layer, 2-head mixture with recognisable values.
al::Trace mixtureTrace(float alpha0)
{
    al::Trace t;
    t.src_tokens = {"我", "爱", "你", "<eos>"};
    t.tgt_in_tokens = {"<bos>", "i", "love"};
    t.tgt_out_tokens = {"i", "love", "<eos>"};
    for (int l = 0; l < 2; ++l) {
        t.enc_self.emplace_back();
        t.dec_self.emplace_back();
        t.enc_synth.scores.emplace_back();
        t.dec_synth.scores.emplace_back();
        for (int h = 0; h < 2; ++h) {
            t.enc_self.back().push_back(al::Mat::Constant(4, 4, 0.25f));
            t.dec_self.back().push_back(al::Mat::Constant(3, 3, 1.0f / 3));
            al::Mat s = al::Mat::Constant(4, 4, float(10 * l + h));
            s(0, 1) = -5;
            t.enc_synth.scores.back().push_back(s);
            t.dec_synth.scores.back().push_back(al::Mat::Constant(3, 3, float(-h)));
        }
        al::Mat a(2, 2);
        a << alpha0, 1 - alpha0, 0.5f, 0.5f;
        t.enc_synth.alpha.push_back(a);
        t.dec_synth.alpha.push_back(a);
    }
    t.enc_synth.components = t.dec_synth.components = {"dense", "random"};
    return t;
}

/// A translation model with a vocabulary covering the probe sentences.
std::shared_ptr<al::TranslationModel> makeModel(const std::string& attention)
{
    al::Tokenizer src(al::TokenKind::Char), tgt(al::TokenKind::Word);
    const std::vector<std::string> sentences = {"我们今天去学校。", "他们明天去学校。", "我爱你。"};
    std::vector<std::vector<std::string>> tokens;
    for (const std::string& s : sentences)
        tokens.push_back(src.tokenize(s));
    al::Vocab sv = al::Vocab::build(tokens, 1);
    al::Vocab tv = al::Vocab::build({{"we", "go", "to", "school", "."}}, 1);
    al::ModelConfig mc;
    mc.d_model = 32;
    mc.nhead = 2;
    mc.num_encoder_layers = 1;
    mc.num_decoder_layers = 1;
    mc.dim_feedforward = 48;
    mc.dropout = 0.0;
    mc.attention = attention;
    mc.max_len = 20;
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return std::make_shared<al::TranslationModel>(
        al::TranslationModel{al::Transformer(mc, 3), std::move(sv), std::move(tv), src, tgt});
}

std::shared_ptr<const al::Trace> traceOf(const al::TranslationModel& m, const std::string& sentence)
{
    auto t = std::make_shared<al::Trace>();
    al::translate(m, sentence, 8, t.get());
    return t;
}

} // namespace

/// Unit tests of the view model and an offscreen test of the panel.
class TestGuiSynthesizer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void variants();
    void selection();
    void ranges();
    void probe();
    void probeOnModels();
    void randomAlignmentFromModel();
    void alphaHistory();
    void panelShowsDotProductMessage();
    void panelOnRandomAndDense();
    void windowTrainsMixture();

private:
    QTemporaryDir m_tmp;
    QString m_corpus;
};

void TestGuiSynthesizer::initTestCase()
{
    m_corpus = al::test::write_small_cmn_corpus(m_tmp, 200);
    QVERIFY2(!m_corpus.isEmpty(), "cannot copy the bundled corpus");
}

void TestGuiSynthesizer::variants()
{
    QVERIFY(!isSynthesizerVariant("vanilla"));
    for (const char* v : {"dense", "random", "fixed_random", "factorized_dense", "factorized_random", "random+vanilla",
                          "dense+vanilla", "random+dense"})
        QVERIFY2(isSynthesizerVariant(v), v);
    for (const char* v : {"random", "fixed_random", "factorized_random", "random+vanilla", "random+dense"})
        QVERIFY2(hasRandomAlignment(v), v);
    for (const char* v : {"vanilla", "dense", "factorized_dense", "dense+vanilla"})
        QVERIFY2(!hasRandomAlignment(v), v);
    QVERIFY(isMixtureVariant("dense+vanilla"));
    QVERIFY(!isMixtureVariant("factorized_dense"));
    QCOMPARE(variantDisplayName("random+dense"), QStringLiteral("Mixture: Random + Dense"));
    QCOMPARE(variantDisplayName("fixed_random"), QStringLiteral("Fixed Random Synthesizer"));
    QCOMPARE(componentDisplayName("vanilla"), QStringLiteral("Vanilla"));
}

void TestGuiSynthesizer::selection()
{
    const al::Trace t = mixtureTrace(0.25f);
    QCOMPARE(selfAttentionLayerCount(t, false), 2);
    QCOMPARE(selfAttentionHeadCount(t, true, 1), 2);
    QCOMPARE(selfAttentionHeadCount(t, true, 2), 0);
    const al::Mat* s = selectSynthesizedScores(t, {false, 1, 1});
    QVERIFY(s);
    QCOMPARE(double((*s)(1, 1)), 11.0);
    QVERIFY(!selectSynthesizedScores(t, {false, 2, 0}));
    QVERIFY(!selectSynthesizedScores(al::Trace{}, {false, 0, 0}));
    const al::Mat* p = selectSelfAttention(t, {true, 0, 1});
    QVERIFY(p);
    QCOMPARE(p->rows(), Eigen::Index(3));
    QCOMPARE(selfAttentionTokens(t, false).first(), QStringLiteral("我"));
    QCOMPARE(selfAttentionTokens(t, true).first(), QStringLiteral("<bos>"));
    const SynthSelection c = clampSynthSelection(t, {true, 9, -1});
    QCOMPARE(c.layer, 1);
    QCOMPARE(c.head, 0);
    QVERIFY(c.decoder);
    QCOMPARE(mixtureComponentNames(t, false), (QStringList{QStringLiteral("Dense"), QStringLiteral("Random")}));
    QCOMPARE(mixtureWeights(t, {false, 0, 0}), (QVector<double>{0.25, 0.75}));
    QCOMPARE(mixtureWeights(t, {false, 0, 1}), (QVector<double>{0.5, 0.5}));
    QVERIFY(mixtureWeights(t, {false, 0, 2}).isEmpty());
    al::Trace noMix = t;
    noMix.enc_synth.alpha.clear();
    QVERIFY(mixtureComponentNames(noMix, false).isEmpty());
    QVERIFY(mixtureWeights(noMix, {false, 0, 0}).isEmpty());
    QCOMPARE(positionLabels(3), (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}));
}

void TestGuiSynthesizer::ranges()
{
    al::Mat m(2, 2);
    m << -1, 3, 0.5f, 2;
    ValueRange r = valueRange(m, ColorRange::Symmetric);
    QCOMPARE(r.lower, -3.0);
    QCOMPARE(r.upper, 3.0);
    r = valueRange(m, ColorRange::MinMax);
    QCOMPARE(r.lower, -1.0);
    QCOMPARE(r.upper, 3.0);
    r = valueRange(m, ColorRange::Probability);
    QCOMPARE(r.lower, 0.0);
    QCOMPARE(r.upper, 1.0);
    r = valueRange(al::Mat::Zero(2, 2), ColorRange::Symmetric);
    QVERIFY(r.upper > r.lower);
    r = valueRange(al::Mat::Constant(2, 2, 4.0f), ColorRange::MinMax);
    QVERIFY(r.lower < 4.0 && r.upper > 4.0);

    HeatmapWidget h;
    h.setColorRange(ColorRange::Symmetric);
    h.setMatrix(m, {}, {});
    QCOMPARE(h.dataRange().lower, -3.0);
    QCOMPARE(h.dataRange().upper, 3.0);
    QCOMPARE(h.cellValue(0, 1), 3.0);
    h.setOutlinedBlock(1, 1);
    QVERIFY(h.hasOutlinedBlock());
    h.setOutlinedBlock(0, 0);
    QVERIFY(!h.hasOutlinedBlock());
    h.setFixedDataRange({-10, 10});
    QCOMPARE(h.dataRange().upper, 10.0);
    h.clearFixedDataRange();
    QCOMPARE(h.dataRange().upper, 3.0);
}

void TestGuiSynthesizer::probe()
{
    al::Mat a = al::Mat::Zero(4, 4), b = al::Mat::Zero(3, 5);
    a(2, 2) = 1.5f;
    a(3, 3) = 100; // outside the common block
    ProbeDifference d = probeDifference(a, b);
    QVERIFY(d.valid);
    QCOMPARE(d.rows, 3);
    QCOMPARE(d.cols, 4);
    QCOMPARE(d.maxAbs, 1.5);
    QVERIFY(!probeDifference(a, al::Mat()).valid);

    // Only traces of one snapshot are compared.
    auto m1 = makeModel("random"), m2 = makeModel("random");
    ProbeComparison c;
    QVERIFY(!c.sameModel());
    c.setFirst(std::make_shared<al::Trace>(mixtureTrace(0.1f)), m1);
    c.setSecond(std::make_shared<al::Trace>(mixtureTrace(0.2f)), m2);
    QVERIFY(!c.sameModel());
    QVERIFY(!c.difference({false, 0, 0}).valid);
    c.setSecond(std::make_shared<al::Trace>(mixtureTrace(0.2f)), m1);
    QVERIFY(c.sameModel());
    QVERIFY(c.difference({false, 0, 0}).valid);
    QCOMPARE(c.difference({false, 0, 0}).maxAbs, 0.0);
    c.clear();
    QVERIFY(!c.first());
}

void TestGuiSynthesizer::probeOnModels()
{
    // Random and Factorized Random: the scores are blocks of one input-independent matrix;
    // Dense: B(X) depends on the tokens.
    for (const char* variant : {"random", "fixed_random", "factorized_random", "dense", "factorized_dense"}) {
        auto m = makeModel(variant);
        ProbeComparison c;
        c.setFirst(traceOf(*m, "我们今天去学校。"), m);
        c.setSecond(traceOf(*m, "他们明天去学校。"), m);
        const ProbeDifference d = c.difference({false, 0, 1});
        QVERIFY2(d.valid, variant);
        QVERIFY(d.rows >= 8);
        if (std::string(variant).find("random") != std::string::npos)
            QVERIFY2(d.maxAbs == 0.0, variant);
        else
            QVERIFY2(d.maxAbs > 1e-4, variant);
    }
}

void TestGuiSynthesizer::randomAlignmentFromModel()
{
    auto m = makeModel("factorized_random");
    const al::Mat r = randomAlignment(*m, {true, 0, 1});
    QCOMPARE(r.rows(), Eigen::Index(20));
    QCOMPARE(r.cols(), Eigen::Index(20));
    auto t = traceOf(*m, "我爱你。");
    const al::Mat* s = selectSynthesizedScores(*t, {false, 0, 1});
    QVERIFY(s);
    const al::Mat renc = randomAlignment(*m, {false, 0, 1});
    QVERIFY((renc.topLeftCorner(s->rows(), s->cols()) - *s).cwiseAbs().maxCoeff() < 1e-6);
    QCOMPARE(randomAlignment(*m, {false, 3, 0}).size(), Eigen::Index(0)); // out of range
    QCOMPARE(randomAlignment(*makeModel("dense"), {false, 0, 0}).size(), Eigen::Index(0));
}

void TestGuiSynthesizer::alphaHistory()
{
    AlphaHistory h(4);
    QVERIFY(h.isEmpty());
    QVERIFY(!h.add(1, al::Trace{})); // no mixture
    QVERIFY(h.add(10, mixtureTrace(0.1f)));
    QVERIFY(h.add(20, mixtureTrace(0.2f)));
    QVERIFY(h.add(20, mixtureTrace(0.3f))); // same step replaces
    QCOMPARE(h.size(), 2);
    QCOMPARE(h.steps(), (QVector<double>{10, 20}));
    const QVector<double> s0 = h.series({false, 0, 0}, 0);
    QCOMPARE(s0.size(), 2);
    QCOMPARE(s0[0], double(0.1f));
    QCOMPARE(s0[1], double(0.3f));
    QCOMPARE(h.series({false, 0, 0}, 1)[0], double(1 - 0.1f));
    QVERIFY(std::isnan(h.series({false, 5, 0}, 0)[0]));
    QCOMPARE(h.components(true), (std::vector<std::string>{"dense", "random"}));
    // Cap: thinning keeps the span.
    for (int s = 30; s <= 100; s += 10)
        h.add(s, mixtureTrace(0.5f));
    QVERIFY(h.size() <= h.capacity());
    QCOMPARE(h.steps().first(), 10.0);
    QCOMPARE(h.steps().last(), 100.0);
    // A new run (older step) starts afresh.
    h.add(5, mixtureTrace(0.5f));
    QCOMPARE(h.size(), 1);
    h.clear();
    QVERIFY(h.isEmpty());
}

void TestGuiSynthesizer::panelShowsDotProductMessage()
{
    SynthesizerPanel panel;
    panel.resize(800, 900);
    panel.show();
    auto m = makeModel("vanilla");
    InferenceResult r;
    r.requestId = 1;
    r.model = m;
    r.trace = traceOf(*m, "我爱你。");
    panel.setResult(r);
    QTRY_VERIFY(panel.messageText().contains(QStringLiteral("dot-product")));
    QVERIFY(!panel.scoresHeatmap()->isVisible());
    panel.shutdown();
}

void TestGuiSynthesizer::panelOnRandomAndDense()
{
    for (const char* variant : {"random", "dense"}) {
        SynthesizerPanel panel;
        panel.resize(900, 1400);
        panel.show();
        auto m = makeModel(variant);
        panel.setProbeSentence(QStringLiteral("他们明天去学校。"));
        InferenceResult r;
        r.requestId = 1;
        r.modelStep = 7;
        r.model = m;
        r.trace = traceOf(*m, "我们今天去学校。");
        panel.setResult(r);
        QTRY_VERIFY_WITH_TIMEOUT(panel.probeDifference().valid, kTimeoutMs);
        QVERIFY(panel.scoresHeatmap()->hasData());
        QVERIFY(panel.probabilitiesHeatmap()->hasData());
        QVERIFY(panel.probeFirstHeatmap()->hasData());
        QVERIFY(panel.probeSecondHeatmap()->hasData());
        QVERIFY(panel.messageText().isEmpty());
        QVERIFY(panel.scoresHeatmap()->dataRange().lower < 0); // symmetric, not 0..1
        QCOMPARE(panel.probeFirstHeatmap()->dataRange().upper, panel.probeSecondHeatmap()->dataRange().upper);
        if (QByteArray(variant) == "random") {
            QCOMPARE(panel.probeDifference().maxAbs, 0.0);
            QVERIFY(panel.alignmentHeatmap()->isVisible());
            QCOMPARE(panel.alignmentHeatmap()->queryCount(), 20);
            QVERIFY(panel.alignmentHeatmap()->hasOutlinedBlock());
            QCOMPARE(panel.alignmentHeatmap()->keyLabels().first(), QStringLiteral("0"));
        } else {
            QVERIFY(panel.probeDifference().maxAbs > 0.0);
            QVERIFY(!panel.alignmentHeatmap()->isVisible());
        }
        QVERIFY(!panel.scoresHeatmap()->exportFileName().isEmpty());
        const QString png = m_tmp.filePath(QStringLiteral("scores_%1.png").arg(QLatin1String(variant)));
        QVERIFY(panel.scoresHeatmap()->exportPng(png, 640, 480));
        const QImage img(png);
        QCOMPARE(img.size(), QSize(640, 480));
        panel.shutdown();
    }
}

void TestGuiSynthesizer::windowTrainsMixture()
{
    MainWindow w;
    w.show();
    auto* combo = w.findChild<QComboBox*>(QStringLiteral("attentionCombo"));
    QVERIFY(combo);
    combo->setCurrentIndex(combo->findData(QStringLiteral("random+dense")));
    w.findChild<QSpinBox*>(QStringLiteral("dModelSpin"))->setValue(32);
    w.findChild<QSpinBox*>(QStringLiteral("headsSpin"))->setValue(2);
    w.findChild<QSpinBox*>(QStringLiteral("encoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("decoderLayersSpin"))->setValue(1);
    w.findChild<QSpinBox*>(QStringLiteral("feedForwardSpin"))->setValue(64);
    w.findChild<QSpinBox*>(QStringLiteral("maxTokensSpin"))->setValue(256);
    w.findChild<QLineEdit*>(QStringLiteral("corpusEdit"))->setText(m_corpus);
    SynthesizerPanel* panel = w.synthesizerPanel();
    QVERIFY(panel);
    w.viewTabs()->setCurrentWidget(panel);
    QSignalSpy metrics(w.trainingController(), &TrainingController::metrics);
    QSignalSpy errors(w.trainingController(), &TrainingController::error);
    w.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(metrics.count() >= 3 || !errors.isEmpty(), kTimeoutMs);
    QVERIFY(errors.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(panel->scoresHeatmap()->hasData(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(panel->alphaHistory().size() >= 2, kTimeoutMs);
    w.stopTraining();
    QTRY_VERIFY_WITH_TIMEOUT(!w.trainingController()->isActive(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(panel->probeDifference().valid, kTimeoutMs);
    QVERIFY(panel->probeDifference().maxAbs > 0.0); // the Dense part depends on the input
    QVERIFY(panel->probabilitiesHeatmap()->hasData());
    QVERIFY(panel->alignmentHeatmap()->hasData());   // R of the Random part
    QVERIFY(panel->alignmentHeatmap()->isVisible());
    QCOMPARE(panel->alphaBarsPlot()->plottableCount(), 1);
    QCOMPARE(panel->alphaHistoryPlot()->graphCount(), 2);
    // The panel redraws on a short single-shot timer after each snapshot (throttled), so the plot
    // may trail the history by one redraw.
    QTRY_VERIFY_WITH_TIMEOUT(panel->alphaHistoryPlot()->graph(0)->dataCount() >= 2, kTimeoutMs);
    // Decoder selection too.
    panel->setSelection({true, 0, 1});
    QTRY_COMPARE(panel->scoresHeatmap()->queryLabels().first(), QStringLiteral("<bos>"));
    const QString png = m_tmp.filePath(QStringLiteral("alignment.png"));
    QVERIFY(panel->alignmentHeatmap()->exportPng(png, 800, 800));
    QVERIFY(!QImage(png).isNull());
    QVERIFY(w.close());
}

QTEST_MAIN(TestGuiSynthesizer)
#include "test_gui_synthesizer.moc"
