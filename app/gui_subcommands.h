// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The subcommands that draw with the GUI library and so run under a QApplication rather than
// the QCoreApplication of the rest of the command line: `export` (attention maps as files, on
// Qt's offscreen platform) and `bench-gui` (the main window on the user's display). What they
// share lives here: how each is registered with runCli, the QApplication it runs under, the
// parser preamble of its options and the check that drawing is possible.
#include "app/cli.h"

#include <QString>
#include <QStringList>

#include <iosfwd>
#include <vector>

class QCommandLineParser;

namespace al::cli {

/// One subcommand that draws.
struct GuiSubcommand {
    ExternalSubcommand command;
    /// true (bench-gui): shows the main window on the user's display (DISPLAY or
    /// WAYLAND_DISPLAY; offscreen when neither is set and no QT_QPA_PLATFORM is chosen) and
    /// configures the application as the GUI does. false (export): always offscreen, so it
    /// works the same in CI, over SSH and on a desktop.
    bool showsWindow = false;
};

/// export and bench-gui, in help order.
const std::vector<GuiSubcommand>& guiSubcommands();
/// The one named `word` (argv[1]), or nullptr.
const GuiSubcommand* findGuiSubcommand(const QString& word);
/// registerSubcommand() for each of guiSubcommands(), so that runCli dispatches to them and
/// lists them in its help.
void registerGuiSubcommands();
/// Chooses the platform of `sub`, creates its QApplication from argv and runs runCli on the
/// words after the program name. Returns the exit code.
int runGuiSubcommand(const GuiSubcommand& sub, int argc, char** argv);

/// Starts the parser of a subcommand that draws: single-dash long options, --help and
/// --version (listed first); the subcommand declares its own options after.
void declareGuiSubcommandOptions(QCommandLineParser& p);
/// Parses `args` (the words after `sub`) with `p` (declareGuiSubcommandOptions and the
/// subcommand's options): Ok when the options are to be read from `p`; else Help (with `usage`,
/// e.g. "attention-lab export --model DIR ...", as its first line), Version or a usage Error (a
/// positional argument is one).
ParseStatus parseGuiSubcommandArgs(QCommandLineParser& p, const QString& sub, const QStringList& args,
                                   const QString& usage);

/// False, with "attention-lab <sub>: internal error: drawing needs a QApplication" on `err`, when
/// the running application cannot draw; else installs the CJK font fallback and returns true.
bool prepareDrawing(const QString& sub, std::ostream& err);

} // namespace al::cli
