// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/atomic_dir.h"

#include "engine/core/error.h"
#include "engine/io/safetensors.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1) // include/uapi/linux/fs.h
#endif

namespace al {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSaving = ".saving-";
constexpr const char* kPrevious = ".previous-";

/// The target of a save: its absolute path (a symbolic link to a directory is followed, so the
/// linked directory is the one replaced), its parent and its name.
struct Target {
    fs::path dir;
    fs::path parent;
    std::string name;
};

Target target_of(const std::string& dir)
{
    if (dir.empty())
        throw Error("cannot save a directory: empty path");
    std::error_code ec;
    fs::path p = fs::absolute(fs::path(dir), ec).lexically_normal();
    if (ec)
        throw Error("cannot save '" + dir + "': " + ec.message());
    if (!p.has_filename())
        p = p.parent_path(); // "dir/" names dir
    if (fs::is_symlink(fs::symlink_status(p, ec))) {
        const fs::path real = fs::canonical(p, ec);
        if (ec)
            throw Error("cannot save '" + dir + "': the symbolic link does not lead to a directory: " + ec.message());
        p = real;
    }
    Target t{p, p.parent_path(), p.filename().string()};
    if (t.name.empty() || t.name == "." || t.name == "..")
        throw Error("cannot save '" + dir + "': not a directory name");
    return t;
}

bool pid_alive(long pid)
{
    if (pid <= 0)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

/// Parses ".NAME<marker>PID-N"; returns the PID, or -1 when `entry` is not of that form.
long staging_pid(const std::string& entry, const std::string& name, const char* marker)
{
    const std::string prefix = "." + name + marker;
    if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0)
        return -1;
    const std::string rest = entry.substr(prefix.size());
    const size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size())
        return -1;
    for (size_t i = 0; i < rest.size(); ++i)
        if (i != dash && (rest[i] < '0' || rest[i] > '9'))
            return -1;
    if (dash > 9)
        return -1;
    return std::stol(rest.substr(0, dash));
}

std::string errno_text(int e) { return std::strerror(e); }

/// fsyncs `path` (a file or directory); throws al::Error naming `what` on failure. A directory
/// whose file system refuses fsync (EINVAL) is accepted: the files in it are synced.
void fsync_path(const fs::path& path, bool directory, const std::string& what)
{
    const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        throw Error(what + ": cannot open '" + path.string() + "' to fsync it: " + errno_text(errno));
    if (::fsync(fd) != 0 && !(directory && (errno == EINVAL || errno == EROFS))) {
        const int e = errno;
        ::close(fd);
        throw Error(what + ": fsync of '" + path.string() + "' failed: " + errno_text(e));
    }
    ::close(fd);
}

/// fsyncs every regular file and directory under `dir`, then `dir` itself.
void fsync_tree(const fs::path& dir, const std::string& what)
{
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
        const fs::file_status st = e.symlink_status();
        if (fs::is_directory(st))
            fsync_tree(e.path(), what);
        else if (fs::is_regular_file(st))
            fsync_path(e.path(), false, what);
    }
    fsync_path(dir, true, what);
}

/// Hard-links every regular file under `from` into `to` (same relative names; subdirectories
/// made, symbolic links copied as links), copying a file where the link is refused (a file
/// system without hard links, a link count limit). Temporaries of atomic_write_file (".*.tmp")
/// are left behind.
void link_tree(const fs::path& from, const fs::path& to, const std::string& what)
{
    for (const fs::directory_entry& e : fs::directory_iterator(from)) {
        const fs::path dst = to / e.path().filename();
        const fs::file_status st = e.symlink_status();
        if (fs::is_symlink(st)) {
            fs::copy_symlink(e.path(), dst);
        } else if (fs::is_directory(st)) {
            fs::create_directory(dst);
            link_tree(e.path(), dst, what);
        } else if (fs::is_regular_file(st)) {
            const std::string name = e.path().filename().string();
            if (name.size() > 5 && name[0] == '.' && name.compare(name.size() - 4, 4, ".tmp") == 0)
                continue; // the temporary of an interrupted atomic_write_file, not part of the checkpoint
            if (::link(e.path().c_str(), dst.c_str()) != 0) {
                if (errno != EPERM && errno != EMLINK && errno != EXDEV && errno != ENOTSUP && errno != EOPNOTSUPP)
                    throw Error(what + ": cannot link '" + e.path().string() + "' into the staging directory: "
                                + errno_text(errno));
                atomic_write_file(dst.string(), read_file(e.path().string()));
            }
        }
        // Sockets, pipes and devices are not part of a checkpoint.
    }
}

