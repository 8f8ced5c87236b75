// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Drawing that a hidden view skips and catches up on when it is shown, so a tab in the
// background costs no rendering while training.
#include <QWidget>

#include <functional>
#include <utility>

namespace al::ui {

/// The drawing of one part of `view`: request() draws now when the view is visible and
/// otherwise marks the drawing stale; shown() (from the view's showEvent) draws a stale one.
/// Every other path that draws goes through draw(), so that the mark stays right.
class DrawWhenShown {
public:
    DrawWhenShown(QWidget* view, std::function<void()> draw) : m_view(view), m_draw(std::move(draw)) {}

    void request()
    {
        if (m_view->isVisible())
            draw();
        else
            m_stale = true;
    }
    void shown()
    {
        if (m_stale)
            draw();
    }
    void draw()
    {
        m_stale = false;
        m_draw();
    }

private:
    QWidget* m_view;
    std::function<void()> m_draw;
    bool m_stale = false;
};

} // namespace al::ui
