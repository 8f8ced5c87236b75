// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the program finds its bundled data at run time (widget-free, tested).
#include <QString>
#include <QStringList>

namespace al::ui {

/// Relative path of the bundled English–Chinese corpus inside a resource directory.
inline constexpr const char* kBundledCorpusRelative = "data/cmn-eng/cmn.txt";

/// Resource directories to try, best first: install locations relative to the executable's
/// directory (../share/attention-lab, ./resources, ../resources, ../../resources), then the
/// compile-time source tree (AL_RESOURCE_DIR) when `compileTimeDir` is not empty.
QStringList resourceDirCandidates(const QString& applicationDir, const QString& compileTimeDir);

/// First existing `dir/relative` over resourceDirCandidates(); empty when none exists.
QString findResourceFile(const QString& relative, const QString& applicationDir,
                         const QString& compileTimeDir);

/// findResourceFile(relative, QCoreApplication::applicationDirPath(), AL_RESOURCE_DIR).
/// Needs a QCoreApplication.
QString findBundledResource(const QString& relative);

/// findBundledResource(kBundledCorpusRelative). Needs a QCoreApplication.
QString findBundledCorpus();

} // namespace al::ui
