// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/loss.h"
#include "engine/core/error.h"

#include <cmath>
#include <string>

namespace al {

double cross_entropy_forward_backward(const Mat& logits, const std::vector<int>& targets, int pad_id,
                                      double eps, Mat* dlogits, double* nll_out, int64_t* correct_out,
                                      int64_t* n_out)
{
    const Eigen::Index N = logits.rows(), V = logits.cols();
    if (Eigen::Index(targets.size()) != N)
        throw Error("cross_entropy: " + std::to_string(targets.size()) + " targets for " +
                    std::to_string(N) + " rows of logits");
    int64_t n = 0;
    for (int t : targets)
        n += t != pad_id;
    if (dlogits)
        dlogits->resize(N, V);
    double loss = 0, nll = 0;
    int64_t correct = 0;
    const double inv_n = n ? 1.0 / double(n) : 0.0;
    for (Eigen::Index r = 0; r < N; ++r) {
        const int y = targets[size_t(r)];
        if (y == pad_id) {
            if (dlogits)
                dlogits->row(r).setZero();
            continue;
        }
        const auto z = logits.row(r).array();
        // maxCoeff() without an index is vectorised; the index form is a scalar loop and was
        // most of this function's time, so the argmax is looked up only when it is asked for.
        const Scalar mx = z.maxCoeff();
        if (correct_out) {
            Eigen::Index arg = 0;
            while (arg + 1 < V && z(arg) != mx) // bounded: with a NaN nothing compares equal
                ++arg;
            correct += arg == y;
        }
        // Everything that reads z comes before d is written (d may be z itself).
        const double z_y = double(z(y)), z_sum = double(z.sum());
        double sum_exp;
        if (dlogits) {
            // d/dz of the smoothed loss: softmax(z) - q, q = (1-eps) onehot(y) + eps/V; the
            // exponentials are computed once, kept in d, then normalised.
            auto d = dlogits->row(r).array();
            d = (z - mx).exp();
            sum_exp = double(d.sum());
            d = d * Scalar(inv_n / sum_exp) - Scalar(eps / double(V) * inv_n);
            d(y) -= Scalar((1.0 - eps) * inv_n);
        } else {
            sum_exp = double((z - mx).exp().sum());
        }
        const double lse = double(mx) + std::log(sum_exp);
        const double nll_r = lse - z_y;
        const double mean_neg_logp = lse - z_sum / double(V);
        loss += (1.0 - eps) * nll_r + eps * mean_neg_logp;
        nll += nll_r;
    }
    if (nll_out)
        *nll_out = nll * inv_n;
    if (correct_out)
        *correct_out = correct;
    if (n_out)
        *n_out = n;
    return loss * inv_n;
}

} // namespace al
