// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one line reader under every corpus reader (TSV pairs, CoNLL-U, plain text, labelled
// lines): it streams a file in fixed-size chunks, holds at most ReadOptions::max_line_bytes of a
// line, and makes the checks every corpus line gets (docs/format.md, "Corpus files"):
//   - a line longer than the limit is skipped without being held ("line longer than N bytes");
//   - a UTF-8 byte order mark at the start of the file is removed, and so is the '\r' of CRLF;
//   - a line with ill-formed UTF-8 is skipped ("invalid UTF-8 at byte offset K");
//   - a line with a C0 control character other than TAB (NUL, a lone CR, ESC, ...) or DEL is
//     skipped ("control character U+0000 at byte offset K").
// Each read ends with a ReadSummary: lines read and skipped by reason, the first problems in
// full, and one note instead of thousands when the file does not look like UTF-8 at all.
#include "engine/data/limits.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace al {

/// A problem with one line of an input file; the line was skipped.
struct Diagnostic {
    std::string file;
    int64_t line = 0;      ///< 1-based
    std::string message;
    std::string to_string() const; ///< "file:line: message"
};

/// Options of the corpus readers.
struct ReadOptions {
    /// Longest line accepted, in bytes without the line break (LF or CRLF).
    size_t max_line_bytes = DataLimits::line_bytes;
};

/// What one read of one file did.
struct ReadSummary {
    std::string file;
    int64_t lines = 0;   ///< lines read; a last line without a line break counts
    int64_t skipped = 0; ///< lines skipped, whatever the reason
    /// Skipped lines per reason ("invalid UTF-8", "empty line", ...), in order of first occurrence.
    std::vector<std::pair<std::string, int64_t>> reasons;
    /// The first DataLimits::listed_problems skipped lines, in file order.
    std::vector<Diagnostic> problems;
    int64_t invalid_utf8 = 0;     ///< lines skipped for invalid UTF-8
    int64_t blank = 0;            ///< lines that were empty after the checks (skipped or not)
    Diagnostic first_invalid_utf8; ///< the first of them (line 0 when none)

    /// Lines skipped for `reason` (0 when none).
    int64_t count(const std::string& reason) const;
    /// True when most non-blank lines (and more than DataLimits::listed_problems) are invalid
    /// UTF-8: the file is in another encoding (Latin-1, Windows-1252, UTF-16, ...).
    bool looks_not_utf8() const;
    /// "file: N lines read, M skipped (K invalid UTF-8, J empty line)"; "M skipped" alone when
    /// none were.
    std::string to_string() const;
    /// What a command prints about this read, one line each: the listed problems as
    /// "file:line: reason, skipped" (for a file that does not look like UTF-8, one line saying so
    /// in place of its invalid-UTF-8 lines), "file: ... and K more skipped lines" when more were
    /// skipped than listed, then to_string().
    std::vector<std::string> report() const;
};

/// Lines skipped over a set of reads.
int64_t skipped_lines(const std::vector<ReadSummary>& reads);

/// Streams the lines of one file for a corpus reader. Usage:
///   LineReader in(path, opt);
///   std::string line;
///   while (in.next(line)) { ... in.skip("reason", "message") for a line the reader rejects ... }
///   ReadSummary s = in.finish();
/// Memory: one chunk (64 KB) plus the current line, at most max_line_bytes + 1 bytes.
class LineReader {
public:
    /// Opens `path`; throws al::Error "cannot open 'path': reason" (also for a directory) or for
    /// max_line_bytes 0.
    explicit LineReader(const std::string& path, const ReadOptions& opt = {});
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    /// The next line that passed the checks above, without its line break (and without the BOM
    /// on line 1); it may be empty. Lines that failed are counted and skipped here. Returns false
    /// at the end of the file. Throws al::Error "cannot read 'path': reason" on an I/O error.
    bool next(std::string& line);
    /// 1-based number of the line last returned by next().
    int64_t line_number() const { return m_summary.lines; }
    /// True when the line last returned ended with a line break (false only for a last line
    /// without one).
    bool terminated() const { return m_terminated; }
    /// Skips the line last returned for a reason of the reader (a column missing, an empty
    /// field...): counted under `reason`, listed as "file:line: message".
    void skip(const std::string& reason, const std::string& message);
    /// The summary of the read so far (the whole read after next() returned false).
    ReadSummary finish() { return std::move(m_summary); }

private:
    bool read_raw(std::string& line, bool& too_long);
    bool fill();

    std::FILE* m_file = nullptr;
    std::string m_path;
    ReadOptions m_opt;
    std::unique_ptr<char[]> m_buf;
    size_t m_pos = 0, m_end = 0;
    bool m_eof = false, m_terminated = false;
    ReadSummary m_summary;
};

} // namespace al
