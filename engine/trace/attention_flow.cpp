// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trace/attention_flow.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace al {

namespace {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void check_layers(const AttentionMaps& maps)
{
    if (maps.empty())
        throw Error("attention rollout: no attention maps");
    Eigen::Index n = -1;
    for (size_t l = 0; l < maps.size(); ++l) {
        if (maps[l].empty())
            throw Error("attention rollout: layer " + std::to_string(l + 1) + " has no heads");
        for (const Mat& m : maps[l]) {
            if (m.rows() != m.cols())
                throw Error("attention rollout: layer " + std::to_string(l + 1) + " has a " + std::to_string(m.rows())
                            + " x " + std::to_string(m.cols()) + " map; self-attention maps are square");
            if (n < 0)
                n = m.rows();
            else if (m.rows() != n)
                throw Error("attention rollout: layer " + std::to_string(l + 1) + " has " + std::to_string(m.rows())
                            + " positions, layer 1 has " + std::to_string(n));
        }
    }
    if (n == 0)
        throw Error("attention rollout: the maps have no positions");
}

/// Maximum flow in the layered attention graph by Dinic's algorithm (BFS levels, then blocking
/// flows along level-increasing arcs). Nodes are (level, position) with level 0 the input
/// tokens; arcs go from level k to level k-1 and carry their reverse arcs for the residual graph.
class LayeredFlowNetwork {
public:
    /// `mixed[k]` is Â_k (n x n): the arc (k+1, i) -> (k, j) has capacity mixed[k](i, j).
    explicit LayeredFlowNetwork(const std::vector<MatD>& mixed)
        : m_n(int(mixed.front().rows())), m_levels(int(mixed.size()) + 1)
    {
        m_first.assign(size_t(nodes()), -1);
        for (int k = 0; k + 1 < m_levels; ++k)
            for (int i = 0; i < m_n; ++i)
                for (int j = 0; j < m_n; ++j)
                    if (mixed[size_t(k)](i, j) > 0)
                        add_arc(node(k + 1, i), node(k, j), mixed[size_t(k)](i, j));
        m_level.resize(size_t(nodes()));
        m_next_arc.resize(size_t(nodes()));
    }

    /// The maximum flow from (top level, `from`) to (level 0, `to`); the network is reset first.
    double max_flow(int from, int to)
    {
        for (Arc& a : m_arcs)
            a.residual = a.capacity;
        const int s = node(m_levels - 1, from), t = node(0, to);
        double total = 0;
        while (build_levels(s, t)) {
            for (int v = 0; v < nodes(); ++v)
                m_next_arc[size_t(v)] = m_first[size_t(v)];
            while (true) {
                const double pushed = push(s, t, std::numeric_limits<double>::infinity());
                if (pushed <= kEpsilon)
                    break;
                total += pushed;
            }
        }
        return total;
    }

private:
    struct Arc {
        int to;
        int next;        // the next arc out of the same node
        double capacity; // 0 for a reverse arc
        double residual;
    };
    // Residual capacities below this are spent: the capacities are probabilities (at most 1),
    // so this is far below anything a heatmap shows and keeps rounding from looping.
    static constexpr double kEpsilon = 1e-13;

    int nodes() const { return m_n * m_levels; }
    int node(int level, int position) const { return level * m_n + position; }

    void add_arc(int from, int to, double capacity)
    {
        m_arcs.push_back({to, m_first[size_t(from)], capacity, capacity});
        m_first[size_t(from)] = int(m_arcs.size()) - 1;
        m_arcs.push_back({from, m_first[size_t(to)], 0.0, 0.0});
        m_first[size_t(to)] = int(m_arcs.size()) - 1;
    }

    bool build_levels(int s, int t)
    {
        std::fill(m_level.begin(), m_level.end(), -1);
        m_queue.clear();
        m_queue.push_back(s);
        m_level[size_t(s)] = 0;
        for (size_t head = 0; head < m_queue.size(); ++head) {
            const int v = m_queue[head];
            for (int a = m_first[size_t(v)]; a >= 0; a = m_arcs[size_t(a)].next) {
                const Arc& arc = m_arcs[size_t(a)];
                if (arc.residual > kEpsilon && m_level[size_t(arc.to)] < 0) {
                    m_level[size_t(arc.to)] = m_level[size_t(v)] + 1;
                    m_queue.push_back(arc.to);
                }
            }
        }
        return m_level[size_t(t)] >= 0;
    }

    double push(int v, int t, double limit)
    {
        if (v == t)
            return limit;
        for (int& a = m_next_arc[size_t(v)]; a >= 0; a = m_arcs[size_t(a)].next) {
            Arc& arc = m_arcs[size_t(a)];
            if (arc.residual <= kEpsilon || m_level[size_t(arc.to)] != m_level[size_t(v)] + 1)
                continue;
            const double pushed = push(arc.to, t, std::min(limit, arc.residual));
            if (pushed > kEpsilon) {
                arc.residual -= pushed;
                m_arcs[size_t(a ^ 1)].residual += pushed; // arcs are added in (forward, reverse) pairs
                return pushed;
            }
        }
        return 0;
    }

