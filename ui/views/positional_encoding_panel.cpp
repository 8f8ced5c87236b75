// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/positional_encoding_panel.h"

#include "ui/views/retranslate.h"

#include "engine/core/error.h"
#include "ui/export/export_ui.h"
#include "ui/views/heatmap_widget.h"

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace al::ui {

namespace {

constexpr int kRedrawMs = 40;
constexpr int kDefaultPositions = 100; // positions previewed when a model arrives (more fit the spin box)

const QColor kCurveColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                               QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                               QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22),
                               QColor(0x17, 0xbe, 0xcf)};

QColor curveColor(int i)
{
    return kCurveColors[size_t(i) % std::size(kCurveColors)];
}

HeatmapWidget* makeHeatmap(QWidget* parent, const char* name, TextFn keyTitle, TextFn scaleLabel)
{
    auto* h = new HeatmapWidget(parent);
    h->setObjectName(QString::fromLatin1(name));
    h->setColorRange(ColorRange::Symmetric);
    onLanguageChange(h, [h, keyTitle = std::move(keyTitle), scaleLabel = std::move(scaleLabel)] {
        h->setAxisTitles(keyTitle(), PositionalEncodingPanel::tr("position"));
        h->setScaleLabel(scaleLabel());
    });
    h->setMinimumSize(240, 150); // four of them stacked two by two: the panel fits a 768-pixel-high screen
    return h;
}

QString similarityScaleLabel(PositionSimilarity kind)
{
    return kind == PositionSimilarity::Cosine ? PositionalEncodingPanel::tr("cosine similarity")
                                              : PositionalEncodingPanel::tr("PE[a] · PE[b]");
}

} // namespace

