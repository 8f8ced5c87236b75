// SPDX-License-Identifier: GPL-3.0-or-later
// Crash safety of checkpoints: the directory-level atomic save (engine/io/atomic_dir.h) under
// SIGKILL at random moments of a real trainer save in a child process, its stale-directory
// clean-up and refusals, and the trainer state (trainer_state.json) that lets a resumed run
// continue the uninterrupted run's steps exactly.
#include "engine/core/error.h"
#include "engine/data/task_data.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/checkpoint.h"
#include "engine/io/safetensors.h"
#include "engine/models/task_models.h"
#include "engine/models/translation_model.h"
#include "engine/train/task_trainer.h"
#include "engine/train/trainer.h"
#include "engine/train/trainer_state.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <csignal>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace al;
namespace fs = std::filesystem;

namespace {

/// Every regular file under `dir` by its relative path, with its bytes.
std::map<std::string, std::string> readTree(const std::string& dir)
{
    std::map<std::string, std::string> out;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            out[fs::relative(e.path(), dir).string()] = read_file(e.path().string());
    return out;
}

/// The names in `dir` that start with '.'.
std::vector<std::string> hiddenEntries(const std::string& dir)
{
    std::vector<std::string> out;
    for (const fs::directory_entry& e : fs::directory_iterator(dir))
        if (e.path().filename().string()[0] == '.')
            out.push_back(e.path().filename().string());
    return out;
}

/// The names of the files in which `a` and `b` differ (present in one only, or other bytes).
std::string differences(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b)
{
    std::string out;
    for (const auto& [name, bytes] : a)
        if (!b.count(name) || b.at(name) != bytes)
            out += name + " ";
    for (const auto& kv : b)
        if (!a.count(kv.first))
            out += kv.first + " ";
    return out;
}

void writeText(const std::string& path, const std::string& text) { atomic_write_file(path, text); }

/// The pid of a process that has ended (a reaped child).
pid_t deadPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

TaskCorpus charlmCorpus()
{
    TaskCorpus corpus;
    corpus.task = "charlm";
    std::string text;
    for (int i = 0; i < 12; ++i)
        text += "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer\n";
    corpus.lm_train = text;
    corpus.lm_valid = "To be, or not to be, that is the question.\n";
    return corpus;
}

ModelConfig tinyTaskConfig(const std::string& task)
{
    ModelConfig c = default_task_config(task);
    c.d_model = 32;
    c.nhead = 2;
    c.dim_feedforward = 64;
    c.dropout = 0.1;
    c.max_len = task == "charlm" ? 16 : 24;
    return c;
}

TrainConfig tinyTrain(const std::string& task, int max_tokens)
{
    TrainConfig t = default_task_train_config(task);
    t.threads = 1;
    t.max_tokens = max_tokens;
    t.warmup_steps = 10;
    t.seed = 11;
    return t;
}

TaskCorpus mlmCorpus()
{
    TaskCorpus corpus;
    corpus.task = "mlm";
    const char* words[] = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "red", "house", "we"};
    std::mt19937 gen(3);
    for (int split = 0; split < 3; ++split)
        for (int i = 0; i < (split == 0 ? 60 : 8); ++i) {
            std::string a, b;
            for (int w = 0; w < 5; ++w) {
                a += std::string(w ? " " : "") + words[gen() % 12];
                b += std::string(w ? " " : "") + words[gen() % 12];
            }
            corpus.sentence_pairs[split].emplace_back(a, b);
        }
    return corpus;
}

