// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/lesson.h"

#include "ui/view_models/lab_setup.h"

#include "engine/core/error.h"
#include "ui/app/app_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace al::ui {

namespace {

// Reads one lesson file's JSON; every error names the file and the member path.
class LessonReader {
public:
    explicit LessonReader(QString fileName) : m_file(std::move(fileName)) {}

    [[noreturn]] void fail(const QString& path, const QString& message) const
    {
        const QString where = path.isEmpty() ? m_file : m_file + QStringLiteral(": ") + path;
        throw al::Error((where + QStringLiteral(": ") + message).toStdString());
    }

    void onlyMembers(const QJsonObject& o, const QString& path, const QStringList& allowed) const
    {
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!allowed.contains(it.key()))
                fail(path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(),
                     QStringLiteral("unknown member (expected one of %1)").arg(allowed.join(QStringLiteral(", "))));
    }

    static QString member(const QString& path, const QString& key)
    {
        return path.isEmpty() ? key : path + QLatin1Char('.') + key;
    }

    QString string(const QJsonObject& o, const QString& path, const QString& key, bool required) const
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(path, QStringLiteral("missing \"%1\"").arg(key));
            return {};
        }
        if (!v.isString())
            fail(member(path, key), QStringLiteral("expected a string"));
        return v.toString();
    }

    QJsonObject object(const QJsonObject& o, const QString& path, const QString& key, bool required) const
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                fail(path, QStringLiteral("missing \"%1\"").arg(key));
            return {};
        }
        if (!v.isObject())
            fail(member(path, key), QStringLiteral("expected an object"));
        return v.toObject();
    }

    LocalizedText text(const QJsonObject& o, const QString& path, const QString& key) const
    {
        const QJsonObject t = object(o, path, key, true);
        const QString where = member(path, key);
        onlyMembers(t, where, {QStringLiteral("en"), QStringLiteral("zh_CN")});
        LocalizedText out;
        out.en = string(t, where, QStringLiteral("en"), true);
        out.zhCN = string(t, where, QStringLiteral("zh_CN"), true);
        if (out.en.trimmed().isEmpty())
            fail(member(where, QStringLiteral("en")), QStringLiteral("empty text"));
        if (out.zhCN.trimmed().isEmpty())
            fail(member(where, QStringLiteral("zh_CN")), QStringLiteral("empty text"));
        return out;
    }

    // A lesson step's setup is a LabSetup without "lesson" (docs/lessons.md), read by the
    // session files' reader so the two formats cannot drift apart.
    void setup(const QJsonObject& s, const QString& path) const
    {
        if (s.contains(QStringLiteral("lesson")))
            fail(member(path, QStringLiteral("lesson")), QStringLiteral("a lesson step cannot open a lesson"));
        QString error;
        if (!LabSetup::fromJson(s, &error, path))
            fail(QString(), error); // the error names the member path
    }

    LessonStep step(const QJsonObject& o, const QString& path) const
    {
        onlyMembers(o, path, {QStringLiteral("title"), QStringLiteral("text"), QStringLiteral("setup"),
                              QStringLiteral("highlight"), QStringLiteral("claims")});
        LessonStep s;
        s.title = text(o, path, QStringLiteral("title"));
        s.text = text(o, path, QStringLiteral("text"));
        s.setup = object(o, path, QStringLiteral("setup"), false);
        setup(s.setup, member(path, QStringLiteral("setup")));
        s.highlight = string(o, path, QStringLiteral("highlight"), false);
        const QJsonValue claims = o.value(QStringLiteral("claims"));
        if (!claims.isUndefined()) {
            const QString where = member(path, QStringLiteral("claims"));
            if (!claims.isArray())
                fail(where, QStringLiteral("expected an array of claim ids"));
            const QJsonArray a = claims.toArray();
            for (int i = 0; i < a.size(); ++i) {
                if (!a[i].isString() || a[i].toString().isEmpty())
                    fail(QStringLiteral("%1[%2]").arg(where).arg(i), QStringLiteral("expected a claim id (a string)"));
                s.claims << a[i].toString();
            }
        }
        return s;
    }

    Lesson lesson(const QByteArray& json) const
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        if (error.error != QJsonParseError::NoError)
            fail(QString(), QStringLiteral("not valid JSON at offset %1: %2").arg(error.offset).arg(error.errorString()));
        if (!doc.isObject())
            fail(QString(), QStringLiteral("expected a JSON object"));
        const QJsonObject o = doc.object();
        onlyMembers(o, QString(), {QStringLiteral("format"), QStringLiteral("version"), QStringLiteral("id"),
                                   QStringLiteral("title"), QStringLiteral("steps")});
        if (string(o, QString(), QStringLiteral("format"), true) != QLatin1String(kLessonFormat))
            fail(QStringLiteral("format"), QStringLiteral("expected \"%1\"").arg(QLatin1String(kLessonFormat)));
        const QJsonValue version = o.value(QStringLiteral("version"));
        if (version.isUndefined())
            fail(QString(), QStringLiteral("missing \"version\""));
        if (!version.isDouble() || version.toDouble() != kLessonVersion)
            fail(QStringLiteral("version"), QStringLiteral("expected %1").arg(kLessonVersion));
        Lesson l;
        l.fileName = m_file;
        l.id = string(o, QString(), QStringLiteral("id"), true);
        if (l.id.isEmpty())
            fail(QStringLiteral("id"), QStringLiteral("empty id"));
        l.title = text(o, QString(), QStringLiteral("title"));
        const QJsonValue steps = o.value(QStringLiteral("steps"));
        if (steps.isUndefined())
            fail(QString(), QStringLiteral("missing \"steps\""));
        if (!steps.isArray() || steps.toArray().isEmpty())
            fail(QStringLiteral("steps"), QStringLiteral("expected a non-empty array of steps"));
        const QJsonArray a = steps.toArray();
        for (int i = 0; i < a.size(); ++i) {
            const QString path = QStringLiteral("steps[%1]").arg(i);
            if (!a[i].isObject())
                fail(path, QStringLiteral("expected an object"));
            l.steps.push_back(step(a[i].toObject(), path));
        }
        return l;
    }

