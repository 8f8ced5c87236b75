// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Session files (docs/session-format.md): a LabSetup with "format": "attention-lab-session" and
// "version": 1, written atomically. Widget-free.
#include "ui/view_models/lab_setup.h"

#include <QString>

#include <optional>

namespace al::ui {

inline constexpr const char* kSessionFormat = "attention-lab-session";
inline constexpr int kSessionVersion = 1;

/// Reads a session file. Errors name the file and the member ("lab.json: settings.seed:
/// expected an integer"), or the line and column of a JSON syntax error; nullopt then.
std::optional<LabSetup> readSessionFile(const QString& path, QString* error);
/// Parses the bytes of a session file; `name` prefixes the errors.
std::optional<LabSetup> parseSession(const QByteArray& bytes, const QString& name, QString* error);
/// The bytes of a session file (indented JSON, format and version first).
QByteArray sessionBytes(const LabSetup& setup);
/// Writes `setup` as a session file atomically (QSaveFile: the old file stays whole until the
/// new one is complete). False and `error` (naming the file) on failure.
bool writeSessionFile(const QString& path, const LabSetup& setup, QString* error);

} // namespace al::ui
