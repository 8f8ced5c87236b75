// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Python interpreter of the PyTorch parity tests, and what a test does when it lacks a module.
//   AL_PYTHON=PATH         the interpreter (default: Debian's /usr/bin/python3, where python3-torch
//                          installs torch; a PATH lookup would find pyenv or venv interpreters first)
//   AL_REQUIRE_PARITY=1    a missing interpreter or module fails the test instead of skipping it
//                          (.ci/run sets it, so CI cannot pass without the parity checks)
// Without AL_REQUIRE_PARITY a missing module QSKIPs, and ctest shows the test as skipped
// (tests/CMakeLists.txt, SKIP_REGULAR_EXPRESSION).
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

namespace al::test {

/// The interpreter the parity tests run: $AL_PYTHON, else /usr/bin/python3.
inline QString python()
{
    const QString p = qEnvironmentVariable("AL_PYTHON");
    return p.isEmpty() ? QStringLiteral("/usr/bin/python3") : p;
}

/// True when AL_REQUIRE_PARITY is 1: missing Python modules are a failure, not a skip.
inline bool parity_required() { return qEnvironmentVariable("AL_REQUIRE_PARITY") == QLatin1String("1"); }

/// Empty when python() imports every module of `modules`; otherwise what is missing, e.g.
/// "/usr/bin/python3 cannot import torch: ModuleNotFoundError: No module named 'torch'".
inline QString missing_python_modules(const QStringList& modules)
{
    QProcess p;
    p.start(python(), {QStringLiteral("-c"), QStringLiteral("import ") + modules.join(QStringLiteral(", "))});
    if (!p.waitForStarted(60000))
        return python() + QStringLiteral(" does not start (") + p.errorString() + QStringLiteral("; set AL_PYTHON)");
    if (!p.waitForFinished(60000))
        return python() + QStringLiteral(" did not finish importing ") + modules.join(QStringLiteral(", "));
    if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
        return QString();
    const QStringList err = QString::fromUtf8(p.readAllStandardError()).trimmed().split(QLatin1Char('\n'));
    return python() + QStringLiteral(" cannot import ") + modules.join(QStringLiteral(", ")) + QStringLiteral(": ")
        + err.last().trimmed();
}

} // namespace al::test

/// In a Qt Test function: unless al::test::python() imports the modules (string literals, e.g.
/// "torch"), QSKIP naming what is missing, or QFAIL when AL_REQUIRE_PARITY=1. `hint` says how to
/// install them, e.g. "./lab.sh test installs python3-torch".
#define AL_REQUIRE_PYTHON_MODULES(hint, ...)                                                                   \
    do {                                                                                                       \
        const QString al_missing_ = al::test::missing_python_modules(QStringList{__VA_ARGS__});                \
        if (!al_missing_.isEmpty()) {                                                                          \
            if (al::test::parity_required())                                                                   \
                QFAIL(qPrintable(al_missing_ + QStringLiteral(" (AL_REQUIRE_PARITY=1 requires it; ") + (hint)  \
                                 + QStringLiteral(")")));                                                      \
            QSKIP(qPrintable(al_missing_ + QStringLiteral(" (") + (hint) + QStringLiteral(")")));              \
        }                                                                                                      \
    } while (false)
