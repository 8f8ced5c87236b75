// SPDX-License-Identifier: GPL-3.0-or-later
// Tasks beyond translation (engine/models/task_models.h, task_data.h, task_trainer.h): data readers,
// BERT masking statistics, the causal mask of the decoder-only LM, learning on tiny datasets,
// config.json round trip, model directories and the refusal of bad ones.
#include "engine/io/config_json.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/data/task_data.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/train/task_trainer.h"
#include "engine/trace/task_trace.h"
#include "engine/io/trace_json.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>
#include <fstream>

using namespace al;

namespace {

void write(const std::string& path, const std::string& text)
{
    std::ofstream f(path, std::ios::binary);
    f << text;
}

ModelConfig tiny(const std::string& task)
{
    ModelConfig c = default_task_config(task);
    c.d_model = 32;
    c.nhead = 2;
    c.dim_feedforward = 64;
    c.dropout = 0.0;
    if (task == "charlm")
        c.max_len = 16;
    return c;
}

/// One sequence of the 8 token ids 6..13, no targets (for forward passes).
TaskBatch eight_tokens()
{
    TaskBatch b;
    b.B = 1;
    b.T = 8;
    b.ids = {6, 7, 8, 9, 10, 11, 12, 13};
    b.len = {8};
    b.targets.assign(8, -1);
    return b;
}

/// A charlm corpus of 40 numbered "quick brown fox" lines.
TaskCorpus fox_corpus()
{
    TaskCorpus corpus;
    corpus.task = "charlm";
    for (int i = 0; i < 40; ++i)
        corpus.lm_train += "the quick brown fox " + std::to_string(i * 7) + " jumps over the lazy dog\n";
    corpus.lm_valid = "the quick brown fox";
    return corpus;
}

TrainConfig fast(int max_tokens = 256)
{
    TrainConfig t;
    t.seed = 3;
    t.threads = 2;
    t.max_tokens = max_tokens;
    t.label_smoothing = 0.0;
    t.warmup_steps = 20;
    t.lr_factor = 1.0;
    return t;
}

std::string read_all(const std::string& p)
{
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

} // namespace

class TestTasks : public QObject {
    Q_OBJECT
private slots:
    void conllu_skips_multiword_empty_nodes_and_reports_malformed_lines()
    {
        QTemporaryDir dir;
        const std::string p = dir.filePath("x.conllu").toStdString();
        write(p, "# sent_id = 1\n"
                 "# text = I don't know.\n"
                 "1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\n"
                 "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
                 "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
                 "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
                 "3.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t_\t_\n"
                 "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\t_\n"
                 "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
                 "\n"
                 "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\n"          // 9 fields: line 11
                 "x\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\t_\n" // bad ID: line 12
                 "2\t_\t_\tPUNCT\tNFP\t_\t1\tpunct\t_\t_\n"      // FORM "_" is literal
                 "\n");
        const ConlluReadResult r = read_conllu(p);
        QCOMPARE(r.sentences.size(), size_t(2));
        QCOMPARE(r.sentences[0].words, (std::vector<std::string>{"I", "do", "n't", "know", "."}));
        QCOMPARE(r.sentences[0].tags, (std::vector<std::string>{"PRON", "AUX", "PART", "VERB", "PUNCT"}));
        QCOMPARE(r.sentences[1].words, (std::vector<std::string>{"_"}));
        QCOMPARE(r.summary.skipped, int64_t(2));
        QCOMPARE(r.summary.problems[0].line, int64_t(11));
        QVERIFY(r.summary.problems[0].to_string().find("x.conllu:11: expected 10 tab-separated fields, got 9") != std::string::npos);
        QCOMPARE(r.summary.problems[1].line, int64_t(12));
        QVERIFY(r.summary.problems[1].message.find("malformed ID 'x'") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, read_conllu(dir.filePath("missing.conllu").toStdString()));
    }
    void conllu_counts_on_ud_english_ewt_dev()
    {
        // The data manifest's figures: dev has 2,001 sentences and 25,147 syntactic words
        // (multiword tokens and empty nodes excluded), and no malformed line.
        const std::string p = std::string(AL_SHARED_DATA_DIR) + "/pos/UD_English-EWT/en_ewt-ud-dev.conllu";
        if (!std::filesystem::exists(p))
            QSKIP("shared UD_English-EWT not present");
        const ConlluReadResult r = read_conllu(p);
        size_t words = 0;
        for (const auto& s : r.sentences)
            words += s.words.size();
        QCOMPARE(r.sentences.size(), size_t(2001));
        QCOMPARE(words, size_t(25147));
        QCOMPARE(r.summary.skipped, int64_t(0));
    }
    void suffix_tokens_keep_ending_and_case()
    {
        QCOMPARE(suffix_token("Running", 3), std::string("##X:ing"));
        QCOMPARE(suffix_token("quickly", 3), std::string("##x:kly"));
        QCOMPARE(suffix_token("1990s", 3), std::string("##d:90s"));
        QCOMPARE(suffix_token("it", 3), std::string("##x:it"));
        QCOMPARE(suffix_token("...", 3), std::string("##p:..."));
        QCOMPARE(suffix_token("Émile", 2), std::string("##X:le"));
    }
    void polarity_reader()
    {
        QTemporaryDir dir;
        write(dir.filePath("rt-polarity.pos").toStdString(), "a fine film . \n\ngreat\n");
        write(dir.filePath("rt-polarity.neg").toStdString(), "dull\n");
        std::vector<ReadSummary> reads;
        const auto v = read_polarity(dir.path().toStdString(), &reads);
        QCOMPARE(v.size(), size_t(3));
        QCOMPARE(v[0].label, std::string("neg"));
        QCOMPARE(v[1].text, std::string("a fine film ."));
        QCOMPARE(v[1].label, std::string("pos"));
        QCOMPARE(reads.size(), size_t(2));
        QCOMPARE(reads[0].skipped, int64_t(0)); // neg
        QCOMPARE(reads[1].skipped, int64_t(1)); // pos
        QCOMPARE(reads[1].problems[0].line, int64_t(2));
    }
    void langid_labels_from_file_names()
    {
        QTemporaryDir dir;
        const std::string a = dir.filePath("cmn.txt").toStdString(), b = dir.filePath("fra-sample.txt").toStdString();
        write(a, "Hi.\t嗨。\tattr\nRun.\t跑。\tattr\n");
        write(b, "Hi.\tSalut.\nGo.\tVa !\n");
        const auto v = langid_examples({a, b}, 0, 1);
        std::map<std::string, int> n;
        for (const auto& e : v)
            ++n[e.label];
        QCOMPARE(n["cmn"], 2);
        QCOMPARE(n["fra"], 2);
        QCOMPARE(n["eng"], 3); // "Hi." once
    }
    void masking_statistics_80_10_10()
    {
        // 200,000 word positions plus specials: selection 15%, and of the selected 80% [MASK],
        // 10% random, 10% unchanged (Devlin et al. 2019, 3.1). Tolerances are > 5 standard errors.
        const int V = 1000;
        std::vector<std::string> words_of_v = special_tokens(VocabLayout::Task);
        while (int(words_of_v.size()) < V)
            words_of_v.push_back("w" + std::to_string(words_of_v.size()));
        const Vocab vocab = Vocab::from_tokens(words_of_v, VocabLayout::Task, "test vocabulary");
        QCOMPARE(vocab.size(), V);
        const int specials = vocab.num_specials(), sep = vocab.sep();
        Rng data_rng(1), rng(2);
        std::vector<int> ids;
        for (int i = 0; i < 200000; ++i)
            ids.push_back(i % 50 == 0 ? sep : specials + int(data_rng.below(V - specials)));
        const std::vector<int> orig = ids;
        std::vector<int> targets;
        const int selected = mask_tokens(ids, targets, vocab, 0.15, rng);
        int masked = 0, kept = 0, changed = 0, words = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (orig[i] == sep) {
                QCOMPARE(targets[i], -1); // specials are never selected
                QCOMPARE(ids[i], sep);
                continue;
            }
            ++words;
            if (targets[i] == -1) {
                QCOMPARE(ids[i], orig[i]); // unselected tokens are untouched
                continue;
            }
            QCOMPARE(targets[i], orig[i]);
            if (ids[i] == vocab.mask())
                ++masked;
            else if (ids[i] == orig[i])
                ++kept;
            else {
                ++changed;
                QVERIFY(ids[i] >= specials && ids[i] < V);
            }
        }
        QCOMPARE(masked + kept + changed, selected);
        const double sel = double(selected) / words;
        QVERIFY2(std::abs(sel - 0.15) < 0.005, qPrintable(QString("selected %1").arg(sel)));
        QVERIFY2(std::abs(double(masked) / selected - 0.8) < 0.015, qPrintable(QString("masked %1").arg(double(masked) / selected)));
        // A random replacement may draw the original token (1 in 994): kept ~ 0.1 + 0.1/994.
        QVERIFY2(std::abs(double(changed) / selected - 0.1) < 0.01, qPrintable(QString("random %1").arg(double(changed) / selected)));
        QVERIFY2(std::abs(double(kept) / selected - 0.1) < 0.01, qPrintable(QString("kept %1").arg(double(kept) / selected)));
    }
    void mlm_loss_only_on_selected_positions()
    {
        ModelConfig c = tiny("mlm");
        c.vocab_size = 20;
        TaskNet net(c, 1);
        TaskBatch b;
        b.B = 2;
        b.T = 6;
        b.ids = {3, 5, 7, 4, 8, 4, /**/ 3, 9, 5, 4, 0, 0};
        b.segments = {0, 0, 0, 0, 1, 1, /**/ 0, 0, 0, 0, 0, 0};
        b.len = {6, 4};
        b.targets = {-1, 11, -1, -1, 12, -1, /**/ -1, -1, 13, -1, -1, -1};
        TaskActivations act;
        net.forward(b, act, false, nullptr);
        QCOMPARE(act.rows, (std::vector<int>{1, 4, 8}));
        QCOMPARE(act.targets, (std::vector<int>{11, 12, 13}));
        QCOMPARE(act.logits.rows(), Eigen::Index(3));
        // The loss is the mean over those rows: changing an unselected target cannot change it,
        // and the head sees exactly the hidden rows of the selected positions.
        for (size_t i = 0; i < act.rows.size(); ++i)
            QVERIFY(act.head_in.row(Eigen::Index(i)).isApprox(act.hidden.row(act.rows[i])));
    }
    void causal_lm_does_not_see_the_future()
    {
        ModelConfig c = tiny("charlm");
        c.vocab_size = 20;
        TaskNet net(c, 1);
        TaskBatch b = eight_tokens();
        TaskActivations a1, a2;
        net.forward(b, a1, false, nullptr);
        b.ids[5] = 19; // change position 5: logits of positions 0..4 stay bit-identical
        b.ids[7] = 18;
        net.forward(b, a2, false, nullptr);
        QVERIFY(a1.logits.topRows(5) == a2.logits.topRows(5));
        QVERIFY(!a1.logits.row(5).isApprox(a2.logits.row(5)));
        // Attention above the diagonal is exactly zero.
        for (const auto& layer : net.attention(a1, 0))
            for (const Mat& p : layer)
                for (int q = 0; q < 8; ++q)
                    for (int k = q + 1; k < 8; ++k)
                        QCOMPARE(double(p(q, k)), 0.0);
        // The encoders are not causal: the same change reaches earlier positions of a tagger.
        ModelConfig e = tiny("pos");
        e.vocab_size = 20;
        e.labels = {"A", "B"};
        e.suffix_len = 0;
        TaskNet enc(e, 1);
        b.ids = {6, 7, 8, 9, 10, 11, 12, 13};
        enc.forward(b, a1, false, nullptr);
        b.ids[5] = 19;
        enc.forward(b, a2, false, nullptr);
        QVERIFY(!(a1.logits.row(0) == a2.logits.row(0)));
    }
    void causal_lm_with_synthesizer_does_not_see_the_future()
    {
        // The synthesizer alignments (config key "attention") take the causal mask too.
        for (const char* kind : {"dense", "random", "factorized_dense", "random+vanilla"}) {
            ModelConfig c = tiny("charlm");
            c.vocab_size = 20;
            c.attention = kind;
            TaskNet net(c, 1);
            TaskBatch b = eight_tokens();
            TaskActivations a1, a2;
            net.forward(b, a1, false, nullptr);
            b.ids[5] = 19;
            net.forward(b, a2, false, nullptr);
            QVERIFY2(a1.logits.topRows(5) == a2.logits.topRows(5), kind);
            QVERIFY2(!a1.logits.row(5).isApprox(a2.logits.row(5)), kind);
        }
    }
    // The block switches of the translation model in the task models.
    void learned_positions_are_a_trained_table()
    {
        ModelConfig c = tiny("pos");
        c.vocab_size = 20;
        c.labels = {"A", "B"};
        c.suffix_len = 0;
        c.positional_encoding = "learned";
        TaskNet net(c, 1);
        const Param* pe = net.params().find("pos_emb.weight");
        QVERIFY(pe);
        QCOMPARE(pe->shape, (std::vector<int64_t>{c.max_len, c.d_model}));
        QCOMPARE(&net.positional_encoding(), &pe->value);
        TaskBatch b;
        b.B = 2;
        b.T = 4;
        b.ids = {6, 7, 8, 9, /**/ 10, 11, 0, 0};
        b.len = {4, 2};
        b.targets = {0, 1, 0, 1, /**/ 1, 0, -1, -1};
        TaskActivations act;
        net.forward(b, act, true, nullptr);
        Mat dlogits;
        cross_entropy_forward_backward(act.logits, act.targets, -1, 0.0, &dlogits);
        net.params().zero_grad();
        net.backward(b, act, dlogits);
        // Rows 0..T-1 get gradients, rows beyond the batch's length none.
        const Mat& g = net.params().find("pos_emb.weight")->grad;
        for (int t = 0; t < 4; ++t)
            QVERIFY2(g.row(t).cwiseAbs().maxCoeff() > 0, qPrintable(QString("row %1").arg(t)));
        QVERIFY(g.bottomRows(g.rows() - 4).isZero(0));
        // The sinusoidal and "none" models have no such tensor.
        c.positional_encoding = "sinusoidal";
        QVERIFY(!TaskNet(c, 1).params().find("pos_emb.weight"));
        c.positional_encoding = "none";
        QVERIFY(!TaskNet(c, 1).params().find("pos_emb.weight"));
        QCOMPARE(TaskNet(c, 1).positional_encoding().size(), Eigen::Index(0));
    }
    void tagger_without_positions_is_permutation_equivariant()
    {
        // With no positional encoding, self-attention and the per-token head see a set: permuting
        // the tokens permutes the logits (float rounding only); with sinusoidal encoding not.
        for (const char* pe : {"none", "sinusoidal"}) {
            ModelConfig c = tiny("pos");
            c.vocab_size = 20;
            c.labels = {"A", "B", "C"};
            c.suffix_len = 0;
            c.positional_encoding = pe;
            const TaskNet net(c, 2);
            const std::vector<int> ids = {6, 7, 8, 9, 10, 11}, perm = {3, 0, 5, 1, 4, 2};
            TaskBatch b, bp;
            b.B = bp.B = 1;
            b.T = bp.T = 6;
            b.len = bp.len = {6};
            b.ids = ids;
            for (int i : perm)
                bp.ids.push_back(ids[size_t(i)]);
            b.targets = bp.targets = std::vector<int>(6, -1);
            TaskActivations a, ap;
            net.forward(b, a, false, nullptr);
            net.forward(bp, ap, false, nullptr);
            double diff = 0;
            for (size_t r = 0; r < perm.size(); ++r)
                diff = std::max(diff, double((a.logits.row(perm[r]) - ap.logits.row(Eigen::Index(r))).cwiseAbs().maxCoeff()));
            if (std::string(pe) == "none")
                QVERIFY2(diff < 1e-5, qPrintable(QString("none: max difference %1").arg(diff)));
            else
                QVERIFY2(diff > 1e-2, qPrintable(QString("sinusoidal: max difference %1").arg(diff)));
        }
    }
    void gelu_changes_the_output_not_the_parameters()
    {
        ModelConfig c = tiny("sentiment");
        c.vocab_size = 20;
        c.labels = {"neg", "pos"};
        const TaskNet relu(c, 5);
        c.activation = "gelu";
        TaskNet gelu(c, 5);
        QCOMPARE(gelu.params().numel(), relu.params().numel());
        gelu.params().copy_values_from(relu.params()); // same names and shapes, same weights
        TaskBatch b;
        b.B = 1;
        b.T = 5;
        b.ids = {6, 7, 8, 9, 10};
        b.len = {5};
        b.targets = {1};
        TaskActivations ar, ag;
        relu.forward(b, ar, false, nullptr);
        gelu.forward(b, ag, false, nullptr);
        QVERIFY2((ar.logits - ag.logits).cwiseAbs().maxCoeff() > 1e-4,
                 qPrintable(QString("max difference %1").arg((ar.logits - ag.logits).cwiseAbs().maxCoeff())));
        // GELU(x) = x Phi(x) on the feed-forward pre-activations of the pass.
        const FeedForwardCache& ff = ag.layers[0].ff;
        const double x = ff.pre(0, 0);
        QVERIFY(std::abs(ff.h(0, 0) - 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)))) < 1e-5);
    }
    void block_switches_round_trip_and_refusals()
    {
        QTemporaryDir dir;
        const std::string d = dir.filePath("m").toStdString();
        TaskCorpus corpus;
        corpus.task = "charlm";
        corpus.lm_train = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind\n";
        corpus.lm_valid = "To be";
        ModelConfig c = tiny("charlm");
        c.activation = "gelu";
        c.positional_encoding = "learned";
        c.norm = "batchnorm";
        c.attention_scoring = "additive";
        c.attention_normalization = "relu";
        c.attention_window = 3;
        c.attention_dropout = 0.05;
        c.norm_first = true;
        const TaskModel m = new_task_model(corpus, c, 1, 7);
        save_task_model_dir(m, d);
        const nlohmann::json j = nlohmann::json::parse(read_all(d + "/config.json"));
        QCOMPARE(j["activation"].get<std::string>(), std::string("gelu"));
        QCOMPARE(j["positional_encoding"].get<std::string>(), std::string("learned"));
        QCOMPARE(j["norm"].get<std::string>(), std::string("batchnorm"));
        QCOMPARE(j["attention_scoring"].get<std::string>(), std::string("additive"));
        QCOMPARE(j["attention_normalization"].get<std::string>(), std::string("relu"));
        QCOMPARE(j["attention_window"].get<int>(), 3);
        const TaskModel back = load_task_model_dir(d);
        QCOMPARE(model_config_to_json(back.net.config()).dump(), model_config_to_json(m.net.config()).dump());
        QVERIFY(back.net.params().find("encoder.layers.0.norm1.running_var"));
        QVERIFY(back.net.params().find("encoder.layers.0.self_attn.additive_v"));
        QCOMPARE(generate_text(back, "To", 20, 0.0, 5), generate_text(m, "To", 20, 0.0, 5));
        // A combination without meaning for a task model is refused naming the key.
        auto refused = [&](const std::function<void(nlohmann::json&)>& edit, const std::string& key) {
            nlohmann::json bad = j;
            edit(bad);
            try {
                model_config_from_json(bad, "config.json");
                QFAIL(qPrintable(QString::fromStdString("accepted, expected an error naming " + key)));
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(key) != std::string::npos, e.what());
            }
        };
        refused([](nlohmann::json& x) { x["decoder"] = "nat"; }, "decoder");
        refused([](nlohmann::json& x) { x["activation"] = "tanh"; }, "activation");
        refused([](nlohmann::json& x) { x["positional_encoding"] = "rotary"; }, "positional_encoding");
        refused([](nlohmann::json& x) { x["attention_window"] = 16; }, "attention_window");
        refused([](nlohmann::json& x) { x["norm"] = 3; }, "norm");
    }
    void batch_norm_running_statistics_pool_the_shards()
    {
        // A TaskTrainer step on 2 threads updates the running statistics once from the whole
        // batch, as a 1-thread step does (exact for layer 0's norm1, whose input has passed
        // through no BatchNorm; deeper norms see shard-normalised activations, as in torch's
        // data parallelism without SyncBatchNorm).
        const TaskCorpus corpus = fox_corpus();
        ModelConfig c = tiny("charlm");
        c.norm = "batchnorm";
        auto run = [&](int threads) {
            TaskModel m = new_task_model(corpus, c, 1, 7);
            TaskData d = encode_task_corpus(m, corpus);
            TrainConfig tc = fast(256);
            tc.threads = threads;
            TaskTrainer t(std::move(m), std::move(d), tc);
            t.train_step();
            return t.model().net;
        };
        const TaskNet one = run(1), two = run(2);
        for (const char* name : {"encoder.layers.0.norm1.running_mean", "encoder.layers.0.norm1.running_var"}) {
            const Mat& a = one.params().find(name)->value;
            const Mat& b = two.params().find(name)->value;
            QVERIFY2((a - b).cwiseAbs().maxCoeff() < 1e-5,
                     qPrintable(QString("%1: max difference %2").arg(name).arg((a - b).cwiseAbs().maxCoeff())));
        }
        // Every norm's buffers moved from their initial (0, 1).
        for (const auto& p : one.params().all())
            if (p->name.find("running_mean") != std::string::npos)
                QVERIFY2(p->value.cwiseAbs().maxCoeff() > 1e-3, p->name.c_str());
    }
    void two_threads_take_the_same_step_as_one()
    {
        // Data parallelism in the task trainer (one set of weights, a gradient buffer per
        // thread, embedding rows gathered): the same loss and gradient as one thread.
        const TaskCorpus corpus = fox_corpus();
        auto run = [&](int threads) {
            TaskModel m = new_task_model(corpus, tiny("charlm"), 1, 7);
            TaskData d = encode_task_corpus(m, corpus);
            TrainConfig tc = fast(256);
            tc.threads = threads;
            TaskTrainer t(std::move(m), std::move(d), tc);
            std::vector<StepStats> stats;
            for (int i = 0; i < 3; ++i)
                stats.push_back(t.train_step());
            return stats;
        };
        const std::vector<StepStats> one = run(1), two = run(2);
        for (size_t i = 0; i < one.size(); ++i) {
            QVERIFY2(std::abs(one[i].loss - two[i].loss) < 1e-5, qPrintable(QString::number(one[i].loss - two[i].loss)));
            QVERIFY2(std::abs(one[i].grad_norm - two[i].grad_norm) < 1e-4 * one[i].grad_norm,
                     qPrintable(QString("%1 vs %2").arg(one[i].grad_norm).arg(two[i].grad_norm)));
        }
    }
    void micro_batches_accumulate_the_same_gradient()
    {
        // Without dropout, a task step run whole and as micro-batches (micro_batch_tokens shared
        // by the threads) sums the same gradient: loss, gradient norm and updated weights agree
        // up to float rounding, for per-token targets (charlm) and one target per text
        // (sentiment). With BatchNorm a micro-batch is normalised with its own statistics in
        // training (as in torch without SyncBatchNorm), so only the running statistics are
        // compared, after one step: they pool every micro-batch (exact for layer 0's norm1,
        // whose input has passed through no BatchNorm).
        TaskCorpus texts;
        texts.task = "sentiment";
        const std::vector<LabelledText> s = {{"a good film", "pos"}, {"good acting", "pos"}, {"really good fun", "pos"},
                                             {"a bad film", "neg"},  {"bad acting", "neg"},  {"really bad fun", "neg"}};
        for (int i = 0; i < 4; ++i)
            texts.labelled[0].insert(texts.labelled[0].end(), s.begin(), s.end());
        texts.labelled[1] = s;
        texts.labelled[2] = s;
        const TaskCorpus fox = fox_corpus();
        for (const std::string task : {"charlm", "sentiment"}) {
            const TaskCorpus& corpus = task == "charlm" ? fox : texts;
            const int budget = task == "charlm" ? 64 : 8; // charlm: 4 windows of 16; sentiment: 2 or 3 texts
            for (const std::string norm : {"layernorm", "batchnorm"}) {
                ModelConfig c = tiny(task);
                c.norm = norm;
                auto run = [&](int micro, int threads, std::vector<StepStats>& stats) {
                    TaskModel m = new_task_model(corpus, c, 1, 7);
                    TaskData d = encode_task_corpus(m, corpus);
                    TrainConfig tc = fast(256);
                    tc.threads = threads;
                    tc.micro_batch_tokens = micro;
                    TaskTrainer t(std::move(m), std::move(d), tc);
                    for (int i = 0; i < (norm == "batchnorm" ? 1 : 3); ++i)
                        stats.push_back(t.train_step());
                    return TaskNet(t.model().net);
                };
                std::vector<StepStats> whole, micro, micro2;
                const TaskNet a = run(0, 1, whole), b = run(budget, 1, micro), b2 = run(budget, 2, micro2);
                const QString where = QString::fromStdString(task + " " + norm);
                for (size_t i = 0; i < whole.size(); ++i) {
                    for (const std::vector<StepStats>* m : {&micro, &micro2}) {
                        const StepStats& st = (*m)[i];
                        QCOMPARE(whole[i].tgt_tokens, st.tgt_tokens);
                        if (norm == "batchnorm")
                            continue;
                        QVERIFY2(std::abs(whole[i].loss - st.loss) < 1e-5,
                                 qPrintable(where + ": loss " + QString::number(whole[i].loss - st.loss)));
                        QVERIFY2(std::abs(whole[i].grad_norm - st.grad_norm) < 1e-4 * whole[i].grad_norm,
                                 qPrintable(where + ": |g| " + QString::number(whole[i].grad_norm - st.grad_norm)));
                    }
                    QCOMPARE(whole[i].micro_batches, 1);
                    QVERIFY2(micro[i].micro_batches >= 4, qPrintable(where + ": " + QString::number(micro[i].micro_batches)));
                    QVERIFY(micro2[i].micro_batches > micro[i].micro_batches);
                    QVERIFY2(micro[i].max_micro_batch_tokens <= budget, qPrintable(QString::number(micro[i].max_micro_batch_tokens)));
                    QVERIFY2(micro2[i].max_micro_batch_tokens <= budget / 2, qPrintable(QString::number(micro2[i].max_micro_batch_tokens)));
                    QVERIFY(whole[i].max_micro_batch_tokens > budget);
                }
                if (task == "charlm" && norm == "layernorm")
                    QVERIFY(whole[0].loss != whole[1].loss); // the steps saw different windows
                const std::vector<std::string> names =
                    norm == "batchnorm" ? std::vector<std::string>{"encoder.layers.0.norm1.running_mean",
                                                                   "encoder.layers.0.norm1.running_var"}
                                        : std::vector<std::string>{"encoder.layers.0.linear1.weight"};
                for (const std::string& name : names) {
                    QVERIFY2(a.params().find(name), name.c_str());
                    if (name.find("running_mean") != std::string::npos) // moved from its initial 0
                        QVERIFY2(a.params().find(name)->value.cwiseAbs().maxCoeff() > 1e-3, name.c_str());
                    for (const TaskNet* other : {&b, &b2}) {
                        const double diff = double((a.params().find(name)->value - other->params().find(name)->value).cwiseAbs().maxCoeff());
                        QVERIFY2(diff < 1e-5, qPrintable(where + " " + QString::fromStdString(name) + ": " + QString::number(diff)));
                    }
                }
            }
        }
    }
    void task_defaults_run_each_thread_share_in_one_pass()
    {
        // The task defaults keep micro-batching off, so a run of `train --task` takes the same
        // steps with or without the micro-batch option.
        for (const char* task : {"charlm", "pos", "sentiment", "langid", "mlm"})
            QCOMPARE(default_task_train_config(task).micro_batch_tokens, 0);
    }
    void keep_best_restores_the_best_validation_weights()
    {
        const TaskCorpus corpus = fox_corpus();
        TaskModel m = new_task_model(corpus, tiny("charlm"), 1, 7);
        TaskData d = encode_task_corpus(m, corpus);
        TaskTrainer t(std::move(m), std::move(d), fast(256));
        t.train_step();
        QVERIFY(t.keep_if_best(-t.evaluate(1).loss));
        const std::shared_ptr<const TaskModel> kept = t.snapshot();
        for (int i = 0; i < 3; ++i)
            t.train_step();
        const double final_score = -t.evaluate(1).loss;
        QVERIFY(!t.restore_best(t.best().best_score() + 1.0)); // a better final pass keeps its weights
        QVERIFY(t.restore_best(t.best().best_score() - 1.0));
        QCOMPARE(t.best().best_step(), int64_t(1));
        QCOMPARE(t.step(), int64_t(4));
        for (const auto& p : kept->net.params().all())
            QCOMPARE(t.model().net.params().find(p->name)->value, p->value);
        QVERIFY(final_score != t.best().best_score());
    }
    void charlm_learns_a_tiny_text()
    {
        TaskCorpus corpus;
        corpus.task = "charlm";
        for (int i = 0; i < 40; ++i)
            corpus.lm_train += "abcdefgh ";
        corpus.lm_valid = "abcdefgh abcdefgh abcdefgh ";
        TaskModel m = new_task_model(corpus, tiny("charlm"), 1, 1);
        TaskData d = encode_task_corpus(m, corpus);
        TaskTrainer t(std::move(m), std::move(d), fast(128));
        const double before = t.evaluate(1).loss;
        for (int i = 0; i < 150; ++i)
            t.train_step();
        const EvalStats after = t.evaluate(1);
        QVERIFY2(before > 2.0, qPrintable(QString::number(before)));
        QVERIFY2(after.loss < 0.3, qPrintable(QString::number(after.loss)));
        QCOMPARE(generate_text(t.model(), "abc", 6, 0.0, 1), std::string("defgh "));
    }
    void tagger_learns_tiny_tagging()
    {
        TaskCorpus c;
        c.task = "pos";
        const std::vector<TaggedSentence> s = {{{"the", "dog", "runs"}, {"DET", "NOUN", "VERB"}},
                                               {{"a", "cat", "sleeps"}, {"DET", "NOUN", "VERB"}},
                                               {{"dogs", "run"}, {"NOUN", "VERB"}},
                                               {{"the", "cat", "runs", "."}, {"DET", "NOUN", "VERB", "PUNCT"}}};
        for (int i = 0; i < 5; ++i)
            c.tagged[0].insert(c.tagged[0].end(), s.begin(), s.end());
        c.tagged[1] = s;
        c.tagged[2] = s;
        TaskModel m = new_task_model(c, tiny("pos"), 1, 1);
        QCOMPARE(m.net.config().labels, (std::vector<std::string>{"DET", "NOUN", "PUNCT", "VERB"}));
        TaskData d = encode_task_corpus(m, c);
        TaskTrainer t(std::move(m), std::move(d), fast());
        for (int i = 0; i < 80; ++i)
            t.train_step();
        QCOMPARE(t.evaluate(2).accuracy, 1.0);
        const auto tags = tag_text(t.model(), "a dog sleeps");
        QCOMPARE(tags.size(), size_t(3));
        QCOMPARE(tags[0].second, std::string("DET"));
        // The trace of the same text carries the same tags, and they survive the Trace JSON.
        const Trace tr = task_model_trace(t.model(), "a dog sleeps");
        QCOMPARE(tr.src_tags.size(), tags.size());
        for (size_t i = 0; i < tags.size(); ++i)
            QCOMPARE(tr.src_tags[i], tags[i].second);
        nlohmann::json j = trace_to_json(tr);
        QCOMPARE(trace_from_json(j, "t.json").src_tags, tr.src_tags);
        j["src_tags"].erase(0);
        try {
            trace_from_json(j, "t.json");
            QFAIL("src_tags shorter than src_tokens were accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("t.json: 'src_tags' has 2 tags for 3 'src_tokens'"), e.what());
        }
        QVERIFY(task_model_trace(t.model(), "a").src_tags.size() == 1);
    }
    void classifier_learns_tiny_sentiment()
    {
        for (const char* pooling : {"mean", "cls"}) {
            TaskCorpus c;
            c.task = "sentiment";
            const std::vector<LabelledText> s = {{"a good film", "pos"}, {"good acting", "pos"}, {"really good fun", "pos"},
                                                 {"a bad film", "neg"},  {"bad acting", "neg"},  {"really bad fun", "neg"}};
            for (int i = 0; i < 4; ++i)
                c.labelled[0].insert(c.labelled[0].end(), s.begin(), s.end());
            c.labelled[1] = s;
            c.labelled[2] = s;
            ModelConfig cfg = tiny("sentiment");
            cfg.pooling = pooling;
            TaskModel m = new_task_model(c, cfg, 1, 1);
            TaskData d = encode_task_corpus(m, c);
            TaskTrainer t(std::move(m), std::move(d), fast());
            for (int i = 0; i < 80; ++i)
                t.train_step();
            QCOMPARE(t.evaluate(2).accuracy, 1.0);
            const auto p = classify_text(t.model(), "good film");
            QCOMPARE(p.size(), size_t(2));
            QVERIFY2(p[1].token == "pos" && p[1].prob > 0.8, pooling);
            QVERIFY(std::abs(p[0].prob + p[1].prob - 1.0) < 1e-6);
        }
    }
    void mlm_learns_tiny_pairs_and_gives_probabilities()
    {
        TaskCorpus c;
        c.task = "mlm";
        // Each colour goes with one animal ("the red cat", "a green dog"): a masked colour or
        // animal is determined by its neighbour.
        const std::vector<std::string> colour = {"red", "green", "blue", "black"}, animal = {"cat", "dog", "bird", "fish"};
        for (int i = 0; i < 200; ++i) {
            const size_t a = size_t(i) % 4, b = size_t(i / 4) % 4;
            c.sentence_pairs[i < 180 ? 0 : 1].emplace_back("the " + colour[a] + " " + animal[a], "a " + colour[b] + " " + animal[b]);
        }
        c.sentence_pairs[2] = c.sentence_pairs[1];
        TaskModel m = new_task_model(c, tiny("mlm"), 1, 1);
        TaskData d = encode_task_corpus(m, c);
        QCOMPARE(d.split[0][0].ids.front(), m.vocab.cls());
        QCOMPARE(d.split[0][0].segments.back(), 1);
        TrainConfig tc = fast(512);
        tc.lr_factor = 0.3;
        tc.warmup_steps = 50;
        TaskTrainer t(std::move(m), std::move(d), tc, 0.3);
        const double before = t.evaluate(1).accuracy;
        for (int i = 0; i < 300; ++i)
            t.train_step();
        const EvalStats after = t.evaluate(1);
        QVERIFY2(after.accuracy > 0.8 && after.accuracy > before + 0.3,
                 qPrintable(QString("%1 -> %2").arg(before).arg(after.accuracy)));
        const auto rows = masked_token_probabilities(t.model(), "the [MASK] cat ||| a blue bird", 0);
        QCOMPARE(rows.size(), size_t(1));
        double total = 0;
        for (const auto& p : rows[0])
            total += p.prob;
        QVERIFY(std::abs(total - 1.0) < 1e-4);
        QCOMPARE(rows[0].front().token, std::string("red"));
        QVERIFY_THROWS_EXCEPTION(Error, masked_token_probabilities(t.model(), "no mask here", 5));
    }
    void same_seed_same_loss_curve()
    {
        // Masks, batches, dropout and initialisation come from the seed: two runs with the same
        // seed and thread count give bit-identical losses; another seed does not.
        TaskCorpus c;
        c.task = "mlm";
        for (int i = 0; i < 60; ++i)
            c.sentence_pairs[0].emplace_back("the cat number " + std::to_string(i % 7) + " sat", "a dog ran " + std::to_string(i % 5));
        c.sentence_pairs[1] = c.sentence_pairs[0];
        ModelConfig cfg = tiny("mlm");
        cfg.dropout = 0.1;
        auto curve = [&](uint64_t seed) {
            TaskModel m = new_task_model(c, cfg, 1, seed);
            TaskData d = encode_task_corpus(m, c);
            TrainConfig tc = fast(256);
            tc.seed = seed;
            TaskTrainer t(std::move(m), std::move(d), tc);
            std::vector<double> losses;
            for (int i = 0; i < 6; ++i)
                losses.push_back(t.train_step().loss);
            return losses;
        };
        const std::vector<double> a = curve(5), b = curve(5), other = curve(6);
        QCOMPARE(a, b);
        QVERIFY(a != other);
    }
    void config_round_trips_config_json()
    {
        for (const char* task : {"charlm", "pos", "sentiment", "langid", "mlm"}) {
            ModelConfig c = default_task_config(task);
            c.vocab_size = 50;
            if (c.model_kind() == "encoder_tagger" || c.model_kind() == "encoder_classifier")
                c.labels = {"x", "y", "z"};
            c.norm_first = !c.norm_first;
            c.pooling = "cls";
            const nlohmann::json j = model_config_to_json(c);
            QCOMPARE(j["task"].get<std::string>(), std::string(task));
            QCOMPARE(j[std::string(task) == "charlm" ? "num_encoder_layers" : "num_decoder_layers"].get<int>(), 0);
            const ModelConfig back = model_config_from_json(j, "config.json");
            QCOMPARE(model_config_to_json(back).dump(), j.dump());
        }
    }
    void model_directory_round_trip_and_refusals()
    {
        QTemporaryDir dir;
        const std::string d = dir.filePath("m").toStdString();
        TaskCorpus corpus;
        corpus.task = "charlm";
        corpus.lm_train = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind\n";
        corpus.lm_valid = "To be";
        const TaskModel m = new_task_model(corpus, tiny("charlm"), 1, 7);
        save_task_model_dir(m, d);
        QCOMPARE(task_of_model_dir(d), std::string("charlm"));
        const TaskModel back = load_task_model_dir(d);
        QCOMPARE(back.vocab.tokens(), m.vocab.tokens()); // "\n" and " " survive vocab.json
        QCOMPARE(generate_text(back, "To", 20, 0.7, 5), generate_text(m, "To", 20, 0.7, 5));
        // One config family: the encoder-decoder loader and network refuse a task model by its
        // task key, and the task network refuses a configuration without one.
        try {
            load_model_dir(d);
            QFAIL("load_model_dir accepted a task model");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("key 'task' is \"charlm\": a task model, not an encoder-decoder")
                         != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, Transformer(m.net.config()));
        ModelConfig no_task = m.net.config();
        no_task.task.clear();
        QVERIFY_THROWS_EXCEPTION(Error, TaskNet{no_task});

        auto expect_error = [&](const std::string& needle) {
            try {
                load_task_model_dir(d);
                QFAIL(qPrintable(QString::fromStdString("no error, expected: " + needle)));
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        };
        const std::string cfg = d + "/config.json", good = read_all(cfg);
        nlohmann::json j = nlohmann::json::parse(good);
        // A translation config (no task key) is refused with the reason.
        nlohmann::json t = j;
        t.erase("task");
        write(cfg, t.dump());
        expect_error("key 'task' is missing");
        j["task"] = "copy";
        write(cfg, j.dump());
        expect_error("key 'task' must be charlm, pos, sentiment, langid or mlm");
        j = nlohmann::json::parse(good);
        j["d_model"] = 48;
        write(cfg, j.dump());
        expect_error("model.safetensors: tensor 'encoder.layers.0.linear1.weight' has shape");
        j = nlohmann::json::parse(good);
        j["vocab_size"] = j["vocab_size"].get<int>() + 1;
        write(cfg, j.dump());
        expect_error("vocab.json: ");
        j = nlohmann::json::parse(good);
        j["num_decoder_layers"] = 0;
        write(cfg, j.dump());
        expect_error("num_decoder_layers' must be >= 1");
        j = nlohmann::json::parse(good);
        j["nhead"] = "four";
        write(cfg, j.dump());
        expect_error("key 'nhead' must be an integer, got string");
        write(cfg, good);
        write(d + "/vocab.json", "[\"<pad>\", \"x\"]");
        expect_error("vocab.json: ");
        QCOMPARE(task_of_model_dir(dir.filePath("nothing").toStdString()), std::string());
    }
};

QTEST_APPLESS_MAIN(TestTasks)
#include "test_tasks.moc"
