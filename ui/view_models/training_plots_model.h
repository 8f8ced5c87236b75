// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pure (widget-free) logic behind the live training plots: EMA smoothing, log-scale
// ranges, the point under the mouse and attention entropy per head over training.
#include "engine/trace/trace.h"

#include <QMap>
#include <QString>
#include <QVector>

namespace al::ui {

/// Exponential moving average s_t = w * s_{t-1} + (1 - w) * x_t with s_0 = x_0 (TensorBoard's
/// smoothing weight w in [0, 1); w = 0 returns the values unchanged). Non-finite values are
/// passed through and do not enter the average. Throws al::Error for w outside [0, 1).
QVector<double> emaSmooth(const QVector<double>& values, double weight);

/// Index of the point whose key is nearest to `x` (keys ascending), -1 when empty.
int nearestIndex(const QVector<double>& keys, double x);
/// Tooltip of a plotted point: "step 120: 2.345".
QString pointToolTip(double step, double value, const QString& name = QString());

/// Shannon entropy H(p) = -sum p_j ln p_j (nats) of one probability row (zeros contribute 0).
/// A uniform row over n keys gives ln n, a one-hot row 0.
double rowEntropy(const al::RowVec& p);
/// Mean row entropy of a (queries x keys) map; rows summing to 0 (nothing visible) are skipped.
double meanEntropy(const al::Mat& map);

/// Mean attention entropy of every (kind, layer, head) over training: one sample per recorded
/// step, each from the Trace of a fixed probe sentence.
class EntropyHistory {
public:
    /// Appends the entropies of every map in `trace` at `step` (a trace without maps adds nothing).
    void add(double step, const al::Trace& trace);
    void clear();
    bool isEmpty() const { return m_steps.isEmpty(); }
    QVector<double> steps() const { return m_steps; }
    /// Layers / heads seen for a kind.
    int layers(al::AttentionKind kind) const;
    int heads(al::AttentionKind kind, int layer) const;
    /// Entropy (nats) of (kind, layer, head) at every recorded step; NaN where it was missing.
    QVector<double> series(al::AttentionKind kind, int layer, int head) const;

private:
    static int key(al::AttentionKind kind, int layer, int head) { return (int(kind) * 1000 + layer) * 1000 + head; }
    QVector<double> m_steps;
    QMap<int, QVector<double>> m_series;
};

} // namespace al::ui
