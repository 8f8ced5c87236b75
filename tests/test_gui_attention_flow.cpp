// SPDX-License-Identifier: GPL-3.0-or-later
// The Attention flow tab: the view model's matrices against the engine's rollout and flow, the
// panel computing them off the GUI thread for every view a Trace holds (translation and a
// decoder-only task model), the tab in the main window and its session identifier.
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/trace/attention_flow.h"
#include "engine/trace/task_trace.h"
#include "gui_test_support.h"
#include "test_support.h"
#include "ui/view_models/attention_flow_view.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/attention_flow_panel.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace al::ui;

namespace {

std::shared_ptr<const al::Trace> translationTrace(int layers)
{
    const al::TranslationModel model = al::test::tinyTranslationModel(
        {"我们今天去学校。", "我爱你。"}, {"we", "go", "to", "school", "."}, 5, [layers](al::ModelConfig& c) {
            c.num_encoder_layers = c.num_decoder_layers = layers;
        });
    auto trace = std::make_shared<al::Trace>();
    al::DecodingOptions opts;
    opts.max_len = 5;
    al::translate(model, "我们去学校。", opts, trace.get());
    return trace;
}

double maxAbs(const al::Mat& a, const al::Mat& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return 1e30;
    return double((a - b).cwiseAbs().maxCoeff());
}

/// Waits for the panel's next drawn result.
bool waitForResult(AttentionFlowPanel& panel)
{
    QSignalSpy shown(&panel, &AttentionFlowPanel::resultShown);
    return shown.wait(20000);
}

} // namespace

class TestGuiAttentionFlow : public QObject {
    Q_OBJECT
private slots:
    void view_model_matches_the_engine()
    {
        const auto trace = translationTrace(3);
        QCOMPARE(flowViews(*trace),
                 (QVector<FlowView>{FlowView::EncoderSelf, FlowView::DecoderSelf, FlowView::SourceAttribution}));
        QCOMPARE(flowLayerCount(*trace, FlowView::EncoderSelf), 3);
        const FlowResult enc = computeFlow(*trace, {FlowView::EncoderSelf, 1});
        QVERIFY(enc.error.isEmpty());
        QVERIFY(maxAbs(enc.raw, al::head_mean(trace->enc_self[1])) == 0);
        QVERIFY(maxAbs(enc.rollout, al::attention_rollout(trace->enc_self)[1]) == 0);
        QVERIFY(maxAbs(enc.flow, al::attention_flow(trace->enc_self, 1)) == 0);
        QCOMPARE(enc.queries.size(), int(trace->src_tokens.size()));
        QCOMPARE(enc.keys.last(), QStringLiteral("<eos>"));

        // Source attribution of decoder layer 2: its cross-attention times the encoder's last layer.
        const FlowResult src = computeFlow(*trace, {FlowView::SourceAttribution, 1});
        QVERIFY(src.error.isEmpty());
        const al::Mat cross = al::head_mean(trace->cross[1]);
        QVERIFY(maxAbs(src.raw, cross) == 0);
        QVERIFY(maxAbs(src.rollout, cross * al::attention_rollout(trace->enc_self)[2]) < 1e-6);
        QVERIFY(maxAbs(src.flow, cross * al::attention_flow(trace->enc_self, 2)) < 1e-6);
        QCOMPARE(src.rollout.rows(), Eigen::Index(trace->tgt_out_tokens.size()));
        for (Eigen::Index t = 0; t < src.flow.rows(); ++t)
            QVERIFY(std::abs(double(src.flow.row(t).sum()) - 1.0) < 1e-5);

        QVERIFY(!computeFlow(*trace, {FlowView::EncoderSelf, 3}).error.isEmpty());
        QCOMPARE(flowExportFileName({FlowView::SourceAttribution, 1}, "flow", "csv"),
                 QStringLiteral("attention-flow_source_layer2_flow.csv"));
    }

