// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/color_maps.h"

#include <QCoreApplication>
#include <qcustomplot.h>

#include <array>

namespace al::ui {

namespace {

using Stops = std::array<QRgb, 10>;

// Ten evenly spaced samples (i / 9) of each reference map, as published by matplotlib and the
// viridisLite R package (viridis, cividis, magma), and ColorBrewer's Greys end points.
constexpr Stops kViridis = {0x440154, 0x482878, 0x3e4a89, 0x31688e, 0x26828e,
                            0x1f9e89, 0x35b779, 0x6dcd59, 0xb4de2c, 0xfde725};
constexpr Stops kCividis = {0x00204d, 0x00336f, 0x39486b, 0x575c6d, 0x707173,
                            0x8a8779, 0xa69d75, 0xc4b56c, 0xe4cf5b, 0xffea46};
constexpr Stops kMagma = {0x000004, 0x180f3e, 0x451077, 0x721f81, 0x9f2f7f,
                          0xcd4071, 0xf1605d, 0xfd9567, 0xfec98d, 0xfcfdbf};

struct Tr {
    Q_DECLARE_TR_FUNCTIONS(al::ui::ColorMaps)
};

} // namespace

QVector<ColorMap> colorMaps()
{
    return {ColorMap::Viridis, ColorMap::Cividis, ColorMap::Magma, ColorMap::Greys, ColorMap::CoolWarm};
}

QString colorMapId(ColorMap map)
{
    switch (map) {
    case ColorMap::Viridis: return QStringLiteral("viridis");
    case ColorMap::Cividis: return QStringLiteral("cividis");
    case ColorMap::Magma: return QStringLiteral("magma");
    case ColorMap::Greys: return QStringLiteral("greys");
    case ColorMap::CoolWarm: return QStringLiteral("coolwarm");
    }
    return {};
}

QString colorMapName(ColorMap map)
{
    switch (map) {
    case ColorMap::Viridis: return Tr::tr("Viridis (colour-blind safe)");
    case ColorMap::Cividis: return Tr::tr("Cividis (colour-blind safe)");
    case ColorMap::Magma: return Tr::tr("Magma (colour-blind safe)");
    case ColorMap::Greys: return Tr::tr("Greyscale (white to black)");
    case ColorMap::CoolWarm: return Tr::tr("Cool–warm (diverging)");
    }
    return {};
}

bool parseColorMap(const QString& text, ColorMap& map)
{
    const QString t = text.trimmed().toLower();
    for (ColorMap m : colorMaps()) {
        if (t == colorMapId(m)) {
            map = m;
            return true;
        }
    }
    if (t == QLatin1String("grey") || t == QLatin1String("gray") || t == QLatin1String("greyscale")
        || t == QLatin1String("grayscale")) {
        map = ColorMap::Greys;
        return true;
    }
    return false;
}

QStringList colorMapIds()
{
    QStringList ids;
    for (ColorMap m : colorMaps())
        ids << colorMapId(m);
    return ids;
}

ColorMap defaultColorMap(ColorRange range)
{
    return range == ColorRange::Symmetric ? ColorMap::CoolWarm : ColorMap::Viridis;
}

QCPColorGradient colorGradient(ColorMap map)
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    auto fromStops = [&g](const Stops& stops) {
        for (size_t i = 0; i < stops.size(); ++i)
            g.setColorStopAt(double(i) / double(stops.size() - 1), QColor(QRgb(stops[i])));
    };
    switch (map) {
    case ColorMap::Viridis: fromStops(kViridis); break;
    case ColorMap::Cividis: fromStops(kCividis); break;
    case ColorMap::Magma: fromStops(kMagma); break;
    case ColorMap::Greys:
        g.setColorStopAt(0.0, QColor(0xff, 0xff, 0xff));
        g.setColorStopAt(1.0, QColor(0x00, 0x00, 0x00));
        break;
    case ColorMap::CoolWarm:
        g.setColorStopAt(0.00, QColor(0x3b, 0x4c, 0xc0));
        g.setColorStopAt(0.25, QColor(0x8d, 0xb0, 0xfe));
        g.setColorStopAt(0.50, QColor(0xee, 0xee, 0xee));
        g.setColorStopAt(0.75, QColor(0xf4, 0x9a, 0x7b));
        g.setColorStopAt(1.00, QColor(0xb4, 0x04, 0x26));
        break;
    }
    g.setLevelCount(256);
    return g;
}

QString colorRangeId(ColorRange range)
{
    switch (range) {
    case ColorRange::Probability: return QStringLiteral("fixed");
    case ColorRange::MinMax: return QStringLiteral("per-head");
    case ColorRange::Symmetric: return QStringLiteral("symmetric");
    }
    return {};
}

QString colorRangeName(ColorRange range)
{
    switch (range) {
    case ColorRange::Probability: return Tr::tr("Fixed 0–1");
    case ColorRange::MinMax: return Tr::tr("Per head (min–max)");
    case ColorRange::Symmetric: return Tr::tr("Symmetric around 0");
    }
    return {};
}

bool parseColorRange(const QString& text, ColorRange& range)
{
    const QString t = text.trimmed().toLower();
    for (ColorRange r : {ColorRange::Probability, ColorRange::MinMax, ColorRange::Symmetric}) {
        if (t == colorRangeId(r)) {
            range = r;
            return true;
        }
    }
    if (t == QLatin1String("minmax")) {
        range = ColorRange::MinMax;
        return true;
    }
    return false;
}

} // namespace al::ui
