// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "ui/view_models/demo_catalog.h"

#include <QObject>

class QMenu;

class QAction;

namespace al::ui {

class MainWindow;

/// The demo models in the main window: the installed DemoCatalog, the File > Open demo model
/// menu (one entry per demo, titled in the UI language, its "about" text as tooltip) and
/// opening one as a LabSetup naming "demo:<id>" (applyLabSetup): its directory opened, its task
/// selected, its sentence typed into the sentence box, so the answer and its attention appear.
class DemoModels : public QObject {
    Q_OBJECT
public:
    /// Reads the installed catalog (DemoCatalog::findInstalled()); a broken demos.json leaves the
    /// catalog empty and errorMessage() saying why.
    explicit DemoModels(MainWindow* window);

    const DemoCatalog& catalog() const { return m_catalog; }
    QString errorMessage() const { return m_error; }
    /// Replaces the catalog (tests; a catalog read elsewhere) and rebuilds the menu.
    void setCatalog(const DemoCatalog& catalog);
    /// "Open demo model": one action per demo (objectName "demo:<id>"), disabled when its
    /// directory is missing; owned by this object.
    QMenu* menu() const { return m_menu; }
    /// Opens the demo `id`; false (and a message) when it is unknown, missing or unreadable.
    bool open(const QString& id);
    /// Opens the catalog's default demo; false with a status message when none is installed.
    bool openDefault();

signals:
    void opened(const QString& id);

private:
    void rebuildMenu();

    MainWindow* m_window = nullptr;
    DemoCatalog m_catalog;
    QString m_error;
    QMenu* m_menu = nullptr;
    QList<QAction*> m_actions; ///< the menu's entries (children of this object, see rebuildMenu)
};

} // namespace al::ui