    void long_sentences_show_rollout_only()
    {
        al::Trace t;
        const int n = kMaxFlowPositions + 1;
        t.enc_self = {{al::Mat::Identity(n, n)}};
        t.src_tokens.assign(size_t(n), "x");
        const FlowResult r = computeFlow(t, {FlowView::EncoderSelf, 0});
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.rollout.rows(), Eigen::Index(n));
        QCOMPARE(r.flow.size(), Eigen::Index(0));
        QVERIFY(r.flowNote.contains(QString::number(kMaxFlowPositions)));
    }

    void panel_computes_off_the_gui_thread_and_exports()
    {
        AttentionFlowPanel panel;
        panel.resize(1200, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const auto trace = translationTrace(2);
        panel.setTrace(trace, 42);
        QVERIFY(waitForResult(panel));
        QCOMPARE(panel.shownResult().selection.view, FlowView::EncoderSelf);
        QCOMPARE(panel.shownResult().selection.layer, 1); // the top layer until one is chosen
        QVERIFY(maxAbs(panel.flowHeatmap()->matrix(), al::attention_flow(trace->enc_self, 1)) < 1e-6);
        // The flow ran on the panel's own thread, which is a child of the panel.
        QThread* flowThread = nullptr;
        for (QThread* t : panel.findChildren<QThread*>())
            if (t->objectName() == QLatin1String("attention-flow"))
                flowThread = t;
        QVERIFY(flowThread && flowThread != QThread::currentThread());

        auto* layer = panel.findChild<QSpinBox*>(QStringLiteral("flowLayerSpin"));
        QCOMPARE(layer->maximum(), 2);
        QCOMPARE(panel.flowHeatmap()->title(), QStringLiteral("Attention flow · layers 1–2"));
        layer->setValue(1);
        QVERIFY(waitForResult(panel));
        QVERIFY(maxAbs(panel.rolloutHeatmap()->matrix(), al::attention_rollout(trace->enc_self)[0]) < 1e-6);
        QCOMPARE(panel.flowHeatmap()->title(), QStringLiteral("Attention flow · layer 1"));
        panel.setTrace(translationTrace(2), 43); // a new Trace keeps the chosen layer
        QVERIFY(waitForResult(panel));
        QCOMPARE(panel.shownResult().selection.layer, 0);
        QVERIFY(panel.statusText().contains(QStringLiteral("model step 43")));

        auto* view = panel.findChild<QComboBox*>(QStringLiteral("flowViewCombo"));
        view->setCurrentIndex(view->findData(static_cast<int>(FlowView::SourceAttribution)));
        QVERIFY(waitForResult(panel));
        QCOMPARE(panel.shownResult().selection.view, FlowView::SourceAttribution);
        QCOMPARE(panel.flowHeatmap()->matrix().rows(), Eigen::Index(trace->tgt_out_tokens.size()));

        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("flow.csv"));
        panel.flowHeatmap()->exportFigure(csv, ExportFormat::Csv, FigureSize{});
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(trace->tgt_out_tokens.size()) + 1); // header + one row per output token
        const QString png = dir.filePath(QStringLiteral("flow.png"));
        panel.rolloutHeatmap()->exportFigure(png, ExportFormat::Png, FigureSize{});
        QVERIFY(QFileInfo(png).size() > 1000);
        panel.shutdown();
    }

    void decoder_only_model_offers_decoder_self_attention()
    {
        const al::TaskModel charlm = al::load_task_model_dir(AL_SOURCE_DIR "/tests/fixtures/models/charlm");
        const auto trace = std::make_shared<al::Trace>(al::task_model_trace(charlm, "the cat"));
        QCOMPARE(flowViews(*trace), QVector<FlowView>{FlowView::DecoderSelf});
        AttentionFlowPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setTrace(trace, 7);
        QVERIFY(waitForResult(panel));
        QCOMPARE(panel.shownResult().selection.view, FlowView::DecoderSelf);
        const al::Mat& flow = panel.flowHeatmap()->matrix();
        QVERIFY(flow.rows() > 1);
        for (Eigen::Index i = 0; i < flow.rows(); ++i)
            for (Eigen::Index j = i + 1; j < flow.cols(); ++j)
                QCOMPARE(double(flow(i, j)), 0.0); // causal: no later token reaches a position
    }

    void main_window_has_the_tab()
    {
        QVERIFY(labTabIds().contains(QStringLiteral("attention_flow")));
        MainWindow w;
        QVERIFY(w.attentionFlowPanel());
        const int index = w.viewTabs()->indexOf(w.attentionFlowPanel());
        QVERIFY(index >= 0);
        QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Attention flow"));
    }
};

AL_GUI_TEST_MAIN(TestGuiAttentionFlow)
#include "test_gui_attention_flow.moc"
