// SPDX-License-Identifier: GPL-3.0-or-later
// ModelConfig::validate and the config.json round trip of both families (encoder-decoder and task models).
#include "engine/models/config.h"
#include "engine/io/config_json.h"
#include "engine/core/error.h"
#include "engine/models/task_models.h"

#include "tests/test_support.h"

#include <QtTest>

#include <functional>
#include <set>
#include <string>

using nlohmann::json;

namespace {

using al::test::expectError;

al::ModelConfig nonDefault()
{
    al::ModelConfig c;
    c.src_vocab_size = 97;
    c.tgt_vocab_size = 1234;
    c.d_model = 96;
    c.nhead = 6;
    c.num_encoder_layers = 2;
    c.num_decoder_layers = 5;
    c.dim_feedforward = 333;
    c.dropout = 0.15;
    c.activation = "gelu";
    c.norm_first = true;
    c.layer_norm_eps = 1e-6;
    c.positional_encoding = "learned";
    c.attention_scoring = "additive";
    c.attention_normalization = "relu";
    c.attention_window = 5;
    c.norm = "batchnorm";
    c.attention_dropout = 0.05;
    c.max_len = 77;
    c.src_tokens = "word";
    c.tgt_tokens = "char";
    c.attention = "factorized_random";
    c.synthesizer_k = 5;
    c.decoder = "nat";
    return c;
}

/// Every key model_config_to_json writes besides "format" and "format_version". A key added to
/// the writer fails everyModelKeyRoundTrips until it is listed here and nonDefault() sets it.
const std::set<std::string> kModelKeys{
    "src_vocab_size", "tgt_vocab_size", "d_model", "nhead", "num_encoder_layers", "num_decoder_layers",
    "dim_feedforward", "dropout", "attention_dropout", "activation", "norm_first", "norm", "layer_norm_eps",
    "positional_encoding", "attention_scoring", "attention_normalization", "attention_window", "attention",
    "synthesizer_k", "max_len", "src_tokens", "tgt_tokens", "decoder"};

/// The task keys model_config_to_json adds to the block keys for a task model (it drops the
/// vocabulary and tokenizer keys of the two sides; "decoder" stays absent: task models are
/// autoregressive). "model_kind" is derived from "task".
const std::set<std::string> kTaskOnlyKeys{"task", "model_kind", "vocab_size", "labels", "tokens",
                                          "pooling", "num_segments", "suffix_len"};
const std::set<std::string> kTaskDroppedModelKeys{"src_vocab_size", "tgt_vocab_size", "src_tokens", "tgt_tokens",
                                                  "decoder"};

/// A ModelConfig with every key away from its default: a POS tagger (the one task that takes
/// suffix_len) on the architecture of nonDefault().
al::ModelConfig nonDefaultTask()
{
    al::ModelConfig c = nonDefault();
    c.task = "pos";
    c.num_decoder_layers = 0; // an encoder task's unused layer count
    // The encoder-decoder's own keys stay at their defaults (vocab_size and tokens replace them).
    c.decoder = "autoregressive";
    c.src_vocab_size = c.tgt_vocab_size = 0;
    c.src_tokens = al::ModelConfig{}.src_tokens;
    c.tgt_tokens = al::ModelConfig{}.tgt_tokens;
    c.vocab_size = 41;
    c.labels = {"NOUN", "VERB", "X"};
    c.tokens = "word";
    c.pooling = "cls";
    c.num_segments = 3;
    c.suffix_len = 3;
    return c;
}

std::set<std::string> keysOf(const json& j)
{
    std::set<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "format" && it.key() != "format_version")
            keys.insert(it.key());
    return keys;
}

QString joined(const std::set<std::string>& keys)
{
    QStringList out;
    for (const std::string& k : keys)
        out << QString::fromStdString(k);
    return out.join(QStringLiteral(", "));
}

/// a minus b
std::set<std::string> without(const std::set<std::string>& a, const std::set<std::string>& b)
{
    std::set<std::string> out;
    for (const std::string& k : a)
        if (!b.count(k))
            out.insert(k);
    return out;
}

