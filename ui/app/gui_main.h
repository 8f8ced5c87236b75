// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QString>
#include <QStringList>

#include <optional>

class QIcon;

/// Runs the Attention Lab main window: creates the QApplication, shows MainWindow and returns
/// the event loop's exit code. app/main.cpp calls this when no subcommand is given.
int runGui(int argc, char** argv);

namespace al::ui {

/// Adds installed CJK families (Noto Sans CJK, Source Han Sans, WenQuanYi, ...) after the
/// application font's family, so Chinese tokens never render as empty boxes even where
/// fontconfig's own fallback is missing. Needs a QGuiApplication.
void installCjkFontFallback();

/// The program's icon, drawn in code: a 4 x 4 attention map with a bright diagonal.
QIcon applicationIcon();

/// What the GUI's command line asks for: `attention-lab [--session FILE | FILE.json]`.
struct GuiArguments {
    QString sessionFile; ///< a session file to open at start (docs/session-format.md); empty: none
    bool startupTime = false; ///< --startup-time: print the ms to the first attention map, then quit
    bool noDemo = false;      ///< --no-demo: open no demo model (the window starts empty)
    bool presenter = false;   ///< --presenter: start in presenter mode
};
/// Parses the GUI's arguments: --session FILE or FILE.json, --startup-time, --no-demo,
/// --presenter (QCoreApplication::arguments(): the program first, Qt's own options such as
/// -platform already taken out by QApplication); nullopt and `error` (an unknown option, two
/// session files, a positional argument that is not a .json file).
std::optional<GuiArguments> parseGuiArguments(const QStringList& arguments, QString* error);

/// Sets application and organisation name ("Attention Lab") and the CJK font fallback.
void configureApplication();

} // namespace al::ui
