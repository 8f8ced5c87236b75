// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The training curves of one run (loss, learning rate, gradient norm, throughput, validation
// loss and the task metric), kept once and read by every plot that draws them.
#include "ui/view_models/training_session.h"
#include "ui/workers/training_worker.h"

#include <QObject>
#include <QString>
#include <QVector>

namespace al::ui {

/// Curves over training steps; emits changed() after every addition and clear().
class CurveStore : public QObject {
    Q_OBJECT
public:
    explicit CurveStore(QObject* parent = nullptr) : QObject(parent) {}

    /// One chunk's figures: step, loss (nats/token), learning rate, gradient norm, tokens/s.
    void addMetrics(const TrainingMetrics& m);
    /// One validation pass: loss, and the task metric when it has one (fractions stored in
    /// percent, bits/char as is).
    void addValidation(const ValidationMetrics& v);
    void clear();

    const QVector<double>& steps() const { return m_steps; }
    const QVector<double>& loss() const { return m_loss; }
    const QVector<double>& learningRate() const { return m_lr; }
    const QVector<double>& gradNorm() const { return m_grad; }
    const QVector<double>& tokensPerSecond() const { return m_speed; }
    const QVector<double>& validSteps() const { return m_validSteps; }
    const QVector<double>& validLoss() const { return m_validLoss; }
    const QVector<double>& metricSteps() const { return m_metricSteps; }
    const QVector<double>& metricValues() const { return m_metricValues; }
    /// The task metric's name ("exact match", "bits/char", ...); empty for translation.
    QString metricName() const { return m_metricName; }
    bool hasMetrics() const { return m_haveMetrics; }
    /// The newest chunk's figures (valid when hasMetrics()).
    const TrainingMetrics& lastMetrics() const { return m_last; }
    /// The largest finite training or validation loss; 0 when there is none.
    double maxLoss() const;

signals:
    void changed();

private:
    QVector<double> m_steps, m_loss, m_lr, m_grad, m_speed, m_validSteps, m_validLoss, m_metricSteps, m_metricValues;
    QString m_metricName;
    TrainingMetrics m_last;
    bool m_haveMetrics = false;
};

} // namespace al::ui
