// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/workers/ablation_worker.h"

#include <QVector>
#include <QWidget>

#include <functional>

class QComboBox;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QPushButton;
class QToolButton;

namespace al::ui {

class HeatmapWidget;

/// The "Head ablation" tab (Michel et al. 2019, "Are Sixteen Heads Really Better than One?"):
/// one button per head of every attention kind and layer; a click switches the head off (its
/// output zeroed, or replaced by its mean) and at once the model's output for the typed
/// sentence (a translation; a task model's tags, class, [MASK] fillers or continuation), the
/// validation loss and the metric (BLEU for translation models, accuracy for task models) of a
/// held-out sample are shown beside the intact model's. Several heads can be off; one click
/// restores all. "Head importance" ranks every head (a layers x heads heatmap and a ranked bar
/// chart) by the rise in validation loss or the fall in the metric when it alone is off, or by
/// the gradient importance of Michel et al. Everything runs on the tab's two ablation threads.
class HeadAblationPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeadAblationPanel(QWidget* parent = nullptr);
    ~HeadAblationPanel() override;

    /// A translation model (or copy/reverse/sort) is shown; its sample is a Corpus or
    /// Algorithmic source.
    void setModel(const ModelSnapshot& model, qint64 step);
    /// A task model (charlm, pos, sentiment, langid, mlm) is shown; its sample is a Task source.
    void setTaskModel(const TaskModelSnapshot& model, qint64 step);
    /// The held-out sample scored from now on.
    void setSource(const AblationSource& source);
    /// Where the held-out sample comes from, asked afresh for every score and table and when
    /// the tab is shown (a changed source scores again): the main window reads its settings.
    void setSourceProvider(std::function<AblationSource()> provider);
    /// What the provider gives may have changed (the settings did): scores again when it did.
    void checkSource();
    void setSentence(const QString& sentence);
    /// Switches `head` off (or on again) as its button would.
    void setHeadOff(const al::HeadId& head, bool off);
    /// Switches every head on again.
    void restoreAll();
    /// Starts the importance table.
    void computeImportance();
    void shutdown();

    al::HeadMask mask() const;
    const AblationOutcome& outcome() const { return m_outcome; }
    const al::HeadImportanceTable& importance() const { return m_table; }
    QToolButton* headButton(const al::HeadId& head) const;
    HeatmapWidget* importanceHeatmap() const { return m_heatmap; }
    QCustomPlot* importanceBars() const { return m_bars; }
    QString resultText() const;

signals:
    /// The scores of the current mask were shown.
    void scored();
    /// The importance table was shown.
    void importanceShown();

protected:
    void showEvent(QShowEvent* event) override;

private:
    /// After a new model (snapshot) of `step`: the buttons and tables when its heads or its family
    /// (translation or task) changed, then a new score.
    void modelChanged(qint64 step, bool shapeChanged, bool familyChanged);
    void rebuildButtons();
    bool hasModel() const { return m_model || m_taskModel; }
    /// The metric the figures and plots name: accuracy for a task model, else BLEU.
    bool accuracyMetric() const { return bool(m_taskModel); }
    void updateMetricTexts();
    void score();
    void onDone(const AblationReply& reply);
    void showOutcome();
    void showImportance();

    AblationController* m_scorer = nullptr;
    AblationController* m_ranker = nullptr;
    ModelSnapshot m_model;
    TaskModelSnapshot m_taskModel;
    qint64 m_step = 0;
    std::function<AblationSource()> m_source;
    QString m_scoredSource; ///< AblationSource::key of the last score asked for
    QString m_sentence;
    quint64 m_pendingScore = 0, m_pendingTable = 0;
    bool m_stale = false;
    AblationOutcome m_outcome;
    al::HeadImportanceTable m_table;
    std::array<int, al::kAttentionKinds> m_layers{};
    int m_heads = 0;

    QLabel* m_intro = nullptr;
    QComboBox* m_mode = nullptr;
    QPushButton* m_restore = nullptr;
    QPushButton* m_rank = nullptr;
    QComboBox* m_measure = nullptr; ///< which importance the heatmap and bars show
    QWidget* m_buttonHost = nullptr;
    QGridLayout* m_buttonGrid = nullptr;
    QVector<QPair<al::HeadId, QToolButton*>> m_buttons;
    QLabel* m_result = nullptr;
    QLabel* m_status = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    QCustomPlot* m_bars = nullptr;
};

} // namespace al::ui
