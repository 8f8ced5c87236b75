// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the libFuzzer targets: a private scratch directory per process, files written into
// it, and the split of one fuzz input into the files of a directory.
//
// A target calls a reader on the files and catches al::Error only: a refusal with a message is
// the expected answer to a hostile file. Any other exception (std::bad_alloc, an nlohmann or
// std::out_of_range exception that escaped), a crash, a sanitizer report, a timeout or an
// allocation over libFuzzer's -rss_limit_mb is a finding.
#include "engine/data/line_reader.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace al_fuzz {

/// The process's scratch directory (mkdtemp under $TMPDIR or /tmp), created on first use and
/// removed at a normal exit.
inline const std::string& scratch_dir()
{
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/al-fuzz-XXXXXX";
        if (!::mkdtemp(templ.data()))
            std::abort();
        return templ;
    }();
    static const bool cleanup = [] {
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        });
        return true;
    }();
    (void)cleanup;
    return dir;
}

/// Writes `bytes` to scratch_dir()/name (replacing it) and returns the path.
inline std::string write_scratch(const std::string& name, const std::string& bytes)
{
    const std::string path = scratch_dir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        std::abort();
    return path;
}

/// Removes scratch_dir()/name if it exists.
inline void remove_scratch(const std::string& name) { ::unlink((scratch_dir() + "/" + name).c_str()); }

/// The separator between the files of a multi-file input: newline, ASCII record separator,
/// newline. Seeds are made by tests/fuzz/make_seeds.sh.
inline const std::string& file_separator()
{
    static const std::string sep = "\n\x1e\n";
    return sep;
}

/// Splits `data` at file_separator() into at most `max_pieces` pieces (the last one keeps any
/// further separators).
inline std::vector<std::string> split_pieces(const uint8_t* data, size_t size, size_t max_pieces)
{
    const std::string all(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> pieces;
    size_t start = 0;
    while (pieces.size() + 1 < max_pieces) {
        const size_t at = all.find(file_separator(), start);
        if (at == std::string::npos)
            break;
        pieces.push_back(all.substr(start, at - start));
        start = at + file_separator().size();
    }
    pieces.push_back(all.substr(start));
    return pieces;
}

/// True when `s` holds a C0 control character other than TAB, or DEL (what the corpus readers
/// refuse inside a line).
inline bool has_control(const std::string& s)
{
    for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        if ((b < 0x20 && b != '\t') || b == 0x7F)
            return true;
    }
    return false;
}

/// The skipped lines of a summary added up over its reasons.
inline int64_t reason_total(const al::ReadSummary& s)
{
    int64_t n = 0;
    for (const auto& r : s.reasons)
        n += r.second;
    return n;
}

} // namespace al_fuzz
