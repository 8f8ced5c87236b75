// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/task_models.h"
#include "engine/io/atomic_dir.h"
#include "engine/io/model_dir.h"
#include "engine/models/limits.h"
#include "engine/io/config_json.h"
#include "engine/core/error.h"
#include "engine/data/text.h"
#include "engine/data/tokenizer.h"
#include "engine/models/stack.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace al {

// ---------------------------------------------------------------------------------------------
// Batch

int64_t TaskBatch::num_targets() const
{
    int64_t n = 0;
    for (int t : targets)
        n += t != -1;
    return n;
}

// ---------------------------------------------------------------------------------------------
// Pooling

void mean_pool_forward(const Mat& h, int B, int T, const std::vector<int>& len, Mat& pooled)
{
    // pooled[b] = (1 / len[b]) * sum_{t < len[b]} h[b*T + t]
    pooled.setZero(B, h.cols());
    for (int b = 0; b < B; ++b) {
        const int n = std::max(1, len[size_t(b)]);
        pooled.row(b) = h.middleRows(Eigen::Index(b) * T, n).colwise().sum() / Scalar(n);
    }
}

void mean_pool_backward(const Mat& dpooled, int B, int T, const std::vector<int>& len, Mat& dh)
{
    dh.setZero(Eigen::Index(B) * T, dpooled.cols());
    for (int b = 0; b < B; ++b) {
        const int n = std::max(1, len[size_t(b)]);
        const RowVec g = dpooled.row(b) / Scalar(n);
        for (int t = 0; t < n; ++t)
            dh.row(Eigen::Index(b) * T + t) = g;
    }
}

// ---------------------------------------------------------------------------------------------
// Network

TaskNet::TaskNet(const ModelConfig& config, uint64_t init_seed)
    : m_config(config)
{
    if (!m_config.is_task_model())
        throw Error("a task model needs a task key (charlm, pos, sentiment, langid or mlm); an encoder-decoder is a Transformer");
    m_config.validate();
    build();
    init_stack_model(*m_params, m_config.d_model, m_pos, {m_tok_emb.weight, m_seg_emb.weight}, init_seed);
}

TaskNet::TaskNet(const TaskNet& other)
    : m_config(other.m_config)
{
    build();
    m_params->copy_values_from(*other.m_params);
    set_head_mask(other.m_head_mask);
}

TaskNet& TaskNet::operator=(const TaskNet& other)
{
    if (this != &other) {
        m_config = other.m_config;
        build();
        m_params->copy_values_from(*other.m_params);
        set_head_mask(other.m_head_mask);
    }
    return *this;
}

void TaskNet::set_head_mask(const HeadMask& mask)
{
    check_head_mask(mask, attention_layers(), m_config.nhead);
    EncoderStack stack = m_stack;
    stack.set_head_mask(mask, AttentionKind::EncoderSelf);
    m_stack = std::move(stack);
    m_head_mask = mask;
}

void TaskNet::build()
{
    const ModelConfig& c = m_config;
    m_params = std::make_unique<ParamStore>();
    ParamStore& s = *m_params;
    const int C = c.d_model;
    m_stack = EncoderStack(s, "encoder.", c.num_layers(), c, block_options(c), c.causal());
    m_tok_emb = Embedding(s, "tok_emb.weight", c.vocab_size, C);
    if (c.task == "mlm")
        m_seg_emb = Embedding(s, "seg_emb.weight", c.num_segments, C);
    const bool vocab_head = c.task == "charlm" || c.task == "mlm";
    m_head = Linear(s, "head", C, vocab_head ? c.vocab_size : int(c.labels.size()));
    m_pos = make_positional_table(s, parse_positional_encoding(c.positional_encoding), c.max_len, C);
}

