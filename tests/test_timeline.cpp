// SPDX-License-Identifier: GPL-3.0-or-later
// The training timeline (engine/trace/timeline.h, engine/io/timeline_file.h): the schedule (dense
// early, sparse late, thinned under the memory bound, which holds), entropy and pattern agreement
// worked by hand, the files in a model directory (round trip, refusals naming file and field, a
// timeline that does not fit the model), and the probes of a translation model.
#include "engine/core/error.h"
#include "engine/data/algorithmic_tasks.h"
#include "engine/io/model_dir.h"
#include "engine/io/safetensors.h"
#include "engine/io/timeline_file.h"
#include "engine/models/config.h"
#include "engine/models/translation_model.h"
#include "engine/trace/timeline.h"
#include "engine/train/trainer.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace al;

namespace {

// A frame of one encoder layer of `heads` heads over n tokens, every map uniform.
TimelineFrame uniformFrame(int n, int heads = 2)
{
    TimelineFrame f;
    for (int i = 0; i < n; ++i)
        f.src_tokens.push_back("t" + std::to_string(i));
    f.maps[size_t(AttentionKind::EncoderSelf)].assign(1, std::vector<MapF>(size_t(heads), MapF::Constant(n, n, 1.0f / float(n))));
    return f;
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
void writeAll(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT
private slots:
    void scheduleIsDenseEarlyAndSparseLate()
    {
        const TimelineSchedule s; // 8 per octave, max gap 256
        for (int64_t step = 0; step <= 16; ++step)
            QVERIFY2(s.due(step), qPrintable(QString::number(step)));
        QCOMPARE(s.gap(16), int64_t(2));
        QVERIFY(s.due(18) && !s.due(17));
        QCOMPARE(s.gap(1000), int64_t(64));
        QCOMPARE(s.gap(5000), int64_t(256));   // capped: 4096 / 8 = 512 > 256
        int64_t early = 0, late = 0;
        for (int64_t step = 0; step < 100000; ++step) {
            if (!s.due(step)) continue;
            (step < 1000 ? early : late)++;
        }
        // Steps 0..16, 18..30 every 2, then 8 per octave (32-64, ..., 256-512, and 512, 576, ..., 960).
        QCOMPARE(early, int64_t(17 + 7 + 4 * 8 + 8));
        // 8 in 1024-2048 and in 2048-4096, then one every 256 steps.
        QCOMPARE(late, int64_t(8 + 8 + (100000 - 4096 + 255) / 256));
        // The first 1000 steps hold over ten times more records per step than the 99,000 after them.
        QVERIFY(double(early) / 1000 > 10 * double(late) / 99000);
    }

    void thinningKeepsASubsetAndEndsAtThePowersOfTwo()
    {
        TimelineSchedule s;
        const int64_t last = 3000;
        for (int round = 0; round < 30; ++round) {
            TimelineSchedule thinner = s;
            if (!thinner.thin(last)) {
                QCOMPARE(s.per_octave, 1);
                for (int64_t step = 1; step <= last; ++step)
                    QCOMPARE(s.due(step), (step & (step - 1)) == 0);
                return;
            }
            for (int64_t step = 0; step <= last; ++step)
                if (thinner.due(step)) QVERIFY2(s.due(step), qPrintable(QString("step %1 round %2").arg(step).arg(round)));
            s = thinner;
        }
        QFAIL("thin() never reached the sparsest schedule");
    }

    void memoryBoundHoldsWhileTheScheduleThins()
    {
        const size_t perRecord = uniformFrame(10).bytes();
        QCOMPARE(perRecord, size_t(10 * (2 + kTimelineTokenOverhead) + 2 * 100 * 4));
        const size_t bound = 40 * perRecord;
        TrainingTimeline t({TimelineProbe{"a", {}, {}}}, TimelineSchedule{}, bound);
        int64_t taken = 0;
        for (int64_t step = 0; step <= 20000; ++step) {
            if (!t.due(step)) continue;
            if (t.add(step, 1.0 / double(step + 1), {uniformFrame(10)})) ++taken;
            QVERIFY(t.bytes() <= bound);
        }
        QVERIFY(t.schedule().per_octave < 8);         // it had to thin
        QVERIFY(t.records().size() > 20);             // ... and still records
        QCOMPARE(t.records().back()->step >= 16384, true);
        QCOMPARE(t.refused(), int64_t(0));
        for (const auto& r : t.records()) QVERIFY(t.schedule().due(r->step));
        size_t sum = 0;
        for (const auto& r : t.records()) sum += r->bytes();
        QCOMPARE(t.bytes(), sum);
        // Early steps stay dense after thinning: steps 0, 1, 2 and 4 are always kept.
        QCOMPARE(t.records()[0]->step, int64_t(0));
        QCOMPARE(t.records()[1]->step, int64_t(1));
        QCOMPARE(t.nearest(1 << 30), int(t.records().size()) - 1);
        TrainingTimeline even({TimelineProbe{"a", {}, {}}});
        for (int64_t step : {0, 2, 4}) even.add(step, NAN, {uniformFrame(2)});
        QCOMPARE(even.nearest(3), 1);                  // steps 2 and 4 are equally near: the earlier
        QCOMPARE(even.nearest(4), 2);
        QCOMPARE(even.nearest(-5), 0);
        QCOMPARE(TrainingTimeline().nearest(3), -1);

        // A record larger than the bound is refused and counted.
        TrainingTimeline tiny({TimelineProbe{"a", {}, {}}}, TimelineSchedule{}, perRecord / 2);
        QVERIFY(!tiny.add(0, NAN, {uniformFrame(10)}));
        QCOMPARE(tiny.refused(), int64_t(1));
        QVERIFY(tiny.empty());
        QVERIFY(!errorOf([&] { t.add(0, 0, {uniformFrame(10)}); }).empty()); // not after the last
    }

    void entropyAndAgreementByHand()
    {
        MapF uniform = MapF::Constant(4, 4, 0.25f);
        QVERIFY(std::abs(attention_entropy(uniform) - std::log(4.0)) < 1e-6);
        MapF eye = MapF::Identity(3, 3);
        QCOMPARE(attention_entropy(eye), 0.0);
        QCOMPARE(pattern_agreement(eye, AttentionKind::EncoderSelf, TimelinePattern::Diagonal), 1.0);
        QCOMPARE(pattern_agreement(eye, AttentionKind::EncoderSelf, TimelinePattern::Previous), 0.0);
        QVERIFY(std::abs(pattern_agreement(eye, AttentionKind::EncoderSelf, TimelinePattern::First) - 1.0 / 3) < 1e-9);
        // Rows: [1 0 0], [0.5 0.5 0], [0 0.75 0.25].
        MapF m(3, 3);
        m << 1, 0, 0, 0.5f, 0.5f, 0, 0, 0.75f, 0.25f;
        const double h = (0 + std::log(2.0) + -(0.75 * std::log(0.75) + 0.25 * std::log(0.25))) / 3;
        QVERIFY(std::abs(attention_entropy(m) - h) < 1e-6);
        QVERIFY(std::abs(pattern_agreement(m, AttentionKind::DecoderSelf, TimelinePattern::Diagonal) - (1 + 0.5 + 0.25) / 3) < 1e-6);
        QVERIFY(std::abs(pattern_agreement(m, AttentionKind::DecoderSelf, TimelinePattern::Previous) - (0.5 + 0.75) / 2) < 1e-6);
        QVERIFY(std::abs(pattern_agreement(m, AttentionKind::DecoderSelf, TimelinePattern::First) - 1.5 / 3) < 1e-6);
        // Diagonal and previous do not apply to cross-attention; alignment only there.
        QVERIFY(std::isnan(pattern_agreement(m, AttentionKind::Cross, TimelinePattern::Diagonal)));
        QVERIFY(std::isnan(pattern_agreement(m, AttentionKind::EncoderSelf, TimelinePattern::Alignment, MapF::Identity(3, 3))));
        // Reverse alignment of two symbols + EOS row/column (all zero): rows 0 and 1 count.
        MapF align = MapF::Zero(3, 3);
        align(0, 1) = 1;
        align(1, 0) = 1;
        QVERIFY(std::abs(pattern_agreement(m, AttentionKind::Cross, TimelinePattern::Alignment, align) - (0 + 0.5) / 2) < 1e-6);
        QVERIFY(std::isnan(pattern_agreement(m, AttentionKind::Cross, TimelinePattern::Alignment, MapF::Zero(2, 3))));
        const HeadFigures f = head_figures(m, AttentionKind::Cross, align);
        QVERIFY(std::isnan(f.agreement[size_t(TimelinePattern::Diagonal)]));
        QVERIFY(std::abs(f.agreement[size_t(TimelinePattern::Alignment)] - 0.25) < 1e-6);
    }

    void filesRoundTripInAModelDirectory()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const TrainingTimeline t = smallTimeline();
        write_model_timeline(dir, &t);
        QVERIFY(has_model_timeline(dir));
        ModelConfig cfg;
        cfg.nhead = 2;
        const TrainingTimeline back = read_model_timeline(dir, cfg);
        QCOMPARE(back.records().size(), t.records().size());
        QCOMPARE(back.probes().size(), size_t(2));
        QCOMPARE(back.probes()[1].reference, std::string("b c"));
        QVERIFY(back.probes()[1].alignment.isApprox(t.probes()[1].alignment));
        QCOMPARE(back.schedule().per_octave, t.schedule().per_octave);
        QCOMPARE(back.bytes(), t.bytes());
        for (size_t i = 0; i < t.records().size(); ++i) {
            const TimelineRecord &a = *t.records()[i], &b = *back.records()[i];
            QCOMPARE(b.step, a.step);
            QCOMPARE(std::isnan(b.loss), std::isnan(a.loss));
            if (!std::isnan(a.loss)) QCOMPARE(b.loss, a.loss);
            for (size_t p = 0; p < a.frames.size(); ++p) {
                QCOMPARE(b.frames[p].src_tokens, a.frames[p].src_tokens);
                QCOMPARE(b.frames[p].tgt_in_tokens, a.frames[p].tgt_in_tokens);
                for (size_t k = 0; k < 3; ++k) {
                    QCOMPARE(b.frames[p].maps[k].size(), a.frames[p].maps[k].size());
                    for (size_t l = 0; l < a.frames[p].maps[k].size(); ++l)
                        for (size_t h = 0; h < a.frames[p].maps[k][l].size(); ++h)
                            QVERIFY(b.frames[p].maps[k][l][h] == a.frames[p].maps[k][l][h]);
                }
            }
        }
        // Saving without a timeline removes the old one.
        write_model_timeline(dir, nullptr);
        QVERIFY(!has_model_timeline(dir));
        std::string problem;
        QVERIFY(!load_model_timeline(dir, cfg, &problem));
        QVERIFY(problem.empty());
    }

    /// attention-lab convert (convert_model_dir) keeps the timeline, its maps stored as the
    /// weights are (float16: rounded by at most 2^-12 in [0, 1]), and refuses one that does not
    /// fit the model before it writes anything.
    void convertKeepsTheTimeline()
    {
        QTemporaryDir tmp;
        const std::string fixture = std::string(AL_SOURCE_DIR) + "/tests/fixtures/models/translate";
        const std::string a = tmp.filePath("a").toStdString(), b = tmp.filePath("b").toStdString();
        convert_model_dir(fixture, a, StorageDtype::F32);
        QVERIFY(!has_model_timeline(a)); // the fixture has none
        const TrainingTimeline t = smallTimeline();
        write_model_timeline(a, &t);
        const std::string a2 = tmp.filePath("a2").toStdString();
        convert_model_dir(a, a2, StorageDtype::F32);
        for (const char* f : {"/timeline.json", "/timeline.safetensors"})
            QVERIFY2(readAll(a2 + f) == readAll(a + f), f); // float32 to float32: the same files
        convert_model_dir(a, b, StorageDtype::F16);
        QVERIFY(has_model_timeline(b));
        QVERIFY(readAll(b + "/timeline.json") == readAll(a + "/timeline.json"));
        QCOMPARE(read_safetensors_dtypes(b + "/timeline.safetensors").begin()->second, StorageDtype::F16);
        ModelConfig cfg;
        cfg.nhead = 2;
        const TrainingTimeline half = read_model_timeline(b, cfg);
        QCOMPARE(half.records().size(), t.records().size());
        float worst = 0;
        for (size_t i = 0; i < t.records().size(); ++i)
            for (size_t p = 0; p < t.records()[i]->frames.size(); ++p)
                for (size_t k = 0; k < 3; ++k)
                    for (size_t l = 0; l < t.records()[i]->frames[p].maps[k].size(); ++l)
                        for (size_t h = 0; h < t.records()[i]->frames[p].maps[k][l].size(); ++h)
                            worst = std::max(worst, (half.records()[i]->frames[p].maps[k][l][h] -
                                                     t.records()[i]->frames[p].maps[k][l][h]).cwiseAbs().maxCoeff());
        QVERIFY2(worst <= 1.0f / 4096, qPrintable(QString::number(worst)));
        // A timeline of 3 heads does not fit the fixture's nhead 2: refused, nothing written.
        TrainingTimeline w({TimelineProbe{"a b", {}, {}}});
        QVERIFY(w.add(0, NAN, {uniformFrame(3, 3)}));
        write_model_timeline(a, &w);
        const std::string c = tmp.filePath("c").toStdString();
        const std::string e = errorOf([&] { convert_model_dir(a, c, StorageDtype::F16); });
        QVERIFY2(e.find("timeline.json") != std::string::npos && e.find("nhead 2") != std::string::npos, e.c_str());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(c)));
    }

    void badFilesAreRefusedNamingFileAndField()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const TrainingTimeline t = smallTimeline();
        write_model_timeline(dir, &t);
        const std::string jsonPath = dir + "/timeline.json", tensors = dir + "/timeline.safetensors";
        const std::string json = readAll(jsonPath), st = readAll(tensors);
        ModelConfig cfg;
        cfg.nhead = 2;
        auto refusal = [&](const std::string& badJson, const std::string& badTensors) {
            writeAll(jsonPath, badJson);
            writeAll(tensors, badTensors);
            std::string problem;
            const auto loaded = load_model_timeline(dir, cfg, &problem);
            writeAll(jsonPath, json);
            writeAll(tensors, st);
            return loaded ? std::string() : problem;
        };
        auto replaced = [&](const std::string& from, const std::string& to) {
            std::string s = json;
            const size_t at = s.find(from);
            if (at == std::string::npos) qFatal("'%s' not in timeline.json", from.c_str());
            return s.replace(at, from.size(), to);
        };
        std::string e = refusal(replaced("\"heads\":2", "\"heads\":9999"), st);
        QVERIFY2(e.find("timeline.json: records[0].frames[0].heads: 9999 is not in [0, 256]") != std::string::npos, e.c_str());
        e = refusal(replaced("\"format\":\"attention-lab-timeline\"", "\"format\":\"x\""), st);
        QVERIFY2(e.find("timeline.json: format") != std::string::npos, e.c_str());
        e = refusal(replaced("\"step\":1", "\"step\":-1"), st);
        QVERIFY2(e.find("records[1].step: -1 is not in") != std::string::npos, e.c_str());
        e = refusal(replaced("\"step\":1", "\"step\":0"), st);
        QVERIFY2(e.find("record steps must increase") != std::string::npos, e.c_str());
        e = refusal(replaced("\"layers\":[1,0,0]", "\"layers\":[200,0,0]"), st);
        QVERIFY2(e.find("claim") != std::string::npos && e.find("bytes of maps") != std::string::npos, e.c_str());
        e = refusal(json, st.substr(0, st.size() - 8));
        QVERIFY2(e.find("timeline.safetensors") != std::string::npos, e.c_str());
        e = refusal("{\"format\": ", st);
        QVERIFY2(e.find("timeline.json") != std::string::npos, e.c_str());
        // A value that is no attention weight.
        {
            std::map<std::string, Tensor32> m = read_safetensors(tensors);
            m.begin()->second.data[0] = -1;
            write_safetensors(dir + "/bad.safetensors", m);
            e = refusal(json, readAll(dir + "/bad.safetensors"));
            QVERIFY2(e.find("not a finite attention weight") != std::string::npos, e.c_str());
        }
        // A timeline of another model: more heads than the model has.
        ModelConfig other;
        other.nhead = 4;
        QVERIFY(errorOf([&] { read_model_timeline(dir, other); }).find("records[0].frames[0].heads: 2 heads, the model has nhead 4") !=
                std::string::npos);
        QVERIFY(load_model_timeline(dir, cfg, &e)); // the good files load again
    }

    void translationProbesAreTeacherForcedWithTheAlignment()
    {
        AlgorithmicTaskConfig task;
        task.task = AlgorithmicTask::Reverse;
        task.vocab = 6;
        task.min_len = 3;
        task.max_len = 6;
        task.train_size = 50;
        task.valid_size = 20;
        task.test_size = 20;
        const CorpusSplits splits = generate_algorithmic_splits(task);
        ModelConfig mc = algorithmic_model_defaults();
        mc.d_model = 16;
        mc.nhead = 2;
        mc.num_encoder_layers = mc.num_decoder_layers = 1;
        mc.dim_feedforward = 16;
        TrainConfig tc = algorithmic_train_defaults(task);
        tc.max_len = task.max_len;
        Trainer trainer(splits, mc, tc, algorithmic_data_options());
        const std::vector<TimelineProbe> probes =
            translation_timeline_probes(trainer.model(), {"1 2 3", ""}, splits.valid, 2, &task.task);
        QCOMPARE(probes.size(), size_t(3)); // the empty text is left out
        QVERIFY(probes[0].reference.empty() && probes[0].alignment.size() == 0);
        const TimelineProbe& p = probes[1];
        QVERIFY(!p.reference.empty());
        const int n = int(symbols_from_text(p.text).size());
        QCOMPARE(int(p.alignment.rows()), n + 1);
        QCOMPARE(p.alignment(0, n - 1), 1.0f); // reverse: output 0 reads the last source symbol
        QCOMPARE(p.alignment.sum(), float(n));
        const TimelineFrame f = timeline_frame(trainer.model(), p);
        QCOMPARE(int(f.src_tokens.size()), n + 1);
        QCOMPARE(int(f.tgt_in_tokens.size()), n + 1);
        QCOMPARE(f.tgt_in_tokens.front(), std::string("<bos>"));
        const MapF& cross = f.kind(AttentionKind::Cross)[0][1];
        QCOMPARE(int(cross.rows()), n + 1);
        QCOMPARE(int(cross.cols()), n + 1);
        QVERIFY(std::abs(cross.row(0).sum() - 1.0f) < 1e-5f);
        QVERIFY(std::isfinite(pattern_agreement(cross, AttentionKind::Cross, TimelinePattern::Alignment, p.alignment)));
        // The decoded probe (no reference) records the model's own output.
        const TimelineFrame g = timeline_frame(trainer.model(), probes[0]);
        QCOMPARE(g.src_tokens.size(), size_t(4));
        QCOMPARE(g.kind(AttentionKind::EncoderSelf).size(), size_t(1));
    }

