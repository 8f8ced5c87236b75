// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/train_question.h"

#include "ui/view_models/train_start.h"
#include "ui/views/settings_panel.h"

#include <QCoreApplication>
#include <QMessageBox>
#include <QPushButton>

namespace al::ui {

namespace {

/// The translation context of the question's texts.
struct TrainQuestion {
    Q_DECLARE_TR_FUNCTIONS(al::ui::TrainQuestion)
};

} // namespace

void askHowToTrain(QWidget* parent, SettingsPanel* settings, const std::function<void()>& start)
{
    if (trainStart(*settings->form(), settings->continueChosen()) != TrainStart::Ask) {
        start();
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, TrainQuestion::tr("Train"), TrainQuestion::tr("Continue training the open model?"),
                                QMessageBox::NoButton, parent);
    box->setObjectName(QStringLiteral("trainQuestion"));
    box->setInformativeText(TrainQuestion::tr("Continue training goes on from the open model's weights and step count. "
                               "Start from scratch trains a new model with the same settings."));
    QPushButton* keep = box->addButton(TrainQuestion::tr("Continue training"), QMessageBox::AcceptRole);
    keep->setObjectName(QStringLiteral("continueTrainingButton"));
    QPushButton* fresh = box->addButton(TrainQuestion::tr("Start from scratch"), QMessageBox::DestructiveRole);
    fresh->setObjectName(QStringLiteral("startFromScratchButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(keep);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(box, &QMessageBox::buttonClicked, settings, [settings, keep, fresh, start](QAbstractButton* b) {
        if (b != keep && b != fresh)
            return;
        settings->chooseContinue(continueChecked(b == keep ? TrainStart::Continue : TrainStart::FromScratch));
        start();
    });
    box->open();
}

} // namespace al::ui
