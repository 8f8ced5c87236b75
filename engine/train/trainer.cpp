// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/train/trainer.h"
#include "engine/io/checkpoint.h"
#include "engine/core/error.h"
#include "engine/train/optimizer.h"
#include "engine/models/nat.h"
#include "engine/train/train_step.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace al {

namespace {

std::vector<std::vector<std::string>> tokenize_all(const Tokenizer& tok, const std::vector<SentencePair>& pairs,
                                                   bool source)
{
    std::vector<std::vector<std::string>> out;
    out.reserve(pairs.size());
    for (const auto& p : pairs)
        out.push_back(tok.tokenize(source ? p.src : p.tgt));
    return out;
}

std::vector<std::string> sample_side(const std::vector<SentencePair>& pairs, bool source, size_t n)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < pairs.size() && i < n; ++i)
        out.push_back(source ? pairs[i].src : pairs[i].tgt);
    return out;
}

} // namespace

double scheduled_sampling_probability(const TrainConfig& train, int64_t step)
{
    const double i = double(std::max<int64_t>(step, 0)), k = train.scheduled_sampling_k, cap = train.scheduled_sampling_p;
    if (train.scheduled_sampling == "constant")
        return cap;
    if (train.scheduled_sampling == "linear")
        return std::min(cap, i / k);
    if (train.scheduled_sampling == "inverse_sigmoid") {
        // eps_i = k / (k + exp(i / k)) is the teacher-forcing probability (Bengio et al. 2015, section 2.4).
        const double e = i / k > 700 ? 0.0 : k / (k + std::exp(i / k));
        return std::min(cap, 1.0 - e);
    }
    return 0.0;
}

Batch scheduled_sampling_batch(const Transformer& net, const Batch& batch, double p, Rng& rng, int64_t* replaced)
{
    Seq2SeqActivations act;
    net.forward(batch, act, false, nullptr); // no dropout, and the gradients are never asked for
    Batch out = batch;
    int64_t changed = 0;
    for (int b = 0; b < batch.B; ++b) {
        for (int t = 1; t < batch.tgt_len[size_t(b)]; ++t) {
            if (rng.uniform() >= p)
                continue;
            Eigen::Index arg;
            act.logits.row(Eigen::Index(b) * batch.T + t - 1).maxCoeff(&arg); // the prediction of y_t
            int& in = out.tgt_in[size_t(b) * size_t(batch.T) + size_t(t)];
            changed += in != int(arg);
            in = int(arg);
        }
    }
    if (replaced)
        *replaced = changed;
    return out;
}

TranslationModel Trainer::new_model(const CorpusSplits& data, ModelConfig cfg, const TrainConfig& train,
                                    const DataOptions& opts)
{
    if (data.train.empty())
        throw Error("the training split is empty");
    const TokenKind sk = resolve_token_kind(opts.src_tokens, sample_side(data.train, true, 2000));
    const TokenKind tk = resolve_token_kind(opts.tgt_tokens, sample_side(data.train, false, 2000));
    const Tokenizer src_tok(sk), tgt_tok(tk);
    Vocab src_vocab = Vocab::build(tokenize_all(src_tok, data.train, true), opts.min_count);
    Vocab tgt_vocab = Vocab::build(tokenize_all(tgt_tok, data.train, false), opts.min_count);
    cfg.src_vocab_size = src_vocab.size();
    cfg.tgt_vocab_size = tgt_vocab.size();
    cfg.src_tokens = to_string(sk);
    cfg.tgt_tokens = to_string(tk);
    // A synthesizer's alignment is l x l with l = max_len: size it to the longest training
    // sequence (with EOS) rather than the generous default.
    cfg.max_len = cfg.attention == "vanilla" ? std::max(cfg.max_len, train.max_len + 1) : train.max_len + 1;
    return TranslationModel{Transformer(cfg, train.seed), std::move(src_vocab), std::move(tgt_vocab), src_tok, tgt_tok};
}

Trainer::Trainer(const CorpusSplits& data, ModelConfig cfg, const TrainConfig& train, const DataOptions& opts)
    : TrainerBase(train), m_model(new_model(data, cfg, train, opts))
{
    m_train.validate();
    configure_training_threads(train.threads);
    prepare(data);
}

Trainer::Trainer(const CorpusSplits& data, TranslationModel model, const TrainConfig& train,
                 const std::string& optimizer_path)
    : TrainerBase(train), m_model(std::move(model))
{
    m_train.validate();
    configure_training_threads(train.threads);
    if (data.train.empty())
        throw Error("the training split is empty");
    if (!optimizer_path.empty())
        resume(m_model.net.params(), optimizer_path);
    prepare(data);
    int64_t epoch = 0;
    size_t batch_pos = 0;
    if (take_resumed_position(epoch, batch_pos)) {
        // The epoch's batch order depends on the seed and the epoch only: made again, then
        // continued after the batches already trained.
        const Rng epoch_rng = m_epoch_rng; // the restored one, not the stream of now
        m_epoch = epoch - 1;
        next_epoch();
        m_epoch_rng = epoch_rng;
        m_batch_pos = std::min(batch_pos, m_batches.size());
    }
}

