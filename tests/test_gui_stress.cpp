// SPDX-License-Identifier: GPL-3.0-or-later
// Controls under stress (offscreen): a seeded random driver presses Train / Pause / Step / Stop,
// changes settings (learning rate, d_model, heads, block switches, the sentence, the decoding
// strategy and beam width), opens models, switches tabs, starts and cancels a variant race and
// closes and reopens the main window while training, inference, decoding and the race run, with
// short random waits so that the workers are mid-pass. A watchdog thread fails the run when the
// GUI thread does not return to its event loop for kWatchdogSeconds; every worker thread must
// be joined when a window closes; the last window must still train and show a new Trace.
//
// AL_STRESS_SEED sets the seed (printed either way, so a failing run can be repeated) and
// AL_STRESS_ACTIONS the number of actions (default kDefaultActions).
#include "gui_test_support.h"
#include "ui/views/decoding_panel.h"
#include "ui/views/demo_models.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/main_window.h"
#include "ui/views/race_window.h"
#include "ui/views/settings_panel.h"
#include "ui/workers/race_worker.h"
#include "ui/workers/training_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#ifdef __linux__
#include <sys/prctl.h>
#include <unistd.h>
#endif

using namespace al::ui;

namespace {

constexpr int kDefaultActions = 5000;
constexpr int kWatchdogSeconds = 20;
constexpr int kTimeoutMs = 60000;

/// Fails the process when beat() has not been called for `seconds`: prints what the GUI thread
/// was last doing and, where gdb is installed, every thread's stack, then exits with status 3.
/// beat() is called from the GUI thread by a timer (so only a GUI thread that returns to its
/// event loop keeps the watchdog quiet) and by the driver between actions.
class Watchdog {
public:
    Watchdog(quint32 seed, int seconds) : m_seed(seed), m_seconds(seconds)
    {
        beat("start");
        m_thread = std::thread([this] { watch(); });
    }
    ~Watchdog()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    /// GUI thread: the event loop (or the driver) is alive; `what` is the current action.
    void beat(const char* what)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_last = std::chrono::steady_clock::now();
        m_what = what;
        m_action = m_actionCount;
    }
    void setAction(int index) { m_actionCount = index; }

private:
    void watch()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_stop) {
            m_wake.wait_for(lock, std::chrono::milliseconds(500));
            if (m_stop)
                return;
            const auto idle = std::chrono::steady_clock::now() - m_last;
            if (idle < std::chrono::seconds(m_seconds))
                continue;
            std::fprintf(stderr,
                         "FAIL! watchdog: the GUI thread has not returned to its event loop for %d s "
                         "(seed %u, action %d: %s); stacks follow\n",
                         m_seconds, m_seed, m_action, m_what);
            std::fflush(stderr);
            dumpStacks();
            std::_Exit(3);
        }
    }
    static void dumpStacks()
    {
#ifdef __linux__
        if (access("/usr/bin/gdb", X_OK) != 0)
            return;
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); // a child may attach (Yama ptrace_scope 1)
        const QByteArray command = "/usr/bin/gdb -p " + QByteArray::number(qint64(getpid()))
                                   + " -batch -nx -ex 'thread apply all bt' 1>&2";
        if (std::system(command.constData()) != 0)
            std::fprintf(stderr, "watchdog: gdb could not print the stacks\n");
#endif
    }

    const quint32 m_seed;
    const int m_seconds;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::thread m_thread;
    bool m_stop = false;
    std::chrono::steady_clock::time_point m_last;
    const char* m_what = "";
    int m_action = 0;
    std::atomic<int> m_actionCount{0};
};

enum class Action { Train, Pause, Step, Stop, Setting, OpenModel, SwitchTab, Race, AnswerDialog, CloseReopen };

constexpr std::array<const char*, 10> kActionNames = {"train", "pause", "step", "stop", "setting", "open model",
                                                      "switch tab", "race", "answer dialog", "close and reopen"};

