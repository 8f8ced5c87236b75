// SPDX-License-Identifier: GPL-3.0-or-later
// `attention-lab ablate` (app/ablate.h), in-process: the per-head table as CSV and JSON against
// an ablation computed independently (the head's out_proj columns zeroed, then `evaluate`),
// the --heads comparison, the refusals naming the option; and, on the smallest shipped
// translation demo (zh-en-synthesizer), that removing the least important half of the heads
// costs less validation loss than removing the most important half (docs/ablation.md).
#include "app/ablate.h"
#include "engine/data/corpus.h"
#include "engine/eval/evaluate.h"
#include "engine/experiments/head_importance.h"
#include "engine/models/translation_model.h"

#include "cli_test_support.h"
#include "test_support.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace al;
using al::test::runCliArgs;

namespace {

const QString kFixture = QStringLiteral(AL_SOURCE_DIR "/tests/fixtures/models/translate");

std::string readAll(const QString& path)
{
    std::ifstream f(path.toStdString());
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The loss of the fixture with head (kind, layer, head) removed by zeroing its columns of
// out_proj.weight, on the same pairs the CLI scores.
double lossWithoutHead(const std::string& out_proj, int head, const std::vector<SentencePair>& pairs)
{
    TranslationModel m = load_model_dir(kFixture.toStdString());
    const int D = m.net.config().d_model / m.net.config().nhead;
    m.net.params().find(out_proj + ".weight")->value.middleCols(head * D, D).setZero();
    return evaluate(m.net, make_batches(encode_pairs(m, pairs, m.net.config().max_len - 1, false), TrainConfig{}.max_tokens, 0))
        .loss;
}

} // namespace

class AblateCliTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_corpus;
    std::vector<SentencePair> m_pairs; // the 40 pairs --test corpus --samples 40 scores

    QStringList base() const
    {
        return {"ablate", "--model", kFixture, "--test", m_corpus, "--src-col", "1", "--tgt-col", "0", "--samples", "40"};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_corpus = al::test::writeSyntheticPairs(m_dir.path());
        m_pairs = read_tsv_pairs(m_corpus.toStdString(), 1, 0).pairs;
        m_pairs.resize(40);
    }

    void writesTheTableAsCsvAndJson()
    {
        const QString csv = m_dir.path() + "/heads.csv", json = m_dir.path() + "/heads.json";
        const auto r = runCliArgs(base() << "--csv" << csv << "--json" << json << "--prune-least" << "3" << "--prune-most" << "3");
        QVERIFY2(r.code == 0, r.err.c_str());
        // The fixture: 1 + 1 layers, 2 heads: six heads, in the order enc, dec, cross.
        const QStringList lines = QString::fromStdString(readAll(csv)).trimmed().split('\n');
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines[0], QString("kind,layer,head,loss,delta_loss,bleu,delta_bleu,gradient_importance,gradient_importance_raw"));
        const char* expected[] = {"enc,0,0,", "enc,0,1,", "dec,0,0,", "dec,0,1,", "cross,0,0,", "cross,0,1,"};
        for (int i = 0; i < 6; ++i)
            QVERIFY2(lines[i + 1].startsWith(expected[i]), qPrintable(lines[i + 1]));

