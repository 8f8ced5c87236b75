// SPDX-License-Identifier: GPL-3.0-or-later
// Positional-encoding lab (offscreen): the view model's numbers (the sinusoidal formula of
// "Attention Is All You Need" section 3.5, the similarity between positions and its
// relative-position structure, dimension lists, a model's learned table) and the panel fed a
// sinusoidal and a learned-PE model: it draws and exports.
#include "engine/core/error.h"
#include "engine/models/translation_model.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/positional_encoding_panel.h"
#include "ui/view_models/positional_encoding_view_model.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {

std::shared_ptr<al::TranslationModel> makeModel(const std::string& positional, int dModel = 16, int maxLen = 24)
{
    al::Tokenizer src(al::TokenKind::Char), tgt(al::TokenKind::Word);
    al::Vocab sv = al::Vocab::build({src.tokenize("我爱你。")}, 1);
    al::Vocab tv = al::Vocab::build({{"i", "love", "you", "."}}, 1);
    al::ModelConfig mc;
    mc.d_model = dModel;
    mc.nhead = 2;
    mc.num_encoder_layers = 1;
    mc.num_decoder_layers = 1;
    mc.dim_feedforward = 24;
    mc.dropout = 0.0;
    mc.max_len = maxLen;
    mc.positional_encoding = positional;
    mc.src_vocab_size = sv.size();
    mc.tgt_vocab_size = tv.size();
    return std::make_shared<al::TranslationModel>(
        al::TranslationModel{al::Transformer(mc, 5), std::move(sv), std::move(tv), src, tgt});
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestGuiPositionalEncoding : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void tableFollowsTheFormula();
    void similarityStructure();
    void curvesAndWavelengths();
    void dimensionLists();
    void learnedTable();
    void panelDrawsAndExports();
    void panelShowsLearnedBesideSinusoidal();
    void windowHasTheTab();

private:
    QTemporaryDir m_tmp;
};

void TestGuiPositionalEncoding::initTestCase()
{
    QVERIFY(m_tmp.isValid());
}

void TestGuiPositionalEncoding::tableFollowsTheFormula()
{
    for (auto [P, C] : {std::pair{50, 16}, std::pair{7, 9}, std::pair{1, 2}}) {
        const al::Mat pe = sinusoidalTable(P, C);
        QCOMPARE(int(pe.rows()), P);
        QCOMPARE(int(pe.cols()), C);
        for (int t = 0; t < P; ++t)
            for (int d = 0; d < C; ++d) {
                const int i2 = d - d % 2; // 2i
                const double angle = t / std::pow(10000.0, double(i2) / C);
                const double expected = d % 2 == 0 ? std::sin(angle) : std::cos(angle);
                QVERIFY2(std::abs(double(pe(t, d)) - expected) < 1e-5,
                         qPrintable(QStringLiteral("PE[%1,%2] = %3, formula %4").arg(t).arg(d).arg(pe(t, d)).arg(expected)));
            }
    }
    QVERIFY_THROWS_EXCEPTION(al::Error, sinusoidalTable(0, 8));
    QVERIFY_THROWS_EXCEPTION(al::Error, sinusoidalTable(8, 0));
}