/// Relative frequencies, in Action order: mostly the training buttons, settings and tabs; a
/// window closes about once every 200 actions.
constexpr std::array<int, 10> kActionWeights = {28, 24, 24, 18, 48, 10, 28, 4, 10, 1};

quint32 envNumber(const char* name, quint32 fallback, bool* ok = nullptr)
{
    bool parsed = false;
    const quint32 v = qEnvironmentVariable(name).toUInt(&parsed);
    if (ok)
        *ok = parsed;
    return parsed ? v : fallback;
}

bool copyDirectory(const QString& from, const QString& to)
{
    if (!QDir().mkpath(to))
        return false;
    for (const QString& name : QDir(from).entryList(QDir::Files))
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name)))
            return false;
    return true;
}

/// A demo folder of two fixture models: "zh-en" (the translate fixture) and "charlm".
bool writeDemoFolder(const QTemporaryDir& dir)
{
    const QString fixtures = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/");
    if (!copyDirectory(fixtures + "translate", dir.filePath("zh-en"))
        || !copyDirectory(fixtures + "charlm", dir.filePath("charlm")))
        return false;
    QFile f(dir.filePath("demos.json"));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(R"({"format": "attention-lab-demos", "version": 1, "default": "zh-en", "models": [
      {"id": "zh-en", "task": "translate", "sentence": "我爱你。", "title": {"en": "Chinese → English"}},
      {"id": "charlm", "task": "charlm", "sentence": "To be", "title": {"en": "Character language model"}}]})");
    return true;
}

QtMessageHandler g_testHandler = nullptr;

/// Passes every message on to Qt Test except the offscreen platform's notes that it ignores size
/// hints and raise(), which every one of the many windows shown would add to Qt Test's limited
/// count of warnings.
void dropOffscreenNotes(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg && message.startsWith(QLatin1String("This plugin does not support")))
        return;
    g_testHandler(type, context, message);
}

/// Every QThread in the window's object tree (the worker threads are children of their
/// controllers, which the window and its panels own).
QList<QPointer<QThread>> workerThreads(const QObject* window)
{
    QList<QPointer<QThread>> out;
    for (QThread* t : window->findChildren<QThread*>())
        out << QPointer<QThread>(t);
    return out;
}

} // namespace

/// Qt Test case: the random driver and the checks after it.
class TestGuiStress : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void randomControls();
    void trainAnswerAfterStepKeepsTheRun();

private:
    std::unique_ptr<MainWindow> makeWindow();
    void applySmallSettings(MainWindow& w);
    /// Performs `action`; false when it could not be done now (a disabled control, nothing to
    /// answer) and so does not count.
    bool perform(Action action);
    bool pressTrainingButton(const char* button, void (MainWindow::*slot)());
    bool changeSetting();
    bool openModel();
    bool race();
    bool answerDialog();
    /// Closes (or only deletes) the window and checks that every worker thread was joined; then
    /// opens a new one. Returns an error message, empty on success.
    QString closeAndReopen();
    /// Waits 0 .. maxMs milliseconds while processing events.
    void randomWait(int maxMs);
    QString finalCheck();

    QTemporaryDir m_tmp;
    QTemporaryDir m_demoDir;
    QString m_corpus;
    quint32 m_seed = 0;
    int m_actions = kDefaultActions;
    QRandomGenerator m_rng;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<Watchdog> m_watchdog;
    QStringList m_trainingErrors;
    std::array<int, 10> m_done{};
    std::array<qint64, 10> m_busyMs{}; ///< time spent in each kind of action (not in the waits)
    int m_closesWhileTraining = 0;
    int m_closesWithRace = 0;
    int m_threadsJoined = 0;
};

