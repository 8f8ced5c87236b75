// SPDX-License-Identifier: GPL-3.0-or-later
// attention-lab: the graphical lab when started without a subcommand; otherwise the headless
// command line (train, translate, eval, ...), which runs under QCoreApplication and needs no
// display; `export` and `bench-gui` draw, so they run under a QApplication (app/gui_subcommands.h).
#include "app/cli.h"

#ifdef AL_HAVE_GUI
#include "app/gui_subcommands.h"
#include "ui/app/gui_main.h"
#include "ui/app/startup_time.h"
#endif

#include <QCoreApplication>

#include <iostream>

int main(int argc, char** argv)
{
#ifdef AL_HAVE_GUI
    al::ui::startProcessClock(); // `attention-lab --startup-time` counts from here
#endif
    if (argc >= 2 && al::cli::isCliInvocation(QString::fromLocal8Bit(argv[1]))) {
#ifdef AL_HAVE_GUI
        al::cli::registerGuiSubcommands();
        if (const al::cli::GuiSubcommand* sub = al::cli::findGuiSubcommand(QString::fromLocal8Bit(argv[1])))
            return al::cli::runGuiSubcommand(*sub, argc, argv);
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
