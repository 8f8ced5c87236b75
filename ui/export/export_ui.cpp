// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/export/export_ui.h"

#include "engine/core/error.h"
#include "ui/view_models/attention_selection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace al::ui {

namespace {

QString g_lastDirectory;
FigureSize g_lastSize{1600, 1200, 150.0};

QSpinBox* pixelSpin(QWidget* parent, int value, int minimum)
{
    auto* spin = new QSpinBox(parent);
    spin->setRange(minimum, 20000);
    spin->setSuffix(QStringLiteral(" px"));
    spin->setValue(value);
    return spin;
}

QDoubleSpinBox* dpiSpin(QWidget* parent, double value)
{
    auto* spin = new QDoubleSpinBox(parent);
    spin->setRange(24, 2400);
    spin->setDecimals(0);
    spin->setSuffix(QStringLiteral(" dpi"));
    spin->setValue(value);
    return spin;
}

} // namespace

QString lastExportDirectory()
{
    if (g_lastDirectory.isEmpty() || !QFileInfo(g_lastDirectory).isDir()) {
        const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        g_lastDirectory = !pictures.isEmpty() && QFileInfo(pictures).isDir() ? pictures : QDir::homePath();
    }
    return g_lastDirectory;
}

void setLastExportDirectory(const QString& directory)
{
    g_lastDirectory = directory;
}

QString withFormatSuffix(const QString& name, ExportFormat format)
{
    const QFileInfo info(name);
    const QString base = info.suffix().isEmpty() ? name : name.left(name.size() - info.suffix().size() - 1);
    return base + QLatin1Char('.') + exportFormatId(format);
}

// ---------------------------------------------------------------------------------------------

FigureSizeDialog::FigureSizeDialog(const FigureSize& initial, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Figure size"));
    auto* form = new QFormLayout(this);
    m_width = pixelSpin(this, initial.width, 16);
    m_width->setObjectName(QStringLiteral("figureWidth"));
    m_height = pixelSpin(this, initial.height, 16);
    m_height->setObjectName(QStringLiteral("figureHeight"));
    m_dpi = dpiSpin(this, initial.dpi);
    m_dpi->setObjectName(QStringLiteral("figureDpi"));
    m_inches = new QLabel(this);
    form->addRow(tr("Width:"), m_width);
    form->addRow(tr("Height:"), m_height);
    form->addRow(tr("Resolution:"), m_dpi);
    form->addRow(tr("Printed size:"), m_inches);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QSpinBox* s : {m_width, m_height})
        connect(s, &QSpinBox::valueChanged, this, &FigureSizeDialog::updateInches);
    connect(m_dpi, &QDoubleSpinBox::valueChanged, this, &FigureSizeDialog::updateInches);
    updateInches();
}

FigureSize FigureSizeDialog::figureSize() const
{
    return {m_width->value(), m_height->value(), m_dpi->value()};
}

void FigureSizeDialog::updateInches()
{
    const FigureSize s = figureSize();
    m_inches->setText(tr("%1 × %2 cm (%3 × %4 in)")
                          .arg(s.width / s.dpi * 2.54, 0, 'f', 1)
                          .arg(s.height / s.dpi * 2.54, 0, 'f', 1)
                          .arg(s.width / s.dpi, 0, 'f', 2)
                          .arg(s.height / s.dpi, 0, 'f', 2));
}

// ---------------------------------------------------------------------------------------------

QString interactiveExport(QWidget* parent, ExportFormat format, const QString& suggestedName, const QSizeF& aspect,
                          const std::function<void(const QString&, const FigureSize&)>& write)
{
    FigureSize size = g_lastSize;
    if (format != ExportFormat::Csv) {
        if (aspect.width() > 0 && aspect.height() > 0)
            size.height = std::max(16, int(std::lround(size.width * aspect.height() / aspect.width())));
        FigureSizeDialog dialog(size, parent);
        if (dialog.exec() != QDialog::Accepted)
            return {};
        size = dialog.figureSize();
        g_lastSize = size;
    }
    const QString proposed = QDir(lastExportDirectory()).filePath(withFormatSuffix(suggestedName, format));
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export"), proposed, exportFormatFilter(format));
    if (path.isEmpty())
        return {};
    setLastExportDirectory(QFileInfo(path).path());
    try {
        write(path, size);
        return path;
    } catch (const std::exception& e) {
        QMessageBox::warning(parent, QObject::tr("Export failed"), QString::fromStdString(e.what()));
        return {};
    }
}

