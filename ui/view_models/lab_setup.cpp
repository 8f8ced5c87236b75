// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/view_models/lab_setup.h"

#include "engine/core/error.h"
#include "ui/view_models/demo_catalog.h"

#include "ui/app/app_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

namespace al::ui {

namespace {

using OptionalDouble = std::optional<double>;
using Member = std::variant<QString SettingsValues::*, int SettingsValues::*, double SettingsValues::*,
                            bool SettingsValues::*, OptionalDouble SettingsValues::*>;

struct SettingsKey {
    const char* key;
    Member member;
};

/// The "settings" keys and the SettingsValues field each names (config.json keys first).
const std::vector<SettingsKey>& settingsTable()
{
    using V = SettingsValues;
    static const std::vector<SettingsKey> table = {
        {"task", &V::task},
        {"d_model", &V::dModel},
        {"nhead", &V::heads},
        {"num_encoder_layers", &V::encoderLayers},
        {"num_decoder_layers", &V::decoderLayers},
        {"dim_feedforward", &V::feedForward},
        {"attention", &V::attention},
        {"attention_scoring", &V::scoring},
        {"attention_normalization", &V::normalization},
        {"attention_window", &V::window},
        {"positional_encoding", &V::positional},
        {"norm", &V::norm},
        {"norm_first", &V::preLn},
        {"activation", &V::activation},
        {"decoder", &V::decoder},
        {"dropout", &V::dropout},
        {"attention_dropout", &V::attentionDropout},
        {"label_smoothing", &V::labelSmoothing},
        {"scheduled_sampling", &V::scheduledSampling},
        {"scheduled_sampling_p", &V::samplingP},
        {"scheduled_sampling_k", &V::samplingK},
        {"max_tokens", &V::maxTokens},
        {"lr_factor", &V::lrFactor},
        {"warmup_steps", &V::warmupSteps},
        {"seed", &V::seed},
        {"threads", &V::threads},
        {"corpus", &V::corpus},
        {"src_column", &V::srcColumn},
        {"tgt_column", &V::tgtColumn},
        {"task_data", &V::taskData},
        {"symbols", &V::symbols},
        {"min_len", &V::minLen},
        {"max_len", &V::maxLen},
        {"pairs", &V::pairs},
        {"context", &V::context},
        {"min_count", &V::minCount},
        {"mask_prob", &V::maskProb},
        {"pooling", &V::pooling},
        {"suffix_len", &V::suffixLen},
        {"continue", &V::continueModel},
    };
    return table;
}

const SettingsKey* findKey(const QString& key)
{
    for (const SettingsKey& k : settingsTable())
        if (key == QLatin1String(k.key))
            return &k;
    return nullptr;
}

/// An integer-valued JSON number within int's range.
std::optional<int> toInt(const QJsonValue& v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < std::numeric_limits<int>::min()
        || d > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(d);
}

std::optional<double> toNumber(const QJsonValue& v)
{
    if (!v.isDouble() || !std::isfinite(v.toDouble()))
        return std::nullopt;
    return v.toDouble();
}

QString member(const QString& path, const QString& name)
{
    return path.isEmpty() ? name : path + QLatin1Char('.') + name;
}

/// "path: message".
QString problemAt(const QString& path, const QString& message)
{
    return LabSetup::tr("%1: %2").arg(path, message);
}

/// Refuses members of `object` not in `known`; the error names the first such member.
bool onlyKnownMembers(const QJsonObject& object, const QStringList& known, const QString& path, QString* error)
{
    for (auto it = object.begin(); it != object.end(); ++it)
        if (!known.contains(it.key())) {
            *error = problemAt(member(path, it.key()), LabSetup::tr("unknown member (expected one of %1)").arg(known.join(QStringLiteral(", "))));
            return false;
        }
    return true;
}

bool readString(const QJsonObject& o, const char* name, const QString& path, std::optional<QString>& out, QString* error)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined())
        return true;
    if (!v.isString()) {
        *error = problemAt(member(path, QLatin1String(name)), LabSetup::tr("expected a string"));
        return false;
    }
    out = v.toString();
    return true;
}

bool readIndex(const QJsonObject& o, const char* name, const QString& path, std::optional<int>& out, QString* error)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined())
        return true;
    const std::optional<int> i = toInt(v);
    if (!i || *i < 0) {
        *error = problemAt(member(path, QLatin1String(name)), LabSetup::tr("expected an integer >= 0"));
        return false;
    }
    out = i;
    return true;
}

