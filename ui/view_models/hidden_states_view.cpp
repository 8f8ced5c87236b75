// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/hidden_states_view.h"

#include "engine/trace/hidden_states.h"

#include <QCoreApplication>

#include <algorithm>

#include <cmath>
#include <exception>

namespace al::ui {

namespace {

QStringList toQStringList(const std::vector<std::string>& v)
{
    QStringList out;
    for (const std::string& s : v)
        out << QString::fromStdString(s);
    return out;
}

std::vector<std::string> toStd(const QStringList& v)
{
    std::vector<std::string> out;
    for (const QString& s : v)
        out.push_back(s.toStdString());
    return out;
}

QString layerLabel(const std::string& engineLabel)
{
    if (engineLabel == "embedding")
        return QCoreApplication::translate("HiddenStatesView", "embedding");
    if (engineLabel == "final norm")
        return QCoreApplication::translate("HiddenStatesView", "final norm");
    if (engineLabel.rfind("layer ", 0) == 0)
        return QCoreApplication::translate("HiddenStatesView", "layer %1").arg(QString::fromStdString(engineLabel.substr(6)));
    return QString::fromStdString(engineLabel);
}

al::LayerStates statesOf(const al::Trace& t)
{
    return al::layer_states(t.forward, al::first_stack_is_decoder(t.forward));
}

} // namespace

QVector<ContextExample> contextExamples()
{
    return {
        {QStringLiteral("我在打电话。"), QStringLiteral("我们去打篮球。"), QStringLiteral("打"), QStringLiteral("zh"),
         QCoreApplication::translate("HiddenStatesView", "打: to make (a phone call) / to play (basketball)")},
        {QStringLiteral("他会说中文。"), QStringLiteral("明天会下雨。"), QStringLiteral("会"), QStringLiteral("zh"),
         QCoreApplication::translate("HiddenStatesView", "会: can (speak) / will (rain)")},
        {QStringLiteral("我花了很多钱。"), QStringLiteral("这朵花很漂亮。"), QStringLiteral("花"), QStringLiteral("zh"),
         QCoreApplication::translate("HiddenStatesView", "花: to spend / a flower")},
        {QStringLiteral("你好吗？"), QStringLiteral("好的，我们走吧。"), QStringLiteral("好"), QStringLiteral("zh"),
         QCoreApplication::translate("HiddenStatesView", "好: well / all right")},
        {QStringLiteral("I saw a saw."), QStringLiteral("I saw a saw."), QStringLiteral("saw"), QStringLiteral("en"),
         QCoreApplication::translate("HiddenStatesView", "saw: the verb (first) / the tool (second)")},
        {QStringLiteral("She sat on the bank of the river."), QStringLiteral("He put the money in the bank."),
         QStringLiteral("bank"), QStringLiteral("en"), QCoreApplication::translate("HiddenStatesView", "bank: of a river / for money")},
        {QStringLiteral("I can swim."), QStringLiteral("He opened a can of beans."), QStringLiteral("can"),
         QStringLiteral("en"), QCoreApplication::translate("HiddenStatesView", "can: is able to / a tin")},
        {QStringLiteral("Time flies like an arrow."), QStringLiteral("Fruit flies like a banana."),
         QStringLiteral("flies"), QStringLiteral("en"), QCoreApplication::translate("HiddenStatesView", "flies: moves fast (verb) / insects (noun)")},
    };
}

int defaultContextExample(const std::function<bool(const QString&)>& known)
{
    const QVector<ContextExample> examples = contextExamples();
    for (int i = 0; i < examples.size(); ++i)
        if (known && known(examples[i].word))
            return i;
    return 0;
}

QVector<int> wordPositions(const QStringList& tokens, const QString& word)
{
    QVector<int> out;
    for (int i = 0; i < tokens.size(); ++i)
        if (tokens[i] == word)
            out << i;
    if (out.isEmpty())
        for (int i = 0; i < tokens.size(); ++i)
            if (tokens[i].compare(word, Qt::CaseInsensitive) == 0)
                out << i;
    return out;
}

QStringList stateTokens(const al::Trace& trace)
{
    return toQStringList(al::first_stack_is_decoder(trace.forward) ? trace.tgt_in_tokens : trace.src_tokens);
}

QPair<int, int> defaultOccurrences(const QString& sentenceA, const QString& sentenceB)
{
    return {0, sentenceA.trimmed() == sentenceB.trimmed() ? 1 : 0};
}

HiddenStatesComparison compareHiddenStates(const al::Trace& a, const al::Trace& b, const QString& word,
                                           int occurrenceA, int occurrenceB)
{
    HiddenStatesComparison c;
    if (a.forward.empty() || b.forward.empty()) {
        c.error = QCoreApplication::translate("HiddenStatesView", "No hidden states recorded yet.");
        return c;
    }
    c.tokensA = stateTokens(a);
    c.tokensB = stateTokens(b);
    const QVector<int> inA = wordPositions(c.tokensA, word), inB = wordPositions(c.tokensB, word);
    if (inA.isEmpty() || inB.isEmpty()) {
        c.error = QCoreApplication::translate("HiddenStatesView",
                                              "“%1” is not a token of both sentences (the model reads: %2 | %3).")
                      .arg(word, c.tokensA.join(QLatin1Char(' ')), c.tokensB.join(QLatin1Char(' ')));
        return c;
    }
    c.positionA = inA[std::clamp(occurrenceA, 0, int(inA.size()) - 1)];
    c.positionB = inB[std::clamp(occurrenceB, 0, int(inB.size()) - 1)];
    try {
        const al::LayerStates sa = statesOf(a), sb = statesOf(b);
        for (const std::string& l : sa.labels)
            c.layerLabels << layerLabel(l);
        for (double v : al::cosine_by_layer(sa, c.positionA, sb, c.positionB))
            c.sameWord << v;
        for (double v : al::mean_cosine_of_different_tokens(sa, toStd(c.tokensA), sb, toStd(c.tokensB)))
            c.otherWords << v;
    } catch (const std::exception& e) {
        c.error = QString::fromStdString(e.what());
        c.layerLabels.clear();
        c.sameWord.clear();
        c.otherWords.clear();
    }
    return c;
}

StateScatter projectHiddenStates(const al::Trace& a, const al::Trace& b, int layer)
{
    StateScatter s;
    try {
        const al::LayerStates sa = statesOf(a), sb = statesOf(b);
        if (layer < 0 || layer >= int(sa.states.size()) || sa.states.size() != sb.states.size()) {
            s.error = QCoreApplication::translate("HiddenStatesView", "Layer state %1 does not exist.").arg(layer + 1);
            return s;
        }
        const al::Mat& xa = sa.states[size_t(layer)];
        const al::Mat& xb = sb.states[size_t(layer)];
        al::Mat x(xa.rows() + xb.rows(), xa.cols());
        x << xa, xb;
        const al::Projection2D p = al::pca_2d(x);
        const QStringList ta = stateTokens(a), tb = stateTokens(b);
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
            StatePoint pt;
            pt.x = double(p.points(i, 0));
            pt.y = double(p.points(i, 1));
            pt.sentence = i < xa.rows() ? 0 : 1;
            pt.position = int(pt.sentence == 0 ? i : i - xa.rows());
            const QStringList& tokens = pt.sentence == 0 ? ta : tb;
            pt.token = pt.position < tokens.size() ? tokens[pt.position] : QString::number(pt.position + 1);
            // A tagger's states are its source positions, one tag each (Trace::src_tags).
            const std::vector<std::string>& tags = (pt.sentence == 0 ? a : b).src_tags;
            if (size_t(pt.position) < tags.size())
                pt.tag = QString::fromStdString(tags[size_t(pt.position)]);
            s.points << pt;
        }
        s.explained[0] = p.explained[0];
        s.explained[1] = p.explained[1];
        s.layerLabel = layerLabel(sa.labels[size_t(layer)]);
    } catch (const std::exception& e) {
        s.error = QString::fromStdString(e.what());
        s.points.clear();
    }
    return s;
}

