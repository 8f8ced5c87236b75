// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The model directory (docs/format.md): config.json, model.safetensors and the vocabulary files
// of the model's family. One writer and one reader serve every model kind:
//   encoder-decoder (translation, the algorithmic tasks, NAT): src_vocab.txt and tgt_vocab.txt,
//       one token per line, VocabLayout::Seq2Seq, sizes in src_vocab_size and tgt_vocab_size;
//   task models (charlm, pos, sentiment, langid, mlm): vocab.json, a JSON array,
//       VocabLayout::Task, size in vocab_size.
// write_model_dir writes the files one at a time (each atomic: temporary file, fsync, rename;
// config.json last) into a directory the caller owns; a save of a model replaces the whole
// directory at once by writing them into a staging directory of atomic_write_dir
// (engine/io/atomic_dir.h), so a killed save leaves the previous checkpoint or the new one. Reading checks the family, the config keys (by
// the caller's config reader), the vocabularies and their sizes before a network is built, and
// every tensor's name, dtype and shape before a value is copied; each refusal names the file
// and the field.
#include "engine/core/params.h"
#include "engine/data/vocab.h"
#include "engine/io/safetensors.h"
#include "engine/trace/timeline.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace al {

struct ModelConfig;

/// The two families of model directories: the encoder-decoder and the one-stack task models.
enum class ModelFamily { EncoderDecoder, TaskModel };

/// One vocabulary file of a model directory.
struct ModelDirVocab {
    const char* file;     ///< name inside the directory
    bool json;            ///< true: a JSON array of strings; false: one token per line
    VocabLayout layout;   ///< the special tokens it starts with
    const char* size_key; ///< the config.json key that gives its size
};
/// The vocabulary files of a family, in the order write_model_dir takes them and
/// read_model_vocabs returns them: {src_vocab.txt, tgt_vocab.txt} or {vocab.json}.
const std::vector<ModelDirVocab>& model_dir_vocabs(ModelFamily family);

/// Writes into `dir` (created if needed), one file at a time: model.safetensors from `params` stored as `weights_dtype`,
/// one vocabulary per entry of model_dir_vocabs(family) (same order), then config.json
/// (`config`, indented). Throws al::Error on I/O failure, a vocabulary count that does not match
/// the family, a token its file format cannot hold, or a weight float16 cannot hold.
void write_model_dir(const std::string& dir, ModelFamily family, const nlohmann::json& config,
                     const ParamStore& params, const std::vector<const Vocab*>& vocabs,
                     StorageDtype weights_dtype = StorageDtype::F32);

/// The family of the model directory `dir` (its config.json has a non-empty "task": a task
/// model). Throws al::Error as read_model_config_json.
ModelFamily model_dir_family(const std::string& dir);

/// Copies the model directory `in` to `out` with model.safetensors stored as `dtype` (F16 halves
/// a float32 model's size; float16 rounds to nearest even, a weight beyond +-65504 is refused).
/// config.json is checked (model_config_from_json) and the vocabularies against its sizes before
/// anything is written; task.json and metrics.csv are copied, and the training timeline
/// (timeline.json and timeline.safetensors, checked against the model) is written with its maps
/// stored as `dtype`; optimizer state and other files are not copied. `out` is saved whole
/// (atomic_write_dir; other files of an existing `out` are kept). `out` must not be `in`.
/// Throws al::Error naming the file and the field.
void convert_model_dir(const std::string& in, const std::string& out, StorageDtype dtype);

/// dir/config.json parsed, for a loader of `family`. Throws al::Error: "'dir' is not a model
/// directory", the file cannot be read, "path: invalid JSON: ...", or the directory is of the
/// other family ("path: key 'task' is missing (a translation model directory ...)" for a task
/// loader; "path: key 'task' is \"charlm\": a task model, not an encoder-decoder ..." for a translation
/// loader).
nlohmann::json read_model_config_json(const std::string& dir, ModelFamily family);
/// The vocabularies of model_dir_vocabs(family), each checked against the size its config key
/// gives (`sizes`, same order). Throws al::Error naming file:line (line format) or file and token
/// index (JSON) of a malformed file, or "path: N tokens, but config.json says KEY M".
std::vector<Vocab> read_model_vocabs(const std::string& dir, ModelFamily family, const std::vector<int>& sizes);
/// Copies dir/model.safetensors into `params` after checking every name, dtype and shape
/// (load_params). Throws al::Error naming the file and the tensor.
void read_model_weights(const std::string& dir, ParamStore& params);

/// The training timeline of a model directory (docs/timeline.md): with `timeline`, writes
/// timeline.safetensors and timeline.json into `dir` (write_timeline_files, engine/io/
/// timeline_file.h), for a save that writes them into a staging directory of atomic_write_dir
/// beside the model files; with nullptr, removes them from `dir`, so that a model trained
/// without recording does not keep the timeline of an earlier model saved there. Throws
/// al::Error naming the file.
void write_model_timeline(const std::string& dir, const TrainingTimeline* timeline);
/// Whether `dir` holds timeline.json.
bool has_model_timeline(const std::string& dir);
/// dir's timeline, read with the checks of read_timeline_files and check_timeline_fits against
/// the model's `cfg`. Throws al::Error naming the file and the field.
TrainingTimeline read_model_timeline(const std::string& dir, const ModelConfig& cfg);
/// As read_model_timeline for a loader that opens the model whatever its timeline: null when
/// `dir` has none (problem left empty) or when it is refused (problem = the error's message,
/// "dir/timeline.json: records[2].step: ..."); never throws al::Error.
std::shared_ptr<const TrainingTimeline> load_model_timeline(const std::string& dir, const ModelConfig& cfg,
                                                            std::string* problem);

} // namespace al
