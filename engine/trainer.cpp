// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trainer.h"
#include "engine/checkpoint.h"
#include "engine/error.h"
#include "engine/optimizer.h"
#include "engine/nat.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <omp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace al {

namespace {

/// Cuts [0, c1, ..., B) of B sequences of padded length L into the fewest micro-batches of at
/// most `budget` padded tokens (at least one sequence each), their sizes differing by at most
/// one; budget 0 = one piece.
std::vector<int> micro_batch_cuts(int B, int L, int budget)
{
    const int per = budget > 0 ? std::max(1, budget / std::max(L, 1)) : std::max(B, 1);
    const int pieces = std::max(1, (B + per - 1) / per);
    std::vector<int> cuts;
    for (int i = 0; i <= pieces; ++i)
        cuts.push_back(int(int64_t(B) * i / pieces));
    return cuts;
}

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

// The engine parallelises at the outer level only (sequences of a batch, batches, decoding
// chunks), one OpenMP region per unit of work, and keeps Eigen's own products single-threaded:
// fine-grained fork/join inside every product collapses when another process (the GUI, a
// compiler) takes a core, while one barrier per step does not.
void set_threads(int threads)
{
    Eigen::setNbThreads(1);
    if (threads > 0)
        omp_set_num_threads(threads);
}

// A training step frees and re-allocates the same activation buffers every step. By default
// glibc hands large freed blocks back to the kernel (munmap, heap trim), so each step page-faults
// them in again and zero-fills them: 16% of a tiny-model step was kernel time in perf. Keeping
// freed memory in the process lets the next step reuse it; peak memory does not grow.
void keep_freed_memory()
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024); // the largest value glibc accepts on 64-bit
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
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
    : m_model(new_model(data, cfg, train, opts)), m_train(train), m_rng(train.seed)
{
    m_train.validate();
    set_threads(train.threads);
    keep_freed_memory();
    prepare(data);
}

Trainer::Trainer(const CorpusSplits& data, TranslationModel model, const TrainConfig& train,
                 const std::string& optimizer_path)
    : m_model(std::move(model)), m_train(train), m_rng(train.seed)
{
    m_train.validate();
    set_threads(train.threads);
    keep_freed_memory();
    if (data.train.empty())
        throw Error("the training split is empty");
    if (!optimizer_path.empty()) {
        m_model.net.params().ensure_optimizer_state();
        m_step = load_optimizer_state(m_model.net.params(), optimizer_path);
        m_rng.seed(train.seed + uint64_t(m_step));
    }
    prepare(data);
}

void Trainer::prepare(const CorpusSplits& data)
{
    if (m_model.net.is_nat() && m_train.scheduled_sampling != "off")
        throw Error("scheduled_sampling needs an autoregressive decoder; the NAT decoder (decoder \"nat\") does not "
                    "read target tokens");
    m_raw = data;
    const int limit = std::min(m_train.max_len, m_model.net.config().max_len - 1);
    auto encode = [&](const std::vector<SentencePair>& pairs, bool drop_long) {
        std::vector<EncodedPair> out;
        out.reserve(pairs.size());
        for (const auto& p : pairs) {
            EncodedPair e{m_model.src_vocab.encode(m_model.src_tokenizer.tokenize(p.src)),
                          m_model.tgt_vocab.encode(m_model.tgt_tokenizer.tokenize(p.tgt))};
            if (e.src.empty() || e.tgt.empty())
                continue;
            if (int(e.src.size()) > limit || int(e.tgt.size()) > limit) {
                if (drop_long)
                    continue;
                e.src.resize(std::min(e.src.size(), size_t(limit)));
                e.tgt.resize(std::min(e.tgt.size(), size_t(limit)));
            }
            out.push_back(std::move(e));
        }
        return out;
    };
    m_train_pairs = encode(data.train, true);
    m_valid_pairs = encode(data.valid, false);
    if (m_train_pairs.empty())
        throw Error("no training pair fits max_len " + std::to_string(limit));
    m_model.net.params().ensure_optimizer_state();
    m_batches.clear();
    m_batch_pos = 0;
}

void Trainer::next_epoch()
{
    m_batches = make_batches(m_train_pairs, m_train.max_tokens, m_train.seed * 1000003ull + uint64_t(m_epoch));
    m_batch_pos = 0;
    ++m_epoch;
}

double Trainer::learning_rate(int64_t s) const
{
    return noam_learning_rate(s, m_model.net.config().d_model, m_train.lr_factor, m_train.warmup_steps);
}

