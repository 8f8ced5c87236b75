// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/train_start.h"

namespace al::ui {

TrainStart trainStart(bool canContinue, bool chosen, bool continueChecked)
{
    if (!canContinue)
        return TrainStart::FromScratch;
    if (!chosen)
        return TrainStart::Ask;
    return continueChecked ? TrainStart::Continue : TrainStart::FromScratch;
}

TrainStart trainStart(const SettingsForm& form, bool chosen)
{
    const bool canContinue = !form.resumePoint().isEmpty() && form.resumePoint().continues(form.task());
    return trainStart(canContinue, chosen, form.values().continueModel);
}

bool continueChecked(TrainStart answer)
{
    return answer == TrainStart::Continue;
}

} // namespace al::ui
