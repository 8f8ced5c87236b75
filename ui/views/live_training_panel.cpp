// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/live_training_panel.h"

#include "ui/export/export_ui.h"
#include "ui/views/retranslate.h"
#include "ui/views/step_plot.h"

#include "ui/view_models/training_session.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace al::ui {

namespace {

// Loss and learning-rate curves and the "Now" figures: 5 updates/s, like the heatmaps, look live;
// faster only costs the training threads CPU (every label change lays the window out again, and
// on X11 every repainted pixel goes to the X server) - attention-lab bench-gui, docs/benchmark.md.
constexpr int kPlotRedrawMs = 200;

} // namespace

LiveTrainingPanel::LiveTrainingPanel(CurveStore* curves, QWidget* parent) : QWidget(parent), m_curves(curves)
{
    auto* panel = this;
    auto* layout = new QVBoxLayout(panel);

    m_lossPlot = makeStepPlot(panel, QStringLiteral("lossPlot"), [] { return tr("Loss (nats per target token)"); },
                              [] { return tr("loss"); });
    QCPGraph* train = m_lossPlot->addGraph();
    train->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.5));
    QCPGraph* valid = m_lossPlot->addGraph();
    onLanguageChange(m_lossPlot, [train, valid] {
        train->setName(tr("train"));
        valid->setName(tr("validation"));
    });
    valid->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    valid->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_lossPlot->legend->setVisible(true);
    m_lossPlot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_lossPlot->setMinimumHeight(220);
    installPlotExportMenu(m_lossPlot, QStringLiteral("loss.png"));
    layout->addWidget(m_lossPlot, 3);

    auto* row = new QHBoxLayout;
    m_lrPlot = makeStepPlot(panel, QStringLiteral("lrPlot"), [] { return tr("Learning rate"); });
    QCPGraph* lr = m_lrPlot->addGraph();
    lr->setPen(QPen(QColor(0x2c, 0xa0, 0x2c), 1.5));
    m_lrPlot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_lrPlot->yAxis->setNumberPrecision(2);
    m_lrPlot->xAxis->ticker()->setTickCount(3); // a narrow plot: 4-digit step labels ran together at 5 ticks
    m_lrPlot->setMinimumHeight(150);
    installPlotExportMenu(m_lrPlot, QStringLiteral("learning_rate.png"));
    row->addWidget(m_lrPlot, 3);

    auto* figures = new QGroupBox(panel);
    figures->setObjectName(QStringLiteral("nowFigures"));
    trTitle(figures, [] { return tr("Now"); });
    auto* form = new QFormLayout(figures);
    auto makeValue = [figures](const char* name) {
        auto* l = new QLabel(QStringLiteral("–"), figures);
        l->setObjectName(QString::fromLatin1(name));
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        l->setMinimumWidth(80);
        return l;
    };
    m_stepLabel = makeValue("stepLabel");
    m_epochLabel = makeValue("epochLabel");
    m_lossLabel = makeValue("lossLabel");
    m_validLabel = makeValue("validLabel");
    m_perplexityLabel = makeValue("perplexityLabel");
    m_accuracyLabel = makeValue("accuracyLabel");
    m_lrLabel = makeValue("lrLabel");
    m_gradLabel = makeValue("gradNormLabel");
    m_speedLabel = makeValue("speedLabel");
    addTrRow(form, m_stepLabel, [] { return tr("Step:"); });
    addTrRow(form, m_epochLabel, [] { return tr("Epoch:"); });
    addTrRow(form, m_lossLabel, [] { return tr("Train loss:"); });
    addTrRow(form, m_validLabel, [] { return tr("Validation loss:"); });
    addTrRow(form, m_perplexityLabel, [] { return tr("Perplexity:"); });
    addTrRow(form, m_accuracyLabel, [] { return tr("Token accuracy:"); });
    m_metricLabel = makeValue("metricLabel");
    m_metricTitle = new QLabel(tr("Task metric:"), figures); // the main window sets it on each language change
    m_metricTitle->setObjectName(QStringLiteral("metricTitle"));
    form->addRow(m_metricTitle, m_metricLabel);
    addTrRow(form, m_lrLabel, [] { return tr("Learning rate:"); });
    addTrRow(form, m_gradLabel, [] { return tr("Gradient norm:"); });
    addTrRow(form, m_speedLabel, [] { return tr("Tokens/s:"); });
    row->addWidget(figures, 2);
    layout->addLayout(row, 2);

    auto* sentenceBox = new QGroupBox(panel); // titled by setTitles()
    m_sentenceBox = sentenceBox;
    auto* sentenceLayout = new QVBoxLayout(sentenceBox);
    m_sentenceEdit = new QLineEdit(QStringLiteral("我爱你。"), sentenceBox);
    m_sentenceEdit->setObjectName(QStringLiteral("sentenceEdit"));
    m_sentenceEdit->setClearButtonEnabled(true);
    QFont big = m_sentenceEdit->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    m_sentenceEdit->setFont(big);
    m_translationLabel = new QLabel(sentenceBox);
    m_translationLabel->setObjectName(QStringLiteral("translationLabel"));
    m_translationLabel->setFont(big);
    m_translationLabel->setWordWrap(true);
    m_translationLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    onLanguageChange(m_translationLabel, [this] {
        if (!m_translationLabel->property("shown").toBool())
            m_translationLabel->setText(tr("(no model yet — press Train or open a model directory)"));
    });
    // An untrained model babbles up to the length limit: keep the box from squeezing the plots.
    m_translationLabel->setMaximumHeight(QFontMetrics(big).lineSpacing() * 3 + 4);
    m_tokensLabel = new QLabel(sentenceBox);
    m_tokensLabel->setObjectName(QStringLiteral("tokensLabel"));
    m_tokensLabel->setWordWrap(true);
    updateTextHeights();
    m_translationLabel->installEventFilter(this);
    m_tokensLabel->installEventFilter(this);
    m_tokensLabel->setForegroundRole(QPalette::PlaceholderText);
    m_noticeLabel = new QLabel(sentenceBox);
    m_noticeLabel->setObjectName(QStringLiteral("sentenceNotice"));
    m_noticeLabel->setWordWrap(true);
    m_noticeLabel->setTextFormat(Qt::PlainText);
    m_noticeLabel->setVisible(false);
    sentenceLayout->addWidget(m_sentenceEdit);
    sentenceLayout->addWidget(m_noticeLabel);
    sentenceLayout->addWidget(m_translationLabel);
    sentenceLayout->addWidget(m_tokensLabel);
    connect(m_sentenceEdit, &QLineEdit::textChanged, this, &LiveTrainingPanel::sentenceChanged);
    layout->addWidget(sentenceBox, 0);

    m_plotTimer.setSingleShot(true);
    m_plotTimer.setInterval(kPlotRedrawMs);
    connect(&m_plotTimer, &QTimer::timeout, this, [this] {
        if (m_plotsDirty)
            redrawPlots();
    });
    connect(m_curves, &CurveStore::changed, this, [this] {
        m_plotsDirty = true;
        if (!m_plotTimer.isActive())
            m_plotTimer.start();
    });
}

