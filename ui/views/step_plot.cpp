// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/step_plot.h"

#include "ui/views/retranslate.h"

#include <QCoreApplication>
#include <QWidget>
#include <qcustomplot.h>

namespace al::ui {

QCustomPlot* makeStepPlot(QWidget* parent, const QString& objectName, TextFn title, TextFn yLabel)
{
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(objectName);
    plot->setPlottingHint(QCP::phImmediateRefresh, false); // merged paints (see HeatmapWidget)
    plot->setNoAntialiasingOnDrag(true);
    plot->setNotAntialiasedElements(QCP::aePlottables);
    plot->plotLayout()->insertRow(0);
    const QFont font(parent->font().family(), parent->font().pointSize(), QFont::Bold);
    auto* titleElement = new QCPTextElement(plot, QString(), font);
    plot->plotLayout()->addElement(0, 0, titleElement);
    onLanguageChange(plot, [plot, titleElement, title = std::move(title), yLabel = std::move(yLabel)] {
        titleElement->setText(title());
        plot->xAxis->setLabel(QCoreApplication::translate("al::ui::StepPlot", "step"));
        if (yLabel)
            plot->yAxis->setLabel(yLabel());
        plot->replot(QCustomPlot::rpQueuedReplot);
    });
    return plot;
}

} // namespace al::ui