bool readObject(const QJsonObject& o, const char* name, const QString& path, std::optional<QJsonObject>& out,
                QString* error)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined())
        return true;
    if (!v.isObject()) {
        *error = problemAt(member(path, QLatin1String(name)), LabSetup::tr("expected an object"));
        return false;
    }
    out = v.toObject();
    return true;
}

/// "view.decoding": strategy, beam width and length penalty, each checked against the range
/// the Decoding tab accepts.
bool readDecoding(const QJsonObject& o, const QString& path, LabView& view, QString* error)
{
    if (!onlyKnownMembers(o, {QStringLiteral("strategy"), QStringLiteral("beam_width"), QStringLiteral("length_penalty")}, path, error))
        return false;
    std::optional<QString> strategy;
    if (!readString(o, "strategy", path, strategy, error))
        return false;
    if (strategy) {
        try {
            view.decodingStrategy = al::decoding_strategy_from_string(strategy->toStdString());
        } catch (const al::Error&) {
            *error = problemAt(member(path, QStringLiteral("strategy")),
                               LabSetup::tr("unknown decoding strategy '%1' (expected greedy, beam or sample)").arg(*strategy));
            return false;
        }
    }
    if (o.contains(QStringLiteral("beam_width"))) {
        const std::optional<int> width = toInt(o.value(QStringLiteral("beam_width")));
        if (!width || *width < 1 || *width > kMaxBeamWidth) {
            *error = problemAt(member(path, QStringLiteral("beam_width")), LabSetup::tr("expected an integer from 1 to %1").arg(kMaxBeamWidth));
            return false;
        }
        view.beamWidth = width;
    }
    if (o.contains(QStringLiteral("length_penalty"))) {
        const QJsonValue v = o.value(QStringLiteral("length_penalty"));
        if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > kMaxLengthPenalty) {
            *error = problemAt(member(path, QStringLiteral("length_penalty")),
                               LabSetup::tr("expected a number from 0 to %1").arg(kMaxLengthPenalty));
            return false;
        }
        view.lengthPenalty = v.toDouble();
    }
    return true;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Settings keys

QStringList settingsKeys()
{
    QStringList keys;
    for (const SettingsKey& k : settingsTable())
        keys << QString::fromLatin1(k.key);
    return keys;
}

QJsonValue settingsValue(const SettingsValues& values, const QString& key)
{
    const SettingsKey* k = findKey(key);
    if (!k)
        return QJsonValue();
    return std::visit(
        [&values](auto m) -> QJsonValue {
            const auto& field = values.*m;
            using T = std::decay_t<decltype(field)>;
            if constexpr (std::is_same_v<T, OptionalDouble>)
                return field ? QJsonValue(*field) : QJsonValue(QJsonValue::Null);
            else
                return QJsonValue(field);
        },
        k->member);
}

QString setSettingsValue(SettingsValues& values, const QString& key, const QJsonValue& value)
{
    const SettingsKey* k = findKey(key);
    if (!k)
        return LabSetup::tr("unknown key (expected one of %1)").arg(settingsKeys().join(QStringLiteral(", ")));
    return std::visit(
        [&values, &value](auto m) -> QString {
            auto& field = values.*m;
            using T = std::decay_t<decltype(field)>;
            if constexpr (std::is_same_v<T, QString>) {
                if (!value.isString())
                    return LabSetup::tr("expected a string");
                field = value.toString();
            } else if constexpr (std::is_same_v<T, int>) {
                const std::optional<int> i = toInt(value);
                if (!i)
                    return LabSetup::tr("expected an integer");
                field = *i;
            } else if constexpr (std::is_same_v<T, double>) {
                const std::optional<double> d = toNumber(value);
                if (!d)
                    return LabSetup::tr("expected a number");
                field = *d;
            } else if constexpr (std::is_same_v<T, bool>) {
                if (!value.isBool())
                    return LabSetup::tr("expected true or false");
                field = value.toBool();
            } else {
                if (value.isNull()) {
                    field.reset();
                    return QString();
                }
                const std::optional<double> d = toNumber(value);
                if (!d)
                    return LabSetup::tr("expected a number or null (null: the dropout rate)");
                field = *d;
            }
            return QString();
        },
        k->member);
}

QString SettingsOverrides::set(const QString& key, const QJsonValue& value)
{
    const QString problem = setSettingsValue(values, key, value);
    if (!problem.isEmpty())
        return problem;
    if (!keys.contains(key)) {
        keys << key;
        // settingsKeys() order, so that equal overrides compare and write alike.
        const QStringList order = settingsKeys();
        std::sort(keys.begin(), keys.end(),
                  [&order](const QString& a, const QString& b) { return order.indexOf(a) < order.indexOf(b); });
    }
    return QString();
}

