// SPDX-License-Identifier: GPL-3.0-or-later
// "Decoding step by step" (offscreen): the widget-free view model (bars = the Trace's top-k,
// cross-attention rows, the forced prefix of teacher forcing by hand), decoding runs on a small
// model (forcing a token makes the output start with the forced prefix), and the panel fed a
// Trace and a model: it draws, forces, recomputes and exports PNG / SVG / PDF / CSV.
#include "engine/models/translation_model.h"
#include "ui/views/decoding_panel.h"
#include "ui/view_models/decoding_view_model.h"
#include "ui/views/main_window.h"
#include "ui/workers/worker_thread.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {

constexpr int kTimeoutMs = 120000;

/// A hand-built decoding record: 3 steps, 2 cross-attention layers of 2 heads over 4 source
/// positions, step 1 forced, step 2's chosen token outside the recorded top-k.
al::Trace handTrace()
{
    al::Trace t;
    t.src_tokens = {"我", "爱", "你", "<eos>"};
    t.tgt_in_tokens = {"<bos>", "i", "love"};
    t.tgt_out_tokens = {"i", "love", "<eos>"};
    t.decoding.strategy = "sample";
    t.decoding.temperature = 0.7;
    t.decoding.top_k = 3;
    t.decoding.top_p = 0.9;
    t.decoding.seed = 5;
    t.decoding.forced = 2;
    t.decoding.log_prob = -1.5;
    const std::vector<std::vector<std::string>> tokens = {{"i", "we", "你好"}, {"love", "like", "i"}, {"you", "him", "."}};
    const std::vector<std::string> chosen = {"i", "love", "<eos>"};
    const std::vector<int> chosenIds = {4, 7, 2};
    for (int s = 0; s < 3; ++s) {
        al::DecodingStep step;
        step.top_ids = {4 + 3 * s, 5 + 3 * s, 6 + 3 * s};
        step.top_tokens = tokens[size_t(s)];
        step.top_probs = {0.6 - 0.1 * s, 0.25, 0.1};
        step.top_sample_probs = {0.7 - 0.1 * s, 0.2, 0.1};
        step.token_id = chosenIds[size_t(s)];
        step.token = chosen[size_t(s)];
        step.prob = s == 2 ? 0.04 : step.top_probs[0];
        step.forced = s < 2;
        for (int l = 0; l < 2; ++l) {
            std::vector<al::RowVec> heads;
            for (int h = 0; h < 2; ++h) {
                al::RowVec r(4);
                r << 0.1f * float(1 + s), 0.2f, 0.3f + 0.05f * float(h), 0.4f - 0.1f * float(s) - 0.05f * float(h);
                r /= r.sum();
                heads.push_back(r);
            }
            step.cross.push_back(heads);
        }
        t.decoding.steps.push_back(step);
    }
    return t;
}

/// A small untrained translation model with a vocabulary covering the test sentences.
std::shared_ptr<al::TranslationModel> makeModel(uint64_t seed = 3)
{
    al::Tokenizer src(al::TokenKind::Char), tgt(al::TokenKind::Word);
    const std::vector<std::string> sentences = {"我们今天去学校。", "我爱你。"};
    std::vector<std::vector<std::string>> tokens;
    for (const std::string& s : sentences)
        tokens.push_back(src.tokenize(s));
    al::Vocab sv = al::Vocab::build(tokens, 1);
    al::Vocab tv = al::Vocab::build({{"we", "go", "to", "school", ".", "i", "love", "you", "today"}}, 1);
    al::ModelConfig mc;
    mc.d_model = 32;
    mc.nhead = 2;
    mc.num_encoder_layers = 1;
    mc.num_decoder_layers = 2;
    mc.dim_feedforward = 48;
    mc.dropout = 0.0;
    mc.max_len = 20;
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return std::make_shared<al::TranslationModel>(
        al::TranslationModel{al::Transformer(mc, seed), std::move(sv), std::move(tv), src, tgt});
}

al::DecodingOptions greedy(int maxLen = 8)
{
    al::DecodingOptions o;
    o.max_len = maxLen;
    o.record_top_k = 5;
    return o;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Texts of the <text> elements of an SVG; `ok` false when it does not parse as <svg>.
QStringList svgTexts(const QByteArray& svg, bool* ok)
{
    QXmlStreamReader xml(svg);
    QStringList texts;
    bool root = false, first = true;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (first)
                root = xml.name() == QLatin1String("svg");
            first = false;
            if (xml.name() == QLatin1String("text"))
                texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
        }
    }
    *ok = root && !xml.hasError();
    return texts;
}