/// QVERIFYs that `written` holds exactly the keys `expected` and that each of them differs from
/// its value in `defaults` (absent there counts as different), so a reader that drops a key
/// reads back the default and the round trip shows it.
void checkKeysAwayFromDefaults(const json& written, const json& defaults, const std::set<std::string>& expected)
{
    const std::set<std::string> keys = keysOf(written);
    QVERIFY2(keys == expected, qPrintable("written but not expected: " + joined(without(keys, expected))
                                          + "; expected but not written: " + joined(without(expected, keys))));
    for (const std::string& k : expected)
        QVERIFY2(!defaults.contains(k) || defaults.at(k) != written.at(k),
                 qPrintable(QString::fromStdString(k) + " keeps its default " + QString::fromStdString(written.at(k).dump())
                            + ": the round trip cannot tell it from a dropped key"));
}

bool sameConfig(const al::ModelConfig& a, const al::ModelConfig& b)
{
    return a.src_vocab_size == b.src_vocab_size && a.tgt_vocab_size == b.tgt_vocab_size
        && a.d_model == b.d_model && a.nhead == b.nhead && a.num_encoder_layers == b.num_encoder_layers
        && a.num_decoder_layers == b.num_decoder_layers && a.dim_feedforward == b.dim_feedforward
        && a.dropout == b.dropout && a.activation == b.activation && a.norm_first == b.norm_first
        && a.layer_norm_eps == b.layer_norm_eps && a.positional_encoding == b.positional_encoding
        && a.max_len == b.max_len && a.src_tokens == b.src_tokens && a.tgt_tokens == b.tgt_tokens
        && a.attention_scoring == b.attention_scoring && a.attention_normalization == b.attention_normalization
        && a.attention_window == b.attention_window && a.norm == b.norm && a.attention_dropout == b.attention_dropout
        && a.attention == b.attention && a.synthesizer_k == b.synthesizer_k && a.decoder == b.decoder
        && a.task == b.task && a.vocab_size == b.vocab_size && a.labels == b.labels && a.tokens == b.tokens
        && a.pooling == b.pooling && a.num_segments == b.num_segments && a.suffix_len == b.suffix_len;
}

const char* kSource = "m/config.json";

/// QVERIFYs that the round trip `readWrite` (json -> config -> json) notices each key of
/// `written` but `ignored` going missing: without it, the result differs from `written` or the
/// read fails. So a reader that dropped any such key would fail the round-trip tests.
void checkEveryKeyIsRead(const json& written, const std::set<std::string>& ignored,
                         const std::function<json(const json&)>& readWrite)
{
    for (const std::string& k : keysOf(written)) {
        if (ignored.count(k))
            continue;
        json j = written;
        j.erase(k);
        bool noticed = true;
        try {
            noticed = readWrite(j) != written;
        } catch (const al::Error&) {
        }
        QVERIFY2(noticed, qPrintable("the round trip does not notice a missing " + QString::fromStdString(k)));
    }
}

} // namespace

class TestConfig : public QObject {
    Q_OBJECT

private slots:
    void roundTripNonDefault();
    void everyModelKeyRoundTrips();
    void everyTaskKeyRoundTrips();
    void roundTripThroughText();
    void keysArePyTorchNames();
    void absentKeysKeepDefaultsUnknownIgnored();
    void configWithoutBlockOptionsLoadsWithDefaults();
    void wrongType_data();
    void wrongType();
    void badValue_data();
    void badValue();
    void formatChecked();
    void validateDirect();
};

void TestConfig::roundTripNonDefault()
{
    const al::ModelConfig c = nonDefault();
    const al::ModelConfig back = al::model_config_from_json(al::model_config_to_json(c), kSource);
    QVERIFY(sameConfig(c, back));
    QVERIFY(!sameConfig(c, al::ModelConfig{})); // the test would be vacuous otherwise
}

