// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The directory-level atomic save (POSIX; the swap is Linux's renameat2 RENAME_EXCHANGE): a
// checkpoint of several files (model.safetensors, the vocabularies, config.json,
// optimizer.safetensors, trainer_state.json, task.json, metrics.csv, ...) is written whole into a
// staging directory beside its target and swapped in by one rename, so a process killed at any
// moment leaves the target as it was before the save or as the save left it, never a mix.
//
//   1. Stale staging directories of the target whose process is gone are removed (staging
//      directories of a live process, including this one, are left alone).
//   2. DIR's parent gets a hidden staging directory ".NAME.saving-PID-N" (PID this process,
//      N a counter); every file of an existing DIR is hard-linked into it (copied where the file
//      system refuses links), so the files the save does not write are kept (not the temporaries
//      ".*.tmp" an interrupted atomic_write_file left).
//   3. `write` writes the checkpoint's files into the staging directory; the staging directory
//      (and every directory under it) is fsynced.
//   4. DIR exists: renameat2(RENAME_EXCHANGE) swaps the two directories in one step; DIR does not
//      exist: rename. The parent is fsynced; then the staging name, which now holds the previous
//      contents, is removed.
//
// Readers open DIR only, so a staging directory left by a killed process is never read.
// A file system without RENAME_EXCHANGE (the call fails with EINVAL or ENOSYS) falls back to two
// renames: DIR to ".NAME.previous-PID-N", then the staging directory to DIR; between the two DIR
// is absent, and a save that finds DIR absent beside the ".previous" directory of a dead process
// renames that back first (it is the complete previous checkpoint).
// The parent directory must be writable: a save into DIR whose parent is not refuses with an
// al::Error before anything is written (a per-file fallback would lose the guarantee).
#include <functional>
#include <string>

namespace al {

/// Saves the directory `dir` atomically (see above): `write(staging)` writes the checkpoint's
/// files into the staging directory `staging`, which already holds hard links to the files of
/// the existing `dir`. `write` must replace files (atomic_write_file, which renames a new file
/// over the old name) and never rewrite a kept file in place: that file is shared with the
/// previous checkpoint. Saves from one process are serialised. Throws al::Error naming `dir`
/// when `dir` exists and is not a directory, the parent is not writable, a link, copy, fsync or
/// rename fails, or `write` throws (its error passed on); the staging directory is removed and
/// `dir` is left as it was.
void atomic_write_dir(const std::string& dir, const std::function<void(const std::string& staging)>& write);

/// Removes the staging directories of `dir` (".NAME.saving-PID-N" and ".NAME.previous-PID-N"
/// beside it) whose process PID is not alive, after renaming a ".previous" one back to `dir` when
/// `dir` is absent. Returns the number removed. atomic_write_dir calls it first; errors are not
/// thrown (a directory that cannot be removed is left for the next save).
int remove_stale_staging_dirs(const std::string& dir);

/// Whether `name` (a file name, no slashes) is a staging directory name of atomic_write_dir for
/// some target.
bool is_staging_dir_name(const std::string& name);

} // namespace al