QStringList tickLabels(QCustomPlot* plot)
{
    auto ticker = plot->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    return ticker ? QStringList(ticker->ticks().values()) : QStringList();
}

} // namespace

class TestGuiDecoding : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void barsEqualTrace();
    void crossAttentionRows();
    void forcedPrefix();
    void csvAndSummary();
    void decodingRuns();
    void forcingChangesTheOutput();
    void panelDrawsAndExports();
    void panelForcesAndRecomputes();
    void windowHasTheTab();
    void latestRequestWins();

private:
    QTemporaryDir m_tmp;
};

void TestGuiDecoding::latestRequestWins()
{
    // The mailbox between the GUI and a worker thread: requests put before the worker takes one
    // collapse into the newest, and only the first of them asks for a wake-up.
    LatestRequest<QString> box;
    QVERIFY(!box.take());
    const auto a = box.put(QStringLiteral("a")), b = box.put(QStringLiteral("b"));
    QCOMPARE(a.id, quint64(1));
    QCOMPARE(b.id, quint64(2));
    QVERIFY(a.wake);
    QVERIFY(!b.wake);
    const auto got = box.take();
    QVERIFY(got);
    QCOMPARE(got->first, quint64(2));
    QCOMPARE(got->second, QStringLiteral("b"));
    QVERIFY(!box.take());
    const auto c = box.put(QStringLiteral("c"));
    QVERIFY(c.wake);
    QCOMPARE(box.take()->second, QStringLiteral("c"));
}

void TestGuiDecoding::initTestCase()
{
    QVERIFY(m_tmp.isValid());
}

void TestGuiDecoding::barsEqualTrace()
{
    const al::Trace t = handTrace();
    QCOMPARE(decodingStepCount(t), 3);
    for (int s = 0; s < 3; ++s) {
        const StepBars b = stepBars(t, s);
        const al::DecodingStep& step = t.decoding.steps[size_t(s)];
        QCOMPARE(b.step, s);
        QCOMPARE(b.tokens.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(b.tokens[i], QString::fromStdString(step.top_tokens[size_t(i)]));
            QCOMPARE(b.ids[i], step.top_ids[size_t(i)]);
            QCOMPARE(b.probs[i], step.top_probs[size_t(i)]);
            QCOMPARE(b.sampleProbs[i], step.top_sample_probs[size_t(i)]);
        }
        QCOMPARE(b.chosenToken, QString::fromStdString(step.token));
        QCOMPARE(b.chosenProb, step.prob);
        QCOMPARE(b.forced, step.forced);
    }
    QCOMPARE(stepBars(t, 0).chosenRank, 0);
    QCOMPARE(stepBars(t, 1).chosenRank, 0);
    QCOMPARE(stepBars(t, 2).chosenRank, -1); // <eos> is not among the recorded top 3
    QVERIFY(stepBars(t, 3).isEmpty());
    QVERIFY(stepBars(t, -1).isEmpty());
    QCOMPARE(outputSoFar(t, 0), QStringList({"i"}));
    QCOMPARE(outputSoFar(t, 1), QStringList({"i", "love"}));
    QCOMPARE(outputSoFar(t, 9), QStringList({"i", "love", "<eos>"}));
    QVERIFY(outputSoFar(t, -1).isEmpty());
    QCOMPARE(decoderInputAt(t, 0), QStringLiteral("<bos>"));
    QCOMPARE(decoderInputAt(t, 2), QStringLiteral("love"));
}

void TestGuiDecoding::crossAttentionRows()
{
    const al::Trace t = handTrace();
    QCOMPARE(decodingCrossLayerCount(t), 2);
    QCOMPARE(decodingCrossHeadCount(t, 1), 2);
    QCOMPARE(decodingCrossHeadCount(t, 2), 0);
    const QVector<double> h1 = crossAttentionRow(t, 2, 1, 1);
    QCOMPARE(h1.size(), 4);
    for (int j = 0; j < 4; ++j)
        QCOMPARE(float(h1[j]), t.decoding.steps[2].cross[1][1](j));
    const QVector<double> mean = crossAttentionRow(t, 2, 1, -1);
    double sum = 0;
    for (int j = 0; j < 4; ++j) {
        const double expected = 0.5 * (double(t.decoding.steps[2].cross[1][0](j)) + double(t.decoding.steps[2].cross[1][1](j)));
        QVERIFY(std::abs(mean[j] - expected) < 1e-7);
        sum += mean[j];
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-6);
    QVERIFY(crossAttentionRow(t, 3, 0, 0).isEmpty());
    QVERIFY(crossAttentionRow(t, 0, 2, 0).isEmpty());
    QVERIFY(crossAttentionRow(t, 0, 0, 2).isEmpty());
}