void SettingsOverrides::applyTo(SettingsValues& target) const
{
    for (const QString& key : keys)
        setSettingsValue(target, key, settingsValue(values, key));
}

SettingsOverrides SettingsOverrides::all(const SettingsValues& values)
{
    SettingsOverrides o;
    o.values = values;
    o.keys = settingsKeys();
    return o;
}

// ---------------------------------------------------------------------------------------------
// View

QStringList labTabIds()
{
    return {QStringLiteral("attention"),       QStringLiteral("overview"),
            QStringLiteral("synthesizer"),     QStringLiteral("decoding"),
            QStringLiteral("positional_encoding"), QStringLiteral("forward_pass"),
            QStringLiteral("attention_flow"),  QStringLiteral("hidden_states"),
            QStringLiteral("head_ablation"),   QStringLiteral("timeline"),
            QStringLiteral("training_plots")};
}

QString labAttentionKindId(al::AttentionKind kind)
{
    switch (kind) {
    case al::AttentionKind::EncoderSelf: return QStringLiteral("encoder");
    case al::AttentionKind::DecoderSelf: return QStringLiteral("decoder");
    case al::AttentionKind::Cross: return QStringLiteral("cross");
    }
    return {};
}

bool parseLabAttentionKind(const QString& id, al::AttentionKind& kind)
{
    for (al::AttentionKind k : {al::AttentionKind::EncoderSelf, al::AttentionKind::DecoderSelf, al::AttentionKind::Cross})
        if (id == labAttentionKindId(k)) {
            kind = k;
            return true;
        }
    return false;
}

// ---------------------------------------------------------------------------------------------
// LabSetup

std::optional<LabSetup> LabSetup::fromJson(const QJsonObject& json, QString* error, const QString& path)
{
    QString scratch;
    QString* err = error ? error : &scratch;
    if (!onlyKnownMembers(json, {QStringLiteral("model"), QStringLiteral("settings"), QStringLiteral("view"), QStringLiteral("lesson")},
                          path, err))
        return std::nullopt;
    LabSetup s;
    if (!readString(json, "model", path, s.model, err))
        return std::nullopt;
    if (s.model && s.model->trimmed().isEmpty()) {
        *err = problemAt(member(path, QStringLiteral("model")), LabSetup::tr("expected \"demo:<id>\" or a model directory"));
        return std::nullopt;
    }

    std::optional<QJsonObject> settings;
    if (!readObject(json, "settings", path, settings, err))
        return std::nullopt;
    if (settings) {
        const QString at = member(path, QStringLiteral("settings"));
        if (!onlyKnownMembers(*settings, settingsKeys(), at, err))
            return std::nullopt;
        for (auto it = settings->begin(); it != settings->end(); ++it) {
            const QString problem = s.settings.set(it.key(), it.value());
            if (!problem.isEmpty()) {
                *err = problemAt(member(at, it.key()), problem);
                return std::nullopt;
            }
        }
    }

    std::optional<QJsonObject> view;
    if (!readObject(json, "view", path, view, err))
        return std::nullopt;
    if (view) {
        const QString at = member(path, QStringLiteral("view"));
        if (!onlyKnownMembers(*view, {QStringLiteral("tab"), QStringLiteral("sentence"), QStringLiteral("attention"), QStringLiteral("decoding")}, at, err)
            || !readString(*view, "tab", at, s.view.tab, err) || !readString(*view, "sentence", at, s.view.sentence, err))
            return std::nullopt;
        if (s.view.tab && !labTabIds().contains(*s.view.tab)) {
            *err = problemAt(member(at, QStringLiteral("tab")), LabSetup::tr("unknown tab '%1' (expected one of %2)")
                                                                   .arg(*s.view.tab, labTabIds().join(QStringLiteral(", "))));
            return std::nullopt;
        }
        std::optional<QJsonObject> attention;
        if (!readObject(*view, "attention", at, attention, err))
            return std::nullopt;
        if (attention) {
            const QString aat = member(at, QStringLiteral("attention"));
            std::optional<QString> kind;
            if (!onlyKnownMembers(*attention, {QStringLiteral("kind"), QStringLiteral("layer"), QStringLiteral("head")}, aat, err)
                || !readString(*attention, "kind", aat, kind, err) || !readIndex(*attention, "layer", aat, s.view.layer, err)
                || !readIndex(*attention, "head", aat, s.view.head, err))
                return std::nullopt;
            if (kind) {
                al::AttentionKind k;
                if (!parseLabAttentionKind(*kind, k)) {
                    *err = problemAt(member(aat, QStringLiteral("kind")),
                                     LabSetup::tr("unknown attention kind '%1' (expected encoder, decoder or cross)").arg(*kind));
                    return std::nullopt;
                }
                s.view.kind = k;
            }
        }
        std::optional<QJsonObject> decoding;
        if (!readObject(*view, "decoding", at, decoding, err))
            return std::nullopt;
        if (decoding && !readDecoding(*decoding, member(at, QStringLiteral("decoding")), s.view, err))
            return std::nullopt;
    }

    std::optional<QJsonObject> lesson;
    if (!readObject(json, "lesson", path, lesson, err))
        return std::nullopt;
    if (lesson) {
        const QString at = member(path, QStringLiteral("lesson"));
        std::optional<QString> file;
        std::optional<int> step;
        if (!onlyKnownMembers(*lesson, {QStringLiteral("file"), QStringLiteral("step")}, at, err)
            || !readString(*lesson, "file", at, file, err) || !readIndex(*lesson, "step", at, step, err))
            return std::nullopt;
        if (!file || file->isEmpty()) {
            *err = problemAt(member(at, QStringLiteral("file")), LabSetup::tr("expected the lesson file's path"));
            return std::nullopt;
        }
        s.lesson = LabLesson{*file, step.value_or(0)};
    }
    return s;
}