bool scatterHasTags(const StateScatter& scatter)
{
    if (scatter.points.isEmpty())
        return false;
    for (const StatePoint& p : scatter.points)
        if (p.tag.isEmpty())
            return false;
    return true;
}

QVector<ScatterGroup> scatterGroups(const StateScatter& scatter, ScatterColouring colouring)
{
    QVector<ScatterGroup> groups;
    auto groupNamed = [&groups](const QString& label) -> ScatterGroup& {
        for (ScatterGroup& g : groups)
            if (g.label == label)
                return g;
        groups.push_back(ScatterGroup{label, {}, 0});
        return groups.back();
    };
    switch (colouring) {
    case ScatterColouring::Sentence:
        for (int side = 0; side < 2; ++side) {
            ScatterGroup g{side == 0 ? QStringLiteral("A") : QStringLiteral("B"), {}, 0};
            for (int i = 0; i < scatter.points.size(); ++i)
                if (scatter.points[i].sentence == side)
                    g.points << i;
            groups << g;
        }
        break;
    case ScatterColouring::Position: {
        int longest = 0;
        for (const StatePoint& p : scatter.points)
            longest = std::max(longest, p.position + 1);
        for (int pos = 0; pos < longest; ++pos) {
            ScatterGroup g{QCoreApplication::translate("HiddenStatesView", "position %1").arg(pos + 1), {},
                           longest > 1 ? double(pos) / double(longest - 1) : 0.0};
            for (int i = 0; i < scatter.points.size(); ++i)
                if (scatter.points[i].position == pos)
                    g.points << i;
            groups << g;
        }
        break;
    }
    case ScatterColouring::Token:
        for (int i = 0; i < scatter.points.size(); ++i)
            groupNamed(scatter.points[i].token).points << i;
        break;
    case ScatterColouring::Tag:
        if (!scatterHasTags(scatter))
            break;
        for (int i = 0; i < scatter.points.size(); ++i)
            groupNamed(scatter.points[i].tag).points << i;
        break;
    }
    return groups;
}

int nearestPoint(const StateScatter& scatter, double x, double y, double radiusX, double radiusY)
{
    int best = -1;
    double bestD = 1.0;
    for (int i = 0; i < scatter.points.size(); ++i) {
        const double dx = (scatter.points[i].x - x) / radiusX, dy = (scatter.points[i].y - y) / radiusY;
        const double d = dx * dx + dy * dy;
        if (d <= bestD) {
            bestD = d;
            best = i;
        }
    }
    return best;
}

} // namespace al::ui
