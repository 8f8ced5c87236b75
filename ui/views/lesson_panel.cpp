// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/lesson_panel.h"

#include "engine/core/error.h"
#include "ui/app/language.h"
#include "ui/views/retranslate.h"

#include <QAction>
#include <QApplication>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace al::ui {

namespace {

constexpr int kFramePen = 3;      // px: frame line width
constexpr int kFrameMargin = 4;   // px: frame drawn this far outside the target
constexpr int kFollowMs = 100;    // re-read the target's geometry this often (splitters, layouts)
const QColor kFrameColor(255, 120, 0); // orange: visible on the light UI and over blue heatmaps

} // namespace

void revealWidget(QWidget* w)
{
    for (QWidget* child = w, *p = w ? w->parentWidget() : nullptr; p; child = p, p = p->parentWidget()) {
        if (auto* stack = qobject_cast<QStackedWidget*>(p)) {
            if (auto* tabs = qobject_cast<QTabWidget*>(stack->parentWidget()))
                tabs->setCurrentWidget(child);
            else
                stack->setCurrentWidget(child);
        }
    }
    for (QWidget* p = w ? w->parentWidget() : nullptr; p; p = p->parentWidget())
        if (auto* scroll = qobject_cast<QScrollArea*>(p))
            scroll->ensureWidgetVisible(w);
}

// ---------------------------------------------------------------------------------------------

HighlightFrame::HighlightFrame(QWidget* target) : QWidget(target->window()), m_target(target)
{
    setObjectName(QStringLiteral("lessonHighlight"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setFocusPolicy(Qt::NoFocus);
    target->installEventFilter(this);
    connect(&m_timer, &QTimer::timeout, this, &HighlightFrame::follow);
    m_timer.start(kFollowMs);
    follow();
}

void HighlightFrame::follow()
{
    QWidget* window = parentWidget();
    if (!m_target || !window || !m_target->isVisible()) {
        hide();
        return;
    }
    // The part of the target not clipped by its parents (scroll areas, splitters).
    const QRect visible = m_target->visibleRegion().boundingRect();
    if (visible.isEmpty()) {
        hide();
        return;
    }
    const QRect r(m_target->mapTo(window, visible.topLeft()), visible.size());
    setGeometry(r.adjusted(-kFrameMargin, -kFrameMargin, kFrameMargin, kFrameMargin).intersected(window->rect()));
    show();
    raise();
}

bool HighlightFrame::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_target) {
        switch (event->type()) {
        case QEvent::Move:
        case QEvent::Resize:
        case QEvent::Show:
        case QEvent::Hide:
            QTimer::singleShot(0, this, &HighlightFrame::follow);
            break;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void HighlightFrame::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QPen pen(kFrameColor, kFramePen);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const qreal h = kFramePen / 2.0;
    p.drawRoundedRect(QRectF(rect()).adjusted(h, h, -h, -h), 6, 6);
}

// ---------------------------------------------------------------------------------------------

LessonPanel::LessonPanel(QWidget* mainWindow) : QDockWidget(mainWindow), m_window(mainWindow)
{
    setObjectName(QStringLiteral("lessonPanel"));
    m_language = uiLanguage();
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    m_lessonTitle = new QLabel(body);
    m_lessonTitle->setObjectName(QStringLiteral("lessonTitle"));
    m_lessonTitle->setWordWrap(true);
    QFont big = m_lessonTitle->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    m_lessonTitle->setFont(big);
    m_stepTitle = new QLabel(body);
    m_stepTitle->setObjectName(QStringLiteral("lessonStepTitle"));
    m_stepTitle->setWordWrap(true);
    QFont bold = m_stepTitle->font();
    bold.setBold(true);
    m_stepTitle->setFont(bold);
    m_text = new QTextBrowser(body);
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_text->setOpenExternalLinks(true);
    m_progress = new QLabel(body);
    m_progress->setObjectName(QStringLiteral("lessonProgress"));
    auto* buttons = new QHBoxLayout;
    m_previousButton = new QPushButton(body);
    m_previousButton->setObjectName(QStringLiteral("lessonPrevious"));
    m_nextButton = new QPushButton(body);
    m_nextButton->setObjectName(QStringLiteral("lessonNext"));
    buttons->addWidget(m_previousButton);
    buttons->addWidget(m_progress, 1, Qt::AlignCenter);
    buttons->addWidget(m_nextButton);
    layout->addWidget(m_lessonTitle);
    layout->addWidget(m_stepTitle);
    layout->addWidget(m_text, 1);
    layout->addLayout(buttons);
    setWidget(body);
    setMinimumWidth(300);

    m_menu = new QMenu(this);
    m_menu->setObjectName(QStringLiteral("lessonsMenu"));
    m_menuEntries = new QObject(this);
    m_previousAction = new QAction(this);
    m_previousAction->setObjectName(QStringLiteral("lessonPreviousAction"));
    m_nextAction = new QAction(this);
    m_nextAction->setObjectName(QStringLiteral("lessonNextAction"));
    connect(m_previousAction, &QAction::triggered, this, &LessonPanel::previous);
    connect(m_nextAction, &QAction::triggered, this, &LessonPanel::next);
    connect(m_previousButton, &QPushButton::clicked, this, &LessonPanel::previous);
    connect(m_nextButton, &QPushButton::clicked, this, &LessonPanel::next);
    connect(&m_player, &LessonPlayer::stepChanged, this, &LessonPanel::enterStep);
    onLanguageChange(this, [this] { setLanguage(uiLanguage()); });
    hide();
}

void LessonPanel::retranslate()
{
    setWindowTitle(tr("Lesson"));
    m_menu->setTitle(tr("&Lessons"));
    // Page Up / Page Down reach these through the window's presentation keys (PresenterMode,
    // which leaves the keys to a focused editor); the menu shows them after a tab.
    m_previousAction->setText(tr("&Previous step") + QLatin1Char('\t') + QKeySequence(Qt::Key_PageUp).toString(QKeySequence::NativeText));
    m_nextAction->setText(tr("&Next step") + QLatin1Char('\t') + QKeySequence(Qt::Key_PageDown).toString(QKeySequence::NativeText));
    m_previousButton->setText(tr("◀ Previous"));
    m_nextButton->setText(tr("Next ▶"));
    if (!m_player.hasLesson()) {
        m_lessonTitle->setText(tr("No lesson open"));
        m_stepTitle->clear();
        m_text->setHtml(tr("<p>Choose a lesson in the Lessons menu.</p>"));
        m_progress->clear();
    }
    m_previousButton->setEnabled(m_player.canGoPrevious());
    m_nextButton->setEnabled(m_player.canGoNext());
    m_previousAction->setEnabled(m_player.canGoPrevious());
    m_nextAction->setEnabled(m_player.canGoNext());
}

void LessonPanel::fillMenu()
{
    // The rebuilt entries are children of m_menuEntries, which Qt does not send
    // LanguageChange through: this runs during a language change, while Qt sends the event to
    // the children of this panel and of the menu, which must not be deleted under it.
    m_menu->clear();
    qDeleteAll(m_menuEntries->children());
    auto addSeparator = [this] {
        auto* separator = new QAction(m_menuEntries);
        separator->setSeparator(true);
        m_menu->addAction(separator);
    };
    for (const QString& path : bundledLessonFiles()) {
        QString title;
        try {
            title = loadLesson(path).title.text(m_language);
        } catch (const al::Error& e) {
            title = tr("%1 (cannot be read: %2)").arg(QFileInfo(path).fileName(), QString::fromStdString(e.what()));
        }
        auto* a = new QAction(title, m_menuEntries);
        connect(a, &QAction::triggered, this, [this, path] { openLesson(path); });
        m_menu->addAction(a);
        a->setObjectName(QStringLiteral("lesson:") + QFileInfo(path).completeBaseName());
    }
    addSeparator();
    auto* open = new QAction(tr("&Open lesson file…"), m_menuEntries);
    connect(open, &QAction::triggered, this, &LessonPanel::openLessonFile);
    m_menu->addAction(open);
    open->setObjectName(QStringLiteral("openLessonFileAction"));
    addSeparator();
    m_menu->addAction(m_previousAction);
    m_menu->addAction(m_nextAction);
    QAction* show = toggleViewAction();
    show->setText(tr("Show the lesson panel"));
    m_menu->addAction(show);
}

void LessonPanel::setLanguage(const QString& language)
{
    m_language = language;
    fillMenu();
    retranslate();
    if (m_player.hasLesson())
        showStepTexts(); // same step, other language: the setup was applied when entering it
}

void LessonPanel::showStepTexts()
{
    m_lessonTitle->setText(m_player.lesson().title.text(m_language));
    m_stepTitle->setText(m_player.title(m_language));
    m_text->setHtml(m_player.text(m_language));
    m_progress->setText(tr("Step %1 of %2").arg(m_player.index() + 1).arg(m_player.count()));
}

bool LessonPanel::openLesson(const QString& path, int step)
{
    try {
        setLesson(loadLesson(path), step);
        return true;
    } catch (const al::Error& e) {
        emit errorOccurred(tr("Cannot open the lesson"), QString::fromStdString(e.what()));
        return false;
    }
}

void LessonPanel::setLesson(const Lesson& lesson, int step)
{
    show();
    raise();
    m_enteredStep = -1;
    m_player.setLesson(lesson, step); // emits stepChanged -> enterStep
}

void LessonPanel::openLessonFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open lesson file"), bundledLessonDirectory(),
                                                      tr("Lessons (*.json)"));
    if (!path.isEmpty())
        openLesson(path);
}

