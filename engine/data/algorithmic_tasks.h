// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Algorithmic sequence-to-sequence tasks generated on the fly: copy, reverse and sort
// a random sequence of symbols. They train in about a minute and show the textbook attention
// patterns: cross-attention on the diagonal for copy, on the anti-diagonal for reverse.
//
// The pairs are ordinary SentencePairs whose text is the symbols as decimal numbers separated by
// spaces ("3 1 4" -> "1 3 4" for sort), so they go through the same word tokenizer, vocabulary,
// Trainer, batching, decoding, model directory and GUI as translation.
#include "engine/models/config.h"
#include "engine/data/corpus.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace al {

enum class AlgorithmicTask { Copy, Reverse, Sort };

/// True for "copy", "reverse" and "sort" (the names of `train --task`).
bool is_algorithmic_task(const std::string& name);
/// "copy" | "reverse" | "sort" -> task; anything else throws al::Error naming `what`
/// (e.g. what = "--task" or "task.json: key 'task'").
AlgorithmicTask algorithmic_task_from_string(const std::string& name, const std::string& what);
/// "copy" | "reverse" | "sort".
std::string to_string(AlgorithmicTask task);

/// What to generate. Symbols are 0 .. vocab-1; source lengths are uniform in [min_len, max_len].
struct AlgorithmicTaskConfig {
    AlgorithmicTask task = AlgorithmicTask::Copy;
    int vocab = 10;          ///< number of symbols (2 .. 1000)
    int min_len = 1;         ///< shortest source, in symbols (>= 1)
    int max_len = 12;        ///< longest source, in symbols (>= min_len, <= 500)
    int train_size = 20000;  ///< training pairs (sources may repeat; none is a valid/test source)
    int valid_size = 500;    ///< validation pairs, distinct sources
    int test_size = 1000;    ///< test pairs, distinct sources, disjoint from valid and train
    uint64_t seed = 1;       ///< every random choice of the generator draws from Rng(seed)

    /// Throws al::Error naming the offending field ("task vocab (1) must be from 2 to 1000"),
    /// also when valid_size + test_size distinct sources cannot be held out (see
    /// generate_algorithmic_splits).
    void validate() const;
};

/// Recommended architecture for the algorithmic tasks: a small model (see docs/tasks.md for the
/// measurements behind it). Vocabulary sizes are left 0 (the trainer fills them in).
ModelConfig algorithmic_model_defaults();
/// Recommended optimisation for the algorithmic tasks (warm-up, learning rate, batch budget);
/// max_len is cfg.max_len so that no generated pair is dropped.
TrainConfig algorithmic_train_defaults(const AlgorithmicTaskConfig& cfg);

/// Tokenisation of the algorithmic tasks (`train --task copy|reverse|sort`): word tokens on both
/// sides, every symbol kept (min_count 1), so that no symbol becomes <unk>.
DataOptions algorithmic_data_options();

/// DIR/task.json: the generator config (task, vocab, min_len, max_len, train_size, valid_size,
/// test_size, seed), so that `eval` can regenerate the same held-out test set. Written atomically;
/// throws al::Error when it cannot be written.
void save_algorithmic_task_file(const AlgorithmicTaskConfig& cfg, const std::string& dir);
/// Reads DIR/task.json into `cfg`; false (cfg untouched) when the file does not exist. Throws
/// al::Error naming the file and key on invalid JSON, a missing key, a wrong type or a config
/// that fails validate().
bool load_algorithmic_task_file(const std::string& dir, AlgorithmicTaskConfig& cfg);

/// The task's output for a source of symbols: the copy, the reverse, or the ascending sort.
std::vector<int> algorithmic_target(AlgorithmicTask task, const std::vector<int>& source);

/// "3 1 4": symbols as decimal numbers separated by single spaces (word tokens).
std::string symbols_to_text(const std::vector<int>& symbols);
/// Inverse of symbols_to_text; throws al::Error on a token that is not a non-negative integer.
std::vector<int> symbols_from_text(const std::string& text);

/// Generates train / valid / test pairs from one Rng(cfg.seed): the same config gives the same
/// splits. Valid and test sources are distinct, held out from each other and from training
/// (no training source equals a valid or test source). So that every length is still seen in
/// training, at most a quarter of the V^L possible sources of a length L is held out; a config
/// whose valid_size + test_size exceeds that capacity throws al::Error.
CorpusSplits generate_algorithmic_splits(const AlgorithmicTaskConfig& cfg);

/// Exact-match and token accuracy of decoded sequences against references.
struct SequenceAccuracy {
    int64_t sequences = 0;       ///< pairs scored
    int64_t exact = 0;           ///< hypotheses identical to their reference (same tokens, same length)
    int64_t tokens = 0;          ///< reference tokens
    int64_t correct_tokens = 0;  ///< reference positions i with hypothesis[i] == reference[i]
    double exact_match() const { return sequences ? double(exact) / double(sequences) : 0.0; }
    double token_accuracy() const { return tokens ? double(correct_tokens) / double(tokens) : 0.0; }
};

/// Scores hypotheses against references, pair by pair (sizes must agree, else al::Error).
/// Token accuracy compares position by position over the reference length, so a missing or
/// extra token costs the positions it shifts; an empty reference counts no tokens.
SequenceAccuracy sequence_accuracy(const std::vector<std::vector<std::string>>& hypotheses,
                                   const std::vector<std::vector<std::string>>& references);

/// Greedy-decodes the sources of `pairs` (decoding chunks run on the OpenMP threads) and scores
/// the outputs against the targets with sequence_accuracy. `samples` (optional) receives
/// "source\treference\thypothesis" lines in pair order.
SequenceAccuracy decode_accuracy(const TranslationModel& model, const std::vector<SentencePair>& pairs,
                                 std::vector<std::string>* samples = nullptr);

/// True when, for the task, output position t (0-based, t < n) of a source of n symbols may be
/// aligned with source position j: copy j == t, reverse j == n - 1 - t, sort source[j] ==
/// sorted[t] (any of equal symbols).
bool expected_alignment(AlgorithmicTask task, const std::vector<int>& source, int t, int j);

/// How often cross-attention follows the task's textbook alignment. For each pair the reference
/// target is teacher-forced; for each decoder layer the cross-attention probabilities are
/// averaged over heads, and a row t < n (the rows that emit a symbol; the EOS row is left out)
/// counts when its argmax over the source positions is an expected_alignment. Returns, per
/// decoder layer, the fraction of such rows.
std::vector<double> cross_attention_agreement(const TranslationModel& model, AlgorithmicTask task,
                                              const std::vector<SentencePair>& pairs);

} // namespace al
