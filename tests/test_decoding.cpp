// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding strategies (greedy, beam search, sampling), the per-step record in the Trace, the
// forced prefix, and scheduled sampling in the trainer.
#include "engine/decode/decoding.h"
#include "engine/core/error.h"
#include "engine/io/trace_json.h"
#include "engine/train/trainer.h"
#include "engine/models/translation_model.h"

#include "tests/test_support.h"

#include <QtTest>
#include <cmath>
#include <memory>
#include <set>

using namespace al;

namespace {

// Log-probabilities -> logits row (log p is a valid logit vector); 0 probability -> -1e9.
RowVec logits_of(const std::vector<double>& probs)
{
    RowVec r(Eigen::Index(probs.size()));
    for (size_t i = 0; i < probs.size(); ++i)
        r(Eigen::Index(i)) = Scalar(probs[i] > 0 ? std::log(probs[i]) : -1e9);
    return r;
}

// Reference decoding without cache or search machinery: one full teacher-forced forward pass
// per step over "BOS prefix", argmax of the last position, until EOS or max_len tokens.
std::vector<int> naive_greedy(const Transformer& net, const std::vector<int>& src, std::vector<int> prefix, int max_len)
{
    while (int(prefix.size()) < max_len) {
        Batch b;
        b.B = 1;
        b.S = int(src.size()) + 1;
        b.src = src;
        b.src.push_back(Seq2SeqIds::EOS);
        b.src_len = {b.S};
        b.tgt_in = {Seq2SeqIds::BOS};
        b.tgt_in.insert(b.tgt_in.end(), prefix.begin(), prefix.end());
        b.T = int(b.tgt_in.size());
        b.tgt_len = {b.T};
        b.tgt_out.assign(size_t(b.T), Seq2SeqIds::PAD);
        Seq2SeqActivations act;
        net.forward(b, act, false, nullptr);
        Eigen::Index arg;
        act.logits.row(b.T - 1).maxCoeff(&arg);
        if (int(arg) == Seq2SeqIds::EOS)
            break;
        prefix.push_back(int(arg));
    }
    return prefix;
}

} // namespace

class DecodingTest : public QObject {
    Q_OBJECT

    std::unique_ptr<Trainer> m_trainer;
    std::vector<std::vector<int>> m_sources; // encoded test sources (training sentences and unseen ones)

    const Transformer& net() const { return m_trainer->model().net; }

private slots:
    void initTestCase()
    {
        // A small model trained briefly: confident on its training pairs, unsure elsewhere,
        // so that the strategies have something to disagree about.
        CorpusSplits data;
        const auto pairs = test::first_cmn_pairs(260);
        data.train.assign(pairs.begin(), pairs.begin() + 200);
        data.valid = data.train;
        data.test.assign(pairs.begin() + 200, pairs.end());
        ModelConfig mc;
        mc.d_model = 32;
        mc.nhead = 4;
        mc.num_encoder_layers = 2;
        mc.num_decoder_layers = 2;
        mc.dim_feedforward = 64;
        mc.dropout = 0.0;
        TrainConfig tc;
        tc.seed = 3;
        tc.max_tokens = 600;
        tc.warmup_steps = 60;
        tc.lr_factor = 2.0;
        DataOptions opts;
        opts.min_count = 1;
        m_trainer = std::make_unique<Trainer>(data, mc, tc, opts);
        for (int i = 0; i < 150; ++i)
            m_trainer->train_step();
        const TranslationModel& m = m_trainer->model();
        for (size_t i = 0; i < pairs.size(); i += 6)
            m_sources.push_back(m.src_vocab.encode(m.src_tokenizer.tokenize(pairs[i].src)));
        qInfo("%zu sources; model loss after 150 steps %.3f", m_sources.size(), m_trainer->evaluate().loss);
    }

