// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// printf-style formatting shared by the command-line subcommands (train, race, bench), and the
// one printer of what the corpus readers skipped.
#include "engine/data/line_reader.h"

#include <cstdarg>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace al::cli {

/// printf into a std::string of whatever length the result needs.
std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

/// Elapsed seconds as h:mm:ss.
std::string hms(double seconds);

/// Prints each read's ReadSummary::report() to `err`, one line each: the first skipped lines
/// as "file:line: reason, skipped", a count of the rest, then "file: N lines read, M skipped
/// (reasons)". Every subcommand that reads a corpus prints its reads through this.
void printReads(std::ostream& err, const std::vector<ReadSummary>& reads);

} // namespace al::cli
