// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the GUI tests.
#include "ui/app/gui_main.h"

#include <QApplication>
#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>

namespace al::test {

/// Copies the first `lines` lines of the bundled Tatoeba corpus (resources/data/cmn-eng/cmn.txt,
/// shortest sentences first) to `dir`/small.tsv, a corpus a GUI test trains on in seconds.
/// Returns the new file's path, or an empty string when either file cannot be opened.
inline QString write_small_cmn_corpus(const QTemporaryDir& dir, int lines)
{
    QFile in(QStringLiteral(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt"));
    const QString path = dir.filePath(QStringLiteral("small.tsv"));
    QFile out(path);
    if (!dir.isValid() || !in.open(QIODevice::ReadOnly | QIODevice::Text)
        || !out.open(QIODevice::WriteOnly | QIODevice::Text))
        return QString();
    for (int i = 0; i < lines && !in.atEnd(); ++i)
        out.write(in.readLine());
    return path;
}

} // namespace al::test

/// The main() of a GUI test: offscreen unless QT_QPA_PLATFORM says otherwise, and the
/// application configured as attention-lab configures it (names, CJK font fallback), so that
/// QSettings keys and fonts are the program's.
#define AL_GUI_TEST_MAIN(TestClass)                                     \
    int main(int argc, char** argv)                                     \
    {                                                                   \
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))             \
            qputenv("QT_QPA_PLATFORM", "offscreen");                    \
        QApplication app(argc, argv);                                   \
        al::ui::configureApplication();                                 \
        TestClass test;                                                 \
        return QTest::qExec(&test, argc, argv);                         \
    }
