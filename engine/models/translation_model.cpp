// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/translation_model.h"
#include "engine/models/limits.h"
#include "engine/io/config_json.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/model_dir.h"
#include "engine/core/error.h"
#include "engine/models/nat.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace al {

std::vector<std::vector<int>> greedy_decode(const Transformer& net,
                                            const std::vector<std::vector<int>>& sources, int max_len)
{
    const int B = int(sources.size());
    std::vector<std::vector<int>> out(static_cast<size_t>(B));
    if (B == 0)
        return out;
    if (net.is_nat()) { // one pass, no EOS loop
        std::vector<NatOutput> nat = nat_decode(net, sources, max_len);
        for (int b = 0; b < B; ++b)
            out[size_t(b)] = std::move(nat[size_t(b)].tokens);
        return out;
    }
    const int model_max = net.config().max_len;
    Batch batch = make_source_batch(sources, model_max);
    Seq2SeqActivations act;
    net.encode(batch, act);

    max_len = std::min(max_len, model_max - 1);
    const bool cached = net.supports_incremental_decoding();
    DecoderState state;
    Mat last, logits;
    if (cached)
        net.start_decoding(batch, act, max_len, state);
    else
        last.resize(B, net.config().d_model);
    std::vector<bool> done(size_t(B), false);
    std::vector<int> tokens(size_t(B), Seq2SeqIds::BOS); // the token each row is fed next
    int remaining = B;
    for (int t = 0; t < max_len && remaining > 0; ++t) {
        if (cached) {
            // Finished sequences keep being fed EOS; their outputs are ignored.
            net.decode_step(tokens, state, last);
        } else {
            // Synthesized decoder alignments depend on absolute positions: recompute the whole
            // prefix each step (causal, so identical to what a cache would give).
            batch.T = t + 1;
            batch.tgt_in.assign(size_t(B) * size_t(batch.T), Seq2SeqIds::EOS);
            batch.tgt_len.assign(size_t(B), batch.T);
            for (int b = 0; b < B; ++b) {
                batch.tgt_in[size_t(b) * size_t(batch.T)] = Seq2SeqIds::BOS;
                std::copy(out[size_t(b)].begin(), out[size_t(b)].end(), batch.tgt_in.begin() + ptrdiff_t(b) * batch.T + 1);
            }
            net.decode(batch, act);
            for (int b = 0; b < B; ++b)
                last.row(b) = act.dec_out.row(Eigen::Index(b) * batch.T + t);
        }
        net.project_logits(last, logits);
        for (int b = 0; b < B; ++b) {
            if (done[size_t(b)])
                continue;
            Eigen::Index arg;
            logits.row(b).maxCoeff(&arg);
            tokens[size_t(b)] = int(arg);
            if (int(arg) == Seq2SeqIds::EOS) {
                done[size_t(b)] = true;
                --remaining;
            } else {
                out[size_t(b)].push_back(int(arg));
            }
        }
    }
    return out;
}

