// SPDX-License-Identifier: GPL-3.0-or-later
// The Simplified Chinese translation is complete: the committed translations/attention-lab_zh_CN.ts
// has no unfinished, vanished or obsolete message, every translation keeps the placeholders
// (%1, %n) and the one & accelerator of its source, and every tr() string lupdate finds in ui/
// has a finished translation there. The lupdate run needs Qt's Linguist tools (qt6-l10n-tools):
// without them the source scan QSKIPs, or fails when AL_REQUIRE_TOOLS=1.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <algorithm>

namespace {

struct Message {
    QString context;
    QString source;
    QString translation; // the (first) numerus form of a plural message
    QString type;        // "", "unfinished", "vanished", "obsolete"
    QString location;    // "file:line" when the .ts records one
};

/// The messages of a .ts file; `error` is set (and the list empty) when it cannot be read.
QVector<Message> readTs(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return {};
    }
    QVector<Message> out;
    QXmlStreamReader xml(&file);
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            m = Message{};
            m.context = context;
        } else if (name == QLatin1String("location") && m.location.isEmpty()) {
            m.location = xml.attributes().value(QLatin1String("filename")).toString() + QLatin1Char(':')
                         + xml.attributes().value(QLatin1String("line")).toString();
        } else if (name == QLatin1String("source")) {
            m.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            // Either text, or <numerusform> children (zh_CN has one plural form).
            QString text;
            while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
                xml.readNext();
                if (xml.isCharacters())
                    text += xml.text();
                else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform") && m.translation.isEmpty())
                    m.translation = xml.readElementText();
            }
            if (m.translation.isEmpty())
                m.translation = text.trimmed().isEmpty() ? QString() : text;
            out << m;
        }
    }
    if (xml.hasError()) {
        *error = QStringLiteral("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(xml.errorString());
        return {};
    }
    return out;
}

QString key(const Message& m)
{
    return m.context + QChar(0x1f) + m.source;
}

/// The distinct placeholders of a text, sorted: "%1", "%2", "%n".
QStringList placeholders(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out << it.next().captured(0);
    out.removeDuplicates();
    std::sort(out.begin(), out.end());
    return out;
}

/// How many & accelerators a menu or button text has ("&&" is a literal ampersand).
int accelerators(const QString& text)
{
    int n = 0;
    for (int i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != QLatin1Char('&'))
            continue;
        if (text[i + 1] == QLatin1Char('&')) {
            ++i;
            continue;
        }
        // An HTML entity (&lt;) or a lone "&" between words is not an accelerator.
        if (text[i + 1].isLetterOrNumber() || text[i + 1] == QLatin1Char('%'))
            ++n;
    }
    return n;
}

QString committedTs()
{
    return QStringLiteral(AL_SOURCE_DIR "/translations/attention-lab_zh_CN.ts");
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void committedTranslationIsComplete();
    void placeholdersAndAcceleratorsMatch();
    void everySourceStringIsTranslated();
    void placeholderCheckCatchesAMismatch();
};