void TestConfig::everyModelKeyRoundTrips()
{
    const json j = al::model_config_to_json(nonDefault());
    checkKeysAwayFromDefaults(j, al::model_config_to_json(al::ModelConfig{}), kModelKeys);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(QString::fromStdString(al::model_config_to_json(al::model_config_from_json(j, kSource)).dump()),
             QString::fromStdString(j.dump()));
    checkEveryKeyIsRead(j, {}, [](const json& k) { return al::model_config_to_json(al::model_config_from_json(k, kSource)); });
}

void TestConfig::everyTaskKeyRoundTrips()
{
    const al::ModelConfig c = nonDefaultTask();
    c.validate();
    const json j = al::model_config_to_json(c);
    std::set<std::string> expected = without(kModelKeys, kTaskDroppedModelKeys);
    expected.insert(kTaskOnlyKeys.begin(), kTaskOnlyKeys.end());
    checkKeysAwayFromDefaults(j, al::model_config_to_json(al::ModelConfig{}), expected);
    if (QTest::currentTestFailed())
        return;
    const al::ModelConfig back = al::model_config_from_json(j, kSource);
    QCOMPARE(QString::fromStdString(al::model_config_to_json(back).dump()), QString::fromStdString(j.dump()));
    // model_kind follows from task; an encoder task's decoder depth is not read (written as 0).
    checkEveryKeyIsRead(j, {"model_kind", "num_decoder_layers"},
                        [](const json& k) { return al::model_config_to_json(al::model_config_from_json(k, kSource)); });
    QCOMPARE(back.task, c.task);
    QVERIFY(back.labels == c.labels);
    QCOMPARE(back.vocab_size, c.vocab_size);
    QCOMPARE(back.tokens, c.tokens);
    QCOMPARE(back.pooling, c.pooling);
    QCOMPARE(back.num_segments, c.num_segments);
    QCOMPARE(back.suffix_len, c.suffix_len);
    // The architecture round-trips too, the unused decoder depth of an encoder task included (0).
    QVERIFY(sameConfig(back, c));
}

void TestConfig::roundTripThroughText()
{
    al::ModelConfig c = nonDefault();
    c.dropout = 0.1 + 0.2; // not a short decimal: checks the doubles survive text exactly
    c.layer_norm_eps = 1.0 / 3.0 * 1e-5;
    const std::string text = al::model_config_to_json(c).dump(2);
    const al::ModelConfig back = al::model_config_from_json(json::parse(text), kSource);
    QVERIFY(sameConfig(c, back));
}

void TestConfig::keysArePyTorchNames()
{
    const json j = al::model_config_to_json(nonDefault());
    QCOMPARE(j.at("format").get<std::string>(), std::string("attention-lab-model"));
    QCOMPARE(j.at("format_version").get<int>(), 1);
    QCOMPARE(j.at("d_model").get<int>(), 96);
    QCOMPARE(j.at("nhead").get<int>(), 6);
    QCOMPARE(j.at("num_encoder_layers").get<int>(), 2);
    QCOMPARE(j.at("num_decoder_layers").get<int>(), 5);
    QCOMPARE(j.at("dim_feedforward").get<int>(), 333);
    QCOMPARE(j.at("dropout").get<double>(), 0.15);
    QCOMPARE(j.at("activation").get<std::string>(), std::string("gelu"));
    QCOMPARE(j.at("norm_first").get<bool>(), true);
    QCOMPARE(j.at("layer_norm_eps").get<double>(), 1e-6);
    QCOMPARE(j.at("src_vocab_size").get<int>(), 97);
    QCOMPARE(j.at("tgt_vocab_size").get<int>(), 1234);
    QCOMPARE(j.at("positional_encoding").get<std::string>(), std::string("learned"));
    QCOMPARE(j.at("attention_scoring").get<std::string>(), std::string("additive"));
    QCOMPARE(j.at("attention_normalization").get<std::string>(), std::string("relu"));
    QCOMPARE(j.at("attention_window").get<int>(), 5);
    QCOMPARE(j.at("norm").get<std::string>(), std::string("batchnorm"));
    QCOMPARE(j.at("attention_dropout").get<double>(), 0.05);
    QCOMPARE(j.at("max_len").get<int>(), 77);
    QCOMPARE(j.at("src_tokens").get<std::string>(), std::string("word"));
    QCOMPARE(j.at("tgt_tokens").get<std::string>(), std::string("char"));
    QCOMPARE(j.at("attention").get<std::string>(), std::string("factorized_random"));
    QCOMPARE(j.at("synthesizer_k").get<int>(), 5);
    QCOMPARE(j.at("decoder").get<std::string>(), std::string("nat"));
    QCOMPARE(j.size(), size_t(25));
    // attention_dropout is written only when set; unset means "the same as dropout". decoder is
    // written only for a NAT model.
    const json d = al::model_config_to_json(al::ModelConfig{});
    QVERIFY(!d.contains("attention_dropout"));
    QVERIFY(!d.contains("decoder"));
    QCOMPARE(d.size(), size_t(23));
}

