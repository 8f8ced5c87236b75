// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/training_plots_model.h"
#include "engine/core/error.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace al::ui {

QVector<double> emaSmooth(const QVector<double>& values, double weight)
{
    if (!(weight >= 0.0 && weight < 1.0))
        throw al::Error("emaSmooth: smoothing weight " + std::to_string(weight) + " is outside [0, 1)");
    QVector<double> out;
    out.reserve(values.size());
    bool have = false;
    double s = 0;
    for (double x : values) {
        if (!std::isfinite(x)) {
            out << x;
            continue;
        }
        s = have ? weight * s + (1.0 - weight) * x : x;
        have = true;
        out << s;
    }
    return out;
}

int nearestIndex(const QVector<double>& keys, double x)
{
    if (keys.isEmpty())
        return -1;
    const auto it = std::lower_bound(keys.begin(), keys.end(), x);
    if (it == keys.begin())
        return 0;
    if (it == keys.end())
        return int(keys.size()) - 1;
    const int i = int(it - keys.begin());
    return (x - keys[i - 1] <= keys[i] - x) ? i - 1 : i;
}

QString pointToolTip(double step, double value, const QString& name)
{
    const QString v = QString::number(value, 'g', 4);
    const QString s = QCoreApplication::translate("TrainingPlots", "step %1: %2").arg(qint64(std::llround(step))).arg(v);
    return name.isEmpty() ? s : name + QStringLiteral(" · ") + s;
}

double rowEntropy(const al::RowVec& p)
{
    double h = 0;
    for (Eigen::Index j = 0; j < p.size(); ++j) {
        const double v = double(p[j]);
        if (v > 0)
            h -= v * std::log(v);
    }
    return h;
}

double meanEntropy(const al::Mat& map)
{
    double sum = 0;
    int n = 0;
    for (Eigen::Index i = 0; i < map.rows(); ++i) {
        if (!(map.row(i).sum() > 0))
            continue;
        sum += rowEntropy(map.row(i));
        ++n;
    }
    return n > 0 ? sum / n : std::nan("");
}

void EntropyHistory::add(double step, const al::Trace& trace)
{
    bool any = false;
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross})
        any = any || !al::attention_maps(trace, k).empty();
    if (!any)
        return;
    const int n = int(m_steps.size());
    m_steps << step;
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross}) {
        const al::AttentionMaps& maps = al::attention_maps(trace, k);
        for (size_t l = 0; l < maps.size(); ++l)
            for (size_t h = 0; h < maps[l].size(); ++h) {
                QVector<double>& s = m_series[key(k, int(l), int(h))];
                while (s.size() < n)
                    s << std::nan("");
                s << meanEntropy(maps[l][h]);
            }
    }
    for (auto it = m_series.begin(); it != m_series.end(); ++it)
        while (it->size() < m_steps.size())
            *it << std::nan("");
}

void EntropyHistory::clear()
{
    m_steps.clear();
    m_series.clear();
}

int EntropyHistory::layers(al::AttentionKind kind) const
{
    int n = 0;
    for (auto it = m_series.begin(); it != m_series.end(); ++it)
        if (it.key() / 1000000 == int(kind))
            n = std::max(n, (it.key() / 1000) % 1000 + 1);
    return n;
}

int EntropyHistory::heads(al::AttentionKind kind, int layer) const
{
    int n = 0;
    for (auto it = m_series.begin(); it != m_series.end(); ++it)
        if (it.key() / 1000000 == int(kind) && (it.key() / 1000) % 1000 == layer)
            n = std::max(n, it.key() % 1000 + 1);
    return n;
}

QVector<double> EntropyHistory::series(al::AttentionKind kind, int layer, int head) const
{
    return m_series.value(key(kind, layer, head));
}

} // namespace al::ui
