// SPDX-License-Identifier: GPL-3.0-or-later
// The UI language (ui/app/language.h): the setting and the system locale it falls back to, and a
// switch at run time: the main window's menus and tabs and the widgets of several panels (settings
// labels, a button, combo items, plot titles and axis labels) show Simplified Chinese, Qt's own
// dialog buttons too, and English again after switching back, without a restart.
#include "gui_test_support.h"
#include "ui/app/gui_main.h"
#include "ui/app/language.h"
#include "ui/views/main_window.h"
#include "ui/views/settings_panel.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

using namespace al::ui;

namespace {

QString menuTitle(MainWindow& w, const char* name)
{
    auto* menu = w.menuBar()->findChild<QMenu*>(QString::fromLatin1(name));
    return menu ? menu->title() : QStringLiteral("(no menu %1)").arg(QLatin1String(name));
}

QString tabText(MainWindow& w, const char* panel)
{
    QTabWidget* tabs = w.viewTabs();
    return tabs->tabText(tabs->indexOf(w.findChild<QWidget*>(QString::fromLatin1(panel))));
}

QString formLabel(QWidget* root, const char* field)
{
    auto* widget = root->findChild<QWidget*>(QString::fromLatin1(field));
    if (!widget)
        return QStringLiteral("(no widget %1)").arg(QLatin1String(field));
    for (QFormLayout* form : root->findChildren<QFormLayout*>())
        if (auto* label = qobject_cast<QLabel*>(form->labelForField(widget)))
            return label->text();
    return QStringLiteral("(no form label for %1)").arg(QLatin1String(field));
}

QCustomPlot* plot(MainWindow& w, const char* name)
{
    return w.findChild<QCustomPlot*>(QString::fromLatin1(name));
}

QString plotTitle(QCustomPlot* p)
{
    auto* title = p ? qobject_cast<QCPTextElement*>(p->plotLayout()->element(0, 0)) : nullptr;
    return title ? title->text() : QStringLiteral("(no title)");
}

QString comboItem(MainWindow& w, const char* combo, const QVariant& data)
{
    auto* c = w.findChild<QComboBox*>(QString::fromLatin1(combo));
    return c ? c->itemText(c->findData(data)) : QStringLiteral("(no combo %1)").arg(QLatin1String(combo));
}

} // namespace

class TestGuiLanguage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void settingResolvesAgainstTheSystemLocale();
    void settingIsStored();
    void switchesPanelsAtRunTime();

private:
    QTemporaryDir m_settingsDir;
};

void TestGuiLanguage::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    // The test's QSettings live in a temporary directory, not in the user's configuration.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

void TestGuiLanguage::cleanupTestCase()
{
    QVERIFY(setUiLanguage(QStringLiteral("en")));
}

void TestGuiLanguage::settingResolvesAgainstTheSystemLocale()
{
    const QLocale chinese(QLocale::Chinese, QLocale::China);
    const QLocale taiwan(QLocale::Chinese, QLocale::TraditionalChineseScript, QLocale::Taiwan);
    const QLocale english(QLocale::English, QLocale::UnitedStates);
    const QLocale german(QLocale::German, QLocale::Germany);
    QCOMPARE(resolveUiLanguage(QStringLiteral("zh_CN"), english), QStringLiteral("zh_CN"));
    QCOMPARE(resolveUiLanguage(QStringLiteral("en"), chinese), QStringLiteral("en"));
    QCOMPARE(resolveUiLanguage(QString(), chinese), QStringLiteral("zh_CN"));
    QCOMPARE(resolveUiLanguage(QString(), taiwan), QStringLiteral("zh_CN"));
    QCOMPARE(resolveUiLanguage(QString(), english), QStringLiteral("en"));
    QCOMPARE(resolveUiLanguage(QString(), german), QStringLiteral("en"));
    QCOMPARE(resolveUiLanguage(QStringLiteral("fr"), chinese), QStringLiteral("zh_CN")); // unknown = system
    QCOMPARE(uiLanguages(), (QStringList{QStringLiteral("en"), QStringLiteral("zh_CN")}));
    QCOMPARE(uiLanguageName(QStringLiteral("zh_CN")), QStringLiteral("简体中文"));
    QCOMPARE(uiLanguageName(QStringLiteral("en")), QStringLiteral("English"));
}

