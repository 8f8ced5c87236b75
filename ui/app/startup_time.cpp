// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/app/startup_time.h"

#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QPointer>
#include <QTimer>
#include <qcustomplot.h>

namespace al::ui {

namespace {

QElapsedTimer& processClock()
{
    static QElapsedTimer clock;
    return clock;
}

/// Watches the paint events of the focused heatmap's plot.
class FirstTraceWatcher : public QObject {
public:
    FirstTraceWatcher(MainWindow* window, std::function<void(qint64)> done)
        : QObject(window), m_window(window), m_done(std::move(done))
    {
        window->focusedHeatmap()->plot()->installEventFilter(this);
    }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint && !m_fired && m_window->currentTrace() && m_window->focusedHeatmap()->hasData()) {
            m_fired = true;
            watched->removeEventFilter(this);
            // After this paint event has drawn the map.
            QTimer::singleShot(0, this, [this] {
                m_done(processMilliseconds());
                deleteLater();
            });
        }
        return false;
    }

private:
    MainWindow* m_window;
    std::function<void(qint64)> m_done;
    bool m_fired = false;
};

} // namespace

void startProcessClock()
{
    processClock().start();
}

qint64 processMilliseconds()
{
    if (!processClock().isValid())
        processClock().start();
    return processClock().elapsed();
}

void onFirstTraceShown(MainWindow* window, std::function<void(qint64)> done)
{
    new FirstTraceWatcher(window, std::move(done));
}

} // namespace al::ui
