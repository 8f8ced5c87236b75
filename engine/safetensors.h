// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
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
/// optional string metadata under "__metadata__"). Atomic: written to a temporary file in the
/// same directory, flushed, then renamed over `path`. Throws al::Error on I/O failure.
void write_safetensors(const std::string& path, const std::map<std::string, Tensor32>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

/// Reads every tensor. Throws al::Error naming the file and the problem on: missing file,
/// truncated file, header length beyond the file, invalid JSON, a dtype other than F32,
/// offsets that overlap, leave gaps or run past the end, or a shape whose element count does
/// not match its byte range.
std::map<std::string, Tensor32> read_safetensors(const std::string& path,
                                                 std::map<std::string, std::string>* metadata = nullptr);

/// Writes `bytes` to `path` atomically (temporary file in the same directory, flush + fsync,
/// rename). On failure the old file is untouched and the temporary removed; throws al::Error.
void atomic_write_file(const std::string& path, const std::string& bytes);

/// Reads a whole file; throws al::Error "cannot open 'path': reason".
std::string read_file(const std::string& path);

} // namespace al
