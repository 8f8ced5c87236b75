// SPDX-License-Identifier: GPL-3.0-or-later
// The main window's menus (File, View, Experiments, Language, Lessons, Help) and the names of its view tabs,
// set again on every language change.
#include "ui/views/main_window.h"

#include "ui/app/language.h"
#include "ui/views/attention_panel.h"
#include "ui/views/decoding_panel.h"
#include "ui/views/demo_models.h"
#include "ui/views/lesson_panel.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/overview_panel.h"
#include "ui/views/positional_encoding_panel.h"
#include "ui/views/presenter_mode.h"
#include "ui/views/retranslate.h"
#include "ui/views/session_controller.h"
#include "ui/views/settings_panel.h"
#include "ui/views/stepper_panel.h"
#include "ui/views/attention_flow_panel.h"
#include "ui/views/hidden_states_panel.h"
#include "ui/views/head_ablation_panel.h"
#include "ui/views/timeline_panel.h"
#include "ui/views/synthesizer_panel.h"
#include "ui/views/task_probe_window.h"
#include "ui/views/training_plots_panel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QTabWidget>

namespace al::ui {

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(QString());
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction* open = file->addAction(QString(), this, &MainWindow::openModelDirectory);
    open->setShortcut(QKeySequence::Open);
    QAction* save = file->addAction(QString(), this, &MainWindow::saveModelDirectory);
    save->setShortcut(QKeySequence::Save);
    file->addMenu(m_demos->menu());
    QMenu* exportMenu = file->addMenu(QString());
    for (ExportFormat f : exportFormats()) {
        QAction* a = exportMenu->addAction(QString(), this, [this, f] { exportHeatmap(f); });
        onLanguageChange(exportMenu, [a, f] {
            a->setText(f == ExportFormat::Csv ? tr("Numbers as &CSV…") : tr("As &%1…").arg(exportFormatId(f).toUpper()));
        });
    }
    QAction* exportAll = file->addAction(QString(), this, &MainWindow::exportAllHeads);
    file->addSeparator();
    m_session->addMenuActions(file);
    file->addSeparator();
    QAction* quit = file->addAction(QString(), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    onLanguageChange(file, [=] {
        file->setTitle(tr("&File"));
        open->setText(tr("&Open model directory…"));
        save->setText(tr("&Save model directory…"));
        exportMenu->setTitle(tr("&Export focused heatmap"));
        exportAll->setText(tr("Export &all layers and heads…"));
        quit->setText(tr("&Quit"));
    });

    QMenu* view = menuBar()->addMenu(QString());
    view->setObjectName(QStringLiteral("viewMenu"));
    view->addAction(m_presenter->action());
    onLanguageChange(view, [view] { view->setTitle(tr("&View")); });

    QMenu* experiments = menuBar()->addMenu(QString());
    experiments->setObjectName(QStringLiteral("experimentsMenu"));
    QAction* race = experiments->addAction(QString(), this, &MainWindow::showRaceWindow);
    race->setObjectName(QStringLiteral("raceAction"));
    QAction* probe = experiments->addAction(QString(), this, [this] {
        auto* w = findChild<TaskProbeWindow*>(QStringLiteral("taskProbeWindow"));
        if (!w) {
            w = new TaskProbeWindow(this);
            w->setObjectName(QStringLiteral("taskProbeWindow"));
        }
        w->show();
        w->raise();
        w->activateWindow();
    });
    probe->setObjectName(QStringLiteral("taskProbeAction"));
    onLanguageChange(experiments, [=] {
        experiments->setTitle(tr("&Experiments"));
        race->setText(tr("&Race attention variants…"));
        race->setToolTip(tr("Train vanilla attention and the Synthesizer variants on the same task and budget; "
                            "compare their validation curves and scores."));
        probe->setText(tr("&Task model probe…"));
        probe->setToolTip(tr("Try a trained task model (mlm, sentiment, langid, pos, charlm) on a sentence."));
    });

    buildLanguageMenu();

    menuBar()->addMenu(m_lessons->menu());
    QMenu* help = menuBar()->addMenu(QString());
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction* about = help->addAction(QString(), this, &MainWindow::showAbout);
    QAction* aboutQt = help->addAction(QString(), qApp, &QApplication::aboutQt);
    onLanguageChange(help, [=] {
        help->setTitle(tr("&Help"));
        about->setText(tr("&About Attention Lab"));
        aboutQt->setText(tr("About &Qt"));
    });
}

void MainWindow::buildLanguageMenu()
{
    QMenu* menu = menuBar()->addMenu(QString());
    menu->setObjectName(QStringLiteral("languageMenu"));
    auto* group = new QActionGroup(menu);
    const QStringList settings = uiLanguages() << QString();
    const QString current = uiLanguageSetting();
    for (const QString& setting : settings) {
        QAction* a = menu->addAction(uiLanguageName(setting));
        a->setObjectName(setting.isEmpty() ? QStringLiteral("languageSystemAction")
                                           : QStringLiteral("languageAction_%1").arg(setting));
        a->setData(setting);
        a->setCheckable(true);
        a->setChecked(setting == current || (!settings.contains(current) && setting.isEmpty()));
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, setting] {
            QString error;
            if (!setUiLanguage(setting, &error))
                showError(tr("Cannot switch the language"), error);
        });
    }
    QAction* system = menu->actions().constLast();
    onLanguageChange(menu, [menu, system] {
        menu->setTitle(tr("&Language"));
        system->setText(uiLanguageName(QString()));
    });
}

void MainWindow::nameViewTabs()
{
    onLanguageChange(m_viewTabs, [this] {
        const std::pair<QWidget*, QString> names[] = {
            {m_attention, tr("Attention")},
            {m_overview, tr("Layers × heads")},
            {m_synth, tr("Synthesizer")},
            {m_decoding, tr("Decoding")},
            {m_peLab, tr("Positional encoding")},
            {m_stepper, tr("Forward pass")},
            {m_flow, tr("Attention flow")},
            {m_hidden, tr("Hidden states")},
            {m_ablation, tr("Head ablation")},
            {m_timeline, tr("Timeline")},
            {m_trainingPlots, tr("Training plots")},
        };
        for (const auto& [page, name] : names)
            m_viewTabs->setTabText(m_viewTabs->indexOf(page), name);
    });
    onLanguageChange(this, [this] {
        setWindowTitle(tr("Attention Lab"));
        const SettingsRows rows = m_settings->form()->rows();
        m_live->setTitles(rows.sentenceTitle, rows.metricTitle);
        onStateChanged(m_training->state());
    });
}

} // namespace al::ui
