// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Command-line options as tables: one table per config struct (ModelConfig, TrainConfig, the
// task keys, the data source, the run's budget and output). Each entry carries the option's one
// name, its value name, help text (with the default), its range or choices, the config.json key
// it sets and how its value is applied. Every subcommand and every `train --task` reads the same
// entries through one reader (OptionReader) with one error wording, so an option has one name,
// one range and one help text everywhere.
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace al {
struct ModelConfig;
struct TrainConfig;
} // namespace al

namespace al::cli {

struct TrainOptions;

/// Sections of `train --help`, in this order.
enum class OptionGroup { Data, Model, Blocks, Training, Task, Output };

/// The runs of `train` an option applies to: a corpus (translation), a generated algorithmic
/// task (copy, reverse, sort), a language task (charlm, pos, sentiment, langid, mlm).
enum OptionScope : unsigned { ForCorpus = 1, ForAlgorithmic = 2, ForLanguage = 4, ForSeq2Seq = 3, ForAll = 7 };

/// One option: what the reader checks and what --help prints.
struct OptionSpec {
    enum Kind { Flag, Integer, Seed, Number, Choice, Text, TextList };
    QString name;              ///< the one visible spelling, without "--"
    Kind kind = Text;
    QString value_name;        ///< "N", "P", "KIND", ... (empty for a flag)
    QString help;              ///< one sentence or two, ending with "(default: ...)"
    OptionGroup group = OptionGroup::Output;
    unsigned scope = ForAll;
    /// Integer and Number: the accepted range; lo_open / hi_open exclude the bound.
    double lo = 0, hi = 0;
    bool lo_open = false, hi_open = false;
    QStringList choices;       ///< Choice: accepted values (when `check` is null)
    /// Choice: the engine's parser of the value; its message names the config key.
    void (*check)(const std::string&) = nullptr;
    std::string key;           ///< config.json / TrainConfig key the option sets ("" when none)
    QStringList aliases;       ///< other accepted spellings, hidden from --help
    bool architecture = false; ///< fixes the architecture or tokenisation (refused with --resume)
    bool hidden = false;       ///< accepted but not listed (a second spelling of another option)
};

/// A parsed option value (the field of the spec's kind is filled).
struct OptionValue {
    long long integer = 0;
    uint64_t seed = 0;
    double number = 0;
    QString text;              ///< Choice and Text (trimmed as given)
    QStringList texts;         ///< TextList: every occurrence
};

/// A table entry: the spec and how its value reaches the config struct T.
template <class T>
struct OptionEntry {
    OptionSpec spec;
    std::function<void(T&, const OptionValue&)> apply;
};

/// ModelConfig: architecture (d_model, heads, layers, d_ff, dropout, Pre-/Post-LN, decoder) and
/// the block switches (attention, scoring, normalization, window, positional encoding, norm,
/// activation, attention dropout, synthesizer rank).
const std::vector<OptionEntry<ModelConfig>>& modelOptionTable();
/// TrainConfig: batch budget, schedule, smoothing, clipping, micro-batches, scheduled sampling,
/// NAT length loss, seed and threads.
const std::vector<OptionEntry<TrainConfig>>& trainOptionTable();
/// The task keys (--task and the generator / ModelConfig / task-trainer options) and --max-len,
/// whose key depends on the task.
const std::vector<OptionEntry<TrainOptions>>& taskOptionTable();
/// The corpus: files, columns, split seed, tokenisation and vocabulary cut-off.
const std::vector<OptionEntry<TrainOptions>>& dataOptionTable();
/// Budget (minutes, steps), progress, validation and saving.
const std::vector<OptionEntry<TrainOptions>>& outputOptionTable();

/// Every spec of the five tables, in help order.
std::vector<OptionSpec> trainOptionSpecs();
/// The spec named `name` (or one of its aliases) in the five tables; nullptr when none.
const OptionSpec* findTrainOption(const QString& name);

/// Declares `spec` (and its aliases, hidden) on `p`.
void declareOption(QCommandLineParser& p, const OptionSpec& spec);

/// "Data:\n  --data FILE    ...\n\nModel:\n..." for the given specs, grouped by OptionGroup,
/// help wrapped to 100 columns.
QString groupedHelp(const std::vector<OptionSpec>& specs);

/// Reads option values from a parsed QCommandLineParser, keeping the first usage error. Every
/// message names the option as the user spelled it and quotes the bad value:
/// "--d-model: expected an integer from 1 to 65536, got 'abc'".
class OptionReader {
public:
    explicit OptionReader(const QCommandLineParser& p) : m_p(p) {}

    bool ok() const { return m_error.isEmpty(); }
    const QString& error() const { return m_error; }
    /// Keeps `msg` when it is the first error.
    void fail(const QString& msg);

    /// True when the option or one of its aliases is on the command line.
    bool isSet(const OptionSpec& spec) const;
    bool isSet(const QString& name) const { return m_p.isSet(name); }
    QString str(const QString& name) const { return m_p.value(name); }
    /// The spelling given ("--d-ff" when the alias was used).
    QString spelling(const OptionSpec& spec) const;

    /// Parses the value of `spec` into `v` by its kind and range; false (and an error) when bad
    /// or when the option is not set.
    bool read(const OptionSpec& spec, OptionValue& v);
    /// Applies every entry of `table` that is set, in `scope` and has an apply function to `target`.
    template <class T>
    void apply(const std::vector<OptionEntry<T>>& table, unsigned scope, T& target)
    {
        for (const OptionEntry<T>& e : table) {
            if (!e.apply || !(e.spec.scope & scope) || !isSet(e.spec)) continue;
            OptionValue v;
            if (read(e.spec, v)) e.apply(target, v);
        }
    }

    // Ad-hoc values of subcommands outside the tables, with the same wording.
    void integer(const QString& name, long long lo, long long hi, int& dst);
    void integer64(const QString& name, long long lo, long long hi, int64_t& dst);
    void size(const QString& name, size_t& dst);
    void seed(const QString& name, uint64_t& dst);
    /// A finite number in [lo, hi] ([lo, hi) when hi_open); hi = infinity for no upper bound.
    void number(const QString& name, double lo, double hi, bool hi_open, double& dst);

private:
    const QCommandLineParser& m_p;
    QString m_error;
};

/// "expected an integer from 1 to 64" / "expected a number in [0, 1)" / "expected a number > 0"
/// (the range part of the reader's messages).
QString rangeText(const OptionSpec& spec);

} // namespace al::cli
