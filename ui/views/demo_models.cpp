// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/demo_models.h"

#include "ui/app/language.h"
#include "ui/views/lab_setup_applier.h"
#include "ui/views/main_window.h"
#include "ui/views/retranslate.h"

#include <QAction>
#include <QDir>
#include <QMenu>
#include <QStatusBar>

namespace al::ui {

DemoModels::DemoModels(MainWindow* window) : QObject(window), m_window(window)
{
    m_menu = new QMenu(window);
    m_menu->setObjectName(QStringLiteral("demoMenu"));
    const QString file = DemoCatalog::findInstalled();
    if (!file.isEmpty()) {
        try {
            m_catalog = DemoCatalog::read(file);
        } catch (const std::exception& e) {
            m_error = QString::fromStdString(e.what());
        }
    }
    onLanguageChange(m_menu, [this] {
        m_menu->setTitle(tr("Open &demo model"));
        rebuildMenu();
    });
}

void DemoModels::setCatalog(const DemoCatalog& catalog)
{
    m_catalog = catalog;
    m_error.clear();
    rebuildMenu();
}

void DemoModels::rebuildMenu()
{
    // The actions are children of this QObject, not of the menu: a language change that
    // rebuilds the menu runs while Qt sends the event to the menu's children, which must not be
    // deleted under it.
    m_menu->clear();
    qDeleteAll(m_actions);
    m_actions.clear();
    const QString language = uiLanguage();
    for (const DemoModel& demo : m_catalog.models()) {
        auto* a = new QAction(demo.titleIn(language), this);
        connect(a, &QAction::triggered, this, [this, id = demo.id] { open(id); });
        m_menu->addAction(a);
        m_actions << a;
        a->setObjectName(QStringLiteral("demo:") + demo.id);
        a->setToolTip(demo.aboutIn(language));
        a->setStatusTip(demo.aboutIn(language));
        a->setEnabled(demo.isInstalled());
    }
    if (m_catalog.isEmpty()) {
        auto* none = new QAction(m_error.isEmpty() ? tr("(no demo models installed)") : tr("(the demo list cannot be read)"), this);
        m_menu->addAction(none);
        m_actions << none;
        none->setToolTip(m_error);
        none->setEnabled(false);
    }
    m_menu->setToolTipsVisible(true);
}

bool DemoModels::open(const QString& id)
{
    const DemoModel* demo = m_catalog.find(id);
    if (!demo || !demo->isInstalled()) {
        m_window->statusBar()->showMessage(
            demo ? tr("The demo model %1 is not installed (no %2).").arg(id, QDir::toNativeSeparators(demo->directory))
                 : tr("There is no demo model %1.").arg(id));
        return false;
    }
    // Opened as a setup naming it, so the task, the sentence and the session's model reference
    // ("demo:<id>") follow as for a lesson or a session file.
    LabSetup setup;
    setup.model = QStringLiteral("demo:") + id;
    LabSetupContext context;
    context.demosFile = m_catalog.file();
    const QString error = applyLabSetup(*m_window, setup, context);
    if (!error.isEmpty()) {
        m_window->statusBar()->showMessage(error);
        return false;
    }
    m_window->statusBar()->showMessage(
        tr("Opened the demo model “%1”. Type a sentence to see its attention; Train continues training it or "
           "starts from scratch.").arg(demo->titleIn(uiLanguage())));
    emit opened(id);
    return true;
}

bool DemoModels::openDefault()
{
    if (m_catalog.isEmpty() || !m_catalog.find(m_catalog.defaultId())) {
        m_window->statusBar()->showMessage(m_error.isEmpty()
                                               ? tr("No demo models are installed: press Train to train a model, or "
                                                    "open a model directory.")
                                               : tr("The demo models cannot be listed: %1").arg(m_error));
        return false;
    }
    return open(m_catalog.defaultId());
}

} // namespace al::ui