namespace {

// NAT translation (Gu et al. 2018): one encoder pass, the predicted length, one decoder pass.
// The Trace shows that pass: decoder inputs are the copied source tokens, the decoder outputs
// the argmax token of every position, and trace->decoding has one "step" per position.
Translation translate_nat(const TranslationModel& model, const std::vector<int>& src_ids, Translation result,
                          const DecodingOptions& opts, Trace* trace)
{
    require_nat_options(opts);
    const int max_tokens = std::min(opts.max_len, model.net.config().max_len - 1);
    const NatOutput nat = nat_decode(model.net, {src_ids}, max_tokens, nat_length_candidates(opts)).front();
    for (int id : nat.tokens)
        result.out_tokens.push_back(model.tgt_vocab.token(id));
    result.text = model.tgt_tokenizer.detokenize(result.out_tokens);
    result.log_prob = nat.log_prob;
    result.score = nat.log_prob;
    if (!trace)
        return result;

    Batch batch = make_source_batch({src_ids}, model.net.config().max_len);
    batch.T = nat.length;
    batch.tgt_len = {batch.T};
    batch.tgt_in.assign(size_t(batch.T), model.tgt_vocab.pad()); // unused: the decoder reads the copied source
    Seq2SeqActivations act;
    model.net.encode(batch, act);
    model.net.decode(batch, act);
    Mat logits;
    model.net.project_logits(act.dec_out, logits);
    *trace = Trace{};
    trace->src_tokens = result.src_tokens;
    for (int id : act.dec_in)
        trace->tgt_in_tokens.push_back(model.src_vocab.token(id));
    for (int id : nat.positions)
        trace->tgt_out_tokens.push_back(model.tgt_vocab.token(id));
    model.net.fill_trace(act, 0, *trace);

    DecodingTrace& d = trace->decoding;
    d.strategy = "nat";
    d.beam_width = nat_length_candidates(opts); // length candidates
    d.log_prob = nat.log_prob;
    d.score = nat.log_prob;
    const int k = std::min(opts.record_top_k, int(logits.cols()));
    for (int t = 0; t < batch.T; ++t) {
        RowVec p = logits.row(t);
        p = (p.array() - p.maxCoeff()).exp();
        p /= p.sum();
        std::vector<int> ids(size_t(p.size()));
        std::iota(ids.begin(), ids.end(), 0);
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](int a, int b) {
            return p(a) != p(b) ? p(a) > p(b) : a < b;
        });
        DecodingStep s;
        for (int i = 0; i < k; ++i) {
            s.top_ids.push_back(ids[size_t(i)]);
            s.top_tokens.push_back(model.tgt_vocab.token(ids[size_t(i)]));
            s.top_probs.push_back(double(p(ids[size_t(i)])));
        }
        s.top_sample_probs = s.top_probs;
        s.token_id = nat.positions[size_t(t)];
        s.token = model.tgt_vocab.token(s.token_id);
        s.prob = double(p(s.token_id));
        for (const auto& heads : trace->cross) {
            std::vector<RowVec> rows;
            for (const Mat& m : heads)
                rows.push_back(m.row(Eigen::Index(t)));
            s.cross.push_back(std::move(rows));
        }
        d.steps.push_back(std::move(s));
    }
    return result;
}

} // namespace

Translation translate(const TranslationModel& model, const std::string& sentence, int max_len, Trace* trace)
{
    DecodingOptions opts;
    opts.max_len = max_len;
    return translate(model, sentence, opts, trace);
}

Translation translate(const TranslationModel& model, const std::string& sentence, const DecodingOptions& opts,
                      Trace* trace)
{
    return translate(model, sentence, opts, trace, TraceOptions{});
}

Translation translate(const TranslationModel& model, const std::string& sentence, const DecodingOptions& opts,
                      Trace* trace, const TraceOptions& trace_options)
{
    opts.validate();
    Translation result;
    std::vector<std::string> src_tokens = model.src_tokenizer.tokenize(sentence);
    const int room = model.net.config().max_len - 1;
    if (int(src_tokens.size()) > room)
        src_tokens.resize(size_t(room));
    const std::vector<int> src_ids = model.src_vocab.encode(src_tokens);
    result.src_tokens = src_tokens;
    result.src_tokens.push_back(model.src_vocab.token(model.src_vocab.eos()));
    if (src_tokens.empty()) {
        if (trace)
            *trace = Trace{};
        return result;
    }
    if (model.net.is_nat())
        return translate_nat(model, src_ids, std::move(result), opts, trace);
    SearchResult found = decode(model.net, src_ids, opts, trace != nullptr);
    Hypothesis& best = found.hypotheses.front();
    const std::vector<int>& out = best.tokens;
    for (int id : out)
        result.out_tokens.push_back(model.tgt_vocab.token(id));
    result.text = model.tgt_tokenizer.detokenize(result.out_tokens);
    result.log_prob = best.log_prob;
    result.score = best.score;

    if (trace) {
        // One teacher-forced pass over "BOS y1 .. yn" records every layer's attention.
        Batch batch = make_source_batch({src_ids}, model.net.config().max_len);
        batch.T = int(out.size()) + 1;
        batch.tgt_in.push_back(model.tgt_vocab.bos());
        batch.tgt_in.insert(batch.tgt_in.end(), out.begin(), out.end());
        batch.tgt_len = {batch.T};
        Seq2SeqActivations act;
        model.net.encode(batch, act);
        model.net.decode(batch, act);
        *trace = Trace{};
        trace->src_tokens = result.src_tokens;
        trace->tgt_in_tokens.push_back(model.tgt_vocab.token(model.tgt_vocab.bos()));
        trace->tgt_in_tokens.insert(trace->tgt_in_tokens.end(), result.out_tokens.begin(),
                                    result.out_tokens.end());
        trace->tgt_out_tokens = result.out_tokens;
        trace->tgt_out_tokens.push_back(model.tgt_vocab.token(model.tgt_vocab.eos()));
        model.net.fill_trace(act, 0, *trace, trace_options.forward_detail);

        DecodingTrace& d = trace->decoding;
        d.strategy = to_string(opts.strategy);
        if (opts.strategy == DecodingStrategy::Beam) {
            d.beam_width = opts.beam_width;
            d.length_penalty = opts.length_penalty;
        } else if (opts.strategy == DecodingStrategy::Sample) {
            d.temperature = opts.temperature;
            d.top_k = opts.top_k;
            d.top_p = opts.top_p;
            d.seed = opts.seed;
        }
        d.forced = int(opts.forced_prefix.size());
        d.log_prob = best.log_prob;
        d.score = best.score;
        d.steps = std::move(best.steps);
        for (size_t t = 0; t < d.steps.size(); ++t) {
            DecodingStep& s = d.steps[t];
            s.token = model.tgt_vocab.token(s.token_id);
            for (int id : s.top_ids)
                s.top_tokens.push_back(model.tgt_vocab.token(id));
            // Step t's query is decoder input t: row t of each cross-attention map.
            for (const auto& heads : trace->cross) {
                std::vector<RowVec> rows;
                for (const Mat& m : heads)
                    rows.push_back(m.row(Eigen::Index(t)));
                s.cross.push_back(std::move(rows));
            }
        }
    }
    return result;
}