void TestGuiStress::initTestCase()
{
    g_testHandler = qInstallMessageHandler(dropOffscreenNotes);
    m_corpus = al::test::write_small_cmn_corpus(m_tmp, 200);
    QVERIFY2(!m_corpus.isEmpty(), "cannot copy the bundled corpus");
    QVERIFY(writeDemoFolder(m_demoDir));
    qputenv("AL_DEMO_DIR", m_demoDir.path().toLocal8Bit());
    // The windows remember geometry and settings on close: keep them out of the user's QSettings.
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_tmp.filePath("user-settings"));
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_tmp.filePath("user-settings"));
    bool seeded = false;
    m_seed = envNumber("AL_STRESS_SEED", QRandomGenerator::system()->generate(), &seeded);
    m_actions = int(envNumber("AL_STRESS_ACTIONS", kDefaultActions));
    m_rng.seed(m_seed);
    qInfo("stress seed %u (%s), %d actions; repeat with AL_STRESS_SEED=%u AL_STRESS_ACTIONS=%d", m_seed,
          seeded ? "from AL_STRESS_SEED" : "random", m_actions, m_seed, m_actions);
}

std::unique_ptr<MainWindow> TestGuiStress::makeWindow()
{
    auto w = std::make_unique<MainWindow>();
    connect(w->trainingController(), &TrainingController::error, this,
            [this](const QString& message) { m_trainingErrors << message; });
    applySmallSettings(*w);
    // Smaller than the first size of the program: every redraw of the many plots costs less.
    w->resize(1100, 720);
    w->show();
    return w;
}

void TestGuiStress::applySmallSettings(MainWindow& w)
{
    // The smallest model of every task, one training thread: a chunk of steps takes
    // milliseconds, so every control meets a worker in the middle of its work.
    auto spin = [&w](const char* name, int value) {
        if (auto* s = w.findChild<QSpinBox*>(QString::fromLatin1(name)); s && s->isEnabled())
            s->setValue(value);
    };
    spin("dModelSpin", 16);
    spin("headsSpin", 2);
    spin("encoderLayersSpin", 1);
    spin("decoderLayersSpin", 1);
    spin("feedForwardSpin", 32);
    spin("maxTokensSpin", 128);
    spin("warmupSpin", 20);
    spin("threadsSpin", 1);
    spin("contextSpin", 16);
    spin("pairsSpin", 1000);
    if (auto* corpus = w.findChild<QLineEdit*>(QStringLiteral("corpusEdit")); corpus && corpus->isEnabled())
        corpus->setText(m_corpus);
}

