// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/presenter_mode.h"

#include "ui/views/pane_scroller.h"

#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/retranslate.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QTextEdit>
#include <QTimer>
#include <qcustomplot.h>

#include <algorithm>
#include <numeric>

namespace al::ui {

namespace {

/// How long the platform gets to make the window full screen before presenter mode covers the
/// screen itself.
constexpr int kFullScreenCheckMs = 300;
/// Room for a dock's frame and a vertical scroll bar beside its contents, px.
constexpr int kDockMargin = 24;

// What a styled font or pen keeps as dynamic properties of its owner (an axis, a legend, a
// plottable, ...): the value of the normal style ("base"), a text's size relative to its plot's
// font ("ratio"), whether the base was seen outside presenter mode ("normal") and the value
// last set ("styled": a different current value means the panel's code set a new one).
QByteArray propertyName(const char* slot, const char* what)
{
    return QByteArrayLiteral("alPresenter.") + slot + '.' + what;
}

struct Figures {
    const PresenterStyle* style;
    bool active;               ///< presenter mode on: presenter sizes; off: the normal ones
    bool capturedInPresenter;  ///< a value seen first now was made at the presenter size
    double normalPointSize;
};

template <class Get, class Set>
void styleFont(QObject* owner, const char* slot, double referencePointSize, const Figures& f, Get get, Set set)
{
    const QFont current = get();
    if (current.pointSizeF() <= 0 || referencePointSize <= 0)
        return; // a pixel-sized font: left as it is
    const QVariant styled = owner->property(propertyName(slot, "styled"));
    if (!styled.isValid() || styled.value<QFont>() != current) {
        owner->setProperty(propertyName(slot, "base"), current);
        owner->setProperty(propertyName(slot, "ratio"), current.pointSizeF() / referencePointSize);
        owner->setProperty(propertyName(slot, "normal"), !f.capturedInPresenter);
    }
    QFont target = owner->property(propertyName(slot, "base")).value<QFont>();
    const double ratio = owner->property(propertyName(slot, "ratio")).toDouble();
    if (f.active)
        target.setPointSizeF(f.style->fontPointSize(ratio));
    else if (!owner->property(propertyName(slot, "normal")).toBool())
        target.setPointSizeF(ratio * f.normalPointSize);
    if (target != current)
        set(target);
    owner->setProperty(propertyName(slot, "styled"), target);
}

template <class Get, class Set>
void stylePen(QObject* owner, const char* slot, bool curve, const Figures& f, Get get, Set set)
{
    const QPen current = get();
    if (current.style() == Qt::NoPen)
        return;
    const QVariant styled = owner->property(propertyName(slot, "styled"));
    if (!styled.isValid() || styled.value<QPen>() != current)
        owner->setProperty(propertyName(slot, "base"), current);
    QPen target = owner->property(propertyName(slot, "base")).value<QPen>();
    if (f.active)
        target.setWidthF(curve ? f.style->penWidth(target.widthF()) : f.style->axisPenWidth(target.widthF()));
    if (target != current)
        set(target);
    owner->setProperty(propertyName(slot, "styled"), target);
}

bool isMultiLineEditor(const QWidget* w)
{
    if (auto* t = qobject_cast<const QTextEdit*>(w))
        return !t->isReadOnly();
    if (auto* t = qobject_cast<const QPlainTextEdit*>(w))
        return !t->isReadOnly();
    return false;
}

bool isSpinBox(const QWidget* w)
{
    return w && (qobject_cast<const QAbstractSpinBox*>(w)
                 || (w->parentWidget() && qobject_cast<const QAbstractSpinBox*>(w->parentWidget())));
}

bool isTextField(const QWidget* w)
{
    if (!w)
        return false;
    if (auto* e = qobject_cast<const QLineEdit*>(w))
        return !e->isReadOnly();
    if (auto* c = qobject_cast<const QComboBox*>(w))
        return c->isEditable();
    return isMultiLineEditor(w) || isSpinBox(w);
}

} // namespace

PresenterMode::PresenterMode(MainWindow* window, const PresenterStyle& style)
    : QObject(window), m_window(window), m_style(style)
{
    m_action = new QAction(this);
    m_action->setObjectName(QStringLiteral("presenterModeAction"));
    m_action->setCheckable(true);
    m_action->setShortcut(QKeySequence(Qt::Key_F11));
    onLanguageChange(window, [action = m_action] {
        action->setText(tr("&Presenter mode"));
        action->setToolTip(tr("Full screen in large type with thick lines and high-contrast colours, for a projector. "
                              "Page Down / Page Up step through a lesson, Space trains or pauses."));
    });
    connect(m_action, &QAction::toggled, this, &PresenterMode::setActive);
    qApp->installEventFilter(this);
}

PresenterMode::~PresenterMode()
{
    qApp->removeEventFilter(this);
}

void PresenterMode::setActive(bool on)
{
    if (on == m_active)
        return;
    if (on)
        enter();
    else
        leave();
    {
        const QSignalBlocker blocker(m_action);
        m_action->setChecked(on);
    }
    emit activeChanged(on);
}

void PresenterMode::enter()
{
    QMainWindow* w = m_window;
    m_active = true;
    m_windowState = w->windowState();
    m_geometry = w->saveGeometry();
    m_hadWindowFont = w->testAttribute(Qt::WA_SetFont);
    m_windowFont = w->font();
    m_normalPointSize = w->font().pointSizeF();
    m_splitters.clear();
    for (QSplitter* s : w->findChildren<QSplitter*>())
        m_splitters.push_back({s, s->sizes()});

    // Plots first, while their fonts are the normal ones (each text's ratio to its plot's font).
    for (QCustomPlot* plot : w->findChildren<QCustomPlot*>()) {
        if (plot->window() != w)
            continue;
        stylePlot(plot, false);
        watchPlot(plot);
    }
    // Widgets with a font of their own (the sentence box at 1.4 times, bold captions) keep
    // their ratio to the window's font.
    m_widgetFonts.clear();
    QVector<double> ratios;
    for (QWidget* c : w->findChildren<QWidget*>()) {
        if (c->window() != w || !c->testAttribute(Qt::WA_SetFont) || c->font().pointSizeF() <= 0)
            continue;
        m_widgetFonts.push_back({c, c->font()});
        ratios << c->font().pointSizeF() / m_normalPointSize;
    }
    QFont big = w->font();
    big.setPointSizeF(m_style.pointSize);
    w->setFont(big);
    for (int i = 0; i < m_widgetFonts.size(); ++i) {
        QFont f = m_widgetFonts[i].font;
        f.setPointSizeF(m_style.fontPointSize(ratios[i]));
        m_widgetFonts[i].widget->setFont(f);
    }

    m_hidden.clear();
    for (const QString& name : m_style.hiddenWidgets)
        for (QWidget* h : w->findChildren<QWidget*>(name)) {
            m_hidden.push_back({h, h->isHidden()});
            h->hide();
        }
    const ColorRange range = m_window->heatmapColorRange();
    m_colorMap = int(m_window->heatmapColorMap());
    m_colorRange = int(range);
    m_window->setHeatmapColors(m_style.colorMap(range), range);

    m_window->paneScroller()->acquire();
    w->showFullScreen();
    // Without a window manager (a bare X server, a kiosk session) the full-screen request is
    // not acted on: once the platform has had time to act on it, a window that still does not
    // cover its screen is moved over it.
    QTimer::singleShot(kFullScreenCheckMs, w, [this, w] {
        QScreen* screen = w->screen();
        if (m_active && screen && w->geometry() != screen->geometry())
            w->setGeometry(screen->geometry());
        fitDocks();
        shareWidth();
    });
    for (HeatmapWidget* h : w->findChildren<HeatmapWidget*>())
        h->updateTickLayout();
    for (const QPointer<QCustomPlot>& p : m_plots)
        if (p)
            p->replot(QCustomPlot::rpQueuedReplot);
}

void PresenterMode::leave()
{
    QMainWindow* w = m_window;
    m_active = false;
    m_window->paneScroller()->release(); // first: the reverse of enter(), which wraps them last
    // Plots first, while the window's font is still the presenter one (texts made meanwhile
    // are at the presenter size).
    for (const QPointer<QCustomPlot>& p : m_plots)
        if (p)
            stylePlot(p, true);
    for (const WidgetFont& wf : m_widgetFonts)
        if (wf.widget)
            wf.widget->setFont(wf.font);
    w->setFont(m_hadWindowFont ? m_windowFont : QFont()); // QFont(): inherit again
    for (const HiddenWidget& h : m_hidden)
        if (h.widget)
            h.widget->setHidden(h.wasHidden);
    m_window->setHeatmapColors(static_cast<ColorMap>(m_colorMap), static_cast<ColorRange>(m_colorRange));

    w->setWindowState(m_windowState);
    if (!(m_windowState & (Qt::WindowMaximized | Qt::WindowFullScreen))) {
        w->restoreGeometry(m_geometry);
        // Once more when the layouts have settled at the restored width: a word-wrapped label's
        // height depends on its width, and the minimum height taken while the window was still
        // at the screen's width can exceed the saved one.
        QTimer::singleShot(0, w, [this, w] {
            if (!m_active)
                w->restoreGeometry(m_geometry);
        });
    }
    for (const SplitterSizes& s : m_splitters)
        if (s.splitter)
            s.splitter->setSizes(s.sizes);
    for (HeatmapWidget* h : w->findChildren<HeatmapWidget*>())
        h->updateTickLayout();
    for (const QPointer<QCustomPlot>& p : m_plots)
        if (p)
            p->replot(QCustomPlot::rpQueuedReplot);
}

void PresenterMode::shareWidth()
{
    // The views get most of the central width, the live panel (plots, the sentence) a quarter.
    auto* splitter = qobject_cast<QSplitter*>(m_window->centralWidget());
    if (!m_active || !splitter)
        return;
    QList<int> sizes = splitter->sizes();
    const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
    const int live = splitter->indexOf(splitter->findChild<QScrollArea*>(QStringLiteral("paneScroll_liveTrainingPanel"),
                                                                          Qt::FindDirectChildrenOnly));
    if (live < 0 || total <= 0 || sizes.size() - std::count(sizes.begin(), sizes.end(), 0) != 2)
        return; // another arrangement than live panel + views: left as it is
    for (int i = 0; i < sizes.size(); ++i)
        if (sizes[i] > 0)
            sizes[i] = i == live ? total / 4 : total - total / 4;
    splitter->setSizes(sizes);
}

void PresenterMode::fitDocks()
{
    // Each docked, visible dock wide enough for its contents at the presenter size (a lesson's
    // buttons), at least a quarter and at most two fifths of the screen.
    if (!m_active || !m_window->screen())
        return;
    const int screenWidth = m_window->screen()->geometry().width();
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>()) {
        if (dock->window() != m_window || !dock->isVisible() || dock->isFloating())
            continue;
        QWidget* pane = dock->widget();
        if (auto* scroll = qobject_cast<QScrollArea*>(pane); scroll && scroll->widget())
            pane = scroll->widget();
        const int paneWidth = pane ? pane->minimumSizeHint().width() : 0;
        m_window->resizeDocks({dock}, {std::min(screenWidth * 2 / 5, std::max(paneWidth + kDockMargin, screenWidth / 4))},
                              Qt::Horizontal);
    }
}

