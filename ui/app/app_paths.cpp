// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/app/app_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace al::ui {

QStringList resourceDirCandidates(const QString& applicationDir, const QString& compileTimeDir)
{
    QStringList dirs;
    if (!applicationDir.isEmpty()) {
        const QDir app(applicationDir);
        dirs << QDir::cleanPath(app.filePath(QStringLiteral("../share/attention-lab")))
             << QDir::cleanPath(app.filePath(QStringLiteral("resources")))
             << QDir::cleanPath(app.filePath(QStringLiteral("../resources")))
             << QDir::cleanPath(app.filePath(QStringLiteral("../../resources")));
    }
    if (!compileTimeDir.isEmpty())
        dirs << QDir::cleanPath(compileTimeDir);
    dirs.removeDuplicates();
    return dirs;
}

QString findResourceFile(const QString& relative, const QString& applicationDir,
                         const QString& compileTimeDir)
{
    for (const QString& dir : resourceDirCandidates(applicationDir, compileTimeDir)) {
        const QFileInfo info(QDir(dir).filePath(relative));
        if (info.isFile() && info.isReadable())
            return info.absoluteFilePath();
    }
    return {};
}

QString compileTimeResourceDir()
{
#ifdef AL_RESOURCE_DIR
    return QStringLiteral(AL_RESOURCE_DIR);
#else
    return {};
#endif
}

QString findBundledFile(const QString& relative)
{
    return findResourceFile(relative, QCoreApplication::applicationDirPath(), compileTimeResourceDir());
}

QString findBundledCorpus()
{
    return findBundledFile(QString::fromLatin1(kBundledCorpusRelative));
}

} // namespace al::ui
