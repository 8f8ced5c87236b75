// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's variant race (offscreen): the widget-free helpers (default request, table rows), and
// the race action of the main window running a tiny race of all eight variants on the reverse
// task, after which every variant has a validation curve in the plot and a row in the table.
#include "ui/views/main_window.h"
#include "ui/views/race_window.h"
#include "ui/workers/race_worker.h"

#include <QAction>
#include <QApplication>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

#include <qcustomplot.h>

#include <cmath>

using namespace al::ui;

namespace {
constexpr int kTimeoutMs = 120000;
}

class TestGuiRace : public QObject {
    Q_OBJECT

private slots:
    void defaultRequests()
    {
        const RaceRequest r = defaultRaceRequest("sort", 300, 0, 2);
        QVERIFY(r.config.algorithmic);
        QCOMPARE(r.config.steps, int64_t(300));
        QCOMPARE(r.config.seconds, 0.0);
        QCOMPARE(r.config.variants.size(), size_t(8));
        QCOMPARE(r.config.variants.front(), std::string("vanilla"));
        QCOMPARE(r.config.model.d_model, al::algorithmic_model_defaults().d_model);
        QCOMPARE(r.config.train.threads, 2);
        QCOMPARE(r.config.data.min_count, 1);
        const RaceRequest t = defaultRaceRequest("translate", 0, 1.5, 1);
        QVERIFY(!t.config.algorithmic);
        QCOMPARE(t.config.seconds, 90.0);
        QCOMPARE(t.config.steps, int64_t(0));
        QVERIFY(t.corpusPath.endsWith("cmn.txt"));
    }

    void tableRows()
    {
        al::RaceResult v;
        v.variant = "vanilla";
        v.parameters = 1000;
        v.steps = 50;
        v.steps_per_s = 10;
        v.tokens_per_s = 200;
        v.valid_loss = 0.5;
        v.exact_match = 0.995;
        v.test_token_accuracy = 0.999;
        al::RaceResult r = v;
        r.variant = "random";
        r.synthesizer_parameters = 169;
        r.tokens_per_s = 300;
        const QStringList h = raceTableHeaders(true);
        const QStringList row = raceTableRow(r, {v, r}, true);
        QCOMPARE(row.size(), h.size());
        QCOMPARE(row[0], QString("random"));
        QCOMPARE(row[h.indexOf("Synthesizer parameters")], QString("169"));
        QCOMPARE(row[h.indexOf("Speed vs vanilla")], QString("1.50×"));
        QCOMPARE(row[h.indexOf("Test exact match")], QString("99.5 %"));
        QVERIFY(!raceTableHeaders(false).contains("Test exact match"));
        QVERIFY(raceTableHeaders(false).contains("Test BLEU"));
        QCOMPARE(raceTableRow(v, {r}, true)[h.indexOf("Speed vs vanilla")], QString()); // no vanilla to compare with
    }

    void raceActionRunsATinyRace()
    {
        qputenv("AL_NO_DIALOGS", "1");
        MainWindow w;
        w.show();
        QAction* action = w.findChild<QAction*>("raceAction");
        QVERIFY(action);
        action->trigger();
        RaceWindow* race = w.raceWindow();
        QVERIFY(race);
        QVERIFY(race->isVisible());

        RaceRequest req = defaultRaceRequest("reverse", 4, 0, 2);
        req.algorithmic.vocab = 5;
        req.algorithmic.max_len = 6;
        req.algorithmic.train_size = 300;
        req.algorithmic.valid_size = 20;
        req.algorithmic.test_size = 20;
        req.config.train.max_len = 6;
        req.config.model.d_model = 16;
        req.config.model.nhead = 2;
        req.config.model.num_encoder_layers = req.config.model.num_decoder_layers = 1;
        req.config.model.dim_feedforward = 32;
        req.config.eval_points = 2;
        QSignalSpy done(race->controller(), &RaceController::finished);
        QVERIFY(race->startRequest(req));
        QVERIFY(!race->startRequest(req)); // one race at a time
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(done.first().first().toBool(), false); // not cancelled
        QTRY_COMPARE_WITH_TIMEOUT(race->table()->rowCount(), 8, 2000);

        QCustomPlot* plot = race->plot();
        QCOMPARE(plot->graphCount(), 8);
        const std::vector<std::string> names = req.config.variants;
        for (int i = 0; i < 8; ++i) {
            QCPGraph* g = plot->graph(i);
            QCOMPARE(g->name(), QString::fromStdString(names[size_t(i)]));
            QCOMPARE(g->data()->size(), 2); // eval_points
            QCOMPARE(g->data()->at(1)->key, 4.0);
            QVERIFY(std::isfinite(g->data()->at(1)->value) && g->data()->at(1)->value > 0);
        }
        QTableWidget* t = race->table();
        const QStringList headers = raceTableHeaders(true);
        QCOMPARE(t->columnCount(), headers.size());
        for (int r = 0; r < 8; ++r) {
            QCOMPARE(t->item(r, 0)->text(), QString::fromStdString(names[size_t(r)]));
            for (int c = 0; c < t->columnCount(); ++c)
                QVERIFY2(!t->item(r, c)->text().isEmpty(), qPrintable(QString("row %1 column %2").arg(r).arg(c)));
            QCOMPARE(t->item(r, headers.indexOf("Steps"))->text(), QString("4"));
            QVERIFY(t->item(r, headers.indexOf("Test exact match"))->text().endsWith("%"));
        }
        QCOMPARE(t->item(0, headers.indexOf("Synthesizer parameters"))->text(), QString("0"));
        QVERIFY(t->item(2, headers.indexOf("Synthesizer parameters"))->text().toLongLong() > 0);
    }

    void stopEndsTheRace()
    {
        RaceWindow race;
        RaceRequest req = defaultRaceRequest("copy", 1000000, 0, 1);
        req.config.model.d_model = 16;
        req.config.model.nhead = 2;
        QSignalSpy done(race.controller(), &RaceController::finished);
        QVERIFY(race.startRequest(req));
        QTest::qWait(200);
        race.stopRace();
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY(!race.controller()->isRunning());
        QVERIFY(race.controller()->results().empty());
    }
};

QTEST_MAIN(TestGuiRace)
#include "test_gui_race.moc"