void LessonPanel::next()
{
    m_player.next();
}

void LessonPanel::previous()
{
    m_player.previous();
}

void LessonPanel::enterStep()
{
    const LessonStep& step = m_player.current();
    showStepTexts();
    retranslate();
    delete m_frame;
    // Next applies the step's own setup on top of the previous step's; any other move (opening
    // the lesson at a step, Previous, a jump) applies the setups of the steps up to this one in
    // order, so the lab is in the state the step was written for.
    const int index = m_player.index();
    const QString base = m_player.lesson().path.isEmpty() ? QString() : QFileInfo(m_player.lesson().path).absolutePath();
    for (int i = m_enteredStep == index - 1 ? index : 0; i <= index; ++i)
        if (!m_player.lesson().steps[i].setup.isEmpty())
            emit setupRequested(m_player.lesson().steps[i].setup, base);
    m_enteredStep = index;
    highlight(step.highlight);
}

void LessonPanel::highlight(const QString& objectName)
{
    if (objectName.isEmpty())
        return;
    auto* target = m_window->findChild<QWidget*>(objectName);
    if (!target) {
        emit errorOccurred(tr("Lesson step"), tr("%1: the step points at \"%2\", which this window does not have.")
                                                  .arg(m_player.lesson().fileName, objectName));
        return;
    }
    revealWidget(target);
    m_frame = new HighlightFrame(target);
}

} // namespace al::ui
