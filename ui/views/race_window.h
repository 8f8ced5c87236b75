// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The race window: task and budget, Start / Stop, every variant's
// validation curve in one plot and the results table. Thin: the race runs in a RaceController
// (ui/race_worker.h); this widget only turns its data into a plot and a table.
#include "ui/workers/race_worker.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace al::ui {

class RaceWindow : public QWidget {
    Q_OBJECT
public:
    explicit RaceWindow(QWidget* parent = nullptr);
    ~RaceWindow() override;

    RaceController* controller() const { return m_controller; }
    QCustomPlot* plot() const { return m_plot; }
    QTableWidget* table() const { return m_table; }
    /// The request Start would send now (task, budget and threads from the form).
    RaceRequest request() const;

public slots:
    /// Starts the race of the form's settings.
    void startRace();
    /// Starts an explicit request (tests, scripts); false while a race runs.
    bool startRequest(const al::ui::RaceRequest& request);
    void stopRace();

private:
    void scheduleRedraw();
    void redraw();
    void updateButtons();

    RaceController* m_controller = nullptr;
    QComboBox* m_taskCombo = nullptr;
    QComboBox* m_budgetKind = nullptr;
    QSpinBox* m_stepsSpin = nullptr;
    QDoubleSpinBox* m_minutesSpin = nullptr;
    QSpinBox* m_threadsSpin = nullptr;
    QPushButton* m_startButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QLabel* m_status = nullptr;
    QCustomPlot* m_plot = nullptr;
    QTableWidget* m_table = nullptr;
    QTimer m_redrawTimer;
};

} // namespace al::ui
