// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/decoding_view_model.h"

#include "ui/export/exporters.h"

#include <QCoreApplication>

#include <algorithm>
#include <exception>

namespace al::ui {

namespace {

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::DecodingViewModel)
};

QString number(double v)
{
    return QString::number(v, 'g', 9);
}

const al::DecodingStep* stepAt(const al::Trace& trace, int step)
{
    const auto& steps = trace.decoding.steps;
    return step >= 0 && step < int(steps.size()) ? &steps[size_t(step)] : nullptr;
}

} // namespace

int decodingStepCount(const al::Trace& trace)
{
    return int(trace.decoding.steps.size());
}

StepBars stepBars(const al::Trace& trace, int step)
{
    StepBars bars;
    const al::DecodingStep* s = stepAt(trace, step);
    if (!s)
        return bars;
    bars.step = step;
    const size_t k = s->top_ids.size();
    for (size_t i = 0; i < k; ++i) {
        bars.ids << s->top_ids[i];
        bars.tokens << (i < s->top_tokens.size() ? QString::fromStdString(s->top_tokens[i])
                                                 : QString::number(s->top_ids[i]));
        bars.probs << (i < s->top_probs.size() ? s->top_probs[i] : 0.0);
        bars.sampleProbs << (i < s->top_sample_probs.size() ? s->top_sample_probs[i] : bars.probs.back());
        if (s->top_ids[i] == s->token_id && bars.chosenRank < 0)
            bars.chosenRank = int(i);
    }
    bars.chosenId = s->token_id;
    bars.chosenToken = QString::fromStdString(s->token);
    bars.chosenProb = s->prob;
    bars.forced = s->forced;
    return bars;
}

QStringList outputSoFar(const al::Trace& trace, int step)
{
    QStringList out;
    const int n = std::min(step + 1, decodingStepCount(trace));
    for (int t = 0; t < n; ++t)
        out << QString::fromStdString(trace.decoding.steps[size_t(t)].token);
    return out;
}

QString decoderInputAt(const al::Trace& trace, int step)
{
    if (step <= 0)
        return QString::fromStdString(al::special_tokens(al::VocabLayout::Seq2Seq)[al::Seq2SeqIds::BOS]);
    const al::DecodingStep* prev = stepAt(trace, step - 1);
    return prev ? QString::fromStdString(prev->token) : QString();
}

int decodingCrossLayerCount(const al::Trace& trace)
{
    return trace.decoding.steps.empty() ? 0 : int(trace.decoding.steps.front().cross.size());
}

int decodingCrossHeadCount(const al::Trace& trace, int layer)
{
    if (trace.decoding.steps.empty())
        return 0;
    const auto& cross = trace.decoding.steps.front().cross;
    return layer >= 0 && layer < int(cross.size()) ? int(cross[size_t(layer)].size()) : 0;
}

QVector<double> crossAttentionRow(const al::Trace& trace, int step, int layer, int head)
{
    const al::DecodingStep* s = stepAt(trace, step);
    if (!s || layer < 0 || layer >= int(s->cross.size()))
        return {};
    const std::vector<al::RowVec>& heads = s->cross[size_t(layer)];
    if (heads.empty() || head >= int(heads.size()) || head < -1)
        return {};
    const Eigen::Index S = heads.front().size();
    QVector<double> row(int(S), 0.0);
    const int first = head < 0 ? 0 : head;
    const int last = head < 0 ? int(heads.size()) : head + 1;
    for (int h = first; h < last; ++h)
        for (Eigen::Index j = 0; j < std::min(S, heads[size_t(h)].size()); ++j)
            row[int(j)] += double(heads[size_t(h)](j));
    if (head < 0)
        for (double& v : row)
            v /= double(heads.size());
    return row;
}

QStringList forcedPrefixAt(const al::Trace& trace, int step, const QStringList& tokens)
{
    const int keep = std::clamp(step, 0, decodingStepCount(trace));
    QStringList prefix = outputSoFar(trace, keep - 1);
    prefix << tokens;
    return prefix;
}

