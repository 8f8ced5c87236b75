// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Finite-difference gradient checking shared by the *_f64 tests (double-precision engine).
#include "engine/tensor.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>

namespace al::gradcheck {

constexpr double kH = 1e-6;   ///< central-difference step
constexpr double kTol = 1e-6; ///< relative tolerance (absolute below 1)

inline bool close(double a, double n) { return std::abs(a - n) <= kTol * std::max({1.0, std::abs(a), std::abs(n)}); }

/// Compares the analytic gradient `analytic` of tensor `x` with central differences of loss() at
/// about max_entries evenly spaced entries; QFAILs naming `what`, the entry and both values.
inline void check_tensor(const QString& what, Mat& x, const Mat& analytic, const std::function<double()>& loss,
                         int max_entries = 60)
{
    QCOMPARE(analytic.rows(), x.rows());
    QCOMPARE(analytic.cols(), x.cols());
    const Eigen::Index n = x.size();
    const Eigen::Index stride = std::max<Eigen::Index>(1, n / max_entries);
    for (Eigen::Index i = 0; i < n; i += stride) {
        const double saved = x.data()[i];
        x.data()[i] = saved + kH;
        const double lp = loss();
        x.data()[i] = saved - kH;
        const double lm = loss();
        x.data()[i] = saved;
        const double numeric = (lp - lm) / (2 * kH);
        const double a = analytic.data()[i];
        if (!close(a, numeric))
            QFAIL(qPrintable(QString("%1[%2]: analytic %3 vs numeric %4").arg(what).arg(i).arg(a, 0, 'g', 10).arg(numeric, 0, 'g', 10)));
    }
}

} // namespace al::gradcheck
