// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/task_probe_window.h"

#include "ui/views/retranslate.h"

#include "ui/export/export_ui.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>

namespace al::ui {

TaskProbeWindow::TaskProbeWindow(QWidget* parent)
    : QWidget(parent, Qt::Window)
{
    onLanguageChange(this, [this] { setWindowTitle(tr("Task model probe")); });
    resize(900, 560);
    auto* layout = new QVBoxLayout(this);

    auto* top = new QHBoxLayout;
    auto* open = trButton(this, [] { return tr("&Open task model…"); });
    open->setObjectName(QStringLiteral("openTaskModel"));
    connect(open, &QPushButton::clicked, this, &TaskProbeWindow::chooseDirectory);
    m_modelLabel = new QLabel(this);
    onLanguageChange(m_modelLabel, [this] {
        if (!m_probe.hasModel())
            m_modelLabel->setText(tr("No model: open a directory written by `attention-lab train --task …`."));
    });
    top->addWidget(open);
    top->addWidget(m_modelLabel, 1);
    layout->addLayout(top);

    auto* input = new QHBoxLayout;
    m_sentence = new QLineEdit;
    trPlaceholder(m_sentence, [] { return tr("Sentence ([MASK] for masked positions, \" ||| \" before sentence B)"); });
    connect(m_sentence, &QLineEdit::returnPressed, this, &TaskProbeWindow::runSentence);
    m_run = trButton(this, [] { return tr("&Run"); });
    m_run->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &TaskProbeWindow::runSentence);
    input->addWidget(m_sentence, 1);
    input->addWidget(m_run);
    layout->addLayout(input);

    m_mlmControls = new QWidget;
    auto* mlm = new QHBoxLayout(m_mlmControls);
    mlm->setContentsMargins(0, 0, 0, 0);
    m_topK = new QSpinBox;
    m_topK->setRange(1, 100);
    m_topK->setValue(m_probe.topK());
    m_maskSelector = new QComboBox;
    mlm->addWidget(trLabel(this, [] { return tr("Top k:"); }));
    mlm->addWidget(m_topK);
    mlm->addWidget(trLabel(this, [] { return tr("Masked position:"); }));
    mlm->addWidget(m_maskSelector, 1);
    connect(m_topK, &QSpinBox::valueChanged, this, [this] { if (m_probe.hasModel()) runSentence(); });
    connect(m_maskSelector, &QComboBox::currentIndexChanged, this, &TaskProbeWindow::showMask);
    layout->addWidget(m_mlmControls);

    m_genControls = new QWidget;
    auto* gen = new QHBoxLayout(m_genControls);
    gen->setContentsMargins(0, 0, 0, 0);
    m_length = new QSpinBox;
    m_length->setRange(1, 5000);
    m_length->setValue(m_probe.generation().length);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.0, 5.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(m_probe.generation().temperature);
    trToolTip(m_temperature, [] { return tr("0 = greedy (always the most probable character)"); });
    m_seed = new QSpinBox;
    m_seed->setRange(0, 1000000);
    m_seed->setValue(int(m_probe.generation().seed));
    gen->addWidget(trLabel(this, [] { return tr("Length:"); }));
    gen->addWidget(m_length);
    gen->addWidget(trLabel(this, [] { return tr("Temperature:"); }));
    gen->addWidget(m_temperature);
    gen->addWidget(trLabel(this, [] { return tr("Seed:"); }));
    gen->addWidget(m_seed);
    gen->addStretch(1);
    layout->addWidget(m_genControls);

    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_message);

    m_stack = new QStackedWidget;
    m_plot = new QCustomPlot;
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setWidth(0.7);
    m_bars->setPen(QPen(QColor(31, 119, 180)));
    m_bars->setBrush(QColor(31, 119, 180, 190));
    onLanguageChange(m_plot, [this] { m_plot->yAxis->setLabel(tr("probability")); });
    m_plot->yAxis->setRange(0, 1);
    m_plot->xAxis->setTickLabelRotation(-40);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, QString()));
    installPlotExportMenu(m_plot, QStringLiteral("task-probe.png"));
    m_tagTable = new QTableWidget(0, 2);
    onLanguageChange(m_tagTable, [this] { m_tagTable->setHorizontalHeaderLabels({tr("Token"), tr("Tag")}); });
    m_tagTable->horizontalHeader()->setStretchLastSection(true);
    m_tagTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_generated = new QPlainTextEdit;
    m_generated->setReadOnly(true);
    m_stack->addWidget(m_plot);
    m_stack->addWidget(m_tagTable);
    m_stack->addWidget(m_generated);
    layout->addWidget(m_stack, 1);

    m_mlmControls->hide();
    m_genControls->hide();
}

