// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Command line of the tasks beyond translation (engine/models/task_models.h):
//   attention-lab train --task charlm|pos|sentiment|langid|mlm [--data PATH]... [options]
//   attention-lab eval --model DIR [--data PATH]... [--split valid|test]   (a task model directory)
//   attention-lab generate --model DIR --prompt TEXT [--length N] [--temperature T]
//   attention-lab predict --model DIR TEXT...   (tags, class probabilities or [MASK] fillers)
// `train --task ...` is parsed by parseTrainArgs (the option tables of app/options.h) and run here
// by runTaskTrain; runCli() hands the other invocations over through isTaskInvocation() /
// runTaskCli().
#include "app/cli.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"

#include <QString>
#include <QStringList>

#include <iosfwd>

namespace al::cli {

struct TaskEvalOptions {
    QString model;
    QStringList data;
    int split = 2;             ///< 1 validation, 2 test
    int threads = 0;
    uint64_t seed = 1;         ///< must equal the training seed to score the same held-out split
};

struct GenerateOptions {
    QString model;
    QString prompt = "\n";
    int length = 300;
    double temperature = 0.8;
    uint64_t seed = 1;
};

struct PredictOptions {
    QString model;
    QStringList texts;         ///< empty: one text per line from stdin
    int top_k = 5;
};

/// True when this invocation belongs to the task command line: `train` with --task naming one
/// of charlm, pos, sentiment, langid, mlm; `eval` whose --model directory holds a task model;
/// `generate`; `predict`.
bool isTaskInvocation(const QString& sub, const QStringList& args);

/// The bundled data of a task ("" when the task has none: pos and sentiment need --data).
QStringList defaultTaskData(const std::string& task);

ParseStatus parseTaskEvalArgs(const QStringList& args, TaskEvalOptions& opts);
ParseStatus parseGenerateArgs(const QStringList& args, GenerateOptions& opts);
ParseStatus parsePredictArgs(const QStringList& args, PredictOptions& opts);

/// `train --task charlm|pos|sentiment|langid|mlm` (opts from parseTrainArgs), driven by runTrainingLoop.
int runTaskTrain(const TrainOptions& opts, std::ostream& out, std::ostream& err);
int runTaskEval(const TaskEvalOptions& opts, std::ostream& out, std::ostream& err);
int runGenerate(const GenerateOptions& opts, std::ostream& out, std::ostream& err);
int runPredict(const PredictOptions& opts, std::istream& in, std::ostream& out, std::ostream& err);

/// Parses and runs one eval, generate or predict invocation of a task model (see
/// isTaskInvocation); usage errors exit with ExitUsage.
int runTaskCli(const QString& sub, const QStringList& args, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace al::cli
