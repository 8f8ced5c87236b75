// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Lessons (widget-free): the lesson file format of docs/lessons.md, the bundled lessons and a
// player that steps through one. A lesson is data, not code: a teacher writes a JSON file and
// opens it from the Lessons menu.
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace al::ui {

/// A text in both languages of the lab. Both are required in a lesson file.
struct LocalizedText {
    QString en;
    QString zhCN;
    /// The text for a UI language ("zh_CN" or another code starting with "zh": Chinese; else English).
    QString text(const QString& language) const;
};

/// One step of a lesson: what it sets up, what it says and which widget it points at.
struct LessonStep {
    LocalizedText title;
    LocalizedText text;   ///< rich text (Qt's HTML subset) allowed
    /// A LabSetup without "lesson" (docs/lessons.md, contracts: model, settings, view); empty
    /// when the step changes nothing.
    QJsonObject setup;
    QString highlight;    ///< objectName of a widget of the main window; empty: none
    QStringList claims;   ///< ids of what the learner will see, each backed by a check in tests/test_lesson_claims.cpp
};

/// A parsed lesson file.
struct Lesson {
    QString id;           ///< the file's "id", e.g. "qkv"
    QString fileName;     ///< the file's name without directory, e.g. "01-qkv.json"
    QString path;         ///< absolute path of the file it was read from (empty when parsed from bytes)
    LocalizedText title;
    QVector<LessonStep> steps; ///< at least one
};

/// "attention-lab-lesson", the value of a lesson file's "format".
inline constexpr const char* kLessonFormat = "attention-lab-lesson";
inline constexpr int kLessonVersion = 1;

/// Parses a lesson file's contents. Throws al::Error naming `fileName` and the member path at
/// fault, e.g. "01-qkv.json: steps[2].text: missing \"zh_CN\"". Unknown members are errors.
Lesson parseLesson(const QByteArray& json, const QString& fileName);
/// Reads and parses the file at `path` (al::Error when it cannot be read or is malformed).
Lesson loadLesson(const QString& path);

/// The directory of the bundled lessons: "lessons" under the first resource directory of
/// resourceDirCandidates (ui/app/app_paths.h) that has one; empty when none. Needs a
/// QCoreApplication.
QString bundledLessonDirectory();
/// The lesson files of `directory` ("*.json"), sorted by name (the NN- prefix gives the order).
QStringList lessonFiles(const QString& directory);
/// lessonFiles(bundledLessonDirectory()).
QStringList bundledLessonFiles();

/// Steps through one lesson: the current step, next / previous within bounds. Emits
/// stepChanged whenever the current step is entered (also when a lesson is set).
class LessonPlayer : public QObject {
    Q_OBJECT
public:
    explicit LessonPlayer(QObject* parent = nullptr);

    /// Starts `lesson` at `step` (clamped to its steps).
    void setLesson(const Lesson& lesson, int step = 0);
    /// Forgets the lesson (no step is current).
    void clear();
    bool hasLesson() const { return !m_lesson.steps.isEmpty(); }
    const Lesson& lesson() const { return m_lesson; }
    /// 0-based index of the current step; -1 without a lesson.
    int index() const { return hasLesson() ? m_index : -1; }
    int count() const { return int(m_lesson.steps.size()); }
    bool canGoNext() const { return hasLesson() && m_index + 1 < count(); }
    bool canGoPrevious() const { return hasLesson() && m_index > 0; }
    /// The current step; requires hasLesson().
    const LessonStep& current() const { return m_lesson.steps[m_index]; }
    /// The current step's title and text in `language` (empty without a lesson).
    QString title(const QString& language) const;
    QString text(const QString& language) const;

public slots:
    /// Moves to the next / previous step; false (and nothing happens) at the last / first.
    bool next();
    bool previous();
    /// Moves to step `index`; false when out of range.
    bool goTo(int index);

signals:
    void stepChanged(int index);

private:
    Lesson m_lesson;
    int m_index = 0;
};

} // namespace al::ui