void TaskProbeWindow::chooseDirectory()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open task model directory"), m_probe.directory());
    if (!dir.isEmpty())
        openModel(dir);
}

bool TaskProbeWindow::openModel(const QString& dir)
{
    if (!m_probe.open(dir)) {
        setMessage(tr("Cannot open %1: %2").arg(dir, m_probe.error()), true);
        return false;
    }
    const al::ModelConfig& c = m_probe.model()->net.config();
    m_modelLabel->setText(tr("%1 — task %2, %3 layers, d_model %4, vocabulary %5")
                              .arg(dir, m_probe.task())
                              .arg(c.num_layers())
                              .arg(c.d_model)
                              .arg(c.vocab_size));
    const ProbeView v = m_probe.view();
    m_mlmControls->setVisible(v == ProbeView::MaskedLm);
    m_genControls->setVisible(v == ProbeView::Generation);
    m_stack->setCurrentWidget(v == ProbeView::Tags ? static_cast<QWidget*>(m_tagTable)
                              : v == ProbeView::Generation ? static_cast<QWidget*>(m_generated)
                                                           : static_cast<QWidget*>(m_plot));
    m_run->setEnabled(true);
    m_sentence->setText(m_probe.exampleSentence());
    return runSentence();
}

bool TaskProbeWindow::runSentence()
{
    m_probe.setTopK(m_topK->value());
    m_probe.setGeneration({m_length->value(), m_temperature->value(), uint64_t(m_seed->value())});
    const bool ok = m_probe.run(m_sentence->text());
    if (ok)
        setMessage(QString(), false);
    else
        setMessage(m_probe.error(), true);
    showResults();
    return ok;
}

void TaskProbeWindow::showResults()
{
    switch (m_probe.view()) {
    case ProbeView::MaskedLm: {
        const QSignalBlocker block(m_maskSelector);
        const int keep = m_maskSelector->currentIndex();
        m_maskSelector->clear();
        for (int i = 0; i < m_probe.maskCount(); ++i) {
            const ProbeBars b = m_probe.maskBars(i);
            m_maskSelector->addItem(tr("[MASK] %1 of %2 — best: %3").arg(i + 1).arg(m_probe.maskCount())
                                        .arg(b.labels.isEmpty() ? QString() : b.labels.front()));
        }
        const int index = m_probe.maskCount() == 0 ? -1 : std::clamp(keep, 0, m_probe.maskCount() - 1);
        m_maskSelector->setCurrentIndex(index);
        showMask(index);
        break;
    }
    case ProbeView::Classes:
        showBars(m_probe.classBars(), tr("P(label | \"%1\")").arg(m_sentence->text()));
        break;
    case ProbeView::Tags: {
        const auto& tags = m_probe.tags();
        m_tagTable->setRowCount(int(tags.size()));
        for (int i = 0; i < tags.size(); ++i) {
            m_tagTable->setItem(i, 0, new QTableWidgetItem(tags[i].first));
            m_tagTable->setItem(i, 1, new QTableWidgetItem(tags[i].second));
        }
        break;
    }
    case ProbeView::Generation:
        m_generated->setPlainText(m_probe.generated().isEmpty() ? QString() : m_sentence->text() + m_probe.generated());
        break;
    case ProbeView::None:
        break;
    }
}

void TaskProbeWindow::showMask(int index)
{
    showBars(m_probe.maskBars(index),
             index < 0 ? QString() : tr("Fillers of [MASK] %1: top %2 of the vocabulary").arg(index + 1).arg(m_probe.topK()));
}

void TaskProbeWindow::showBars(const ProbeBars& bars, const QString& title)
{
    QVector<double> x;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < bars.labels.size(); ++i) {
        x << i;
        ticker->addTick(i, bars.labels[i]);
    }
    m_bars->setData(x, bars.values, true);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(-0.6, std::max(0.6, bars.labels.size() - 0.4));
    const double top = bars.values.isEmpty() ? 1.0 : *std::max_element(bars.values.begin(), bars.values.end());
    m_plot->yAxis->setRange(0, std::min(1.0, std::max(1e-6, top * 1.15)));
    m_plot->clearItems();
    for (int i = 0; i < bars.values.size(); ++i) {
        auto* label = new QCPItemText(m_plot);
        label->position->setCoords(i, bars.values[i]);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setPadding(QMargins(0, 0, 0, 2));
        const double pct = 100.0 * bars.values[i];
        label->setText(QStringLiteral("%1 %").arg(pct, 0, 'f', pct >= 10 ? 1 : pct >= 0.1 ? 2 : 3));
    }
    if (auto* t = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0)))
        t->setText(title);
    m_plot->replot();
}

void TaskProbeWindow::setMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
    m_message->setVisible(!text.isEmpty());
}

} // namespace al::ui