/// Swaps the directories `a` and `b` in one step (Linux renameat2 RENAME_EXCHANGE). Returns
/// false with errno EINVAL or ENOSYS when the file system or kernel cannot.
bool exchange(const fs::path& a, const fs::path& b)
{
#if defined(__linux__) && defined(SYS_renameat2)
    return ::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
#else
    (void)a;
    (void)b;
    errno = ENOSYS;
    return false;
#endif
}

std::mutex g_save_mutex;
std::atomic<uint64_t> g_counter{0};

} // namespace

bool is_staging_dir_name(const std::string& name)
{
    if (name.size() < 2 || name[0] != '.')
        return false;
    for (const char* marker : {kSaving, kPrevious}) {
        const size_t at = name.rfind(marker);
        if (at != std::string::npos && at > 1 && staging_pid(name, name.substr(1, at - 1), marker) >= 0)
            return true;
    }
    return false;
}

int remove_stale_staging_dirs(const std::string& dir)
{
    int removed = 0;
    try {
        const Target t = target_of(dir);
        std::error_code ec;
        if (!fs::is_directory(t.parent, ec))
            return 0;
        bool target_exists = fs::exists(fs::symlink_status(t.dir, ec));
        std::vector<fs::path> stale_saving, stale_previous;
        for (const fs::directory_entry& e : fs::directory_iterator(t.parent, ec)) {
            const std::string entry = e.path().filename().string();
            const long saving = staging_pid(entry, t.name, kSaving);
            const long previous = staging_pid(entry, t.name, kPrevious);
            if (saving >= 0 && !pid_alive(saving))
                stale_saving.push_back(e.path());
            else if (previous >= 0 && !pid_alive(previous))
                stale_previous.push_back(e.path());
        }
        for (const fs::path& p : stale_previous) {
            // A save killed between its two renames: this is the complete previous checkpoint.
            if (!target_exists && ::rename(p.c_str(), t.dir.c_str()) == 0) {
                target_exists = true;
                fsync_path(t.parent, true, "cannot save '" + dir + "'");
                continue;
            }
            stale_saving.push_back(p);
        }
        for (const fs::path& p : stale_saving) {
            fs::remove_all(p, ec);
            if (!ec)
                ++removed;
        }
    } catch (const std::exception&) {
        // Left for the next save.
    }
    return removed;
}

void atomic_write_dir(const std::string& dir, const std::function<void(const std::string& staging)>& write)
{
    const std::lock_guard<std::mutex> lock(g_save_mutex);
    const Target t = target_of(dir);
    const std::string what = "cannot save '" + dir + "'";
    std::error_code ec;
    fs::create_directories(t.parent, ec);
    if (ec)
        throw Error(what + ": cannot create its parent directory '" + t.parent.string() + "': " + ec.message());
    remove_stale_staging_dirs(dir);
    const fs::file_status target_status = fs::status(t.dir, ec);
    const bool exists = fs::exists(target_status);
    if (exists && !fs::is_directory(target_status))
        throw Error(what + ": it exists and is not a directory");

    const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(g_counter.fetch_add(1));
    const fs::path staging = t.parent / ("." + t.name + kSaving + tag);
    if (::mkdir(staging.c_str(), 0777) != 0)
        throw Error(what + ": cannot create the staging directory '" + staging.string() + "': " + errno_text(errno)
                    + " (a checkpoint is written whole beside its directory, then swapped in: the parent directory "
                      "must be writable)");
    try {
        if (exists)
            link_tree(t.dir, staging, what);
        write(staging.string());
        fsync_tree(staging, what);
        if (!exists) {
            if (::rename(staging.c_str(), t.dir.c_str()) != 0)
                throw Error(what + ": cannot rename the staging directory into place: " + errno_text(errno));
        } else if (!exchange(staging, t.dir)) {
            if (errno != EINVAL && errno != ENOSYS)
                throw Error(what + ": cannot swap the staging directory into place: " + errno_text(errno));
            const fs::path previous = t.parent / ("." + t.name + kPrevious + tag);
            if (::rename(t.dir.c_str(), previous.c_str()) != 0)
                throw Error(what + ": cannot move the previous checkpoint aside: " + errno_text(errno));
            if (::rename(staging.c_str(), t.dir.c_str()) != 0) {
                const int e = errno;
                ::rename(previous.c_str(), t.dir.c_str());
                throw Error(what + ": cannot rename the staging directory into place: " + errno_text(e));
            }
            fsync_path(t.parent, true, what);
            fs::remove_all(previous, ec);
            return;
        }
    } catch (const Error&) {
        fs::remove_all(staging, ec);
        throw;
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(staging, ec);
        throw Error(what + ": " + e.what());
    } catch (...) {
        fs::remove_all(staging, ec);
        throw;
    }
    fsync_path(t.parent, true, what);
    // After the exchange the staging name holds the previous contents.
    fs::remove_all(staging, ec);
}

} // namespace al
