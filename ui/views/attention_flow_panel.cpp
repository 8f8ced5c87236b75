// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/attention_flow_panel.h"

#include "ui/views/heatmap_widget.h"
#include "ui/views/retranslate.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QShowEvent>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>

namespace al::ui {

AttentionFlowPanel::AttentionFlowPanel(QWidget* parent) : QWidget(parent)
{
    m_controller = new AttentionFlowController(this);
    m_controller->setObjectName(QStringLiteral("attentionFlowController"));
    connect(m_controller, &AttentionFlowController::computed, this, &AttentionFlowPanel::onComputed);

    auto* layout = new QVBoxLayout(this);
    auto* nav = new QHBoxLayout;
    m_viewCombo = new QComboBox(this);
    m_viewCombo->setObjectName(QStringLiteral("flowViewCombo"));
    for (FlowView v : {FlowView::EncoderSelf, FlowView::DecoderSelf, FlowView::SourceAttribution})
        m_viewCombo->addItem(QString(), static_cast<int>(v));
    trItems(m_viewCombo, [](const QVariant& v) { return flowViewName(static_cast<FlowView>(v.toInt())); });
    m_layerSpin = new QSpinBox(this);
    m_layerSpin->setObjectName(QStringLiteral("flowLayerSpin"));
    m_layerSpin->setRange(1, 1);
    auto* layerLabel = new QLabel(this);
    trText(layerLabel, [] { return tr("Up to layer:"); });
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("flowStatus"));
    nav->addWidget(m_viewCombo, 1);
    nav->addWidget(layerLabel);
    nav->addWidget(m_layerSpin);
    nav->addWidget(m_status, 1);
    layout->addLayout(nav);

    m_explanation = new QLabel(this);
    m_explanation->setObjectName(QStringLiteral("flowExplanation"));
    m_explanation->setWordWrap(true);
    m_explanation->setTextFormat(Qt::PlainText);
    m_explanation->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_explanation->setMargin(8);

    // Two by two: raw and rollout above, flow and the explanation below, so that each map keeps
    // cells about as tall as wide in the tab's width.
    auto* maps = new QGridLayout;
    const std::pair<HeatmapWidget**, const char*> widgets[] = {
        {&m_raw, "flowRawHeatmap"}, {&m_rollout, "flowRolloutHeatmap"}, {&m_flow, "flowFlowHeatmap"}};
    int cell = 0;
    for (const auto& [w, name] : widgets) {
        *w = new HeatmapWidget(this);
        (*w)->setObjectName(QLatin1String(name));
        (*w)->setMinimumSize(220, 240);
        // Rollout and flow spread over many words after a few layers: their own range shows the
        // structure that a fixed 0..1 scale would leave dark (the scale's numbers stay true).
        (*w)->setColorRange(*w == m_raw ? ColorRange::Probability : ColorRange::MinMax);
        maps->addWidget(*w, cell / 2, cell % 2);
        ++cell;
    }
    maps->addWidget(m_explanation, 1, 1);
    maps->setColumnStretch(0, 1);
    maps->setColumnStretch(1, 1);
    layout->addLayout(maps, 1);
    layout->addStretch(0); // what capped maps leave goes below them
    onLanguageChange(this, [this] {
        for (HeatmapWidget* w : {m_raw, m_rollout, m_flow})
            w->setPlaceholderText(tr("Appears once a model translates the sentence."));
        drawResult();
    });

    auto changed = [this] {
        m_layerChosen = true;
        requestCompute();
    };
    connect(m_viewCombo, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        requestCompute();
    });
    connect(m_layerSpin, &QSpinBox::valueChanged, this, changed);
}

AttentionFlowPanel::~AttentionFlowPanel()
{
    shutdown();
}

void AttentionFlowPanel::shutdown()
{
    m_controller->shutdown();
}

void AttentionFlowPanel::setTrace(const std::shared_ptr<const al::Trace>& trace, qint64 step)
{
    m_trace = trace;
    m_step = step;
    refreshControls();
    requestCompute();
}

FlowSelection AttentionFlowPanel::selection() const
{
    FlowSelection s;
    s.view = static_cast<FlowView>(m_viewCombo->currentData().toInt());
    s.layer = m_layerSpin->value() - 1;
    return s;
}

void AttentionFlowPanel::setSelection(const FlowSelection& selection)
{
    m_viewCombo->setCurrentIndex(std::max(0, m_viewCombo->findData(static_cast<int>(selection.view))));
    m_layerSpin->setMaximum(std::max(m_layerSpin->maximum(), selection.layer + 1));
    m_layerSpin->setValue(selection.layer + 1);
    m_layerChosen = true;
}

