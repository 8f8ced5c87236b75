// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/positional_encoding_view_model.h"
#include "ui/workers/training_worker.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// The positional-encoding lab ("Attention Is All You Need" section 3.5): curves of chosen
/// dimensions over positions, the full position x dimension table as a heatmap, and the
/// similarity (dot product or cosine) between positions, for a sinusoidal preview of any
/// d_model and length; when the current model learns its positional table (pos_emb.weight),
/// that table and its similarity beside the sinusoidal ones, live while training runs.
/// Numbers come from positional_encoding_view_model.h; redraws are coalesced on a timer.
class PositionalEncodingPanel : public QWidget {
    Q_OBJECT
public:
    explicit PositionalEncodingPanel(QWidget* parent = nullptr);

    /// The newest model snapshot; the preview follows its d_model and max_len when a model of a
    /// new shape arrives. Learned tables are shown beside the sinusoidal ones.
    void setModel(const ModelSnapshot& model, qint64 step);

    void setPreviewSize(int dModel, int positions);
    int previewDModel() const;
    int previewPositions() const;
    /// "Dimensions to plot" (see parseDimensions); invalid text shows its error and keeps the
    /// previous curves.
    void setDimensionsText(const QString& text);
    QVector<int> plottedDimensions() const { return m_dims; }
    void setSimilarity(PositionSimilarity kind);
    PositionSimilarity similarity() const;
    /// Redraws now (normally coalesced on a timer).
    void redrawNow();

    bool showsLearned() const { return m_learned.size() > 0; }
    QCustomPlot* curvesPlot() const { return m_curves; }
    HeatmapWidget* sinusoidalTableHeatmap() const { return m_sinTable; }
    HeatmapWidget* sinusoidalSimilarityHeatmap() const { return m_sinSimilarity; }
    HeatmapWidget* learnedTableHeatmap() const { return m_learnedTable; }
    HeatmapWidget* learnedSimilarityHeatmap() const { return m_learnedSimilarity; }
    QString messageText() const;

protected:
    void showEvent(QShowEvent* event) override;

private:
    void scheduleRedraw();
    void redraw();

    ModelSnapshot m_model;
    qint64 m_step = 0;
    al::Mat m_learned;      ///< the model's pos_emb.weight (max_len, C); empty unless learned
    int m_lastModelC = 0, m_lastModelLen = 0;
    QVector<int> m_dims;
    bool m_dirty = false;

    QSpinBox* m_dModelSpin = nullptr;
    QSpinBox* m_positionsSpin = nullptr;
    QLineEdit* m_dimsEdit = nullptr;
    QComboBox* m_similarityCombo = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_message = nullptr;
    QCustomPlot* m_curves = nullptr;
    QGroupBox* m_learnedGroup = nullptr;
    HeatmapWidget* m_sinTable = nullptr;
    HeatmapWidget* m_sinSimilarity = nullptr;
    HeatmapWidget* m_learnedTable = nullptr;
    HeatmapWidget* m_learnedSimilarity = nullptr;
    QTimer m_redrawTimer;
};

} // namespace al::ui
