// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/embedding.h"
#include "engine/core/error.h"

#include <cmath>

namespace al {

Embedding::Embedding(ParamStore& store, const std::string& name, int V, int C)
{
    weight = store.add(name, {V, C});
    weight->row_sparse = true; // a backward pass touches only the rows of the batch's tokens
}

void Embedding::forward(const std::vector<int>& ids, int L, const Mat& pe, Mat& out) const
{
    const Eigen::Index C = weight->value.cols();
    const int V = int(weight->value.rows());
    const Scalar scale = std::sqrt(Scalar(C));
    if (pe.size() && L > pe.rows())
        throw Error("sequence of " + std::to_string(L) + " tokens is longer than max_len " +
                    std::to_string(pe.rows()));
    out.resize(Eigen::Index(ids.size()), C);
    for (size_t r = 0; r < ids.size(); ++r) {
        const int id = ids[r];
        if (id < 0 || id >= V)
            throw Error("token id " + std::to_string(id) + " outside the vocabulary of " +
                        std::to_string(V));
        out.row(Eigen::Index(r)) = weight->value.row(id) * scale;
        if (pe.size())
            out.row(Eigen::Index(r)) += pe.row(Eigen::Index(r % size_t(L)));
    }
}

void Embedding::backward(const std::vector<int>& ids, const Mat& dy)
{
    // forward: out[r] = W[ids[r]] * sqrt(C) + PE[r % L]
    const Scalar scale = std::sqrt(Scalar(weight->value.cols()));
    if (RowGradients* rows = weight->row_target()) { // a data-parallel worker > 0: gather the rows
        rows->add(ids, dy, scale);
        return;
    }
    Mat& grad = weight->grad_target();
    for (size_t r = 0; r < ids.size(); ++r)
        grad.row(ids[r]) += dy.row(Eigen::Index(r)) * scale;
}

} // namespace al