QJsonObject LabSetup::toJson() const
{
    QJsonObject o;
    if (model)
        o.insert(QStringLiteral("model"), *model);
    if (!settings.isEmpty()) {
        QJsonObject so;
        for (const QString& key : settings.keys)
            so.insert(key, settingsValue(settings.values, key));
        o.insert(QStringLiteral("settings"), so);
    }
    if (!view.isEmpty()) {
        QJsonObject vo;
        if (view.tab)
            vo.insert(QStringLiteral("tab"), *view.tab);
        if (view.sentence)
            vo.insert(QStringLiteral("sentence"), *view.sentence);
        if (view.kind || view.layer || view.head) {
            QJsonObject ao;
            if (view.kind)
                ao.insert(QStringLiteral("kind"), labAttentionKindId(*view.kind));
            if (view.layer)
                ao.insert(QStringLiteral("layer"), *view.layer);
            if (view.head)
                ao.insert(QStringLiteral("head"), *view.head);
            vo.insert(QStringLiteral("attention"), ao);
        }
        if (view.hasDecoding()) {
            QJsonObject d;
            if (view.decodingStrategy)
                d.insert(QStringLiteral("strategy"), QString::fromStdString(al::to_string(*view.decodingStrategy)));
            if (view.beamWidth)
                d.insert(QStringLiteral("beam_width"), *view.beamWidth);
            if (view.lengthPenalty)
                d.insert(QStringLiteral("length_penalty"), *view.lengthPenalty);
            vo.insert(QStringLiteral("decoding"), d);
        }
        o.insert(QStringLiteral("view"), vo);
    }
    if (lesson)
        o.insert(QStringLiteral("lesson"), QJsonObject{{QStringLiteral("file"), lesson->file}, {QStringLiteral("step"), lesson->step}});
    return o;
}

// ---------------------------------------------------------------------------------------------
// Model references

std::optional<ResolvedModel> resolveModelReference(const QString& reference, const QString& baseDirectory,
                                                   const QString& demosFile, QString* error)
{
    ResolvedModel resolved;
    const QString base = baseDirectory.isEmpty() ? QDir::currentPath() : baseDirectory;
    try {
        static const QLatin1String kDemo("demo:");
        if (reference.startsWith(kDemo)) {
            const QString file = demosFile.isEmpty() ? DemoCatalog::findInstalled() : demosFile;
            if (file.isEmpty()) {
                *error = LabSetup::tr("there are no demo models (resources/models/demos.json was not found)");
                return std::nullopt;
            }
            const DemoCatalog catalog = DemoCatalog::read(file);
            resolved.directory = catalog.resolve(reference, base);
            resolved.demo = *catalog.find(reference.mid(kDemo.size()));
        } else {
            resolved.directory = DemoCatalog().resolve(reference, base);
        }
    } catch (const al::Error& e) {
        *error = QString::fromStdString(e.what());
        return std::nullopt;
    }
    if (!QFileInfo(resolved.directory).isDir()) {
        *error = LabSetup::tr("the model directory %1 does not exist").arg(QDir::toNativeSeparators(resolved.directory));
        return std::nullopt;
    }
    return resolved;
}

} // namespace al::ui
