// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// trainer_state.json (docs/format.md): what a checkpoint holds beyond the weights
// (model.safetensors) and Adam's moments and step count (optimizer.safetensors) so that a resumed
// run continues the uninterrupted run's steps exactly: the position in the epoch's batch order and
// the random streams (batch order of charlm windows and mlm masks, dropout).
#include "engine/core/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace al {

/// The state of a trainer between two optimizer steps.
struct TrainerState {
    int64_t step = 0;        ///< optimizer steps done (as optimizer.safetensors "step")
    int64_t epoch = 0;       ///< epochs started; the batches being drawn are those of epoch `epoch - 1`
    int64_t batch_pos = 0;   ///< batches of that epoch already trained
    std::string rng;         ///< the trainer's stream (worker 0's dropout, charlm windows, mlm masks)
    std::string epoch_rng;   ///< the trainer's stream as it was when the current epoch's batches were made
    std::vector<std::string> worker_rngs; ///< the dropout streams of workers 1, 2, ...
};

/// The textual state of a stream (std::mt19937_64's operator<<: 312 words and an index).
std::string rng_state(const Rng& rng);
/// Sets `rng` to a state of rng_state. Throws al::Error "<what>: not a random stream state".
void set_rng_state(Rng& rng, const std::string& state, const std::string& what);

/// Writes `state` to `path` as JSON (atomic_write_file): {"format": "attention-lab trainer state",
/// "version": 1, "step", "epoch", "batch_pos", "rng", "epoch_rng", "worker_rngs"}.
void save_trainer_state(const TrainerState& state, const std::string& path);
/// Reads a file of save_trainer_state. Throws al::Error naming the file and the key: a missing or
/// mistyped key, a negative count, a version other than 1, a stream that is not a state.
TrainerState load_trainer_state(const std::string& path);

} // namespace al
