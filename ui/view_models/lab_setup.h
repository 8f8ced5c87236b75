// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// LabSetup: what a session file holds and what a lesson step sets up (docs/session-format.md):
// the model, the settings (keyed by their config.json keys), the view (tab, sentence, attention
// kind, layer and head) and the lesson. Widget-free: reading and writing the JSON, resolving a
// model reference. ui/views/lab_setup_applier.h applies a LabSetup to the main window and
// captures the window's current one.
#include "engine/decode/decoding.h"
#include "engine/trace/trace.h"
#include "ui/view_models/demo_catalog.h"
#include "ui/view_models/settings_form.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace al::ui {

/// Every key of the "settings" member, in the order a LabSetup writes them: "task", the model
/// and training keys of config.json (d_model, nhead, ..., seed, threads), then the data keys
/// (corpus, src_column, ..., continue). Each names one field of SettingsValues.
QStringList settingsKeys();
/// The value of `key` (one of settingsKeys()) in `values` as JSON: a string, an integer, a
/// number, a boolean, or null (attention_dropout unset = the dropout rate). Null for other keys.
QJsonValue settingsValue(const SettingsValues& values, const QString& key);
/// Sets `key` of `values` from JSON; returns the problem ("expected an integer", "unknown
/// key") and then leaves `values` alone, or an empty string.
QString setSettingsValue(SettingsValues& values, const QString& key, const QJsonValue& value);

/// Settings a setup changes: the fields of `values` named by `keys` (settingsKeys() order);
/// the other fields of `values` are not part of the setup.
struct SettingsOverrides {
    SettingsValues values;
    QStringList keys;

    bool isEmpty() const { return keys.isEmpty(); }
    bool contains(const QString& key) const { return keys.contains(key); }
    /// Sets `key` (one of settingsKeys()) from JSON; the problem or an empty string.
    QString set(const QString& key, const QJsonValue& value);
    /// Copies the overridden fields into `target`.
    void applyTo(SettingsValues& target) const;
    /// Every key of `values`: what a saved session holds.
    static SettingsOverrides all(const SettingsValues& values);
};

/// Identifiers of the view tabs: "attention", "overview", "synthesizer", "decoding",
/// "positional_encoding", "forward_pass", "attention_flow", "hidden_states", "head_ablation", "timeline", "training_plots".
QStringList labTabIds();
/// The setup's kind identifiers: "encoder" (encoder self-attention), "decoder" (decoder
/// self-attention), "cross" (the export file names use exporters.h attentionKindId).
QString labAttentionKindId(al::AttentionKind kind);
/// Parses labAttentionKindId(); false (and `kind` left alone) for anything else.
bool parseLabAttentionKind(const QString& id, al::AttentionKind& kind);

/// The Decoding tab's ranges: beam width 1..kMaxBeamWidth, length penalty α 0..kMaxLengthPenalty.
inline constexpr int kMaxBeamWidth = 32;
inline constexpr double kMaxLengthPenalty = 3.0;

/// The "view" member; every field optional. Layer and head are 0-based.
struct LabView {
    std::optional<QString> tab;      ///< one of labTabIds()
    std::optional<QString> sentence; ///< the sentence box (the model then runs on it)
    std::optional<al::AttentionKind> kind;
    std::optional<int> layer;
    std::optional<int> head;
    /// The Decoding tab: "view.decoding" {"strategy": "greedy" | "beam" | "sample",
    /// "beam_width": 1..32, "length_penalty": 0..3 (α of the GNMT penalty)}.
    std::optional<al::DecodingStrategy> decodingStrategy;
    std::optional<int> beamWidth;
    std::optional<double> lengthPenalty;

    bool hasDecoding() const { return decodingStrategy || beamWidth || lengthPenalty; }
    bool isEmpty() const { return !tab && !sentence && !kind && !layer && !head && !hasDecoding(); }
};

/// The "lesson" member: a lesson file (as the lessons name it, e.g.
/// "resources/lessons/01-qkv.json") and its 0-based step.
struct LabLesson {
    QString file;
    int step = 0;
};

/// One setup of the lab. Every member is optional (a lesson step sets what it needs); a saved
/// session has them all (the model when there is one, the lesson while one is open).
struct LabSetup {
    Q_DECLARE_TR_FUNCTIONS(LabSetup)
public:
    /// "demo:<id>" (resources/models/demos.json) or a model directory; a relative directory is
    /// relative to the file that names it.
    std::optional<QString> model;
    SettingsOverrides settings;
    LabView view;
    std::optional<LabLesson> lesson;

    /// Reads a setup object. Unknown members, wrong types and out-of-range values are errors
    /// naming the member path, prefixed by `path` when given: "settings.d_model: expected an
    /// integer", "steps[2].setup.view.tab: unknown tab 'foo' (one of attention, ...)".
    /// Returns nullopt and sets `error` on failure.
    static std::optional<LabSetup> fromJson(const QJsonObject& json, QString* error,
                                            const QString& path = QString());
    /// The members that are set, as fromJson reads them.
    QJsonObject toJson() const;

    bool operator==(const LabSetup& other) const { return toJson() == other.toJson(); }
    bool operator!=(const LabSetup& other) const { return !(*this == other); }
};

/// A model reference resolved: the directory to open and, for a demo, its entry.
struct ResolvedModel {
    QString directory;
    std::optional<DemoModel> demo;
};
/// Resolves "demo:<id>" through `demosFile` (empty: DemoCatalog::findInstalled()) or a directory
/// (relative to `baseDirectory`, empty: the working directory). The directory must exist;
/// nullopt and `error` (without the member name) otherwise.
std::optional<ResolvedModel> resolveModelReference(const QString& reference, const QString& baseDirectory,
                                                   const QString& demosFile, QString* error);

} // namespace al::ui
