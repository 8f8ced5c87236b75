// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/head_ablation_view.h"

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/eval/evaluate.h"
#include "engine/models/config.h"

#include <QCoreApplication>
#include <QFile>

#include <exception>

namespace al::ui {

namespace {

std::vector<al::Batch> sampleBatches(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample)
{
    return al::make_batches(al::encode_pairs(model, sample, model.net.config().max_len - 1, false), al::TrainConfig{}.max_tokens, 0);
}

QString translateWith(const al::TranslationModel& model, const QString& sentence)
{
    if (sentence.trimmed().isEmpty())
        return {};
    al::DecodingOptions greedy;
    greedy.max_len = 64;
    return QString::fromStdString(al::translate(model, sentence.toStdString(), greedy).text);
}

} // namespace

std::vector<al::SentencePair> ablationSample(const QString& corpusPath, int srcColumn, int tgtColumn, int size)
{
    const al::CorpusReadResult read = al::read_tsv_pairs(QFile::encodeName(corpusPath).toStdString(), srcColumn, tgtColumn);
    if (read.pairs.empty())
        throw al::Error("'" + corpusPath.toStdString() + "' holds no sentence pairs");
    al::CorpusSplits splits = al::split_corpus(read.pairs, 0.05, 0.05, 1);
    std::vector<al::SentencePair> sample = std::move(splits.valid);
    if (int(sample.size()) > size)
        sample.resize(size_t(size));
    return sample;
}

AblationOutcome runAblation(const al::TranslationModel& model, const al::HeadMask& mask, const QString& sentence,
                            const std::vector<al::SentencePair>& sample)
{
    AblationOutcome out;
    out.sentences = int(sample.size());
    out.headsOff = int(mask.heads.size());
    try {
        al::TranslationModel copy = model;
        const std::vector<al::Batch> batches = sampleBatches(copy, sample);
        const al::DecodingOptions greedy;
        al::HeadMask m = mask;
        if (m.mode == al::AblationMode::Mean && !m.empty())
            m.means = al::head_output_means(copy.net, batches);
        const al::AblationScore intact = al::score_with_mask(copy, al::HeadMask{}, batches, sample, greedy);
        const al::AblationScore ablated = al::score_with_mask(copy, m, batches, sample, greedy);
        out.intact = {translateWith(copy, sentence), intact.loss, intact.metric};
        copy.net.set_head_mask(m);
        out.ablated = {translateWith(copy, sentence), ablated.loss, ablated.metric};
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    return out;
}

al::HeadImportanceTable runImportance(const al::TranslationModel& model, const std::vector<al::SentencePair>& sample,
                                      al::AblationMode mode)
{
    al::TranslationModel copy = model;
    const std::vector<al::Batch> batches = sampleBatches(copy, sample);
    return al::head_importance(copy, batches, sample, al::DecodingOptions{}, mode);
}

al::Mat importanceMatrix(const al::HeadImportanceTable& table, al::AttentionKind kind, const QString& which)
{
    int layers = 0, heads = 0;
    for (const al::HeadScore& s : table.heads)
        if (s.head.kind == kind) {
            layers = std::max(layers, s.head.layer + 1);
            heads = std::max(heads, s.head.head + 1);
        }
    al::Mat m = al::Mat::Zero(layers, heads);
    for (const al::HeadScore& s : table.heads)
        if (s.head.kind == kind)
            m(s.head.layer, s.head.head) = al::Scalar(which == QLatin1String("delta_loss")     ? s.delta_loss
                                                      : which == QLatin1String("delta_metric") ? s.delta_metric
                                                                                               : s.gradient);
    return m;
}

QString headLabel(const al::HeadId& id)
{
    return QStringLiteral("%1 %2.%3").arg(QString::fromStdString(al::to_string(id.kind))).arg(id.layer + 1).arg(id.head + 1);
}

} // namespace al::ui