void TaskNet::forward(const TaskBatch& batch, TaskActivations& a, bool train, Rng* rng) const
{
    const ModelConfig& c = m_config;
    const int B = batch.B, T = batch.T;
    const size_t N = size_t(B) * size_t(T);
    if (batch.ids.size() != N || batch.len.size() != size_t(B))
        throw Error("task batch: " + std::to_string(batch.ids.size()) + " ids and " + std::to_string(batch.len.size())
                    + " lengths for B = " + std::to_string(B) + ", T = " + std::to_string(T));
    const bool per_sequence = c.kind() == ModelKind::EncoderClassifier;
    if (batch.targets.size() != (per_sequence ? size_t(B) : N))
        throw Error("task batch: " + std::to_string(batch.targets.size()) + " targets for B = " + std::to_string(B)
                    + ", T = " + std::to_string(T) + " (task " + c.task + ")");
    const double dp = train ? c.dropout : 0.0;
    a.B = B;
    a.T = T;
    // x = drop(E_tok x * sqrt(C) + PE [+ E_seg s * sqrt(C)] [+ E_tok aux * sqrt(C)])
    std::vector<const Mat*> extra;
    if (c.task == "mlm") {
        const std::vector<int> zeros(batch.segments.empty() ? N : 0, 0);
        const std::vector<int>& seg = batch.segments.empty() ? zeros : batch.segments;
        if (seg.size() != N)
            throw Error("task batch: " + std::to_string(seg.size()) + " segment ids for " + std::to_string(N) + " tokens");
        m_seg_emb.forward(seg, T, Mat(), a.seg.out);
        extra.push_back(&a.seg.out);
    }
    if (c.suffix_len > 0) {
        // The suffix tokens share the token table.
        if (batch.aux.size() != N)
            throw Error("task batch: " + std::to_string(batch.aux.size()) + " suffix ids for " + std::to_string(N) + " tokens");
        m_tok_emb.forward(batch.aux, T, Mat(), a.aux.out);
        extra.push_back(&a.aux.out);
    }
    embed_forward(m_tok_emb, batch.ids, T, m_pos, extra, dp, train, rng, a.emb.out, a.emb_drop);
    m_stack.forward(a.emb.out, B, batch.len, nullptr, nullptr, dp, train, rng, a.layers, a.norm, a.hidden);

    a.rows.clear();
    if (per_sequence) {
        if (c.pooling == "mean") {
            mean_pool_forward(a.hidden, B, T, batch.len, a.head_in);
        } else {
            a.head_in.resize(B, a.hidden.cols());
            for (int b = 0; b < B; ++b)
                a.head_in.row(b) = a.hidden.row(Eigen::Index(b) * T); // the [CLS] position
        }
        m_head.forward(a.head_in, a.logits);
        a.targets = batch.targets;
    } else if (c.task == "mlm") {
        // Only the selected positions reach the (V-wide) head: logits (M, V).
        a.targets.clear();
        for (size_t r = 0; r < N; ++r)
            if (batch.targets[r] != -1) {
                a.rows.push_back(int(r));
                a.targets.push_back(batch.targets[r]);
            }
        a.head_in.resize(Eigen::Index(a.rows.size()), a.hidden.cols());
        for (size_t i = 0; i < a.rows.size(); ++i)
            a.head_in.row(Eigen::Index(i)) = a.hidden.row(a.rows[i]);
        m_head.forward(a.head_in, a.logits);
    } else {
        a.head_in.resize(0, 0);
        m_head.forward(a.hidden, a.logits);
        a.targets = batch.targets;
    }
}

void TaskNet::backward(const TaskBatch& batch, TaskActivations& a, const Mat& dlogits)
{
    const ModelConfig& c = m_config;
    const int B = a.B, T = a.T;
    Mat dh;
    if (c.kind() == ModelKind::EncoderClassifier) {
        Mat dpooled;
        m_head.backward(a.head_in, dlogits, &dpooled);
        if (c.pooling == "mean") {
            mean_pool_backward(dpooled, B, T, batch.len, dh);
        } else {
            dh.setZero(Eigen::Index(B) * T, a.hidden.cols());
            for (int b = 0; b < B; ++b)
                dh.row(Eigen::Index(b) * T) = dpooled.row(b);
        }
    } else if (c.task == "mlm") {
        // forward: head_in[i] = hidden[rows[i]]
        Mat dsel;
        m_head.backward(a.head_in, dlogits, &dsel);
        dh.setZero(a.hidden.rows(), a.hidden.cols());
        for (size_t i = 0; i < a.rows.size(); ++i)
            dh.row(a.rows[i]) += dsel.row(Eigen::Index(i));
    } else {
        m_head.backward(a.hidden, dlogits, &dh);
    }
    Mat dx;
    m_stack.backward(dh, a.layers, a.norm, nullptr, nullptr, dx);
    embed_backward(m_tok_emb, batch.ids, T, m_pos, a.emb_drop, dx);
    if (c.suffix_len > 0)
        m_tok_emb.backward(batch.aux, dx);
    if (c.task == "mlm") {
        const std::vector<int> zeros(batch.segments.empty() ? batch.ids.size() : 0, 0);
        m_seg_emb.backward(batch.segments.empty() ? zeros : batch.segments, dx);
    }
}

