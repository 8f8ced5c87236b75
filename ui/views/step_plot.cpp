// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/step_plot.h"

#include <QCoreApplication>
#include <QWidget>
#include <qcustomplot.h>

namespace al::ui {

QCustomPlot* makeStepPlot(QWidget* parent, const QString& objectName, const QString& title, const QString& yLabel)
{
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(objectName);
    plot->setPlottingHint(QCP::phImmediateRefresh, false); // merged paints (see HeatmapWidget)
    plot->setNoAntialiasingOnDrag(true);
    plot->setNotAntialiasedElements(QCP::aePlottables);
    plot->plotLayout()->insertRow(0);
    const QFont font(parent->font().family(), parent->font().pointSize(), QFont::Bold);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, font));
    plot->xAxis->setLabel(QCoreApplication::translate("al::ui::StepPlot", "step"));
    if (!yLabel.isEmpty())
        plot->yAxis->setLabel(yLabel);
    return plot;
}

} // namespace al::ui
