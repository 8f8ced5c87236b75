// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/trainer_state.h"

#include "engine/core/error.h"
#include "engine/io/safetensors.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace al {

namespace {

constexpr const char* kFormat = "attention-lab trainer state";

int64_t count_key(const nlohmann::json& j, const char* key, const std::string& path)
{
    const auto it = j.find(key);
    if (it == j.end())
        throw Error(path + ": key '" + key + "' is missing");
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
        throw Error(path + ": key '" + key + "' must be a non-negative integer, got " + it->dump());
    return it->get<int64_t>();
}

std::string stream_key(const nlohmann::json& j, const char* key, const std::string& path)
{
    const auto it = j.find(key);
    if (it == j.end())
        throw Error(path + ": key '" + key + "' is missing");
    if (!it->is_string())
        throw Error(path + ": key '" + key + "' must be a string, got " + it->type_name());
    Rng check;
    set_rng_state(check, it->get<std::string>(), path + ": key '" + key + "'");
    return it->get<std::string>();
}

} // namespace

std::string rng_state(const Rng& rng)
{
    Rng copy = rng; // Rng gives its engine non-const only
    std::ostringstream s;
    s << copy.engine();
    return s.str();
}

void set_rng_state(Rng& rng, const std::string& state, const std::string& what)
{
    std::istringstream s(state);
    std::mt19937_64 gen;
    s >> gen;
    if (s.fail())
        throw Error(what + ": not a random stream state");
    s >> std::ws;
    if (!s.eof())
        throw Error(what + ": not a random stream state (trailing characters)");
    rng.engine() = gen;
}

void save_trainer_state(const TrainerState& state, const std::string& path)
{
    nlohmann::json j;
    j["format"] = kFormat;
    j["version"] = 1;
    j["step"] = state.step;
    j["epoch"] = state.epoch;
    j["batch_pos"] = state.batch_pos;
    j["rng"] = state.rng;
    j["epoch_rng"] = state.epoch_rng;
    j["worker_rngs"] = state.worker_rngs;
    atomic_write_file(path, j.dump(2) + "\n");
}

TrainerState load_trainer_state(const std::string& path)
{
    const nlohmann::json j = read_json_file(path);
    if (!j.is_object())
        throw Error(path + ": expected a JSON object, got " + j.type_name());
    const auto format = j.find("format");
    if (format == j.end() || !format->is_string() || format->get<std::string>() != kFormat)
        throw Error(path + ": key 'format' must be \"" + kFormat + "\"");
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != 1)
        throw Error(path + ": key 'version' must be 1");
    TrainerState s;
    s.step = count_key(j, "step", path);
    s.epoch = count_key(j, "epoch", path);
    s.batch_pos = count_key(j, "batch_pos", path);
    s.rng = stream_key(j, "rng", path);
    s.epoch_rng = stream_key(j, "epoch_rng", path);
    const auto workers = j.find("worker_rngs");
    if (workers == j.end())
        throw Error(path + ": key 'worker_rngs' is missing");
    if (!workers->is_array())
        throw Error(path + ": key 'worker_rngs' must be an array, got " + workers->type_name());
    for (size_t i = 0; i < workers->size(); ++i) {
        const nlohmann::json& w = (*workers)[i];
        const std::string key = "worker_rngs[" + std::to_string(i) + "]";
        if (!w.is_string())
            throw Error(path + ": key '" + key + "' must be a string, got " + w.type_name());
        Rng check;
        set_rng_state(check, w.get<std::string>(), path + ": key '" + key + "'");
        s.worker_rngs.push_back(w.get<std::string>());
    }
    return s;
}

} // namespace al
