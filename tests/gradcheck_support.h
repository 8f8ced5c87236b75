// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Finite-difference gradient checking shared by the *_f64 tests (double-precision engine).
#include "engine/core/tensor.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace al::gradcheck {

constexpr double kH = 1e-6;   ///< central-difference step
constexpr double kTol = 1e-6; ///< relative tolerance (absolute below 1)

inline bool close(double a, double n) { return std::abs(a - n) <= kTol * std::max({1.0, std::abs(a), std::abs(n)}); }

/// The row-major entries of a (rows, cols) matrix that check_tensor differentiates: all of them when
/// rows * cols < 2 * max_entries; otherwise max_entries distinct entries (at least max(rows, cols))
/// drawn from a generator seeded by `seed`, chosen so that every row and every column holds at
/// least one checked entry (a strided sample of a (T, C) activation or a (C, C) projection can
/// miss whole columns, i.e. whole heads' dimensions). The same seed gives the same entries.
inline std::vector<Eigen::Index> sample_entries(Eigen::Index rows, Eigen::Index cols, int max_entries, uint64_t seed)
{
    const Eigen::Index n = rows * cols;
    std::vector<Eigen::Index> out;
    if (n < 2 * Eigen::Index(max_entries)) {
        out.resize(size_t(n));
        std::iota(out.begin(), out.end(), Eigen::Index(0));
        return out;
    }
    std::mt19937_64 rng(seed);
    // Modulo, not std::uniform_int_distribution: the latter's output differs between standard libraries.
    auto below = [&](Eigen::Index k) { return Eigen::Index(rng() % uint64_t(k)); };
    auto shuffled = [&](Eigen::Index k) {
        std::vector<Eigen::Index> v(static_cast<size_t>(k));
        std::iota(v.begin(), v.end(), Eigen::Index(0));
        for (Eigen::Index i = k - 1; i > 0; --i)
            std::swap(v[size_t(i)], v[size_t(below(i + 1))]);
        return v;
    };
    // Cover: entry j pairs the (j mod rows)-th row and the (j mod cols)-th column of two random orders,
    // so max(rows, cols) entries reach every row and every column, and they are distinct.
    const std::vector<Eigen::Index> row_order = shuffled(rows), col_order = shuffled(cols);
    std::vector<char> taken(size_t(n), 0);
    for (Eigen::Index j = 0; j < std::max(rows, cols); ++j) {
        const Eigen::Index e = row_order[size_t(j % rows)] * cols + col_order[size_t(j % cols)];
        taken[size_t(e)] = 1;
        out.push_back(e);
    }
    // Extras: uniformly random distinct entries up to max_entries (n >= 2 * max_entries, so this ends quickly).
    while (out.size() < size_t(max_entries)) {
        const Eigen::Index e = below(n);
        if (!taken[size_t(e)]) {
            taken[size_t(e)] = 1;
            out.push_back(e);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// FNV-1a hash of `what`: a fixed per-tensor seed, so two parameters of the same shape are not
/// sampled at the same positions.
inline uint64_t seed_of(const QString& what)
{
    uint64_t h = 1469598103934665603ull;
    for (const char c : what.toStdString()) {
        h ^= uint64_t(static_cast<unsigned char>(c));
        h *= 1099511628211ull;
    }
    return h;
}

/// Compares the analytic gradient `analytic` of the (r, c) tensor `x` with central differences of
/// loss() at the entries of sample_entries(r, c, max_entries, seed_of(what)): every entry of a small
/// tensor, else about max_entries seeded random entries covering every row and every column.
/// QFAILs naming `what`, the entry (flat index and row, column) and both values.
inline void check_tensor(const QString& what, Mat& x, const Mat& analytic, const std::function<double()>& loss,
                         int max_entries = 60)
{
    QCOMPARE(analytic.rows(), x.rows());
    QCOMPARE(analytic.cols(), x.cols());
    for (const Eigen::Index i : sample_entries(x.rows(), x.cols(), max_entries, seed_of(what))) {
        const double saved = x.data()[i];
        x.data()[i] = saved + kH;
        const double lp = loss();
        x.data()[i] = saved - kH;
        const double lm = loss();
        x.data()[i] = saved;
        const double numeric = (lp - lm) / (2 * kH);
        const double a = analytic.data()[i];
        if (!close(a, numeric))
            QFAIL(qPrintable(QString("%1[%2] (row %3, column %4): analytic %5 vs numeric %6")
                                 .arg(what)
                                 .arg(i)
                                 .arg(i / x.cols())
                                 .arg(i % x.cols())
                                 .arg(a, 0, 'g', 10)
                                 .arg(numeric, 0, 'g', 10)));
    }
}

} // namespace al::gradcheck
