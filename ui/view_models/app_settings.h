// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the lab remembers between runs (QSettings of the organisation and application
// "Attention Lab", ui/app/gui_main.cpp): window geometry and state, splitter sizes, the
// heatmaps' colour map and range, the last model directory and session file (the UI language
// is ui/app/language.h's).
// Widget-free; one typed getter and setter per key.
#include "ui/view_models/color_maps.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

class QSettings;

namespace al::ui {

class AppSettings {
public:
    /// The application's settings (QSettings() of the organisation and application names).
    AppSettings();
    /// Settings in the INI file `iniPath` (tests).
    explicit AppSettings(const QString& iniPath);
    ~AppSettings();
    AppSettings(const AppSettings&) = delete;
    AppSettings& operator=(const AppSettings&) = delete;

    /// QWidget::saveGeometry() of the main window ("window/geometry"); empty: none saved.
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    /// QMainWindow::saveState() ("window/state"); empty: none saved.
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);
    /// Sizes of the main splitter's columns in pixels ("window/splitter"); empty: none saved.
    QList<int> splitterSizes() const;
    void setSplitterSizes(const QList<int>& sizes);

    /// The heatmaps' colour map and range ("heatmap/color_map", "heatmap/color_range", by
    /// their identifiers colorMapId / colorRangeId); nullopt: none saved or not recognised.
    std::optional<ColorMap> heatmapColorMap() const;
    void setHeatmapColorMap(ColorMap map);
    std::optional<ColorRange> heatmapColorRange() const;
    void setHeatmapColorRange(ColorRange range);

    /// "files/last_model_directory"; empty: none.
    QString lastModelDirectory() const;
    void setLastModelDirectory(const QString& directory);
    /// "files/last_session"; empty: none.
    QString lastSessionFile() const;
    void setLastSessionFile(const QString& path);

    /// Writes pending changes to storage.
    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace al::ui
