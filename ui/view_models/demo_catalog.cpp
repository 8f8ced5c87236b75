// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/demo_catalog.h"

#include "engine/core/error.h"
#include "ui/app/app_paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace al::ui {

namespace {

constexpr const char* kFormat = "attention-lab-demos";
constexpr int kVersion = 1;

/// Throws "<file>: <member>: <problem>".
[[noreturn]] void fail(const QString& file, const QString& member, const QString& problem)
{
    throw al::Error(QStringLiteral("%1: %2: %3").arg(file, member, problem).toStdString());
}

void checkMembers(const QJsonObject& o, const QStringList& allowed, const QString& file, const QString& path)
{
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!allowed.contains(it.key()))
            fail(file, path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(), QStringLiteral("unknown member"));
}

QString requireString(const QJsonObject& o, const QString& key, const QString& file, const QString& path)
{
    const QString member = path.isEmpty() ? key : path + QLatin1Char('.') + key;
    if (!o.contains(key))
        fail(file, member, QStringLiteral("missing"));
    if (!o.value(key).isString())
        fail(file, member, QStringLiteral("expected a string"));
    return o.value(key).toString();
}

/// {"en": "...", "zh_CN": "..."}; `needEnglish`: the "en" text must be there.
QMap<QString, QString> readTexts(const QJsonObject& model, const QString& key, bool needEnglish,
                                 const QString& file, const QString& path)
{
    QMap<QString, QString> out;
    const QString member = path + QLatin1Char('.') + key;
    if (!model.contains(key)) {
        if (needEnglish)
            fail(file, member, QStringLiteral("missing"));
        return out;
    }
    if (!model.value(key).isObject())
        fail(file, member, QStringLiteral("expected an object of texts by language"));
    const QJsonObject texts = model.value(key).toObject();
    for (auto it = texts.begin(); it != texts.end(); ++it) {
        if (!it.value().isString())
            fail(file, member + QLatin1Char('.') + it.key(), QStringLiteral("expected a string"));
        out.insert(it.key(), it.value().toString());
    }
    if (needEnglish && out.value(QStringLiteral("en")).isEmpty())
        fail(file, member + QStringLiteral(".en"), QStringLiteral("missing"));
    return out;
}

QString textIn(const QMap<QString, QString>& texts, const QString& language)
{
    const QString t = texts.value(language);
    return t.isEmpty() ? texts.value(QStringLiteral("en")) : t;
}

} // namespace

QString DemoModel::titleIn(const QString& language) const
{
    return textIn(title, language);
}

QString DemoModel::aboutIn(const QString& language) const
{
    return textIn(about, language);
}

bool DemoModel::isInstalled() const
{
    return QFileInfo(QDir(directory).filePath(QStringLiteral("config.json"))).isFile();
}

DemoCatalog DemoCatalog::read(const QString& demosJson)
{
    QFile f(demosJson);
    if (!f.open(QIODevice::ReadOnly))
        throw al::Error(QStringLiteral("%1: cannot read: %2").arg(demosJson, f.errorString()).toStdString());
    return parse(f.readAll(), demosJson);
}

