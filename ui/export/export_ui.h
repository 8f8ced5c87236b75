// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The interactive side of exporting (dialogs and context menus); the files themselves are
// written by ui/exporters.h, which works without any of this.
#include "engine/trace/trace.h"
#include "ui/export/exporters.h"

#include <QDialog>
#include <QString>

#include <functional>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace al::ui {

/// Folder the last export went to (the Pictures folder, else home, before the first).
QString lastExportDirectory();
void setLastExportDirectory(const QString& directory);

/// `name` with its suffix replaced by the format's ("a.png" + Svg -> "a.svg").
QString withFormatSuffix(const QString& name, ExportFormat format);

/// Width, height and resolution of an exported figure, with the physical size it gives.
class FigureSizeDialog : public QDialog {
    Q_OBJECT
public:
    explicit FigureSizeDialog(const FigureSize& initial, QWidget* parent = nullptr);
    FigureSize figureSize() const;

private:
    void updateInches();
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QDoubleSpinBox* m_dpi = nullptr;
    QLabel* m_inches = nullptr;
};

/// The whole interactive export of one figure: for PNG/SVG/PDF the size dialog (width from the
/// last export, height following `aspect`), then the save dialog in the last export folder
/// proposing `suggestedName`, then `write(path, size)`; an al::Error from `write` is shown in a
/// message box. Returns the path written, or empty when cancelled or failed.
QString interactiveExport(QWidget* parent, ExportFormat format, const QString& suggestedName, const QSizeF& aspect,
                          const std::function<void(const QString&, const FigureSize&)>& write);

/// Context menu on a plain QCustomPlot (loss curves, bars): export as PNG, SVG or PDF (`title`
/// drawn above the plot when not empty) and the plotted numbers as CSV (plotCsv).
void installPlotExportMenu(QCustomPlot* plot, const QString& suggestedName, const QString& title = QString());

/// Options of "Export all layers and heads": which kinds, formats, size, folder.
class BatchExportDialog : public QDialog {
    Q_OBJECT
public:
    /// `current` is the kind shown now (offered as "only <kind>").
    BatchExportDialog(al::AttentionKind current, QWidget* parent = nullptr);
    /// The request the dialog describes (colour map and range are the caller's to fill in).
    AttentionExportRequest request() const;

private:
    al::AttentionKind m_current;
    QComboBox* m_kinds = nullptr;
    QVector<QCheckBox*> m_formats;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QDoubleSpinBox* m_dpi = nullptr;
    QLineEdit* m_directory = nullptr;
};

} // namespace al::ui