void TestGuiPositionalEncoding::similarityStructure()
{
    const int P = 40, C = 32;
    const al::Mat pe = sinusoidalTable(P, C);
    const al::Mat dot = positionSimilarity(pe, PositionSimilarity::Dot);
    const al::Mat cosine = positionSimilarity(pe, PositionSimilarity::Cosine);
    QCOMPARE(int(dot.rows()), P);
    QCOMPARE(int(dot.cols()), P);
    for (int a = 0; a < P; ++a) {
        // sin² + cos² = 1 per pair of dimensions: |PE[a]|² = C / 2.
        QVERIFY(std::abs(dot(a, a) - C / 2.0) < 1e-4);
        QVERIFY(std::abs(cosine(a, a) - 1.0) < 1e-5);
        for (int b = 0; b < P; ++b) {
            QVERIFY(std::abs(dot(a, b) - dot(b, a)) < 1e-4);
            QVERIFY(std::abs(double(dot(a, b)) - double(pe.row(a).dot(pe.row(b)))) < 1e-4);
            if (b != a) {
                QVERIFY2(dot(a, b) < dot(a, a) - 1e-3, qPrintable(QStringLiteral("row %1 col %2").arg(a).arg(b)));
                QVERIFY(cosine(a, b) < 1.0 - 1e-4);
            }
            // Relative-position structure: PE[a]·PE[b] = Σ cos((a − b) ω_i) depends on a − b only.
            if (a + 1 < P && b + 1 < P)
                QVERIFY2(std::abs(dot(a, b) - dot(a + 1, b + 1)) < 1e-3,
                         qPrintable(QStringLiteral("%1,%2: %3 vs %4").arg(a).arg(b).arg(dot(a, b)).arg(dot(a + 1, b + 1))));
        }
    }
    // Cosine of a zero row is 0, not NaN.
    al::Mat z = al::Mat::Zero(3, 4);
    z(1, 0) = 2;
    const al::Mat cz = positionSimilarity(z, PositionSimilarity::Cosine);
    QCOMPARE(double(cz(0, 1)), 0.0);
    QCOMPARE(double(cz(1, 1)), 1.0);
}

void TestGuiPositionalEncoding::curvesAndWavelengths()
{
    const al::Mat pe = sinusoidalTable(20, 8);
    const QVector<double> c = dimensionCurve(pe, 3);
    QCOMPARE(c.size(), 20);
    for (int t = 0; t < 20; ++t)
        QCOMPARE(c[t], double(pe(t, 3)));
    QVERIFY(dimensionCurve(pe, 8).isEmpty());
    QVERIFY(dimensionCurve(pe, -1).isEmpty());
    const double twoPi = 2.0 * std::acos(-1.0);
    QVERIFY(std::abs(sinusoidWavelength(0, 8) - twoPi) < 1e-12);
    QVERIFY(std::abs(sinusoidWavelength(1, 8) - twoPi) < 1e-12);
    QVERIFY(std::abs(sinusoidWavelength(6, 8) - twoPi * std::pow(10000.0, 0.75)) < 1e-6);
}

void TestGuiPositionalEncoding::dimensionLists()
{
    DimensionList d = parseDimensions(QStringLiteral("0, 1 4-6;1"), 64);
    QVERIFY2(d.ok(), qPrintable(d.error));
    QCOMPARE(d.dims, QVector<int>({0, 1, 4, 5, 6}));
    d = parseDimensions(QStringLiteral("0, x"), 64);
    QVERIFY(!d.ok());
    QVERIFY(d.dims.isEmpty());
    QVERIFY2(d.error.contains(QStringLiteral("'x'")), qPrintable(d.error));
    d = parseDimensions(QStringLiteral("3, 70"), 64);
    QVERIFY2(d.error.contains(QStringLiteral("70")) && d.error.contains(QStringLiteral("0-63")), qPrintable(d.error));
    d = parseDimensions(QStringLiteral("9-4"), 64);
    QVERIFY2(d.error.contains(QStringLiteral("9-4")), qPrintable(d.error));
    d = parseDimensions(QStringLiteral("0-20"), 64, 16);
    QVERIFY2(d.error.contains(QStringLiteral("16")), qPrintable(d.error));
    QVERIFY(!parseDimensions(QStringLiteral("  "), 64).ok());
}

void TestGuiPositionalEncoding::learnedTable()
{
    const auto learned = makeModel("learned");
    QVERIFY(usesLearnedPositions(learned->net.config()));
    const al::Mat table = learnedPositionalTable(*learned);
    const al::Param* p = learned->net.params().find("pos_emb.weight");
    QVERIFY(p);
    QCOMPARE(int(table.rows()), 24);
    QCOMPARE(int(table.cols()), 16);
    QVERIFY(table == p->value);
    QVERIFY(table.cwiseAbs().maxCoeff() > 0);
    const auto sinusoidal = makeModel("sinusoidal");
    QVERIFY(!usesLearnedPositions(sinusoidal->net.config()));
    QCOMPARE(learnedPositionalTable(*sinusoidal).size(), Eigen::Index(0));
    QCOMPARE(learnedPositionalTable(*makeModel("none")).size(), Eigen::Index(0));
}

