// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Task model probe": opens a task model directory and tries its task on a sentence — the
// probabilities of the fillers of each [MASK] (mlm), the class probabilities (sentiment,
// langid), the tags (pos), a generated continuation (charlm). A thin view of TaskProbeModel.
#include "ui/view_models/task_probe_model.h"

#include <QWidget>

class QComboBox;
class QCPBars;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace al::ui {

class TaskProbeWindow : public QWidget {
    Q_OBJECT
public:
    explicit TaskProbeWindow(QWidget* parent = nullptr);

    /// Loads the task model in `dir`, puts an example sentence in the box and runs it. Returns
    /// false (the error shown in the message line) when the directory is not a task model.
    bool openModel(const QString& dir);
    /// Runs the model on the sentence box; an error is shown in the message line.
    bool runSentence();

    const TaskProbeModel& probe() const { return m_probe; }
    QLineEdit* sentenceEdit() const { return m_sentence; }
    QComboBox* maskSelector() const { return m_maskSelector; }
    QCustomPlot* plot() const { return m_plot; }
    QCPBars* bars() const { return m_bars; }
    QTableWidget* tagTable() const { return m_tagTable; }
    QPlainTextEdit* generatedText() const { return m_generated; }
    QLabel* messageLabel() const { return m_message; }

private:
    void chooseDirectory();
    void showResults();
    void showBars(const ProbeBars& bars, const QString& title);
    void showMask(int index);
    void setMessage(const QString& text, bool error);

    TaskProbeModel m_probe;
    QLabel* m_modelLabel = nullptr;
    QLineEdit* m_sentence = nullptr;
    QPushButton* m_run = nullptr;
    QWidget* m_mlmControls = nullptr;
    QSpinBox* m_topK = nullptr;
    QComboBox* m_maskSelector = nullptr;
    QWidget* m_genControls = nullptr;
    QSpinBox* m_length = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_seed = nullptr;
    QLabel* m_message = nullptr;
    QStackedWidget* m_stack = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPBars* m_bars = nullptr;
    QTableWidget* m_tagTable = nullptr;
    QPlainTextEdit* m_generated = nullptr;
};

} // namespace al::ui
