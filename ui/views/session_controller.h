// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The main window's sessions and remembered settings: File > Open session… / Save session…
// (session files, ui/view_models/session_file.h), the model reference and lesson a captured
// setup names, and the QSettings of the window (ui/view_models/app_settings.h).
#include "ui/view_models/app_settings.h"
#include "ui/view_models/lab_setup.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QMenu;

namespace al::ui {

class LessonPanel;
class MainWindow;

/// Owned by the MainWindow (its child); GUI thread.
class SessionController : public QObject {
    Q_OBJECT
public:
    explicit SessionController(MainWindow* window);
    ~SessionController() override;

    /// Adds "Open session…" and "Save session…" (objectNames openSessionAction,
    /// saveSessionAction) to `menu`.
    void addMenuActions(QMenu* menu);

    /// Reads a session file and applies it (relative paths in it are relative to its folder).
    /// Returns the error (naming the file and member; the window is then unchanged) or an
    /// empty string.
    QString openSession(const QString& path);
    /// openSession(), showing an error in a message box.
    bool openSessionReporting(const QString& path);
    /// Captures the window's setup and writes it as a session file atomically; the error
    /// (naming the file) or an empty string.
    QString saveSession(const QString& path);
    void openSessionDialog();
    void saveSessionDialog();

    /// The model reference a captured setup names ("demo:<id>" or an absolute directory): the
    /// model last opened, by a setup or from the File menu; empty when none was opened.
    QString modelReference() const { return m_modelReference; }
    /// Records that `reference` (as a setup names it) was opened from `directory`.
    void setModelReference(const QString& reference, const QString& directory);
    /// A model directory was opened (MainWindow::modelOpened).
    void noteModelOpened(const QString& directory);

    /// The open lesson and step a captured setup names (the lessons set it); nullopt: none.
    std::optional<LabLesson> lesson() const { return m_lesson; }
    void setLesson(const std::optional<LabLesson>& lesson) { m_lesson = lesson; }
    /// A setup names `lesson`: remembers it and emits lessonRequested().
    void requestLesson(const LabLesson& lesson);
    /// Connects the lesson dock: each step's setup is applied to the window (relative paths
    /// relative to the lesson file; an error is shown and the window left as it was), the
    /// current lesson and step are what a captured setup names, and a setup naming a lesson
    /// opens it in `panel`.
    void attachLessonPanel(LessonPanel* panel);

    /// Remembers the window in `settings`: restores geometry, window state, splitter sizes and
    /// heatmap colours from it now, and saveSettings() writes them back. Without this call (the
    /// tests' windows) nothing is read or written.
    void rememberSettings(std::unique_ptr<AppSettings> settings);
    /// Writes geometry, state, splitter sizes, heatmap colours (MainWindow::closeEvent).
    void saveSettings();
    /// The remembered settings; null unless rememberSettings() was called.
    AppSettings* settings() const { return m_settings.get(); }
    /// The folder the open-model dialog starts in (the last model directory; empty: none).
    QString lastModelDirectory() const;

signals:
    /// A setup named a lesson and step (the lessons open it).
    void lessonRequested(const QString& file, int step);

private:
    MainWindow* m_window;
    QString m_modelReference;
    QString m_modelDirectory;
    std::optional<LabLesson> m_lesson;
    std::unique_ptr<AppSettings> m_settings;
};

} // namespace al::ui
