// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/text_format.h"

#include <vector>

namespace al::cli {

std::string fmt(const char* format, ...)
{
    va_list ap;
    va_start(ap, format);
    va_list again;
    va_copy(again, ap);
    const int n = std::vsnprintf(nullptr, 0, format, ap);
    va_end(ap);
    std::string out;
    if (n > 0) {
        std::vector<char> buf(size_t(n) + 1);
        std::vsnprintf(buf.data(), buf.size(), format, again);
        out.assign(buf.data(), size_t(n));
    }
    va_end(again);
    return out;
}

std::string hms(double seconds)
{
    const long s = static_cast<long>(seconds);
    return fmt("%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
}

void printReads(std::ostream& err, const std::vector<ReadSummary>& reads)
{
    for (const ReadSummary& r : reads)
        for (const std::string& line : r.report())
            err << line << "\n";
}

} // namespace al::cli