private:
    QString m_file;
};

} // namespace

QString LocalizedText::text(const QString& language) const
{
    return language.startsWith(QLatin1String("zh")) ? zhCN : en;
}

Lesson parseLesson(const QByteArray& json, const QString& fileName)
{
    return LessonReader(fileName).lesson(json);
}

Lesson loadLesson(const QString& path)
{
    const QFileInfo info(path);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        throw al::Error(QStringLiteral("%1: cannot read: %2").arg(info.fileName(), f.errorString()).toStdString());
    Lesson l = parseLesson(f.readAll(), info.fileName());
    l.path = info.absoluteFilePath();
    return l;
}

QString bundledLessonDirectory()
{
    for (const QString& dir : resourceDirCandidates(QCoreApplication::applicationDirPath(), compileTimeResourceDir())) {
        const QFileInfo info(QDir(dir).filePath(QStringLiteral("lessons")));
        if (info.isDir())
            return info.absoluteFilePath();
    }
    return {};
}

QStringList lessonFiles(const QString& directory)
{
    if (directory.isEmpty())
        return {};
    const QDir dir(directory);
    QStringList out;
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        out << dir.absoluteFilePath(name);
    return out;
}

QStringList bundledLessonFiles()
{
    return lessonFiles(bundledLessonDirectory());
}

// ---------------------------------------------------------------------------------------------

LessonPlayer::LessonPlayer(QObject* parent) : QObject(parent) {}

void LessonPlayer::setLesson(const Lesson& lesson, int step)
{
    m_lesson = lesson;
    m_index = hasLesson() ? std::clamp(step, 0, count() - 1) : 0;
    if (hasLesson())
        emit stepChanged(m_index);
}

void LessonPlayer::clear()
{
    m_lesson = Lesson{};
    m_index = 0;
}

QString LessonPlayer::title(const QString& language) const
{
    return hasLesson() ? current().title.text(language) : QString();
}

QString LessonPlayer::text(const QString& language) const
{
    return hasLesson() ? current().text.text(language) : QString();
}

bool LessonPlayer::next()
{
    return canGoNext() && goTo(m_index + 1);
}

bool LessonPlayer::previous()
{
    return canGoPrevious() && goTo(m_index - 1);
}

bool LessonPlayer::goTo(int index)
{
    if (!hasLesson() || index < 0 || index >= count())
        return false;
    m_index = index;
    emit stepChanged(m_index);
    return true;
}

} // namespace al::ui