void TaskNet::accumulate_norm_statistics(const TaskActivations& a, std::vector<BatchNormStats>& stats) const
{
    if (m_stack.norm_kind() == NormKind::BatchNorm)
        accumulate_batchnorm_statistics(m_stack.norm_caches(a.layers, a.norm), stats);
}

void TaskNet::update_norm_statistics(const std::vector<BatchNormStats>& stats)
{
    if (m_stack.norm_kind() == NormKind::BatchNorm)
        update_batchnorm_statistics(m_stack.norms(), stats);
}

std::vector<std::vector<Mat>> TaskNet::attention(const TaskActivations& a, int b) const
{
    return m_stack.self_attention(a.layers, b, a.T);
}

void TaskNet::fill_trace(const TaskActivations& a, int b, Trace& trace, bool forward_detail) const
{
    const TraceSide side = m_stack.causal() ? TraceSide::Decoder : TraceSide::Encoder;
    const std::vector<std::string>& tokens = side == TraceSide::Decoder ? trace.tgt_in_tokens : trace.src_tokens;
    const int n = tokens.empty() ? a.T : int(tokens.size());
    trace.enc_self.clear();
    trace.dec_self.clear();
    trace.cross.clear();
    trace.enc_synth = SynthesizerTrace{};
    trace.dec_synth = SynthesizerTrace{};
    trace.forward = ForwardTrace{};
    m_stack.fill_trace(a.emb.out, a.layers, a.hidden, b, a.T, n, 0, side, forward_detail, trace);
}

// ---------------------------------------------------------------------------------------------
// Text and model directories

std::vector<std::string> task_tokenize(const std::string& kind, const std::string& text)
{
    std::vector<std::string> out;
    if (kind == "char") {
        if (!is_valid_utf8(text))
            throw Error("text is not valid UTF-8");
        for (char32_t cp : utf8_decode(text))
            out.push_back(utf8_encode(cp));
    } else if (kind == "space") {
        size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
                ++i;
            size_t j = i;
            while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])))
                ++j;
            if (j > i)
                out.push_back(text.substr(i, j - i));
            i = j;
        }
    } else if (kind == "word") {
        out = Tokenizer(TokenKind::Word).tokenize(text);
    } else {
        throw Error("unknown token kind \"" + kind + "\" (expected char, space or word)");
    }
    return out;
}

std::string suffix_token(const std::string& word, int suffix_len)
{
    const std::u32string w = is_valid_utf8(word) ? utf8_decode(word) : std::u32string();
    char shape = 'p';
    for (char32_t ch : w)
        if (ch >= '0' && ch <= '9')
            shape = 'd';
    if (shape != 'd' && !w.empty()) {
        const char32_t f = w.front();
        if ((f >= 'A' && f <= 'Z') || (f >= 0xC0 && f <= 0xDE))
            shape = 'X';
        else if ((f >= 'a' && f <= 'z') || f >= 0xDF)
            shape = 'x';
    }
    std::u32string tail = w.size() > size_t(suffix_len) ? w.substr(w.size() - size_t(suffix_len)) : w;
    for (char32_t& ch : tail)
        if (ch >= 'A' && ch <= 'Z')
            ch = ch - 'A' + 'a';
    return std::string("##") + shape + ":" + utf8_encode(tail);
}

void save_task_model_dir(const TaskModel& model, const std::string& dir)
{
    atomic_write_dir(dir, [&](const std::string& staging) { write_task_model_files(model, staging); });
}

void write_task_model_files(const TaskModel& model, const std::string& dir)
{
    write_model_dir(dir, ModelFamily::TaskModel, model_config_to_json(model.net.config()), model.net.params(),
                    {&model.vocab});
}

