// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/models/task_models.h"
#include "engine/io/checkpoint.h"
#include "engine/io/config_json.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/data/text.h"
#include "engine/data/tokenizer.h"
#include "engine/models/transformer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

namespace al {

// ---------------------------------------------------------------------------------------------
// TokenTable

TokenTable::TokenTable()
{
    for (const char* s : kSpecials) {
        m_index.emplace(s, int(m_tokens.size()));
        m_tokens.emplace_back(s);
    }
}

TokenTable TokenTable::build(const std::vector<std::vector<std::string>>& sequences, int min_count, int max_size)
{
    std::map<std::string, int64_t> counts; // byte order for ties
    for (const auto& seq : sequences)
        for (const auto& t : seq)
            ++counts[t];
    std::vector<std::pair<std::string, int64_t>> items(counts.begin(), counts.end());
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    TokenTable table;
    for (const auto& [tok, n] : items) {
        if (n < std::max(min_count, 1) || tok.empty() || table.m_index.count(tok))
            continue;
        if (max_size > 0 && table.size() >= max_size)
            break;
        table.m_index.emplace(tok, table.size());
        table.m_tokens.push_back(tok);
    }
    return table;
}

TokenTable TokenTable::from_tokens(const std::vector<std::string>& tokens, const std::string& source)
{
    if (tokens.size() < size_t(kNumSpecials))
        throw Error(source + ": " + std::to_string(tokens.size()) + " tokens, fewer than the "
                    + std::to_string(kNumSpecials) + " special tokens");
    TokenTable table;
    for (int i = 0; i < kNumSpecials; ++i)
        if (tokens[size_t(i)] != kSpecials[i])
            throw Error(source + ": token " + std::to_string(i) + " must be \"" + kSpecials[i] + "\", got \""
                        + tokens[size_t(i)] + "\"");
    for (size_t i = size_t(kNumSpecials); i < tokens.size(); ++i) {
        if (tokens[i].empty())
            throw Error(source + ": token " + std::to_string(i) + " is empty");
        if (!table.m_index.emplace(tokens[i], int(i)).second)
            throw Error(source + ": token " + std::to_string(i) + " (\"" + tokens[i] + "\") occurs twice");
        table.m_tokens.push_back(tokens[i]);
    }
    return table;
}

int TokenTable::id(const std::string& token) const
{
    const auto it = m_index.find(token);
    return it == m_index.end() ? UNK : it->second;
}

const std::string& TokenTable::token(int id) const
{
    if (id < 0 || id >= size())
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()));
    return m_tokens[size_t(id)];
}

std::vector<int> TokenTable::encode(const std::vector<std::string>& tokens) const
{
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (const auto& t : tokens)
        ids.push_back(id(t));
    return ids;
}

namespace {

bool is_classifier(const std::string& task) { return task == "sentiment" || task == "langid"; }

} // namespace

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
    init_weights(init_seed);
}

TaskNet::TaskNet(const TaskNet& other)
    : m_config(other.m_config)
{
    build();
    m_params->copy_values_from(*other.m_params);
}

TaskNet& TaskNet::operator=(const TaskNet& other)
{
    if (this != &other) {
        m_config = other.m_config;
        build();
        m_params->copy_values_from(*other.m_params);
    }
    return *this;
}

void TaskNet::build()
{
    const ModelConfig& c = m_config;
    m_params = std::make_unique<ParamStore>();
    ParamStore& s = *m_params;
    const int C = c.d_model;
    const BlockOptions opt = block_options(c);
    m_layers.clear();
    for (int i = 0; i < c.num_layers(); ++i) {
        m_layers.emplace_back(s, "encoder.layers." + std::to_string(i) + ".", C, c.nhead, c.dim_feedforward,
                              c.layer_norm_eps, c.norm_first, opt);
        m_layers.back().causal = c.causal();
    }
    m_norm = Norm(s, "encoder.norm", C, c.layer_norm_eps, opt.norm);
    m_tok_emb = Embedding(s, "tok_emb.weight", c.vocab_size, C);
    if (c.task == "mlm")
        m_seg_emb = Embedding(s, "seg_emb.weight", c.num_segments, C);
    const bool vocab_head = c.task == "charlm" || c.task == "mlm";
    m_head = Linear(s, "head", C, vocab_head ? c.vocab_size : int(c.labels.size()));
    m_pos = make_positional_table(s, parse_positional_encoding(c.positional_encoding), c.max_len, C);
}

void TaskNet::init_weights(uint64_t seed)
{
    // As Transformer::init_weights: Xavier-uniform matrices, embeddings N(0, C^-0.5) (unit
    // variance after the sqrt(C) scaling), zero biases, unit norms, equal mixture weights.
    Rng rng(seed);
    const double emb_std = 1.0 / std::sqrt(double(m_config.d_model));
    for (const auto& p : m_params->all()) {
        const bool is_emb = p->name == "tok_emb.weight" || p->name == "seg_emb.weight";
        const bool is_mix = p->name.size() > 10 && p->name.compare(p->name.size() - 10, 10, "mix_logits") == 0;
        if (p.get() == m_pos.learned) {
            init_learned_positions(*p, rng);
        } else if (is_mix) {
            p->value.setZero();
        } else if (is_emb) {
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.normal(0.0, emb_std));
        } else if (p->shape.size() == 2) {
            const double lim = std::sqrt(6.0 / double(p->value.rows() + p->value.cols()));
            for (Eigen::Index i = 0; i < p->value.size(); ++i)
                p->value.data()[i] = Scalar(rng.uniform(-lim, lim));
        }
    }
}

