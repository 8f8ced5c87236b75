// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/dropout.h"

namespace al {

void dropout_forward(Mat& x, double p, bool train, Rng* rng, DropoutCache& cache)
{
    if (!train || p <= 0.0 || rng == nullptr) {
        cache.keep.resize(0, 0);
        return;
    }
    cache.keep.resize(x.rows(), x.cols());
    DropoutRng bits(rng->engine()());
    const uint32_t threshold = uint32_t(p * 4294967296.0);
    cache.scale = Scalar(1.0 / (1.0 - p));
    uint8_t* m = cache.keep.data();
    const Eigen::Index n = cache.keep.size();
    Eigen::Index i = 0;
    for (; i + 1 < n; i += 2) {
        const uint64_t r = bits.next();
        m[i] = uint32_t(r) >= threshold;
        m[i + 1] = uint32_t(r >> 32) >= threshold;
    }
    if (i < n)
        m[i] = uint32_t(bits.next()) >= threshold;
    x.array() *= cache.mask_rows(0, x.rows());
}

void dropout_backward(Mat& dx, const DropoutCache& cache)
{
    // forward: y = x * m / (1 - p)
    if (cache.active())
        dx.array() *= cache.mask_rows(0, dx.rows());
}

} // namespace al