void AttentionFlowPanel::refreshControls()
{
    if (!m_trace)
        return;
    // Offer what this Trace holds; a view it lacks moves to the first it has.
    const QVector<FlowView> views = flowViews(*m_trace);
    {
        const QSignalBlocker block(m_viewCombo);
        for (int i = 0; i < m_viewCombo->count(); ++i) {
            const bool has = views.contains(static_cast<FlowView>(m_viewCombo->itemData(i).toInt()));
            if (auto* model = qobject_cast<QStandardItemModel*>(m_viewCombo->model()))
                model->item(i)->setEnabled(has);
        }
        if (!views.isEmpty() && !views.contains(selection().view))
            m_viewCombo->setCurrentIndex(m_viewCombo->findData(static_cast<int>(views.front())));
    }
    const int layers = flowLayerCount(*m_trace, selection().view);
    const QSignalBlocker block(m_layerSpin);
    m_layerSpin->setRange(1, std::max(layers, 1));
    // Until a layer is chosen, show the whole stack: rollout and flow up to the top layer.
    if (!m_layerChosen)
        m_layerSpin->setValue(m_layerSpin->maximum());
}

void AttentionFlowPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Square-ish cells in a wide window: each map at most a little taller than it is wide.
    const int mapWidth = m_raw->width();
    for (HeatmapWidget* w : {m_raw, m_rollout, m_flow})
        w->setMaximumHeight(std::max(w->minimumHeight(), mapWidth + 60));
}

void AttentionFlowPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        requestCompute();
}

void AttentionFlowPanel::requestCompute()
{
    if (!m_trace) {
        m_shown = FlowResult{};
        drawResult();
        return;
    }
    // Behind another tab nothing is computed; showing the tab catches up.
    if (window()->isVisible() && !isVisible()) {
        m_stale = true;
        return;
    }
    m_stale = false;
    m_pendingId = m_controller->request(m_trace, selection());
    m_status->setText(tr("Computing attention flow…"));
}

void AttentionFlowPanel::onComputed(const FlowReply& reply)
{
    if (reply.requestId != m_pendingId)
        return; // a newer request is under way
    m_shown = reply.result;
    drawResult();
    emit resultShown();
}

QString AttentionFlowPanel::statusText() const
{
    return m_status->text();
}

void AttentionFlowPanel::drawResult()
{
    const FlowResult& r = m_shown;
    const bool source = r.selection.view == FlowView::SourceAttribution;
    m_explanation->setText(
        source ? tr("Cross-attention looks at the encoder's last layer, whose positions already mix the source words. "
                    "Composing the layer's cross-attention (mean over heads) with the encoder's rollout or flow "
                    "attributes each output token to the source words themselves.")
               : tr("Raw attention of a layer looks at the previous layer's positions, which are already mixtures of "
                    "the words. Rollout multiplies the layers' attention (each mixed with the residual connection, "
                    "0.5·A + 0.5·I); flow treats them as a network of capacities and takes the maximum flow from "
                    "each position to each word (Abnar & Zuidema 2020). Rows: positions after the layer; columns: input words."));
    m_status->setText(!r.error.isEmpty() ? r.error
                      : !r.flowNote.isEmpty() ? r.flowNote
                      : m_trace ? tr("model step %1 · mean over heads").arg(m_step) : QString());
    const QString range = r.selection.layer == 0 ? tr("layer 1") : tr("layers 1–%1").arg(r.selection.layer + 1);
    struct Part {
        HeatmapWidget* widget;
        const al::Mat* matrix;
        QString title;
        QString slug;
    };
    const Part parts[] = {
        {m_raw, &r.raw,
         source ? tr("Cross-attention · decoder layer %1").arg(r.selection.layer + 1)
                : tr("Raw attention · layer %1").arg(r.selection.layer + 1),
         QStringLiteral("raw")},
        {m_rollout, &r.rollout,
         source ? tr("Source attribution · encoder rollout") : tr("Attention rollout · %1").arg(range),
         QStringLiteral("rollout")},
        {m_flow, &r.flow, source ? tr("Source attribution · encoder flow") : tr("Attention flow · %1").arg(range),
         QStringLiteral("flow")},
    };
    for (const Part& p : parts) {
        if (p.matrix->size() == 0) {
            p.widget->clearMatrix();
            p.widget->setTitle(r.error.isEmpty() && m_trace ? p.title : QString());
            p.widget->setExportFileName(QString());
            continue;
        }
        p.widget->setMatrix(*p.matrix, r.queries, r.keys);
        p.widget->setTitle(p.title);
        if (source)
            p.widget->setAxisTitles(tr("source word"), tr("output token"));
        else if (p.slug == QLatin1String("raw"))
            p.widget->setAxisTitles(tr("key"), tr("query"));
        else
            p.widget->setAxisTitles(tr("input word"), tr("position"));
        p.widget->setScaleLabel(p.slug == QLatin1String("raw") ? tr("attention weight") : tr("share of the word"));
        p.widget->setExportFileName(flowExportFileName(r.selection, p.slug));
    }
}

} // namespace al::ui
