// SPDX-License-Identifier: GPL-3.0-or-later
// attention-lab: the graphical lab when started without a subcommand; otherwise the headless
// command line (train, translate, eval, ...), which runs under QCoreApplication and needs no
// display; `export` draws, so it runs under a QApplication on Qt's offscreen platform.
#include "app/cli.h"

#ifdef AL_HAVE_GUI
#include "app/bench_gui.h"
#include "app/export_command.h"
#include "ui/app/gui_main.h"

#include <QApplication>
#endif

#include <QCoreApplication>

#include <iostream>

int main(int argc, char** argv)
{
    if (argc >= 2 && al::cli::isCliInvocation(QString::fromLocal8Bit(argv[1]))) {
#ifdef AL_HAVE_GUI
        al::cli::registerSubcommand(al::cli::exportSubcommand());
        al::cli::registerSubcommand(al::cli::benchGuiSubcommand());
        if (al::cli::isBenchGuiInvocation(QString::fromLocal8Bit(argv[1]))) {
            // Shows the window: the user's display, or offscreen when there is none.
            al::cli::chooseBenchGuiPlatform();
            QApplication app(argc, argv);
            al::ui::configureApplication();
            QApplication::setApplicationName("attention-lab");
            return al::cli::runCli(QApplication::arguments().mid(1), std::cin, std::cout, std::cerr);
        }
        if (al::cli::needsGuiApplication(QString::fromLocal8Bit(argv[1]))) {
            al::cli::useOffscreenPlatform();
            QApplication app(argc, argv);
            QApplication::setApplicationName("attention-lab");
            return al::cli::runCli(QApplication::arguments().mid(1), std::cin, std::cout, std::cerr);
        }
#endif
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName("attention-lab");
        return al::cli::runCli(QCoreApplication::arguments().mid(1), std::cin, std::cout, std::cerr);
    }
#ifdef AL_HAVE_GUI
    return runGui(argc, argv);
#else
    std::cerr << "attention-lab was built without the GUI (AL_BUILD_GUI=OFF); see attention-lab --help\n";
    return al::cli::ExitUsage;
#endif
}
