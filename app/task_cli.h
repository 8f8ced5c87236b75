// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Command line of the tasks beyond translation (engine/models/task_models.h):
//   attention-lab train --task charlm|pos|sentiment|langid|mlm [--data PATH]... [options]
//   attention-lab generate --model DIR --prompt TEXT [--length N] [--temperature T]
//   attention-lab predict --model DIR TEXT...   (tags, class probabilities or [MASK] fillers)
// `train --task ...` is parsed by parseTrainArgs (the option tables of app/options.h) and run here
// by runTaskTrain; `eval` of a task model directory (parseEvalArgs, runEval) by evalTaskModel;
// runCli() hands generate and predict over through isTaskInvocation() / runTaskCli().
#include "app/cli.h"
#include "engine/models/task_models.h"
#include "engine/train/task_trainer.h"

#include <QString>
#include <QStringList>

#include <iosfwd>

namespace al::cli {

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
/// of charlm, pos, sentiment, langid, mlm; `generate`; `predict`.
bool isTaskInvocation(const QString& sub, const QStringList& args);

/// The bundled data of a task ("" when the task has none: pos and sentiment need --data).
QStringList defaultTaskData(const std::string& task);

ParseStatus parseGenerateArgs(const QStringList& args, GenerateOptions& opts);
ParseStatus parsePredictArgs(const QStringList& args, PredictOptions& opts);

/// `train --task charlm|pos|sentiment|langid|mlm` (opts from parseTrainArgs), driven by runTrainingLoop.
int runTaskTrain(const TrainOptions& opts, std::ostream& out, std::ostream& err);
/// The language-task part of runEval (opts.task not empty): re-reads the task's data (opts.task_data,
/// else the bundled data) split with opts.source.split_seed, scores opts.split (charlm: its one
/// held-out text) with al::evaluate and prints the model line and the task's evaluation line.
/// Throws al::Error.
int evalTaskModel(const EvalOptions& opts, std::ostream& out, std::ostream& err);
int runGenerate(const GenerateOptions& opts, std::ostream& out, std::ostream& err);
int runPredict(const PredictOptions& opts, std::istream& in, std::ostream& out, std::ostream& err);

/// Parses and runs one generate or predict invocation of a task model (see isTaskInvocation);
/// usage errors exit with ExitUsage.
int runTaskCli(const QString& sub, const QStringList& args, std::istream& in, std::ostream& out, std::ostream& err);

} // namespace al::cli
