// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace al {

/// The element types a .safetensors file may store: IEEE float32, IEEE float16 (binary16) and
/// bfloat16 (the upper 16 bits of a float32). Tensors in memory are always float32; F16 and BF16
/// are widened on read and rounded to nearest even on write.
enum class StorageDtype { F32, F16, BF16 };

/// "F32", "F16" or "BF16", the dtype string of the safetensors header.
const char* storage_dtype_name(StorageDtype dtype);
/// Bytes per stored element: 4 or 2.
int storage_dtype_bytes(StorageDtype dtype);
/// The dtype of a header or command-line name, case-insensitive ("F16", "f16", "float16",
/// "bf16", "bfloat16", "f32", "float32"); false when the name is none of them.
bool parse_storage_dtype(const std::string& name, StorageDtype& dtype);

/// Largest finite float16 value, 65504 (IEEE 754 binary16).
inline constexpr float kFloat16Max = 65504.0f;

/// A float32 tensor read from or written to a .safetensors file (row-major, little-endian).
struct Tensor32 {
    std::vector<int64_t> shape;
    std::vector<float> data; ///< product(shape) elements
};

/// Writes tensors in the safetensors format (8-byte little-endian header length, JSON header
/// with dtype, shape and data_offsets, then the raw data; tensors laid out in name order;
/// optional string metadata under "__metadata__"; header padded with spaces to a multiple of
/// 8 bytes), every tensor stored as `dtype` (F16/BF16: rounded to nearest even). Atomic
/// (atomic_write_file). Throws al::Error on I/O failure, on a tensor whose data size does not
/// match its shape, on a tensor named "__metadata__", and, for F16 and BF16, on a value that is
/// not finite or (F16) beyond +-65504, naming the tensor and the element index.
void write_safetensors(const std::string& path, const std::map<std::string, Tensor32>& tensors,
                       const std::map<std::string, std::string>& metadata = {},
                       StorageDtype dtype = StorageDtype::F32);

/// Longest JSON header read_safetensors accepts (the limit of the reference implementation,
/// huggingface/safetensors MAX_HEADER_SIZE).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

/// Reads every tensor and, when `metadata` is given, the "__metadata__" strings (an empty map
/// when the file has none). The header is read and every size it claims checked against the
/// file's size before a tensor is allocated; each tensor is then read from the file into its
/// own buffer. Throws al::Error "<path>: <problem>" on: missing file, not a regular file,
/// truncated file, header length beyond the file or over kMaxSafetensorsHeaderBytes, invalid
/// JSON, a dtype other than F32, F16 and BF16 (F16 and BF16 are widened to float32), offsets
/// that overlap, leave gaps, run past the end or leave
/// trailing bytes, or a shape whose element count does not match its byte range.
std::map<std::string, Tensor32> read_safetensors(const std::string& path,
                                                 std::map<std::string, std::string>* metadata = nullptr);

/// The dtype of every tensor in `path`'s header, by name (no tensor data is read). Same header
/// checks and errors as read_safetensors.
std::map<std::string, StorageDtype> read_safetensors_dtypes(const std::string& path);

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