void PresenterMode::watchPlot(QCustomPlot* plot)
{
    if (m_plots.contains(plot))
        return;
    m_plots << plot;
    // Graphs, labels and legends a panel adds while presenter mode is on get its style.
    connect(plot, &QCustomPlot::beforeReplot, this, [this, plot] {
        if (m_active)
            stylePlot(plot, true);
    });
}

void PresenterMode::stylePlot(QCustomPlot* plot, bool capturedInPresenter)
{
    const Figures f{&m_style, m_active, capturedInPresenter, m_normalPointSize};
    const double ref = plot->font().pointSizeF();
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : plot->axisRects())
        axes << rect->axes();
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
        if (auto* scale = qobject_cast<QCPColorScale*>(e)) {
            if (scale->axis())
                axes << scale->axis();
        } else if (auto* text = qobject_cast<QCPTextElement*>(e)) {
            styleFont(text, "font", ref, f, [text] { return text->font(); }, [text](const QFont& x) { text->setFont(x); });
        } else if (auto* legend = qobject_cast<QCPLegend*>(e)) {
            // QCPLegend::setFont sets its items' fonts too.
            styleFont(legend, "font", ref, f, [legend] { return legend->font(); },
                      [legend](const QFont& x) { legend->setFont(x); });
        }
    }
    for (QCPAxis* a : axes) {
        styleFont(a, "label", ref, f, [a] { return a->labelFont(); }, [a](const QFont& x) { a->setLabelFont(x); });
        styleFont(a, "tick", ref, f, [a] { return a->tickLabelFont(); }, [a](const QFont& x) { a->setTickLabelFont(x); });
        stylePen(a, "base", false, f, [a] { return a->basePen(); }, [a](const QPen& p) { a->setBasePen(p); });
        stylePen(a, "tick", false, f, [a] { return a->tickPen(); }, [a](const QPen& p) { a->setTickPen(p); });
    }
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        if (qobject_cast<QCPColorMap*>(p))
            continue;
        stylePen(p, "pen", true, f, [p] { return p->pen(); }, [p](const QPen& x) { p->setPen(x); });
    }
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* t = qobject_cast<QCPItemText*>(plot->item(i)))
            styleFont(t, "font", ref, f, [t] { return t->font(); }, [t](const QFont& x) { t->setFont(x); });
}

