// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/positional_encoding_view_model.h"

#include "engine/core/error.h"
#include "engine/nn/positional_encoding.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

#include <cmath>

namespace al::ui {

namespace {

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::PositionalEncodingViewModel)
};

} // namespace

al::Mat sinusoidalTable(int positions, int dModel)
{
    if (positions < 1)
        throw al::Error("positions must be >= 1, got " + std::to_string(positions));
    if (dModel < 1)
        throw al::Error("d_model must be >= 1, got " + std::to_string(dModel));
    return al::sinusoidal_positional_encoding(positions, dModel);
}

double sinusoidWavelength(int dim, int dModel)
{
    const int i2 = (dim / 2) * 2;
    constexpr double kPi = 3.14159265358979323846;
    return 2.0 * kPi * std::pow(10000.0, double(i2) / double(dModel));
}

al::Mat positionSimilarity(const al::Mat& pe, PositionSimilarity kind)
{
    al::Mat sim = pe * pe.transpose();
    if (kind == PositionSimilarity::Cosine) {
        const Eigen::Matrix<al::Scalar, Eigen::Dynamic, 1> norms = pe.rowwise().norm();
        for (Eigen::Index a = 0; a < sim.rows(); ++a)
            for (Eigen::Index b = 0; b < sim.cols(); ++b) {
                const al::Scalar d = norms(a) * norms(b);
                sim(a, b) = d > 0 ? sim(a, b) / d : al::Scalar(0);
            }
    }
    return sim;
}

QVector<double> dimensionCurve(const al::Mat& pe, int dim)
{
    if (dim < 0 || dim >= pe.cols())
        return {};
    QVector<double> curve(int(pe.rows()));
    for (Eigen::Index t = 0; t < pe.rows(); ++t)
        curve[int(t)] = double(pe(t, dim));
    return curve;
}

DimensionList parseDimensions(const QString& text, int dModel, int maxCount)
{
    DimensionList out;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    const QRegularExpression single(QStringLiteral("^\\d+$"));
    const QRegularExpression range(QStringLiteral("^(\\d+)\\s*-\\s*(\\d+)$"));
    auto add = [&](int d, const QString& part) {
        if (d < 0 || d >= dModel) {
            out.error = Tr::tr("dimension %1 (in '%2') is outside 0-%3").arg(d).arg(part).arg(dModel - 1);
            return false;
        }
        if (!out.dims.contains(d))
            out.dims << d;
        if (out.dims.size() > maxCount) {
            out.error = Tr::tr("at most %1 dimensions").arg(maxCount);
            return false;
        }
        return true;
    };
    for (const QString& part : parts) {
        bool ok = true;
        if (single.match(part).hasMatch()) {
            ok = add(part.toInt(), part);
        } else if (const QRegularExpressionMatch m = range.match(part); m.hasMatch()) {
            const int a = m.captured(1).toInt(), b = m.captured(2).toInt();
            if (a > b) {
                out.error = Tr::tr("range '%1' runs backwards").arg(part);
                ok = false;
            }
            for (int d = a; ok && d <= b; ++d)
                ok = add(d, part);
        } else {
            out.error = Tr::tr("'%1' is not a dimension or a range (e.g. 0, 1, 4-7)").arg(part);
            ok = false;
        }
        if (!ok) {
            out.dims.clear();
            return out;
        }
    }
    if (out.dims.isEmpty())
        out.error = Tr::tr("no dimensions given (e.g. 0, 1, 4-7)");
    return out;
}

bool usesLearnedPositions(const al::ModelConfig& config)
{
    return config.positional_encoding == "learned";
}

al::Mat learnedPositionalTable(const al::TranslationModel& model)
{
    if (!usesLearnedPositions(model.net.config()))
        return {};
    return model.net.positional_encoding();
}

QStringList indexLabels(int n)
{
    QStringList out;
    out.reserve(n);
    for (int i = 0; i < n; ++i)
        out << QString::number(i);
    return out;
}

} // namespace al::ui
