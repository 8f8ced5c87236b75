// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/decoding_view_model.h"
#include "ui/workers/decoding_worker.h"
#include "ui/export/exporters.h"

#include <QWidget>

class QComboBox;
class QCPBars;
class QCPGraph;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;
class QSpinBox;

namespace al::ui {

/// "Decoding step by step": decodes the typed sentence on the newest snapshot (off the GUI
/// thread, only while the panel is visible) with the chosen strategy (greedy; beam with width
/// and length penalty; sampling with temperature, top-k, top-p and seed) and shows, at the
/// selected step, the top-k next-token probabilities as bars with the chosen token highlighted,
/// that step's cross-attention row over the source (one head or the mean over heads) and the
/// output so far. Clicking a bar, or typing a token, forces it at that step: the steps before
/// it are kept, the rest is decoded again (teacher forcing by hand). Logic in
/// decoding_view_model.h.
class DecodingPanel : public QWidget {
    Q_OBJECT
public:
    explicit DecodingPanel(QWidget* parent = nullptr);
    ~DecodingPanel() override;

    /// The newest model snapshot (from training or opened from disk).
    void setModel(const ModelSnapshot& model, qint64 step);
    /// The sentence to decode; a new sentence drops the forced prefix.
    void setSentence(const QString& sentence);
    /// Shows a decoding result (the worker's; tests may feed one by hand with requestId 0).
    /// Results older than the newest shown are ignored.
    void setResult(const DecodingResult& result);

    /// The options the controls describe (forced_prefix empty; see forcedTokens()).
    al::DecodingOptions options() const;
    /// Sets the controls (and requests a run).
    void setOptions(const al::DecodingOptions& options);

    int stepCount() const;
    int currentStep() const { return m_step; }
    void setCurrentStep(int step);
    /// Cross-attention layer (0-based) and head (0-based, -1 = mean over heads).
    void setCrossSelection(int layer, int head);
    int crossLayer() const;
    int crossHead() const;

    /// Forces the token of bar `rank` (0-based) at the current step and decodes again.
    /// False when there is no such bar.
    bool forceBar(int rank);
    /// Forces typed text at the current step (tokenised with the target tokenizer, so a phrase
    /// forces several tokens). False, with the reason in messageText(), when it is empty or not
    /// in the target vocabulary.
    bool forceText(const QString& text);
    /// Drops the forced prefix and decodes again.
    void clearForced();
    QStringList forcedTokens() const;

    StepBars currentBars() const { return m_bars; }
    QVector<double> currentCrossRow() const { return m_crossRow; }
    std::shared_ptr<const al::Trace> trace() const { return m_trace; }
    QCustomPlot* probabilityPlot() const { return m_probPlot; }
    QCustomPlot* crossPlot() const { return m_crossPlot; }
    /// The output so far as plain text (tokens separated by spaces, forced ones in [ ]).
    QString outputText() const;
    QString summaryText() const;
    QString messageText() const;
    DecodingController* controller() const { return m_controller; }

    /// The probability bars in `format` (CSV: stepBarsCsv). Throws al::Error.
    void exportProbabilities(const QString& path, ExportFormat format, const FigureSize& size);
    /// The cross-attention row in `format` (CSV: crossRowCsv). Throws al::Error.
    void exportCrossAttention(const QString& path, ExportFormat format, const FigureSize& size);

    /// Joins the decoding thread (also done by the destructor).
    void shutdown();

signals:
    /// A result (or error) has been shown.
    void resultShown();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void onOptionsChanged();
    void updateStrategyControls();
    void redraw();
    void redrawProbabilities();
    void redrawCross();
    void redrawOutput();
    void rebuildStepList();
    void setMessage(const QString& text, bool error);
    bool forceTokens(const QStringList& tokens);
    QString probabilityTitle() const;
    QString crossTitle() const;

    DecodingController* m_controller = nullptr;
    std::shared_ptr<const al::Trace> m_trace;
    ModelSnapshot m_shownModel;
    qint64 m_shownStep = 0;
    quint64 m_lastId = 0;
    int m_step = 0;
    int m_stepAfterResult = -1; ///< step to select when the next result arrives (after forcing)
    StepBars m_bars;
    QVector<double> m_crossRow;
    QStringList m_resultForced;  ///< forced prefix of the result shown

    QComboBox* m_strategyCombo = nullptr;
    QWidget* m_beamBox = nullptr;
    QWidget* m_sampleBox = nullptr;
    QSpinBox* m_beamWidthSpin = nullptr;
    QDoubleSpinBox* m_lengthPenaltySpin = nullptr;
    QDoubleSpinBox* m_temperatureSpin = nullptr;
    QSpinBox* m_topKSpin = nullptr;
    QDoubleSpinBox* m_topPSpin = nullptr;
    QSpinBox* m_seedSpin = nullptr;
    QSpinBox* m_barsSpin = nullptr;
    QLabel* m_outputLabel = nullptr;
    QLabel* m_summaryLabel = nullptr;
    QSlider* m_stepSlider = nullptr;
    QLabel* m_stepLabel = nullptr;
    QListWidget* m_stepList = nullptr;
    QCustomPlot* m_probPlot = nullptr;
    QCPBars* m_barsOther = nullptr;
    QCPBars* m_barsChosen = nullptr;
    QCPGraph* m_sampleMarks = nullptr;
    QCustomPlot* m_crossPlot = nullptr;
    QCPBars* m_crossBars = nullptr;
    QSpinBox* m_layerSpin = nullptr;
    QComboBox* m_headCombo = nullptr;
    QComboBox* m_forceCombo = nullptr;
    QPushButton* m_forceButton = nullptr;
    QPushButton* m_clearButton = nullptr;
    QLabel* m_forcedLabel = nullptr;
    QLabel* m_message = nullptr;
};

} // namespace al::ui
