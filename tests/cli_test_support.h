// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers of the tests that run the command line in-process (app/cli.h runCli).
#include "app/cli.h"

#include <QStringList>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

namespace al::test {

/// What one runCli call returned and printed.
struct CliRun {
    int code = -1;
    std::string out, err;
};

/// runCli(args) with `input` on standard input.
inline CliRun runCliArgs(const QStringList& args, const std::string& input = {})
{
    std::istringstream in(input);
    std::ostringstream out, err;
    CliRun r;
    r.code = al::cli::runCli(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

/// The number right after the first occurrence of `key` in `s` (NaN when absent).
inline double numberAfter(const std::string& s, const char* key)
{
    const size_t at = s.find(key);
    return at == std::string::npos ? std::nan("") : std::atof(s.c_str() + at + std::strlen(key));
}

/// The number right after the last occurrence of `key` in `s` (NaN when absent).
inline double numberAfterLast(const std::string& s, const char* key)
{
    const size_t at = s.rfind(key);
    return at == std::string::npos ? std::nan("") : std::atof(s.c_str() + at + std::strlen(key));
}

} // namespace al::test
