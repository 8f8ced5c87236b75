// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/overview_panel.h"

#include "ui/views/retranslate.h"
#include "ui/views/heatmap_widget.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace al::ui {

OverviewPanel::OverviewPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    m_empty = trLabel(this, [] {
        return tr("Every head of every layer appears here once a model translates the sentence. "
                  "Hover a cell for query, key and weight; click a thumbnail to focus it.");
    });
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_host = new QWidget(scroll);
    m_grid = new QGridLayout(m_host);
    m_grid->setSpacing(4);
    scroll->setWidget(m_host);
    layout->addWidget(scroll, 1);
}

void OverviewPanel::setColors(ColorMap map, ColorRange range)
{
    m_map = map;
    m_range = range;
    for (HeatmapWidget* w : m_thumbs) {
        w->setColorMap(map);
        w->setColorRange(range);
    }
}

void OverviewPanel::setTrace(std::shared_ptr<const al::Trace> trace)
{
    m_trace = std::move(trace);
    m_rebuild.request();
}

void OverviewPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    m_rebuild.shown();
}

void OverviewPanel::rebuild()
{
    QVector<QPair<int, al::AttentionKind>> captions;
    const QVector<OverviewCell> cells = m_trace ? overviewCells(*m_trace, &captions) : QVector<OverviewCell>{};
    // Rebuild the grid only when its shape changes; otherwise refresh the matrices.
    bool same = cells.size() == m_cells.size();
    for (int i = 0; same && i < cells.size(); ++i)
        same = cells[i].row == m_cells[i].row && cells[i].column == m_cells[i].column && cells[i].sel.kind == m_cells[i].sel.kind;
    if (!same) {
        qDeleteAll(m_thumbs);
        qDeleteAll(m_captions);
        m_thumbs.clear();
        m_captions.clear();
        for (const auto& [row, kind] : captions) {
            auto* label = new QLabel(m_host);
            onLanguageChange(label, [label, kind = kind] { label->setText(QStringLiteral("<b>%1</b>").arg(attentionKindName(kind))); });
            m_grid->addWidget(label, row, 0, 1, -1);
            m_captions << label;
        }
        for (const OverviewCell& c : cells) {
            auto* w = new HeatmapWidget(m_host);
            w->setCompact(true);
            const AttentionSelection sel = c.sel;
            onLanguageChange(w, [w, sel] {
                w->setTitle(tr("L%1 H%2").arg(sel.layer + 1).arg(sel.head + 1));
                w->setToolTip(tr("%1 · layer %2 · head %3 — click to focus")
                                  .arg(attentionKindName(sel.kind))
                                  .arg(sel.layer + 1)
                                  .arg(sel.head + 1));
            });
            w->setMinimumSize(80, 96);
            w->setColorMap(m_map);
            w->setColorRange(m_range);
            connect(w, &HeatmapWidget::clicked, this, [this, sel] { emit selected(sel); });
            m_grid->addWidget(w, c.row, c.column);
            m_thumbs << w;
        }
        m_cells = cells;
    }
    m_empty->setVisible(cells.isEmpty());
    for (int i = 0; i < cells.size(); ++i) {
        const AttentionSelection& s = cells[i].sel;
        if (const al::Mat* m = selectAttention(*m_trace, s))
            m_thumbs[i]->setMatrix(*m, queryTokens(*m_trace, s.kind), keyTokens(*m_trace, s.kind));
        else
            m_thumbs[i]->clearMatrix();
    }
}

} // namespace al::ui
