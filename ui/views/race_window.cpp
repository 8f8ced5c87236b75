// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/race_window.h"

#include "ui/views/retranslate.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace al::ui {

namespace {

/// Eight distinguishable colours (Okabe–Ito plus grey), one per variant in race order.
QColor seriesColor(int i)
{
    static const QColor colors[] = {QColor(0, 0, 0),       QColor(230, 159, 0),  QColor(86, 180, 233),
                                    QColor(0, 158, 115),   QColor(213, 94, 0),   QColor(0, 114, 178),
                                    QColor(204, 121, 167), QColor(140, 140, 140)};
    return colors[i % 8];
}

} // namespace

RaceWindow::RaceWindow(QWidget* parent) : QWidget(parent, Qt::Window)
{

    m_controller = new RaceController(this);
    m_controller->setObjectName(QStringLiteral("raceController"));

    m_taskCombo = new QComboBox(this);
    m_taskCombo->setObjectName(QStringLiteral("raceTaskCombo"));
    const char* const context = staticMetaObject.className();
    addSourceItem(m_taskCombo, QT_TR_NOOP("Reverse a sequence"), QStringLiteral("reverse"));
    addSourceItem(m_taskCombo, QT_TR_NOOP("Copy a sequence"), QStringLiteral("copy"));
    addSourceItem(m_taskCombo, QT_TR_NOOP("Sort a sequence"), QStringLiteral("sort"));
    addSourceItem(m_taskCombo, QT_TR_NOOP("Translate (bundled Chinese–English)"), QStringLiteral("translate"));
    translateItems(m_taskCombo, context);
    m_budgetKind = new QComboBox(this);
    m_budgetKind->setObjectName(QStringLiteral("raceBudgetCombo"));
    addSourceItem(m_budgetKind, QT_TR_NOOP("Steps per variant"), QStringLiteral("steps"));
    addSourceItem(m_budgetKind, QT_TR_NOOP("Minutes per variant"), QStringLiteral("minutes"));
    translateItems(m_budgetKind, context);
    m_stepsSpin = new QSpinBox(this);
    m_stepsSpin->setObjectName(QStringLiteral("raceStepsSpin"));
    m_stepsSpin->setRange(1, 1000000);
    m_stepsSpin->setSingleStep(100);
    m_stepsSpin->setValue(600);
    m_minutesSpin = new QDoubleSpinBox(this);
    m_minutesSpin->setObjectName(QStringLiteral("raceMinutesSpin"));
    m_minutesSpin->setRange(0.1, 600);
    m_minutesSpin->setValue(1.0);
    m_minutesSpin->setVisible(false);
    connect(m_budgetKind, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_stepsSpin->setVisible(i == 0);
        m_minutesSpin->setVisible(i == 1);
    });
    m_threadsSpin = new QSpinBox(this);
    m_threadsSpin->setRange(1, 256);
    m_threadsSpin->setValue(std::max(1, QThread::idealThreadCount()));
    m_startButton = trButton(this, [] { return tr("Start race"); });
    m_startButton->setObjectName(QStringLiteral("raceStartButton"));
    m_stopButton = trButton(this, [] { return tr("Stop"); });
    m_stopButton->setObjectName(QStringLiteral("raceStopButton"));
    connect(m_startButton, &QPushButton::clicked, this, &RaceWindow::startRace);
    connect(m_stopButton, &QPushButton::clicked, this, &RaceWindow::stopRace);

    auto* form = new QHBoxLayout;
    form->addWidget(trLabel(this, [] { return tr("Task:"); }));
    form->addWidget(m_taskCombo);
    form->addSpacing(12);
    form->addWidget(m_budgetKind);
    form->addWidget(m_stepsSpin);
    form->addWidget(m_minutesSpin);
    form->addSpacing(12);
    form->addWidget(trLabel(this, [] { return tr("Threads:"); }));
    form->addWidget(m_threadsSpin);
    form->addStretch(1);
    form->addWidget(m_startButton);
    form->addWidget(m_stopButton);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("racePlot"));
    m_plot->setMinimumHeight(320);
    m_plot->plotLayout()->insertRow(0);
    auto* plotTitle = new QCPTextElement(m_plot, QString(), QFont(font().family(), -1, QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, plotTitle);
    onLanguageChange(m_plot, [this, plotTitle] {
        plotTitle->setText(tr("Validation loss per variant"));
        m_plot->xAxis->setLabel(tr("optimizer step"));
        m_plot->yAxis->setLabel(tr("valid loss (nats/token)"));
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    m_plot->legend->setVisible(true);
    // The legend gets its own column right of the axes, so that it never hides a curve.
    m_plot->plotLayout()->addElement(1, 1, m_plot->legend);
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_plot->legend->setBorderPen(Qt::NoPen);

    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("raceTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_status = new QLabel(this);
    // The hint until a race reports (the window keeps the last report, in the language it came in).
    onLanguageChange(m_status, [this] {
        if (m_controller->series().isEmpty())
            m_status->setText(tr("Choose a task and a budget, then Start race: the eight self-attention variants "
                                 "(vanilla and the Synthesizers) train one after another on the same data and seed."));
    });
    m_status->setWordWrap(true);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_plot);
    split->addWidget(m_table);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    m_redrawTimer.setSingleShot(true);
    m_redrawTimer.setInterval(40);
    connect(&m_redrawTimer, &QTimer::timeout, this, &RaceWindow::redraw);
    connect(m_controller, &RaceController::changed, this, &RaceWindow::scheduleRedraw);
    onLanguageChange(this, [this] {
        setWindowTitle(tr("Attention variant race"));
        scheduleRedraw(); // the table's headers
    });
    connect(m_controller, &RaceController::started, this, &RaceWindow::updateButtons);
    connect(m_controller, &RaceController::finished, this, [this](bool cancelled) {
        updateButtons();
        m_status->setText(cancelled ? tr("Race stopped: %1 of %2 variants finished.")
                                          .arg(m_controller->results().size())
                                          .arg(m_controller->series().size())
                                    : tr("Race finished: %1 variants.").arg(m_controller->results().size()));
        redraw();
    });
    connect(m_controller, &RaceController::failed, this, [this](const QString& message) {
        m_status->setText(tr("Race failed: %1").arg(message));
        if (isVisible() && qEnvironmentVariableIsEmpty("AL_NO_DIALOGS"))
            QMessageBox::warning(this, tr("Race failed"), message);
    });
    redraw(); // empty plot and the table's column titles
    updateButtons();
    resize(1100, 800);
}

RaceWindow::~RaceWindow() { m_controller->shutdown(); }

RaceRequest RaceWindow::request() const
{
    const bool steps = m_budgetKind->currentIndex() == 0;
    return defaultRaceRequest(m_taskCombo->currentData().toString(), steps ? m_stepsSpin->value() : 0,
                              steps ? 0.0 : m_minutesSpin->value(), m_threadsSpin->value());
}

void RaceWindow::startRace() { startRequest(request()); }

bool RaceWindow::startRequest(const RaceRequest& request)
{
    if (!m_controller->start(request))
        return false;
    const QString budget = request.config.steps > 0 ? tr("%1 steps").arg(request.config.steps)
                                                    : tr("%1 minutes").arg(request.config.seconds / 60);
    m_status->setText(tr("Racing %1 variants on %2, %3 each, %4 thread(s)…")
                          .arg(request.config.variants.size())
                          .arg(request.task, budget)
                          .arg(request.config.train.threads));
    return true;
}

void RaceWindow::stopRace() { m_controller->cancel(); }

void RaceWindow::updateButtons()
{
    const bool running = m_controller->isRunning();
    m_startButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
    m_taskCombo->setEnabled(!running);
    m_budgetKind->setEnabled(!running);
    m_stepsSpin->setEnabled(!running);
    m_minutesSpin->setEnabled(!running);
}

void RaceWindow::scheduleRedraw()
{
    if (!m_redrawTimer.isActive())
        m_redrawTimer.start();
}

void RaceWindow::redraw()
{
    const QVector<RaceSeries>& series = m_controller->series();
    while (m_plot->graphCount() > series.size())
        m_plot->removeGraph(m_plot->graphCount() - 1);
    while (m_plot->graphCount() < series.size()) {
        QCPGraph* g = m_plot->addGraph();
        const QColor c = seriesColor(m_plot->graphCount() - 1);
        g->setPen(QPen(c, 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c, c, 5));
    }
    bool any = false;
    for (int i = 0; i < series.size(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        g->setName(series[i].variant);
        g->setData(series[i].steps, series[i].loss, true);
        any = any || !series[i].steps.isEmpty();
    }
    m_plot->legend->setVisible(!series.isEmpty());
    if (any) {
        m_plot->rescaleAxes();
        m_plot->yAxis->scaleRange(1.08, m_plot->yAxis->range().center());
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);

    const bool algorithmic = m_controller->isAlgorithmic();
    const QStringList headers = raceTableHeaders(algorithmic);
    const std::vector<al::RaceResult>& results = m_controller->results();
    m_table->setColumnCount(int(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setRowCount(int(results.size()));
    for (int r = 0; r < int(results.size()); ++r) {
        const QStringList row = raceTableRow(results[size_t(r)], results, algorithmic);
        for (int c = 0; c < row.size(); ++c) {
            auto* item = new QTableWidgetItem(row[c]);
            item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
            if (c == 0)
                item->setForeground(seriesColor(r));
            m_table->setItem(r, c, item);
        }
    }
}

} // namespace al::ui
