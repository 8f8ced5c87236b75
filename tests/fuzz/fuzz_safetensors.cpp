// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: read_safetensors on an arbitrary file. A file it accepts must hold tensors
// whose data matches their shapes, and must write back and re-read to the same tensors.
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string path = al_fuzz::write_scratch("model.safetensors",
                                                    std::string(reinterpret_cast<const char*>(data), size));
    std::map<std::string, al::Tensor32> tensors;
    std::map<std::string, std::string> metadata;
    try {
        tensors = al::read_safetensors(path, &metadata);
    } catch (const al::Error&) {
        return 0;
    }
    for (const auto& [name, t] : tensors) {
        size_t n = 1;
        for (int64_t d : t.shape)
            n *= static_cast<size_t>(d);
        if (n != t.data.size())
            std::abort();
    }
    const std::string copy = al_fuzz::write_scratch("copy.safetensors", "");
    try {
        al::write_safetensors(copy, tensors, metadata);
    } catch (const al::Error&) {
        return 0; // e.g. a metadata string that is not valid UTF-8 cannot be written back
    }
    std::map<std::string, std::string> metadata2;
    const auto again = al::read_safetensors(copy, &metadata2);
    if (again.size() != tensors.size() || metadata2 != metadata)
        std::abort();
    for (const auto& [name, t] : tensors) {
        const auto& u = again.at(name);
        if (u.shape != t.shape || u.data.size() != t.data.size()
            || (!t.data.empty() && std::memcmp(u.data.data(), t.data.data(), t.data.size() * sizeof(float)) != 0))
            std::abort();
    }
    return 0;
}
