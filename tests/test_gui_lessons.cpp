// SPDX-License-Identifier: GPL-3.0-or-later
// The lesson dock in the main window (offscreen): every bundled lesson walks from its first step
// to its last without an error; each step's setup reaches the window (tab, sentence, model) and
// its highlight frames a visible widget of that name; Previous / Next and Page Down / Page Up
// step within bounds; the texts follow the UI language; a teacher's own file opens from the
// Lessons menu's path with its data paths relative to it; a step naming a missing widget is
// reported with the file's name.
#include "gui_test_support.h"
#include "ui/app/language.h"
#include "ui/view_models/lab_setup.h"
#include "ui/views/lab_setup_applier.h"
#include "ui/views/lesson_panel.h"
#include "ui/views/main_window.h"
#include "ui/views/session_controller.h"
#include "ui/views/heatmap_widget.h"
#include "ui/views/stepper_panel.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace al::ui;

namespace {

/// The warnings MainWindow::showError opened (window-modal, non-blocking boxes).
QStringList openErrors(MainWindow& w)
{
    QStringList out;
    for (QMessageBox* box : w.findChildren<QMessageBox*>())
        if (box->isVisible())
            out << box->text() + QStringLiteral(": ") + box->informativeText();
    return out;
}

void closeErrors(MainWindow& w)
{
    for (QMessageBox* box : w.findChildren<QMessageBox*>())
        box->close();
}

QString panelText(LessonPanel* p, const char* name)
{
    if (auto* label = p->findChild<QLabel*>(QString::fromLatin1(name)))
        return label->text();
    if (auto* browser = p->findChild<QTextBrowser*>(QString::fromLatin1(name)))
        return browser->toPlainText();
    return QStringLiteral("(no %1)").arg(QLatin1String(name));
}

} // namespace