PositionalEncodingPanel::PositionalEncodingPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    auto* dModelLabel = new QLabel(this);
    trText(dModelLabel, [] { return tr("d_model:"); });
    controls->addWidget(dModelLabel);
    m_dModelSpin = new QSpinBox(this);
    m_dModelSpin->setObjectName(QStringLiteral("peDModelSpin"));
    m_dModelSpin->setRange(2, 1024);
    m_dModelSpin->setSingleStep(2);
    m_dModelSpin->setValue(64);
    trToolTip(m_dModelSpin, [] { return tr("Width of the sinusoidal preview (the model's own d_model when one is loaded)."); });
    controls->addWidget(m_dModelSpin);
    auto* positionsLabel = new QLabel(this);
    trText(positionsLabel, [] { return tr("positions:"); });
    controls->addWidget(positionsLabel);
    m_positionsSpin = new QSpinBox(this);
    m_positionsSpin->setObjectName(QStringLiteral("pePositionsSpin"));
    m_positionsSpin->setRange(1, 512);
    m_positionsSpin->setValue(kDefaultPositions);
    controls->addWidget(m_positionsSpin);
    auto* dimsLabel = new QLabel(this);
    trText(dimsLabel, [] { return tr("dimensions to plot:"); });
    controls->addWidget(dimsLabel);
    m_dimsEdit = new QLineEdit(QStringLiteral("0, 1, 10, 30, 60"), this);
    m_dimsEdit->setObjectName(QStringLiteral("peDimensionsEdit"));
    trToolTip(m_dimsEdit, [] { return tr("0-based dimensions separated by commas; ranges such as 4-7."); });
    controls->addWidget(m_dimsEdit, 1);
    auto* similarityLabel = new QLabel(this);
    trText(similarityLabel, [] { return tr("similarity:"); });
    controls->addWidget(similarityLabel);
    m_similarityCombo = new QComboBox(this);
    m_similarityCombo->setObjectName(QStringLiteral("peSimilarityCombo"));
    addSourceItem(m_similarityCombo, QT_TR_NOOP("dot product"), int(PositionSimilarity::Dot));
    addSourceItem(m_similarityCombo, QT_TR_NOOP("cosine"), int(PositionSimilarity::Cosine));
    translateItems(m_similarityCombo, staticMetaObject.className());
    // Cosine compares tables of any scale (a learned table's norms vary by position).
    m_similarityCombo->setCurrentIndex(1);
    controls->addWidget(m_similarityCombo);
    layout->addLayout(controls);

    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(QStringLiteral("peModelLabel"));
    m_modelLabel->setWordWrap(true);
    layout->addWidget(m_modelLabel);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("peMessage"));
    m_message->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_message->hide();
    layout->addWidget(m_message);

    m_curves = new QCustomPlot(this);
    m_curves->setObjectName(QStringLiteral("peCurvesPlot"));
    m_curves->setMinimumSize(300, 180);
    onLanguageChange(m_curves, [this] {
        m_curves->xAxis->setLabel(tr("position"));
        m_curves->yAxis->setLabel(tr("PE value"));
    });
    m_curves->legend->setVisible(true);
    QFont legendFont = m_curves->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    m_curves->legend->setFont(legendFont);
    m_curves->legend->setBrush(QColor(255, 255, 255, 210));
    m_curves->plotLayout()->insertRow(0);
    QFont titleFont = m_curves->font();
    titleFont.setBold(true);
    m_curves->plotLayout()->addElement(0, 0, new QCPTextElement(m_curves, QString(), titleFont));
    // The legend right of the curves, never over them.
    m_curves->axisRect()->insetLayout()->take(m_curves->legend);
    m_curves->plotLayout()->addElement(1, 1, m_curves->legend);
    m_curves->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_curves->legend->setMargins(QMargins(6, 4, 8, 4));
    m_curves->plotLayout()->setMargins(QMargins(0, 0, 4, 4)); // room for the legend's frame
    installPlotExportMenu(m_curves, QStringLiteral("positional_encoding_curves.png"));
    layout->addWidget(m_curves, 3);

    auto* tables = new QHBoxLayout;
    // One column per kind of table: the table (position x dimension) above its similarity map;
    // `kind` names the widgets ("peSinusoidalTable") and the export files.
    auto addColumn = [this, tables](TextFn title, const QString& kind, HeatmapWidget*& table,
                                    HeatmapWidget*& similarity) {
        auto* group = new QGroupBox(this);
        trTitle(group, std::move(title));
        auto* column = new QVBoxLayout(group);
        table = makeHeatmap(group, qPrintable(QStringLiteral("pe%1Table").arg(kind)), [] { return tr("dimension"); },
                            [] { return tr("PE value"); });
        table->setExportFileName(QStringLiteral("positional_encoding_%1.png").arg(kind.toLower()));
        similarity = makeHeatmap(group, qPrintable(QStringLiteral("pe%1Similarity").arg(kind)), [] { return tr("position"); },
                                 [] { return tr("cosine similarity"); });
        similarity->setExportFileName(QStringLiteral("positional_similarity_%1.png").arg(kind.toLower()));
        column->addWidget(table, 1);
        column->addWidget(similarity, 1);
        tables->addWidget(group, 1);
        return group;
    };
    addColumn([] { return tr("Sinusoidal: sin / cos of position × 10000^(−2i/d_model)"); }, QStringLiteral("Sinusoidal"), m_sinTable,
              m_sinSimilarity);
    m_learnedGroup = addColumn([] { return tr("Learned: pos_emb.weight of the current model"); }, QStringLiteral("Learned"),
                               m_learnedTable, m_learnedSimilarity);
    m_learnedGroup->hide();
    layout->addLayout(tables, 5);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(kRedrawMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, &PositionalEncodingPanel::redraw);
    connect(m_dModelSpin, &QSpinBox::valueChanged, this, &PositionalEncodingPanel::scheduleRedraw);
    connect(m_positionsSpin, &QSpinBox::valueChanged, this, &PositionalEncodingPanel::scheduleRedraw);
    connect(m_dimsEdit, &QLineEdit::textChanged, this, &PositionalEncodingPanel::scheduleRedraw);
    connect(m_similarityCombo, &QComboBox::currentIndexChanged, this, &PositionalEncodingPanel::scheduleRedraw);
    // Titles, the model line and the legend are made when drawn.
    onLanguageChange(this, [this] { redraw(); });
}