void TestConfig::configWithoutBlockOptionsLoadsWithDefaults()
{
    // A config.json written before the attention/block options existed (19 keys).
    const json old = json::parse(R"({"format": "attention-lab-model", "format_version": 1, "src_vocab_size": 50,
        "tgt_vocab_size": 60, "d_model": 64, "nhead": 4, "num_encoder_layers": 2, "num_decoder_layers": 2,
        "dim_feedforward": 128, "dropout": 0.1, "activation": "relu", "norm_first": false, "layer_norm_eps": 1e-05,
        "positional_encoding": "sinusoidal", "max_len": 65, "attention": "vanilla", "synthesizer_k": 8,
        "src_tokens": "char", "tgt_tokens": "word"})");
    const al::ModelConfig c = al::model_config_from_json(old, kSource);
    QCOMPARE(c.attention_scoring, std::string("scaled_dot"));
    QCOMPARE(c.attention_normalization, std::string("softmax"));
    QCOMPARE(c.attention_window, 0);
    QCOMPARE(c.norm, std::string("layernorm"));
    QVERIFY(!c.attention_dropout.has_value());
    QCOMPARE(c.activation, std::string("relu"));
    QCOMPARE(c.positional_encoding, std::string("sinusoidal"));
    // null attention_dropout also means "the same as dropout".
    json j = old;
    j["attention_dropout"] = nullptr;
    QVERIFY(!al::model_config_from_json(j, kSource).attention_dropout.has_value());
}

void TestConfig::absentKeysKeepDefaultsUnknownIgnored()
{
    const json j = {{"src_vocab_size", 50}, {"tgt_vocab_size", 60}, {"some_future_option", "x"},
                    {"future_block", {{"kind", "dense"}}}};
    const al::ModelConfig c = al::model_config_from_json(j, kSource);
    al::ModelConfig expected;
    expected.src_vocab_size = 50;
    expected.tgt_vocab_size = 60;
    QVERIFY(sameConfig(c, expected));
}

