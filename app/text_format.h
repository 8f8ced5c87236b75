// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// printf-style formatting shared by the command-line subcommands (train, race, bench).
#include <cstdarg>
#include <cstdio>
#include <string>

namespace al::cli {

/// printf into a std::string of whatever length the result needs.
std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// Elapsed seconds as h:mm:ss.
std::string hms(double seconds);

} // namespace al::cli
