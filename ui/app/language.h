// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QLocale>
#include <QString>
#include <QStringList>

namespace al::ui {

/// The QSettings key of the chosen UI language: "en", "zh_CN", or empty for the system locale.
inline constexpr char kLanguageSettingKey[] = "ui/language";

/// The languages the GUI is translated into, as setting values ("en" is the source language).
QStringList uiLanguages();

/// The UI language a setting stands for: "zh_CN" for a "zh_CN" setting, "en" for "en", and for
/// an empty (or unknown) setting the system locale's: "zh_CN" when `system` is Chinese, else "en".
QString resolveUiLanguage(const QString& setting, const QLocale& system = QLocale::system());

/// The stored choice (QSettings "ui/language"): "en", "zh_CN" or empty (system default).
QString uiLanguageSetting();

/// The language the GUI shows now: "zh_CN" or "en" (what lesson and demo texts are picked by).
QString uiLanguage();

/// Stores `setting` ("en", "zh_CN" or empty = system default) under "ui/language" and applies it:
/// installs the application's translator (:/i18n/attention-lab_<lang>.qm) and Qt's own
/// (qtbase_<lang>.qm from the Qt translations directory) or removes both for English. Every
/// widget receives QEvent::LanguageChange. Returns false, with `error` set, when a translation
/// file cannot be loaded (the GUI then stays in English).
bool setUiLanguage(const QString& setting, QString* error = nullptr);

/// Applies the stored setting without writing it; called once after the QApplication exists.
bool applyStoredUiLanguage(QString* error = nullptr);

/// The display name of a setting value in its own language ("English", "简体中文") or, for the
/// empty value, "System default" in the current UI language.
QString uiLanguageName(const QString& setting);

} // namespace al::ui