void TestGuiDecoding::forcedPrefix()
{
    const al::Trace t = handTrace();
    QCOMPARE(forcedPrefixAt(t, 0, {"we"}), QStringList({"we"}));
    QCOMPARE(forcedPrefixAt(t, 2, {"him"}), QStringList({"i", "love", "him"}));
    QCOMPARE(forcedPrefixAt(t, 1, {"go", "to"}), QStringList({"i", "go", "to"}));

    const auto model = makeModel();
    QCOMPARE(typedTargetTokens(model->tgt_tokenizer, QStringLiteral("  Go to ")), QStringList({"go", "to"}));
    QCOMPARE(typedTargetTokens(model->tgt_tokenizer, QStringLiteral("<eos>")), QStringList({"<eos>"}));
    std::vector<int> ids;
    QString error;
    QVERIFY(encodeForcedPrefix(model->tgt_vocab, {"we", "<eos>"}, ids, &error));
    QCOMPARE(int(ids.size()), 2);
    QCOMPARE(ids[0], model->tgt_vocab.id("we"));
    QCOMPARE(ids[1], model->tgt_vocab.eos());
    QVERIFY(!encodeForcedPrefix(model->tgt_vocab, {"we", "zebra"}, ids, &error));
    QVERIFY2(error.contains(QStringLiteral("'zebra'")), qPrintable(error));
    QVERIFY(!encodeForcedPrefix(model->tgt_vocab, {"<bos>"}, ids, &error));
    QVERIFY2(error.contains(QStringLiteral("<bos>")), qPrintable(error));
}

void TestGuiDecoding::csvAndSummary()
{
    const al::Trace t = handTrace();
    const QByteArray csv = stepBarsCsv(stepBars(t, 0));
    const QList<QByteArray> lines = csv.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QByteArray("rank,token,id,probability,sample_probability,chosen"));
    QCOMPARE(lines[1], QByteArray("1,i,4,0.6,0.7,1"));
    QCOMPARE(QString::fromUtf8(lines[3]), QStringLiteral("3,你好,6,0.1,0.1,0"));
    const QByteArray row = crossRowCsv({0.25, 0.75}, {"我", "a,b"});
    QCOMPARE(QString::fromUtf8(row), QStringLiteral("position,source_token,weight\n1,我,0.25\n2,\"a,b\",0.75\n"));
    const QString summary = decodingSummary(t.decoding);
    QVERIFY2(summary.contains(QStringLiteral("temperature 0.7")) && summary.contains(QStringLiteral("top-k 3"))
                 && summary.contains(QStringLiteral("2 forced")),
             qPrintable(summary));
    QVERIFY(decodingSummary(al::DecodingTrace{}).isEmpty());
}

