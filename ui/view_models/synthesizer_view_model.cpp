// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/synthesizer_view_model.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>

namespace al::ui {

namespace {

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::SynthesizerViewModel)
};

const al::AttentionMaps& selfMaps(const al::Trace& trace, bool decoder)
{
    return decoder ? trace.dec_self : trace.enc_self;
}

} // namespace

bool isSynthesizerVariant(const std::string& attention)
{
    return !attention.empty() && attention != "vanilla";
}

bool hasRandomAlignment(const std::string& attention)
{
    return attention.find("random") != std::string::npos;
}

bool isMixtureVariant(const std::string& attention)
{
    return attention.find('+') != std::string::npos;
}

QString variantDisplayName(const std::string& attention)
{
    if (attention == "vanilla" || attention.empty())
        return Tr::tr("Dot-product (vanilla)");
    if (attention == "dense")
        return Tr::tr("Dense Synthesizer");
    if (attention == "random")
        return Tr::tr("Random Synthesizer");
    if (attention == "fixed_random")
        return Tr::tr("Fixed Random Synthesizer");
    if (attention == "factorized_dense")
        return Tr::tr("Factorized Dense Synthesizer");
    if (attention == "factorized_random")
        return Tr::tr("Factorized Random Synthesizer");
    if (isMixtureVariant(attention)) {
        const size_t plus = attention.find('+');
        return Tr::tr("Mixture: %1 + %2")
            .arg(componentDisplayName(attention.substr(0, plus)), componentDisplayName(attention.substr(plus + 1)));
    }
    return QString::fromStdString(attention);
}

QString componentDisplayName(const std::string& component)
{
    if (component == "vanilla")
        return Tr::tr("Vanilla");
    if (component == "dense")
        return Tr::tr("Dense");
    if (component == "random")
        return Tr::tr("Random");
    if (component == "fixed_random")
        return Tr::tr("Fixed Random");
    if (component == "factorized_dense")
        return Tr::tr("Factorized Dense");
    if (component == "factorized_random")
        return Tr::tr("Factorized Random");
    return QString::fromStdString(component);
}

const al::SynthesizerTrace& synthesizerTrace(const al::Trace& trace, bool decoder)
{
    return decoder ? trace.dec_synth : trace.enc_synth;
}

int selfAttentionLayerCount(const al::Trace& trace, bool decoder)
{
    return int(selfMaps(trace, decoder).size());
}

int selfAttentionHeadCount(const al::Trace& trace, bool decoder, int layer)
{
    const al::AttentionMaps& maps = selfMaps(trace, decoder);
    if (layer < 0 || layer >= int(maps.size()))
        return 0;
    return int(maps[size_t(layer)].size());
}

SynthSelection clampSynthSelection(const al::Trace& trace, SynthSelection sel)
{
    sel.layer = std::clamp(sel.layer, 0, std::max(0, selfAttentionLayerCount(trace, sel.decoder) - 1));
    sel.head = std::clamp(sel.head, 0, std::max(0, selfAttentionHeadCount(trace, sel.decoder, sel.layer) - 1));
    return sel;
}

const al::Mat* selectSynthesizedScores(const al::Trace& trace, const SynthSelection& sel)
{
    const al::AttentionMaps& maps = synthesizerTrace(trace, sel.decoder).scores;
    if (sel.layer < 0 || sel.layer >= int(maps.size()) || sel.head < 0 || sel.head >= int(maps[size_t(sel.layer)].size()))
        return nullptr;
    return &maps[size_t(sel.layer)][size_t(sel.head)];
}

const al::Mat* selectSelfAttention(const al::Trace& trace, const SynthSelection& sel)
{
    const al::AttentionMaps& maps = selfMaps(trace, sel.decoder);
    if (sel.layer < 0 || sel.layer >= int(maps.size()) || sel.head < 0 || sel.head >= int(maps[size_t(sel.layer)].size()))
        return nullptr;
    return &maps[size_t(sel.layer)][size_t(sel.head)];
}

QStringList selfAttentionTokens(const al::Trace& trace, bool decoder)
{
    QStringList out;
    for (const std::string& t : decoder ? trace.tgt_in_tokens : trace.src_tokens)
        out << QString::fromStdString(t);
    return out;
}

QStringList mixtureComponentNames(const al::Trace& trace, bool decoder)
{
    const al::SynthesizerTrace& s = synthesizerTrace(trace, decoder);
    QStringList out;
    if (s.alpha.empty())
        return out;
    for (const std::string& c : s.components)
        out << componentDisplayName(c);
    return out;
}

QVector<double> mixtureWeights(const al::Trace& trace, const SynthSelection& sel)
{
    const al::SynthesizerTrace& s = synthesizerTrace(trace, sel.decoder);
    QVector<double> out;
    if (sel.layer < 0 || sel.layer >= int(s.alpha.size()))
        return out;
    const al::Mat& a = s.alpha[size_t(sel.layer)];
    if (sel.head < 0 || sel.head >= int(a.rows()))
        return out;
    for (Eigen::Index c = 0; c < a.cols(); ++c)
        out << double(a(sel.head, c));
    return out;
}