void TestGuiStress::randomWait(int maxMs)
{
    const int ms = int(m_rng.bounded(maxMs + 1));
    if (ms == 0) {
        QCoreApplication::processEvents();
        return;
    }
    // An event loop that sleeps in the event dispatcher until the timer fires (QTest::qWait
    // sleeps in 10 ms slices between event passes instead).
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

bool TestGuiStress::pressTrainingButton(const char* button, void (MainWindow::*slot)())
{
    MainWindow& w = *m_window;
    // Mostly the button as a user clicks it; now and then the window's slot, as its keyboard
    // shortcut or a lesson step calls it whatever the buttons show.
    if (m_rng.bounded(4) == 0) {
        (w.*slot)();
        return true;
    }
    auto* b = w.findChild<QPushButton*>(QString::fromLatin1(button));
    if (!b || !b->isEnabled() || !b->isVisible())
        return false;
    QTest::mouseClick(b, Qt::LeftButton);
    return true;
}

bool TestGuiStress::changeSetting()
{
    MainWindow& w = *m_window;
    auto enabled = [](QWidget* widget) { return widget && widget->isEnabled(); };
    auto pickCombo = [&](const char* name) {
        auto* c = w.findChild<QComboBox*>(QString::fromLatin1(name));
        if (!enabled(c) || c->count() == 0)
            return false;
        c->setCurrentIndex(int(m_rng.bounded(c->count())));
        return true;
    };
    auto setSpin = [&](const char* name, int value) {
        auto* s = w.findChild<QSpinBox*>(QString::fromLatin1(name));
        if (!enabled(s))
            return false;
        s->setValue(value);
        return true;
    };
    static const QStringList sentences = {QStringLiteral("我爱你。"), QStringLiteral("他很高兴。"), QString(),
                                          QStringLiteral("3 1 4 1 5"), QStringLiteral("Hello, world!"),
                                          QStringLiteral("我们今天晚上去看电影吧，好不好？"), QStringLiteral("一")};
    switch (m_rng.bounded(12)) {
    case 0: {
        auto* lr = w.findChild<QDoubleSpinBox*>(QStringLiteral("lrFactorSpin"));
        if (!enabled(lr))
            return false;
        lr->setValue(0.25 + m_rng.generateDouble() * 2.0);
        return true;
    }
    case 1: {
        static const int widths[] = {16, 24, 32};
        return setSpin("dModelSpin", widths[m_rng.bounded(3)]);
    }
    case 2: {
        static const int heads[] = {1, 2, 4}; // each divides every width above
        return setSpin("headsSpin", heads[m_rng.bounded(3)]);
    }
    case 3: {
        auto* preLn = w.findChild<QCheckBox*>(QStringLiteral("preLnCheck"));
        if (!enabled(preLn))
            return false;
        preLn->setChecked(!preLn->isChecked());
        return true;
    }
    case 4: {
        static const char* const blockCombos[] = {"normCombo", "positionalCombo", "scoringCombo",
                                                  "normalizationCombo", "activationCombo", "attentionCombo"};
        return pickCombo(blockCombos[m_rng.bounded(6)]);
    }
    case 5:
        return setSpin("windowSpin", int(m_rng.bounded(4)));
    case 6:
    case 7: {
        auto* edit = w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"));
        if (!enabled(edit))
            return false;
        if (m_rng.bounded(3) == 0) {
            // Typed key by key (QTest types ASCII only), or erased.
            if (m_rng.bounded(2) == 0)
                QTest::keyClicks(edit, QStringLiteral("ab 1"));
            else
                QTest::keyClick(edit, Qt::Key_Backspace);
        } else
            edit->setText(sentences[m_rng.bounded(sentences.size())]);
        return true;
    }
    case 8:
    case 9:
        return pickCombo("decodingStrategyCombo");
    case 10:
        return setSpin("beamWidthSpin", 1 + int(m_rng.bounded(4)));
    default: {
        // A task switch loads that task's command-line defaults: shrink them again.
        auto* task = w.findChild<QComboBox*>(QStringLiteral("taskCombo"));
        if (!enabled(task))
            return false;
        static const char* const tasks[] = {"translate", "copy", "reverse"};
        const int i = task->findData(QString::fromLatin1(tasks[m_rng.bounded(3)]));
        if (i < 0)
            return false;
        task->setCurrentIndex(i);
        applySmallSettings(w);
        return true;
    }
    }
}

bool TestGuiStress::openModel()
{
    MainWindow& w = *m_window;
    bool opened = false;
    switch (m_rng.bounded(4)) {
    case 0: opened = w.demoModels()->open(QStringLiteral("zh-en")); break;
    case 1: opened = w.demoModels()->open(QStringLiteral("charlm")); break;
    case 2: opened = w.loadModelDirectory(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/copy")); break;
    default: opened = w.loadModelDirectory(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate")); break;
    }
    // Refused while training runs (a message says so); either is the answer to the action.
    if (opened)
        applySmallSettings(w);
    return true;
}

bool TestGuiStress::race()
{
    MainWindow& w = *m_window;
    if (!w.raceWindow() || !w.raceWindow()->isVisible()) {
        w.showRaceWindow();
        return true;
    }
    RaceWindow* rw = w.raceWindow();
    if (rw->controller()->isRunning()) {
        if (m_rng.bounded(2) == 0)
            rw->stopRace();
        else
            rw->hide();
        return true;
    }
    // Three variants of a tiny copy model, a few dozen steps each: the race is mid-variant when
    // the next actions come.
    RaceRequest r = defaultRaceRequest(QStringLiteral("copy"), 40, 0.0, 1);
    r.config.variants = {"vanilla", "dense", "random+vanilla"};
    r.config.model.d_model = 16;
    r.config.model.nhead = 2;
    r.config.model.num_encoder_layers = r.config.model.num_decoder_layers = 1;
    r.config.model.dim_feedforward = 32;
    r.config.eval_points = 2;
    r.algorithmic.train_size = 200;
    r.algorithmic.valid_size = r.algorithmic.test_size = 20;
    return rw->startRequest(r);
}

bool TestGuiStress::answerDialog()
{
    QList<QMessageBox*> boxes;
    for (QMessageBox* box : m_window->findChildren<QMessageBox*>())
        if (box->isVisible())
            boxes << box;
    if (boxes.isEmpty())
        return false;
    QMessageBox* box = boxes.at(int(m_rng.bounded(boxes.size())));
    const QList<QAbstractButton*> buttons = box->buttons();
    if (buttons.isEmpty())
        box->close();
    else
        QTest::mouseClick(buttons.at(int(m_rng.bounded(buttons.size()))), Qt::LeftButton);
    return true;
}

QString TestGuiStress::closeAndReopen()
{
    MainWindow& w = *m_window;
    // Close while the workers run: often start a run first and let it get going.
    if (!w.trainingController()->isActive() && m_rng.bounded(2) == 0) {
        w.settingsPanel()->chooseContinue(m_rng.bounded(2) == 0);
        w.startTraining();
    }
    randomWait(60);
    const bool training = w.trainingController()->isActive();
    const bool racing = w.raceWindow() && w.raceWindow()->controller()->isRunning();
    const QList<QPointer<QThread>> threads = workerThreads(&w);
    int running = 0;
    for (const QPointer<QThread>& t : threads)
        running += t && t->isRunning();
    // Inference, decoding, the Synthesizer probe, the entropy sampler and the Forward pass tab's
    // inference live as long as the window; the training and race threads only during a run.
    const int expected = 5 + int(training) + int(racing);
    if (running < expected)
        return QStringLiteral("%1 worker threads running before the close, expected at least %2").arg(running).arg(expected);
    if (m_rng.bounded(4) != 0) {
        if (!w.close())
            return QStringLiteral("the window refused to close");
        for (const QPointer<QThread>& t : threads)
            if (t && t->isRunning())
                return QStringLiteral("worker thread '%1' still runs after close()").arg(t->objectName());
        if (w.trainingController()->isActive() || w.trainingController()->workerThread())
            return QStringLiteral("the training controller is still active after close()");
    }
    // Deleting the window joins what close() has not; a QThread destroyed while it runs aborts.
    m_window.reset();
    for (const QPointer<QThread>& t : threads)
        if (t)
            return QStringLiteral("worker thread '%1' outlived its window").arg(t->objectName());
    m_threadsJoined += running;
    m_closesWhileTraining += int(training);
    m_closesWithRace += int(racing);
    QCoreApplication::processEvents(); // results still queued for the deleted window are dropped
    m_window = makeWindow();
    return QString();
}

bool TestGuiStress::perform(Action action)
{
    switch (action) {
    case Action::Train: return pressTrainingButton("trainButton", &MainWindow::startTraining);
    case Action::Pause: return pressTrainingButton("pauseButton", &MainWindow::togglePause);
    case Action::Step: return pressTrainingButton("stepButton", &MainWindow::stepOnce);
    case Action::Stop: return pressTrainingButton("stopButton", &MainWindow::stopTraining);
    case Action::Setting: return changeSetting();
    case Action::OpenModel: return openModel();
    case Action::SwitchTab: {
        QTabWidget* tabs = m_window->viewTabs();
        tabs->setCurrentIndex(int(m_rng.bounded(tabs->count())));
        return true;
    }
    case Action::Race: return race();
    case Action::AnswerDialog: return answerDialog();
    case Action::CloseReopen: return true; // done by the caller, which checks the threads
    }
    return false;
}

QString TestGuiStress::finalCheck()
{
    MainWindow& w = *m_window;
    while (answerDialog())
        QCoreApplication::processEvents();
    TrainingController* training = w.trainingController();
    training->stop();
    if (!QTest::qWaitFor([training] { return !training->isActive(); }, kTimeoutMs))
        return QStringLiteral("training did not stop within %1 s").arg(kTimeoutMs / 1000);
    w.setTask(QStringLiteral("translate"));
    // The driver may have left the sentence box empty or holding symbols: an empty Trace.
    w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->setText(QStringLiteral("我爱你。"));
    w.viewTabs()->setCurrentIndex(0);
    w.settingsPanel()->chooseContinue(false);
    applySmallSettings(w);
    const std::shared_ptr<const al::Trace> before = w.currentTrace();
    QSignalSpy metrics(training, &TrainingController::metrics);
    const int errorsBefore = m_trainingErrors.size();
    w.startTraining();
    if (!training->isActive())
        return QStringLiteral("Train did not start a run");
    if (!QTest::qWaitFor([&] { return metrics.count() >= 3 || m_trainingErrors.size() > errorsBefore; }, kTimeoutMs))
        return QStringLiteral("no training steps within %1 s").arg(kTimeoutMs / 1000);
    if (m_trainingErrors.size() > errorsBefore)
        return QStringLiteral("training failed: %1").arg(m_trainingErrors.last());
    const qint64 step = metrics.last().first().value<TrainingMetrics>().step;
    if (step <= 0)
        return QStringLiteral("no optimizer step counted");
    if (!QTest::qWaitFor([&] { return w.currentTrace() && w.currentTrace() != before && w.focusedHeatmap()->hasData(); },
                         kTimeoutMs))
        return QStringLiteral("no new Trace shown within %1 s").arg(kTimeoutMs / 1000);
    const QList<QPointer<QThread>> threads = workerThreads(&w);
    if (!w.close())
        return QStringLiteral("the last window refused to close");
    for (const QPointer<QThread>& t : threads)
        if (t && t->isRunning())
            return QStringLiteral("worker thread '%1' still runs after the last close()").arg(t->objectName());
    m_window.reset();
    return QString();
}

void TestGuiStress::randomControls()
{
    QElapsedTimer clock;
    clock.start();
    m_watchdog = std::make_unique<Watchdog>(m_seed, kWatchdogSeconds);
    QTimer heartbeat;
    heartbeat.setInterval(50);
    connect(&heartbeat, &QTimer::timeout, this, [this] { m_watchdog->beat("event loop"); });
    heartbeat.start();

    m_window = makeWindow();
    int totalWeight = 0;
    for (int weight : kActionWeights)
        totalWeight += weight;

    int done = 0;
    int attempts = 0;
    // The longest a run may stay in Starting or Stopping while the event loop turns.
    QElapsedTimer transient;
    TrainingController::State lastState = TrainingController::State::Idle;
    while (done < m_actions) {
        // A sequence: a few actions in quick succession, then a longer pause.
        const int length = 1 + int(m_rng.bounded(8));
        for (int i = 0; i < length && done < m_actions; ++i) {
            int pick = int(m_rng.bounded(totalWeight));
            int a = 0;
            while (pick >= kActionWeights[a])
                pick -= kActionWeights[a++];
            const auto action = Action(a);
            m_watchdog->setAction(done);
            m_watchdog->beat(kActionNames[a]);
            ++attempts;
            bool performed = false;
            QElapsedTimer busy;
            busy.start();
            if (action == Action::CloseReopen) {
                const QString problem = closeAndReopen();
                QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("seed %1, action %2: %3").arg(m_seed).arg(done).arg(problem)));
                performed = true;
            } else {
                performed = perform(action);
            }
            m_busyMs[size_t(a)] += busy.elapsed();
            if (performed) {
                ++done;
                ++m_done[a];
            }
            m_watchdog->beat("between actions");
            randomWait(m_rng.bounded(3) == 0 ? 3 : 0);
        }
        randomWait(20);
        // Error and question boxes pile up when nobody answers them; a user would.
        int open = 0;
        for (QMessageBox* box : m_window->findChildren<QMessageBox*>())
            open += box->isVisible();
        if (open > 4)
            while (answerDialog())
                QCoreApplication::processEvents();

        using S = TrainingController::State;
        const S state = m_window->trainingController()->state();
        if (state != lastState) {
            lastState = state;
            transient.restart();
        } else if ((state == S::Starting || state == S::Stopping) && transient.elapsed() > kWatchdogSeconds * 1000) {
            QFAIL(qPrintable(QStringLiteral("seed %1, action %2: training stuck in %3 for %4 s")
                                 .arg(m_seed)
                                 .arg(done)
                                 .arg(state == S::Starting ? QStringLiteral("Starting") : QStringLiteral("Stopping"))
                                 .arg(kWatchdogSeconds)));
        }
    }
    const qint64 driven = clock.elapsed();

    const QString problem = finalCheck();
    QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("seed %1, after the actions: %2").arg(m_seed).arg(problem)));
    heartbeat.stop();
    m_watchdog.reset();

    QStringList counts;
    for (size_t a = 0; a < kActionNames.size(); ++a)
        counts << QStringLiteral("%1 %2 (%3 ms)").arg(kActionNames[a]).arg(m_done[a]).arg(m_busyMs[a]);
    qInfo("%d actions (%d attempted) in %.1f s: %s", done, attempts, double(driven) / 1000.0,
          qPrintable(counts.join(QStringLiteral(", "))));
    qInfo("%d windows closed, %d of them while training, %d while racing; %d worker threads joined; %lld training "
          "errors", m_done[size_t(Action::CloseReopen)], m_closesWhileTraining, m_closesWithRace, m_threadsJoined,
          qint64(m_trainingErrors.size()));
    for (const QString& e : m_trainingErrors)
        qInfo("training error: %s", qPrintable(e));
    QCOMPARE(done, m_actions);
    // Each kind of action happened: a seed that skipped one would not test it.
    for (size_t a = 0; a < kActionNames.size(); ++a)
        QVERIFY2(m_actions < 1000 || m_done[a] > 0, kActionNames[a]);
    QVERIFY2(m_actions < 1000 || m_closesWhileTraining > 0, "no window was closed while training");
}