void TestGuiDecoding::decodingRuns()
{
    const auto model = makeModel();
    const DecodingRun run = runDecoding(*model, QStringLiteral("我爱你。"), greedy(), {});
    QVERIFY2(run.errorMessage.isEmpty(), qPrintable(run.errorMessage));
    QVERIFY(run.trace);
    const al::Trace& t = *run.trace;
    QVERIFY(decodingStepCount(t) >= 1);
    QCOMPARE(QString::fromStdString(t.decoding.strategy), QStringLiteral("greedy"));
    for (int s = 0; s < decodingStepCount(t); ++s) {
        const StepBars b = stepBars(t, s);
        QCOMPARE(b.tokens.size(), 5);
        // Greedy: the chosen token is the most probable one.
        QCOMPARE(b.chosenRank, 0);
        for (int i = 1; i < b.probs.size(); ++i)
            QVERIFY(b.probs[i] <= b.probs[i - 1]);
        // The cross-attention row of a step is row `step` of the trace's cross-attention maps.
        const QVector<double> row = crossAttentionRow(t, s, 1, 0);
        QCOMPARE(row.size(), int(t.src_tokens.size()));
        for (int j = 0; j < row.size(); ++j)
            QCOMPARE(float(row[j]), t.cross[1][0](s, j));
    }

    al::DecodingOptions beam = greedy();
    beam.strategy = al::DecodingStrategy::Beam;
    beam.beam_width = 3;
    const DecodingRun b = runDecoding(*model, QStringLiteral("我爱你。"), beam, {});
    QVERIFY(b.trace);
    QCOMPARE(b.trace->decoding.beam_width, 3);

    al::DecodingOptions sample = greedy();
    sample.strategy = al::DecodingStrategy::Sample;
    sample.temperature = 1.5;
    sample.seed = 11;
    const DecodingRun s1 = runDecoding(*model, QStringLiteral("我爱你。"), sample, {});
    const DecodingRun s2 = runDecoding(*model, QStringLiteral("我爱你。"), sample, {});
    QVERIFY(s1.trace && s2.trace);
    QCOMPARE(s1.translation, s2.translation);

    al::DecodingOptions bad = greedy();
    bad.temperature = 0;
    bad.strategy = al::DecodingStrategy::Sample;
    QVERIFY(runDecoding(*model, QStringLiteral("我爱你。"), bad, {}).errorMessage.contains(QStringLiteral("temperature")));
    const DecodingRun unknown = runDecoding(*model, QStringLiteral("我爱你。"), greedy(), {"zebra"});
    QVERIFY(!unknown.trace);
    QVERIFY2(unknown.errorMessage.contains(QStringLiteral("zebra")), qPrintable(unknown.errorMessage));
}

void TestGuiDecoding::forcingChangesTheOutput()
{
    const auto model = makeModel();
    const DecodingRun free = runDecoding(*model, QStringLiteral("我们今天去学校。"), greedy(), {});
    QVERIFY(free.trace);
    // Force the second most probable token at step 0 (teacher forcing by hand).
    const StepBars b0 = stepBars(*free.trace, 0);
    const QString other = b0.tokens[1];
    QVERIFY(other != b0.chosenToken);
    const QStringList prefix = forcedPrefixAt(*free.trace, 0, {other});
    QCOMPARE(prefix, QStringList({other}));
    const DecodingRun forced = runDecoding(*model, QStringLiteral("我们今天去学校。"), greedy(), prefix);
    QVERIFY2(forced.trace, qPrintable(forced.errorMessage));
    const al::Trace& t = *forced.trace;
    QCOMPARE(QString::fromStdString(t.decoding.steps[0].token), other);
    QVERIFY(t.decoding.steps[0].forced);
    QCOMPARE(t.decoding.forced, 1);
    QVERIFY(decodingStepCount(t) == 1 || !t.decoding.steps[1].forced);
    QCOMPARE(outputSoFar(t, 0), QStringList({other}));
    QVERIFY(outputSoFar(t, 100) != outputSoFar(*free.trace, 100));

    // A longer forced prefix: every forced token comes out in order, then decoding continues.
    const QStringList two = {"we", "go"};
    const DecodingRun f2 = runDecoding(*model, QStringLiteral("我们今天去学校。"), greedy(), two);
    QVERIFY(f2.trace);
    QCOMPARE(outputSoFar(*f2.trace, 1), two);
    QVERIFY(f2.trace->decoding.steps[1].forced);
}