std::vector<std::vector<std::string>> decode_corpus(const TranslationModel& model,
                                                    const std::vector<std::string>& sources,
                                                    const DecodingOptions& decoding)
{
    const int limit = model.net.config().max_len - 1;
    std::vector<std::vector<int>> ids;
    ids.reserve(sources.size());
    for (const auto& s : sources) {
        auto e = model.src_vocab.encode(model.src_tokenizer.tokenize(s));
        if (int(e.size()) > limit)
            e.resize(size_t(limit));
        ids.push_back(std::move(e));
    }
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
    std::vector<std::vector<int>> outs(ids.size());
    const size_t chunk = 32;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < order.size(); i += chunk) {
        std::vector<std::vector<int>> srcs;
        int longest = 0;
        for (size_t j = i; j < std::min(order.size(), i + chunk); ++j) {
            srcs.push_back(ids[order[j]]);
            longest = std::max(longest, int(srcs.back().size()));
        }
        DecodingOptions o = decoding;
        o.max_len = std::min(limit, 2 * longest + 10);
        o.seed = decoding.seed + uint64_t(i);
        const auto decoded = decode_all(model.net, srcs, o);
        for (size_t j = 0; j < decoded.size(); ++j)
            outs[order[i + j]] = decoded[j];
    }
    std::vector<std::vector<std::string>> hyps(ids.size());
    for (size_t i = 0; i < outs.size(); ++i)
        for (int id : outs[i])
            hyps[i].push_back(model.tgt_vocab.token(id));
    return hyps;
}

void save_model_dir(const TranslationModel& model, const std::string& dir)
{
    atomic_write_dir(dir, [&](const std::string& staging) { write_model_files(model, staging); });
}

void write_model_files(const TranslationModel& model, const std::string& dir)
{
    ModelConfig cfg = model.net.config();
    cfg.src_tokens = to_string(model.src_tokenizer.kind());
    cfg.tgt_tokens = to_string(model.tgt_tokenizer.kind());
    write_model_dir(dir, ModelFamily::EncoderDecoder, model_config_to_json(cfg), model.net.params(),
                    {&model.src_vocab, &model.tgt_vocab});
}

TranslationModel load_model_dir(const std::string& dir)
{
    const std::string cfg_path = (std::filesystem::path(dir) / "config.json").string();
    const ModelConfig cfg =
        model_config_from_json(read_model_config_json(dir, ModelFamily::EncoderDecoder), cfg_path);
    // The architecture must fit the weights file before the network is built (its sizes were
    // checked against ModelLimits by validate()).
    check_weights_fit(cfg, cfg_path, (std::filesystem::path(dir) / "model.safetensors").string());
    std::vector<Vocab> vocabs =
        read_model_vocabs(dir, ModelFamily::EncoderDecoder, {cfg.src_vocab_size, cfg.tgt_vocab_size});
    TranslationModel m{Transformer(cfg, 0), std::move(vocabs[0]), std::move(vocabs[1]),
                       Tokenizer(token_kind_from_string(cfg.src_tokens, cfg_path + ": key 'src_tokens'")),
                       Tokenizer(token_kind_from_string(cfg.tgt_tokens, cfg_path + ": key 'tgt_tokens'"))};
    read_model_weights(dir, m.net.params());
    return m;
}

} // namespace al
