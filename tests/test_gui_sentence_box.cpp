// SPDX-License-Identifier: GPL-3.0-or-later
// Odd input typed into the main window's sentence box, for a translation model and a task model
// (the fixtures of tests/fixtures/models): an empty box (a hint, no model pass), 10,000
// characters (cut to the model's length with a notice), emoji, mixed scripts, right-to-left
// text, only unknown tokens (a notice; <unk> on the token line). Nothing may crash, and each
// answer arrives.
#include "ui/view_models/sentence_input.h"
#include "ui/views/live_training_panel.h"
#include "ui/views/main_window.h"
#include "ui/workers/inference_worker.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

using namespace al::ui;

namespace {

const QString kFixtures = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/");
constexpr int kTimeoutMs = 30000;

} // namespace

class TestGuiSentenceBox : public QObject {
    Q_OBJECT

private:
    /// Puts `text` into the box as typing or pasting does (ASCII key by key, the rest inserted as
    /// an input method commits it) and waits for the model's answer to exactly that text.
    void type(MainWindow& w, const QString& text)
    {
        auto* edit = w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"));
        QVERIFY(edit);
        auto* inference = w.findChild<InferenceController*>(QStringLiteral("inferenceController"));
        QVERIFY(inference);
        QSignalSpy answers(inference, &InferenceController::translated);
        edit->clear();
        bool ascii = true;
        for (const QChar c : text)
            ascii = ascii && c.unicode() < 0x80;
        if (ascii && text.size() < 200)
            QTest::keyClicks(edit, text);
        else
            edit->insert(text);
        QCOMPARE(edit->text(), text);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(answers.begin(), answers.end(),
                                             [&](const QList<QVariant>& a) {
                                                 return a.first().value<InferenceResult>().sentence == text;
                                             }),
                                 kTimeoutMs);
        QCoreApplication::processEvents();
    }

    QString tokenLine(MainWindow& w) const
    {
        return w.findChild<QLabel*>(QStringLiteral("tokensLabel"))->text();
    }

    /// The odd inputs every model gets; `longTokens` and `limit` are what the model makes of
    /// 10,000 characters.
    void oddInputs(MainWindow& w, int longTokens, int limit)
    {
        LiveTrainingPanel* live = w.liveTrainingPanel();
        auto* inference = w.findChild<InferenceController*>(QStringLiteral("inferenceController"));

        // Empty: the hint, and no model pass.
        type(w, QStringLiteral("hello"));
        QSignalSpy answers(inference, &InferenceController::translated);
        w.findChild<QLineEdit*>(QStringLiteral("sentenceEdit"))->clear();
        QCOMPARE(live->notice(), blankSentenceHint());
        QVERIFY(live->outputText().isEmpty());
        QTest::qWait(400); // longer than the task model's 150 ms coalescing
        QCOMPARE(answers.count(), 0);
        QVERIFY(live->notice() == blankSentenceHint() && live->outputText().isEmpty());

        // 10,000 characters: cut, and the notice says how much was kept.
        type(w, QStringLiteral("我爱你 ").repeated(2500));
        QVERIFY2(live->notice().startsWith(QStringLiteral("Too long for the model: it reads at most %1 tokens").arg(limit)),
                 qPrintable(live->notice()));
        QVERIFY2(live->notice().contains(QStringLiteral("of the text's %1 tokens").arg(longTokens)), qPrintable(live->notice()));
        QVERIFY(!live->outputText().startsWith(QStringLiteral("(cannot")));

        // Emoji, right-to-left text: unknown to these vocabularies, read as <unk>.
        for (const QString& text : {QStringLiteral("😀🎉👍"), QStringLiteral("שלום עולם"), QStringLiteral("مرحبا")}) {
            type(w, text);
            QVERIFY2(live->notice().startsWith(QStringLiteral("Every token of the text")), qPrintable(live->notice()));
            QVERIFY2(tokenLine(w).contains(QStringLiteral("<unk>")), qPrintable(tokenLine(w)));
            QVERIFY(!live->outputText().startsWith(QStringLiteral("(cannot")));
        }
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void translationModel()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.loadModelDirectory(kFixtures + QStringLiteral("translate")));
        // Characters: 7,500 tokens without the spaces; the model reads max_len - 1 = 255.
        oddInputs(w, 7500, 255);
        // Mixed scripts: the known characters stay, the others are named.
        type(w, QStringLiteral("我爱😀שלום你"));
        QCOMPARE(w.liveTrainingPanel()->notice(),
                 QStringLiteral("5 token(s) not in the model's vocabulary, read as <unk>: 😀 ש ל ו ם"));
        QVERIFY2(tokenLine(w).startsWith(QStringLiteral("Source tokens: 我 爱 <unk> <unk> <unk> <unk> <unk> 你 <eos>")),
                 qPrintable(tokenLine(w)));
        // A sentence the model knows: no notice.
        type(w, QStringLiteral("我爱你。"));
        QCOMPARE(w.liveTrainingPanel()->notice(), QString());
    }

    void taskModel()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.loadModelDirectory(kFixtures + QStringLiteral("sentiment")));
        // Space-separated words: 7,500 "words" (我爱你 is one); the model reads max_len = 80.
        oddInputs(w, 2500, 80);
        type(w, QStringLiteral("the film 😀 שלום"));
        QVERIFY2(w.liveTrainingPanel()->notice().startsWith(QStringLiteral("2 token(s) not in the model's vocabulary")),
                 qPrintable(w.liveTrainingPanel()->notice()));
    }
};

QTEST_MAIN(TestGuiSentenceBox)
#include "test_gui_sentence_box.moc"