class TestGuiLessons : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QVERIFY(setUiLanguage(QStringLiteral("en")));
    }

    void cleanupTestCase() { QVERIFY(setUiLanguage(QStringLiteral("en"))); }

    void everyBundledLessonWalksWithoutAnError_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString& path : bundledLessonFiles())
            QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
    }

    void everyBundledLessonWalksWithoutAnError()
    {
        QFETCH(QString, path);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        LessonPanel* panel = w.lessonPanel();
        QSignalSpy panelErrors(panel, &LessonPanel::errorOccurred);
        QVERIFY(panel->openLesson(path));
        QVERIFY(panel->isVisible());
        const Lesson& lesson = panel->player()->lesson();
        for (int i = 0; i < lesson.steps.size(); ++i) {
            const LessonStep& step = lesson.steps[i];
            const QString where = QStringLiteral("%1 step %2").arg(lesson.fileName).arg(i + 1);
            if (i > 0)
                panel->next();
            QCOMPARE(panel->player()->index(), i);
            QCoreApplication::processEvents();
            QVERIFY2(panelErrors.isEmpty(), qPrintable(where + ": " + panelErrors.value(0).value(1).toString()));
            QVERIFY2(openErrors(w).isEmpty(), qPrintable(where + ": " + openErrors(w).join(QStringLiteral("; "))));
            QCOMPARE(panelText(panel, "lessonStepTitle"), step.title.en);
            QCOMPARE(panelText(panel, "lessonProgress"), QStringLiteral("Step %1 of %2").arg(i + 1).arg(lesson.steps.size()));

            QString setupError;
            const std::optional<LabSetup> setup = step.setup.isEmpty() ? std::nullopt : LabSetup::fromJson(step.setup, &setupError);
            const LabSetup now = captureLabSetup(w);
            if (setup && setup->view.tab)
                QVERIFY2(now.view.tab == setup->view.tab, qPrintable(where + ": tab " + now.view.tab.value_or(QString())));
            if (setup && setup->view.sentence)
                QVERIFY2(now.view.sentence == setup->view.sentence, qPrintable(where));
            if (setup && setup->model)
                QVERIFY2(now.model == setup->model, qPrintable(where + ": model " + now.model.value_or(QString())));
            if (setup && setup->view.layer)
                QCOMPARE(now.view.layer, setup->view.layer);
            if (setup && setup->view.head)
                QCOMPARE(now.view.head, setup->view.head);
            if (setup && setup->view.decodingStrategy)
                QVERIFY2(now.view.decodingStrategy == setup->view.decodingStrategy, qPrintable(where));
            if (setup && setup->view.beamWidth)
                QCOMPARE(now.view.beamWidth, setup->view.beamWidth);

            if (step.highlight.isEmpty()) {
                QVERIFY(!panel->highlightFrame());
                continue;
            }
            HighlightFrame* frame = panel->highlightFrame();
            QVERIFY2(frame, qPrintable(where + ": no frame for " + step.highlight));
            QCOMPARE(frame->target()->objectName(), step.highlight);
            QTRY_VERIFY2(frame->target()->isVisible() && frame->isVisible(), qPrintable(where + ": " + step.highlight + " hidden"));
            // The frame surrounds the target (it follows a scroll within 100 ms).
            auto targetRect = [&] { return QRect(frame->target()->mapTo(&w, QPoint(0, 0)), frame->target()->size()); };
            QTRY_VERIFY2(frame->geometry().intersects(targetRect()), qPrintable(where));
        }
        QVERIFY(!panel->player()->canGoNext());
        QVERIFY(!panel->findChild<QPushButton*>(QStringLiteral("lessonNext"))->isEnabled());
        // Back to the first step with Previous.
        while (panel->player()->canGoPrevious())
            panel->findChild<QPushButton*>(QStringLiteral("lessonPrevious"))->click();
        QCOMPARE(panel->player()->index(), 0);
        QVERIFY(!panel->findChild<QPushButton*>(QStringLiteral("lessonPrevious"))->isEnabled());
        closeErrors(w);
    }

    void pageKeysStepTheLesson()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QStringList files = bundledLessonFiles();
        QVERIFY(!files.isEmpty());
        QVERIFY(w.lessonPanel()->openLesson(files.front()));
        w.viewTabs()->setFocus();
        QTest::keyClick(w.viewTabs(), Qt::Key_PageDown);
        QCOMPARE(w.lessonPanel()->player()->index(), 1);
        QTest::keyClick(w.viewTabs(), Qt::Key_PageUp);
        QCOMPARE(w.lessonPanel()->player()->index(), 0);
        QTest::keyClick(w.viewTabs(), Qt::Key_PageUp);
        QCOMPARE(w.lessonPanel()->player()->index(), 0);
        closeErrors(w);
    }

    void openingAtAStepAppliesTheSetupsBeforeIt()
    {
        // 02-scaling.json's step 2 has no setup of its own; opened there (as a session file
        // naming the lesson does), the lab is set up as step 1 left it: the zh-en demo model on
        // the Forward pass tab, encoder layer 1, head 1.
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QString path = QStringLiteral(AL_SOURCE_DIR "/resources/lessons/02-scaling.json");
        QVERIFY(loadLesson(path).steps[1].setup.isEmpty());
        QVERIFY(w.lessonPanel()->openLesson(path, 1));
        QCOMPARE(w.lessonPanel()->player()->index(), 1);
        QVERIFY2(openErrors(w).isEmpty(), qPrintable(openErrors(w).join(QStringLiteral("; "))));
        const LabSetup now = captureLabSetup(w);
        QCOMPARE(now.model, std::optional<QString>(QStringLiteral("demo:zh-en")));
        QCOMPARE(now.view.tab, std::optional<QString>(QStringLiteral("forward_pass")));
        QVERIFY(w.currentModel());
        // The stepper shows the step's head: encoder layer 1's self-attention, not the embedding.
        auto atEncoderSelfAttention = [&] {
            const al::ForwardStep* step = w.stepperPanel()->stepper().step();
            return step && step->layer == 0 && ForwardStepper::attentionKind(*step) == al::AttentionKind::EncoderSelf;
        };
        QTRY_VERIFY(atEncoderSelfAttention());
        QVERIFY(w.stepperPanel()->heatmap(QStringLiteral("scaled"))->hasData());
        // Previous from a later step re-applies from the start too: the tab a learner left comes back.
        QVERIFY(w.lessonPanel()->player()->goTo(3));
        w.viewTabs()->setCurrentIndex(0);
        w.lessonPanel()->previous();
        QCOMPARE(captureLabSetup(w).view.tab, std::optional<QString>(QStringLiteral("forward_pass")));
        closeErrors(w);
    }

    void textsFollowTheUiLanguage()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        LessonPanel* panel = w.lessonPanel();
        QVERIFY(panel->openLesson(bundledLessonFiles().front()));
        panel->next();
        const LessonStep step = panel->player()->current();
        QCOMPARE(panelText(panel, "lessonStepTitle"), step.title.en);
        QVERIFY(setUiLanguage(QStringLiteral("zh_CN")));
        QCOMPARE(panel->language(), QStringLiteral("zh_CN"));
        QCOMPARE(panel->player()->index(), 1); // same step
        QCOMPARE(panelText(panel, "lessonStepTitle"), step.title.zhCN);
        QCOMPARE(panelText(panel, "lessonTitle"), panel->player()->lesson().title.zhCN);
        QCOMPARE(panelText(panel, "lessonProgress"), QStringLiteral("第 2 步，共 %1 步").arg(panel->player()->count()));
        QCOMPARE(panel->findChild<QPushButton*>(QStringLiteral("lessonNext"))->text(), QStringLiteral("下一步 ▶"));
        // The Lessons menu lists the lessons by their Chinese titles.
        const QList<QAction*> actions = panel->menu()->actions();
        QVERIFY(std::any_of(actions.begin(), actions.end(), [&](QAction* a) { return a->text() == panel->player()->lesson().title.zhCN; }));
        QVERIFY(setUiLanguage(QStringLiteral("en")));
        QCOMPARE(panelText(panel, "lessonStepTitle"), step.title.en);
        // Again: the menus rebuilt by the first switches are rebuilt once more.
        QVERIFY(setUiLanguage(QStringLiteral("zh_CN")));
        QCOMPARE(panelText(panel, "lessonStepTitle"), step.title.zhCN);
        QVERIFY(setUiLanguage(QStringLiteral("en")));
        closeErrors(w);
    }

    void aTeachersLessonWithItsOwnDataOpens()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("data"))));
        QVERIFY(QFile::copy(QStringLiteral(AL_SOURCE_DIR "/resources/data/fra-eng/fra-sample.txt"),
                            dir.filePath(QStringLiteral("data/pairs.tsv"))));
        QFile f(dir.filePath(QStringLiteral("mine.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "attention-lab-lesson", "version": 1, "id": "mine",
          "title": {"en": "French", "zh_CN": "法语"},
          "steps": [{"title": {"en": "Data", "zh_CN": "数据"}, "text": {"en": "Our corpus.", "zh_CN": "我们的语料。"},
                     "setup": {"settings": {"task": "translate", "corpus": "data/pairs.tsv"},
                               "view": {"tab": "training_plots"}},
                     "highlight": "trainButton"},
                    {"title": {"en": "Nowhere", "zh_CN": "无处"}, "text": {"en": "Look there.", "zh_CN": "看那里。"},
                     "highlight": "noSuchWidget"}]})");
        f.close();
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        LessonPanel* panel = w.lessonPanel();
        QSignalSpy panelErrors(panel, &LessonPanel::errorOccurred);
        QVERIFY(panel->openLesson(f.fileName()));
        QVERIFY2(openErrors(w).isEmpty(), qPrintable(openErrors(w).join(QStringLiteral("; "))));
        const LabSetup now = captureLabSetup(w);
        QCOMPARE(now.settings.values.corpus, QFileInfo(dir.filePath(QStringLiteral("data/pairs.tsv"))).absoluteFilePath());
        QCOMPARE(now.view.tab, std::optional<QString>(QStringLiteral("training_plots")));
        QVERIFY(panel->highlightFrame());
        // The session remembers the open lesson and step.
        QCOMPARE(w.sessionController()->lesson().value_or(LabLesson{}).step, 0);
        panel->next();
        QCOMPARE(w.sessionController()->lesson().value_or(LabLesson{}).step, 1);
        QCOMPARE(panelErrors.size(), 1);
        const QString message = panelErrors.front().value(1).toString();
        QVERIFY2(message.contains(QStringLiteral("mine.json")) && message.contains(QStringLiteral("noSuchWidget")), qPrintable(message));
        QVERIFY(!panel->highlightFrame());
        // A file that is not a lesson is refused with its name.
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"format\": \"attention-lab-lesson\", \"version\": 1}");
        bad.close();
        QVERIFY(!panel->openLesson(bad.fileName()));
        QCOMPARE(panelErrors.size(), 2);
        QVERIFY(panelErrors.back().value(1).toString().startsWith(QStringLiteral("bad.json: ")));
        QCOMPARE(panel->player()->lesson().id, QStringLiteral("mine")); // the open lesson stays
        closeErrors(w);
    }

private:
    QTemporaryDir m_settingsDir;
};

AL_GUI_TEST_MAIN(TestGuiLessons)
#include "test_gui_lessons.moc"