void PositionalEncodingPanel::setModel(const ModelSnapshot& model, qint64 step)
{
    m_model = model;
    m_step = step;
    m_learned = model ? learnedPositionalTable(*model) : al::Mat();
    if (model) {
        const al::ModelConfig& c = model->net.config();
        if (c.d_model != m_lastModelC || c.max_len != m_lastModelLen) {
            // A model of a new shape: preview its own size so both tables line up.
            m_lastModelC = c.d_model;
            m_lastModelLen = c.max_len;
            setPreviewSize(c.d_model, std::min(c.max_len, kDefaultPositions));
        }
    }
    scheduleRedraw();
}

void PositionalEncodingPanel::setPreviewSize(int dModel, int positions)
{
    const QSignalBlocker b1(m_dModelSpin), b2(m_positionsSpin);
    m_dModelSpin->setValue(dModel);
    m_positionsSpin->setValue(positions);
    scheduleRedraw();
}

int PositionalEncodingPanel::previewDModel() const
{
    return m_dModelSpin->value();
}

int PositionalEncodingPanel::previewPositions() const
{
    return m_positionsSpin->value();
}

void PositionalEncodingPanel::setDimensionsText(const QString& text)
{
    m_dimsEdit->setText(text);
}

void PositionalEncodingPanel::setSimilarity(PositionSimilarity kind)
{
    m_similarityCombo->setCurrentIndex(m_similarityCombo->findData(int(kind)));
}

PositionSimilarity PositionalEncodingPanel::similarity() const
{
    return PositionSimilarity(m_similarityCombo->currentData().toInt());
}

QString PositionalEncodingPanel::messageText() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void PositionalEncodingPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        scheduleRedraw();
}