    int m_n;
    int m_levels;
    std::vector<Arc> m_arcs;
    std::vector<int> m_first, m_level, m_next_arc, m_queue;
};

std::vector<MatD> mixed_layers(const AttentionMaps& maps, int layers, double attention_weight)
{
    std::vector<MatD> mixed;
    mixed.reserve(size_t(layers));
    for (int l = 0; l < layers; ++l)
        mixed.push_back(with_residual(head_mean(maps[size_t(l)]), attention_weight).cast<double>());
    return mixed;
}

void check_layer_index(const AttentionMaps& maps, int layer)
{
    check_layers(maps);
    if (layer < 0 || layer >= int(maps.size()))
        throw Error("attention flow: layer " + std::to_string(layer + 1) + " does not exist (the maps have "
                    + std::to_string(maps.size()) + " layers)");
}

} // namespace

Mat head_mean(const std::vector<Mat>& heads)
{
    if (heads.empty())
        throw Error("head mean: no heads");
    MatD sum = heads.front().cast<double>();
    for (size_t h = 1; h < heads.size(); ++h) {
        if (heads[h].rows() != sum.rows() || heads[h].cols() != sum.cols())
            throw Error("head mean: head " + std::to_string(h + 1) + " is " + std::to_string(heads[h].rows()) + " x "
                        + std::to_string(heads[h].cols()) + ", head 1 is " + std::to_string(sum.rows()) + " x "
                        + std::to_string(sum.cols()));
        sum += heads[h].cast<double>();
    }
    return (sum / double(heads.size())).cast<Scalar>();
}

Mat with_residual(const Mat& attention, double attention_weight)
{
    if (attention.rows() != attention.cols())
        throw Error("attention residual: the map is " + std::to_string(attention.rows()) + " x "
                    + std::to_string(attention.cols()) + "; the residual mix needs a square self-attention map");
    if (!(attention_weight > 0 && attention_weight <= 1))
        throw Error("attention residual: the attention weight must be in (0, 1], not " + std::to_string(attention_weight));
    if (!attention.allFinite() || (attention.size() > 0 && attention.minCoeff() < 0))
        throw Error("attention residual: attention weights must be finite and non-negative");
    const Eigen::Index n = attention.rows();
    MatD mixed = attention_weight * attention.cast<double>() + (1 - attention_weight) * MatD::Identity(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double s = mixed.row(i).sum();
        if (s > 0)
            mixed.row(i) /= s;
    }
    return mixed.cast<Scalar>();
}

std::vector<Mat> attention_rollout(const AttentionMaps& maps, double attention_weight)
{
    check_layers(maps);
    const std::vector<MatD> mixed = mixed_layers(maps, int(maps.size()), attention_weight);
    std::vector<Mat> out;
    out.reserve(mixed.size());
    MatD rolled = mixed.front();
    out.push_back(rolled.cast<Scalar>());
    for (size_t l = 1; l < mixed.size(); ++l) {
        rolled = mixed[l] * rolled;
        out.push_back(rolled.cast<Scalar>());
    }
    return out;
}

std::vector<double> attention_flow_values(const AttentionMaps& maps, int layer, int position, double attention_weight)
{
    check_layer_index(maps, layer);
    const int n = int(maps.front().front().rows());
    if (position < 0 || position >= n)
        throw Error("attention flow: position " + std::to_string(position + 1) + " does not exist (the maps have "
                    + std::to_string(n) + " positions)");
    LayeredFlowNetwork network(mixed_layers(maps, layer + 1, attention_weight));
    std::vector<double> flow(static_cast<size_t>(n));
    for (int j = 0; j < n; ++j)
        flow[size_t(j)] = network.max_flow(position, j);
    return flow;
}

Mat attention_flow(const AttentionMaps& maps, int layer, double attention_weight, const std::function<bool()>& cancelled)
{
    check_layer_index(maps, layer);
    const int n = int(maps.front().front().rows());
    LayeredFlowNetwork network(mixed_layers(maps, layer + 1, attention_weight));
    Mat out(n, n);
    for (int i = 0; i < n; ++i) {
        if (cancelled && cancelled())
            return Mat();
        double total = 0;
        std::vector<double> row(static_cast<size_t>(n));
        for (int j = 0; j < n; ++j)
            total += row[size_t(j)] = network.max_flow(i, j);
        for (int j = 0; j < n; ++j)
            out(i, j) = Scalar(total > 0 ? row[size_t(j)] / total : 0.0);
    }
    return out;
}

Mat source_attribution(const Mat& cross_mean, const Mat& encoder_tokens)
{
    if (encoder_tokens.rows() != encoder_tokens.cols() || cross_mean.cols() != encoder_tokens.rows())
        throw Error("source attribution: a " + std::to_string(cross_mean.rows()) + " x " + std::to_string(cross_mean.cols())
                    + " cross-attention map does not compose with a " + std::to_string(encoder_tokens.rows()) + " x "
                    + std::to_string(encoder_tokens.cols()) + " encoder attribution");
    return (cross_mean.cast<double>() * encoder_tokens.cast<double>()).cast<Scalar>();
}

} // namespace al
