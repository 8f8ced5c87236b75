// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Limits of the corpus readers (engine/data/line_reader.h; docs/format.md, "Corpus files"), the
// data-side peer of ModelLimits (engine/models/limits.h). Every reader streams its file line by
// line and holds at most `line_bytes` bytes of one line, so a file of any size is read in bounded
// memory beyond the data it returns.
#include <cstddef>

namespace al {

struct DataLimits {
    /// Longest line a reader accepts, in bytes without the line break (1 MiB); a longer line is
    /// skipped ("line longer than 1048576 bytes") and read past without being held.
    static constexpr size_t line_bytes = size_t(1) << 20;
    /// Problems of one file listed one by one ("file:line: reason, skipped"); the rest are
    /// counted in the file's summary by reason.
    static constexpr size_t listed_problems = 10;
};

} // namespace al