StepStats Trainer::train_step()
{
    const auto t0 = std::chrono::steady_clock::now();
    if (m_batch_pos >= m_batches.size())
        next_epoch();
    const Batch& batch = m_batches[m_batch_pos++];
    ParamStore& params = m_model.net.params();

    // Data parallelism: worker w runs forward + backward on its share of the sequences, on the
    // one set of weights, accumulating into its own gradient buffer (GradientWorker); the
    // buffers are summed in a fixed order, so a run is reproducible for a given thread count.
    const std::vector<int> cuts = split_points(batch, std::max(1, m_train.threads));
    const int workers = int(cuts.size()) - 1;
    while (int(m_worker_rngs.size()) < workers - 1)
        m_worker_rngs.emplace_back(m_train.seed * 7919ull + (m_worker_rngs.size() + 1));
    m_acts.resize(size_t(workers));
    m_norm_stats.assign(size_t(workers), {});
    params.zero_grad();
    params.zero_worker_grads(workers);
    const int64_t total_tokens = batch.num_tgt_tokens();
    std::vector<double> loss(static_cast<size_t>(workers)), nll(static_cast<size_t>(workers));
    const bool scheduled = m_train.scheduled_sampling != "off";
    const double ss_p = scheduled_sampling_probability(m_train, m_step + 1);
    std::vector<int64_t> sampled(static_cast<size_t>(workers), 0);
    std::vector<int> pieces_run(static_cast<size_t>(workers), 0);
    std::vector<int64_t> largest_piece(static_cast<size_t>(workers), 0);
    const bool nat = m_model.net.is_nat();
    std::vector<double> length_loss(static_cast<size_t>(workers), 0.0);
#pragma omp parallel for num_threads(workers) schedule(static, 1)
    for (int w = 0; w < workers; ++w) {
        const GradientWorker gradients(w);
        Transformer& net = m_model.net;
        Rng& rng = w == 0 ? m_rng : m_worker_rngs[size_t(w - 1)];
        const Batch part = workers == 1 ? batch : slice_batch(batch, cuts[size_t(w)], cuts[size_t(w) + 1]);
        // Micro-batches: activation memory follows micro_batch_tokens, not the batch size nor the
        // thread count (the workers share the budget: each has micro_batch_tokens / workers).
        const int budget = m_train.micro_batch_tokens > 0 ? std::max(1, m_train.micro_batch_tokens / workers) : 0;
        const std::vector<int> micro = micro_batch_cuts(part.B, std::max(part.S, part.T), budget);
        Seq2SeqActivations& act = m_acts[size_t(w)];
        for (size_t m = 0; m + 1 < micro.size(); ++m) {
            Batch piece = micro.size() == 2 ? part : slice_batch(part, micro[m], micro[m + 1]);
            ++pieces_run[size_t(w)];
            largest_piece[size_t(w)] = std::max(largest_piece[size_t(w)], int64_t(piece.B) * std::max(piece.S, piece.T));
            if (scheduled) {
                // Its own stream, so that the dropout streams are the same as without scheduled sampling.
                Rng mix(m_train.seed * 0x9E3779B97F4A7C15ull + uint64_t(m_step) * 1024u + uint64_t(w) * 64u + uint64_t(m));
                int64_t replaced = 0;
                piece = scheduled_sampling_batch(net, piece, ss_p, mix, &replaced);
                sampled[size_t(w)] += replaced;
            }
            net.forward(piece, act, true, &rng);
            net.accumulate_norm_statistics(act, m_norm_stats[size_t(w)]);
            Mat dlength;
            if (nat) {
                // NAT length predictor: cross-entropy of the true length class, mean over the
                // batch's sentences, weighted by length_loss_weight.
                const double share = double(piece.B) / double(batch.B);
                const double ll = cross_entropy_forward_backward(act.length_logits, nat_length_targets(piece), -1, 0.0,
                                                                 &dlength);
                dlength *= Scalar(m_train.length_loss_weight * share);
                length_loss[size_t(w)] += ll * share;
            }
            // The loss gradient overwrites the logits in place (they are not needed afterwards):
            // one (tokens x vocabulary) buffer per worker instead of two.
            Mat& dlogits = act.logits;
            int64_t n = 0;
            double piece_nll = 0;
            const double l = cross_entropy_forward_backward(act.logits, piece.tgt_out, Vocab::PAD,
                                                            m_train.label_smoothing, &dlogits, &piece_nll, nullptr, &n);
            // Each piece's mean is re-weighted so that the sum is the mean over the whole batch.
            const double share = total_tokens ? double(n) / double(total_tokens) : 0.0;
            dlogits *= Scalar(share);
            loss[size_t(w)] += l * share;
            nll[size_t(w)] += piece_nll * share;
            net.backward(piece, act, dlogits, nat ? &dlength : nullptr);
        }
    }
    {
        // BatchNorm running statistics: one update from every micro-batch of every shard, pooled
        // in worker order (the statistics of the whole batch).
        std::vector<BatchNormStats>& stats = m_norm_stats[0];
        for (int w = 1; w < workers; ++w) {
            stats.resize(std::max(stats.size(), m_norm_stats[size_t(w)].size()));
            for (size_t i = 0; i < m_norm_stats[size_t(w)].size(); ++i)
                stats[i].merge(m_norm_stats[size_t(w)][i]);
        }
        m_model.net.update_norm_statistics(stats);
    }
    StepStats st;
    for (int w = 0; w < workers; ++w) {
        st.loss += loss[size_t(w)];
        st.nll += nll[size_t(w)];
        st.sampled_inputs += sampled[size_t(w)];
        st.length_loss += length_loss[size_t(w)];
        st.micro_batches += pieces_run[size_t(w)];
        st.max_micro_batch_tokens = std::max(st.max_micro_batch_tokens, largest_piece[size_t(w)]);
    }
    st.sampling_prob = scheduled ? ss_p : 0.0;
    params.reduce_worker_grads();
    const int64_t n_tokens = total_tokens;

    const GradClip clip = clip_grad_norm(params, m_train.clip_grad_norm);
    st.grad_norm = clip.norm;
    ++m_step;
    st.lr = learning_rate(m_step);
    adam_update(params, m_train, m_step, st.lr, clip.scale);

    st.step = m_step;
    st.tgt_tokens = n_tokens;
    st.epoch = double(m_epoch - 1) + double(m_batch_pos) / double(std::max<size_t>(m_batches.size(), 1));
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
}

