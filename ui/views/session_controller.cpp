// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/session_controller.h"

#include "ui/views/retranslate.h"

#include "ui/views/lab_setup_applier.h"
#include "ui/views/lesson_panel.h"
#include "ui/views/main_window.h"
#include "ui/view_models/session_file.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenu>
#include <QSplitter>
#include <QStatusBar>

namespace al::ui {

namespace {

QSplitter* mainSplitter(MainWindow* window)
{
    return qobject_cast<QSplitter*>(window->centralWidget());
}

} // namespace

SessionController::SessionController(MainWindow* window) : QObject(window), m_window(window)
{
    setObjectName(QStringLiteral("sessionController"));
    connect(window, &MainWindow::modelOpened, this, &SessionController::noteModelOpened);
}

SessionController::~SessionController() = default;

void SessionController::addMenuActions(QMenu* menu)
{
    QAction* open = menu->addAction(QString(), this, &SessionController::openSessionDialog);
    open->setObjectName(QStringLiteral("openSessionAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction* save = menu->addAction(QString(), this, &SessionController::saveSessionDialog);
    save->setObjectName(QStringLiteral("saveSessionAction"));
    save->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    onLanguageChange(menu, [open, save] {
        open->setText(tr("Open sess&ion…"));
        open->setToolTip(tr("Open a session file: the model, every setting, the seed, the view and the lesson of a run."));
        save->setText(tr("Sa&ve session…"));
        save->setToolTip(tr("Save the model reference, every setting, the seed, the view and the lesson as a session file "
                            "that reproduces this run."));
    });
}

QString SessionController::openSession(const QString& path)
{
    QString error;
    const std::optional<LabSetup> setup = readSessionFile(path, &error);
    if (!setup)
        return error;
    LabSetupContext context;
    context.baseDirectory = QFileInfo(path).absolutePath();
    error = applyLabSetup(*m_window, *setup, context);
    if (!error.isEmpty())
        return tr("%1: %2").arg(QDir::toNativeSeparators(path), error);
    if (m_settings)
        m_settings->setLastSessionFile(QFileInfo(path).absoluteFilePath());
    m_window->statusBar()->showMessage(tr("Opened the session %1.").arg(QDir::toNativeSeparators(path)));
    return {};
}

bool SessionController::openSessionReporting(const QString& path)
{
    const QString error = openSession(path);
    if (!error.isEmpty())
        m_window->showError(tr("Cannot open the session"), error);
    return error.isEmpty();
}

QString SessionController::saveSession(const QString& path)
{
    QString error;
    if (!writeSessionFile(path, captureLabSetup(*m_window), &error))
        return error;
    if (m_settings)
        m_settings->setLastSessionFile(QFileInfo(path).absoluteFilePath());
    m_window->statusBar()->showMessage(tr("Saved the session %1.").arg(QDir::toNativeSeparators(path)));
    return {};
}

void SessionController::openSessionDialog()
{
    const QString start = m_settings ? QFileInfo(m_settings->lastSessionFile()).absolutePath() : QString();
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open session"), start,
                                                      tr("Attention Lab sessions (*.json);;All files (*)"));
    if (!path.isEmpty())
        openSessionReporting(path);
}

void SessionController::saveSessionDialog()
{
    const QString start = m_settings ? m_settings->lastSessionFile() : QString();
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save session"), start,
                                                tr("Attention Lab sessions (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".json");
    const QString error = saveSession(path);
    if (!error.isEmpty())
        m_window->showError(tr("Cannot save the session"), error);
}

void SessionController::setModelReference(const QString& reference, const QString& directory)
{
    // A directory is written absolute, so the session names it wherever the file is moved.
    m_modelReference = reference.startsWith(QLatin1String("demo:")) ? reference : QDir::cleanPath(QDir(directory).absolutePath());
    m_modelDirectory = QDir::cleanPath(QDir(directory).absolutePath());
}

void SessionController::noteModelOpened(const QString& directory)
{
    setModelReference(directory, directory);
    if (m_settings)
        m_settings->setLastModelDirectory(m_modelDirectory);
}

void SessionController::requestLesson(const LabLesson& lesson)
{
    m_lesson = lesson;
    emit lessonRequested(lesson.file, lesson.step);
}

void SessionController::attachLessonPanel(LessonPanel* panel)
{
    connect(panel, &LessonPanel::setupRequested, this, [this, panel](const QJsonObject& json, const QString& base) {
        const QString where = panel->player()->lesson().fileName;
        QString error;
        const std::optional<LabSetup> setup = LabSetup::fromJson(json, &error);
        if (setup) {
            LabSetupContext context;
            context.baseDirectory = base;
            error = applyLabSetup(*m_window, *setup, context);
        }
        if (!error.isEmpty())
            m_window->showError(tr("Lesson step"), tr("%1, step %2: %3").arg(where).arg(panel->player()->index() + 1).arg(error));
    });
    connect(panel->player(), &LessonPlayer::stepChanged, this, [this, panel](int index) {
        m_lesson = LabLesson{panel->player()->lesson().path, index};
    });
    connect(this, &SessionController::lessonRequested, panel, [panel](const QString& file, int step) {
        panel->openLesson(file, step);
    });
}

void SessionController::rememberSettings(std::unique_ptr<AppSettings> settings)
{
    m_settings = std::move(settings);
    if (!m_settings)
        return;
    const QByteArray geometry = m_settings->windowGeometry();
    if (!geometry.isEmpty())
        m_window->restoreGeometry(geometry);
    const QByteArray state = m_settings->windowState();
    if (!state.isEmpty())
        m_window->restoreState(state);
    const QList<int> sizes = m_settings->splitterSizes();
    QSplitter* splitter = mainSplitter(m_window);
    if (splitter && sizes.size() == splitter->count())
        splitter->setSizes(sizes);
    const std::optional<ColorMap> map = m_settings->heatmapColorMap();
    const std::optional<ColorRange> range = m_settings->heatmapColorRange();
    if (map || range)
        m_window->setHeatmapColors(map.value_or(m_window->heatmapColorMap()), range.value_or(m_window->heatmapColorRange()));
}

void SessionController::saveSettings()
{
    if (!m_settings)
        return;
    m_settings->setWindowGeometry(m_window->saveGeometry());
    m_settings->setWindowState(m_window->saveState());
    if (QSplitter* splitter = mainSplitter(m_window))
        m_settings->setSplitterSizes(splitter->sizes());
    m_settings->setHeatmapColorMap(m_window->heatmapColorMap());
    m_settings->setHeatmapColorRange(m_window->heatmapColorRange());
    m_settings->sync();
}

QString SessionController::lastModelDirectory() const
{
    return m_settings ? m_settings->lastModelDirectory() : QString();
}

} // namespace al::ui