void TestConfig::wrongType_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // JSON text
    QTest::addColumn<QString>("expected");
    QTest::newRow("nhead string") << "nhead" << "\"4\"" << "key 'nhead' must be an integer, got string";
    QTest::newRow("d_model float") << "d_model" << "256.5" << "key 'd_model' must be an integer, got non-integer number 256.5";
    QTest::newRow("src_vocab_size null") << "src_vocab_size" << "null" << "key 'src_vocab_size' must be an integer, got null";
    QTest::newRow("tgt_vocab_size array") << "tgt_vocab_size" << "[1]" << "key 'tgt_vocab_size' must be an integer, got array";
    QTest::newRow("num_encoder_layers bool") << "num_encoder_layers" << "true" << "key 'num_encoder_layers' must be an integer, got boolean";
    QTest::newRow("num_decoder_layers object") << "num_decoder_layers" << "{}" << "key 'num_decoder_layers' must be an integer, got object";
    QTest::newRow("dim_feedforward string") << "dim_feedforward" << "\"big\"" << "key 'dim_feedforward' must be an integer, got string";
    QTest::newRow("max_len overflow") << "max_len" << "4294967296" << "key 'max_len' is out of range";
    QTest::newRow("dropout string") << "dropout" << "\"0.1\"" << "key 'dropout' must be a number, got string";
    QTest::newRow("layer_norm_eps bool") << "layer_norm_eps" << "false" << "key 'layer_norm_eps' must be a number, got boolean";
    QTest::newRow("norm_first int") << "norm_first" << "1" << "key 'norm_first' must be true or false, got number";
    QTest::newRow("norm_first string") << "norm_first" << "\"true\"" << "key 'norm_first' must be true or false, got string";
    QTest::newRow("activation int") << "activation" << "0" << "key 'activation' must be a string, got number";
    QTest::newRow("positional_encoding null") << "positional_encoding" << "null" << "key 'positional_encoding' must be a string, got null";
    QTest::newRow("src_tokens array") << "src_tokens" << "[\"char\"]" << "key 'src_tokens' must be a string, got array";
    QTest::newRow("tgt_tokens bool") << "tgt_tokens" << "true" << "key 'tgt_tokens' must be a string, got boolean";
    QTest::newRow("format int") << "format" << "1" << "key 'format' must be a string, got number";
    QTest::newRow("attention_scoring int") << "attention_scoring" << "1" << "key 'attention_scoring' must be a string, got number";
    QTest::newRow("attention_normalization bool") << "attention_normalization" << "true" << "key 'attention_normalization' must be a string, got boolean";
    QTest::newRow("attention_window string") << "attention_window" << "\"4\"" << "key 'attention_window' must be an integer, got string";
    QTest::newRow("attention_window float") << "attention_window" << "2.5" << "key 'attention_window' must be an integer, got non-integer number 2.5";
    QTest::newRow("norm null") << "norm" << "null" << "key 'norm' must be a string, got null";
    QTest::newRow("attention_dropout string") << "attention_dropout" << "\"0.1\"" << "key 'attention_dropout' must be a number, got string";
    QTest::newRow("format_version string") << "format_version" << "\"1\"" << "key 'format_version' must be an integer, got string";
}

void TestConfig::wrongType()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    json j = al::model_config_to_json(nonDefault());
    j[key.toStdString()] = json::parse(value.toStdString());
    expectError([&] { al::model_config_from_json(j, kSource); }, {QString(kSource) + ": " + expected});
}

