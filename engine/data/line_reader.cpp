// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/line_reader.h"

#include "engine/core/error.h"
#include "engine/data/text.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace al {

namespace {

constexpr size_t kChunkBytes = size_t(64) << 10;

std::string hex4(unsigned value)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", value);
    return buf;
}

// Offset of the first C0 control character other than TAB, or DEL; npos when none.
size_t control_offset(const std::string& s)
{
    for (size_t i = 0; i < s.size(); ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b < 0x20 && b != '\t') || b == 0x7F)
            return i;
    }
    return std::string::npos;
}

} // namespace

std::string Diagnostic::to_string() const
{
    return file + ":" + std::to_string(line) + ": " + message;
}

int64_t ReadSummary::count(const std::string& reason) const
{
    for (const auto& [r, n] : reasons)
        if (r == reason)
            return n;
    return 0;
}

bool ReadSummary::looks_not_utf8() const
{
    const int64_t non_blank = lines - blank;
    return invalid_utf8 > int64_t(DataLimits::listed_problems) && 2 * invalid_utf8 > non_blank;
}

std::string ReadSummary::to_string() const
{
    std::string s = file + ": " + std::to_string(lines) + (lines == 1 ? " line" : " lines") + " read, " +
                    std::to_string(skipped) + " skipped";
    if (!reasons.empty()) {
        s += " (";
        for (size_t i = 0; i < reasons.size(); ++i)
            s += (i ? ", " : "") + std::to_string(reasons[i].second) + " " + reasons[i].first;
        s += ")";
    }
    return s;
}

std::vector<std::string> ReadSummary::report() const
{
    std::vector<std::string> out;
    const bool not_utf8 = looks_not_utf8();
    int64_t listed = 0;
    if (not_utf8) {
        out.push_back(file + ": does not look like UTF-8 text: " + std::to_string(invalid_utf8) + " of " +
                      std::to_string(lines - blank) + " non-blank lines are invalid UTF-8 (the first is line " +
                      std::to_string(first_invalid_utf8.line) + ": " + first_invalid_utf8.message +
                      "); is it Latin-1 or another encoding? Convert it, e.g. iconv -f LATIN1 -t UTF-8");
        listed += invalid_utf8;
    }
    for (const Diagnostic& d : problems) {
        if (not_utf8 && d.message.compare(0, 12, "invalid UTF-") == 0)
            continue;
        out.push_back(d.to_string() + ", skipped");
        ++listed;
    }
    if (skipped > listed)
        out.push_back(file + ": ... and " + std::to_string(skipped - listed) + " more skipped line" +
                      (skipped - listed == 1 ? "" : "s"));
    out.push_back(to_string());
    return out;
}

int64_t skipped_lines(const std::vector<ReadSummary>& reads)
{
    int64_t n = 0;
    for (const auto& r : reads)
        n += r.skipped;
    return n;
}

LineReader::LineReader(const std::string& path, const ReadOptions& opt) : m_path(path), m_opt(opt)
{
    if (opt.max_line_bytes == 0)
        throw Error("reading '" + path + "': the line-length limit must be at least 1 byte");
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error("cannot open '" + path + "': is a directory");
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file)
        throw Error("cannot open '" + path + "': " + std::strerror(errno));
    m_buf.reset(new char[kChunkBytes]);
    m_summary.file = path;
}

LineReader::~LineReader()
{
    if (m_file)
        std::fclose(m_file);
}

bool LineReader::fill()
{
    if (m_eof)
        return false;
    m_pos = 0;
    m_end = std::fread(m_buf.get(), 1, kChunkBytes, m_file);
    if (m_end < kChunkBytes) {
        if (std::ferror(m_file))
            throw Error("cannot read '" + m_path + "': " + std::strerror(errno));
        m_eof = true;
    }
    return m_end > 0;
}

// One line of the file into `line` (without '\n'); a line longer than max_line_bytes + 1 (room
// for the '\r' of CRLF) is read past and not held: too_long, `line` empty.
bool LineReader::read_raw(std::string& line, bool& too_long)
{
    line.clear();
    too_long = false;
    bool any = false;
    const size_t keep = m_opt.max_line_bytes + 1;
    while (true) {
        if (m_pos == m_end && !fill()) {
            m_terminated = false;
            return any;
        }
        any = true;
        const char* start = m_buf.get() + m_pos;
        const auto* nl = static_cast<const char*>(std::memchr(start, '\n', m_end - m_pos));
        const size_t piece = nl ? size_t(nl - start) : m_end - m_pos;
        if (!too_long) {
            if (line.size() + piece > keep) {
                too_long = true;
                line.clear();
                line.shrink_to_fit();
            } else {
                line.append(start, piece);
            }
        }
        m_pos += piece;
        if (nl) {
            ++m_pos;
            m_terminated = true;
            return true;
        }
    }
}

bool LineReader::next(std::string& line)
{
    bool too_long = false;
    while (read_raw(line, too_long)) {
        ++m_summary.lines;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (too_long || line.size() > m_opt.max_line_bytes) {
            skip("line too long", "line longer than " + std::to_string(m_opt.max_line_bytes) + " bytes");
            continue;
        }
        size_t bom = 0;
        if (m_summary.lines == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
            line.erase(0, 3);
            bom = 3;
        }
        const size_t bad = utf8_error_offset(line);
        if (bad != std::string::npos) {
            const std::string message = "invalid UTF-8 at byte offset " + std::to_string(bad + bom);
            skip("invalid UTF-8", message);
            if (m_summary.invalid_utf8 == 0)
                m_summary.first_invalid_utf8 = Diagnostic{m_path, m_summary.lines, message};
            ++m_summary.invalid_utf8;
            continue;
        }
        const size_t ctl = control_offset(line);
        if (ctl != std::string::npos) {
            skip("control character", "control character U+" + hex4(static_cast<unsigned char>(line[ctl])) +
                                          " at byte offset " + std::to_string(ctl + bom));
            continue;
        }
        if (line.empty())
            ++m_summary.blank;
        return true;
    }
    return false;
}

void LineReader::skip(const std::string& reason, const std::string& message)
{
    ++m_summary.skipped;
    bool found = false;
    for (auto& [r, n] : m_summary.reasons)
        if (r == reason) {
            ++n;
            found = true;
            break;
        }
    if (!found)
        m_summary.reasons.emplace_back(reason, 1);
    if (m_summary.problems.size() < DataLimits::listed_problems)
        m_summary.problems.push_back(Diagnostic{m_path, m_summary.lines, message});
}

} // namespace al
