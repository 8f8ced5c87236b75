// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of UTF-8 JSON, then the data section. Every tensor's data_offsets
// are relative to the start of the data section, and together they must cover it exactly.
#include "engine/io/safetensors.h"
#include "engine/core/error.h"

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; this code copies it without byte swapping");
#endif

namespace al {
namespace {

using nlohmann::json;

std::string shape_str(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string errno_str(int err) { return std::strerror(err); }

// nlohmann prefixes its messages with "[json.exception.parse_error.101] "; users do not need it.
std::string json_message(const std::exception& e)
{
    std::string m = e.what();
    if (!m.empty() && m[0] == '[') {
        const auto close = m.find("] ");
        if (close != std::string::npos)
            m.erase(0, close + 2);
    }
    return m;
}

/// Element count of `shape`, or -1 when it overflows int64 or a dimension is negative.
int64_t checked_numel(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0)
            return -1;
        if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
            return -1;
        n *= d;
    }
    return n;
}

/// A JSON integer that fits in int64 and is >= 0; false otherwise.
bool get_nonneg_int(const json& v, int64_t& out)
{
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return false;
        out = static_cast<int64_t>(u);
        return true;
    }
    if (v.is_number_integer()) {
        out = v.get<int64_t>();
        return out >= 0;
    }
    return false;
}

bool write_all(int fd, const char* data, size_t size, int& err)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            return false;
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

/// Opens a new, uniquely named file next to `path` (O_EXCL, so two writers never share one).
/// Mode 0666 lets the umask decide the final permissions, as for an ordinary new file.
int open_unique_temp(const std::string& path, std::string& temp_path, int& err)
{
    static std::atomic<uint64_t> counter{0};
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp_path = dir + "." + base + "." + std::to_string(::getpid()) + "."
                    + std::to_string(counter.fetch_add(1)) + "." + std::to_string(rd() % 1000000)
                    + ".tmp";
        const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST && errno != EINTR) {
            err = errno;
            return -1;
        }
    }
    err = EEXIST;
    return -1;
}

/// Makes the rename itself durable; best effort, because some file systems refuse to fsync a
/// directory and the data is already safe in the renamed file.
void fsync_parent_dir(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

[[noreturn]] void throw_at(const std::string& path, const std::string& problem)
{
    throw Error(path + ": " + problem);
}

struct Entry {
    std::string name;
    std::vector<int64_t> shape;
    StorageDtype dtype = StorageDtype::F32;
    int64_t begin = 0, end = 0;
};

/// The stored bits of `x` as float16 or bfloat16 (round to nearest even; Eigen's conversions).
uint16_t narrow(float x, StorageDtype dtype)
{
    uint16_t bits = 0;
    if (dtype == StorageDtype::F16) {
        const Eigen::half h(x);
        std::memcpy(&bits, &h, sizeof bits);
    } else {
        const Eigen::bfloat16 b(x);
        std::memcpy(&bits, &b, sizeof bits);
    }
    return bits;
}

/// The float32 value of stored float16 or bfloat16 bits.
float widen(uint16_t bits, StorageDtype dtype)
{
    if (dtype == StorageDtype::F16) {
        return static_cast<float>(Eigen::numext::bit_cast<Eigen::half>(bits));
    }
    return static_cast<float>(Eigen::numext::bit_cast<Eigen::bfloat16>(bits));
}

} // namespace

const char* storage_dtype_name(StorageDtype dtype)
{
    switch (dtype) {
    case StorageDtype::F16: return "F16";
    case StorageDtype::BF16: return "BF16";
    case StorageDtype::F32: break;
    }
    return "F32";
}

int storage_dtype_bytes(StorageDtype dtype) { return dtype == StorageDtype::F32 ? 4 : 2; }

bool parse_storage_dtype(const std::string& name, StorageDtype& dtype)
{
    std::string n = name;
    for (char& c : n)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "f32" || n == "float32") dtype = StorageDtype::F32;
    else if (n == "f16" || n == "float16") dtype = StorageDtype::F16;
    else if (n == "bf16" || n == "bfloat16") dtype = StorageDtype::BF16;
    else return false;
    return true;
}

