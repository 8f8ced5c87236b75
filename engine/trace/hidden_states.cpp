// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trace/hidden_states.h"

#include "engine/core/error.h"

#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>

namespace al {

namespace {
using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
}

bool first_stack_is_decoder(const ForwardTrace& forward)
{
    for (const ForwardStep& s : forward.steps)
        if (!s.decoder)
            return false;
    return !forward.steps.empty();
}

LayerStates layer_states(const ForwardTrace& forward, bool decoder)
{
    LayerStates out;
    out.decoder = decoder;
    int current_layer = -1;
    for (const ForwardStep& s : forward.steps) {
        if (s.decoder != decoder)
            continue;
        if (s.stage == ForwardStage::Embedding) {
            out.labels.push_back("embedding");
            out.states.push_back(s.stream);
        } else if (s.stage == ForwardStage::FinalNorm) {
            out.labels.push_back("final norm");
            out.states.push_back(s.stream);
        } else if (s.layer != current_layer) {
            current_layer = s.layer;
            out.labels.push_back("layer " + std::to_string(s.layer + 1));
            out.states.push_back(s.stream);
        } else {
            out.states.back() = s.stream; // a later sublayer of the same layer: the layer's output so far
        }
    }
    if (out.states.empty())
        throw Error(std::string("hidden states: the forward trace holds no ") + (decoder ? "decoder" : "encoder")
                    + " step (record it with forward detail)");
    return out;
}

double cosine_similarity(const RowVec& a, const RowVec& b)
{
    const double na = a.cast<double>().norm(), nb = b.cast<double>().norm();
    if (na == 0 || nb == 0)
        return 0;
    return a.cast<double>().dot(b.cast<double>()) / (na * nb);
}

std::vector<double> cosine_by_layer(const LayerStates& a, int pa, const LayerStates& b, int pb)
{
    if (a.states.size() != b.states.size())
        throw Error("hidden states: the two runs have " + std::to_string(a.states.size()) + " and "
                    + std::to_string(b.states.size()) + " layer states");
    std::vector<double> out;
    for (size_t l = 0; l < a.states.size(); ++l) {
        const Mat& x = a.states[l];
        const Mat& y = b.states[l];
        if (x.cols() != y.cols())
            throw Error("hidden states: widths " + std::to_string(x.cols()) + " and " + std::to_string(y.cols()) + " differ");
        if (pa < 0 || pa >= x.rows() || pb < 0 || pb >= y.rows())
            throw Error("hidden states: position " + std::to_string(pa + 1) + " or " + std::to_string(pb + 1)
                        + " is out of range (" + std::to_string(x.rows()) + " and " + std::to_string(y.rows()) + " positions)");
        out.push_back(cosine_similarity(x.row(pa), y.row(pb)));
    }
    return out;
}

std::vector<double> mean_cosine_of_different_tokens(const LayerStates& a, const std::vector<std::string>& tokens_a,
                                                    const LayerStates& b, const std::vector<std::string>& tokens_b)
{
    if (a.states.size() != b.states.size())
        throw Error("hidden states: the two runs have different layer counts");
    std::vector<double> out;
    for (size_t l = 0; l < a.states.size(); ++l) {
        double sum = 0;
        int count = 0;
        const Eigen::Index na = std::min<Eigen::Index>(a.states[l].rows(), Eigen::Index(tokens_a.size()));
        const Eigen::Index nb = std::min<Eigen::Index>(b.states[l].rows(), Eigen::Index(tokens_b.size()));
        for (Eigen::Index i = 0; i < na; ++i)
            for (Eigen::Index j = 0; j < nb; ++j)
                if (tokens_a[size_t(i)] != tokens_b[size_t(j)]) {
                    sum += cosine_similarity(a.states[l].row(i), b.states[l].row(j));
                    ++count;
                }
        out.push_back(count ? sum / count : std::numeric_limits<double>::quiet_NaN());
    }
    return out;
}

Projection2D pca_2d(const Mat& X)
{
    if (X.cols() == 0)
        throw Error("PCA: the samples have no features");
    const Eigen::Index n = X.rows(), d = X.cols();
    Projection2D p;
    p.points = Mat::Zero(n, 2);
    p.axes = Mat::Zero(2, d);
    if (n < 2)
        return p;
    MatD centred = X.cast<double>();
    centred.rowwise() -= centred.colwise().mean();
    const MatD cov = centred.transpose() * centred / double(n - 1);
    const Eigen::SelfAdjointEigenSolver<MatD> eig(cov);
    if (eig.info() != Eigen::Success)
        throw Error("PCA: the eigen-decomposition did not converge");
    const double total = eig.eigenvalues().sum();
    for (int k = 0; k < 2 && k < d; ++k) {
        const Eigen::Index col = d - 1 - k; // eigenvalues come in increasing order
        const double lambda = eig.eigenvalues()(col);
        if (!(lambda > 1e-12 * std::max(1.0, total)))
            break; // rank below k + 1: this coordinate stays 0
        Eigen::VectorXd axis = eig.eigenvectors().col(col);
        Eigen::Index big = 0;
        axis.cwiseAbs().maxCoeff(&big);
        if (axis(big) < 0)
            axis = -axis;
        p.axes.row(k) = axis.transpose().cast<Scalar>();
        p.points.col(k) = (centred * axis).cast<Scalar>();
        p.explained[k] = total > 0 ? lambda / total : 0;
    }
    return p;
}

} // namespace al
