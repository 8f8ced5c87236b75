// SPDX-License-Identifier: GPL-3.0-or-later
// The sentence box's odd inputs against the fixture models (tests/fixtures/models): blank text,
// text longer than the model reads, emoji, mixed scripts, right-to-left text, only unknown
// tokens. The counts must be the ones the engine's own passes use (translate(), task_model_trace).
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/trace/task_trace.h"
#include "ui/view_models/sentence_input.h"

#include <QtTest>

using namespace al::ui;

namespace {

const QString kFixtures = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/");

} // namespace

class TestSentenceInput : public QObject {
    Q_OBJECT

private:
    al::TranslationModel m_translate = al::load_model_dir((kFixtures + "translate").toStdString());
    al::TaskModel m_sentiment = al::load_task_model_dir((kFixtures + "sentiment").toStdString());
    al::TaskModel m_charlm = al::load_task_model_dir((kFixtures + "charlm").toStdString());
    al::TaskModel m_mlm = al::load_task_model_dir((kFixtures + "mlm").toStdString());

private slots:
    void blankTextRunsNothing()
    {
        for (const QString& text : {QString(), QStringLiteral("   "), QStringLiteral("\u200b \u00a0\t")}) {
            QVERIFY(isBlankSentence(text));
            const SentenceCheck t = checkSentence(text, m_translate);
            QVERIFY(!t.run);
            QCOMPARE(t.notice, blankSentenceHint());
            const SentenceCheck s = checkSentence(text, m_sentiment);
            QVERIFY(!s.run);
            QCOMPARE(s.notice, blankSentenceHint());
        }
        QVERIFY(!blankSentenceHint().isEmpty());
        QVERIFY(!isBlankSentence(QStringLiteral("我")));
    }

    void longTextIsCutToTheModelsLength()
    {
        // 10,000 characters; the fixture reads max_len - 1 = 255 source tokens.
        const QString text = QStringLiteral("我爱你。").repeated(2500);
        QCOMPARE(text.size(), 10000);
        const SentenceCheck c = checkSentence(text, m_translate);
        QVERIFY(c.run);
        QCOMPARE(c.tokens, 10000);
        QCOMPARE(c.limit, 255);
        QCOMPARE(c.kept, 255);
        QVERIFY(!c.keepsEnd);
        QCOMPARE(c.shownTokens.size(), 255);
        QCOMPARE(c.notice, QStringLiteral("Too long for the model: it reads at most 255 tokens (max_len 256), so the "
                                          "first 255 of the text's 10000 tokens were kept and the rest is ignored."));
        // What translate() reads: the same 255 tokens and its <eos>.
        const al::Translation t = al::translate(m_translate, text.toStdString(), 4);
        QCOMPARE(int(t.src_tokens.size()), c.kept + 1);

        // A task model reads max_len = 80 words of "space" tokens.
        const QString words = QStringLiteral("the film ").repeated(1000);
        const SentenceCheck s = checkSentence(words, m_sentiment);
        QCOMPARE(s.tokens, 2000);
        QCOMPARE(s.kept, 80);
        QVERIFY(s.notice.contains(QStringLiteral("the first 80 of the text's 2000 tokens")));
        QCOMPARE(int(al::task_model_trace(m_sentiment, words.toStdString()).src_tokens.size()), s.kept);

        // The character LM keeps the end of the text: its context.
        const QString prose = QStringLiteral("to be or not ").repeated(20);
        const SentenceCheck l = checkSentence(prose, m_charlm);
        QCOMPARE(l.tokens, prose.size());
        QCOMPARE(l.kept, 32);
        QVERIFY(l.keepsEnd);
        QVERIFY(l.notice.contains(QStringLiteral("the last 32 of the text's 260 tokens were kept as its context")));
        QCOMPARE(int(al::task_model_trace(m_charlm, prose.toStdString()).tgt_in_tokens.size()), l.kept);
    }

    void emojiAndRightToLeftTextAreUnknown()
    {
        // Emoji, Hebrew and Arabic: characters the Chinese source vocabulary never saw.
        for (const QString& text : {QStringLiteral("😀🎉"), QStringLiteral("שלום"), QStringLiteral("مرحبا بالعالم")}) {
            const SentenceCheck c = checkSentence(text, m_translate);
            QVERIFY(c.run);
            QVERIFY(c.tokens > 0);
            QCOMPARE(c.unknown, c.kept);
            QCOMPARE(c.shownTokens, QStringList(c.kept, QStringLiteral("<unk>")));
            QCOMPARE(c.notice, QStringLiteral("Every token of the text (%1) is unknown to the model's vocabulary: the "
                                              "model reads only <unk>.").arg(c.kept));
            const SentenceCheck s = checkSentence(text, m_sentiment);
            QVERIFY(s.notice.startsWith(QStringLiteral("Every token of the text")));
        }
    }

    void mixedScriptsNameTheUnknownTokens()
    {
        const SentenceCheck c = checkSentence(QStringLiteral("我爱😀שלום你"), m_translate);
        QCOMPARE(c.tokens, 8);
        QCOMPARE(c.shownTokens.first(), QStringLiteral("我"));
        QCOMPARE(c.shownTokens.last(), QStringLiteral("你"));
        QCOMPARE(c.shownTokens[2], QStringLiteral("<unk>"));
        QCOMPARE(c.unknown, 5);
        QCOMPARE(c.unknownTokens, (QStringList{"😀", "ש", "ל", "ו", "ם"}));
        QCOMPARE(c.notice, QStringLiteral("5 token(s) not in the model's vocabulary, read as <unk>: 😀 ש ל ו ם"));

        // A sentence the vocabulary knows says nothing.
        QCOMPARE(checkSentence(QStringLiteral("我爱你。"), m_translate).notice, QString());
        QCOMPARE(checkSentence(QStringLiteral("the film"), m_sentiment).notice, QString());
    }

    void maskedLmCountsItsSpecials()
    {
        // [CLS] i have a [MASK] . [SEP]: [MASK] is the mask token, not an unknown word.
        const QString text = QStringLiteral("i have a [MASK] .");
        const SentenceCheck c = checkSentence(text, m_mlm);
        QCOMPARE(c.tokens, 7);
        QCOMPARE(int(al::task_model_trace(m_mlm, text.toStdString()).src_tokens.size()), c.tokens);
        QVERIFY(c.shownTokens.contains(QStringLiteral("[MASK]")));
        QVERIFY(!c.unknownTokens.contains(QStringLiteral("[MASK]")));
        const QString pair = QStringLiteral("i have a [MASK] . ||| it is [MASK] .");
        QCOMPARE(checkSentence(pair, m_mlm).tokens,
                 int(al::task_model_trace(m_mlm, pair.toStdString()).src_tokens.size()));
    }
};

QTEST_GUILESS_MAIN(TestSentenceInput)
#include "test_sentence_input.moc"
