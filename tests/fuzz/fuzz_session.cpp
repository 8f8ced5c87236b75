// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: parseSession on arbitrary bytes (a session file as File > Open session and
// `attention-lab --session FILE` read it). A session it accepts must round-trip:
// parseSession(sessionBytes(s)) == s, and sessionBytes must be stable.
#include "ui/view_models/session_file.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    QString error;
    const std::optional<al::ui::LabSetup> setup = al::ui::parseSession(bytes, QStringLiteral("session.json"), &error);
    if (!setup) {
        if (error.isEmpty())
            std::abort(); // a refusal must say why
        return 0;
    }
    const QByteArray out = al::ui::sessionBytes(*setup);
    QString again_error;
    const std::optional<al::ui::LabSetup> again = al::ui::parseSession(out, QStringLiteral("again.json"), &again_error);
    if (!again || *again != *setup || al::ui::sessionBytes(*again) != out)
        std::abort();
    return 0;
}