        const nlohmann::json j = nlohmann::json::parse(readAll(json));
        QCOMPARE(j["heads"].size(), size_t(6));
        QCOMPARE(j["mode"].get<std::string>(), std::string("zero"));
        QCOMPARE(j["examples"].get<int>(), 40);
        const double intact = j["intact"]["loss"].get<double>();
        QVERIFY(intact > 0);
        // Every row's loss against the independent ablation; delta = loss - intact.
        const char* prefixes[] = {"transformer.encoder.layers.0.self_attn.out_proj",
                                  "transformer.decoder.layers.0.self_attn.out_proj",
                                  "transformer.decoder.layers.0.multihead_attn.out_proj"};
        double normSq[3] = {0, 0, 0};
        for (int i = 0; i < 6; ++i) {
            const nlohmann::json& row = j["heads"][size_t(i)];
            const double loss = row["loss"].get<double>();
            const double byHand = lossWithoutHead(prefixes[i / 2], i % 2, m_pairs);
            QVERIFY2(std::abs(loss - byHand) < 1e-5, qPrintable(QString("row %1: %2 vs %3").arg(i).arg(loss).arg(byHand)));
            QVERIFY(std::abs(row["delta_loss"].get<double>() - (loss - intact)) < 1e-9);
            QVERIFY(row["gradient_importance_raw"].get<double>() > 0);
            normSq[i / 2] += std::pow(row["gradient_importance"].get<double>(), 2);
        }
        for (double n : normSq)
            QVERIFY(std::abs(n - 1) < 1e-6);
        // Pruning: the three least and three most important heads by gradient importance, each
        // set once, disjoint.
        QCOMPARE(j["pruning"].size(), size_t(2));
        QCOMPARE(j["pruning"][0]["which"].get<std::string>(), std::string("least"));
        QCOMPARE(j["pruning"][0]["heads"].size(), size_t(3));
        for (const auto& h : j["pruning"][0]["heads"])
            for (const auto& g : j["pruning"][1]["heads"])
                QVERIFY(h != g);
        // The printed table ranks every head.
        QVERIFY(r.out.find("rank head") != std::string::npos);
        QVERIFY(r.out.find("prune least 3:") != std::string::npos && r.out.find("prune most 3:") != std::string::npos);
    }

    void headsComparesAnAblationWithTheIntactModel()
    {
        const QString json = m_dir.path() + "/one.json";
        const auto r = runCliArgs(base() << "--heads" << "cross:0:1" << "--json" << json);
        QVERIFY2(r.code == 0, r.err.c_str());
        const double ablated = al::test::numberAfter(r.out, "ablated: valid_loss ");
        QVERIFY(std::abs(ablated - lossWithoutHead("transformer.decoder.layers.0.multihead_attn.out_proj", 1, m_pairs)) < 1e-3);
        const double intact = al::test::numberAfter(r.out, "intact:  valid_loss ");
        QVERIFY(std::abs(ablated - intact) > 1e-4);
        const nlohmann::json j = nlohmann::json::parse(readAll(json));
        QCOMPARE(j["heads"][0].get<std::string>(), std::string("cross:0:1"));
        // Mean ablation of several heads runs and differs from zero ablation.
        const auto m = runCliArgs(base() << "--heads" << "enc:0:1,cross:0:1" << "--mode" << "mean");
        QVERIFY2(m.code == 0, m.err.c_str());
        const auto z = runCliArgs(base() << "--heads" << "enc:0:1,cross:0:1");
        QVERIFY(al::test::numberAfter(m.out, "ablated: valid_loss ") != al::test::numberAfter(z.out, "ablated: valid_loss "));
    }

    void refusesBadHeadsNamingTheOption_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("message");
        QTest::newRow("layer") << QStringList{"--heads", "enc:5:0"}
                               << "--heads: enc:5:0: layer 5 out of range, the model has 1 encoder self-attention layers";
        QTest::newRow("head") << QStringList{"--heads", "cross:0:2"} << "--heads: cross:0:2: head 2 out of range, the model has 2 heads";
        QTest::newRow("kind") << QStringList{"--heads", "self:0:0"} << "--heads: head \"self:0:0\": attention kind must be";
        QTest::newRow("syntax") << QStringList{"--heads", "enc:0"} << "--heads: head \"enc:0\": expected kind:layer:head";
        QTest::newRow("mode") << QStringList{"--mode", "half"} << "--mode: ablation mode must be \"zero\" or \"mean\"";
        QTest::newRow("prune") << QStringList{"--prune-least", "7"} << "--prune-least: expected an integer from 1 to 6";
        QTest::newRow("both") << QStringList{"--heads", "enc:0:0", "--prune-most", "2"} << "--heads cannot be combined";
    }
    void refusesBadHeadsNamingTheOption()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, message);
        const auto r = runCliArgs(base() << extra);
        QCOMPARE(r.code, int(al::cli::ExitUsage));
        QVERIFY2(QString::fromStdString(r.err).contains(message), r.err.c_str());
    }

    void listedInTheTopLevelHelp()
    {
        const auto r = runCliArgs({"--help"});
        QVERIFY(r.out.find("  ablate ") != std::string::npos);
        const auto h = runCliArgs({"ablate", "--help"});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.find("--prune-least") != std::string::npos);
    }

    void demoPruningTheLeastImportantHalfCostsLessThanTheMostImportantHalf()
    {
        // The smallest translation demo; its validation split as `eval --split valid` reads it.
        const QString dir = QStringLiteral(AL_SOURCE_DIR "/resources/models/zh-en-synthesizer");
        const QString corpus = QStringLiteral(AL_SOURCE_DIR "/resources/data/cmn-eng/cmn.txt");
        if (!QFileInfo::exists(dir + "/model.safetensors") || !QFileInfo::exists(corpus))
            QSKIP("the demo model or the bundled corpus is not installed");
        TranslationModel model = load_model_dir(dir.toStdString());
        std::vector<SentencePair> valid = split_corpus(read_tsv_pairs(corpus.toStdString(), 1, 0).pairs, 0.05, 0.05, 1).valid;
        valid.resize(200);
        const std::vector<Batch> batches =
            make_batches(encode_pairs(model, valid, model.net.config().max_len - 1, false), TrainConfig{}.max_tokens, 0);
        const HeadImportanceTable table = head_importance(model, batches, {}, DecodingOptions{}, AblationMode::Zero);
        QCOMPARE(table.heads.size(), size_t(36));
        for (const ImportanceRanking by : {ImportanceRanking::Gradient, ImportanceRanking::Loss}) {
            const std::vector<HeadId> ranked = rank_heads(table, by);
            HeadMask least, most;
            least.heads.assign(ranked.begin(), ranked.begin() + 18);
            most.heads.assign(ranked.begin() + 18, ranked.end());
            const double rise_least = score_with_mask(model, least, batches, {}, {}).loss - table.intact.loss;
            const double rise_most = score_with_mask(model, most, batches, {}, {}).loss - table.intact.loss;
            qInfo("zh-en-synthesizer, 200 valid sentences, ranked by %s: intact loss %.4f; least important 18 "
                  "removed: +%.4f; most important 18 removed: +%.4f",
                  by == ImportanceRanking::Gradient ? "gradient" : "loss", table.intact.loss, rise_least, rise_most);
            QVERIFY(rise_least < rise_most);
        }
        QVERIFY(model.net.head_mask().empty()); // the engine calls restored the model
    }
};

QTEST_GUILESS_MAIN(AblateCliTest)
#include "test_ablate_cli.moc"