void installPlotExportMenu(QCustomPlot* plot, const QString& suggestedName, const QString& title)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, suggestedName, title](const QPoint& pos) {
        QMenu menu(plot);
        QMap<QAction*, ExportFormat> actions;
        for (ExportFormat f : exportFormats())
            actions.insert(menu.addAction(f == ExportFormat::Csv ? QObject::tr("Export numbers as CSV…")
                                                                 : QObject::tr("Export as %1…").arg(exportFormatId(f).toUpper())),
                           f);
        QAction* chosen = menu.exec(plot->mapToGlobal(pos));
        if (!actions.contains(chosen))
            return;
        interactiveExport(plot, actions.value(chosen), suggestedName, QSizeF(plot->size()),
                          [plot, title, format = actions.value(chosen)](const QString& path, const FigureSize& size) {
                              exportPlot(plot, path, format, size, title);
                          });
    });
}

// ---------------------------------------------------------------------------------------------

BatchExportDialog::BatchExportDialog(al::AttentionKind current, QWidget* parent) : QDialog(parent), m_current(current)
{
    setWindowTitle(tr("Export all layers and heads"));
    auto* form = new QFormLayout(this);
    m_kinds = new QComboBox(this);
    m_kinds->setObjectName(QStringLiteral("batchKinds"));
    m_kinds->addItem(tr("Only %1").arg(attentionKindName(current)));
    m_kinds->addItem(tr("All three kinds"));
    form->addRow(tr("Attention:"), m_kinds);
    auto* formats = new QHBoxLayout;
    for (ExportFormat f : exportFormats()) {
        auto* box = new QCheckBox(exportFormatId(f).toUpper(), this);
        box->setObjectName(QStringLiteral("batchFormat_") + exportFormatId(f));
        box->setChecked(f == ExportFormat::Png || f == ExportFormat::Csv);
        formats->addWidget(box);
        m_formats << box;
    }
    form->addRow(tr("Formats:"), formats);
    m_width = pixelSpin(this, g_lastSize.width, 16);
    m_height = pixelSpin(this, 0, 0);
    m_height->setSpecialValueText(tr("automatic"));
    m_dpi = dpiSpin(this, g_lastSize.dpi);
    form->addRow(tr("Width:"), m_width);
    form->addRow(tr("Height:"), m_height);
    form->addRow(tr("Resolution:"), m_dpi);
    auto* dirRow = new QHBoxLayout;
    m_directory = new QLineEdit(QDir(lastExportDirectory()).filePath(QStringLiteral("attention")), this);
    m_directory->setObjectName(QStringLiteral("batchDirectory"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    dirRow->addWidget(m_directory, 1);
    dirRow->addWidget(browse);
    form->addRow(tr("Folder:"), dirRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into folder"), m_directory->text());
        if (!dir.isEmpty())
            m_directory->setText(dir);
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

AttentionExportRequest BatchExportDialog::request() const
{
    AttentionExportRequest r;
    r.kinds = m_kinds->currentIndex() == 0 ? QVector<al::AttentionKind>{m_current} : attentionKinds();
    r.formats.clear();
    const QVector<ExportFormat> all = exportFormats();
    for (int i = 0; i < m_formats.size(); ++i)
        if (m_formats[i]->isChecked())
            r.formats << all[i];
    r.size = FigureSize{m_width->value(), m_height->value(), m_dpi->value()};
    r.directory = m_directory->text().trimmed();
    return r;
}

} // namespace al::ui
