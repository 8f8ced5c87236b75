// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QObject>
#include <QPointer>
#include <QVector>

class QDockWidget;
class QMainWindow;
class QScrollArea;
class QSplitter;
class QWidget;

namespace al::ui {

/// Puts the panes of a main window in scroll areas and takes them out again: the visible
/// children of the central QSplitter and each dock's contents. A pane whose minimum size does
/// not fit then scrolls instead of pushing the others (and a lesson dock) off the screen, as
/// presenter mode's large type would on a 1280 x 720 projector. The scroll areas are named
/// "paneScroll_<pane's objectName>"; the panes keep their objectNames and stay reachable with
/// findChild. Held by reference count, so that more than one holder can need it at a time.
class PaneScroller : public QObject {
    Q_OBJECT
public:
    explicit PaneScroller(QMainWindow* window);

    /// Wraps the panes on the first hold; another hold only counts.
    void acquire();
    /// Unwraps them when the last hold is released (the splitter's panes back at their indexes).
    void release();
    bool isWrapped() const { return m_holds > 0; }

private:
    void wrap();
    void unwrap();

    struct Pane {
        QPointer<QWidget> pane;
        QPointer<QScrollArea> scroll;
        QPointer<QSplitter> splitter; ///< the pane's splitter, or null for a dock's contents
        QPointer<QDockWidget> dock;
        int index = 0;                ///< its index in the splitter
    };
    QMainWindow* m_window = nullptr;
    QVector<Pane> m_panes;
    int m_holds = 0;
};

} // namespace al::ui
