// SPDX-License-Identifier: GPL-3.0-or-later
// Parameters and Adam moments <-> safetensors. Files hold float32 (or, for weights, float16 /
// bfloat16) whatever Scalar is, so a checkpoint from the double-precision test build loads in the
// float program and vice versa.
#include "engine/io/checkpoint.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>

namespace al {
namespace {

using Mat32 = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::string shape_str(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

/// `m` as float32 (row-major, shape = `p`'s PyTorch shape); zeros when `m` is not allocated,
/// which is how Adam moments look before the first optimizer step.
Tensor32 to_tensor(const Param& p, const Mat& m)
{
    int64_t numel = 1;
    for (int64_t d : p.shape)
        numel *= d;
    if (numel != p.value.size())
        throw Error("parameter '" + p.name + "' has shape " + shape_str(p.shape) + " but "
                    + std::to_string(p.value.size()) + " values");
    Tensor32 t;
    t.shape = p.shape;
    if (m.size() == 0) {
        t.data.assign(static_cast<size_t>(numel), 0.0f);
    } else {
        t.data.resize(static_cast<size_t>(numel));
        Eigen::Map<Mat32>(t.data.data(), p.value.rows(), p.value.cols()) = m.cast<float>();
    }
    return t;
}

Mat from_tensor(const Param& p, const Tensor32& t)
{
    return Eigen::Map<const Mat32>(t.data.data(), p.value.rows(), p.value.cols()).cast<Scalar>();
}

/// Checks that `tensors` holds exactly the names `expected` maps to their parameters, each with
/// the parameter's shape. Throws one al::Error listing every problem (the first few by name).
void check_tensors(const std::string& path, const std::map<std::string, Tensor32>& tensors,
                   const std::map<std::string, const Param*>& expected)
{
    std::vector<std::string> problems;
    for (const auto& [name, p] : expected) {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            problems.push_back("missing tensor '" + name + "'");
        else if (it->second.shape != p->shape)
            problems.push_back("tensor '" + name + "' has shape " + shape_str(it->second.shape)
                               + ", expected " + shape_str(p->shape));
    }
    for (const auto& kv : tensors)
        if (!expected.count(kv.first))
            problems.push_back("unexpected tensor '" + kv.first + "'");
    if (problems.empty())
        return;
    constexpr size_t shown = 8;
    std::string msg = path + ": ";
    for (size_t i = 0; i < problems.size() && i < shown; ++i)
        msg += (i ? "; " : "") + problems[i];
    if (problems.size() > shown)
        msg += "; and " + std::to_string(problems.size() - shown) + " more problems";
    throw Error(msg);
}

} // namespace

void save_params(const ParamStore& store, const std::string& path, StorageDtype dtype)
{
    std::map<std::string, Tensor32> tensors;
    for (const auto& p : store.all())
        tensors.emplace(p->name, to_tensor(*p, p->value));
    // "format": "pt" is what Hugging Face tools expect of a PyTorch state_dict file.
    write_safetensors(path, tensors, {{"format", "pt"}}, dtype);
}

void load_params(ParamStore& store, const std::string& path)
{
    const auto tensors = read_safetensors(path);
    std::map<std::string, const Param*> expected;
    for (const auto& p : store.all())
        expected.emplace(p->name, p.get());
    check_tensors(path, tensors, expected);
    for (const auto& p : store.all())
        p->value = from_tensor(*p, tensors.at(p->name));
}

void save_optimizer_state(const ParamStore& store, int64_t step, const std::string& path)
{
    if (step < 0)
        throw Error(path + ": optimizer step must be >= 0, got " + std::to_string(step));
    std::map<std::string, Tensor32> tensors;
    for (const auto& p : store.all()) {
        tensors.emplace(p->name + ".exp_avg", to_tensor(*p, p->adam_m));
        tensors.emplace(p->name + ".exp_avg_sq", to_tensor(*p, p->adam_v));
    }
    write_safetensors(path, tensors, {{"step", std::to_string(step)}});
}

int64_t load_optimizer_state(ParamStore& store, const std::string& path)
{
    std::map<std::string, std::string> meta;
    const auto tensors = read_safetensors(path, &meta);
    std::map<std::string, const Param*> expected;
    for (const auto& p : store.all()) {
        expected.emplace(p->name + ".exp_avg", p.get());
        expected.emplace(p->name + ".exp_avg_sq", p.get());
    }
    check_tensors(path, tensors, expected);

    const auto it = meta.find("step");
    if (it == meta.end())
        throw Error(path + ": metadata key 'step' is missing");
    const std::string& s = it->second;
    errno = 0;
    char* end = nullptr;
    const long long step = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0])) || *end != '\0' || errno == ERANGE)
        throw Error(path + ": metadata key 'step' must be a non-negative integer, got '" + s + "'");

    for (const auto& p : store.all()) {
        p->adam_m = from_tensor(*p, tensors.at(p->name + ".exp_avg"));
        p->adam_v = from_tensor(*p, tensors.at(p->name + ".exp_avg_sq"));
    }
    return step;
}

} // namespace al
