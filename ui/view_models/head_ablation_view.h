// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Widget-free logic of the Head ablation tab: a translation model with a set of heads switched
// off (engine/nn/head_mask.h; Michel et al. 2019), its translation of the typed sentence, and the
// validation loss and BLEU of a held-out sample, each beside the intact model's; and the
// per-head importance table (engine/experiments/head_importance.h).
#include "engine/data/corpus.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/translation_model.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace al::ui {

/// How many held-out pairs the tab scores: enough for a loss that moves visibly, few enough
/// that a click answers in well under a second on the demo models.
constexpr int kAblationSampleSize = 60;

/// The held-out sample of a TSV corpus (source and target columns 0-based): its validation split
/// as `train` cuts it by default (5 % valid, 5 % test, split seed 1), first `size` pairs.
/// Throws al::Error naming the file.
std::vector<al::SentencePair> ablationSample(const QString& corpusPath, int srcColumn, int tgtColumn,
                                             int size = kAblationSampleSize);

/// The figures of one model state (intact or ablated).
struct AblationFigures {
    QString translation;
    double loss = 0;  ///< teacher-forced loss over the sample, nats per target token
    double bleu = 0;  ///< corpus BLEU (0..100) of the sample decoded greedily
};

/// What the tab shows for one mask.
struct AblationOutcome {
    AblationFigures intact, ablated;
    int sentences = 0;     ///< pairs in the sample
    int headsOff = 0;
    QString error;         ///< non-empty when the model could not be scored (translated)
};

/// Scores `model` as it stands and under `mask` (mode Mean: the means over the sample's
/// batches are filled in here) on `sample`, and translates `sentence` both ways. The model is
/// copied, never changed. Costs two evaluations and two greedy decodings of the sample.
AblationOutcome runAblation(const al::TranslationModel& model, const al::HeadMask& mask, const QString& sentence,
                            const std::vector<al::SentencePair>& sample);

/// The per-head importance table of `model` on `sample` (one evaluation and decoding per head).
al::HeadImportanceTable runImportance(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample,
                                      al::AblationMode mode);

/// One kind's (layers x heads) matrix of a table's values: `which` is "delta_loss",
/// "delta_metric" or "gradient" (the normalised gradient importance). Empty for a kind the
/// table has no rows of.
al::Mat importanceMatrix(const al::HeadImportanceTable& table, al::AttentionKind kind, const QString& which);

/// "enc 1.2" style label of a head (1-based layer and head), for buttons and bars.
QString headLabel(const al::HeadId& id);

} // namespace al::ui
