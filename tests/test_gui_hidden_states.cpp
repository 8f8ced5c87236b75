// SPDX-License-Identifier: GPL-3.0-or-later
// The Hidden states tab: the view model's comparison and projection against the engine, the
// shipped examples, and the panel running both sentences off the GUI thread for a translation
// model and a task model, with its plots and their export.
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/trace/hidden_states.h"
#include "engine/trace/task_trace.h"
#include "gui_test_support.h"
#include "test_support.h"
#include "ui/export/exporters.h"
#include "ui/view_models/hidden_states_view.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/hidden_states_panel.h"
#include "ui/views/main_window.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

using namespace al::ui;

namespace {

std::shared_ptr<const al::TranslationModel> makeModel()
{
    return std::make_shared<al::TranslationModel>(al::test::tinyTranslationModel(
        {"我在打电话。", "我们去打篮球。"}, {"we", "play", "call", "."}, 2, [](al::ModelConfig& c) { c.num_decoder_layers = 1; }));
}

al::Trace detailed(const al::TranslationModel& m, const std::string& s)
{
    al::Trace t;
    al::DecodingOptions opts;
    opts.max_len = 4;
    al::TraceOptions topts;
    topts.forward_detail = true;
    al::translate(m, s, opts, &t, topts);
    return t;
}

} // namespace

class TestGuiHiddenStates : public QObject {
    Q_OBJECT
private slots:
    void examples_cover_both_languages()
    {
        const QVector<ContextExample> ex = contextExamples();
        int zh = 0, en = 0;
        for (const ContextExample& e : ex) {
            (e.language == QLatin1String("zh") ? zh : en) += 1;
            QVERIFY(e.sentenceA.contains(e.word, Qt::CaseInsensitive));
            QVERIFY(e.sentenceB.contains(e.word, Qt::CaseInsensitive));
            QVERIFY(!e.note.isEmpty());
        }
        QVERIFY(zh >= 3 && en >= 3);
        QCOMPARE(ex[defaultContextExample([](const QString& w) { return w == QLatin1String("saw"); })].word, QStringLiteral("saw"));
        QCOMPARE(defaultOccurrences(QStringLiteral("I saw a saw."), QStringLiteral("I saw a saw.")), qMakePair(0, 1));
        QCOMPARE(defaultOccurrences(QStringLiteral("a"), QStringLiteral("b")), qMakePair(0, 0));
        QCOMPARE(wordPositions({"I", "saw", "a", "saw"}, QStringLiteral("saw")), (QVector<int>{1, 3}));
        QCOMPARE(wordPositions({"I", "saw"}, QStringLiteral("i")), QVector<int>{0});
    }

    void comparison_matches_the_engine()
    {
        const auto m = makeModel();
        const al::Trace a = detailed(*m, "我在打电话。"), b = detailed(*m, "我们去打篮球。");
        const HiddenStatesComparison c = compareHiddenStates(a, b, QStringLiteral("打"), 0, 0);
        QVERIFY2(c.error.isEmpty(), qPrintable(c.error));
        QCOMPARE(c.positionA, 2);
        QCOMPARE(c.positionB, 3);
        QCOMPARE(c.layerLabels, (QStringList{"embedding", "layer 1", "layer 2", "final norm"}));
        const al::LayerStates sa = al::layer_states(a.forward, false), sb = al::layer_states(b.forward, false);
        const std::vector<double> want = al::cosine_by_layer(sa, 2, sb, 3);
        QCOMPARE(c.sameWord.size(), int(want.size()));
        for (int i = 0; i < c.sameWord.size(); ++i)
            QCOMPARE(c.sameWord[i], want[size_t(i)]);
        QCOMPARE(c.otherWords.size(), c.sameWord.size());
        // A word not in both sentences is reported with the tokens the model reads.
        const HiddenStatesComparison missing = compareHiddenStates(a, b, QStringLiteral("电"), 0, 0);
        QVERIFY(missing.error.contains(QStringLiteral("电")));
        // No forward detail: nothing to compare.
        QVERIFY(!compareHiddenStates(al::Trace{}, b, QStringLiteral("打"), 0, 0).error.isEmpty());

        const StateScatter s = projectHiddenStates(a, b, 2);
        QVERIFY(s.error.isEmpty());
        QCOMPARE(s.points.size(), int(a.src_tokens.size() + b.src_tokens.size()));
        QCOMPARE(s.points[2].token, QStringLiteral("打"));
        QCOMPARE(s.points[int(a.src_tokens.size()) + 3].sentence, 1);
        QVERIFY(s.explained[0] >= s.explained[1] && s.explained[0] > 0);
        QCOMPARE(nearestPoint(s, s.points[4].x, s.points[4].y, 1e-9, 1e-9), 4);
        QVERIFY(!projectHiddenStates(a, b, 9).error.isEmpty());

        // Colouring: every point in exactly one group, in the documented order.
        const int n = s.points.size(), na = int(a.src_tokens.size());
        for (ScatterColouring c : {ScatterColouring::Sentence, ScatterColouring::Position, ScatterColouring::Token}) {
            QVector<int> seen(n, 0);
            for (const ScatterGroup& g : scatterGroups(s, c))
                for (int i : g.points) ++seen[i];
            QCOMPARE(seen, QVector<int>(n, 1));
        }
        const QVector<ScatterGroup> bySentence = scatterGroups(s, ScatterColouring::Sentence);
        QCOMPARE(bySentence.size(), 2);
        QCOMPARE(bySentence[0].points.size(), na);
        const QVector<ScatterGroup> byPosition = scatterGroups(s, ScatterColouring::Position);
        const int longest = int(std::max(a.src_tokens.size(), b.src_tokens.size()));
        QCOMPARE(byPosition.size(), longest);
        QCOMPARE(byPosition.front().shade, 0.0);
        QCOMPARE(byPosition.back().shade, 1.0);
        QCOMPARE(byPosition[2].points, QVector<int>({2, na + 2}));
        QCOMPARE(byPosition[2].label, QStringLiteral("position 3"));
        // Tokens: 我 and 打 are in both sentences, so each is one group of two points.
        const QVector<ScatterGroup> byToken = scatterGroups(s, ScatterColouring::Token);
        QCOMPARE(byToken.front().label, QStringLiteral("我"));
        QCOMPARE(byToken.front().points, QVector<int>({0, na}));
        const auto da = std::find_if(byToken.begin(), byToken.end(), [](const ScatterGroup& g) { return g.label == QStringLiteral("打"); });
        QVERIFY(da != byToken.end() && da->points == QVector<int>({2, na + 3}));
        // A translation model has no tags.
        QVERIFY(!scatterHasTags(s));
        QVERIFY(scatterGroups(s, ScatterColouring::Tag).isEmpty());
    }

