// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/curve_store.h"

#include <algorithm>
#include <cmath>

namespace al::ui {

void CurveStore::addMetrics(const TrainingMetrics& m)
{
    m_steps << double(m.step);
    m_loss << m.loss;
    m_lr << m.learningRate;
    m_grad << m.gradNorm;
    m_speed << m.tokensPerSecond;
    m_last = m;
    m_haveMetrics = true;
    emit changed();
}

void CurveStore::addValidation(const ValidationMetrics& v)
{
    m_validSteps << double(v.step);
    m_validLoss << v.loss;
    if (!v.metricName.isEmpty()) {
        const bool fraction = v.metricName != QLatin1String("bits/char");
        m_metricSteps << double(v.step);
        m_metricValues << (fraction ? 100.0 * v.metric : v.metric);
        m_metricName = v.metricName;
    }
    emit changed();
}

void CurveStore::clear()
{
    for (QVector<double>* c : {&m_steps, &m_loss, &m_lr, &m_grad, &m_speed, &m_validSteps, &m_validLoss,
                               &m_metricSteps, &m_metricValues})
        c->clear();
    m_metricName.clear();
    m_haveMetrics = false;
    emit changed();
}

double CurveStore::maxLoss() const
{
    double maxLoss = 0;
    for (const QVector<double>* c : {&m_loss, &m_validLoss})
        for (double v : *c)
            if (std::isfinite(v))
                maxLoss = std::max(maxLoss, v);
    return maxLoss;
}

} // namespace al::ui