private:
    static TrainingTimeline smallTimeline()
    {
        MapF align = MapF::Zero(3, 3);
        align(0, 1) = align(1, 0) = 1;
        TrainingTimeline t({TimelineProbe{"a b", {}, {}}, TimelineProbe{"c d", "b c", align}});
        for (int64_t step : {0, 1, 2, 4}) {
            TimelineFrame a = uniformFrame(3);
            a.maps[0][0][1](0, 0) = 0.5f + 0.1f * float(step);
            TimelineFrame b;
            b.src_tokens = {"c", "d", "<eos>"};
            b.tgt_in_tokens = {"<bos>", "b", "c"};
            b.tgt_out_tokens = {"b", "c", "<eos>"};
            for (size_t k = 0; k < 3; ++k)
                b.maps[k].assign(1, std::vector<MapF>(2, MapF::Constant(3, 3, 1.0f / 3)));
            a.maps[0].clear(); // a frame of the first probe without maps in one record ...
            if (step != 2) a = uniformFrame(3);
            if (!t.add(step, step == 0 ? NAN : 2.0 / double(step), {a, b}))
                qFatal("the small timeline refused step %d", int(step));
        }
        return t;
    }
};

QTEST_GUILESS_MAIN(TestTimeline)
#include "test_timeline.moc"