    void invalid_options_name_the_option_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::newRow("beam 0") << "beam_width" << 0.0;
        QTest::newRow("temperature 0") << "temperature" << 0.0;
        QTest::newRow("temperature -1") << "temperature" << -1.0;
        QTest::newRow("top_p 0") << "top_p" << 0.0;
        QTest::newRow("top_p 1.5") << "top_p" << 1.5;
        QTest::newRow("top_k -1") << "top_k" << -1.0;
        QTest::newRow("length_penalty -0.5") << "length_penalty" << -0.5;
        QTest::newRow("max_len 0") << "max_len" << 0.0;
        QTest::newRow("record_top_k 0") << "record_top_k" << 0.0;
    }
    void invalid_options_name_the_option()
    {
        QFETCH(QString, field);
        QFETCH(double, value);
        DecodingOptions o;
        o.validate(); // the defaults are valid
        const std::string f = field.toStdString();
        if (f == "beam_width") o.beam_width = int(value);
        if (f == "temperature") o.temperature = value;
        if (f == "top_p") o.top_p = value;
        if (f == "top_k") o.top_k = int(value);
        if (f == "length_penalty") o.length_penalty = value;
        if (f == "max_len") o.max_len = int(value);
        if (f == "record_top_k") o.record_top_k = int(value);
        try {
            translate(m_trainer->model(), "我爱你。", o);
            QFAIL("invalid option accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(f) == 0, e.what());
        }
    }

    void strategy_names_round_trip()
    {
        for (auto s : {DecodingStrategy::Greedy, DecodingStrategy::Beam, DecodingStrategy::Sample})
            QVERIFY(decoding_strategy_from_string(to_string(s)) == s);
        try {
            decoding_strategy_from_string("topk", "--decoding");
            QFAIL("unknown strategy accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("--decoding") == 0);
        }
    }

    void beam_width_1_equals_greedy()
    {
        DecodingOptions beam;
        beam.strategy = DecodingStrategy::Beam;
        beam.beam_width = 1;
        beam.max_len = 20;
        const auto batched = greedy_decode(net(), m_sources, 20);
        for (const double alpha : {0.0, 0.6, 2.0}) {
            beam.length_penalty = alpha;
            for (size_t i = 0; i < m_sources.size(); ++i) {
                DecodingOptions greedy;
                greedy.max_len = 20;
                const SearchResult g = decode(net(), m_sources[i], greedy);
                const SearchResult b = decode(net(), m_sources[i], beam);
                QCOMPARE(b.best().tokens, batched[i]);
                QCOMPARE(b.best().tokens, g.best().tokens);
                QVERIFY(std::abs(b.best().log_prob - g.best().log_prob) < 1e-9);
            }
        }
    }

    void beam_log_prob_at_least_greedy()
    {
        // Beam search is not guaranteed to beat greedy on every input: the greedy prefix can
        // fall out of the beam when other prefixes score higher, and the best finished
        // hypothesis may then be less probable. On a trained model it should win or tie on
        // almost every source and on average.
        int better = 0, worse = 0, searches = 0;
        double sum_beam = 0, sum_greedy = 0;
        for (const int width : {3, 5}) {
            DecodingOptions beam;
            beam.strategy = DecodingStrategy::Beam;
            beam.beam_width = width;
            beam.length_penalty = 0; // rank by log-probability, the quantity compared
            beam.max_len = 20;
            for (const auto& src : m_sources) {
                DecodingOptions greedy;
                greedy.max_len = 20;
                const Hypothesis g = decode(net(), src, greedy).best();
                const SearchResult b = decode(net(), src, beam);
                better += b.best().log_prob > g.log_prob + 1e-4;
                worse += b.best().log_prob < g.log_prob - 1e-4; // float: batched vs single rows
                sum_beam += b.best().log_prob;
                sum_greedy += g.log_prob;
                ++searches;
                // Finished hypotheses come by decreasing score, at most beam_width of them.
                QVERIFY(int(b.hypotheses.size()) <= width);
                for (size_t h = 1; h < b.hypotheses.size(); ++h)
                    QVERIFY(b.hypotheses[h - 1].score >= b.hypotheses[h].score);
            }
        }
        qInfo("beam search more probable than greedy on %d, less on %d of %d searches; mean log-prob %.4f vs %.4f",
              better, worse, searches, sum_beam / searches, sum_greedy / searches);
        // fairseq-style stopping (K finished hypotheses) adds to that; measured here: 12 of 88.
        QVERIFY2(worse * 5 <= searches, "beam search lost to greedy on more than 20% of the sources");
        QVERIFY(sum_beam >= sum_greedy);
    }

    void lockstep_search_of_many_sentences_equals_one_at_a_time()
    {
        // decode_all searches 16 sentences at once (padded sources, rows of finished searches
        // dropped): the same translations as decode() sentence by sentence.
        for (auto strategy : {DecodingStrategy::Beam, DecodingStrategy::Sample}) {
            DecodingOptions o;
            o.strategy = strategy;
            o.beam_width = 3;
            o.max_len = 20;
            o.seed = 21;
            const auto all = decode_all(net(), m_sources, o);
            QCOMPARE(all.size(), m_sources.size());
            for (size_t i = 0; i < m_sources.size(); ++i) {
                DecodingOptions oi = o;
                oi.seed = o.seed + i;
                QCOMPARE(all[i], decode(net(), m_sources[i], oi).best().tokens);
            }
        }
        // The multi-source model refuses a first step that does not feed one row per source.
        TransformerNextToken model(net(), std::vector<std::vector<int>>{m_sources[0], m_sources[1]}, 5);
        Mat logits;
        QVERIFY_THROWS_EXCEPTION(Error, model.step({0}, {Seq2SeqIds::BOS}, logits));
    }

    void hand_built_case_where_beam_beats_greedy()
    {
        // V = 8: specials 0-3, words 4 ("a") .. 7. Step 0: a 0.5, b 0.4, EOS 0.1. After "a"
        // the mass spreads: EOS 0.3 is the argmax but a's best continuation is only 0.15;
        // after "b" EOS has 0.9. Greedy: "a" (0.5 * 0.3 = 0.15); beam 2: "b" (0.4 * 0.9 = 0.36).
        auto fn = [](const std::vector<std::vector<int>>& prefixes, Mat& logits) {
            logits.resize(Eigen::Index(prefixes.size()), 8);
            for (size_t i = 0; i < prefixes.size(); ++i) {
                const auto& p = prefixes[i];
                std::vector<double> probs(8, 0.0);
                if (p.size() == 1) {
                    probs[4] = 0.5, probs[5] = 0.4, probs[Seq2SeqIds::EOS] = 0.1;
                } else if (p.size() == 2 && p[1] == 4) {
                    probs[Seq2SeqIds::EOS] = 0.3, probs[4] = 0.2, probs[5] = 0.2, probs[6] = 0.15, probs[7] = 0.15;
                } else {
                    probs[Seq2SeqIds::EOS] = 0.9, probs[6] = 0.1;
                }
                logits.row(Eigen::Index(i)) = logits_of(probs);
            }
        };
        DecodingOptions o;
        o.max_len = 5;
        PrefixNextToken g(8, fn);
        const Hypothesis greedy = search(g, o).best();
        QCOMPARE(greedy.tokens, std::vector<int>{4});
        QVERIFY(std::abs(greedy.log_prob - std::log(0.15)) < 1e-5);
        o.strategy = DecodingStrategy::Beam;
        o.beam_width = 2;
        o.length_penalty = 0;
        PrefixNextToken b(8, fn);
        const SearchResult beam = search(b, o);
        QCOMPARE(beam.best().tokens, std::vector<int>{5});
        QVERIFY(beam.best().finished);
        QVERIFY(std::abs(beam.best().log_prob - std::log(0.36)) < 1e-5);
        QCOMPARE(beam.hypotheses.size(), size_t(2)); // "b" and "a" finished
        QCOMPARE(beam.hypotheses[1].tokens, std::vector<int>{4});
        // Width 1 is greedy again.
        o.beam_width = 1;
        PrefixNextToken b1(8, fn);
        QCOMPARE(search(b1, o).best().tokens, std::vector<int>{4});
    }

    void length_penalty_is_gnmt()
    {
        QCOMPARE(gnmt_length_penalty(1, 0.6), 1.0);
        QVERIFY(std::abs(gnmt_length_penalty(7, 0.6) - std::pow(12.0 / 6.0, 0.6)) < 1e-12);
        QCOMPARE(gnmt_length_penalty(30, 0.0), 1.0);
        // A hand-built case where the penalty changes the winner: "c" EOS (p 0.45) against
        // "d e" EOS (0.40 * 0.97 * 0.97 = 0.376). alpha 0 ranks by log-probability and picks
        // "c"; alpha 2 divides by lp = (7/6)^2 and (8/6)^2: -0.587 against -0.550, "d e" wins.
        auto fn = [](const std::vector<std::vector<int>>& prefixes, Mat& logits) {
            logits.resize(Eigen::Index(prefixes.size()), 8);
            for (size_t i = 0; i < prefixes.size(); ++i) {
                const auto& p = prefixes[i];
                std::vector<double> probs(8, 0.0);
                if (p.size() == 1)
                    probs[6] = 0.45, probs[7] = 0.4, probs[4] = 0.15;
                else if (p.size() == 2 && p[1] == 7)
                    probs[5] = 0.97, probs[Seq2SeqIds::EOS] = 0.03;
                else if (p.size() == 3 && p[1] == 7)
                    probs[Seq2SeqIds::EOS] = 0.97, probs[5] = 0.03;
                else
                    probs[Seq2SeqIds::EOS] = 1.0;
                logits.row(Eigen::Index(i)) = logits_of(probs);
            }
        };
        DecodingOptions o;
        o.strategy = DecodingStrategy::Beam;
        o.beam_width = 2;
        o.max_len = 10;
        o.length_penalty = 0;
        PrefixNextToken a(8, fn);
        const SearchResult plain = search(a, o);
        QCOMPARE(plain.best().tokens, std::vector<int>{6});
        QCOMPARE(plain.hypotheses.size(), size_t(2));
        o.length_penalty = 2;
        PrefixNextToken b(8, fn);
        const SearchResult penalised = search(b, o);
        QCOMPARE(penalised.best().tokens, (std::vector<int>{7, 5}));
        for (const Hypothesis& h : penalised.hypotheses) {
            QVERIFY(h.finished);
            const double lp = std::pow((5.0 + double(h.tokens.size() + 1)) / 6.0, 2.0);
            QVERIFY(std::abs(h.score - h.log_prob / lp) < 1e-9);
        }
        QVERIFY(std::abs(penalised.best().log_prob - std::log(0.4 * 0.97 * 0.97)) < 1e-5);
    }

    void top_k_sampling_stays_in_top_k()
    {
        DecodingOptions o;
        o.strategy = DecodingStrategy::Sample;
        o.top_k = 3;
        o.temperature = 1.5; // flatter, so that the tail would be drawn without the limit
        o.max_len = 15;
        int outside_without_limit = 0, steps = 0;
        for (uint64_t seed = 1; seed <= 6; ++seed) {
            for (const auto& src : m_sources) {
                o.seed = seed;
                o.top_k = 3;
                const SearchResult limited = decode(net(), src, o, true);
                for (const DecodingStep& s : limited.best().steps) {
                    // Recorded top ids are by model probability; temperature keeps the order.
                    const auto top3 = std::vector<int>(s.top_ids.begin(), s.top_ids.begin() + 3);
                    QVERIFY(std::find(top3.begin(), top3.end(), s.token_id) != top3.end());
                    QVERIFY(s.top_sample_probs[3] == 0.0);
                    ++steps;
                }
                o.top_k = 0; // the same draws without the limit do leave the top 3
                const SearchResult free = decode(net(), src, o, true);
                for (const DecodingStep& s : free.best().steps)
                    outside_without_limit += std::find(s.top_ids.begin(), s.top_ids.begin() + 3, s.token_id)
                                             == s.top_ids.begin() + 3;
            }
        }
        qInfo("%d sampled steps with top_k 3; %d tokens outside the top 3 without it", steps, outside_without_limit);
        QVERIFY(outside_without_limit > 0);
    }

    void top_p_keeps_the_smallest_nucleus()
    {
        Rng rng(11);
        RowVec logits(50);
        for (int trial = 0; trial < 20; ++trial) {
            for (Eigen::Index v = 0; v < logits.size(); ++v)
                logits(v) = Scalar(rng.normal(0, 2));
            DecodingOptions full;
            const std::vector<double> p = sampling_distribution(logits, full);
            for (const double top_p : {0.1, 0.5, 0.9, 0.99}) {
                DecodingOptions o;
                o.top_p = top_p;
                const std::vector<double> q = sampling_distribution(logits, o);
                double kept_mass = 0, smallest_kept = 1, largest_dropped = 0, total = 0;
                for (size_t v = 0; v < p.size(); ++v) {
                    total += q[v];
                    if (q[v] > 0) {
                        kept_mass += p[v];
                        smallest_kept = std::min(smallest_kept, p[v]);
                    } else {
                        largest_dropped = std::max(largest_dropped, p[v]);
                    }
                }
                QVERIFY(std::abs(total - 1) < 1e-9);               // renormalised
                QVERIFY(kept_mass >= top_p - 1e-12);               // the nucleus holds >= p
                QVERIFY(kept_mass - smallest_kept < top_p);        // and is the smallest such set
                QVERIFY(largest_dropped <= smallest_kept);         // of the most probable tokens
                for (size_t v = 0; v < p.size(); ++v)              // in the original proportions
                    if (q[v] > 0)
                        QVERIFY(std::abs(q[v] - p[v] / kept_mass) < 1e-9);
            }
        }
    }

    void sampling_draws_in_proportion()
    {
        // First token from a fixed distribution (then EOS): frequencies over 4000 seeds match
        // the sampling distribution within 4 standard deviations.
        const std::vector<double> probs = {0, 0, 0.05, 0, 0.4, 0.3, 0.2, 0.05};
        auto fn = [&](const std::vector<std::vector<int>>& prefixes, Mat& logits) {
            logits.resize(Eigen::Index(prefixes.size()), 8);
            for (size_t i = 0; i < prefixes.size(); ++i)
                logits.row(Eigen::Index(i)) = prefixes[i].size() == 1 ? logits_of(probs) : logits_of({0, 0, 1, 0, 0, 0, 0, 0});
        };
        for (const double temperature : {1.0, 0.5}) {
            DecodingOptions o;
            o.strategy = DecodingStrategy::Sample;
            o.temperature = temperature;
            o.top_k = 3;
            const std::vector<double> q = sampling_distribution(logits_of(probs), o);
            std::vector<int> count(8, 0);
            const int n = 4000;
            for (int seed = 0; seed < n; ++seed) {
                o.seed = uint64_t(seed);
                PrefixNextToken m(8, fn);
                const Hypothesis h = search(m, o).best();
                ++count[h.tokens.empty() ? Seq2SeqIds::EOS : h.tokens[0]];
            }
            for (int v = 0; v < 8; ++v) {
                const double sd = std::sqrt(n * q[size_t(v)] * (1 - q[size_t(v)]));
                QVERIFY2(std::abs(count[size_t(v)] - n * q[size_t(v)]) <= 4 * sd + 1e-9,
                         qPrintable(QString("T %1 token %2: %3 draws, expected %4").arg(temperature).arg(v).arg(count[size_t(v)]).arg(n * q[size_t(v)])));
            }
            QCOMPARE(count[7] + count[Seq2SeqIds::EOS], 0); // outside the top 3
        }
    }

    void temperature_to_zero_approaches_greedy()
    {
        // As T -> 0 the sampling distribution's largest probability goes to 1 ...
        const RowVec row = logits_of({0.0, 0.0, 0.1, 0.3, 0.25, 0.35});
        double last = 0;
        for (const double t : {2.0, 1.0, 0.5, 0.1, 0.01}) {
            DecodingOptions o;
            o.temperature = t;
            const auto q = sampling_distribution(row, o);
            const double top = *std::max_element(q.begin(), q.end());
            QVERIFY(top > last);
            last = top;
        }
        QVERIFY(last > 0.999);
        // ... and samples at T = 0.001 are the greedy output, whatever the seed.
        DecodingOptions greedy, cold;
        greedy.max_len = cold.max_len = 20;
        cold.strategy = DecodingStrategy::Sample;
        cold.temperature = 1e-3;
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            cold.seed = seed;
            for (const auto& src : m_sources)
                QCOMPARE(decode(net(), src, cold).best().tokens, decode(net(), src, greedy).best().tokens);
        }
    }

    void same_seed_gives_same_samples()
    {
        DecodingOptions o;
        o.strategy = DecodingStrategy::Sample;
        o.temperature = 1.5;
        o.top_p = 0.95;
        o.max_len = 20;
        int differ = 0;
        for (const auto& src : m_sources) {
            o.seed = 5;
            const auto a = decode(net(), src, o).best().tokens, b = decode(net(), src, o).best().tokens;
            QCOMPARE(a, b);
            o.seed = 6;
            differ += decode(net(), src, o).best().tokens != a;
        }
        QVERIFY(differ > 0);
        // decode_all seeds sentence i with seed + i, independent of the thread count.
        o.seed = 9;
        const auto all = decode_all(net(), m_sources, o);
        for (size_t i = 0; i < m_sources.size(); ++i) {
            DecodingOptions oi = o;
            oi.seed = 9 + i;
            QCOMPARE(all[i], decode(net(), m_sources[i], oi).best().tokens);
        }
    }

    void recorded_steps_match_a_full_forward_pass_data()
    {
        QTest::addColumn<int>("strategy");
        QTest::newRow("greedy") << int(DecodingStrategy::Greedy);
        QTest::newRow("beam") << int(DecodingStrategy::Beam);
        QTest::newRow("sample") << int(DecodingStrategy::Sample);
    }
    void recorded_steps_match_a_full_forward_pass()
    {
        QFETCH(int, strategy);
        const TranslationModel& m = m_trainer->model();
        DecodingOptions o;
        o.strategy = DecodingStrategy(strategy);
        o.record_top_k = 7;
        o.temperature = 1.3;
        o.seed = 4;
        for (const char* sentence : {"我爱你。", "他跑了。", "我们走吧！"}) {
            Trace trace;
            const Translation t = translate(m, sentence, o, &trace);
            const DecodingTrace& d = trace.decoding;
            QCOMPARE(QString::fromStdString(d.strategy), QString::fromStdString(to_string(o.strategy)));
            QVERIFY(!d.steps.empty());
            // The full pass over "BOS y1 .. yn" (and the EOS step when generated).
            Batch b;
            b.B = 1;
            b.src = m.src_vocab.encode(m.src_tokenizer.tokenize(sentence));
            b.src.push_back(Seq2SeqIds::EOS);
            b.S = int(b.src.size());
            b.src_len = {b.S};
            b.tgt_in = {Seq2SeqIds::BOS};
            for (const auto& tok : t.out_tokens)
                b.tgt_in.push_back(m.tgt_vocab.id(tok));
            b.T = int(b.tgt_in.size());
            b.tgt_len = {b.T};
            b.tgt_out.assign(size_t(b.T), Seq2SeqIds::PAD);
            Seq2SeqActivations act;
            m.net.forward(b, act, false, nullptr);
            QCOMPARE(int(d.steps.size()), b.T); // every token and the EOS step
            double log_prob = 0;
            for (int s = 0; s < b.T; ++s) {
                const DecodingStep& st = d.steps[size_t(s)];
                const RowVec row = act.logits.row(s);
                const double mx = double(row.maxCoeff());
                const double z = (row.array().template cast<double>() - mx).exp().sum();
                QCOMPARE(int(st.top_ids.size()), 7);
                double prev = 1;
                for (size_t k = 0; k < st.top_ids.size(); ++k) {
                    const double p = std::exp(double(row(st.top_ids[k])) - mx) / z;
                    QVERIFY2(std::abs(st.top_probs[k] - p) < 1e-4, qPrintable(QString("step %1 rank %2: %3 vs %4").arg(s).arg(k).arg(st.top_probs[k]).arg(p)));
                    QVERIFY(st.top_probs[k] <= prev + 1e-6);
                    prev = st.top_probs[k];
                    QCOMPARE(QString::fromStdString(st.top_tokens[k]), QString::fromStdString(m.tgt_vocab.token(st.top_ids[k])));
                }
                // Nothing outside the recorded top-k is more probable than its last entry.
                const double kth = st.top_probs.back();
                for (Eigen::Index v = 0; v < row.size(); ++v)
                    if (std::find(st.top_ids.begin(), st.top_ids.end(), int(v)) == st.top_ids.end())
                        QVERIFY(std::exp(double(row(v)) - mx) / z <= kth + 1e-5);
                const int expected = s + 1 < b.T ? b.tgt_in[size_t(s) + 1] : Seq2SeqIds::EOS;
                QCOMPARE(st.token_id, expected);
                QVERIFY(std::abs(st.prob - std::exp(double(row(expected)) - mx) / z) < 1e-4);
                log_prob += std::log(st.prob);
                // The step's cross-attention rows: row s of every layer's and head's map.
                QCOMPARE(st.cross.size(), trace.cross.size());
                for (size_t l = 0; l < st.cross.size(); ++l)
                    for (size_t h = 0; h < st.cross[l].size(); ++h) {
                        QCOMPARE(int(st.cross[l][h].size()), b.S);
                        QVERIFY((st.cross[l][h] - act.dec[l].ca.probs.row(Eigen::Index(h) * act.dec[l].ca.Tq + s)).cwiseAbs().maxCoeff() < 1e-5);
                        QVERIFY(std::abs(double(st.cross[l][h].sum()) - 1) < 1e-4);
                    }
            }
            QVERIFY(std::abs(log_prob - d.log_prob) < 1e-3);
            QVERIFY(std::abs(t.log_prob - d.log_prob) < 1e-12);
        }
    }

    void cached_decoding_equals_recompute_data()
    {
        QTest::addColumn<int>("strategy");
        QTest::newRow("greedy") << int(DecodingStrategy::Greedy);
        QTest::newRow("beam") << int(DecodingStrategy::Beam);
        QTest::newRow("sample") << int(DecodingStrategy::Sample);
    }
    void cached_decoding_equals_recompute()
    {
        QFETCH(int, strategy);
        DecodingOptions o;
        o.strategy = DecodingStrategy(strategy);
        o.beam_width = 4;
        o.max_len = 16;
        o.seed = 2;
        for (const auto& src : m_sources) {
            TransformerNextToken cached(net(), src, o.max_len, true), recomputed(net(), src, o.max_len, false);
            const SearchResult a = search(cached, o, true), b = search(recomputed, o, true);
            QCOMPARE(a.hypotheses.size(), b.hypotheses.size());
            for (size_t h = 0; h < a.hypotheses.size(); ++h) {
                QCOMPARE(a.hypotheses[h].tokens, b.hypotheses[h].tokens);
                QVERIFY(std::abs(a.hypotheses[h].log_prob - b.hypotheses[h].log_prob) < 1e-4);
                for (size_t s = 0; s < a.hypotheses[h].steps.size(); ++s)
                    QCOMPARE(a.hypotheses[h].steps[s].top_ids, b.hypotheses[h].steps[s].top_ids);
            }
        }
    }

    void synthesizer_models_decode_by_recompute()
    {
        // Synthesizer decoder self-attention has no key/value cache: every search recomputes
        // the prefixes, and width-1 beam search still equals the batched greedy decoder.
        ModelConfig c;
        c.src_vocab_size = 13;
        c.tgt_vocab_size = 11;
        c.d_model = 16;
        c.nhead = 2;
        c.num_encoder_layers = c.num_decoder_layers = 1;
        c.dim_feedforward = 24;
        c.dropout = 0;
        c.max_len = 12;
        c.attention = "dense+vanilla";
        const Transformer synth(c, 9);
        QVERIFY(!synth.supports_incremental_decoding());
        const std::vector<std::vector<int>> srcs = {{4, 5, 6}, {7, 8}, {9, 10, 11, 12, 4}};
        const auto batched = greedy_decode(synth, srcs, 11);
        DecodingOptions o;
        o.strategy = DecodingStrategy::Beam;
        o.beam_width = 1;
        o.max_len = 11;
        for (size_t i = 0; i < srcs.size(); ++i) {
            QCOMPARE(decode(synth, srcs[i], o).best().tokens, batched[i]);
            QCOMPARE(naive_greedy(synth, srcs[i], {}, 11), batched[i]);
        }
        o.beam_width = 3;
        o.length_penalty = 0;
        const auto all = decode_all(synth, srcs, o); // several sources in one recompute batch
        for (size_t i = 0; i < srcs.size(); ++i)
            QCOMPARE(all[i], decode(synth, srcs[i], o).best().tokens);
        for (const auto& src : srcs) {
            DecodingOptions g;
            g.max_len = 11;
            QVERIFY(decode(synth, src, o).best().log_prob >= decode(synth, src, g).best().log_prob - 1e-4);
        }
    }

    void forced_prefix_continues_from_the_forced_tokens()
    {
        int changed = 0;
        for (const auto& src : m_sources) {
            DecodingOptions o;
            o.max_len = 20;
            const Hypothesis free = decode(net(), src, o, true).best();
            if (free.steps.size() < 2)
                continue;
            // Force, at step 1, the second most probable token instead of the model's choice.
            const DecodingStep& s1 = free.steps[1];
            const int other = s1.top_ids[0] == s1.token_id ? s1.top_ids[1] : s1.top_ids[0];
            if (other == Seq2SeqIds::EOS || other == Seq2SeqIds::PAD || other == Seq2SeqIds::BOS)
                continue;
            o.forced_prefix = {free.steps[0].token_id, other};
            if (o.forced_prefix[0] == Seq2SeqIds::EOS)
                continue;
            const Hypothesis forced = decode(net(), src, o, true).best();
            // The continuation equals decoding from that prefix with full forward passes.
            QCOMPARE(forced.tokens, naive_greedy(net(), src, o.forced_prefix, 20));
            QVERIFY(forced.steps[0].forced && forced.steps[1].forced);
            QVERIFY(forced.steps.size() < 3 || !forced.steps[2].forced);
            changed += forced.tokens != free.tokens;
            // Beam search and sampling keep the prefix too.
            for (auto strategy : {DecodingStrategy::Beam, DecodingStrategy::Sample}) {
                o.strategy = strategy;
                const std::vector<int> out = decode(net(), src, o).best().tokens;
                QVERIFY(out.size() >= 2);
                QCOMPARE(out[0], o.forced_prefix[0]);
                QCOMPARE(out[1], other);
            }
        }
        QVERIFY(changed > 0);
        // A forced EOS ends the output; an id outside the vocabulary is refused by name.
        DecodingOptions o;
        o.forced_prefix = {Seq2SeqIds::EOS};
        QVERIFY(decode(net(), m_sources[0], o).best().tokens.empty());
        o.forced_prefix = {net().config().tgt_vocab_size};
        try {
            decode(net(), m_sources[0], o);
            QFAIL("out-of-vocabulary forced token accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("forced_prefix[0]") == 0);
        }
    }

    void decoding_trace_round_trips_through_json()
    {
        DecodingOptions o;
        o.strategy = DecodingStrategy::Sample;
        o.top_k = 5;
        o.seed = 77;
        o.forced_prefix = {m_trainer->model().tgt_vocab.id("i")};
        Trace t;
        translate(m_trainer->model(), "我爱你。", o, &t);
        const nlohmann::json j = trace_to_json(t);
        QCOMPARE(QString::fromStdString(j["decoding"]["strategy"].get<std::string>()), QString("sample"));
        QCOMPARE(j["decoding"]["top_k"].get<int>(), 5);
        QCOMPARE(j["decoding"]["steps"][0]["forced"].get<bool>(), true);
        const Trace back = trace_from_json(nlohmann::json::parse(j.dump()), "t.json");
        QCOMPARE(back.decoding.steps.size(), t.decoding.steps.size());
        QCOMPARE(back.decoding.seed, uint64_t(77));
        for (size_t s = 0; s < t.decoding.steps.size(); ++s) {
            const DecodingStep &a = t.decoding.steps[s], &b = back.decoding.steps[s];
            QCOMPARE(b.top_tokens, a.top_tokens);
            QCOMPARE(b.token, a.token);
            QCOMPARE(b.top_probs, a.top_probs);
            QCOMPARE(b.cross.size(), a.cross.size());
            QVERIFY((b.cross[0][1] - a.cross[0][1]).cwiseAbs().maxCoeff() < 1e-6);
        }
        nlohmann::json bad = j;
        bad["decoding"]["steps"][0]["cross"][0][0].erase(0);
        try {
            trace_from_json(bad, "t.json");
            QFAIL("short cross row accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("t.json: 'decoding' step 0: 'cross'[0][0]") == 0);
        }
    }

    void eval_bleu_uses_the_chosen_decoding()
    {
        DecodingOptions beam;
        beam.strategy = DecodingStrategy::Beam;
        beam.beam_width = 1;
        std::vector<std::string> greedy_samples, beam_samples, sample_samples;
        const BleuResult g = m_trainer->test_bleu(0, &greedy_samples);
        const BleuResult b = m_trainer->test_bleu(0, &beam_samples, beam);
        QCOMPARE(beam_samples, greedy_samples); // width 1 = greedy
        QCOMPARE(b.bleu, g.bleu);
        DecodingOptions sample;
        sample.strategy = DecodingStrategy::Sample;
        sample.temperature = 2.0;
        m_trainer->test_bleu(0, &sample_samples, sample);
        QVERIFY(sample_samples != greedy_samples);
    }

    // --- scheduled sampling -----------------------------------------------------------------

    void scheduled_sampling_schedules()
    {
        TrainConfig tc;
        QCOMPARE(scheduled_sampling_probability(tc, 100), 0.0); // off
        tc.scheduled_sampling = "constant";
        tc.scheduled_sampling_p = 0.3;
        QCOMPARE(scheduled_sampling_probability(tc, 1), 0.3);
        QCOMPARE(scheduled_sampling_probability(tc, 100000), 0.3);
        tc.scheduled_sampling = "linear";
        tc.scheduled_sampling_k = 200;
        QCOMPARE(scheduled_sampling_probability(tc, 0), 0.0);
        QCOMPARE(scheduled_sampling_probability(tc, 20), 0.1);
        QCOMPARE(scheduled_sampling_probability(tc, 1000), 0.3);
        tc.scheduled_sampling = "inverse_sigmoid";
        tc.scheduled_sampling_p = 1.0;
        tc.scheduled_sampling_k = 10;
        // Bengio et al. 2015: eps_i = k / (k + exp(i / k)); p = 1 - eps_i rises from ~0 to 1.
        QVERIFY(std::abs(scheduled_sampling_probability(tc, 0) - (1 - 10.0 / 11.0)) < 1e-12);
        QVERIFY(std::abs(scheduled_sampling_probability(tc, 23) - (1 - 10.0 / (10 + std::exp(2.3)))) < 1e-12);
        QVERIFY(scheduled_sampling_probability(tc, 100) > 0.99);
        QCOMPARE(scheduled_sampling_probability(tc, 1000000), 1.0);

        // Bad values name their key.
        auto refused = [](TrainConfig c, const char* key) {
            try {
                c.validate();
                return false;
            } catch (const Error& e) {
                return std::string(e.what()).find(key) == 0;
            }
        };
        TrainConfig c;
        c.scheduled_sampling = "cosine";
        QVERIFY(refused(c, "scheduled_sampling must"));
        c.scheduled_sampling = "constant";
        c.scheduled_sampling_p = 1.5;
        QVERIFY(refused(c, "scheduled_sampling_p"));
        c.scheduled_sampling_p = 0.5;
        c.scheduled_sampling = "inverse_sigmoid";
        c.scheduled_sampling_k = 0.5;
        QVERIFY(refused(c, "scheduled_sampling_k"));
    }

    void scheduled_sampling_p1_feeds_argmax_predictions()
    {
        const TranslationModel& m = m_trainer->model();
        std::vector<EncodedPair> pairs;
        for (const auto& p : test::first_cmn_pairs(40))
            pairs.push_back({m.src_vocab.encode(m.src_tokenizer.tokenize(p.src)),
                             m.tgt_vocab.encode(m.tgt_tokenizer.tokenize(p.tgt))});
        std::vector<const EncodedPair*> ptrs;
        for (const auto& p : pairs)
            ptrs.push_back(&p);
        const Batch batch = make_batch(ptrs);
        Seq2SeqActivations act;
        m.net.forward(batch, act, false, nullptr);
        Rng rng(1);
        int64_t replaced = 0;
        const Batch mixed = scheduled_sampling_batch(m.net, batch, 1.0, rng, &replaced);
        int64_t differ = 0;
        for (int b = 0; b < batch.B; ++b)
            for (int t = 0; t < batch.T; ++t) {
                const size_t i = size_t(b) * size_t(batch.T) + size_t(t);
                if (t == 0 || t >= batch.tgt_len[size_t(b)]) {
                    QCOMPARE(mixed.tgt_in[i], batch.tgt_in[i]); // BOS and PAD stay
                    continue;
                }
                Eigen::Index arg;
                act.logits.row(Eigen::Index(i) - 1).maxCoeff(&arg);
                QCOMPARE(mixed.tgt_in[i], int(arg));
                differ += mixed.tgt_in[i] != batch.tgt_in[i];
            }
        QCOMPARE(mixed.tgt_out, batch.tgt_out);
        QCOMPARE(mixed.src, batch.src);
        QCOMPARE(replaced, differ);
        QVERIFY(differ > 0); // the model is not perfect yet, so inputs really change
        // p = 0 changes nothing.
        QVERIFY(scheduled_sampling_batch(m.net, batch, 0.0, rng).tgt_in == batch.tgt_in);
    }

    void scheduled_sampling_p0_is_teacher_forcing()
    {
        CorpusSplits data;
        data.train = test::first_cmn_pairs(200);
        auto run = [&](const std::string& schedule, double p) {
            ModelConfig mc;
            mc.d_model = 16;
            mc.nhead = 2;
            mc.num_encoder_layers = mc.num_decoder_layers = 1;
            mc.dim_feedforward = 32;
            mc.dropout = 0.1; // dropout on: the first pass must not disturb its random stream
            TrainConfig tc;
            tc.seed = 5;
            tc.max_tokens = 300;
            tc.scheduled_sampling = schedule;
            tc.scheduled_sampling_p = p;
            Trainer t(data, mc, tc, DataOptions{});
            std::vector<double> losses;
            int64_t sampled = 0;
            for (int i = 0; i < 12; ++i) {
                const StepStats s = t.train_step();
                losses.push_back(s.loss);
                sampled += s.sampled_inputs;
                if (s.sampling_prob != (schedule == "off" ? 0.0 : p))
                    sampled = -1000000; // reported p differs from the schedule's
            }
            return std::make_pair(losses, sampled);
        };
        const auto plain = run("off", 0.0), zero = run("constant", 0.0), half = run("constant", 0.5);
        QVERIFY(plain.first == zero.first); // bit-identical loss curve
        QCOMPARE(zero.second, int64_t(0));
        QVERIFY(half.second > 0);
        QVERIFY(half.first != plain.first);
    }
};

QTEST_APPLESS_MAIN(DecodingTest)
#include "test_decoding.moc"