CorpusSplits translationCorpus()
{
    const char* subj[][2] = {{"I", "我"}, {"You", "你"}, {"He", "他"}, {"She", "她"}, {"Tom", "汤姆"}};
    const char* verb[][2] = {{"like", "喜欢"}, {"see", "看见"}, {"want", "想要"}, {"have", "有"}};
    const char* obj[][2] = {{"apples", "苹果"}, {"books", "书"}, {"cats", "猫"}, {"tea", "茶"}};
    CorpusSplits s;
    int i = 0;
    for (auto& a : subj)
        for (auto& v : verb)
            for (auto& o : obj) {
                SentencePair p{std::string(a[1]) + v[1] + o[1] + "。", std::string(a[0]) + " " + v[0] + " " + o[0] + "."};
                (i % 10 == 0 ? s.valid : i % 10 == 1 ? s.test : s.train).push_back(p);
                ++i;
            }
    return s;
}

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT
private slots:
    void savesKeepOtherFilesAndReplaceWhole()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ckpt").toStdString();
        atomic_write_dir(dir, [](const std::string& s) {
            writeText(s + "/a.txt", "one\n");
            writeText(s + "/b.txt", "two\n");
        });
        QCOMPARE(readTree(dir), (std::map<std::string, std::string>{{"a.txt", "one\n"}, {"b.txt", "two\n"}}));
        // A second save replaces what it writes and keeps the rest (hard links of the old files).
        atomic_write_dir(dir, [](const std::string& s) {
            QCOMPARE(read_file(s + "/b.txt"), std::string("two\n"));
            writeText(s + "/a.txt", "three\n");
        });
        QCOMPARE(readTree(dir), (std::map<std::string, std::string>{{"a.txt", "three\n"}, {"b.txt", "two\n"}}));
        QVERIFY(hiddenEntries(tmp.path().toStdString()).empty());
        // The temporary of an interrupted file write is not carried into the next checkpoint.
        writeText(dir + "/.a.txt.123.0.77.tmp", "half");
        atomic_write_dir(dir, [](const std::string&) {});
        QCOMPARE(readTree(dir), (std::map<std::string, std::string>{{"a.txt", "three\n"}, {"b.txt", "two\n"}}));
    }

    void aFailedSaveLeavesTheDirectoryAsItWas()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ckpt").toStdString();
        atomic_write_dir(dir, [](const std::string& s) { writeText(s + "/a.txt", "one\n"); });
        const auto before = readTree(dir);
        try {
            atomic_write_dir(dir, [](const std::string& s) {
                writeText(s + "/a.txt", "half\n");
                throw Error("disk full");
            });
            QFAIL("the save did not pass the error on");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), std::string("disk full"));
        }
        QCOMPARE(readTree(dir), before);
        QVERIFY(hiddenEntries(tmp.path().toStdString()).empty());
        // A file where the directory should be is refused by name.
        const std::string file = tmp.filePath("plain").toStdString();
        writeText(file, "x");
        try {
            atomic_write_dir(file, [](const std::string&) {});
            QFAIL("a file was replaced by a directory");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("'" + file + "': it exists and is not a directory") != std::string::npos,
                     e.what());
        }
    }

    void unwritableParentIsRefused()
    {
        if (::geteuid() == 0) {
            // Root writes into a read-only directory; /proc takes no new directory from anyone.
            try {
                atomic_write_dir("/proc/attention-lab-ckpt", [](const std::string& s) { writeText(s + "/a.txt", "x"); });
                QFAIL("a save into /proc succeeded");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("cannot save '/proc/attention-lab-ckpt': cannot create the staging "
                                                    "directory '/proc/.attention-lab-ckpt.saving-")
                             != std::string::npos,
                         e.what());
                QVERIFY2(std::string(e.what()).find("the parent directory must be writable") != std::string::npos, e.what());
            }
            return;
        }
        QTemporaryDir tmp;
        const std::string parent = tmp.filePath("ro").toStdString();
        atomic_write_dir(parent + "/ckpt", [](const std::string& s) { writeText(s + "/a.txt", "one\n"); });
        QVERIFY(::chmod(parent.c_str(), 0555) == 0);
        try {
            atomic_write_dir(parent + "/ckpt", [](const std::string& s) { writeText(s + "/a.txt", "two\n"); });
            ::chmod(parent.c_str(), 0755);
            QFAIL("a save into a directory whose parent is read-only succeeded");
        } catch (const Error& e) {
            ::chmod(parent.c_str(), 0755);
            QVERIFY2(std::string(e.what()).find("the parent directory must be writable") != std::string::npos, e.what());
        }
        QCOMPARE(read_file(parent + "/ckpt/a.txt"), std::string("one\n"));
    }

    void staleStagingDirectoriesAreCleanedUp()
    {
        QTemporaryDir tmp;
        const std::string parent = tmp.path().toStdString(), dir = parent + "/ckpt";
        atomic_write_dir(dir, [](const std::string& s) { writeText(s + "/a.txt", "one\n"); });
        const std::string dead = "." + std::string("ckpt.saving-") + std::to_string(deadPid()) + "-0";
        const std::string live = ".ckpt.saving-" + std::to_string(::getpid()) + "-999";
        const std::string other = ".other.saving-" + std::to_string(deadPid()) + "-0"; // another target's
        for (const std::string& d : {dead, live, other}) {
            fs::create_directory(parent + "/" + d);
            writeText(parent + "/" + d + "/a.txt", "partial");
            QVERIFY(is_staging_dir_name(d));
        }
        QVERIFY(!is_staging_dir_name("ckpt"));
        QVERIFY(!is_staging_dir_name(".ckpt.saving-12x-0"));
        atomic_write_dir(dir, [](const std::string& s) { writeText(s + "/a.txt", "two\n"); });
        QCOMPARE(read_file(dir + "/a.txt"), std::string("two\n"));
        std::vector<std::string> left = hiddenEntries(parent);
        std::sort(left.begin(), left.end());
        std::vector<std::string> expected{live, other};
        std::sort(expected.begin(), expected.end());
        QCOMPARE(left, expected);

        // A save killed between the two renames of the fallback (no RENAME_EXCHANGE) leaves the
        // target absent and the complete previous checkpoint aside: it is renamed back.
        fs::remove_all(dir);
        const std::string previous = parent + "/.ckpt.previous-" + std::to_string(deadPid()) + "-3";
        fs::create_directory(previous);
        writeText(previous + "/a.txt", "previous\n");
        QCOMPARE(remove_stale_staging_dirs(dir), 0);
        QCOMPARE(read_file(dir + "/a.txt"), std::string("previous\n"));
        QVERIFY(!fs::exists(previous));
    }

    void sigkillDuringSaveLeavesOneWholeCheckpoint()
    {
        // Two trainer states one step apart; each child process saves the one the directory does
        // not hold, and is killed at a random moment of the save.
        const TaskCorpus corpus = charlmCorpus();
        const TaskModel model = new_task_model(corpus, tinyTaskConfig("charlm"), 1, 5);
        TaskTrainer a(model, encode_task_corpus(model, corpus), tinyTrain("charlm", 128));
        TaskTrainer b(model, encode_task_corpus(model, corpus), tinyTrain("charlm", 128));
        a.train_step();
        b.train_step();
        b.train_step();

        QTemporaryDir tmp;
        const std::string parent = tmp.filePath("models").toStdString(), dir = parent + "/ckpt";
        const std::string refB = tmp.filePath("ref").toStdString() + "/ckpt";
        for (const std::string& d : {dir, refB}) {
            fs::create_directories(d);
            writeText(d + "/notes.txt", "a file the save does not write\n");
        }
        a.save(dir);
        b.save(refB);
        const std::map<std::string, std::string> stateA = readTree(dir), stateB = readTree(refB);
        QVERIFY2(stateA.count("notes.txt") && stateA.count("model.safetensors") && stateA.count("optimizer.safetensors")
                     && stateA.count("trainer_state.json") && stateA.count("config.json") && stateA.count("vocab.json"),
                 differences(stateA, {}).c_str());
        QCOMPARE(differences(stateA, stateB), std::string("model.safetensors optimizer.safetensors trainer_state.json "));

        using Clock = std::chrono::steady_clock;
        // One child save uninterrupted, timed from fork to its exit: the range of kill delays.
        auto childSave = [&](const TaskTrainer& t) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                try {
                    t.save(dir);
                } catch (...) {
                    ::_exit(3);
                }
                ::_exit(0);
            }
            return pid;
        };
        bool holdsA = true;
        std::vector<double> full;
        for (int i = 0; i < 5; ++i) {
            const auto t0 = Clock::now();
            const pid_t pid = childSave(holdsA ? b : a);
            int status = 0;
            ::waitpid(pid, &status, 0);
            full.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            holdsA = !holdsA;
            QCOMPARE(readTree(dir), holdsA ? stateA : stateB);
        }
        std::sort(full.begin(), full.end());
        const double saveSeconds = full[full.size() / 2];

        constexpr int kKills = 200;
        std::mt19937_64 gen(20261203);
        // Half the kills anywhere in the save, half in its last quarter, where the swap is.
        std::uniform_real_distribution<double> anywhere(0.0, 1.15 * saveSeconds), late(0.75 * saveSeconds, 1.1 * saveSeconds);
        int before = 0, after = 0, finished = 0;
        const auto start = Clock::now();
        for (int i = 0; i < kKills; ++i) {
            const double wait = i % 2 ? late(gen) : anywhere(gen);
            const pid_t pid = childSave(holdsA ? b : a);
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            QVERIFY2(!WIFEXITED(status) || WEXITSTATUS(status) == 0, "the child's save failed");
            finished += WIFEXITED(status) ? 1 : 0;
            const std::map<std::string, std::string> now = readTree(dir);
            if (now == (holdsA ? stateA : stateB)) {
                ++before;
            } else if (now == (holdsA ? stateB : stateA)) {
                ++after;
                holdsA = !holdsA;
            } else {
                QFAIL(qPrintable(QString("kill %1 after %2 ms left a mix of the two checkpoints; files differing from "
                                         "the previous one: %3")
                                     .arg(i)
                                     .arg(wait * 1e3)
                                     .arg(QString::fromStdString(differences(now, holdsA ? stateA : stateB)))));
            }
            // The normal loaders read it.
            const TaskModel back = load_task_model_dir(dir);
            TaskModel copy = back;
            QCOMPARE(load_optimizer_state(copy.net.params(), dir + "/optimizer.safetensors"), holdsA ? a.step() : b.step());
            QCOMPARE(load_trainer_state(dir + "/trainer_state.json").step, holdsA ? a.step() : b.step());
            for (const std::string& h : hiddenEntries(parent))
                QVERIFY2(is_staging_dir_name(h), h.c_str());
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        qInfo("%d kills over a save of %.1f ms (%.1f s): %d before the swap (previous checkpoint), %d after it "
              "(new checkpoint; %d of them after the save had finished)",
              kKills, saveSeconds * 1e3, seconds, before, after, finished);
        QCOMPARE(before + after, kKills);
        QVERIFY2(before > 0 && after - finished > 0, "the kills did not land both before and after the swap");

        // The next save removes what killed saves left beside the directory.
        a.save(dir);
        QCOMPARE(readTree(dir), stateA);
        QVERIFY(hiddenEntries(parent).empty());
    }

    void trainerStateRoundTripAndRefusals()
    {
        QTemporaryDir tmp;
        const std::string path = tmp.filePath("trainer_state.json").toStdString();
        TrainerState s;
        Rng r(42);
        r.uniform();
        s.step = 7;
        s.epoch = 2;
        s.batch_pos = 3;
        s.rng = rng_state(r);
        s.epoch_rng = rng_state(Rng(1));
        s.worker_rngs = {rng_state(Rng(2))};
        save_trainer_state(s, path);
        const TrainerState back = load_trainer_state(path);
        QCOMPARE(back.step, int64_t(7));
        QCOMPARE(back.epoch, int64_t(2));
        QCOMPARE(back.batch_pos, int64_t(3));
        Rng q;
        set_rng_state(q, back.rng, "rng");
        QCOMPARE(q.uniform(), r.uniform());
        QCOMPARE(back.worker_rngs.size(), size_t(1));

        nlohmann::json j = nlohmann::json::parse(read_file(path));
        j["batch_pos"] = -1;
        writeText(path, j.dump());
        QVERIFY_THROWS_EXCEPTION(Error, load_trainer_state(path));
        j["batch_pos"] = 3;
        j["rng"] = "12 x";
        writeText(path, j.dump());
        try {
            load_trainer_state(path);
            QFAIL("a broken stream state was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(path + ": key 'rng': not a random stream state") != std::string::npos, e.what());
        }
    }

    void resumedTaskTrainersContinueTheSameSteps_data()
    {
        QTest::addColumn<QString>("task");
        QTest::newRow("charlm") << "charlm";
        QTest::newRow("mlm") << "mlm"; // masks drawn per epoch from the trainer's stream
    }
    void resumedTaskTrainersContinueTheSameSteps()
    {
        QFETCH(QString, task);
        const std::string t = task.toStdString();
        const TaskCorpus corpus = t == "charlm" ? charlmCorpus() : mlmCorpus();
        const TaskModel model = new_task_model(corpus, tinyTaskConfig(t), 1, 5);
        const TrainConfig train = tinyTrain(t, t == "charlm" ? 128 : 200);
        constexpr int N = 7;
        TaskTrainer whole(model, encode_task_corpus(model, corpus), train);
        std::vector<double> losses;
        for (int i = 0; i < 2 * N; ++i)
            losses.push_back(whole.train_step().loss);

        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ckpt").toStdString();
        {
            TaskTrainer first(model, encode_task_corpus(model, corpus), train);
            for (int i = 0; i < N; ++i)
                QCOMPARE(first.train_step().loss, losses[size_t(i)]);
            first.save(dir);
        }
        const TaskModel saved = load_task_model_dir(dir);
        TaskTrainer resumed(saved, encode_task_corpus(saved, corpus), train);
        resumed.load_optimizer(dir + "/optimizer.safetensors");
        QCOMPARE(resumed.step(), int64_t(N));
        if (t == "mlm")
            QVERIFY2(load_trainer_state(dir + "/trainer_state.json").batch_pos > 0, "the checkpoint is not mid-epoch");
        for (int i = N; i < 2 * N; ++i)
            QCOMPARE(resumed.train_step().loss, losses[size_t(i)]);
        const TrainerState x = resumed.trainer_state(), y = whole.trainer_state();
        QCOMPARE(x.epoch, y.epoch);
        QCOMPARE(x.batch_pos, y.batch_pos);
        QVERIFY(x.rng == y.rng);
        QVERIFY(x.epoch_rng == y.epoch_rng);

        // Files of different checkpoints are refused by name.
        TrainerState s = load_trainer_state(dir + "/trainer_state.json");
        s.step += 1;
        save_trainer_state(s, dir + "/trainer_state.json");
        TaskTrainer mismatched(saved, encode_task_corpus(saved, corpus), train);
        try {
            mismatched.load_optimizer(dir + "/optimizer.safetensors");
            QFAIL("a trainer state of another step was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("trainer_state.json: key 'step' is 8, but") != std::string::npos, e.what());
        }
    }

    void resumedTranslationTrainerContinuesTheSameSteps()
    {
        const CorpusSplits data = translationCorpus();
        ModelConfig cfg;
        cfg.d_model = 16;
        cfg.nhead = 2;
        cfg.num_encoder_layers = 1;
        cfg.num_decoder_layers = 1;
        cfg.dim_feedforward = 32;
        cfg.dropout = 0.1;
        TrainConfig train;
        train.threads = 1;
        train.max_tokens = 120;
        train.warmup_steps = 10;
        train.seed = 3;
        DataOptions opts;
        opts.min_count = 1;
        constexpr int N = 9;
        Trainer whole(data, cfg, train, opts);
        std::vector<double> losses;
        for (int i = 0; i < 2 * N; ++i)
            losses.push_back(whole.train_step().loss);
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("ckpt").toStdString();
        {
            Trainer first(data, cfg, train, opts);
            for (int i = 0; i < N; ++i)
                first.train_step();
            first.save(dir);
            QVERIFY2(load_trainer_state(dir + "/trainer_state.json").batch_pos > 0, "the checkpoint is not mid-epoch");
        }
        Trainer resumed(data, load_model_dir(dir), train, dir + "/optimizer.safetensors");
        for (int i = N; i < 2 * N; ++i)
            QCOMPARE(resumed.train_step().loss, losses[size_t(i)]);
        const TrainerState a = resumed.trainer_state(), b = whole.trainer_state();
        QCOMPARE(a.step, b.step);
        QCOMPARE(a.epoch, b.epoch);
        QCOMPARE(a.batch_pos, b.batch_pos);
        QVERIFY(a.rng == b.rng);
        QVERIFY(a.epoch_rng == b.epoch_rng);
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "test_crash_safety.moc"
