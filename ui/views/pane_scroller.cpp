// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/views/pane_scroller.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QScrollArea>
#include <QSplitter>

namespace al::ui {

PaneScroller::PaneScroller(QMainWindow* window) : QObject(window), m_window(window) {}

void PaneScroller::acquire()
{
    if (m_holds++ == 0)
        wrap();
}

void PaneScroller::release()
{
    if (m_holds > 0 && --m_holds == 0)
        unwrap();
}

void PaneScroller::wrap()
{
    auto scrollFor = [](QWidget* pane) {
        auto* scroll = new QScrollArea;
        scroll->setObjectName(QStringLiteral("paneScroll_") + pane->objectName());
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        return scroll;
    };
    m_panes.clear();
    if (auto* splitter = qobject_cast<QSplitter*>(m_window->centralWidget())) {
        for (int i = 0; i < splitter->count(); ++i) {
            QWidget* pane = splitter->widget(i);
            if (pane->isHidden())
                continue; // e.g. the settings panel, hidden while presenting
            QScrollArea* scroll = scrollFor(pane);
            splitter->replaceWidget(i, scroll); // takes the pane out, the scroll area in its place
            scroll->setWidget(pane);
            pane->show();
            m_panes.push_back({pane, scroll, splitter, nullptr, i});
        }
    }
    for (QDockWidget* dock : m_window->findChildren<QDockWidget*>()) {
        QWidget* pane = dock->widget();
        if (!pane || dock->window() != m_window)
            continue;
        QScrollArea* scroll = scrollFor(pane);
        dock->setWidget(scroll); // the dock lets go of its contents without deleting them
        scroll->setWidget(pane);
        m_panes.push_back({pane, scroll, nullptr, dock, 0});
    }
}

void PaneScroller::unwrap()
{
    for (const Pane& p : m_panes) {
        if (!p.pane || !p.scroll)
            continue;
        p.scroll->takeWidget();
        if (p.splitter)
            p.splitter->replaceWidget(p.index, p.pane);
        else if (p.dock)
            p.dock->setWidget(p.pane);
        p.pane->show();
        delete p.scroll;
    }
    m_panes.clear();
}

} // namespace al::ui
