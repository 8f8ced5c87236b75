// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `attention-lab ablate`: head ablation and importance of a saved model (Michel et al. 2019,
// "Are Sixteen Heads Really Better than One?"; engine/experiments/head_importance.h; the method,
// the table and measured figures: docs/ablation.md). Without --heads: the per-head table (loss
// and BLEU or accuracy with each head alone ablated, gradient importance), printed ranked and
// written as CSV / JSON; with --heads: the model with those heads ablated against the intact one;
// --prune-least / --prune-most K: the K least / most important heads removed together.
// Parsing (argument list -> AblateOptions) is kept apart from running, as for every subcommand.
#include "app/cli.h"
#include "engine/experiments/head_importance.h"

#include <QString>
#include <QStringList>

#include <iosfwd>
#include <string>
#include <vector>

namespace al::cli {

/// Options of `attention-lab ablate`.
struct AblateOptions {
    QString model;
    QString task;               ///< the language task of the model directory ("" for an encoder-decoder)
    DataSource source;          ///< translation: a split of --data or the whole --test file
    QStringList task_data;      ///< language task: --data paths; empty = the task's bundled data
    int split = 1;              ///< 1 validation (default), 2 test
    size_t samples = 200;       ///< examples scored (sentences, sequences, texts); 0 = all
    AblationMode mode = AblationMode::Zero;
    std::vector<HeadId> heads;  ///< --heads: evaluate this ablation instead of the table
    int prune_least = 0, prune_most = 0;
    ImportanceRanking rank_by = ImportanceRanking::Gradient;
    QString csv, json;          ///< output files (atomic writes); empty = none
    int threads = 0;
};

ParseStatus parseAblateArgs(const QStringList& args, AblateOptions& opts);
int runAblate(const AblateOptions& opts, std::ostream& out, std::ostream& err);

/// The table as CSV: a header "kind,layer,head,loss,delta_loss,<metric>,delta_<metric>,
/// gradient_importance,gradient_importance_raw" and one row per head in all_heads order.
std::string importanceCsv(const HeadImportanceTable& table);
/// The table as text, one line per head ranked by `by` from most to least important.
std::string importanceText(const HeadImportanceTable& table, ImportanceRanking by);

} // namespace al::cli
