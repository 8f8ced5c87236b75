// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/app_settings.h"

#include <QSettings>
#include <QVariant>

namespace al::ui {

namespace {

const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kSplitter = QStringLiteral("window/splitter");
const QString kColorMap = QStringLiteral("heatmap/color_map");
const QString kColorRange = QStringLiteral("heatmap/color_range");
const QString kLastModel = QStringLiteral("files/last_model_directory");
const QString kLastSession = QStringLiteral("files/last_session");

} // namespace

AppSettings::AppSettings() : m_settings(std::make_unique<QSettings>()) {}

AppSettings::AppSettings(const QString& iniPath) : m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat)) {}

AppSettings::~AppSettings() = default;

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(kGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray& geometry)
{
    m_settings->setValue(kGeometry, geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings->value(kState).toByteArray();
}

void AppSettings::setWindowState(const QByteArray& state)
{
    m_settings->setValue(kState, state);
}

QList<int> AppSettings::splitterSizes() const
{
    QList<int> sizes;
    for (const QVariant& v : m_settings->value(kSplitter).toList()) {
        bool ok = false;
        const int size = v.toInt(&ok);
        if (!ok || size < 0)
            return {};
        sizes << size;
    }
    return sizes;
}

void AppSettings::setSplitterSizes(const QList<int>& sizes)
{
    QVariantList list;
    for (int s : sizes)
        list << s;
    m_settings->setValue(kSplitter, list);
}

std::optional<ColorMap> AppSettings::heatmapColorMap() const
{
    ColorMap map;
    if (parseColorMap(m_settings->value(kColorMap).toString(), map))
        return map;
    return std::nullopt;
}

void AppSettings::setHeatmapColorMap(ColorMap map)
{
    m_settings->setValue(kColorMap, colorMapId(map));
}

std::optional<ColorRange> AppSettings::heatmapColorRange() const
{
    ColorRange range;
    if (parseColorRange(m_settings->value(kColorRange).toString(), range))
        return range;
    return std::nullopt;
}

void AppSettings::setHeatmapColorRange(ColorRange range)
{
    m_settings->setValue(kColorRange, colorRangeId(range));
}

QString AppSettings::lastModelDirectory() const
{
    return m_settings->value(kLastModel).toString();
}

void AppSettings::setLastModelDirectory(const QString& directory)
{
    m_settings->setValue(kLastModel, directory);
}

QString AppSettings::lastSessionFile() const
{
    return m_settings->value(kLastSession).toString();
}

void AppSettings::setLastSessionFile(const QString& path)
{
    m_settings->setValue(kLastSession, path);
}

void AppSettings::sync()
{
    m_settings->sync();
}

} // namespace al::ui
