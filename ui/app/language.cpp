// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/app/language.h"

#include <QCoreApplication>
#include <QEvent>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace al::ui {

namespace {

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::Language)
};

/// The installed translators: the application's and Qt's own (dialog buttons, context menus).
struct Translators {
    std::unique_ptr<QTranslator> app;
    std::unique_ptr<QTranslator> qt;
    QString language = QStringLiteral("en");
};

Translators& translators()
{
    static Translators t;
    return t;
}

void removeTranslators(Translators& t)
{
    if (t.app)
        QCoreApplication::removeTranslator(t.app.get());
    if (t.qt)
        QCoreApplication::removeTranslator(t.qt.get());
    t.app.reset();
    t.qt.reset();
}

bool applyLanguage(const QString& language, QString* error)
{
    Translators& t = translators();
    if (language == t.language && (language == QLatin1String("en") || t.app))
        return true;
    removeTranslators(t);
    t.language = QStringLiteral("en");
    if (language != QLatin1String("en")) {
        auto app = std::make_unique<QTranslator>();
        const QString appFile = QStringLiteral(":/i18n/attention-lab_%1.qm").arg(language);
        if (!app->load(appFile)) {
            if (error)
                *error = Tr::tr("Cannot load the translation %1.").arg(appFile);
            return false;
        }
        // Qt's own strings are optional: without qt6-translations-l10n they stay English.
        auto qt = std::make_unique<QTranslator>();
        if (qt->load(QStringLiteral("qtbase_%1").arg(language), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            t.qt = std::move(qt);
        }
        QCoreApplication::installTranslator(app.get());
        t.app = std::move(app);
        t.language = language;
    }
    // installTranslator() and removeTranslator() post QEvent::LanguageChange to every window;
    // delivering them here makes the switch complete when this returns.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LanguageChange);
    return true;
}

} // namespace

QStringList uiLanguages()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString resolveUiLanguage(const QString& setting, const QLocale& system)
{
    if (uiLanguages().contains(setting))
        return setting;
    return system.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

QString uiLanguageSetting()
{
    return QSettings().value(QString::fromLatin1(kLanguageSettingKey)).toString();
}

QString uiLanguage()
{
    return translators().language;
}

bool setUiLanguage(const QString& setting, QString* error)
{
    QSettings().setValue(QString::fromLatin1(kLanguageSettingKey), setting);
    return applyLanguage(resolveUiLanguage(setting), error);
}

bool applyStoredUiLanguage(QString* error)
{
    return applyLanguage(resolveUiLanguage(uiLanguageSetting()), error);
}

QString uiLanguageName(const QString& setting)
{
    if (setting == QLatin1String("en"))
        return QStringLiteral("English");
    if (setting == QLatin1String("zh_CN"))
        return QStringLiteral("简体中文");
    return Tr::tr("System default");
}

} // namespace al::ui
