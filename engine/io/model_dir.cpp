// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/model_dir.h"

#include "engine/core/error.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/checkpoint.h"
#include "engine/io/config_json.h"
#include "engine/models/limits.h"
#include "engine/io/safetensors.h"
#include "engine/io/timeline_file.h"

#include <filesystem>
#include <memory>

namespace al {

namespace {

namespace fs = std::filesystem;

std::string in_dir(const std::string& dir, const char* file) { return (fs::path(dir) / file).string(); }

} // namespace

const std::vector<ModelDirVocab>& model_dir_vocabs(ModelFamily family)
{
    static const std::vector<ModelDirVocab> seq2seq = {
        {"src_vocab.txt", false, VocabLayout::Seq2Seq, "src_vocab_size"},
        {"tgt_vocab.txt", false, VocabLayout::Seq2Seq, "tgt_vocab_size"},
    };
    static const std::vector<ModelDirVocab> task = {{"vocab.json", true, VocabLayout::Task, "vocab_size"}};
    return family == ModelFamily::TaskModel ? task : seq2seq;
}

void write_model_dir(const std::string& dir, ModelFamily family, const nlohmann::json& config,
                     const ParamStore& params, const std::vector<const Vocab*>& vocabs,
                     StorageDtype weights_dtype)
{
    const std::vector<ModelDirVocab>& files = model_dir_vocabs(family);
    if (vocabs.size() != files.size())
        throw Error("write_model_dir: " + std::to_string(vocabs.size()) + " vocabularies, this model has " +
                    std::to_string(files.size()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error("cannot create model directory '" + dir + "': " + ec.message());
    save_params(params, in_dir(dir, "model.safetensors"), weights_dtype);
    for (size_t i = 0; i < files.size(); ++i) {
        const std::string path = in_dir(dir, files[i].file);
        if (files[i].json)
            vocabs[i]->save_json(path);
        else
            vocabs[i]->save_lines(path);
    }
    // config.json last: a directory with a config.json is complete.
    atomic_write_file(in_dir(dir, "config.json"), config.dump(2) + "\n");
}

nlohmann::json read_model_config_json(const std::string& dir, ModelFamily family)
{
    if (!fs::is_directory(fs::path(dir)))
        throw Error("'" + dir + "' is not a model directory");
    const std::string path = in_dir(dir, "config.json");
    const nlohmann::json j = read_json_file(path);
    // The family first, so that a directory of the other family is refused for what it is
    // rather than for a key its own family does not use.
    if (!j.is_object())
        return j; // the config reader names the type
    const auto task = j.find("task");
    if (family == ModelFamily::TaskModel && task == j.end())
        throw Error(path + ": key 'task' is missing (a translation model directory has no task key; use translate/eval)");
    if (family == ModelFamily::EncoderDecoder && task != j.end() && task->is_string() && !task->get<std::string>().empty())
        throw Error(path + ": key 'task' is \"" + task->get<std::string>() +
                    "\": a task model, not an encoder-decoder (use generate, predict or eval --task)");
    return j;
}

std::vector<Vocab> read_model_vocabs(const std::string& dir, ModelFamily family, const std::vector<int>& sizes)
{
    const std::vector<ModelDirVocab>& files = model_dir_vocabs(family);
    if (sizes.size() != files.size())
        throw Error("read_model_vocabs: " + std::to_string(sizes.size()) + " sizes, this model has " +
                    std::to_string(files.size()) + " vocabularies");
    std::vector<Vocab> out;
    for (size_t i = 0; i < files.size(); ++i) {
        const ModelDirVocab& f = files[i];
        const std::string path = in_dir(dir, f.file);
        Vocab v = f.json ? Vocab::load_json(path, f.layout) : Vocab::load_lines(path, f.layout);
        if (v.size() != sizes[i])
            throw Error(path + ": " + std::to_string(v.size()) + " tokens, but config.json says " + f.size_key + " " +
                        std::to_string(sizes[i]));
        out.push_back(std::move(v));
    }
    return out;
}

void read_model_weights(const std::string& dir, ParamStore& params)
{
    load_params(params, in_dir(dir, "model.safetensors"));
}

void write_model_timeline(const std::string& dir, const TrainingTimeline* timeline)
{
    if (timeline) {
        write_timeline_files(dir, *timeline);
        return;
    }
    for (const char* file : {kTimelineJson, kTimelineTensors}) {
        std::error_code ec;
        fs::remove(fs::path(in_dir(dir, file)), ec);
        if (ec)
            throw Error("cannot remove '" + in_dir(dir, file) + "': " + ec.message());
    }
}

bool has_model_timeline(const std::string& dir)
{
    std::error_code ec;
    return fs::exists(fs::path(in_dir(dir, kTimelineJson)), ec);
}

TrainingTimeline read_model_timeline(const std::string& dir, const ModelConfig& cfg)
{
    TrainingTimeline t = read_timeline_files(dir);
    check_timeline_fits(t, cfg, in_dir(dir, kTimelineJson));
    return t;
}

std::shared_ptr<const TrainingTimeline> load_model_timeline(const std::string& dir, const ModelConfig& cfg,
                                                            std::string* problem)
{
    if (problem)
        problem->clear();
    if (!has_model_timeline(dir))
        return nullptr;
    try {
        return std::make_shared<const TrainingTimeline>(read_model_timeline(dir, cfg));
    } catch (const Error& e) {
        if (problem)
            *problem = e.what();
        return nullptr;
    }
}

ModelFamily model_dir_family(const std::string& dir)
{
    if (!fs::is_directory(fs::path(dir)))
        throw Error("'" + dir + "' is not a model directory");
    const std::string path = in_dir(dir, "config.json");
    const nlohmann::json j = read_json_file(path);
    if (!j.is_object())
        throw Error(path + ": expected a JSON object, got " + j.type_name());
    const auto task = j.find("task");
    if (task == j.end())
        return ModelFamily::EncoderDecoder;
    if (!task->is_string())
        throw Error(path + ": key 'task' must be a string, got " + task->type_name());
    return task->get<std::string>().empty() ? ModelFamily::EncoderDecoder : ModelFamily::TaskModel;
}

void convert_model_dir(const std::string& in, const std::string& out, StorageDtype dtype)
{
    std::error_code ec;
    if (fs::exists(fs::path(out), ec) && fs::equivalent(fs::path(in), fs::path(out), ec))
        throw Error("'" + out + "' is the model directory being converted; give another output directory");
    const ModelFamily family = model_dir_family(in);
    const nlohmann::json j = read_model_config_json(in, family);
    const std::string config_path = in_dir(in, "config.json");
    const ModelConfig cfg = model_config_from_json(j, config_path);
    std::vector<int> sizes;
    for (const ModelDirVocab& f : model_dir_vocabs(family)) {
        const auto it = j.find(f.size_key);
        if (it == j.end() || !it->is_number_integer())
            throw Error(config_path + ": key '" + f.size_key + "' must be an integer");
        sizes.push_back(it->get<int>());
    }
    read_model_vocabs(in, family, sizes); // checked, then copied byte for byte
    const std::string weights = in_dir(in, "model.safetensors");
    check_weights_fit(cfg, config_path, weights);
    std::map<std::string, std::string> metadata;
    const std::map<std::string, Tensor32> tensors = read_safetensors(weights, &metadata);
    // The training timeline travels with the model, checked against it, its maps stored as the
    // weights are.
    std::unique_ptr<TrainingTimeline> timeline;
    if (has_model_timeline(in))
        timeline = std::make_unique<TrainingTimeline>(read_model_timeline(in, cfg));

    atomic_write_dir(out, [&](const std::string& staging) {
        write_safetensors(in_dir(staging, "model.safetensors"), tensors, metadata, dtype);
        for (const ModelDirVocab& f : model_dir_vocabs(family))
            atomic_write_file(in_dir(staging, f.file), read_file(in_dir(in, f.file)));
        // The companions that describe the model rather than hold it: an algorithmic task's
        // generator settings (eval regenerates its test set from them) and the training metrics.
        std::error_code exists;
        for (const char* companion : {"task.json", "metrics.csv"})
            if (fs::is_regular_file(fs::path(in_dir(in, companion)), exists))
                atomic_write_file(in_dir(staging, companion), read_file(in_dir(in, companion)));
        if (timeline)
            write_timeline_files(staging, *timeline, dtype);
        atomic_write_file(in_dir(staging, "config.json"), read_file(config_path));
    });
}

} // namespace al
