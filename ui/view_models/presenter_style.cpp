// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/presenter_style.h"

#include <algorithm>

namespace al::ui {

double PresenterStyle::fontPointSize(double ratio) const
{
    return std::max(minPointSize, ratio * pointSize);
}

double PresenterStyle::penWidth(double width) const
{
    return std::max(minPenWidth, std::max(width, 1.0) * penScale);
}

double PresenterStyle::axisPenWidth(double width) const
{
    return std::max(minAxisPenWidth, std::max(width, 1.0));
}

ColorMap PresenterStyle::colorMap(ColorRange range) const
{
    return range == ColorRange::Symmetric ? ColorMap::CoolWarm : ColorMap::Magma;
}

} // namespace al::ui
