// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/presenter_style.h"

#include <QByteArray>
#include <QFont>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QVector>

class QAction;
class QCustomPlot;
class QDockWidget;
class QScrollArea;
class QSplitter;
class QWidget;

namespace al::ui {

class MainWindow;

/// Presenter mode of the main window, for a classroom projector, and the lab's presentation
/// keys. Presenter mode shows the window full screen in large type (the window's font and every
/// plot's axis, tick, title and legend text at PresenterStyle sizes, explicit widget fonts scaled
/// alike), with thick curve and axis pens, the high-contrast colour map on the attention
/// heatmaps, and the settings panel and advanced controls hidden. Leaving it restores every
/// font, pen, colour map, panel visibility, splitter size and the window state it changed.
/// Plots and plot elements that appear while it is on are styled before their first replot.
///
/// Keys anywhere in the window (also outside presenter mode; a presentation clicker sends Page
/// Down / Page Up): Page Down / Page Up emit nextStepRequested() / previousStepRequested()
/// unless a multi-line editor or spin box has the focus; Space is Train when idle, else Pause /
/// Resume, unless a text field has the focus; Escape leaves presenter mode. F11 is action()'s
/// shortcut.
class PresenterMode : public QObject {
    Q_OBJECT
public:
    explicit PresenterMode(MainWindow* window, const PresenterStyle& style = {});
    ~PresenterMode() override;

    bool isActive() const { return m_active; }
    void setActive(bool on);
    const PresenterStyle& style() const { return m_style; }
    /// The checkable "Presenter mode" action (F11), for the View menu.
    QAction* action() const { return m_action; }

signals:
    void activeChanged(bool active);
    void nextStepRequested();
    void previousStepRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void enter();
    void leave();
    /// Styles (or restores, when presenter mode is off) every font and pen of `plot`.
    /// `capturedInPresenter`: texts first seen now were made at the presenter size.
    void stylePlot(QCustomPlot* plot, bool capturedInPresenter);
    void watchPlot(QCustomPlot* plot);
    void trainOrPause();

    MainWindow* m_window = nullptr;
    PresenterStyle m_style;
    QAction* m_action = nullptr;
    bool m_active = false;
    double m_normalPointSize = 0; ///< the window's font size outside presenter mode

    // What enter() changed, for leave().
    Qt::WindowStates m_windowState;
    QByteArray m_geometry;
    bool m_hadWindowFont = false;
    QFont m_windowFont;
    struct WidgetFont {
        QPointer<QWidget> widget;
        QFont font;
    };
    QVector<WidgetFont> m_widgetFonts;
    struct HiddenWidget {
        QPointer<QWidget> widget;
        bool wasHidden = false;
    };
    QVector<HiddenWidget> m_hidden;
    struct SplitterSizes {
        QPointer<QSplitter> splitter;
        QList<int> sizes;
    };
    QVector<SplitterSizes> m_splitters;
    /// Gives the docked, visible docks a presenter width.
    void fitDocks();
    /// Splits the central width between the live panel and the views (1 : 3).
    void shareWidth();
    QList<QPointer<QCustomPlot>> m_plots;
    int m_colorMap = 0;
    int m_colorRange = 0;
};

} // namespace al::ui
