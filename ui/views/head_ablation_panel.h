// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/workers/ablation_worker.h"

#include <QVector>
#include <QWidget>

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
/// output zeroed, or replaced by its mean) and at once the typed sentence's translation, the
/// validation loss and the BLEU of a held-out sample are shown beside the intact model's.
/// Several heads can be off; one click restores all. "Head importance" ranks every head (a layers
/// x heads heatmap and a ranked bar chart) by the rise in validation loss or the fall in BLEU when
/// it alone is off, or by the gradient importance of Michel et al. Everything runs on the tab's two
/// ablation threads; translation models only (task models: `attention-lab ablate --task`).
class HeadAblationPanel : public QWidget {
    Q_OBJECT
public:
    explicit HeadAblationPanel(QWidget* parent = nullptr);
    ~HeadAblationPanel() override;

    void setModel(const ModelSnapshot& model, qint64 step);
    /// A task model is open: the tab says where its ablation is.
    void setTaskModelOpen();
    /// The corpus whose held-out sample is scored (0-based columns).
    void setCorpus(const QString& path, int srcColumn, int tgtColumn);
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
    void rebuildButtons();
    void score();
    void onDone(const AblationReply& reply);
    void showOutcome();
    void showImportance();

    AblationController* m_scorer = nullptr;
    AblationController* m_ranker = nullptr;
    ModelSnapshot m_model;
    qint64 m_step = 0;
    QString m_corpus;
    int m_srcColumn = 1, m_tgtColumn = 0;
    QString m_sentence;
    quint64 m_pendingScore = 0, m_pendingTable = 0;
    bool m_stale = false;
    bool m_taskModel = false;
    AblationOutcome m_outcome;
    al::HeadImportanceTable m_table;
    std::array<int, al::kAttentionKinds> m_layers{};
    int m_heads = 0;

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
