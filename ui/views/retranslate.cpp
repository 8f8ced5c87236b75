// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/retranslate.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

#include <utility>

namespace al::ui {

namespace {

constexpr int kSourceTextRole = Qt::UserRole + 100;

/// Receives the LanguageChange that QWidget::event() passes on to its child objects.
class LanguageChangeHandler : public QObject {
public:
    LanguageChangeHandler(QObject* owner, std::function<void()> apply) : QObject(owner), m_apply(std::move(apply)) {}

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

namespace {

/// Calls (widget->*set)(text()) now and on every language change.
template <class Widget, class Setter>
void trProperty(Widget* widget, TextFn text, Setter set)
{
    onLanguageChange(widget, [widget, text = std::move(text), set] { (widget->*set)(text()); });
}

} // namespace

void trText(QLabel* label, TextFn text) { trProperty(label, std::move(text), &QLabel::setText); }
void trText(QAbstractButton* button, TextFn text) { trProperty(button, std::move(text), &QAbstractButton::setText); }
void trTitle(QGroupBox* group, TextFn text) { trProperty(group, std::move(text), &QGroupBox::setTitle); }
void trToolTip(QWidget* widget, TextFn text) { trProperty(widget, std::move(text), &QWidget::setToolTip); }
void trPlaceholder(QLineEdit* edit, TextFn text) { trProperty(edit, std::move(text), &QLineEdit::setPlaceholderText); }
void trSpecialValue(QAbstractSpinBox* spin, TextFn text) { trProperty(spin, std::move(text), &QAbstractSpinBox::setSpecialValueText); }

QLabel* trLabel(QWidget* parent, TextFn text)
{
    auto* label = new QLabel(parent);
    trText(label, std::move(text));
    return label;
}

QGroupBox* trGroup(QWidget* parent, TextFn text)
{
    auto* group = new QGroupBox(parent);
    trTitle(group, std::move(text));
    return group;
}

QPushButton* trButton(QWidget* parent, TextFn text)
{
    auto* button = new QPushButton(parent);
    trText(button, std::move(text));
    return button;
}

QCheckBox* trCheckBox(QWidget* parent, TextFn text)
{
    auto* box = new QCheckBox(parent);
    trText(box, std::move(text));
    return box;
}

QLabel* addTrRow(QFormLayout* form, QWidget* field, TextFn text)
{
    auto* label = new QLabel(form->parentWidget());
    label->setBuddy(field);
    form->addRow(label, field);
    trText(label, std::move(text));
    return label;
}

QLabel* addTrRow(QFormLayout* form, QLayout* field, TextFn text)
{
    auto* label = new QLabel(form->parentWidget());
    form->addRow(label, field);
    trText(label, std::move(text));
    return label;
}

void addSourceItem(QComboBox* combo, const char* source, const QVariant& data)
{
    combo->addItem(QString::fromUtf8(source), data);
    combo->setItemData(combo->count() - 1, QByteArray(source), kSourceTextRole);
}

void trItems(QComboBox* combo, std::function<QString(const QVariant& data)> name)
{
    onLanguageChange(combo, [combo, name = std::move(name)] {
        for (int i = 0; i < combo->count(); ++i)
            combo->setItemText(i, name(combo->itemData(i)));
    });
}

void translateItems(QComboBox* combo, const char* context)
{
    onLanguageChange(combo, [combo, context] {
        for (int i = 0; i < combo->count(); ++i) {
            const QByteArray source = combo->itemData(i, kSourceTextRole).toByteArray();
            if (!source.isEmpty())
                combo->setItemText(i, QCoreApplication::translate(context, source.constData()));
        }
    });
}

} // namespace al::ui
