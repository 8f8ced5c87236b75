// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/retranslate.h"

#include <QEvent>

namespace al::ui {

namespace {

/// Receives the LanguageChange that QWidget::event() passes on to its child objects.
class LanguageChangeHandler : public QObject {
public:
    LanguageChangeHandler(QObject* owner, std::function<void()> apply)
        : QObject(owner), m_apply(std::move(apply))
    {
    }

    bool event(QEvent* event) override
    {
        if (event->type() == QEvent::LanguageChange)
            m_apply();
        return QObject::event(event);
    }

private:
    std::function<void()> m_apply;
};

} // namespace

void onLanguageChange(QObject* owner, std::function<void()> apply)
{
    apply();
    new LanguageChangeHandler(owner, std::move(apply));
}

} // namespace al::ui
