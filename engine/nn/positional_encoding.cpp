// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/nn/positional_encoding.h"
#include "engine/core/error.h"

#include <cmath>

namespace al {

PositionalEncoding parse_positional_encoding(const std::string& name)
{
    if (name == "sinusoidal")
        return PositionalEncoding::Sinusoidal;
    if (name == "learned")
        return PositionalEncoding::Learned;
    if (name == "none")
        return PositionalEncoding::None;
    throw Error("positional_encoding must be \"sinusoidal\", \"learned\" or \"none\", got \"" + name + "\"");
}

Mat sinusoidal_positional_encoding(int max_len, int C)
{
    Mat pe(max_len, C);
    for (int t = 0; t < max_len; ++t)
        for (int i = 0; i < C; i += 2) {
            const double freq = std::exp(-std::log(10000.0) * double(i) / double(C));
            pe(t, i) = Scalar(std::sin(t * freq));
            if (i + 1 < C)
                pe(t, i + 1) = Scalar(std::cos(t * freq));
        }
    return pe;
}

void positional_backward(const Mat& dy, int L, Mat& pe_grad)
{
    // forward: out[b*L + t] += PE[t]
    const Eigen::Index B = dy.rows() / L;
    for (Eigen::Index b = 0; b < B; ++b)
        pe_grad.topRows(L) += dy.middleRows(b * L, L);
}

PositionalTable make_positional_table(ParamStore& store, PositionalEncoding kind, int max_len, int C)
{
    PositionalTable pos;
    switch (kind) {
    case PositionalEncoding::Sinusoidal:
        pos.sinusoidal = sinusoidal_positional_encoding(max_len, C);
        break;
    case PositionalEncoding::Learned:
        pos.learned = store.add("pos_emb.weight", {max_len, C});
        break;
    case PositionalEncoding::None:
        break;
    }
    return pos;
}

void init_learned_positions(Param& table, Rng& rng)
{
    for (Eigen::Index i = 0; i < table.value.size(); ++i)
        table.value.data()[i] = Scalar(rng.normal(0.0, 0.02));
}

} // namespace al
