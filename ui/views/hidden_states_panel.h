// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/hidden_states_view.h"
#include "ui/workers/inference_worker.h"

#include <QWidget>

#include <memory>

class QBoxLayout;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

namespace al::ui {

/// The "Hidden states" tab: a word in two sentences and the cosine similarity of its
/// representation after the embedding and after every layer, beside the mean similarity of
/// different words (the level unrelated words reach); below, a PCA of both sentences' hidden
/// states at a chosen layer, hover showing each point's token. Both sentences run on inference
/// threads of their own with forward detail (no model pass on the GUI thread), on the newest
/// snapshot of a translation or task model; the logic is hidden_states_view.h. Both plots
/// export (PNG, SVG, PDF, CSV) from their context menus.
class HiddenStatesPanel : public QWidget {
    Q_OBJECT
public:
    explicit HiddenStatesPanel(QWidget* parent = nullptr);
    ~HiddenStatesPanel() override;

    /// The translation model to run (replaces a task model).
    void setModel(const ModelSnapshot& model, qint64 step);
    /// A task model to run (replaces a translation model).
    void setTaskModel(const TaskModelSnapshot& model, qint64 step);
    /// Sets the sentences and the word (an example's, or the user's).
    void setInputs(const QString& sentenceA, const QString& sentenceB, const QString& word);
    /// Joins the inference threads (also done by the destructor).
    void shutdown();

    const HiddenStatesComparison& comparison() const { return m_comparison; }
    const StateScatter& scatter() const { return m_scatter; }
    QCustomPlot* similarityPlot() const { return m_similarity; }
    QCustomPlot* scatterPlot() const { return m_scatterPlot; }
    QString messageText() const;
    /// The tooltip text for the scatter point nearest to pixel `pos` of the scatter plot (empty: none).
    QString pointToolTip(const QPoint& pos) const;

signals:
    /// Both sentences answered on the same snapshot and the plots were drawn.
    void compared();

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void chooseDefaultExample();
    void run();
    void answer(int side, const InferenceResult& result);
    void redraw();
    void redrawScatter();
    void fitLayerLabels();

    InferenceController* m_inference[2] = {nullptr, nullptr};
    ModelSnapshot m_model;
    TaskModelSnapshot m_taskModel;
    qint64 m_step = 0;
    quint64 m_pending[2] = {0, 0};
    std::shared_ptr<const al::Trace> m_traces[2];
    bool m_stale = false;
    bool m_exampleChosen = false;
    QTimer* m_runTimer = nullptr;
    HiddenStatesComparison m_comparison;
    StateScatter m_scatter;

    QComboBox* m_examples = nullptr;
    QLineEdit* m_sentence[2] = {nullptr, nullptr};
    QLineEdit* m_word = nullptr;
    QSpinBox* m_occurrence[2] = {nullptr, nullptr};
    QComboBox* m_layer = nullptr;
    QComboBox* m_colourBy = nullptr;
    QLabel* m_message = nullptr;
    QCustomPlot* m_similarity = nullptr;
    QCustomPlot* m_scatterPlot = nullptr;
    QBoxLayout* m_plots = nullptr; ///< the two plots: side by side when the tab is wide
};

} // namespace al::ui
