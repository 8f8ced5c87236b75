// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/core/params.h"
#include "engine/io/safetensors.h"

#include <string>

namespace al {

/// Saves every parameter value of `store` under its PyTorch name (shape = Param::shape), stored
/// as `dtype` (float16 and bfloat16 round to nearest even; a value float16 cannot hold throws
/// al::Error naming the tensor).
void save_params(const ParamStore& store, const std::string& path, StorageDtype dtype = StorageDtype::F32);

/// Loads values into an existing store. Every parameter of the store must be present with the
/// same shape (dtype F32, or F16 / BF16 widened to float), and the file must hold no other tensor; otherwise throws al::Error
/// naming the file and the tensor ("model.safetensors: missing tensor 'generator.bias'",
/// "...: tensor 'x' has shape [3, 4], expected [4, 4]", "...: unexpected tensor 'y'").
/// The store is left unchanged when an error is thrown.
void load_params(ParamStore& store, const std::string& path);

/// Adam state: "<name>.exp_avg" and "<name>.exp_avg_sq" for every parameter plus the step
/// count in the metadata key "step". Same checks as load_params.
void save_optimizer_state(const ParamStore& store, int64_t step, const std::string& path);
int64_t load_optimizer_state(ParamStore& store, const std::string& path);

} // namespace al
