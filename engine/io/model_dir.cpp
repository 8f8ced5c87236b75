// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/io/model_dir.h"

#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "engine/io/safetensors.h"

#include <filesystem>

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
                     const ParamStore& params, const std::vector<const Vocab*>& vocabs)
{
    const std::vector<ModelDirVocab>& files = model_dir_vocabs(family);
    if (vocabs.size() != files.size())
        throw Error("write_model_dir: " + std::to_string(vocabs.size()) + " vocabularies, this model has " +
                    std::to_string(files.size()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error("cannot create model directory '" + dir + "': " + ec.message());
    save_params(params, in_dir(dir, "model.safetensors"));
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

} // namespace al