void TestGuiDecoding::panelDrawsAndExports()
{
    DecodingPanel panel;
    panel.resize(900, 700);
    DecodingResult r;
    r.trace = std::make_shared<al::Trace>(handTrace());
    r.sentence = QStringLiteral("我爱你。");
    r.modelStep = 42;
    QSignalSpy shown(&panel, &DecodingPanel::resultShown);
    panel.setResult(r);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(panel.stepCount(), 3);
    QCOMPARE(panel.currentStep(), 0);

    // The bars are the trace's top-k, the chosen one in its own series.
    auto* chosen = qobject_cast<QCPBars*>(panel.probabilityPlot()->plottable(1));
    auto* others = qobject_cast<QCPBars*>(panel.probabilityPlot()->plottable(0));
    QVERIFY(chosen && others);
    QCOMPARE(chosen->dataCount(), 1);
    QCOMPARE(chosen->data()->constBegin()->key, 0.0);
    QCOMPARE(chosen->data()->constBegin()->value, 0.6);
    QCOMPARE(others->dataCount(), 2);
    QCOMPARE(tickLabels(panel.probabilityPlot()), QStringList({"i", "we", "你好"}));
    QCOMPARE(panel.probabilityPlot()->graph(0)->dataCount(), 3); // sampling distribution marks

    panel.setCurrentStep(2);
    QCOMPARE(panel.currentBars().chosenRank, -1);
    QCOMPARE(chosen->dataCount(), 0);
    QCOMPARE(others->dataCount(), 3);
    QCOMPARE(tickLabels(panel.probabilityPlot()), QStringList({"you", "him", "."}));
    QCOMPARE(panel.outputText(), QStringLiteral("[i] [love] <eos>"));
    QVERIFY(panel.summaryText().contains(QStringLiteral("model step 42")));

    // Cross-attention row: layer 2, head 1, and the mean.
    panel.setCrossSelection(1, 0);
    QCOMPARE(panel.crossLayer(), 1);
    QCOMPARE(panel.crossHead(), 0);
    QCOMPARE(panel.currentCrossRow(), crossAttentionRow(*r.trace, 2, 1, 0));
    QCOMPARE(tickLabels(panel.crossPlot()), QStringList({"我", "爱", "你", "<eos>"}));
    panel.setCrossSelection(0, -1);
    QCOMPARE(panel.currentCrossRow(), crossAttentionRow(*r.trace, 2, 0, -1));

    // Exports: PNG of the requested size, SVG with the (CJK) token labels, PDF, CSV = the trace.
    panel.setCurrentStep(0);
    const FigureSize size{640, 400, 96};
    const QString png = m_tmp.filePath(QStringLiteral("bars.png"));
    panel.exportProbabilities(png, ExportFormat::Png, size);
    const QImage img(png);
    QCOMPARE(img.size(), QSize(640, 400));
    const QString svg = m_tmp.filePath(QStringLiteral("bars.svg"));
    panel.exportProbabilities(svg, ExportFormat::Svg, size);
    bool ok = false;
    const QStringList texts = svgTexts(readAll(svg), &ok);
    QVERIFY(ok);
    QVERIFY2(texts.contains(QStringLiteral("你好")) && texts.contains(QStringLiteral("we")), qPrintable(texts.join('|')));
    const QString pdf = m_tmp.filePath(QStringLiteral("bars.pdf"));
    panel.exportProbabilities(pdf, ExportFormat::Pdf, size);
    QVERIFY(readAll(pdf).startsWith("%PDF-"));
    const QString csv = m_tmp.filePath(QStringLiteral("bars.csv"));
    panel.exportProbabilities(csv, ExportFormat::Csv, size);
    QCOMPARE(readAll(csv), stepBarsCsv(stepBars(*r.trace, 0)));
    const QString crossSvg = m_tmp.filePath(QStringLiteral("cross.svg"));
    panel.exportCrossAttention(crossSvg, ExportFormat::Svg, size);
    QVERIFY(svgTexts(readAll(crossSvg), &ok).contains(QStringLiteral("爱")));
    const QString crossCsv = m_tmp.filePath(QStringLiteral("cross.csv"));
    panel.exportCrossAttention(crossCsv, ExportFormat::Csv, size);
    QCOMPARE(readAll(crossCsv), crossRowCsv(crossAttentionRow(*r.trace, 0, 0, -1), {"我", "爱", "你", "<eos>"}));

    // An error keeps the drawing and says why.
    DecodingResult bad;
    bad.errorMessage = QStringLiteral("temperature must be > 0");
    panel.setResult(bad);
    QVERIFY(panel.messageText().contains(QStringLiteral("temperature")));
    QCOMPARE(panel.stepCount(), 3);
}