al::Mat randomAlignment(const al::TranslationModel& model, const SynthSelection& sel)
{
    if (!hasRandomAlignment(model.net.config().attention))
        return {};
    try {
        return model.net.random_alignment(sel.decoder, sel.layer, sel.head);
    } catch (const std::exception&) {
        return {};
    }
}

QStringList positionLabels(int n)
{
    QStringList out;
    out.reserve(std::max(n, 0));
    for (int i = 0; i < n; ++i)
        out << QString::number(i);
    return out;
}

ValueRange valueRange(const al::Mat& m, ColorRange mode)
{
    if (mode == ColorRange::Probability || m.size() == 0)
        return {0.0, 1.0};
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (Eigen::Index i = 0; i < m.size(); ++i) {
        const double v = double(m.data()[i]);
        if (!std::isfinite(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (!(lo <= hi))
        return {0.0, 1.0};
    if (mode == ColorRange::Symmetric) {
        const double a = std::max(std::abs(lo), std::abs(hi));
        return a > 0.0 ? ValueRange{-a, a} : ValueRange{-1.0, 1.0};
    }
    if (hi - lo <= 0.0)
        return {lo - 0.5, hi + 0.5};
    return {lo, hi};
}

ProbeDifference probeDifference(const al::Mat& a, const al::Mat& b)
{
    ProbeDifference d;
    d.rows = int(std::min(a.rows(), b.rows()));
    d.cols = int(std::min(a.cols(), b.cols()));
    if (d.rows <= 0 || d.cols <= 0) {
        d.rows = d.cols = 0;
        return d;
    }
    d.valid = true;
    d.maxAbs = double((a.topLeftCorner(d.rows, d.cols) - b.topLeftCorner(d.rows, d.cols)).cwiseAbs().maxCoeff());
    return d;
}

// ---------------------------------------------------------------------------------------------

void ProbeComparison::setFirst(std::shared_ptr<const al::Trace> trace, std::shared_ptr<const al::TranslationModel> model)
{
    m_first = std::move(trace);
    m_firstModel = std::move(model);
}

void ProbeComparison::setSecond(std::shared_ptr<const al::Trace> trace, std::shared_ptr<const al::TranslationModel> model)
{
    m_second = std::move(trace);
    m_secondModel = std::move(model);
}

void ProbeComparison::clear()
{
    m_first.reset();
    m_second.reset();
    m_firstModel.reset();
    m_secondModel.reset();
}

bool ProbeComparison::sameModel() const
{
    return m_first && m_second && m_firstModel && m_firstModel == m_secondModel;
}

ProbeDifference ProbeComparison::difference(const SynthSelection& sel) const
{
    if (!sameModel())
        return {};
    const al::Mat* a = selectSynthesizedScores(*m_first, sel);
    const al::Mat* b = selectSynthesizedScores(*m_second, sel);
    if (!a || !b)
        return {};
    return probeDifference(*a, *b);
}

// ---------------------------------------------------------------------------------------------

AlphaHistory::AlphaHistory(int capacity) : m_capacity(std::max(capacity, 2)) {}

void AlphaHistory::clear()
{
    m_points.clear();
    m_encComponents.clear();
    m_decComponents.clear();
}

bool AlphaHistory::add(qint64 step, const al::Trace& trace)
{
    if (trace.enc_synth.alpha.empty() && trace.dec_synth.alpha.empty())
        return false;
    const std::vector<std::string> enc = trace.enc_synth.alpha.empty() ? std::vector<std::string>{} : trace.enc_synth.components;
    const std::vector<std::string> dec = trace.dec_synth.alpha.empty() ? std::vector<std::string>{} : trace.dec_synth.components;
    if (!m_points.empty() && (step < m_points.back().step || enc != m_encComponents || dec != m_decComponents))
        clear();
    m_encComponents = enc;
    m_decComponents = dec;
    Point p{step, trace.enc_synth.alpha, trace.dec_synth.alpha};
    if (!m_points.empty() && m_points.back().step == step) {
        m_points.back() = std::move(p);
        return true;
    }
    if (int(m_points.size()) >= m_capacity) {
        // Keep the first point and every second one after it.
        std::vector<Point> thinned;
        thinned.reserve(m_points.size() / 2 + 1);
        for (size_t i = 0; i < m_points.size(); i += 2)
            thinned.push_back(std::move(m_points[i]));
        m_points = std::move(thinned);
    }
    m_points.push_back(std::move(p));
    return true;
}

QVector<double> AlphaHistory::steps() const
{
    QVector<double> out;
    out.reserve(int(m_points.size()));
    for (const Point& p : m_points)
        out << double(p.step);
    return out;
}

QVector<double> AlphaHistory::series(const SynthSelection& sel, int component) const
{
    QVector<double> out;
    out.reserve(int(m_points.size()));
    for (const Point& p : m_points) {
        const std::vector<al::Mat>& layers = sel.decoder ? p.dec : p.enc;
        double v = std::numeric_limits<double>::quiet_NaN();
        if (sel.layer >= 0 && sel.layer < int(layers.size())) {
            const al::Mat& a = layers[size_t(sel.layer)];
            if (sel.head >= 0 && sel.head < a.rows() && component >= 0 && component < a.cols())
                v = double(a(sel.head, component));
        }
        out << v;
    }
    return out;
}

} // namespace al::ui