    void panel_runs_both_sentences_off_the_gui_thread()
    {
        HiddenStatesPanel panel;
        panel.resize(700, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy compared(&panel, &HiddenStatesPanel::compared);
        panel.setModel(makeModel(), 11);
        QVERIFY(compared.wait(20000));
        // The first example whose word the model knows: 打.
        QCOMPARE(panel.findChild<QLineEdit*>(QStringLiteral("hiddenWord"))->text(), QStringLiteral("打"));
        QVERIFY2(panel.comparison().error.isEmpty(), qPrintable(panel.comparison().error));
        QCOMPARE(panel.similarityPlot()->graphCount(), 2);
        QCOMPARE(panel.similarityPlot()->graph(0)->dataCount(), 4);
        QVERIFY(panel.messageText().contains(QStringLiteral("model step 11")));
        QVERIFY(panel.scatter().points.size() > 10);
        // Hovering a point names its token.
        const StatePoint& p = panel.scatter().points[2];
        const QPoint px(int(panel.scatterPlot()->xAxis->coordToPixel(p.x)), int(panel.scatterPlot()->yAxis->coordToPixel(p.y)));
        QVERIFY(panel.pointToolTip(px).startsWith(QStringLiteral("打 · sentence A, position 3")));

        // Typing a word that is in only one sentence says so.
        panel.setInputs(QStringLiteral("我在打电话。"), QStringLiteral("我们去打篮球。"), QStringLiteral("电"));
        QVERIFY(compared.wait(20000));
        QVERIFY(!panel.comparison().error.isEmpty());
        QCOMPARE(panel.similarityPlot()->graphCount(), 0);

        QTemporaryDir dir;
        panel.setInputs(QStringLiteral("我在打电话。"), QStringLiteral("我们去打篮球。"), QStringLiteral("打"));
        QVERIFY(compared.wait(20000));
        const QString csv = dir.filePath(QStringLiteral("similarity.csv"));
        exportPlot(panel.similarityPlot(), csv, ExportFormat::Csv, FigureSize{});
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()).count(QLatin1Char('\n')), 1 + 2 * 4); // header + 2 series x 4 layer states
        const QString png = dir.filePath(QStringLiteral("pca.png"));
        exportPlot(panel.scatterPlot(), png, ExportFormat::Png, FigureSize{800, 600, 96});
        QVERIFY(QFileInfo(png).size() > 1000);
        panel.shutdown();
    }

    void task_model_compares_its_encoder()
    {
        const auto pos = std::make_shared<const al::TaskModel>(al::load_task_model_dir(AL_SOURCE_DIR "/tests/fixtures/models/pos"));
        HiddenStatesPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy compared(&panel, &HiddenStatesPanel::compared);
        panel.setTaskModel(pos, 3);
        QVERIFY(compared.wait(20000));
        panel.setInputs(QStringLiteral("I saw a saw ."), QStringLiteral("I saw a saw ."), QStringLiteral("saw"));
        QVERIFY(compared.wait(20000));
        QVERIFY2(panel.comparison().error.isEmpty(), qPrintable(panel.comparison().error));
        QCOMPARE(panel.comparison().positionA + 2, panel.comparison().positionB); // the two occurrences of one sentence
        QVERIFY(panel.comparison().sameWord.size() >= 3);
        // A tagger's points carry its predicted tags (as tag_text), and "Colour by: tag" groups them.
        const auto tags = al::tag_text(*pos, "I saw a saw .");
        QVERIFY(scatterHasTags(panel.scatter()));
        for (int i = 0; i < int(tags.size()); ++i)
            QCOMPARE(panel.scatter().points[i].tag, QString::fromStdString(tags[size_t(i)].second));
        auto* colour = panel.findChild<QComboBox*>(QStringLiteral("hiddenColourCombo"));
        QVERIFY(colour);
        colour->setCurrentIndex(int(ScatterColouring::Tag));
        QCOMPARE(panel.scatterPlot()->graphCount() - 1, scatterGroups(panel.scatter(), ScatterColouring::Tag).size()); // + the highlight
        QVERIFY(panel.scatterPlot()->graph(0)->name() == QString::fromStdString(tags[0].second));
    }

    void main_window_has_the_tab()
    {
        QVERIFY(labTabIds().contains(QStringLiteral("hidden_states")));
        MainWindow w;
        const int index = w.viewTabs()->indexOf(w.hiddenStatesPanel());
        QVERIFY(index >= 0);
        QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Hidden states"));
    }
};

AL_GUI_TEST_MAIN(TestGuiHiddenStates)
#include "test_gui_hidden_states.moc"