void TestGuiLanguage::settingIsStored()
{
    QString error;
    QVERIFY2(setUiLanguage(QStringLiteral("zh_CN"), &error), qPrintable(error));
    QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(), QStringLiteral("zh_CN"));
    QCOMPARE(uiLanguageSetting(), QStringLiteral("zh_CN"));
    QCOMPARE(uiLanguage(), QStringLiteral("zh_CN"));
    QCOMPARE(uiLanguageName(QString()), QStringLiteral("跟随系统"));
    QVERIFY2(setUiLanguage(QStringLiteral("en"), &error), qPrintable(error));
    QCOMPARE(uiLanguageSetting(), QStringLiteral("en"));
    QCOMPARE(uiLanguage(), QStringLiteral("en"));
    QCOMPARE(uiLanguageName(QString()), QStringLiteral("System default"));
    // Empty = the system locale's language (the offscreen test runs in an English or C locale).
    QVERIFY(setUiLanguage(QString()));
    QCOMPARE(uiLanguageSetting(), QString());
    QCOMPARE(uiLanguage(), resolveUiLanguage(QString()));
    QVERIFY(setUiLanguage(QStringLiteral("en")));
}

void TestGuiLanguage::switchesPanelsAtRunTime()
{
    QVERIFY(setUiLanguage(QStringLiteral("en")));
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    SettingsPanel* settings = w.settingsPanel();
    auto* train = settings->findChild<QPushButton*>(QStringLiteral("trainButton"));
    QVERIFY(train);
    auto* modelGroup = qobject_cast<QGroupBox*>(settings->findChild<QWidget*>(QStringLiteral("dModelSpin"))->parentWidget());
    QVERIFY(modelGroup);

    struct Check {
        const char* what;
        std::function<QString()> actual;
        QString english, chinese;
    };
    const QVector<Check> checks = {
        {"File menu", [&] { return menuTitle(w, "fileMenu"); }, QStringLiteral("&File"), QStringLiteral("文件(&F)")},
        {"Language menu", [&] { return menuTitle(w, "languageMenu"); }, QStringLiteral("&Language"),
         QStringLiteral("语言(&L)")},
        {"Help menu", [&] { return menuTitle(w, "helpMenu"); }, QStringLiteral("&Help"), QStringLiteral("帮助(&H)")},
        {"attention tab", [&] { return tabText(w, "attentionPanel"); }, QStringLiteral("Attention"),
         QStringLiteral("注意力")},
        {"positional encoding tab", [&] { return tabText(w, "positionalEncodingPanel"); },
         QStringLiteral("Positional encoding"), QStringLiteral("位置编码")},
        {"decoding tab", [&] { return tabText(w, "decodingPanel"); }, QStringLiteral("Decoding"), QStringLiteral("解码")},
        {"d_model label", [&] { return formLabel(settings, "dModelSpin"); }, QStringLiteral("d_model:"),
         QStringLiteral("d_model：")},
        {"heads label", [&] { return formLabel(settings, "headsSpin"); }, QStringLiteral("Heads:"),
         QStringLiteral("注意力头数：")},
        {"label smoothing label", [&] { return formLabel(settings, "labelSmoothingSpin"); },
         QStringLiteral("Label smoothing:"), QStringLiteral("标签平滑：")},
        {"warm-up label", [&] { return formLabel(settings, "warmupSpin"); }, QStringLiteral("Warm-up steps:"),
         QStringLiteral("预热步数：")},
        {"model group", [&] { return modelGroup->title(); }, QStringLiteral("Model"), QStringLiteral("模型")},
        {"Train button", [&] { return train->text(); }, QStringLiteral("Train"), QStringLiteral("训练")},
        {"scheduled sampling item", [&] { return comboItem(w, "scheduledSamplingCombo", QStringLiteral("off")); },
         QStringLiteral("Off (teacher forcing)"), QStringLiteral("关闭（教师强制）")},
        {"attention kind item", [&] { return comboItem(w, "kindCombo", int(al::AttentionKind::Cross)); },
         QStringLiteral("Cross-attention"), QStringLiteral("交叉注意力")},
        {"beam search item", [&] { return comboItem(w, "decodingStrategyCombo", int(al::DecodingStrategy::Beam)); },
         QStringLiteral("Beam search"), QStringLiteral("束搜索")},
        {"loss plot axis", [&] { return plot(w, "lossPlot")->yAxis->label(); }, QStringLiteral("loss"),
         QStringLiteral("损失")},
        {"loss plot step axis", [&] { return plot(w, "lossPlot")->xAxis->label(); }, QStringLiteral("step"),
         QStringLiteral("步数")},
        {"learning-rate plot title", [&] { return plotTitle(plot(w, "lrPlot")); }, QStringLiteral("Learning rate"),
         QStringLiteral("学习率")},
        {"training plots axis", [&] { return plot(w, "smoothedLossPlot")->yAxis->label(); },
         QStringLiteral("loss (nats/token)"), QStringLiteral("损失（奈特/词元）")},
        {"positional encoding axis", [&] { return plot(w, "peCurvesPlot")->xAxis->label(); }, QStringLiteral("position"),
         QStringLiteral("位置")},
        {"decoding axis", [&] { return plot(w, "decodingProbabilityPlot")->yAxis->label(); },
         QStringLiteral("probability"), QStringLiteral("概率")},
        {"forward pass page", [&] { return w.findChild<QTabWidget*>(QStringLiteral("stepperPages"))->tabText(1); },
         QStringLiteral("Q, K, V"), QStringLiteral("Q、K、V")},
        {"Qt's Close button", [] { return QDialogButtonBox(QDialogButtonBox::Close).button(QDialogButtonBox::Close)->text(); },
         QStringLiteral("Close"), QStringLiteral("关闭")},
    };
    auto verifyAll = [&](bool chinese) {
        QStringList wrong;
        for (const Check& c : checks) {
            const QString want = chinese ? c.chinese : c.english;
            const QString got = c.actual();
            if (got != want)
                wrong << QStringLiteral("%1: \"%2\", expected \"%3\"").arg(QLatin1String(c.what), got, want);
        }
        return wrong;
    };
    QStringList wrong = verifyAll(false);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));

    QString error;
    QVERIFY2(setUiLanguage(QStringLiteral("zh_CN"), &error), qPrintable(error));
    wrong = verifyAll(true);
    QVERIFY2(wrong.isEmpty(), qPrintable(QStringLiteral("after switching to zh_CN:\n") + wrong.join(QLatin1Char('\n'))));
    // The Language menu checks the chosen entry.
    auto* zh = w.findChild<QAction*>(QStringLiteral("languageAction_zh_CN"));
    QVERIFY(zh);

    QVERIFY2(setUiLanguage(QStringLiteral("en"), &error), qPrintable(error));
    wrong = verifyAll(false);
    QVERIFY2(wrong.isEmpty(), qPrintable(QStringLiteral("after switching back to en:\n") + wrong.join(QLatin1Char('\n'))));

    // The menu's own action switches too.
    zh->trigger();
    QCOMPARE(uiLanguageSetting(), QStringLiteral("zh_CN"));
    QCOMPARE(menuTitle(w, "fileMenu"), QStringLiteral("文件(&F)"));
    w.findChild<QAction*>(QStringLiteral("languageAction_en"))->trigger();
    QCOMPARE(menuTitle(w, "fileMenu"), QStringLiteral("&File"));
    QVERIFY(w.close());
}

AL_GUI_TEST_MAIN(TestGuiLanguage)

#include "test_gui_language.moc"