QStringList typedTargetTokens(const al::Tokenizer& tokenizer, const QString& text)
{
    const QString trimmed = text.trimmed();
    for (const std::string& special : al::special_tokens(al::VocabLayout::Seq2Seq))
        if (trimmed == QString::fromStdString(special))
            return {trimmed};
    QStringList out;
    for (const std::string& t : tokenizer.tokenize(trimmed.toStdString()))
        out << QString::fromStdString(t);
    return out;
}

bool encodeForcedPrefix(const al::Vocab& vocab, const QStringList& tokens, std::vector<int>& ids, QString* error)
{
    ids.clear();
    for (const QString& token : tokens) {
        const std::string t = token.toStdString();
        const int id = vocab.id(t);
        if (id == vocab.unk() && t != vocab.token(vocab.unk())) {
            if (error)
                *error = Tr::tr("'%1' is not in the target vocabulary").arg(token);
            return false;
        }
        if (id == vocab.pad() || id == vocab.bos()) {
            if (error)
                *error = Tr::tr("'%1' cannot be forced (the decoder never generates it)").arg(token);
            return false;
        }
        ids.push_back(id);
    }
    return true;
}

QByteArray stepBarsCsv(const StepBars& bars)
{
    // Rows joined field by field: a token may itself contain "%1".
    QString out = QStringLiteral("rank,token,id,probability,sample_probability,chosen\n");
    for (int i = 0; i < bars.tokens.size(); ++i)
        out += QStringList{QString::number(i + 1), csvField(bars.tokens[i]), QString::number(bars.ids[i]),
                           number(bars.probs[i]), number(bars.sampleProbs[i]),
                           QString::number(i == bars.chosenRank ? 1 : 0)}
                   .join(QLatin1Char(','))
               + QLatin1Char('\n');
    return out.toUtf8();
}

QByteArray crossRowCsv(const QVector<double>& row, const QStringList& srcTokens)
{
    QString out = QStringLiteral("position,source_token,weight\n");
    for (int j = 0; j < row.size(); ++j)
        out += QStringList{QString::number(j + 1), csvField(j < srcTokens.size() ? srcTokens[j] : QString()),
                           number(row[j])}
                   .join(QLatin1Char(','))
               + QLatin1Char('\n');
    return out.toUtf8();
}

QString decodingSummary(const al::DecodingTrace& d)
{
    QString how;
    if (d.strategy == "beam")
        how = Tr::tr("beam search, width %1, length penalty α = %2").arg(d.beam_width).arg(d.length_penalty);
    else if (d.strategy == "sample")
        how = Tr::tr("sampling, temperature %1, top-k %2, top-p %3, seed %4")
                  .arg(d.temperature)
                  .arg(d.top_k > 0 ? QString::number(d.top_k) : Tr::tr("off"))
                  .arg(d.top_p)
                  .arg(d.seed);
    else if (d.strategy == "greedy")
        how = Tr::tr("greedy search");
    else
        return {};
    if (d.forced > 0)
        how += QStringLiteral(" · ") + Tr::tr("%n forced token(s)", nullptr, d.forced);
    how += QStringLiteral(" · log P = %1").arg(d.log_prob, 0, 'f', 3);
    if (d.strategy == "beam")
        how += QStringLiteral(" · ") + Tr::tr("score %1").arg(d.score, 0, 'f', 3);
    return how;
}

DecodingRun runDecoding(const al::TranslationModel& model, const QString& sentence, al::DecodingOptions opts,
                        const QStringList& forcedTokens)
{
    DecodingRun run;
    QString error;
    if (!encodeForcedPrefix(model.tgt_vocab, forcedTokens, opts.forced_prefix, &error)) {
        run.errorMessage = error;
        return run;
    }
    try {
        auto trace = std::make_shared<al::Trace>();
        const al::Translation t = al::translate(model, sentence.toStdString(), opts, trace.get());
        run.translation = QString::fromStdString(t.text);
        run.trace = std::move(trace);
    } catch (const std::exception& e) {
        run.errorMessage = QString::fromStdString(e.what());
    }
    return run;
}

} // namespace al::ui
