// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Evaluation of a trained model, for every model kind: the teacher-forced cross-entropy of its
// predictions on held-out batches (dropout off, no label smoothing), the argmax accuracy, the
// perplexity exp(loss), and for a translation model corpus BLEU-4 of its decoded test sentences
// (Papineni et al. 2002, eval/bleu.h). The trainers score their validation split with it and
// `attention-lab eval` scores a saved model with it.
//
//   loss = -(1/N) sum_i log p(y_i | context_i)      over the N scored targets
//   accuracy = (1/N) #{i : argmax p(. | context_i) = y_i},   perplexity = exp(loss)
//
// Targets: the non-PAD target tokens of an encoder-decoder batch (translation, copy/reverse/sort,
// NAT); the next characters of charlm, the tags of pos, the masked tokens of mlm, the labels of
// sentiment and langid.
#include "engine/data/batch.h"
#include "engine/data/corpus.h"
#include "engine/decode/decoding.h"
#include "engine/eval/bleu.h"

#include <cstdint>
#include <string>
#include <vector>

namespace al {

class Transformer;
class TaskNet;
struct TaskBatch;
struct TranslationModel;

/// Figures of one evaluation pass (dropout off, no label smoothing). All zero when nothing was scored.
struct EvalStats {
    double loss = 0;       ///< cross-entropy per target (nats): per target token of an encoder-decoder,
                           ///< per character for charlm, per tag for pos, per masked token for mlm, per text for classifiers
    double perplexity = 0; ///< exp(loss)
    double bits = 0;       ///< loss / ln 2 (bits per character for charlm)
    double accuracy = 0;   ///< argmax == target, over the scored targets (token accuracy of an encoder-decoder)
    int64_t targets = 0;   ///< number of targets scored
};

/// Scores an encoder-decoder (translation, algorithmic tasks, NAT: the token loss; the NAT length
/// predictor is not scored) on `batches`, teacher-forced. Batches run in parallel over the OpenMP
/// threads, one whole batch per thread at a time.
EvalStats evaluate(const Transformer& net, const std::vector<Batch>& batches);
/// Scores a task network (encoder + head, masked LM, decoder-only LM) on `batches`, as above.
EvalStats evaluate(const TaskNet& net, const std::vector<TaskBatch>& batches);

/// Sentence pairs as ids of `model`'s vocabularies. A pair with an empty side is dropped; a side
/// of more than `limit` tokens drops the pair when `drop_long`, else is cut to `limit` tokens.
std::vector<EncodedPair> encode_pairs(const TranslationModel& model, const std::vector<SentencePair>& pairs, int limit,
                                      bool drop_long);

/// Corpus BLEU-4 on target tokens of `model`'s translations of the sources of `test`, decoded with
/// `decoding` (decode_corpus: max_len raised to cover 2 x source + 10 tokens). `samples` (optional)
/// receives one "source\treference\thypothesis" line per pair. Throws al::Error on bad options.
BleuResult evaluate_bleu(const TranslationModel& model, const std::vector<SentencePair>& test,
                         const DecodingOptions& decoding = DecodingOptions{}, std::vector<std::string>* samples = nullptr);

} // namespace al