void TestGuiPositionalEncoding::panelDrawsAndExports()
{
    PositionalEncodingPanel panel;
    panel.resize(900, 900);
    panel.setPreviewSize(16, 20);
    panel.setDimensionsText(QStringLiteral("0, 1, 5"));
    panel.setSimilarity(PositionSimilarity::Dot);
    panel.redrawNow();
    QCOMPARE(panel.plottedDimensions(), QVector<int>({0, 1, 5}));
    QVERIFY(panel.messageText().isEmpty());
    QVERIFY(!panel.showsLearned());

    const al::Mat pe = sinusoidalTable(20, 16);
    QCustomPlot* curves = panel.curvesPlot();
    QCOMPARE(curves->graphCount(), 3);
    for (int g = 0; g < 3; ++g) {
        const int dim = QVector<int>({0, 1, 5})[g];
        QCOMPARE(curves->graph(g)->dataCount(), 20);
        int t = 0;
        for (auto it = curves->graph(g)->data()->constBegin(); it != curves->graph(g)->data()->constEnd(); ++it, ++t) {
            QCOMPARE(it->key, double(t));
            QCOMPARE(it->value, double(pe(t, dim)));
        }
    }
    QVERIFY(curves->graph(2)->name().contains(QStringLiteral("dim 5")));

    HeatmapWidget* table = panel.sinusoidalTableHeatmap();
    QVERIFY(table->matrix() == pe);
    QCOMPARE(table->cellValue(7, 3), double(pe(7, 3)));
    QCOMPARE(table->dataRange().lower, -1.0);
    QCOMPARE(table->dataRange().upper, 1.0);
    HeatmapWidget* sim = panel.sinusoidalSimilarityHeatmap();
    QVERIFY(sim->matrix().isApprox(positionSimilarity(pe, PositionSimilarity::Dot)));
    panel.setSimilarity(PositionSimilarity::Cosine);
    panel.redrawNow();
    QVERIFY(sim->matrix().isApprox(positionSimilarity(pe, PositionSimilarity::Cosine)));
    QVERIFY(std::abs(sim->cellValue(4, 4) - 1.0) < 1e-6);

    // Invalid text keeps the curves and says what is wrong.
    panel.setDimensionsText(QStringLiteral("0, 99"));
    panel.redrawNow();
    QVERIFY2(panel.messageText().contains(QStringLiteral("99")), qPrintable(panel.messageText()));
    QCOMPARE(panel.plottedDimensions(), QVector<int>({0, 1, 5}));

    // Exports: curves PNG / SVG / PDF / CSV through the plot exporter; heatmaps through theirs.
    const FigureSize size{800, 500, 96};
    const QString png = m_tmp.filePath(QStringLiteral("curves.png"));
    exportPlot(curves, png, ExportFormat::Png, size);
    QCOMPARE(QImage(png).size(), QSize(800, 500));
    const QString svg = m_tmp.filePath(QStringLiteral("curves.svg"));
    exportPlot(curves, svg, ExportFormat::Svg, size);
    QVERIFY(readAll(svg).contains("dim 5"));
    const QString pdf = m_tmp.filePath(QStringLiteral("curves.pdf"));
    exportPlot(curves, pdf, ExportFormat::Pdf, size);
    QVERIFY(readAll(pdf).startsWith("%PDF-"));
    const QString csv = m_tmp.filePath(QStringLiteral("curves.csv"));
    exportPlot(curves, csv, ExportFormat::Csv, size);
    const QList<QByteArray> lines = readAll(csv).trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + 3 * 20);
    QVERIFY(lines[1 + 20 + 3].endsWith("," + QByteArray::number(double(pe(3, 1)), 'g', 17)));
    const QString tableCsv = m_tmp.filePath(QStringLiteral("table.csv"));
    table->exportFigure(tableCsv, ExportFormat::Csv, size);
    QCOMPARE(readAll(tableCsv), matrixCsv(pe, indexLabels(20), indexLabels(16), QStringLiteral("position \\ dimension")));
    const QString tablePng = m_tmp.filePath(QStringLiteral("table.png"));
    sim->exportFigure(tablePng, ExportFormat::Png, {600, 600, 96});
    QCOMPARE(QImage(tablePng).size(), QSize(600, 600));
}