void LiveTrainingPanel::updateTextHeights()
{
    // An untrained model babbles up to the length limit: keep the box from squeezing the plots.
    m_translationLabel->setMaximumHeight(m_translationLabel->fontMetrics().lineSpacing() * 3 + 4);
    m_tokensLabel->setMaximumHeight(m_tokensLabel->fontMetrics().lineSpacing() * 2 + 4);
}

bool LiveTrainingPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::FontChange && (watched == m_translationLabel || watched == m_tokensLabel))
        updateTextHeights();
    return QWidget::eventFilter(watched, event);
}

void LiveTrainingPanel::redrawPlots()
{
    m_plotsDirty = false;
    const CurveStore& c = *m_curves;
    m_lossPlot->graph(0)->setData(c.steps(), c.loss(), true);
    m_lossPlot->graph(1)->setData(c.validSteps(), c.validLoss(), true);
    m_lrPlot->graph(0)->setData(c.steps(), c.learningRate(), true);
    if (!c.steps().isEmpty()) {
        const double lastStep = std::max(c.steps().last(), 1.0);
        m_lossPlot->xAxis->setRange(0, lastStep);
        m_lrPlot->xAxis->setRange(0, lastStep);
        m_lossPlot->yAxis->setRange(0, std::max(c.maxLoss() * 1.05, 0.1));
        m_lrPlot->yAxis->rescale();
        const QCPRange r = m_lrPlot->yAxis->range();
        m_lrPlot->yAxis->setRange(0, std::max(r.upper * 1.1, 1e-9));
    }
    m_lossPlot->replot(QCustomPlot::rpQueuedReplot);
    m_lrPlot->replot(QCustomPlot::rpQueuedReplot);

    if (c.hasMetrics()) {
        const TrainingMetrics& m = c.lastMetrics();
        const QLocale loc;
        m_stepLabel->setText(loc.toString(m.step));
        m_epochLabel->setText(QString::number(m.epoch, 'f', 2));
        m_lossLabel->setText(QString::number(m.loss, 'f', 3));
        m_lrLabel->setText(QString::number(m.learningRate, 'g', 3));
        m_gradLabel->setText(QString::number(m.gradNorm, 'f', 2));
        m_speedLabel->setText(loc.toString(qRound64(m.tokensPerSecond)));
        emit figuresShown(m.step);
    } else {
        for (QLabel* l : {m_stepLabel, m_epochLabel, m_lossLabel, m_lrLabel, m_gradLabel, m_speedLabel})
            l->setText(QStringLiteral("–"));
    }
}