void TestTranslations::committedTranslationIsComplete()
{
    QString error;
    const QVector<Message> messages = readTs(committedTs(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(messages.size() > 500, qPrintable(QStringLiteral("only %1 messages").arg(messages.size())));
    QStringList problems;
    QSet<QString> seen;
    for (const Message& m : messages) {
        if (!m.type.isEmpty())
            problems << QStringLiteral("%1: \"%2\" is %3").arg(m.context, m.source, m.type);
        else if (m.translation.trimmed().isEmpty())
            problems << QStringLiteral("%1: \"%2\" has an empty translation").arg(m.context, m.source);
        if (seen.contains(key(m)))
            problems << QStringLiteral("%1: \"%2\" appears twice").arg(m.context, m.source);
        seen.insert(key(m));
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestTranslations::placeholdersAndAcceleratorsMatch()
{
    QString error;
    const QVector<Message> messages = readTs(committedTs(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList problems;
    for (const Message& m : messages) {
        if (placeholders(m.source) != placeholders(m.translation))
            problems << QStringLiteral("%1: \"%2\" -> \"%3\": placeholders %4 vs %5")
                            .arg(m.context, m.source, m.translation, placeholders(m.source).join(QLatin1Char(',')),
                                 placeholders(m.translation).join(QLatin1Char(',')));
        if (accelerators(m.source) != accelerators(m.translation))
            problems << QStringLiteral("%1: \"%2\" -> \"%3\": %4 accelerator(s) vs %5")
                            .arg(m.context, m.source, m.translation)
                            .arg(accelerators(m.source))
                            .arg(accelerators(m.translation));
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestTranslations::everySourceStringIsTranslated()
{
    const QString lupdate = QStringLiteral(AL_LUPDATE);
    if (lupdate.isEmpty() || !QFileInfo(lupdate).isExecutable()) {
        const char* why = "lupdate (Qt 6 Linguist tools) was not found at configure time; install qt6-l10n-tools";
        if (qEnvironmentVariable("AL_REQUIRE_TOOLS") == QLatin1String("1"))
            QFAIL(qPrintable(QStringLiteral("%1 (AL_REQUIRE_TOOLS=1 requires it)").arg(QLatin1String(why))));
        QSKIP(why);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString scanned = dir.filePath(QStringLiteral("scan_zh_CN.ts"));
    // The options of cmake/translations.cmake (update_translations), with absolute locations so
    // that a missing string is reported with its file and line.
    // AL_SOURCE_DIR is relative to the test's working directory; lupdate runs in the source tree.
    const QString source = QDir(QStringLiteral(AL_SOURCE_DIR)).absolutePath();
    QProcess p;
    p.setWorkingDirectory(source);
    p.start(lupdate, {QStringLiteral("-I"), source, QStringLiteral("-extensions"),
                      QStringLiteral("cpp,h"), QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
                      QStringLiteral("absolute"), QStringLiteral("-silent"), source + QStringLiteral("/ui"),
                      QStringLiteral("-ts"), scanned});
    QVERIFY2(p.waitForFinished(300000), qPrintable(lupdate + QStringLiteral(" did not finish")));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(lupdate + QStringLiteral(" failed: ") + QString::fromLocal8Bit(p.readAllStandardError())));

    QString error;
    const QVector<Message> sources = readTs(scanned, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(sources.size() > 500, qPrintable(QStringLiteral("lupdate found only %1 strings").arg(sources.size())));
    const QVector<Message> committed = readTs(committedTs(), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QHash<QString, Message> byKey;
    for (const Message& m : committed)
        byKey.insert(key(m), m);

    QStringList missing;
    QSet<QString> inSources;
    for (const Message& s : sources) {
        inSources.insert(key(s));
        const auto it = byKey.constFind(key(s));
        if (it == byKey.constEnd() || !it->type.isEmpty() || it->translation.trimmed().isEmpty())
            missing << QStringLiteral("%1: %2: \"%3\"")
                           .arg(QDir(QStringLiteral(AL_SOURCE_DIR)).relativeFilePath(QDir(dir.path()).absoluteFilePath(s.location)),
                                s.context, s.source);
    }
    QStringList stale;
    for (const Message& m : committed)
        if (!inSources.contains(key(m)))
            stale << QStringLiteral("%1: \"%2\"").arg(m.context, m.source);
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("%1 string(s) without a finished Chinese translation (run "
                                       "`ninja -C build update_translations`, translate, see docs/translations.md):\n")
                            .arg(missing.size())
                        + missing.join(QLatin1Char('\n'))));
    QVERIFY2(stale.isEmpty(), qPrintable(QStringLiteral("%1 translation(s) of strings no longer in the sources "
                                                        "(run `ninja -C build update_translations`):\n")
                                             .arg(stale.size())
                                         + stale.join(QLatin1Char('\n'))));
}

void TestTranslations::placeholderCheckCatchesAMismatch()
{
    QCOMPARE(placeholders(QStringLiteral("step %1 of %2")), (QStringList{QStringLiteral("%1"), QStringLiteral("%2")}));
    QVERIFY(placeholders(QStringLiteral("第 %1 步")) != placeholders(QStringLiteral("step %1 of %2")));
    QCOMPARE(placeholders(QStringLiteral("%n file(s)")), QStringList{QStringLiteral("%n")});
    QCOMPARE(accelerators(QStringLiteral("&File")), 1);
    QCOMPARE(accelerators(QStringLiteral("文件(&F)")), 1);
    QCOMPARE(accelerators(QStringLiteral("Add & norm")), 0);
    QCOMPARE(accelerators(QStringLiteral("As &%1…")), 1);
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "test_translations.moc"