std::string read_file(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error("cannot open '" + path + "': " + errno_str(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw Error("cannot open '" + path + "': " + errno_str(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw Error("cannot open '" + path + "': " + errno_str(EISDIR));
    }
    // One read for a regular file; the probe loop also serves pipes and files that grow meanwhile.
    std::string bytes(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0, '\0');
    size_t have = 0;
    char probe[4096];
    for (;;) {
        const bool full = have == bytes.size();
        const ssize_t n = full ? ::read(fd, probe, sizeof probe) : ::read(fd, &bytes[have], bytes.size() - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            throw Error("cannot read '" + path + "': " + errno_str(err));
        }
        if (n == 0)
            break;
        if (full)
            bytes.append(probe, static_cast<size_t>(n));
        have += static_cast<size_t>(n);
    }
    ::close(fd);
    bytes.resize(have);
    return bytes;
}

json read_json_file(const std::string& path)
{
    try {
        return json::parse(read_file(path));
    } catch (const json::exception& e) {
        throw Error(path + ": invalid JSON: " + e.what());
    }
}

void atomic_write_file(const std::string& path, const std::string& bytes)
{
    if (path.empty())
        throw Error("cannot write file: empty path");
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        throw Error("cannot write '" + path + "': it is a directory");

    std::string temp;
    int err = 0;
    const int fd = open_unique_temp(path, temp, err);
    if (fd < 0)
        throw Error("cannot write '" + path + "': cannot create a temporary file in its directory: "
                    + errno_str(err));

    auto fail = [&](const std::string& what, int e) {
        ::unlink(temp.c_str());
        throw Error("cannot write '" + path + "': " + what + ": " + errno_str(e));
    };
    // Replacing a file must not silently change who may read it (e.g. a 0600 checkpoint).
    if (exists && S_ISREG(st.st_mode) && ::fchmod(fd, st.st_mode & 07777) != 0) {
        err = errno;
        ::close(fd);
        fail("cannot set permissions of the temporary file", err);
    }
    if (!write_all(fd, bytes.data(), bytes.size(), err)) {
        ::close(fd);
        fail("write failed", err);
    }
    if (::fsync(fd) != 0) {
        err = errno;
        ::close(fd);
        fail("fsync failed", err);
    }
    if (::close(fd) != 0)
        fail("close failed", errno);
    if (::rename(temp.c_str(), path.c_str()) != 0)
        fail("rename failed", errno);
    fsync_parent_dir(path);
}

void write_safetensors(const std::string& path, const std::map<std::string, Tensor32>& tensors,
                       const std::map<std::string, std::string>& metadata, StorageDtype dtype)
{
    const size_t elem = static_cast<size_t>(storage_dtype_bytes(dtype));
    json header = json::object();
    size_t offset = 0;
    for (const auto& [name, t] : tensors) {
        if (name == "__metadata__")
            throw Error(path + ": '__metadata__' is reserved and cannot name a tensor");
        const int64_t numel = checked_numel(t.shape);
        if (numel < 0)
            throw Error(path + ": tensor '" + name + "' has an invalid shape " + shape_str(t.shape));
        if (static_cast<uint64_t>(numel) != t.data.size())
            throw Error(path + ": tensor '" + name + "' has " + std::to_string(t.data.size())
                        + " values but shape " + shape_str(t.shape) + " needs "
                        + std::to_string(numel));
        if (dtype != StorageDtype::F32) {
            for (size_t i = 0; i < t.data.size(); ++i) {
                const float x = t.data[i];
                if (!std::isfinite(x) || (dtype == StorageDtype::F16 && std::fabs(x) > kFloat16Max))
                    throw Error(path + ": tensor '" + name + "' element " + std::to_string(i) + " is "
                                + std::to_string(x) + ", which " + storage_dtype_name(dtype) + " cannot hold"
                                + (dtype == StorageDtype::F16 ? " (finite values up to +-65504)" : " (finite values only)"));
            }
        }
        const size_t bytes = t.data.size() * elem;
        header[name] = {{"dtype", storage_dtype_name(dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    if (!metadata.empty())
        header["__metadata__"] = metadata;

    std::string header_text;
    try {
        header_text = header.dump();
    } catch (const json::exception& e) { // invalid UTF-8 in a name or a metadata string
        throw Error(path + ": cannot encode the header: " + json_message(e));
    }
    // The format pads the header with spaces so that the data section starts 8-byte aligned.
    header_text.append((8 - header_text.size() % 8) % 8, ' ');

    std::string file;
    file.reserve(8 + header_text.size() + offset);
    uint64_t n = header_text.size();
    char len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    file.append(len, 8);
    file += header_text;
    const size_t data_start = file.size();
    file.resize(data_start + offset);
    size_t pos = data_start;
    for (const auto& kv : tensors) {
        const auto& data = kv.second.data;
        if (dtype == StorageDtype::F32) {
            if (!data.empty())
                std::memcpy(&file[pos], data.data(), data.size() * sizeof(float));
        } else {
            for (size_t i = 0; i < data.size(); ++i) {
                const uint16_t bits = narrow(data[i], dtype);
                std::memcpy(&file[pos + 2 * i], &bits, sizeof bits);
            }
        }
        pos += data.size() * elem;
    }
    atomic_write_file(path, file);
}

namespace {

/// An open file descriptor, closed when it goes out of scope.
struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

/// Reads exactly `size` bytes at `offset`; false on a read error or a file that ended early.
bool read_at(int fd, char* out, size_t size, uint64_t offset, int& err)
{
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            return false;
        }
        if (n == 0) {
            err = 0;
            return false;
        }
        out += n;
        size -= static_cast<size_t>(n);
        offset += static_cast<uint64_t>(n);
    }
    return true;
}

/// read_at, or al::Error naming `path` and `what` was being read: the system's reason, or that
/// the file ended first.
void read_or_fail(const std::string& path, int fd, char* out, size_t size, uint64_t offset, const std::string& what)
{
    int err = 0;
    if (!read_at(fd, out, size, offset, err))
        throw_at(path, err ? "cannot read " + what + ": " + errno_str(err)
                           : "file is truncated (it ended while reading " + what + ")");
}

} // namespace

namespace {

/// An open safetensors file whose header has been read and checked against the file's size.
struct OpenedFile {
    Fd file;
    uint64_t data_start = 0;
    std::map<std::string, std::string> meta;
    std::vector<Entry> entries;
};

/// Opens `path` and checks its header: every size it claims against the file's size, before
/// any tensor is allocated. Throws al::Error as read_safetensors documents.
void open_safetensors(const std::string& path, OpenedFile& opened)
{
    auto fail = [&path](const std::string& problem) { throw_at(path, problem); };
    Fd& file = opened.file;
    file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file.fd < 0)
        throw Error("cannot open '" + path + "': " + errno_str(errno));
    struct stat st {};
    if (::fstat(file.fd, &st) != 0)
        throw Error("cannot open '" + path + "': " + errno_str(errno));
    if (S_ISDIR(st.st_mode))
        throw Error("cannot open '" + path + "': " + errno_str(EISDIR));
    if (!S_ISREG(st.st_mode))
        fail("not a regular file");
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    if (file_size < 8)
        fail("file is truncated (" + std::to_string(file_size)
             + " bytes; a safetensors file starts with an 8-byte header length)");
    unsigned char len[8];
    read_or_fail(path, file.fd, reinterpret_cast<char*>(len), 8, 0, "the header length");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | len[i];
    if (n > file_size - 8)
        fail("header length " + std::to_string(n) + " exceeds the file size ("
             + std::to_string(file_size) + " bytes); the file is truncated or not safetensors");
    if (n > kMaxSafetensorsHeaderBytes)
        fail("header length " + std::to_string(n) + " is over the limit of "
             + std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
    std::string header_text(static_cast<size_t>(n), '\0');
    if (n > 0)
        read_or_fail(path, file.fd, &header_text[0], header_text.size(), 8, "the header");

    json header;
    try {
        header = json::parse(header_text);
    } catch (const json::exception& e) {
        fail("invalid JSON header: " + json_message(e));
    }
    if (!header.is_object())
        fail(std::string("invalid header: expected a JSON object, got ") + header.type_name());

    const uint64_t data_start = 8 + n;
    const uint64_t data_size = file_size - data_start;
    std::map<std::string, std::string>& meta = opened.meta;
    std::vector<Entry>& entries = opened.entries;
    opened.data_start = data_start;
    for (const auto& [name, v] : header.items()) {
        if (name == "__metadata__") {
            if (!v.is_object())
                fail("'__metadata__' must be an object of strings");
            for (const auto& [k, s] : v.items()) {
                if (!s.is_string())
                    fail("'__metadata__' value '" + k + "' must be a string, got " + s.type_name());
                meta[k] = s.get<std::string>();
            }
            continue;
        }
        const std::string t = "tensor '" + name + "'";
        if (!v.is_object())
            fail(t + " must be an object with dtype, shape and data_offsets");
        const auto dtype = v.find("dtype");
        if (dtype == v.end() || !dtype->is_string())
            fail(t + " has no string 'dtype'");
        Entry e;
        e.name = name;
        if (!parse_storage_dtype(dtype->get<std::string>(), e.dtype) || dtype->get<std::string>() != storage_dtype_name(e.dtype))
            fail(t + " has dtype " + dtype->get<std::string>() + "; only F32, F16 and BF16 are supported");
        const auto shape = v.find("shape");
        if (shape == v.end() || !shape->is_array())
            fail(t + " has no 'shape' array");
        for (const auto& d : *shape) {
            int64_t dim = 0;
            if (!get_nonneg_int(d, dim))
                fail(t + " has an invalid shape " + shape->dump()
                     + " (dimensions must be non-negative integers)");
            e.shape.push_back(dim);
        }
        const auto offsets = v.find("data_offsets");
        if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2
            || !get_nonneg_int((*offsets)[0], e.begin) || !get_nonneg_int((*offsets)[1], e.end))
            fail(t + " needs 'data_offsets' [begin, end] of two non-negative integers");
        const std::string off = "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
        if (e.begin > e.end)
            fail(t + " has data_offsets " + off + " with begin > end");
        if (static_cast<uint64_t>(e.end) > data_size)
            fail(t + " has data_offsets " + off + " past the end of the data section ("
                 + std::to_string(data_size) + " bytes): the file is truncated or the offsets are out of range");
        const int64_t numel = checked_numel(e.shape);
        const int64_t span = e.end - e.begin;
        const int elem = storage_dtype_bytes(e.dtype);
        if (numel < 0 || numel > span / elem || numel * elem != span)
            fail(t + " has shape " + shape_str(e.shape) + " ("
                 + (numel < 0 ? std::string("too many") : std::to_string(numel)) + " "
                 + storage_dtype_name(e.dtype) + " elements) but data_offsets " + off + " span "
                 + std::to_string(span) + " bytes");
        entries.push_back(std::move(e));
    }

    // The data section must be covered exactly: no overlaps, no gaps, nothing left over.
    std::vector<const Entry*> by_offset;
    for (const auto& e : entries)
        by_offset.push_back(&e);
    std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    int64_t covered = 0;
    const Entry* prev = nullptr;
    for (const Entry* e : by_offset) {
        if (e->begin < covered)
            fail("tensors '" + prev->name + "' and '" + e->name + "' have overlapping data_offsets");
        if (e->begin > covered)
            fail("gap in the data section before tensor '" + e->name + "' (bytes "
                 + std::to_string(covered) + " to " + std::to_string(e->begin) + " belong to no tensor)");
        covered = e->end;
        if (e->end > e->begin || !prev) // an overlap is reported against the last non-empty tensor
            prev = e;
    }
    if (static_cast<uint64_t>(covered) != data_size)
        fail("data section has " + std::to_string(data_size - static_cast<uint64_t>(covered))
             + " trailing bytes that belong to no tensor");

}

} // namespace

std::map<std::string, Tensor32> read_safetensors(const std::string& path,
                                                 std::map<std::string, std::string>* metadata)
{
    OpenedFile opened;
    open_safetensors(path, opened);
    // Each tensor is read straight into its own buffer (peak memory: the tensors, plus one
    // tensor's 16-bit data while it is widened).
    std::map<std::string, Tensor32> out;
    for (const auto& e : opened.entries) {
        Tensor32 t;
        t.shape = e.shape;
        const std::string what = "tensor '" + e.name + "'";
        const uint64_t at = opened.data_start + static_cast<uint64_t>(e.begin);
        if (e.dtype == StorageDtype::F32) {
            t.data.resize(static_cast<size_t>((e.end - e.begin) / 4));
            if (!t.data.empty())
                read_or_fail(path, opened.file.fd, reinterpret_cast<char*>(t.data.data()), t.data.size() * sizeof(float), at, what);
        } else {
            std::vector<uint16_t> bits(static_cast<size_t>((e.end - e.begin) / 2));
            if (!bits.empty())
                read_or_fail(path, opened.file.fd, reinterpret_cast<char*>(bits.data()), bits.size() * sizeof(uint16_t), at, what);
            t.data.resize(bits.size());
            for (size_t i = 0; i < bits.size(); ++i)
                t.data[i] = widen(bits[i], e.dtype);
        }
        out.emplace(e.name, std::move(t));
    }
    if (metadata)
        *metadata = std::move(opened.meta);
    return out;
}

std::map<std::string, StorageDtype> read_safetensors_dtypes(const std::string& path)
{
    OpenedFile opened;
    open_safetensors(path, opened);
    std::map<std::string, StorageDtype> out;
    for (const auto& e : opened.entries)
        out.emplace(e.name, e.dtype);
    return out;
}

} // namespace al