DemoCatalog DemoCatalog::parse(const QByteArray& bytes, const QString& demosJson)
{
    const QString file = QDir::toNativeSeparators(demosJson);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        fail(file, QStringLiteral("offset %1").arg(error.offset), error.errorString());
    if (!doc.isObject())
        fail(file, QStringLiteral("(top level)"), QStringLiteral("expected an object"));
    const QJsonObject root = doc.object();
    checkMembers(root, {"format", "version", "default", "models"}, file, QString());
    if (requireString(root, QStringLiteral("format"), file, QString()) != QLatin1String(kFormat))
        fail(file, QStringLiteral("format"), QStringLiteral("expected \"%1\"").arg(QLatin1String(kFormat)));
    if (!root.value(QStringLiteral("version")).isDouble())
        fail(file, QStringLiteral("version"), QStringLiteral("expected an integer"));
    if (root.value(QStringLiteral("version")).toDouble() != kVersion)
        fail(file, QStringLiteral("version"), QStringLiteral("version %1 is not supported (this program reads %2)")
                                                  .arg(root.value(QStringLiteral("version")).toDouble())
                                                  .arg(kVersion));
    if (!root.value(QStringLiteral("models")).isArray())
        fail(file, QStringLiteral("models"), QStringLiteral("expected an array"));

    DemoCatalog catalog;
    catalog.m_file = QFileInfo(demosJson).absoluteFilePath();
    const QDir folder = QFileInfo(demosJson).absoluteDir();
    static const QRegularExpression idPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*$"));
    const QJsonArray models = root.value(QStringLiteral("models")).toArray();
    for (int i = 0; i < models.size(); ++i) {
        const QString path = QStringLiteral("models[%1]").arg(i);
        if (!models[i].isObject())
            fail(file, path, QStringLiteral("expected an object"));
        const QJsonObject m = models[i].toObject();
        checkMembers(m, {"id", "task", "sentence", "title", "about", "data"}, file, path);
        DemoModel demo;
        demo.id = requireString(m, QStringLiteral("id"), file, path);
        if (!idPattern.match(demo.id).hasMatch())
            fail(file, path + QStringLiteral(".id"), QStringLiteral("\"%1\" is not a directory name").arg(demo.id));
        if (catalog.find(demo.id))
            fail(file, path + QStringLiteral(".id"), QStringLiteral("\"%1\" is listed twice").arg(demo.id));
        demo.task = requireString(m, QStringLiteral("task"), file, path);
        demo.sentence = requireString(m, QStringLiteral("sentence"), file, path);
        demo.title = readTexts(m, QStringLiteral("title"), true, file, path);
        demo.about = readTexts(m, QStringLiteral("about"), false, file, path);
        demo.directory = folder.absoluteFilePath(demo.id);
        if (m.contains(QStringLiteral("data"))) {
            const QString member = path + QStringLiteral(".data");
            if (!m.value(QStringLiteral("data")).isArray())
                fail(file, member, QStringLiteral("expected an array of paths"));
            const QJsonArray data = m.value(QStringLiteral("data")).toArray();
            for (int k = 0; k < data.size(); ++k) {
                if (!data[k].isString() || data[k].toString().isEmpty())
                    fail(file, QStringLiteral("%1[%2]").arg(member).arg(k), QStringLiteral("expected a path"));
                demo.data << QDir::cleanPath(folder.absoluteFilePath(data[k].toString()));
            }
        }
        catalog.m_models << demo;
    }
    if (root.contains(QStringLiteral("default"))) {
        catalog.m_defaultId = requireString(root, QStringLiteral("default"), file, QString());
        if (!catalog.find(catalog.m_defaultId))
            fail(file, QStringLiteral("default"), QStringLiteral("\"%1\" is not one of the models").arg(catalog.m_defaultId));
    } else if (!catalog.m_models.isEmpty()) {
        catalog.m_defaultId = catalog.m_models.first().id;
    }
    return catalog;
}

QString DemoCatalog::findInstalled()
{
    const QString dir = qEnvironmentVariable("AL_DEMO_DIR");
    if (!dir.isEmpty()) {
        const QString file = QDir(dir).absoluteFilePath(QStringLiteral("demos.json"));
        return QFileInfo(file).isFile() ? file : QString();
    }
    return findBundledFile(QStringLiteral("models/demos.json"));
}

const DemoModel* DemoCatalog::find(const QString& id) const
{
    for (const DemoModel& m : m_models)
        if (m.id == id)
            return &m;
    return nullptr;
}

QString DemoCatalog::resolve(const QString& reference, const QString& baseDirectory) const
{
    static const QString prefix = QStringLiteral("demo:");
    if (reference.startsWith(prefix)) {
        const QString id = reference.mid(prefix.size());
        const DemoModel* m = find(id);
        if (!m) {
            QStringList ids;
            for (const DemoModel& d : m_models)
                ids << d.id;
            throw al::Error(QStringLiteral("%1: no such demo model (installed: %2)")
                                .arg(reference, ids.isEmpty() ? QStringLiteral("none") : ids.join(QStringLiteral(", ")))
                                .toStdString());
        }
        return m->directory;
    }
    return QDir::cleanPath(QDir(baseDirectory).absoluteFilePath(reference));
}

} // namespace al::ui
