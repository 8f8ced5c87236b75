// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The demo models the lab ships: resources/models/<id>/ model directories listed in
// resources/models/demos.json (docs/views.md "Demo models"). Widget-free.
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace al::ui {

/// One entry of demos.json.
struct DemoModel {
    QString id;        ///< "zh-en", "reverse", ...: the directory name under the catalog's folder
    QString task;      ///< the settings task the model belongs to ("translate", "charlm", ...)
    QString sentence;  ///< what the sentence box shows when the model opens ("我爱你。")
    QMap<QString, QString> title; ///< language ("en", "zh_CN") -> menu title
    QMap<QString, QString> about; ///< language -> one-paragraph description (may be empty)
    QString directory; ///< absolute path of the model directory
    /// The data the model was trained on, for a task whose data is not bundled (the taggers'
    /// treebank samples): absolute paths, read from "data" (paths relative to demos.json's
    /// folder); empty when not listed.
    QStringList data;

    /// `title` / `about` in `language` ("zh_CN" or "en"), else in English.
    QString titleIn(const QString& language) const;
    QString aboutIn(const QString& language) const;
    /// The model directory exists and holds a config.json.
    bool isInstalled() const;
};

/// The demos.json of one folder. Format:
///   {"format": "attention-lab-demos", "version": 1, "default": "<id>",
///    "models": [{"id", "task", "sentence", "title": {"en": ...}, "about": {...}, "data": [...]}]}
/// "title" needs an "en" text; "about" and "data" (an array of paths relative to the file's
/// folder) are optional; unknown members are errors.
class DemoCatalog {
public:
    /// Reads `demosJson`; model directories are its siblings named by id. Throws al::Error whose
    /// message names the file and the member at fault ("demos.json: models[1].title.en:
    /// expected a string").
    static DemoCatalog read(const QString& demosJson);
    /// Parses the bytes of a demos.json found at `demosJson` (the path names errors and
    /// locates the model directories). Throws al::Error.
    static DemoCatalog parse(const QByteArray& bytes, const QString& demosJson);
    /// Where the installed catalog is: $AL_DEMO_DIR/demos.json when AL_DEMO_DIR is set, else
    /// models/demos.json of the resource directories (ui/app/app_paths.h); empty when none.
    /// Needs a QCoreApplication.
    static QString findInstalled();

    bool isEmpty() const { return m_models.isEmpty(); }
    const QVector<DemoModel>& models() const { return m_models; }
    /// The model start-up opens (demos.json "default").
    QString defaultId() const { return m_defaultId; }
    /// The demos.json it was read from (absolute; empty for a default-constructed catalog).
    QString file() const { return m_file; }
    /// The entry of `id`; null when none.
    const DemoModel* find(const QString& id) const;
    /// A model reference of a setup or session: "demo:<id>" gives the demo's directory; any
    /// other text is a directory path, relative paths resolved against `baseDirectory`.
    /// Throws al::Error for an unknown demo id.
    QString resolve(const QString& reference, const QString& baseDirectory) const;

private:
    QVector<DemoModel> m_models;
    QString m_defaultId;
    QString m_file;
};

} // namespace al::ui