void TestConfig::badValue_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("d_model not divisible") << "d_model" << "250"
                                           << QStringList{"d_model (250) must be divisible by nhead (6)"};
    QTest::newRow("nhead zero") << "nhead" << "0" << QStringList{"nhead must be >= 1, got 0"};
    QTest::newRow("d_model negative") << "d_model" << "-96" << QStringList{"d_model must be >= 1, got -96"};
    QTest::newRow("src vocab too small") << "src_vocab_size" << "3" << QStringList{"src_vocab_size must be >= 4", "got 3"};
    QTest::newRow("tgt vocab zero") << "tgt_vocab_size" << "0" << QStringList{"tgt_vocab_size must be >= 4", "got 0"};
    QTest::newRow("no encoder layers") << "num_encoder_layers" << "0" << QStringList{"num_encoder_layers must be >= 1, got 0"};
    QTest::newRow("negative decoder layers") << "num_decoder_layers" << "-1" << QStringList{"num_decoder_layers must be >= 1, got -1"};
    QTest::newRow("dim_feedforward zero") << "dim_feedforward" << "0" << QStringList{"dim_feedforward must be >= 1, got 0"};
    QTest::newRow("dropout one") << "dropout" << "1.0" << QStringList{"dropout must be in [0, 1), got 1"};
    QTest::newRow("dropout negative") << "dropout" << "-0.1" << QStringList{"dropout must be in [0, 1), got -0.1"};
    QTest::newRow("activation swish") << "activation" << "\"swish\"" << QStringList{"activation must be \"relu\" or \"gelu\", got \"swish\""};
    QTest::newRow("eps zero") << "layer_norm_eps" << "0" << QStringList{"layer_norm_eps must be > 0, got 0"};
    QTest::newRow("positional rotary") << "positional_encoding" << "\"rotary\""
                                       << QStringList{"positional_encoding must be \"sinusoidal\", \"learned\" or \"none\", got \"rotary\""};
    QTest::newRow("scoring cosine") << "attention_scoring" << "\"cosine\""
                                    << QStringList{"attention_scoring must be \"scaled_dot\", \"dot\" or \"additive\", got \"cosine\""};
    QTest::newRow("normalization sparsemax") << "attention_normalization" << "\"sparsemax\""
                                             << QStringList{"attention_normalization must be \"softmax\" or \"relu\", got \"sparsemax\""};
    QTest::newRow("window negative") << "attention_window" << "-1"
                                     << QStringList{"attention_window must be >= 0 (0 means unrestricted), got -1"};
    QTest::newRow("window beyond max_len") << "attention_window" << "77"
                                           << QStringList{"attention_window (77) must be smaller than max_len (77)"};
    QTest::newRow("norm rmsnorm") << "norm" << "\"rmsnorm\""
                                  << QStringList{"norm must be \"layernorm\" or \"batchnorm\", got \"rmsnorm\""};
    QTest::newRow("attention_dropout one") << "attention_dropout" << "1.0"
                                           << QStringList{"attention_dropout must be in [0, 1), got 1"};
    QTest::newRow("max_len zero") << "max_len" << "0" << QStringList{"max_len must be >= 1, got 0"};
    QTest::newRow("src_tokens bpe") << "src_tokens" << "\"bpe\"" << QStringList{"src_tokens must be \"char\" or \"word\", got \"bpe\""};
    QTest::newRow("tgt_tokens empty") << "tgt_tokens" << "\"\"" << QStringList{"tgt_tokens must be \"char\" or \"word\", got \"\""};
}

void TestConfig::badValue()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QStringList, expected);
    json j = al::model_config_to_json(nonDefault());
    j[key.toStdString()] = json::parse(value.toStdString());
    QStringList parts{QString(kSource) + ": "};
    parts += expected;
    expectError([&] { al::model_config_from_json(j, kSource); }, parts);
}

void TestConfig::formatChecked()
{
    json j = al::model_config_to_json(nonDefault());
    j["format"] = "something-else";
    expectError([&] { al::model_config_from_json(j, kSource); },
                {"m/config.json: key 'format' must be \"attention-lab-model\", got \"something-else\""});
    j = al::model_config_to_json(nonDefault());
    j["format_version"] = 2;
    expectError([&] { al::model_config_from_json(j, kSource); },
                {"m/config.json: key 'format_version' is 2", "reads version 1", "newer"});
    j["format_version"] = 0;
    expectError([&] { al::model_config_from_json(j, kSource); }, {"key 'format_version' is 0"});
    // Both keys are optional (e.g. a config written by hand or by a PyTorch script).
    j.erase("format");
    j.erase("format_version");
    QVERIFY(sameConfig(al::model_config_from_json(j, kSource), nonDefault()));
    expectError([&] { al::model_config_from_json(json::array({1, 2}), kSource); },
                {"m/config.json: expected a JSON object, got array"});
}

void TestConfig::validateDirect()
{
    al::ModelConfig c;
    c.src_vocab_size = 10;
    c.tgt_vocab_size = 10;
    c.validate(); // the defaults are valid once the vocabularies are known
    c.d_model = 250;
    c.nhead = 4;
    expectError([&] { c.validate(); }, {"d_model (250) must be divisible by nhead (4)"});
    c = al::ModelConfig{};
    expectError([&] { c.validate(); }, {"src_vocab_size must be >= 4"});
}

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
