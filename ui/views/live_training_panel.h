// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/curve_store.h"

#include <QTimer>
#include <QWidget>

class QCustomPlot;
class QGroupBox;
class QLabel;
class QLineEdit;

namespace al::ui {

/// The middle column of the main window: the loss and learning-rate curves of a CurveStore
/// (redrawn on a ~5/s timer), the "Now" figures, and the sentence box with the model's answer.
class LiveTrainingPanel : public QWidget {
    Q_OBJECT
public:
    /// `curves` is read, not owned.
    explicit LiveTrainingPanel(CurveStore* curves, QWidget* parent = nullptr);

    QString sentence() const;
    void setSentence(const QString& text);
    /// The answer line (translation, tags, labels, continuation).
    QString outputText() const;
    /// The answer and the token line under it (`tokensToolTip` null: the tooltip is kept).
    void showOutput(const QString& output, const QString& tokens, const QString& tokensToolTip = QString());
    /// A failed model pass: `message` on the answer line, no tokens.
    void showOutputError(const QString& message);
    /// The notice under the sentence box (SentenceCheck::notice: a hint for a blank text, a text
    /// cut to the model's length, unknown tokens); hidden when empty.
    void setNotice(const QString& notice);
    QString notice() const;
    /// A blank sentence: the answer line and token line cleared, `hint` as the notice.
    void showBlankSentence(const QString& hint);
    /// The validation figures; returns the status line for a task metric (empty without one).
    QString showValidation(const ValidationMetrics& v);
    void clearValidation();
    /// Titles of the sentence box ("Translate", "Try the model") and of the task metric.
    void setTitles(const QString& sentenceTitle, const QString& metricTitle);

signals:
    void sentenceChanged(const QString& text);
    /// The "Now" figures were redrawn for training step `step`.
    void figuresShown(qint64 step);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void redrawPlots();
    /// The answer at most 3 lines high, the token line 2, in their fonts (which presenter mode changes).
    void updateTextHeights();

    CurveStore* m_curves = nullptr;
    QCustomPlot* m_lossPlot = nullptr;
    QCustomPlot* m_lrPlot = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_epochLabel = nullptr;
    QLabel* m_lossLabel = nullptr;
    QLabel* m_validLabel = nullptr;
    QLabel* m_perplexityLabel = nullptr;
    QLabel* m_accuracyLabel = nullptr;
    QLabel* m_metricTitle = nullptr; ///< "Exact match:", "Bits/char:", ... (the task's metric)
    QLabel* m_metricLabel = nullptr;
    QLabel* m_lrLabel = nullptr;
    QLabel* m_gradLabel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QGroupBox* m_sentenceBox = nullptr;
    QLineEdit* m_sentenceEdit = nullptr;
    QLabel* m_noticeLabel = nullptr;
    QLabel* m_translationLabel = nullptr;
    QLabel* m_tokensLabel = nullptr;
    bool m_plotsDirty = false;
    QTimer m_plotTimer;
};

} // namespace al::ui