void LiveTrainingPanel::clearValidation()
{
    for (QLabel* l : {m_validLabel, m_perplexityLabel, m_accuracyLabel, m_metricLabel})
        l->setText(QStringLiteral("–"));
}

QString LiveTrainingPanel::showValidation(const ValidationMetrics& v)
{
    m_validLabel->setText(QString::number(v.loss, 'f', 3));
    m_validLabel->setToolTip(tr("At step %1").arg(v.step));
    m_perplexityLabel->setText(QString::number(v.perplexity, 'f', 1));
    m_accuracyLabel->setText(tr("%1%").arg(v.tokenAccuracy * 100.0, 0, 'f', 1));
    if (v.metricName.isEmpty()) {
        m_metricLabel->setText(QStringLiteral("–"));
        return {};
    }
    // charlm: bits per character; the others: a fraction shown in percent.
    const bool bits = v.metricName == QLatin1String("bits/char");
    const QString value = bits ? QString::number(v.metric, 'f', 3) : tr("%1%").arg(v.metric * 100.0, 0, 'f', 1);
    m_metricTitle->setText(tr("Valid %1:").arg(taskMetricDisplayName(v.metricName)));
    m_metricLabel->setText(value);
    m_metricLabel->setToolTip(tr("At step %1, over %2 %3").arg(v.step).arg(v.examples).arg(bits ? tr("characters") : tr("examples")));
    return bits ? tr("Validation at step %1: %2 nats/char, %3 bits/char, next-character accuracy %4%.")
                      .arg(v.step)
                      .arg(v.loss, 0, 'f', 3)
                      .arg(v.metric, 0, 'f', 3)
                      .arg(v.tokenAccuracy * 100.0, 0, 'f', 1)
                : tr("Validation at step %1: loss %2, %3 %4.").arg(v.step).arg(v.loss, 0, 'f', 3).arg(taskMetricDisplayName(v.metricName), value);
}

void LiveTrainingPanel::setTitles(const QString& sentenceTitle, const QString& metricTitle)
{
    m_sentenceBox->setTitle(sentenceTitle);
    m_metricTitle->setText(metricTitle);
}

QString LiveTrainingPanel::sentence() const
{
    return m_sentenceEdit->text();
}

void LiveTrainingPanel::setSentence(const QString& text)
{
    m_sentenceEdit->setText(text);
}

QString LiveTrainingPanel::outputText() const
{
    return m_translationLabel->text();
}

void LiveTrainingPanel::showOutput(const QString& output, const QString& tokens, const QString& tokensToolTip)
{
    m_translationLabel->setProperty("shown", true);
    m_translationLabel->setText(output.isEmpty() ? tr("(empty)") : output);
    m_translationLabel->setToolTip(output);
    m_tokensLabel->setText(tokens);
    if (!tokensToolTip.isNull())
        m_tokensLabel->setToolTip(tokensToolTip);
}

void LiveTrainingPanel::showOutputError(const QString& message)
{
    m_translationLabel->setProperty("shown", true);
    m_translationLabel->setText(message);
    m_tokensLabel->clear();
}

void LiveTrainingPanel::setNotice(const QString& notice)
{
    m_noticeLabel->setText(notice);
    m_noticeLabel->setVisible(!notice.isEmpty());
}

QString LiveTrainingPanel::notice() const
{
    return m_noticeLabel->text();
}

void LiveTrainingPanel::showBlankSentence(const QString& hint)
{
    m_translationLabel->setProperty("shown", true);
    m_translationLabel->clear();
    m_translationLabel->setToolTip(QString());
    m_tokensLabel->clear();
    setNotice(hint);
}

} // namespace al::ui
