// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Texts that follow the UI language. Qt sends QEvent::LanguageChange to every widget when a
// translator is installed or removed (ui/app/language.h); each helper here sets a text now and
// again on that event, from a function that calls tr(), so a panel's retranslation sits beside
// the code that makes its widgets (the retranslateUi() of Qt's pattern, one piece per widget).
#include <QString>

#include <functional>

class QAbstractButton;
class QCheckBox;
class QPushButton;
class QAbstractSpinBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLayout;
class QLineEdit;
class QObject;
class QVariant;
class QWidget;

namespace al::ui {

using TextFn = std::function<QString()>;

/// Runs `apply` now and again whenever `owner` receives QEvent::LanguageChange. The handler is
/// a child of `owner` and dies with it; `apply` may touch `owner` and what lives as long as it.
/// `owner` must be a widget (QWidget::event passes the event on to its child objects).
/// `apply` runs while Qt sends the event to the children of `owner` and of its ancestors: it must
/// not delete any of them (QMenu::clear() deletes the menu's own actions; a menu rebuilt here
/// keeps its entries as children of a plain QObject, see DemoModels::rebuildMenu).
void onLanguageChange(QObject* owner, std::function<void()> apply);

void trText(QLabel* label, TextFn text);
void trText(QAbstractButton* button, TextFn text);
void trTitle(QGroupBox* group, TextFn text);
void trToolTip(QWidget* widget, TextFn text);
void trPlaceholder(QLineEdit* edit, TextFn text);
void trSpecialValue(QAbstractSpinBox* spin, TextFn text);

/// New widgets whose text (title) is `text()`, set again on every language change.
QLabel* trLabel(QWidget* parent, TextFn text);
QGroupBox* trGroup(QWidget* parent, TextFn text);
QPushButton* trButton(QWidget* parent, TextFn text);
QCheckBox* trCheckBox(QWidget* parent, TextFn text);

/// Adds a form row whose label is `text()` (the label's buddy is `field`); returns the label.
QLabel* addTrRow(QFormLayout* form, QWidget* field, TextFn text);
QLabel* addTrRow(QFormLayout* form, QLayout* field, TextFn text);

/// Sets the text of every item of `combo` to `name(item's data)`, now and on every language
/// change (items whose data names a value: an enum, a task id).
void trItems(QComboBox* combo, std::function<QString(const QVariant& data)> name);
/// Adds an item whose text is the translation of `source`, a QT_TR_NOOP string of the context
/// given to translateItems(); the source is kept in the item (role kSourceTextRole).
void addSourceItem(QComboBox* combo, const char* source, const QVariant& data);
/// Sets the text of every item added by addSourceItem() to its translation in `context` (the
/// class name, e.g. "al::ui::SettingsPanel"), now and on every language change.
void translateItems(QComboBox* combo, const char* context);

} // namespace al::ui
