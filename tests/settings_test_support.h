// SPDX-License-Identifier: GPL-3.0-or-later
// Settings the tests train with through a SettingsForm.
#pragma once
#include "ui/view_models/settings_form.h"

namespace al::test {

/// The form set to the charlm task and the values of a tiny model on the bundled text: d_model 16,
/// 2 heads, 1 layer, d_ff 32, context 16, 128 tokens per batch, 10 warm-up steps, 1 thread, seed 5.
inline al::ui::SettingsValues tinyCharlm(al::ui::SettingsForm& form)
{
    form.setTask(QStringLiteral("charlm"));
    al::ui::SettingsValues v = form.values();
    v.dModel = 16;
    v.heads = 2;
    v.decoderLayers = 1;
    v.feedForward = 32;
    v.context = 16;
    v.maxTokens = 128;
    v.warmupSteps = 10;
    v.threads = 1;
    v.seed = 5;
    return v;
}

} // namespace al::test