void PositionalEncodingPanel::scheduleRedraw()
{
    // Hidden (another tab is shown): snapshots only mark the panel dirty.
    m_dirty = true;
    if (isVisible() && !m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void PositionalEncodingPanel::redrawNow()
{
    m_redrawTimer.stop();
    redraw();
}

void PositionalEncodingPanel::redraw()
{
    m_dirty = false;
    const int C = m_dModelSpin->value();
    const int P = m_positionsSpin->value();
    const PositionSimilarity kind = similarity();
    const al::Mat pe = sinusoidalTable(P, C);

    const DimensionList parsed = parseDimensions(m_dimsEdit->text(), std::max<int>(C, int(m_learned.cols())));
    if (parsed.ok()) {
        m_dims = parsed.dims;
        m_message->hide();
    } else {
        m_message->setText(tr("Dimensions to plot: %1").arg(parsed.error));
        m_message->show();
    }

    // Model line.
    if (!m_model) {
        m_modelLabel->setText(tr("Sinusoidal preview. Open or train a model to compare with its positional encoding."));
    } else {
        const al::ModelConfig& c = m_model->net.config();
        m_modelLabel->setText(tr("Model (step %1): <b>%2</b> positional encoding, d_model %3, max_len %4.%5")
                                  .arg(m_step)
                                  .arg(QString::fromStdString(c.positional_encoding))
                                  .arg(c.d_model)
                                  .arg(c.max_len)
                                  .arg(c.positional_encoding == "none"
                                           ? QLatin1Char(' ') + tr("Without one the model cannot tell positions apart "
                                                                   "(self-attention is permutation-equivariant).")
                                           : QString()));
    }

    // Curves: sinusoidal solid, learned dashed in the same colour.
    m_curves->clearGraphs();
    QVector<double> positions;
    for (int t = 0; t < P; ++t)
        positions << t;
    // The learned table over the same positions as the preview, so both sides line up.
    const al::Mat learnedRows = m_learned.topRows(std::min<Eigen::Index>(P, m_learned.rows()));
    const bool learned = learnedRows.size() > 0;
    if (auto* title = qobject_cast<QCPTextElement*>(m_curves->plotLayout()->element(0, 0)))
        title->setText(learned ? tr("Chosen dimensions over positions (dashed: the learned table)")
                               : tr("Chosen dimensions over positions"));
    double maxX = std::max(1, P - 1);
    for (int i = 0; i < m_dims.size(); ++i) {
        const int d = m_dims[i];
        const QVector<double> curve = dimensionCurve(pe, d);
        if (!curve.isEmpty()) {
            QCPGraph* g = m_curves->addGraph();
            g->setName(tr("dim %1 (%2, λ = %3)")
                           .arg(d)
                           .arg(d % 2 == 0 ? QStringLiteral("sin") : QStringLiteral("cos"))
                           .arg(sinusoidWavelength(d, C), 0, 'f', 1));
            g->setPen(QPen(curveColor(i), 1.8));
            g->setData(positions, curve, true);
        }
        if (learned) {
            const QVector<double> lc = dimensionCurve(learnedRows, d);
            if (lc.isEmpty())
                continue;
            QVector<double> lx;
            for (int t = 0; t < lc.size(); ++t)
                lx << t;
            maxX = std::max(maxX, double(lc.size() - 1));
            QCPGraph* g = m_curves->addGraph();
            g->setName(tr("dim %1 learned").arg(d));
            g->setPen(QPen(curveColor(i), 1.4, Qt::DashLine));
            g->setData(lx, lc, true);
            g->removeFromLegend(); // same colour as its sinusoidal curve; the title explains dashes
        }
    }
    m_curves->xAxis->setRange(0, maxX);
    m_curves->rescaleAxes(true);
    m_curves->xAxis->setRange(0, maxX);
    const QCPRange y = m_curves->yAxis->range();
    m_curves->yAxis->setRange(std::min(-1.1, y.lower), std::max(1.1, y.upper));
    m_curves->replot(QCustomPlot::rpQueuedReplot);

    // Tables and similarities.
    const QString scale = similarityScaleLabel(kind);
    const QStringList posLabels = indexLabels(P);
    m_sinTable->setMatrix(pe, posLabels, indexLabels(C));
    m_sinTable->setFixedDataRange({-1.0, 1.0});
    m_sinTable->setTitle(tr("Sinusoidal PE: %1 positions × %2 dimensions").arg(P).arg(C));
    const al::Mat sim = positionSimilarity(pe, kind);
    m_sinSimilarity->setMatrix(sim, posLabels, posLabels);
    m_sinSimilarity->setScaleLabel(scale);
    m_sinSimilarity->setTitle(tr("Sinusoidal %1: a function of a − b only").arg(scale));

    m_learnedGroup->setVisible(learned);
    if (learned) {
        const QStringList lp = indexLabels(int(learnedRows.rows()));
        m_learnedTable->setMatrix(learnedRows, lp, indexLabels(int(learnedRows.cols())));
        m_learnedTable->setTitle(tr("Learned PE (step %1): %2 of %3 positions × %4 dimensions")
                                     .arg(m_step)
                                     .arg(learnedRows.rows())
                                     .arg(m_learned.rows())
                                     .arg(m_learned.cols()));
        m_learnedSimilarity->setMatrix(positionSimilarity(learnedRows, kind), lp, lp);
        m_learnedSimilarity->setScaleLabel(scale);
        m_learnedSimilarity->setTitle(tr("Learned %1").arg(scale));
    } else {
        m_learnedTable->clearMatrix();
        m_learnedSimilarity->clearMatrix();
    }
}

} // namespace al::ui
