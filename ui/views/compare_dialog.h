// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/forward_view_model.h"
#include "ui/workers/inference_worker.h"
#include "ui/workers/training_worker.h"

#include <QDialog>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace al::ui {

class HeatmapWidget;

/// "Compare two sentences": translates two inputs with the same model (e.g. an ambiguous word
/// in two contexts) and shows the same attention kind, layer and head of both side by side on
/// one colour scale. Selection logic in clampSelectionForBoth() (forward_view_model.h).
class CompareDialog : public QDialog {
    Q_OBJECT
public:
    explicit CompareDialog(QWidget* parent = nullptr);
    void setModel(const ModelSnapshot& model);
    void setSentences(const QString& first, const QString& second);
    void setFirstSentence(const QString& first);
    void setSelection(const AttentionSelection& sel);
    AttentionSelection selection() const;
    /// Asks for both translations, each on its own inference thread; redraws when both have
    /// answered (compared). False (and a message) without a model.
    bool compare();
    /// Joins both inference threads (closing the main window); compare() does nothing afterwards.
    void shutdown();
    HeatmapWidget* heatmap(int side) const { return side == 0 ? m_left : m_right; }
    std::shared_ptr<const al::Trace> trace(int side) const { return side == 0 ? m_traceA : m_traceB; }

signals:
    /// The newest compare() has answered and been drawn; `ok` is false when a side failed (the
    /// dialog says why).
    void compared(bool ok);

private:
    void redraw();
    /// Keeps one side's answer to the newest compare(); shows both once both are in.
    void answer(int side, const InferenceResult& result);

    ModelSnapshot m_model;
    std::shared_ptr<const al::Trace> m_traceA, m_traceB;
    InferenceController* m_inference[2] = {nullptr, nullptr}; ///< one thread per side
    quint64 m_pending[2] = {0, 0};                            ///< request ids of the newest compare()
    std::optional<InferenceResult> m_answer[2];
    QLineEdit* m_first = nullptr;
    QLineEdit* m_second = nullptr;
    QComboBox* m_kind = nullptr;
    QSpinBox* m_layer = nullptr;
    QSpinBox* m_head = nullptr;
    QLabel* m_message = nullptr;
    HeatmapWidget* m_left = nullptr;
    HeatmapWidget* m_right = nullptr;
};

} // namespace al::ui
