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

/// The compile-time resource directory (the source tree's resources/, AL_RESOURCE_DIR, defined
/// for app_paths.cpp alone so that no other object file depends on the checkout's path); empty
/// when the build did not define it.
QString compileTimeResourceDir();

/// findResourceFile(relative, QCoreApplication::applicationDirPath(), compileTimeResourceDir()): a
/// bundled file such as "models/demos.json". Needs a QCoreApplication.
QString findBundledFile(const QString& relative);

/// findBundledFile(kBundledCorpusRelative). Needs a QCoreApplication.
QString findBundledCorpus();

} // namespace al::ui
