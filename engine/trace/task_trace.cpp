// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/trace/task_trace.h"

#include "engine/core/error.h"

namespace al {

namespace {

std::string shown(const std::string& token, bool chars)
{
    if (!chars)
        return token;
    if (token == " ")
        return "\u2423";
    if (token == "\n")
        return "\u23ce";
    if (token == "\t")
        return "\u21e5";
    return token;
}

} // namespace

Trace task_model_trace(const TaskModel& model, const std::string& text, const TraceOptions& options)
{
    const ModelConfig& c = model.net.config();
    const int max_len = c.max_len;
    TaskBatch b;
    b.B = 1;
    std::vector<int>& ids = b.ids;
    if (c.task == "mlm") {
        const size_t bar = text.find("|||");
        const std::string parts[2] = {text.substr(0, bar), bar == std::string::npos ? std::string() : text.substr(bar + 3)};
        ids.push_back(model.vocab.cls());
        b.segments.push_back(0);
        for (int s = 0; s < (bar == std::string::npos ? 1 : 2); ++s) {
            size_t pos = 0;
            while (true) {
                const size_t m = parts[s].find("[MASK]", pos);
                const std::string piece = parts[s].substr(pos, m == std::string::npos ? std::string::npos : m - pos);
                for (int id : model.vocab.encode(task_tokenize(c.tokens, piece))) {
                    ids.push_back(id);
                    b.segments.push_back(s);
                }
                if (m == std::string::npos)
                    break;
                ids.push_back(model.vocab.mask());
                b.segments.push_back(s);
                pos = m + 6;
            }
            ids.push_back(model.vocab.sep());
            b.segments.push_back(s);
        }
    } else {
        std::vector<std::string> tokens = task_tokenize(c.tokens, text);
        if (c.task == "charlm" && int(tokens.size()) > max_len)
            tokens.erase(tokens.begin(), tokens.end() - max_len);
        if ((c.task == "sentiment" || c.task == "langid") && c.pooling == "cls")
            ids.push_back(model.vocab.cls());
        for (int id : model.vocab.encode(tokens))
            ids.push_back(id);
        if (c.task == "pos" && c.suffix_len > 0)
            for (const std::string& w : tokens)
                b.aux.push_back(model.vocab.id(suffix_token(w, c.suffix_len)));
    }
    if (ids.empty() || (ids.size() == 1 && ids[0] == model.vocab.cls() && c.task != "mlm"))
        throw Error("the text has no token");
    if (int(ids.size()) > max_len) {
        ids.resize(size_t(max_len));
        if (!b.segments.empty())
            b.segments.resize(size_t(max_len));
        if (!b.aux.empty())
            b.aux.resize(size_t(max_len));
    }
    b.T = int(ids.size());
    b.len = {b.T};
    const bool per_sequence = c.task == "sentiment" || c.task == "langid";
    b.targets.assign(per_sequence ? 1 : ids.size(), -1);
    if (c.task == "mlm") // the head reads the [MASK] rows only; no loss is computed
        for (size_t i = 0; i < ids.size(); ++i)
            if (ids[i] == model.vocab.mask())
                b.targets[i] = 0;

    TaskActivations act;
    model.net.forward(b, act, false, nullptr);
    Trace t;
    const bool chars = c.tokens == "char";
    std::vector<std::string> names;
    for (int id : ids)
        names.push_back(shown(model.vocab.token(id), chars));
    if (c.task == "charlm") {
        t.tgt_in_tokens = names;
        const int specials = model.vocab.num_specials();
        for (Eigen::Index r = 0; r < act.logits.rows(); ++r) {
            Eigen::Index arg = 0;
            act.logits.row(r).tail(act.logits.cols() - specials).maxCoeff(&arg);
            t.tgt_out_tokens.push_back(shown(model.vocab.token(int(arg) + specials), chars));
        }
    } else {
        t.src_tokens = names;
    }
    if (c.task == "pos" && !c.labels.empty())
        for (Eigen::Index r = 0; r < act.logits.rows() && r < Eigen::Index(ids.size()); ++r) {
            Eigen::Index arg = 0;
            act.logits.row(r).maxCoeff(&arg);
            t.src_tags.push_back(arg < Eigen::Index(c.labels.size()) ? c.labels[size_t(arg)] : std::string());
        }
    model.net.fill_trace(act, 0, t, options.forward_detail);
    return t;
}

} // namespace al
