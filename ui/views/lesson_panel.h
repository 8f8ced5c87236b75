// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/lesson.h"

#include <QDockWidget>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QMenu;
class QPushButton;
class QTextBrowser;

namespace al::ui {

/// A coloured frame drawn over a widget of a window to point at it: a transparent child of
/// the target's window, above its siblings, that follows the target's visible rectangle
/// (moves, resizes, tab changes, scrolling) and hides while the target is hidden.
class HighlightFrame : public QWidget {
    Q_OBJECT
public:
    /// Frames `target` (a widget inside a window); the frame is a child of target->window().
    explicit HighlightFrame(QWidget* target);
    QWidget* target() const { return m_target; }
    /// Re-reads the target's geometry (also done by an event filter and a 100 ms timer).
    void follow();

protected:
    void paintEvent(QPaintEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPointer<QWidget> m_target;
    QTimer m_timer;
};

/// The lesson dock: the lesson's title, the step's title and text (rich text), "Step k of n",
/// Previous / Next, and the Lessons menu (the bundled lessons in order and "Open lesson
/// file…"). Entering a step emits setupRequested with the step's setup (a LabSetup without
/// "lesson", relative paths relative to `baseDirectory`) — after Next its own, otherwise those
/// of every step up to it, in order — then frames the widget its
/// "highlight" names (found by objectName in the main window; a tab holding it is made current).
class LessonPanel : public QDockWidget {
    Q_OBJECT
public:
    explicit LessonPanel(QWidget* mainWindow);

    LessonPlayer* player() { return &m_player; }
    /// The Lessons menu: one action per bundled lesson, "Open lesson file…", Previous / Next
    /// step (Page Up / Page Down, the window's presentation keys), and showing the panel.
    QMenu* menu() const { return m_menu; }
    /// The frame of the current step's highlight; null when the step names none or its widget
    /// is not found.
    HighlightFrame* highlightFrame() const { return m_frame; }
    /// The language of the texts ("en", "zh_CN"); follows uiLanguage() on every language change.
    void setLanguage(const QString& language);
    QString language() const { return m_language; }
    /// Opens a lesson file at `step` and shows the panel; false (and errorOccurred) when it
    /// cannot be read.
    bool openLesson(const QString& path, int step = 0);
    /// Shows `lesson` from `step` (its path, when set, is the base of relative model paths).
    void setLesson(const Lesson& lesson, int step = 0);

public slots:
    /// Next / previous step (Page Down / Page Up; presenter mode binds the same keys to these).
    void next();
    void previous();
    /// "Open lesson file…": a file dialog, then openLesson.
    void openLessonFile();

signals:
    /// The setup of the step being entered; `baseDirectory` resolves relative model paths.
    void setupRequested(const QJsonObject& setup, const QString& baseDirectory);
    /// A lesson file could not be opened, or a step names a widget that does not exist.
    void errorOccurred(const QString& title, const QString& message);

private:
    void enterStep();
    /// The lesson's and the current step's texts and "Step k of n", in m_language.
    void showStepTexts();
    void highlight(const QString& objectName);
    void fillMenu();
    void retranslate();

    QWidget* m_window = nullptr;
    LessonPlayer m_player;
    QString m_language;
    QMenu* m_menu = nullptr;
    QObject* m_menuEntries = nullptr; ///< parent of the rebuilt menu entries (see fillMenu)
    QAction* m_nextAction = nullptr;
    QAction* m_previousAction = nullptr;
    QLabel* m_lessonTitle = nullptr;
    QLabel* m_stepTitle = nullptr;
    QTextBrowser* m_text = nullptr;
    QLabel* m_progress = nullptr;
    QPushButton* m_previousButton = nullptr;
    QPushButton* m_nextButton = nullptr;
    QPointer<HighlightFrame> m_frame;
    int m_enteredStep = -1; ///< the step entered last (-1: none since the lesson was set)
};

/// Makes `w` reachable on screen: every QTabWidget page and QStackedWidget page on its way up
/// becomes current, and every QScrollArea holding it scrolls it into view.
void revealWidget(QWidget* w);

} // namespace al::ui