void TaskNet::forward(const TaskBatch& batch, TaskActivations& a, bool train, Rng* rng) const
{
    const ModelConfig& c = m_config;
    const int B = batch.B, T = batch.T;
    const size_t N = size_t(B) * size_t(T);
    if (batch.ids.size() != N || batch.len.size() != size_t(B))
        throw Error("task batch: " + std::to_string(batch.ids.size()) + " ids and " + std::to_string(batch.len.size())
                    + " lengths for B = " + std::to_string(B) + ", T = " + std::to_string(T));
    const bool per_sequence = is_classifier(c.task);
    if (batch.targets.size() != (per_sequence ? size_t(B) : N))
        throw Error("task batch: " + std::to_string(batch.targets.size()) + " targets for B = " + std::to_string(B)
                    + ", T = " + std::to_string(T) + " (task " + c.task + ")");
    const double dp = train ? c.dropout : 0.0;
    a.B = B;
    a.T = T;
    // x0 = drop(E_tok x * sqrt(C) + PE [+ E_seg s * sqrt(C)])
    m_tok_emb.forward(batch.ids, T, positional_encoding(), a.emb.out);
    a.x0 = a.emb.out;
    if (c.task == "mlm") {
        const std::vector<int> zeros(batch.segments.empty() ? N : 0, 0);
        const std::vector<int>& seg = batch.segments.empty() ? zeros : batch.segments;
        if (seg.size() != N)
            throw Error("task batch: " + std::to_string(seg.size()) + " segment ids for " + std::to_string(N) + " tokens");
        m_seg_emb.forward(seg, T, Mat(), a.seg.out);
        a.x0 += a.seg.out;
    }
    if (c.suffix_len > 0) {
        // The suffix tokens share the token table: x0 += E_tok[aux] * sqrt(C).
        if (batch.aux.size() != N)
            throw Error("task batch: " + std::to_string(batch.aux.size()) + " suffix ids for " + std::to_string(N) + " tokens");
        m_tok_emb.forward(batch.aux, T, Mat(), a.aux.out);
        a.x0 += a.aux.out;
    }
    dropout_forward(a.x0, dp, train, rng, a.emb_drop);
    a.layers.resize(m_layers.size());
    const Mat* x = &a.x0;
    for (size_t i = 0; i < m_layers.size(); ++i) {
        m_layers[i].forward(*x, B, batch.len, dp, train, rng, a.layers[i]);
        x = &a.layers[i].y;
    }
    m_norm.forward(*x, a.hidden, a.norm, train, RowMask{&batch.len, T});

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
    if (is_classifier(c.task)) {
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
    Mat dx, d;
    m_norm.backward(dh, a.norm, dx);
    for (size_t i = m_layers.size(); i-- > 0;) {
        m_layers[i].backward(dx, a.layers[i], d);
        dx.swap(d);
    }
    dropout_backward(dx, a.emb_drop);
    m_tok_emb.backward(batch.ids, dx);
    m_pos.backward(dx, T);
    if (c.suffix_len > 0)
        m_tok_emb.backward(batch.aux, dx);
    if (c.task == "mlm") {
        const std::vector<int> zeros(batch.segments.empty() ? batch.ids.size() : 0, 0);
        m_seg_emb.backward(batch.segments.empty() ? zeros : batch.segments, dx);
    }
}

void TaskNet::accumulate_norm_statistics(const TaskActivations& a, std::vector<BatchNormStats>& stats) const
{
    if (m_norm.kind != NormKind::BatchNorm)
        return;
    if (a.layers.size() != m_layers.size())
        throw Error("accumulate_norm_statistics: the activations do not come from this model's forward pass");
    stats.resize(2 * m_layers.size() + 1);
    for (size_t i = 0; i < m_layers.size(); ++i) {
        stats[2 * i].add(a.layers[i].ln1.bn);
        stats[2 * i + 1].add(a.layers[i].ln2.bn);
    }
    stats.back().add(a.norm.bn);
}

void TaskNet::update_norm_statistics(const std::vector<BatchNormStats>& stats)
{
    if (m_norm.kind != NormKind::BatchNorm || stats.empty())
        return;
    if (stats.size() != 2 * m_layers.size() + 1)
        throw Error("update_norm_statistics: " + std::to_string(stats.size()) + " statistics for "
                    + std::to_string(2 * m_layers.size() + 1) + " norms");
    for (size_t i = 0; i < m_layers.size(); ++i) {
        m_layers[i].norm1.bn.update_running_stats(stats[2 * i]);
        m_layers[i].norm2.bn.update_running_stats(stats[2 * i + 1]);
    }
    m_norm.bn.update_running_stats(stats.back());
}

std::vector<std::vector<Mat>> TaskNet::attention(const TaskActivations& a, int b) const
{
    std::vector<std::vector<Mat>> out;
    const int H = m_config.nhead;
    for (const auto& l : a.layers) {
        std::vector<Mat> heads;
        for (int h = 0; h < H; ++h)
            heads.push_back(l.sa.probs.block((Eigen::Index(b) * H + h) * a.T, 0, a.T, a.T));
        out.push_back(std::move(heads));
    }
    return out;
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
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error("cannot create model directory '" + dir + "': " + ec.message());
    const fs::path d(dir);
    save_params(model.net.params(), (d / "model.safetensors").string());
    atomic_write_file((d / "vocab.json").string(), nlohmann::json(model.vocab.tokens()).dump() + "\n");
    // config.json last: a directory with a config.json is complete.
    atomic_write_file((d / "config.json").string(), model_config_to_json(model.net.config()).dump(2) + "\n");
}

namespace {

nlohmann::json read_json(const std::string& path)
{
    try {
        return nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": invalid JSON: " + e.what());
    }
}

} // namespace

