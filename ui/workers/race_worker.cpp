// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/workers/race_worker.h"

#include "engine/data/corpus.h"
#include "engine/core/error.h"
#include "ui/app/app_paths.h"
#include "ui/workers/worker_thread.h"

#include <QFile>
#include <QThread>

#include <cmath>

namespace al::ui {

namespace {

QString number(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QString();
}

QString percent(double v)
{
    return std::isfinite(v) ? QString::number(100 * v, 'f', 1) + QStringLiteral(" %") : QString();
}

} // namespace

RaceRequest defaultRaceRequest(const QString& task, qint64 steps, double minutes, int threads)
{
    RaceRequest r;
    r.task = task;
    const bool algorithmic = al::is_algorithmic_task(task.toStdString());
    r.config.algorithmic = algorithmic;
    if (algorithmic) {
        r.algorithmic.task = al::algorithmic_task_from_string(task.toStdString(), "task");
        r.config.model = al::algorithmic_model_defaults();
        r.config.train = al::algorithmic_train_defaults(r.algorithmic);
        r.config.data.src_tokens = r.config.data.tgt_tokens = al::TokenKind::Word;
        r.config.data.min_count = 1;
    } else {
        // The size of docs/synthesizer-race.md's cmn-eng race.
        r.corpusPath = findBundledCorpus();
        r.config.model.d_model = 128;
        r.config.model.num_encoder_layers = r.config.model.num_decoder_layers = 2;
        r.config.model.dim_feedforward = 512;
        r.config.train.warmup_steps = 400;
        r.config.bleu_sentences = 400;
    }
    r.config.train.threads = threads;
    r.config.variants = {"vanilla", "dense", "random", "fixed_random", "factorized_dense", "factorized_random",
                         "random+vanilla", "dense+vanilla"};
    r.config.steps = steps > 0 ? steps : 0;
    r.config.seconds = steps > 0 ? 0.0 : minutes * 60;
    return r;
}

QStringList raceTableHeaders(bool algorithmic)
{
    QStringList h = {QObject::tr("Variant"), QObject::tr("Parameters"), QObject::tr("Synthesizer parameters"),
                     QObject::tr("Steps"), QObject::tr("Steps/s"), QObject::tr("Speed vs vanilla"),
                     QObject::tr("Valid loss")};
    if (algorithmic)
        h << QObject::tr("Test exact match") << QObject::tr("Test token accuracy");
    else
        h << QObject::tr("Test BLEU");
    return h;
}

QStringList raceTableRow(const al::RaceResult& r, const std::vector<al::RaceResult>& all, bool algorithmic)
{
    double vanilla = 0;
    for (const al::RaceResult& v : all)
        if (v.variant == "vanilla")
            vanilla = v.tokens_per_s;
    QStringList row = {QString::fromStdString(r.variant), QString::number(r.parameters),
                       QString::number(r.synthesizer_parameters), QString::number(r.steps), number(r.steps_per_s, 2),
                       vanilla > 0 ? QString::number(r.tokens_per_s / vanilla, 'f', 2) + QStringLiteral("×") : QString(),
                       number(r.valid_loss, 3)};
    if (algorithmic)
        row << percent(r.exact_match) << percent(r.test_token_accuracy);
    else
        row << number(r.bleu, 2);
    return row;
}

// ---------------------------------------------------------------------------------------------

void RaceWorker::run(const RaceRequest& request)
{
    bool cancelled = false;
    try {
        al::CorpusSplits splits;
        if (request.config.algorithmic) {
            al::AlgorithmicTaskConfig a = request.algorithmic;
            a.task = al::algorithmic_task_from_string(request.task.toStdString(), "task");
            splits = al::generate_algorithmic_splits(a);
        } else {
            const al::CorpusReadResult read = al::read_tsv_pairs(QFile::encodeName(request.corpusPath).toStdString(),
                                                                 request.srcColumn, request.tgtColumn);
            if (read.pairs.empty())
                throw al::Error("'" + request.corpusPath.toStdString() + "' holds no sentence pairs");
            splits = al::split_corpus(read.pairs, 0.05, 0.05, 1);
        }
        al::RaceEvents ev;
        ev.cancelled = [this] { return m_cancel.load(); };
        ev.variant_started = [this](int i, const al::RaceResult& r) {
            emit variantStarted(i, QString::fromStdString(r.variant), r.parameters);
        };
        ev.evaluated = [this](int i, const al::RaceResult& r, const al::EvalStats&) {
            const al::RaceCurvePoint& p = r.curve.back();
            emit evaluated(i, p.step, p.seconds, p.valid_loss);
        };
        ev.variant_finished = [this](int i, const al::RaceResult& r) { emit variantFinished(i, r); };
        al::run_race(request.config, splits, ev);
        cancelled = m_cancel.load();
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
    }
    emit finished(cancelled);
}

// ---------------------------------------------------------------------------------------------

RaceController::RaceController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<al::ui::RaceRequest>();
    qRegisterMetaType<al::RaceResult>();
}

RaceController::~RaceController() { shutdown(); }

bool RaceController::start(const RaceRequest& request)
{
    if (m_thread)
        return false;
    const quint64 run = ++m_runId;
    m_algorithmic = request.config.algorithmic;
    m_series.clear();
    for (const std::string& v : request.config.variants)
        m_series.push_back(RaceSeries{QString::fromStdString(v), {}, {}});
    m_results.clear();

    m_worker = new RaceWorker;
    m_thread = newWorkerThread(this, m_worker, QStringLiteral("race"));
    connect(m_worker, &RaceWorker::evaluated, this, [this, run](int i, qint64 step, double, double loss) {
        if (run != m_runId || i < 0 || i >= m_series.size())
            return;
        m_series[i].steps.push_back(double(step));
        m_series[i].loss.push_back(loss);
        emit changed();
    });
    connect(m_worker, &RaceWorker::variantFinished, this, [this, run](int, const al::RaceResult& r) {
        if (run != m_runId)
            return;
        m_results.push_back(r);
        emit changed();
    });
    connect(m_worker, &RaceWorker::failed, this, [this, run](const QString& message) {
        if (run == m_runId)
            emit failed(message);
    });
    connect(m_worker, &RaceWorker::finished, this, [this, run](bool cancelled) {
        if (run != m_runId)
            return;
        join();
        emit finished(cancelled);
    });
    m_thread->start();
    RaceWorker* w = m_worker;
    queueOnThread(w, [w, request] { w->run(request); });
    emit started();
    emit changed();
    return true;
}

void RaceController::cancel()
{
    if (m_worker)
        m_worker->cancel();
}

void RaceController::shutdown()
{
    if (!m_thread)
        return;
    ++m_runId; // drop whatever the old race still has queued
    cancel();
    join();
}

void RaceController::join()
{
    joinWorkerThread(m_thread);
    m_worker = nullptr; // deleted on its thread (finished -> deleteLater)
}

} // namespace al::ui
