// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/trainer_base.h"

#include "engine/core/error.h"
#include "engine/io/atomic_dir.h"

#include <filesystem>

namespace al {

namespace {

constexpr const char* kTrainerStateFile = "trainer_state.json";

} // namespace

void TrainerBase::save(const std::string& dir, const std::function<void(const std::string&)>& extra) const
{
    atomic_write_dir(dir, [&](const std::string& staging) {
        write_checkpoint(staging);
        if (extra)
            extra(staging);
    });
}

void TrainerBase::write_checkpoint(const std::string& dir) const
{
    write_model(dir);
    save_optimizer(parameters(), m_step, dir);
    save_trainer_state(trainer_state(), (std::filesystem::path(dir) / kTrainerStateFile).string());
}

TrainerState TrainerBase::trainer_state() const
{
    TrainerState s;
    s.step = m_step;
    s.epoch = m_epoch;
    s.batch_pos = int64_t(m_batch_pos);
    s.rng = rng_state(m_rng);
    s.epoch_rng = rng_state(m_epoch_rng);
    for (const Rng& r : m_parallel.worker_rngs())
        s.worker_rngs.push_back(rng_state(r));
    return s;
}

void TrainerBase::resume(ParamStore& params, const std::string& optimizer_path)
{
    m_step = resume_optimizer(params, optimizer_path, m_train.seed, m_rng);
    const std::string path = (std::filesystem::path(optimizer_path).parent_path() / kTrainerStateFile).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return;
    const TrainerState s = load_trainer_state(path);
    if (s.step != m_step)
        throw Error(path + ": key 'step' is " + std::to_string(s.step) + ", but " + optimizer_path + " says "
                    + std::to_string(m_step) + " (the two files are of different checkpoints)");
    set_rng_state(m_rng, s.rng, path + ": key 'rng'");
    set_rng_state(m_epoch_rng, s.epoch_rng, path + ": key 'epoch_rng'");
    std::vector<Rng> workers(s.worker_rngs.size());
    for (size_t i = 0; i < workers.size(); ++i)
        set_rng_state(workers[i], s.worker_rngs[i], path + ": key 'worker_rngs[" + std::to_string(i) + "]'");
    m_parallel.set_worker_rngs(std::move(workers));
    m_has_resumed_position = s.epoch > 0;
    m_resumed_epoch = s.epoch;
    m_resumed_batch_pos = size_t(s.batch_pos);
}

bool TrainerBase::take_resumed_position(int64_t& epoch, size_t& batch_pos)
{
    if (!m_has_resumed_position)
        return false;
    m_has_resumed_position = false;
    epoch = m_resumed_epoch;
    batch_pos = m_resumed_batch_pos;
    return true;
}

} // namespace al
