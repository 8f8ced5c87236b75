// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QComboBox>
#include <QObject>

#include <functional>
#include <utility>

namespace al::ui {

/// Runs `apply` now and again whenever `owner` receives QEvent::LanguageChange (sent to every
/// widget when a translator is installed or removed, see ui/app/language.h). `apply` sets the
/// translated texts of `owner` (and of widgets that live as long as it): the retranslateUi()
/// of the Qt pattern, kept beside the code that makes those widgets. The handler is a child
/// of `owner` and dies with it.
void onLanguageChange(QObject* owner, std::function<void()> apply);

/// Sets the text of every item of `combo` to `label(itemData)`, now and on each language change.
template <typename Label>
void retranslateItems(QComboBox* combo, Label label)
{
    onLanguageChange(combo, [combo, label = std::move(label)] {
        for (int i = 0; i < combo->count(); ++i)
            combo->setItemText(i, label(combo->itemData(i).toString()));
    });
}

} // namespace al::ui
