// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Head importance and pruning (Michel, Levy and Neubig 2019, "Are Sixteen Heads Really Better
// than One?"), without I/O. For every head h (kind enc / dec / cross, layer, head):
//   (a) ablation loss: the teacher-forced validation loss (engine/eval/evaluate.h, nats per
//       target) with h alone ablated, and its rise over the intact model (section 3.1);
//   (b) ablation metric: corpus BLEU-4 of a decoded validation sample (encoder-decoders) or the
//       argmax accuracy (task models) with h alone ablated, and its fall;
//   (c) gradient importance (section 4.1, eq. 4, after Molchanov et al. 2017): with a gate xi_h
//       multiplying head h's output,
//         I_h = E_x | dL(x) / dxi_h |   at xi = 1,
//       where dL(x)/dxi_h = sum_t ctx_h[t] . dL(x)/dctx_h[t] over the query positions t of
//       example x (AttentionCache::gate_grad), x ranges over the validation sentences
//       (sequences, texts) and L(x) is the plain cross-entropy of x's targets averaged over
//       them (no label smoothing). Scores are normalised per attention layer (kind, layer) by
//       their L2 norm, I_h / sqrt(sum_{h'} I_{h'}^2), as the paper does before ranking heads
//       across layers (section 4.2).
// Ablation is zero (xi_h = 0, the paper's) or mean (engine/nn/head_mask.h): each head's mean
// output over the real query positions of the validation batches.
#include "engine/data/batch.h"
#include "engine/data/corpus.h"
#include "engine/decode/decoding.h"
#include "engine/nn/head_mask.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace al {

class Transformer;
class TaskNet;
struct TaskBatch;
struct TranslationModel;

/// Every head of a model with `layers[int(kind)]` layers per kind and H heads: enc layers,
/// then dec, then cross; heads ascending within a layer.
std::vector<HeadId> all_heads(const std::array<int, kAttentionKinds>& layers, int H);

/// The mean output m_h (D) of every head: the mean of its D context columns (before out_proj)
/// over the real query positions of `batches` (encoder self-attention: the source positions
/// < src_len; decoder self- and cross-attention: the target positions < tgt_len; a task model:
/// positions < len), run as the model stands (its current head mask applies upstream).
/// Batches run in parallel over the OpenMP threads. What AblationMode::Mean substitutes.
HeadMeans head_output_means(const Transformer& net, const std::vector<Batch>& batches);
HeadMeans head_output_means(const TaskNet& net, const std::vector<TaskBatch>& batches);

/// Gradient importance of every head (see the top of this file), in the order of all_heads.
struct GradientImportance {
    std::vector<HeadId> heads;
    std::vector<double> raw;        ///< I_h = mean over examples of |dL(x)/dxi_h| (nats per unit gate)
    std::vector<double> normalized; ///< I_h / L2 norm of the I of its layer (kind, layer); 0 for an all-zero layer
    int64_t examples = 0;           ///< examples x averaged over (those with at least one target)
};
/// Forward and backward passes (evaluation mode, no dropout) of every batch, on a copy of the
/// model (the model and its gradients are untouched); batches in parallel over the OpenMP threads.
GradientImportance gradient_importance(const Transformer& net, const std::vector<Batch>& batches);
GradientImportance gradient_importance(const TaskNet& net, const std::vector<TaskBatch>& batches);

/// The figures of one (possibly ablated) model.
struct AblationScore {
    double loss = 0;   ///< teacher-forced validation loss (nats per target)
    double metric = 0; ///< BLEU (0..100) of the decoded sample, or accuracy (0..1) of a task model
};

/// Scores a translation model (any encoder-decoder) under `mask`: the loss over `batches` and
/// BLEU of `bleu_pairs` decoded with `decoding` (0 when bleu_pairs is empty). The model's own
/// mask is restored afterwards. Throws al::Error as set_head_mask and evaluate_bleu.
AblationScore score_with_mask(TranslationModel& model, const HeadMask& mask, const std::vector<Batch>& batches,
                              const std::vector<SentencePair>& bleu_pairs, const DecodingOptions& decoding);
/// Scores a task network under `mask`: loss and accuracy over `batches`; its mask is restored.
AblationScore score_with_mask(TaskNet& net, const HeadMask& mask, const std::vector<TaskBatch>& batches);

/// One row of the importance table.
struct HeadScore {
    HeadId head;
    double loss = 0;         ///< validation loss with this head alone ablated
    double delta_loss = 0;   ///< loss - intact loss (a rise is positive)
    double metric = 0;       ///< BLEU or accuracy with this head alone ablated
    double delta_metric = 0; ///< intact metric - metric (a fall is positive)
    double gradient = 0;     ///< normalised gradient importance (GradientImportance::normalized)
    double gradient_raw = 0; ///< GradientImportance::raw
};
struct HeadImportanceTable {
    AblationMode mode = AblationMode::Zero;
    std::string metric_name;    ///< "bleu" or "accuracy"
    AblationScore intact;       ///< the model with every head
    int64_t examples = 0;       ///< examples of the gradient importance
    HeadMeans means;            ///< mode Mean: what replaced each head
    std::vector<HeadScore> heads; ///< in the order of all_heads
};

/// The whole table for a translation model (any encoder-decoder): per head, loss and BLEU with
/// it alone ablated (`mode`; mean: head_output_means over `batches`), and the gradient
/// importance over `batches`. Costs one evaluation and one decoding of bleu_pairs per head.
/// The model's own mask is restored afterwards.
HeadImportanceTable head_importance(TranslationModel& model, const std::vector<Batch>& batches,
                                    const std::vector<SentencePair>& bleu_pairs, const DecodingOptions& decoding,
                                    AblationMode mode);
/// As above for a task network; the metric is accuracy over `batches`.
HeadImportanceTable head_importance(TaskNet& net, const std::vector<TaskBatch>& batches, AblationMode mode);

/// How heads are ranked for pruning.
enum class ImportanceRanking { Gradient, Loss };
/// "gradient" or "loss"; throws al::Error otherwise.
ImportanceRanking parse_importance_ranking(const std::string& name);
/// The heads of `table` ordered from least to most important: by normalised gradient
/// importance or by delta_loss; ties keep the order of all_heads.
std::vector<HeadId> rank_heads(const HeadImportanceTable& table, ImportanceRanking by);

} // namespace al