void PresenterMode::trainOrPause()
{
    using S = TrainingController::State;
    switch (m_window->trainingController()->state()) {
    case S::Idle: m_window->startTraining(); break;
    case S::Running:
    case S::Paused: m_window->togglePause(); break;
    case S::Starting:
    case S::Stopping: break;
    }
}

bool PresenterMode::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Polish && m_active) {
        auto* plot = qobject_cast<QCustomPlot*>(watched);
        if (plot && plot->window() == m_window) {
            stylePlot(plot, true);
            watchPlot(plot);
        }
        return false;
    }
    if (event->type() == QEvent::Show && m_active) {
        // A dock shown while presenting (a lesson opened from the menu or a session).
        auto* dock = qobject_cast<QDockWidget*>(watched);
        if (dock && dock->window() == m_window)
            QTimer::singleShot(0, this, &PresenterMode::fitDocks);
        return false;
    }
    if (event->type() != QEvent::KeyPress)
        return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->window() != m_window)
        return false;
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->isAutoRepeat() || (key->modifiers() & ~Qt::KeypadModifier) != Qt::NoModifier)
        return false;
    const QWidget* focus = widget; // the focus widget, or a parent it passed the key on to
    switch (key->key()) {
    case Qt::Key_PageDown:
    case Qt::Key_PageUp:
        if (isMultiLineEditor(focus) || isSpinBox(focus))
            return false;
        if (key->key() == Qt::Key_PageDown)
            emit nextStepRequested();
        else
            emit previousStepRequested();
        return true;
    case Qt::Key_Space:
        if (isTextField(focus))
            return false;
        trainOrPause();
        return true;
    case Qt::Key_Escape:
        if (!m_active)
            return false;
        setActive(false);
        return true;
    default: return false;
    }
}

} // namespace al::ui