void Trainer::prepare(const CorpusSplits& data)
{
    if (m_model.net.is_nat() && m_train.scheduled_sampling != "off")
        throw Error("scheduled_sampling needs an autoregressive decoder; the NAT decoder (decoder \"nat\") does not "
                    "read target tokens");
    m_raw = data;
    const int limit = std::min(m_train.max_len, m_model.net.config().max_len - 1);
    m_train_pairs = encode_pairs(m_model, data.train, limit, true);
    m_valid_pairs = encode_pairs(m_model, data.valid, limit, false);
    if (m_train_pairs.empty())
        throw Error("no training pair fits max_len " + std::to_string(limit));
    m_model.net.params().ensure_optimizer_state();
    m_batches.clear();
    m_batch_pos = 0;
}

void Trainer::next_epoch()
{
    m_epoch_rng = m_rng;
    m_batches = make_batches(m_train_pairs, m_train.max_tokens, m_train.seed * 1000003ull + uint64_t(m_epoch));
    m_batch_pos = 0;
    ++m_epoch;
}

double Trainer::learning_rate(int64_t s) const
{
    return noam_learning_rate(s, m_model.net.config().d_model, m_train);
}

StepStats Trainer::train_step()
{
    const auto t0 = std::chrono::steady_clock::now();
    if (m_batch_pos >= m_batches.size())
        next_epoch();
    const Batch& batch = m_batches[m_batch_pos++];
    const int64_t total_tokens = batch.num_tgt_tokens();
    const bool scheduled = m_train.scheduled_sampling != "off";
    const double ss_p = scheduled_sampling_probability(m_train, m_step + 1);
    const bool nat = m_model.net.is_nat();
    Transformer& net = m_model.net;

    // Shards of about the same number of target tokens, one per thread.
    StepPlan plan;
    plan.shards = split_points(batch, std::max(1, m_train.threads));
    m_acts.resize(plan.shards.size() - 1);
    plan.padded_length = [&](int begin, int end) {
        int S = 1, T = 1;
        for (int b = begin; b < end; ++b) {
            S = std::max(S, batch.src_len[size_t(b)]);
            T = std::max(T, batch.tgt_len[size_t(b)]);
        }
        return std::max(S, T);
    };
    plan.micro_batch = [&](const MicroBatch& mb) {
        MicroBatchLoss out;
        Batch piece = mb.whole ? batch : slice_batch(batch, mb.begin, mb.end);
        if (scheduled) {
            // Its own stream, so that the dropout streams are the same as without scheduled sampling.
            Rng mix(m_train.seed * 0x9E3779B97F4A7C15ull + uint64_t(m_step) * 1024u + uint64_t(mb.worker) * 64u
                    + uint64_t(mb.index));
            piece = scheduled_sampling_batch(net, piece, ss_p, mix, &out.sampled_inputs);
        }
        Seq2SeqActivations& act = m_acts[size_t(mb.worker)];
        net.forward(piece, act, true, mb.rng);
        net.accumulate_norm_statistics(act, *mb.norm_stats);
        Mat dlength;
        if (nat) {
            // NAT length predictor: cross-entropy of the true length class, mean over the
            // batch's sentences, weighted by length_loss_weight.
            const double share = double(piece.B) / double(batch.B);
            const double ll = cross_entropy_forward_backward(act.length_logits, nat_length_targets(piece), -1, 0.0,
                                                             &dlength);
            dlength *= Scalar(m_train.length_loss_weight * share);
            out.length_loss = ll * share;
        }
        const MicroBatchLoss token =
            micro_batch_cross_entropy(act.logits, piece.tgt_out, Seq2SeqIds::PAD, m_train.label_smoothing, total_tokens);
        out.loss = token.loss;
        out.nll = token.nll;
        net.backward(piece, act, act.logits, nat ? &dlength : nullptr);
        return out;
    };
    plan.update_norm_statistics = [&](const std::vector<BatchNormStats>& stats) { net.update_norm_statistics(stats); };
    StepStats st = run_step(net.params(), net.config().d_model, plan);

    st.sampling_prob = scheduled ? ss_p : 0.0;
    st.tgt_tokens = total_tokens;
    st.epoch = double(m_epoch - 1) + double(m_batch_pos) / double(std::max<size_t>(m_batches.size(), 1));
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
}

EvalStats Trainer::evaluate(size_t max_pairs) const
{
    std::vector<EncodedPair> pairs = m_valid_pairs;
    if (max_pairs && pairs.size() > max_pairs)
        pairs.resize(max_pairs);
    if (pairs.empty())
        return {};
    return al::evaluate(m_model.net, make_batches(pairs, m_train.max_tokens, 0));
}

BleuResult Trainer::test_bleu(size_t max_sentences, std::vector<std::string>* samples,
                              const DecodingOptions& decoding) const
{
    std::vector<SentencePair> test = m_raw.test;
    if (max_sentences && test.size() > max_sentences)
        test.resize(max_sentences);
    return evaluate_bleu(m_model, test, decoding, samples);
}

std::shared_ptr<const TranslationModel> Trainer::snapshot() const
{
    return std::make_shared<const TranslationModel>(m_model);
}

void Trainer::write_model(const std::string& dir) const
{
    write_model_files(m_model, dir);
}

void Trainer::restore_weights(const TranslationModel& snapshot)
{
    m_model.net.params().copy_values_from(snapshot.net.params());
}

} // namespace al