TaskModel load_task_model_dir(const std::string& dir)
{
    namespace fs = std::filesystem;
    const fs::path d(dir);
    if (!fs::is_directory(d))
        throw Error("'" + dir + "' is not a model directory");
    const std::string cfg_path = (d / "config.json").string();
    const nlohmann::json j = read_json(cfg_path);
    if (j.is_object() && !j.contains("task"))
        throw Error(cfg_path + ": key 'task' is missing (a translation model directory has no task key; use translate/eval)");
    const ModelConfig cfg = model_config_from_json(j, cfg_path);
    const std::string vocab_path = (d / "vocab.json").string();
    const nlohmann::json v = read_json(vocab_path);
    if (!v.is_array())
        throw Error(vocab_path + ": expected a JSON array of tokens, got " + std::string(v.type_name()));
    std::vector<std::string> tokens;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            throw Error(vocab_path + ": token " + std::to_string(i) + " is a " + v[i].type_name() + ", not a string");
        tokens.push_back(v[i].get<std::string>());
    }
    TaskModel m{TaskNet(cfg, 0), TokenTable::from_tokens(tokens, vocab_path)};
    if (m.vocab.size() != cfg.vocab_size)
        throw Error(vocab_path + ": " + std::to_string(m.vocab.size()) + " tokens, but config.json says vocab_size "
                    + std::to_string(cfg.vocab_size));
    load_params(m.net.params(), (d / "model.safetensors").string());
    return m;
}

std::string task_of_model_dir(const std::string& dir)
{
    try {
        const nlohmann::json j = read_json((std::filesystem::path(dir) / "config.json").string());
        if (j.is_object() && j.contains("task") && j["task"].is_string() && is_task_model_name(j["task"].get<std::string>()))
            return j["task"].get<std::string>();
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
    for (int step = 0; step < length; ++step) {
        const size_t start = ids.size() > size_t(ctx) ? ids.size() - size_t(ctx) : 0;
        const std::vector<int> window(ids.begin() + ptrdiff_t(start), ids.end());
        model.net.forward(single(window, std::vector<int>(window.size(), -1)), act, false, nullptr);
        const Eigen::Index last = Eigen::Index(window.size()) - 1;
        int next = TokenTable::kNumSpecials;
        if (temperature == 0.0) {
            Eigen::Index arg;
            act.logits.row(last).tail(act.logits.cols() - TokenTable::kNumSpecials).maxCoeff(&arg);
            next = int(arg) + TokenTable::kNumSpecials;
        } else {
            std::vector<double> p = softmax_row(act.logits, last, temperature);
            double total = 0;
            for (int v = TokenTable::kNumSpecials; v < int(p.size()); ++v)
                total += p[size_t(v)];
            double u = rng.uniform(0.0, total);
            for (int v = TokenTable::kNumSpecials; v < int(p.size()); ++v) {
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
    std::vector<int> ids{TokenTable::CLS}, seg{0};
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
            ids.push_back(TokenTable::MASK);
            seg.push_back(s);
            pos = m + 6;
        }
        ids.push_back(TokenTable::SEP);
        seg.push_back(s);
    }
    if (int(ids.size()) > c.max_len)
        throw Error("masked_token_probabilities: " + std::to_string(ids.size()) + " tokens, more than max_len "
                    + std::to_string(c.max_len));
    std::vector<int> targets(ids.size(), -1);
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == TokenTable::MASK)
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
    require_task(model, is_classifier(c.task), "classify_text", "sentiment or langid");
    std::vector<int> ids = model.vocab.encode(task_tokenize(c.tokens, text));
    if (c.pooling == "cls")
        ids.insert(ids.begin(), TokenTable::CLS);
    if (ids.empty())
        ids.push_back(TokenTable::UNK);
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
