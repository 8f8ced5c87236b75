// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: parseLesson on arbitrary bytes (a lesson file as the Lessons menu opens it).
// parseLesson reads every step's setup as a LabSetup; a lesson it accepts has at least one step,
// and each step's setup must read again as a LabSetup that writes back the same JSON.
#include "engine/core/error.h"
#include "ui/view_models/lab_setup.h"
#include "ui/view_models/lesson.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    al::ui::Lesson lesson;
    try {
        lesson = al::ui::parseLesson(bytes, QStringLiteral("lesson.json"));
    } catch (const al::Error&) {
        return 0;
    }
    if (lesson.steps.isEmpty())
        std::abort();
    for (const al::ui::LessonStep& step : lesson.steps) {
        QString error;
        const std::optional<al::ui::LabSetup> setup = al::ui::LabSetup::fromJson(step.setup, &error);
        if (!setup || setup->lesson)
            std::abort(); // parseLesson accepted a setup LabSetup refuses, or one naming a lesson
        QString again_error;
        const std::optional<al::ui::LabSetup> again = al::ui::LabSetup::fromJson(setup->toJson(), &again_error);
        if (!again || *again != *setup)
            std::abort();
    }
    return 0;
}