void TestGuiStress::trainAnswerAfterStepKeepsTheRun()
{
    // Train with a model open asks a window-modal, non-blocking question; Step (F10) can start a
    // paused run before it is answered. The answer then leaves that run and its curves alone.
    m_window = makeWindow();
    MainWindow& w = *m_window;
    QVERIFY(w.loadModelDirectory(QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate")));
    applySmallSettings(w);
    w.startTraining();
    auto* question = w.findChild<QMessageBox*>(QStringLiteral("trainQuestion"));
    QVERIFY(question);
    TrainingController* training = w.trainingController();
    QVERIFY(!training->isActive());
    w.stepOnce();
    QTRY_COMPARE_WITH_TIMEOUT(training->state(), TrainingController::State::Paused, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!w.curveStore()->steps().isEmpty(), kTimeoutMs);
    QThread* thread = training->workerThread();
    QTest::mouseClick(question->findChild<QPushButton*>(QStringLiteral("startFromScratchButton")), Qt::LeftButton);
    QCoreApplication::processEvents();
    QCOMPARE(training->state(), TrainingController::State::Paused);
    QCOMPARE(training->workerThread(), thread);
    QVERIFY(!w.curveStore()->steps().isEmpty());
    QVERIFY(w.close());
    QVERIFY(!training->workerThread());
    m_window.reset();
}

AL_GUI_TEST_MAIN(TestGuiStress)

#include "test_gui_stress.moc"
