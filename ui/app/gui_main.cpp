// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/app/gui_main.h"

#include "ui/app/language.h"
#include "ui/app/startup_time.h"
#include "ui/view_models/app_settings.h"
#include "ui/views/demo_models.h"
#include "ui/views/main_window.h"
#include "ui/views/session_controller.h"
#include "ui/workers/training_worker.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFont>
#include <QFontDatabase>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QStatusBar>
#include <QStringList>

#include <cstdlib>
#include <iostream>

namespace al::ui {

void installCjkFontFallback()
{
    static const char* const kPreferred[] = {
        "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
        "Noto Sans SC", "Droid Sans Fallback", "AR PL UMing CN", "Microsoft YaHei", "PingFang SC",
    };
    QFont font = QApplication::font();
    QStringList families = font.families();
    if (families.isEmpty())
        families << font.family();
    for (const char* name : kPreferred) {
        const QString family = QString::fromLatin1(name);
        if (!families.contains(family) && QFontDatabase::hasFamily(family))
            families << family;
    }
    font.setFamilies(families);
    QApplication::setFont(font);
}

QIcon applicationIcon()
{
    // A small attention map: a bright diagonal over a dark grid (no image file needed).
    QIcon icon;
    for (int size : {16, 32, 64, 128, 256}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        const int n = 4;
        const double cell = size / double(n);
        for (int r = 0; r < n; ++r)
            for (int c = 0; c < n; ++c) {
                const QColor color = r == c ? QColor(0xfd, 0xe7, 0x25)
                                   : std::abs(r - c) == 1 ? QColor(0x21, 0x91, 0x8c)
                                                          : QColor(0x44, 0x01, 0x54);
                p.fillRect(QRectF(c * cell, r * cell, cell, cell).adjusted(0.5, 0.5, -0.5, -0.5), color);
            }
        icon.addPixmap(pixmap);
    }
    return icon;
}

std::optional<GuiArguments> parseGuiArguments(const QStringList& arguments, QString* error)
{
    QCommandLineParser parser;
    const QCommandLineOption session(QStringLiteral("session"),
                                     QCoreApplication::translate("al::ui::GuiMain", "Open the session file <file> at start."),
                                     QStringLiteral("file"));
    const QCommandLineOption startupTime(
        QStringLiteral("startup-time"),
        QCoreApplication::translate("al::ui::GuiMain", "Print the milliseconds from the program's start to the first "
                                                       "attention map drawn, then quit."));
    const QCommandLineOption noDemo(QStringLiteral("no-demo"),
                                    QCoreApplication::translate("al::ui::GuiMain", "Start without opening the default demo model."));
    const QCommandLineOption presenter(QStringLiteral("presenter"),
                                       QCoreApplication::translate("al::ui::GuiMain", "Start in presenter mode (F11)."));
    parser.addOptions({session, startupTime, noDemo, presenter});
    parser.addPositionalArgument(QStringLiteral("session"),
                                 QCoreApplication::translate("al::ui::GuiMain", "A session file (.json) to open at start."),
                                 QStringLiteral("[FILE.json]"));
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    GuiArguments args;
    args.sessionFile = parser.value(session);
    args.startupTime = parser.isSet(startupTime);
    args.noDemo = parser.isSet(noDemo);
    args.presenter = parser.isSet(presenter);
    for (const QString& p : parser.positionalArguments()) {
        if (!p.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) {
            *error = QCoreApplication::translate("al::ui::GuiMain", "Unexpected argument '%1' (a session file ends in .json).").arg(p);
            return std::nullopt;
        }
        if (!args.sessionFile.isEmpty()) {
            *error = QCoreApplication::translate("al::ui::GuiMain", "Only one session file can be opened; got '%1' and '%2'.")
                         .arg(args.sessionFile, p);
            return std::nullopt;
        }
        args.sessionFile = p;
    }
    return args;
}

void configureApplication()
{
    QCoreApplication::setApplicationName(QStringLiteral("Attention Lab"));
    QCoreApplication::setOrganizationName(QStringLiteral("Attention Lab"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Attention Lab"));
    QApplication::setWindowIcon(applicationIcon());
    registerTrainingMetaTypes();
    installCjkFontFallback();
}

} // namespace al::ui

int runGui(int argc, char** argv)
{
    // Read before QApplication exists: QGuiApplication takes "-session"/"--session" (X11 session
    // management) out of argv, which would drop the lab's --session option.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QString error;
    const std::optional<al::ui::GuiArguments> args = al::ui::parseGuiArguments(arguments, &error);
    if (!args) {
        std::cerr << "attention-lab: " << error.toStdString() << "\n";
        return 2;
    }
    QApplication app(argc, argv);
    al::ui::configureApplication();
    // The GUI shows the language chosen in its Language menu (the system locale's by default);
    // the command-line subcommands that draw keep the source language.
    if (!al::ui::applyStoredUiLanguage(&error))
        qWarning("%s", qPrintable(error));
    al::ui::MainWindow window;
    if (args->startupTime)
        al::ui::onFirstTraceShown(&window, [](qint64 ms) {
            std::cout << "startup_ms " << ms << std::endl;
            QCoreApplication::quit();
        });
    window.sessionController()->rememberSettings(std::make_unique<al::ui::AppSettings>());
    window.show();
    if (args->presenter)
        window.setPresenterMode(true);
    if (!args->sessionFile.isEmpty() && args->startupTime) {
        // --startup-time measures a start that works: a session that does not open ends it.
        const QString problem = window.sessionController()->openSession(args->sessionFile);
        if (!problem.isEmpty()) {
            std::cerr << "attention-lab: " << problem.toStdString() << "\n";
            return 1;
        }
    } else if (!args->sessionFile.isEmpty()) {
        window.sessionController()->openSessionReporting(args->sessionFile);
    } else if (!args->noDemo && !window.demoModels()->openDefault() && args->startupTime) {
        // The default demo model (its sentence translated, its attention shown); without one the
        // window opens empty with a status message.
        std::cerr << "attention-lab: no demo model to open: " << window.statusBar()->currentMessage().toStdString() << "\n";
        return 1;
    }
    return app.exec();
}
