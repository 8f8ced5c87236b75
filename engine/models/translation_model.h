// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "engine/decode/decoding.h"
#include "engine/data/tokenizer.h"
#include "engine/trace/trace.h"
#include "engine/models/transformer.h"
#include "engine/data/vocab.h"

#include <string>
#include <vector>

namespace al {

/// Everything needed to translate: the network (with its config), both vocabularies and
/// both tokenizers. Copyable (a deep copy of the weights), so a snapshot for the GUI is a
/// std::shared_ptr<const TranslationModel>.
struct TranslationModel {
    Transformer net;
    Vocab src_vocab, tgt_vocab;
    Tokenizer src_tokenizer, tgt_tokenizer;
};

struct Translation {
    std::string text;                     ///< detokenised output
    std::vector<std::string> src_tokens;  ///< source tokens as the model saw them (with <eos>)
    std::vector<std::string> out_tokens;  ///< generated tokens (without <eos>)
    double log_prob = 0;                  ///< log P(output, <eos> when generated | source)
    double score = 0;                     ///< the search's ranking score (beam: with the length penalty)
};

/// Translates with the search that `opts` selects (see al::search), stopping at EOS or after
/// opts.max_len tokens. When `trace` is given it is filled with the attention of a
/// teacher-forced pass over the generated sequence (identical, by the causal mask, to what each
/// decoding step saw) and with trace->decoding: per step the top opts.record_top_k next-token
/// probabilities, the chosen token and that step's cross-attention rows.
/// NAT models (decoder "nat") decode in one pass instead (nat_decode; beam search = beam_width
/// length candidates, sampling and forced prefixes are refused): the Trace's
/// decoder inputs are the copied source tokens, its outputs the argmax of every predicted
/// position, dec_self is not causal, and trace->decoding (strategy "nat") has one step per position.
/// Thread-safe on a const model. An empty sentence translates to an empty string. Throws
/// al::Error on invalid options (naming the option).
Translation translate(const TranslationModel& model, const std::string& sentence, const DecodingOptions& opts,
                      Trace* trace = nullptr);
/// As above; `trace_options` choose what the trace records beyond the attention maps
/// (forward_detail: Trace::forward, the step-by-step forward pass of the teacher-forced pass).
Translation translate(const TranslationModel& model, const std::string& sentence, const DecodingOptions& opts,
                      Trace* trace, const TraceOptions& trace_options);
/// Greedy decoding: y_t = argmax p(y_t | y_<t, x); translate() with default DecodingOptions
/// and the given max_len.
Translation translate(const TranslationModel& model, const std::string& sentence, int max_len = 64,
                      Trace* trace = nullptr);

/// Decodes a corpus of source sentences for evaluation: each is tokenized, encoded and cut to
/// max_len - 1 tokens, then decoded with `decoding` in length-sorted chunks of 32 (little
/// padding), chunks spread over the OpenMP threads, each with max_len min(max_len - 1,
/// 2 * longest source of the chunk + 10). Sampling: the chunk starting at sorted index i uses
/// seed + i (sentence j of it seed + i + j). Returns the target tokens per sentence, in input order.
std::vector<std::vector<std::string>> decode_corpus(const TranslationModel& model,
                                                    const std::vector<std::string>& sources,
                                                    const DecodingOptions& decoding = {});

/// Batched greedy decoding of token-id sequences (sources without EOS; EOS is appended).
/// Returns, per source, the generated target ids without BOS/EOS (at most max_len tokens).
std::vector<std::vector<int>> greedy_decode(const Transformer& net,
                                            const std::vector<std::vector<int>>& sources, int max_len);

/// Model directory (engine/io/model_dir.h): config.json (with the tokenizers' src_tokens and
/// tgt_tokens), model.safetensors, src_vocab.txt, tgt_vocab.txt, saved whole (atomic_write_dir:
/// written beside `dir`, then swapped in; other files of an existing `dir` are kept). Creates
/// `dir` if needed. Throws al::Error.
void save_model_dir(const TranslationModel& model, const std::string& dir);
/// The files of save_model_dir written into the directory `dir` one at a time (write_model_dir);
/// for a caller that writes them into a staging directory of atomic_write_dir with others.
void write_model_files(const TranslationModel& model, const std::string& dir);
/// Loads and checks a model directory (the checks of engine/io/model_dir.h: a task model directory is
/// refused, vocabulary sizes must match config.json, every tensor is checked); throws al::Error
/// naming the file and field at fault.
TranslationModel load_model_dir(const std::string& dir);

} // namespace al
