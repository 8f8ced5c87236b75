// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Data of the tasks beyond translation: readers (CoNLL-U, sentence polarity files, Tatoeba TSV,
// plain text), BERT masking, and the encoding of a corpus into a model's token ids.
#include "engine/data/corpus.h"
#include "engine/models/task_models.h"

#include <string>
#include <vector>

namespace al {

/// One sentence with one tag per word.
struct TaggedSentence {
    std::vector<std::string> words, tags;
};

struct ConlluReadResult {
    std::vector<TaggedSentence> sentences;
    ReadSummary summary; ///< lines read and skipped ("file:line: reason")
};

/// Reads FORM and UPOS of the word lines of a CoNLL-U file (universaldependencies.org/format),
/// streaming (LineReader: the line-length limit of `opt`, BOM and CR removed, lines with invalid
/// UTF-8 or control characters skipped). Comment lines (#) are passed over; multiword-token
/// lines (ID like 3-4) and empty nodes (ID like 5.1) are passed over too, as they are not words
/// of the sentence. A line that is not blank and does not have 10 tab-separated fields ("wrong
/// field count"), or whose ID is not a number ("malformed ID"), or whose FORM or UPOS is empty
/// ("empty field"), is skipped and counted. A blank line ends a sentence. Throws al::Error when
/// the file cannot be opened.
ConlluReadResult read_conllu(const std::string& path, const ReadOptions& opt = {});

/// A plain text file as the character LM reads it.
struct PlainTextReadResult {
    std::string text; ///< the accepted lines, each with its '\n' (CRLF becomes '\n')
    ReadSummary summary;
};

/// Reads a plain UTF-8 text, streaming (LineReader: a line over the limit of `opt`, with invalid
/// UTF-8 or with a control character other than TAB is skipped and counted; BOM and CR
/// removed). Blank lines are text (paragraph breaks) and kept. Throws al::Error when the file
/// cannot be opened. Memory: the text it returns plus one line.
PlainTextReadResult read_plain_text(const std::string& path, const ReadOptions& opt = {});

/// A text with its class.
struct LabelledText {
    std::string text;
    std::string label;
};

/// The sentence polarity dataset v1.0 (Pang & Lee 2005): `dir`/rt-polarity.neg and .pos, one
/// snippet per line, trimmed; labels "neg" and "pos". Streaming (LineReader, limit of `opt`);
/// blank lines ("empty line") and lines failing the LineReader checks are skipped; one
/// ReadSummary per file (neg, then pos) is appended to `reads`. Throws al::Error when a file
/// cannot be opened.
std::vector<LabelledText> read_polarity(const std::string& dir, std::vector<ReadSummary>* reads = nullptr,
                                        const ReadOptions& opt = {});

/// Language identification from Tatoeba TSV files ("English \t other [\t attribution]"): each
/// file gives English sentences (label "eng") and its second column labelled by the file name's
/// stem ("cmn.txt" -> "cmn", "fra-sample.txt" -> "fra"). Sentences are deduplicated; at most
/// `per_language` of each language are kept (seeded choice; 0 = all), English drawn evenly
/// from the files. Each file is read by read_tsv_pairs (limit of `opt`); its ReadSummary is
/// appended to `reads`.
std::vector<LabelledText> langid_examples(const std::vector<std::string>& tsv_paths, size_t per_language,
                                          uint64_t seed, std::vector<ReadSummary>* reads = nullptr,
                                          const ReadOptions& opt = {});

/// BERT masking (Devlin et al. 2019, section 3.1 "Task #1: Masked LM") of ids from `vocab` (a
/// VocabLayout::Task vocabulary): every position holding a word (any id but the specials
/// <pad>, <bos>, [CLS], [SEP], [MASK]; <unk> counts as a word) is selected with probability
/// select_p; a selected token is replaced by [MASK] with probability 0.8, by a uniformly random
/// non-special token of the V = vocab.size() with 0.1, and kept with 0.1. targets[i] = the
/// original id at selected positions, -1 elsewhere (the loss is computed on selected positions
/// only). Returns the number selected. Throws al::Error for a layout without [MASK].
int mask_tokens(std::vector<int>& ids, std::vector<int>& targets, const Vocab& vocab, double select_p, Rng& rng);

/// Raw data of one task, split.
struct TaskCorpus {
    std::string task;
    std::string lm_train, lm_valid;                      ///< charlm: text
    std::vector<TaggedSentence> tagged[3];               ///< pos: train, valid, test
    std::vector<LabelledText> labelled[3];               ///< sentiment, langid
    std::vector<std::pair<std::string, std::string>> sentence_pairs[3]; ///< mlm: (A, B)
    std::vector<ReadSummary> reads;                      ///< one per file read, in reading order
    std::string describe() const;                        ///< "train 12544, valid 2001, test 2077 sentences"
};

/// Reads the data of `task` from `paths`:
///   charlm     one text file (read_plain_text); first 90% of bytes train, last 10% validation
///              (and test), cut at a character boundary
///   pos        a directory with *-ud-train.conllu, *-ud-dev.conllu, *-ud-test.conllu (or one
///              .conllu file, split 90/5/5 by sentence)
///   sentiment  a directory with rt-polarity.pos / rt-polarity.neg; shuffled, 80/10/10
///   langid     one or more Tatoeba TSV files (see langid_examples); shuffled, 80/10/10
///   mlm        one TSV file; the English column (0) is deduplicated, shuffled and paired
///              (sentence i with i+1) into (A, B); 90/5/5
/// Every file is streamed with the line-length limit of `opt`. Splits are deterministic for
/// `seed`. Throws al::Error naming the path when data is missing. Memory: the corpus itself
/// (for charlm the text, about 1.1 times the file; for the others the kept lines and their
/// strings) plus one line.
TaskCorpus load_task_corpus(const std::string& task, const std::vector<std::string>& paths, uint64_t seed,
                            const ReadOptions& opt = {});

/// Encoded examples. targets: per token (-1 = none) for charlm/pos, one label for classifiers,
/// empty for mlm (masked at batch time).
struct TaskExample {
    std::vector<int> ids, segments, targets;
    std::vector<int> aux; ///< pos with suffix_len: suffix-token id per word
};
struct TaskData {
    std::vector<TaskExample> split[3];     ///< train, valid, test
    std::vector<int> lm_stream[2];         ///< charlm: train and validation token streams
};

/// A new (untrained) model for `corpus`: vocabulary from the training split (tokens seen fewer
/// than min_count times become <unk>; char LM keeps every character), labels, then the network
/// with the block keys of `cfg` and init `seed`. cfg.task must equal corpus.task.
TaskModel new_task_model(const TaskCorpus& corpus, ModelConfig cfg, int min_count, uint64_t seed);

/// The corpus as the model's ids. Sequences longer than max_len are truncated; tags or labels
/// the model does not know throw al::Error naming them.
TaskData encode_task_corpus(const TaskModel& model, const TaskCorpus& corpus);

/// Default architecture and settings of each task (the figures in docs/cli.md).
ModelConfig default_task_config(const std::string& task);

/// The bundled data of a task, as paths relative to the resource data directory
/// (resources/data, installed as share/attention-lab/data): charlm "tinyshakespeare/input.txt",
/// langid "cmn-eng/cmn.txt" and "fra-eng/fra-sample.txt", mlm "cmn-eng/cmn.txt"; empty for pos
/// and sentiment, whose data is not bundled (a path must be given).
std::vector<std::string> bundled_task_data_files(const std::string& task);

/// What the data path of a task must be, for messages ("a UD treebank directory, e.g.
/// UD_English-EWT" for pos; sentiment says why it is not bundled).
std::string task_data_hint(const std::string& task);

} // namespace al