void TestGuiPositionalEncoding::panelShowsLearnedBesideSinusoidal()
{
    PositionalEncodingPanel panel;
    panel.resize(900, 900);
    panel.setDimensionsText(QStringLiteral("2, 3"));
    const auto model = makeModel("learned", 16, 24);
    panel.setModel(model, 12);
    panel.redrawNow();
    // The preview follows the model's shape.
    QCOMPARE(panel.previewDModel(), 16);
    QCOMPARE(panel.previewPositions(), 24);
    QVERIFY(panel.showsLearned());
    const al::Mat& learned = model->net.positional_encoding();
    QVERIFY(panel.learnedTableHeatmap()->matrix() == learned);
    QCOMPARE(panel.similarity(), PositionSimilarity::Cosine); // the default: compares tables of any scale
    QVERIFY(panel.learnedSimilarityHeatmap()->matrix().isApprox(positionSimilarity(learned, PositionSimilarity::Cosine)));
    QVERIFY(panel.sinusoidalTableHeatmap()->matrix() == sinusoidalTable(24, 16));
    // Sinusoidal and learned curve of each dimension.
    QCOMPARE(panel.curvesPlot()->graphCount(), 4);
    QVERIFY(panel.curvesPlot()->graph(1)->name().contains(QStringLiteral("learned")));
    QCOMPARE(panel.curvesPlot()->graph(1)->data()->at(5)->value, double(learned(5, 2)));
    // Fewer positions previewed: the learned side shows the same first positions.
    panel.setPreviewSize(16, 10);
    panel.redrawNow();
    QVERIFY(panel.learnedTableHeatmap()->matrix() == learned.topRows(10));
    QCOMPARE(panel.learnedSimilarityHeatmap()->queryCount(), 10);
    QCOMPARE(panel.curvesPlot()->graph(1)->dataCount(), 10);
    const QString png = m_tmp.filePath(QStringLiteral("learned.png"));
    panel.learnedTableHeatmap()->exportFigure(png, ExportFormat::Png, {500, 400, 96});
    QCOMPARE(QImage(png).size(), QSize(500, 400));

    // A sinusoidal model hides the learned side again; the user's preview size is kept while
    // the model's shape does not change.
    panel.setPreviewSize(32, 50);
    panel.setModel(makeModel("sinusoidal", 16, 24), 13);
    panel.redrawNow();
    QVERIFY(!panel.showsLearned());
    QVERIFY(!panel.learnedTableHeatmap()->hasData());
    QCOMPARE(panel.previewDModel(), 32);
    QCOMPARE(panel.curvesPlot()->graphCount(), 2);
}

void TestGuiPositionalEncoding::windowHasTheTab()
{
    const QString dir = m_tmp.filePath(QStringLiteral("learned-model"));
    al::save_model_dir(*makeModel("learned"), dir.toStdString());
    MainWindow w;
    w.show();
    PositionalEncodingPanel* panel = w.positionalEncodingPanel();
    QVERIFY(panel);
    const int index = w.viewTabs()->indexOf(panel);
    QCOMPARE(w.viewTabs()->tabText(index), QStringLiteral("Positional encoding"));
    QVERIFY(w.loadModelDirectory(dir));
    w.viewTabs()->setCurrentIndex(index);
    QTRY_VERIFY_WITH_TIMEOUT(panel->showsLearned() && panel->learnedTableHeatmap()->hasData(), 30000);
    QCOMPARE(panel->previewDModel(), 16);
}

QTEST_MAIN(TestGuiPositionalEncoding)
#include "test_gui_positional_encoding.moc"
