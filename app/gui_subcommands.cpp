// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/gui_subcommands.h"

#include "app/bench_gui.h"
#include "app/export_command.h"
#include "ui/app/gui_main.h"

#include <QApplication>
#include <QCommandLineOption>
#include <QCommandLineParser>

#include <iostream>

namespace al::cli {

namespace {

/// A subcommand entry that parses its words into Options and runs them; a parse status other
/// than Ok is reported as every subcommand reports it.
template <class Options>
ExternalSubcommand makeCommand(const QString& name, const QString& summary,
                               ParseStatus (*parse)(const QStringList&, Options&),
                               int (*run)(const Options&, std::ostream&, std::ostream&))
{
    ExternalSubcommand sub;
    sub.name = name;
    sub.summary = summary;
    sub.run = [name, parse, run](const QStringList& args, std::ostream& out, std::ostream& err) {
        Options o;
        const ParseStatus st = parse(args, o);
        return st.kind == ParseStatus::Ok ? run(o, out, err) : reportParseStatus(name, st, out, err);
    };
    return sub;
}

} // namespace

const std::vector<GuiSubcommand>& guiSubcommands()
{
    static const std::vector<GuiSubcommand> subs{
        {makeCommand<ExportOptions>(
             "export", "Write a sentence's attention maps as PNG, SVG, PDF or CSV files (no display needed).",
             parseExportArgs, runExport),
         false},
        {makeCommand<BenchGuiOptions>(
             "bench-gui",
             "Measure the GUI overhead: training tokens/s with the window open and live views vs headless.",
             parseBenchGuiArgs, runBenchGui),
         true},
    };
    return subs;
}

const GuiSubcommand* findGuiSubcommand(const QString& word)
{
    for (const GuiSubcommand& s : guiSubcommands())
        if (s.command.name == word)
            return &s;
    return nullptr;
}

void registerGuiSubcommands()
{
    for (const GuiSubcommand& s : guiSubcommands())
        registerSubcommand(s.command);
}

int runGuiSubcommand(const GuiSubcommand& sub, int argc, char** argv)
{
    if (!sub.showsWindow)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    else if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
             && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (sub.showsWindow)
        al::ui::configureApplication();
    QApplication::setApplicationName("attention-lab");
    return runCli(QApplication::arguments().mid(1), std::cin, std::cout, std::cerr);
}

void declareGuiSubcommandOptions(QCommandLineParser& p)
{
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.addOption(QCommandLineOption({"h", "help"}, "Show this help and exit."));
    p.addOption(QCommandLineOption("version", "Show the program version and exit."));
}

ParseStatus parseGuiSubcommandArgs(QCommandLineParser& p, const QString& sub, const QStringList& args,
                                   const QString& usage)
{
    QStringList argv = args;
    argv.prepend("attention-lab " + sub);
    if (!p.parse(argv))
        return {ParseStatus::Error, p.errorText()};
    if (p.isSet("help")) {
        const QString text = p.helpText();
        const int nl = text.indexOf('\n');
        return {ParseStatus::Help, "Usage: " + usage + (nl >= 0 ? text.mid(nl) : QString())};
    }
    if (p.isSet("version"))
        return {ParseStatus::Version, versionLine()};
    if (!p.positionalArguments().isEmpty())
        return {ParseStatus::Error, "unexpected argument '" + p.positionalArguments().first() + "'"};
    return {};
}

bool prepareDrawing(const QString& sub, std::ostream& err)
{
    if (!qobject_cast<QApplication*>(QCoreApplication::instance())) {
        err << "attention-lab " << sub.toStdString() << ": internal error: drawing needs a QApplication\n";
        return false;
    }
    al::ui::installCjkFontFallback();
    return true;
}

} // namespace al::cli