void TestGuiDecoding::panelForcesAndRecomputes()
{
    DecodingPanel panel;
    panel.resize(900, 700);
    panel.show(); // decoding runs only while the panel is visible
    QSignalSpy shown(&panel, &DecodingPanel::resultShown);
    al::DecodingOptions o = greedy();
    panel.setOptions(o);
    panel.setSentence(QStringLiteral("我们今天去学校。"));
    panel.setModel(makeModel(), 7);
    QTRY_VERIFY_WITH_TIMEOUT(panel.trace() && panel.stepCount() > 0, kTimeoutMs);
    QVERIFY(panel.forcedTokens().isEmpty());
    const StepBars before = panel.currentBars();
    QCOMPARE(before.chosenRank, 0);
    const QString other = before.tokens[1];

    // Click on the second bar at step 0 (forces it): the continuation is decoded again from it.
    auto old = panel.trace();
    QCustomPlot* plot = panel.probabilityPlot();
    plot->replot();
    const QPoint onBar(int(plot->xAxis->coordToPixel(1.0)), int(plot->yAxis->coordToPixel(before.probs[1] / 2)));
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, onBar);
    QCOMPARE(panel.forcedTokens(), QStringList({other}));
    QTRY_VERIFY_WITH_TIMEOUT(panel.trace() != old, kTimeoutMs);
    QCOMPARE(QString::fromStdString(panel.trace()->decoding.steps[0].token), other);
    QVERIFY(panel.trace()->decoding.steps[0].forced);
    QVERIFY(panel.outputText().startsWith(QStringLiteral("[%1]").arg(other)));
    QCOMPARE(panel.currentStep(), 0);
    QVERIFY(panel.currentBars().forced);
    QVERIFY(!panel.forceBar(99));

    // Typed text: unknown words are refused, known ones forced after the kept steps.
    QVERIFY(!panel.forceText(QStringLiteral("zebra")));
    QVERIFY(panel.messageText().contains(QStringLiteral("zebra")));
    if (panel.stepCount() > 1) {
        panel.setCurrentStep(1);
        old = panel.trace();
        QVERIFY(panel.forceText(QStringLiteral("School today")));
        QCOMPARE(panel.forcedTokens(), QStringList({other, "school", "today"}));
        QTRY_VERIFY_WITH_TIMEOUT(panel.trace() != old, kTimeoutMs);
        QCOMPARE(outputSoFar(*panel.trace(), 2), QStringList({other, "school", "today"}));
        QCOMPARE(panel.currentStep(), 1);
    }

    // Beam search on the same forced prefix, then clearing it.
    o.strategy = al::DecodingStrategy::Beam;
    o.beam_width = 2;
    old = panel.trace();
    panel.setOptions(o);
    QTRY_VERIFY_WITH_TIMEOUT(panel.trace() != old, kTimeoutMs);
    QCOMPARE(panel.trace()->decoding.strategy, std::string("beam"));
    QVERIFY(panel.trace()->decoding.steps[0].forced);
    QVERIFY(panel.summaryText().contains(QStringLiteral("beam search, width 2")));
    old = panel.trace();
    panel.clearForced();
    QTRY_VERIFY_WITH_TIMEOUT(panel.trace() != old, kTimeoutMs);
    QCOMPARE(panel.trace()->decoding.forced, 0);
    QVERIFY(!panel.trace()->decoding.steps[0].forced);

    // A new sentence drops the forced prefix.
    QVERIFY(panel.forceBar(1));
    panel.setSentence(QStringLiteral("我爱你。"));
    QVERIFY(panel.forcedTokens().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(panel.trace()->src_tokens.size() == 5 && panel.trace()->decoding.forced == 0, kTimeoutMs);

    // While hidden nothing is decoded; showing it again catches up.
    panel.hide();
    QVERIFY(panel.controller()->isPaused());
    const int before2 = shown.count();
    panel.setSentence(QStringLiteral("我们今天去学校。"));
    QTest::qWait(200);
    QCOMPARE(shown.count(), before2);
    panel.show();
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() > before2, kTimeoutMs);
}

void TestGuiDecoding::windowHasTheTab()
{
    const QString dir = m_tmp.filePath(QStringLiteral("model"));
    al::save_model_dir(*makeModel(), dir.toStdString());
    MainWindow w;
    w.show();
    QVERIFY(w.decodingPanel());
    const int index = w.viewTabs()->indexOf(w.decodingPanel());
    QVERIFY(index >= 0);
    QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Decoding"));
    QVERIFY(w.loadModelDirectory(dir));
    w.viewTabs()->setCurrentIndex(index);
    QTRY_VERIFY_WITH_TIMEOUT(w.decodingPanel()->trace() && w.decodingPanel()->stepCount() > 0, kTimeoutMs);
    QCOMPARE(w.decodingPanel()->controller()->sentence(), QStringLiteral("我爱你。"));
    QCOMPARE(w.decodingPanel()->trace()->src_tokens.front(), std::string("我"));
}

QTEST_MAIN(TestGuiDecoding)
#include "test_gui_decoding.moc"