EvalStats Trainer::evaluate(size_t max_pairs) const
{
    std::vector<EncodedPair> pairs = m_valid_pairs;
    if (max_pairs && pairs.size() > max_pairs)
        pairs.resize(max_pairs);
    EvalStats ev;
    if (pairs.empty())
        return ev;
    const std::vector<Batch> batches = make_batches(pairs, m_train.max_tokens, 0);
    double total = 0;
    int64_t correct_total = 0, tokens = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : total, correct_total, tokens)
    for (size_t i = 0; i < batches.size(); ++i) {
        Seq2SeqActivations act;
        m_model.net.forward(batches[i], act, false, nullptr);
        double nll = 0;
        int64_t correct = 0, n = 0;
        cross_entropy_forward_backward(act.logits, batches[i].tgt_out, Vocab::PAD, 0.0, nullptr, &nll, &correct, &n);
        total += nll * double(n);
        correct_total += correct;
        tokens += n;
    }
    ev.tokens = tokens;
    ev.loss = total / double(ev.tokens);
    ev.perplexity = std::exp(ev.loss);
    ev.token_accuracy = double(correct_total) / double(ev.tokens);
    return ev;
}

BleuResult Trainer::test_bleu(size_t max_sentences, std::vector<std::string>* samples,
                              const DecodingOptions& decoding) const
{
    decoding.validate();
    std::vector<SentencePair> test = m_raw.test;
    if (max_sentences && test.size() > max_sentences)
        test.resize(max_sentences);
    std::vector<std::string> sources;
    for (const auto& p : test)
        sources.push_back(p.src);
    std::vector<std::vector<std::string>> hyps = decode_corpus(m_model, sources, decoding);
    std::vector<std::vector<std::vector<std::string>>> refs;
    for (size_t i = 0; i < test.size(); ++i) {
        refs.push_back({m_model.tgt_tokenizer.tokenize(test[i].tgt)});
        if (samples)
            samples->push_back(test[i].src + "\t" + test[i].tgt + "\t" + m_model.tgt_tokenizer.detokenize(hyps[i]));
    }
    return corpus_bleu(hyps, refs);
}

std::shared_ptr<const TranslationModel> Trainer::snapshot() const
{
    return std::make_shared<const TranslationModel>(m_model);
}

void Trainer::save(const std::string& dir) const
{
    save_model_dir(m_model, dir);
    save_optimizer_state(m_model.net.params(), m_step, (std::filesystem::path(dir) / "optimizer.safetensors").string());
}

} // namespace al
