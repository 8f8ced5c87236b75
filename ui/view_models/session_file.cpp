// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/session_file.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>

namespace al::ui {

namespace {

/// 1-based line and column of byte `offset` in `bytes`.
QString lineAndColumn(const QByteArray& bytes, int offset)
{
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset && i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return LabSetup::tr("line %1, column %2").arg(line).arg(column);
}

} // namespace

std::optional<LabSetup> parseSession(const QByteArray& bytes, const QString& name, QString* error)
{
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error = LabSetup::tr("%1: %2: %3").arg(name, lineAndColumn(bytes, parse.offset), parse.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = LabSetup::tr("%1: expected a JSON object").arg(name);
        return std::nullopt;
    }
    QJsonObject root = doc.object();
    const QJsonValue format = root.take(QStringLiteral("format"));
    if (format.toString() != QLatin1String(kSessionFormat)) {
        *error = LabSetup::tr("%1: format: expected \"%2\"").arg(name, QLatin1String(kSessionFormat));
        return std::nullopt;
    }
    const QJsonValue version = root.take(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != kSessionVersion) {
        *error = LabSetup::tr("%1: version: expected %2 (this program reads session files of version %2)")
                     .arg(name)
                     .arg(kSessionVersion);
        return std::nullopt;
    }
    QString problem;
    std::optional<LabSetup> setup = LabSetup::fromJson(root, &problem);
    if (!setup)
        *error = LabSetup::tr("%1: %2").arg(name, problem);
    return setup;
}

std::optional<LabSetup> readSessionFile(const QString& path, QString* error)
{
    const QString name = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = LabSetup::tr("%1: cannot read the file (%2)").arg(name, file.errorString());
        return std::nullopt;
    }
    return parseSession(file.readAll(), name, error);
}

QByteArray sessionBytes(const LabSetup& setup)
{
    // QJsonObject orders its keys alphabetically; "format" and "version" go first by hand so a
    // reader sees at once what the file is.
    const QByteArray body = QJsonDocument(setup.toJson()).toJson(QJsonDocument::Indented);
    QByteArray head = "{\n    \"format\": \"" + QByteArray(kSessionFormat) + "\",\n    \"version\": "
                      + QByteArray::number(kSessionVersion);
    const QByteArray rest = body.mid(body.indexOf('{') + 1).trimmed(); // members..."}"
    if (rest == "}")
        return head + "\n}\n";
    return head + ",\n    " + rest + "\n";
}

bool writeSessionFile(const QString& path, const LabSetup& setup, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = LabSetup::tr("%1: cannot write the file (%2)").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    file.write(sessionBytes(setup));
    if (!file.commit()) {
        *error = LabSetup::tr("%1: cannot write the file (%2)").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace al::ui
