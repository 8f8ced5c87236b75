// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace al {

/// A float32 tensor read from or written to a .safetensors file (row-major, little-endian).
struct Tensor32 {
    std::vector<int64_t> shape;
    std::vector<float> data; ///< product(shape) elements
};

/// Writes tensors in the safetensors format (8-byte little-endian header length, JSON header
/// with dtype "F32", shape and data_offsets, then the raw data; tensors laid out in name order;
/// optional string metadata under "__metadata__"; header padded with spaces to a multiple of
/// 8 bytes). Atomic (atomic_write_file). Throws al::Error on I/O failure, on a tensor whose
/// data size does not match its shape, and on a tensor named "__metadata__".
void write_safetensors(const std::string& path, const std::map<std::string, Tensor32>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

/// Longest JSON header read_safetensors accepts (the limit of the reference implementation,
/// huggingface/safetensors MAX_HEADER_SIZE).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

/// Reads every tensor and, when `metadata` is given, the "__metadata__" strings (an empty map
/// when the file has none). The header is read and every size it claims checked against the
/// file's size before a tensor is allocated; each tensor is then read from the file into its
/// own buffer. Throws al::Error "<path>: <problem>" on: missing file, not a regular file,
/// truncated file, header length beyond the file or over kMaxSafetensorsHeaderBytes, invalid
/// JSON, a dtype other than F32, offsets that overlap, leave gaps, run past the end or leave
/// trailing bytes, or a shape whose element count does not match its byte range.
std::map<std::string, Tensor32> read_safetensors(const std::string& path,
                                                 std::map<std::string, std::string>* metadata = nullptr);

/// Writes `bytes` to `path` atomically (uniquely named temporary file in the same directory,
/// write, fsync, rename; POSIX). On failure (directory not writable, disk full, `path` is a
/// directory) the old file is untouched and the temporary removed; throws al::Error
/// "cannot write '<path>': <reason>". A replaced file keeps its permission bits.
void atomic_write_file(const std::string& path, const std::string& bytes);

/// Reads a whole file; throws al::Error "cannot open 'path': reason".
std::string read_file(const std::string& path);
/// Reads and parses a JSON file; throws al::Error as read_file, or "path: invalid JSON: ...".
nlohmann::json read_json_file(const std::string& path);

} // namespace al