TaskModel load_task_model_dir(const std::string& dir)
{
    const std::string cfg_path = (std::filesystem::path(dir) / "config.json").string();
    const ModelConfig cfg = model_config_from_json(read_model_config_json(dir, ModelFamily::TaskModel), cfg_path);
    // The architecture must fit the weights file before the network is built (its sizes were
    // checked against ModelLimits by validate()).
    check_weights_fit(cfg, cfg_path, (std::filesystem::path(dir) / "model.safetensors").string());
    std::vector<Vocab> vocabs = read_model_vocabs(dir, ModelFamily::TaskModel, {cfg.vocab_size});
    TaskModel m{TaskNet(cfg, 0), std::move(vocabs[0])};
    read_model_weights(dir, m.net.params());
    return m;
}

std::string task_of_model_dir(const std::string& dir)
{
    try {
        const nlohmann::json j = read_model_config_json(dir, ModelFamily::TaskModel);
        const auto it = j.is_object() ? j.find("task") : j.end();
        if (it != j.end() && it->is_string() && is_task_model_name(it->get<std::string>()))
            return it->get<std::string>();
    } catch (const Error&) {
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Inference

namespace {

TaskBatch single(const std::vector<int>& ids, const std::vector<int>& targets)
{
    TaskBatch b;
    b.B = 1;
    b.T = int(ids.size());
    b.ids = ids;
    b.len = {b.T};
    b.targets = targets;
    return b;
}

std::vector<double> softmax_row(const Mat& logits, Eigen::Index r, double temperature = 1.0)
{
    std::vector<double> p(size_t(logits.cols()));
    double mx = -std::numeric_limits<double>::infinity();
    for (Eigen::Index v = 0; v < logits.cols(); ++v)
        mx = std::max(mx, double(logits(r, v)) / temperature);
    double sum = 0;
    for (Eigen::Index v = 0; v < logits.cols(); ++v)
        sum += p[size_t(v)] = std::exp(double(logits(r, v)) / temperature - mx);
    for (double& x : p)
        x /= sum;
    return p;
}

void require_task(const TaskModel& m, bool ok, const char* what, const char* expected)
{
    if (!ok)
        throw Error(std::string(what) + ": needs a " + expected + " model, this one is task " + m.net.config().task);
}

} // namespace

std::string generate_text(const TaskModel& model, const std::string& prompt, int length, double temperature,
                          uint64_t seed)
{
    const ModelConfig& c = model.net.config();
    require_task(model, c.task == "charlm", "generate", "charlm");
    std::vector<int> ids = model.vocab.encode(task_tokenize(c.tokens, prompt));
    if (ids.empty())
        throw Error("generate: the prompt is empty");
    if (!(temperature >= 0.0))
        throw Error("generate: temperature must be >= 0");
    Rng rng(seed);
    std::string out;
    TaskActivations act;
    const int ctx = c.max_len;
    const int specials = model.vocab.num_specials();
    for (int step = 0; step < length; ++step) {
        const size_t start = ids.size() > size_t(ctx) ? ids.size() - size_t(ctx) : 0;
        const std::vector<int> window(ids.begin() + ptrdiff_t(start), ids.end());
        model.net.forward(single(window, std::vector<int>(window.size(), -1)), act, false, nullptr);
        const Eigen::Index last = Eigen::Index(window.size()) - 1;
        int next = specials;
        if (temperature == 0.0) {
            Eigen::Index arg;
            act.logits.row(last).tail(act.logits.cols() - specials).maxCoeff(&arg);
            next = int(arg) + specials;
        } else {
            std::vector<double> p = softmax_row(act.logits, last, temperature);
            double total = 0;
            for (int v = specials; v < int(p.size()); ++v)
                total += p[size_t(v)];
            double u = rng.uniform(0.0, total);
            for (int v = specials; v < int(p.size()); ++v) {
                next = v;
                u -= p[size_t(v)];
                if (u <= 0)
                    break;
            }
        }
        ids.push_back(next);
        out += model.vocab.token(next);
    }
    return out;
}

std::vector<std::vector<TokenProb>> masked_token_probabilities(const TaskModel& model, const std::string& sentence,
                                                               int top_k)
{
    const ModelConfig& c = model.net.config();
    require_task(model, c.task == "mlm", "masked_token_probabilities", "mlm");
    // "[CLS] A [SEP] (B [SEP])", [MASK] kept as one token.
    std::vector<int> ids{model.vocab.cls()}, seg{0};
    const size_t bar = sentence.find("|||");
    const std::string parts[2] = {sentence.substr(0, bar), bar == std::string::npos ? std::string() : sentence.substr(bar + 3)};
    for (int s = 0; s < (bar == std::string::npos ? 1 : 2); ++s) {
        const std::string& text = parts[s];
        size_t pos = 0;
        while (true) {
            const size_t m = text.find("[MASK]", pos);
            for (int id : model.vocab.encode(task_tokenize(c.tokens, text.substr(pos, m == std::string::npos ? std::string::npos : m - pos)))) {
                ids.push_back(id);
                seg.push_back(s);
            }
            if (m == std::string::npos)
                break;
            ids.push_back(model.vocab.mask());
            seg.push_back(s);
            pos = m + 6;
        }
        ids.push_back(model.vocab.sep());
        seg.push_back(s);
    }
    if (int(ids.size()) > c.max_len)
        throw Error("masked_token_probabilities: " + std::to_string(ids.size()) + " tokens, more than max_len "
                    + std::to_string(c.max_len));
    std::vector<int> targets(ids.size(), -1);
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == model.vocab.mask())
            targets[i] = 0; // any id: selects the row for the head
    TaskBatch b = single(ids, targets);
    b.segments = seg;
    if (b.num_targets() == 0)
        throw Error("masked_token_probabilities: the sentence has no [MASK]");
    TaskActivations act;
    model.net.forward(b, act, false, nullptr);
    std::vector<std::vector<TokenProb>> out;
    for (Eigen::Index r = 0; r < act.logits.rows(); ++r) {
        const std::vector<double> p = softmax_row(act.logits, r);
        std::vector<TokenProb> row;
        for (size_t v = 0; v < p.size(); ++v)
            row.push_back({model.vocab.token(int(v)), p[v]});
        std::stable_sort(row.begin(), row.end(), [](const TokenProb& x, const TokenProb& y) { return x.prob > y.prob; });
        if (top_k > 0 && row.size() > size_t(top_k))
            row.resize(size_t(top_k));
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<TokenProb> classify_text(const TaskModel& model, const std::string& text)
{
    const ModelConfig& c = model.net.config();
    require_task(model, c.kind() == ModelKind::EncoderClassifier, "classify_text", "sentiment or langid");
    std::vector<int> ids = model.vocab.encode(task_tokenize(c.tokens, text));
    if (c.pooling == "cls")
        ids.insert(ids.begin(), model.vocab.cls());
    if (ids.empty())
        ids.push_back(model.vocab.unk());
    if (int(ids.size()) > c.max_len)
        ids.resize(size_t(c.max_len));
    TaskActivations act;
    model.net.forward(single(ids, {0}), act, false, nullptr);
    const std::vector<double> p = softmax_row(act.logits, 0);
    std::vector<TokenProb> out;
    for (size_t k = 0; k < c.labels.size(); ++k)
        out.push_back({c.labels[k], p[k]});
    return out;
}

std::vector<std::pair<std::string, std::string>> tag_text(const TaskModel& model, const std::string& text)
{
    const ModelConfig& c = model.net.config();
    require_task(model, c.task == "pos", "tag_text", "pos");
    std::vector<std::string> words = task_tokenize(c.tokens, text);
    if (int(words.size()) > c.max_len)
        words.resize(size_t(c.max_len));
    std::vector<std::pair<std::string, std::string>> out;
    if (words.empty())
        return out;
    TaskActivations act;
    const std::vector<int> ids = model.vocab.encode(words);
    TaskBatch b = single(ids, std::vector<int>(ids.size(), -1));
    if (c.suffix_len > 0)
        for (const auto& w : words)
            b.aux.push_back(model.vocab.id(suffix_token(w, c.suffix_len)));
    model.net.forward(b, act, false, nullptr);
    for (size_t i = 0; i < words.size(); ++i) {
        Eigen::Index arg;
        act.logits.row(Eigen::Index(i)).maxCoeff(&arg);
        out.emplace_back(words[i], c.labels[size_t(arg)]);
    }
    return out;
}

} // namespace al
