// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/data/task_data.h"
#include "engine/core/error.h"
#include "engine/io/safetensors.h"
#include "engine/data/text.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <new>
#include <numeric>
#include <set>

namespace al {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_tabs(const std::string& line)
{
    std::vector<std::string> f;
    size_t start = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos)
            return f;
        start = tab + 1;
    }
}

bool all_digits(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <class T>
void shuffle_with(std::vector<T>& v, uint64_t seed)
{
    Rng rng(seed);
    for (size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[size_t(rng.below(i))]);
}

// Splits v (already shuffled) into train / valid / test by fractions.
template <class T>
void split3(const std::vector<T>& v, double valid_frac, double test_frac, std::vector<T> out[3])
{
    const size_t nv = size_t(std::llround(valid_frac * double(v.size())));
    const size_t nt = size_t(std::llround(test_frac * double(v.size())));
    const size_t ntrain = v.size() - std::min(v.size(), nv + nt);
    out[0].assign(v.begin(), v.begin() + ptrdiff_t(ntrain));
    out[1].assign(v.begin() + ptrdiff_t(ntrain), v.begin() + ptrdiff_t(std::min(v.size(), ntrain + nv)));
    out[2].assign(v.begin() + ptrdiff_t(std::min(v.size(), ntrain + nv)), v.end());
}

// " (file: N lines read, M skipped (...))" for each read that skipped lines: the reason a corpus
// came out empty is usually there.
std::string skipped_note(const std::vector<ReadSummary>& reads)
{
    std::string note;
    for (const ReadSummary& r : reads)
        if (r.skipped)
            note += " (" + r.to_string() + ")";
    return note;
}

std::string trim(const std::string& s)
{
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos)
        return {};
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Readers

ConlluReadResult read_conllu(const std::string& path, const ReadOptions& opt)
{
    LineReader in(path, opt);
    ConlluReadResult r;
    TaggedSentence cur;
    std::string line;
    auto flush = [&] {
        if (!cur.words.empty())
            r.sentences.push_back(std::move(cur));
        cur = TaggedSentence{};
    };
    while (in.next(line)) {
        if (trim(line).empty()) {
            flush();
            continue;
        }
        if (line[0] == '#')
            continue;
        const std::vector<std::string> f = split_tabs(line);
        if (f.size() != 10) {
            in.skip("wrong field count", "expected 10 tab-separated fields, got " + std::to_string(f.size()));
            continue;
        }
        const std::string& id = f[0];
        if (id.find('-') != std::string::npos || id.find('.') != std::string::npos) {
            // Multiword token (3-4) or empty node (5.1): not a word of the sentence; check the
            // form of the ID all the same.
            const size_t sep = id.find_first_of("-.");
            if (!all_digits(id.substr(0, sep)) || !all_digits(id.substr(sep + 1)))
                in.skip("malformed ID", "malformed ID '" + id + "'");
            continue;
        }
        if (!all_digits(id)) {
            in.skip("malformed ID", "malformed ID '" + id + "'");
            continue;
        }
        if (f[1].empty() || f[3].empty()) {
            in.skip("empty field", f[1].empty() ? "empty FORM" : "empty UPOS");
            continue;
        }
        cur.words.push_back(f[1]);
        cur.tags.push_back(f[3]);
    }
    flush();
    r.summary = in.finish();
    return r;
}

PlainTextReadResult read_plain_text(const std::string& path, const ReadOptions& opt)
{
    LineReader in(path, opt);
    PlainTextReadResult r;
    // The text is at most the file's size: reserving it once keeps a large text from being
    // copied (and briefly held twice) as it grows. A pipe has no size; an allocation the system
    // refuses only loses the reservation.
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!ec) {
        try {
            r.text.reserve(size_t(size));
        } catch (const std::bad_alloc&) {
        }
    }
    std::string line;
    while (in.next(line)) {
        r.text += line;
        if (in.terminated())
            r.text += '\n';
    }
    r.summary = in.finish();
    return r;
}

std::vector<LabelledText> read_polarity(const std::string& dir, std::vector<ReadSummary>* reads,
                                        const ReadOptions& opt)
{
    std::vector<LabelledText> out;
    for (const char* label : {"neg", "pos"}) {
        LineReader in((fs::path(dir) / (std::string("rt-polarity.") + label)).string(), opt);
        std::string line;
        while (in.next(line)) {
            std::string t = trim(line);
            if (t.empty()) {
                in.skip("empty line", "empty line");
                continue;
            }
            out.push_back({std::move(t), label});
        }
        if (reads)
            reads->push_back(in.finish());
    }
    return out;
}

std::vector<LabelledText> langid_examples(const std::vector<std::string>& tsv_paths, size_t per_language,
                                          uint64_t seed, std::vector<ReadSummary>* reads, const ReadOptions& opt)
{
    std::map<std::string, std::vector<std::string>> by_lang;
    std::vector<std::vector<std::string>> english(tsv_paths.size());
    for (size_t f = 0; f < tsv_paths.size(); ++f) {
        std::string stem = fs::path(tsv_paths[f]).stem().string();
        stem = stem.substr(0, stem.find_first_of("-_."));
        if (stem.empty() || stem == "eng")
            throw Error("'" + tsv_paths[f] + "': the file name must name the second language (e.g. fra.txt)");
        CorpusReadResult r = read_tsv_pairs(tsv_paths[f], 0, 1, opt);
        if (reads)
            reads->push_back(std::move(r.summary));
        std::set<std::string> seen_en, seen_other;
        for (const auto& p : r.pairs) {
            if (seen_en.insert(p.src).second)
                english[f].push_back(p.src);
            if (seen_other.insert(p.tgt).second)
                by_lang[stem].push_back(p.tgt);
        }
    }
    std::vector<LabelledText> out;
    uint64_t s = seed;
    for (auto& [lang, v] : by_lang) {
        shuffle_with(v, ++s);
        if (per_language && v.size() > per_language)
            v.resize(per_language);
        for (auto& t : v)
            out.push_back({t, lang});
    }
    // English: the same number from each file, no sentence twice.
    std::set<std::string> seen;
    const size_t each = per_language ? (per_language + english.size() - 1) / std::max<size_t>(1, english.size()) : 0;
    for (auto& v : english) {
        shuffle_with(v, ++s);
        size_t taken = 0;
        for (const auto& t : v) {
            if (each && taken == each)
                break;
            if (seen.insert(t).second) {
                out.push_back({t, "eng"});
                ++taken;
            }
        }
    }
    return out;
}

int mask_tokens(std::vector<int>& ids, std::vector<int>& targets, const Vocab& vocab, double select_p, Rng& rng)
{
    targets.assign(ids.size(), -1);
    int selected = 0;
    const int specials = vocab.num_specials(), unk = vocab.unk(), mask = vocab.mask();
    const int n_normal = vocab.size() - specials;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < specials && ids[i] != unk)
            continue; // [CLS], [SEP], padding are never selected
        if (rng.uniform() >= select_p)
            continue;
        targets[i] = ids[i];
        ++selected;
        const double u = rng.uniform();
        if (u < 0.8)
            ids[i] = mask;
        else if (u < 0.9 && n_normal > 0)
            ids[i] = specials + int(rng.below(uint64_t(n_normal)));
        // else: kept unchanged
    }
    return selected;
}

// ---------------------------------------------------------------------------------------------
// Corpora

std::string TaskCorpus::describe() const
{
    auto line = [](size_t a, size_t b, size_t c, const char* what) {
        return "train " + std::to_string(a) + ", valid " + std::to_string(b) + ", test " + std::to_string(c) + " " + what;
    };
    if (task == "charlm")
        return "train " + std::to_string(lm_train.size()) + ", valid " + std::to_string(lm_valid.size()) + " bytes";
    if (task == "pos")
        return line(tagged[0].size(), tagged[1].size(), tagged[2].size(), "sentences");
    if (task == "mlm")
        return line(sentence_pairs[0].size(), sentence_pairs[1].size(), sentence_pairs[2].size(), "sentence pairs");
    return line(labelled[0].size(), labelled[1].size(), labelled[2].size(), "texts");
}

TaskCorpus load_task_corpus(const std::string& task, const std::vector<std::string>& paths, uint64_t seed,
                            const ReadOptions& opt)
{
    if (!is_task_model_name(task))
        throw Error("unknown task \"" + task + "\" (expected charlm, pos, sentiment, langid or mlm)");
    if (paths.empty())
        throw Error("task " + task + ": no data path given");
    TaskCorpus c;
    c.task = task;
    if (task != "langid" && paths.size() != 1)
        throw Error("task " + task + " reads one data path, got " + std::to_string(paths.size()));
    const std::string& path = paths.front();
    if (task == "charlm") {
        PlainTextReadResult r = read_plain_text(path, opt);
        std::string& text = r.text;
        if (text.size() < 100)
            throw Error(path + ": " + std::to_string(text.size()) + " bytes of usable text, too little for a language model" +
                        skipped_note({r.summary}));
        c.reads.push_back(std::move(r.summary));
        // The customary split: first 90% for training, last 10% for validation, at a character
        // boundary; the text is moved, not copied, into the training part (which keeps the
        // text's allocation, about the file's size).
        size_t cut = text.size() * 9 / 10;
        while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            ++cut;
        c.lm_valid = text.substr(cut);
        text.resize(cut);
        c.lm_train = std::move(text);
    } else if (task == "pos") {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            const char* suffix[3] = {"-ud-train.conllu", "-ud-dev.conllu", "-ud-test.conllu"};
            for (int s = 0; s < 3; ++s) {
                std::string found;
                for (const auto& e : fs::directory_iterator(path)) {
                    const std::string name = e.path().filename().string();
                    if (name.size() > std::strlen(suffix[s]) && name.compare(name.size() - std::strlen(suffix[s]), std::string::npos, suffix[s]) == 0)
                        found = e.path().string();
                }
                if (found.empty())
                    throw Error("'" + path + "': no *" + suffix[s] + " file");
                ConlluReadResult r = read_conllu(found, opt);
                c.tagged[s] = std::move(r.sentences);
                c.reads.push_back(std::move(r.summary));
            }
        } else {
            ConlluReadResult r = read_conllu(path, opt);
            c.reads.push_back(std::move(r.summary));
            shuffle_with(r.sentences, seed);
            split3(r.sentences, 0.05, 0.05, c.tagged);
        }
        if (c.tagged[0].empty())
            throw Error("'" + path + "': no training sentences" + skipped_note(c.reads));
    } else if (task == "sentiment" || task == "langid") {
        std::vector<LabelledText> all = task == "sentiment" ? read_polarity(path, &c.reads, opt)
                                                            : langid_examples(paths, 6000, seed, &c.reads, opt);
        shuffle_with(all, seed);
        split3(all, 0.1, 0.1, c.labelled);
        if (c.labelled[0].empty())
            throw Error("'" + path + "': no training texts" + skipped_note(c.reads));
    } else { // mlm
        CorpusReadResult r = read_tsv_pairs(path, 0, 0, opt);
        c.reads.push_back(std::move(r.summary));
        std::vector<std::string> sentences;
        std::set<std::string> seen;
        for (const auto& p : r.pairs)
            if (seen.insert(p.src).second)
                sentences.push_back(p.src);
        shuffle_with(sentences, seed);
        std::vector<std::pair<std::string, std::string>> pairs;
        for (size_t i = 0; i + 1 < sentences.size(); i += 2)
            pairs.emplace_back(sentences[i], sentences[i + 1]);
        split3(pairs, 0.05, 0.05, c.sentence_pairs);
        if (c.sentence_pairs[0].empty())
            throw Error("'" + path + "': too few sentences for sentence pairs" + skipped_note(c.reads));
    }
    return c;
}

// ---------------------------------------------------------------------------------------------
// Encoding

TaskModel new_task_model(const TaskCorpus& corpus, ModelConfig cfg, int min_count, uint64_t seed)
{
    if (cfg.task != corpus.task)
        throw Error("new_task_model: config task " + cfg.task + " but corpus task " + corpus.task);
    std::vector<std::vector<std::string>> seqs;
    std::set<std::string> labels;
    if (corpus.task == "charlm") {
        seqs.push_back(task_tokenize(cfg.tokens, corpus.lm_train));
        min_count = 1;
    } else if (corpus.task == "pos") {
        for (const auto& s : corpus.tagged[0]) {
            seqs.push_back(s.words);
            labels.insert(s.tags.begin(), s.tags.end());
            if (cfg.suffix_len > 0) {
                std::vector<std::string> suffixes;
                for (const auto& w : s.words)
                    suffixes.push_back(suffix_token(w, cfg.suffix_len));
                seqs.push_back(std::move(suffixes));
            }
        }
    } else if (corpus.task == "mlm") {
        for (const auto& p : corpus.sentence_pairs[0]) {
            seqs.push_back(task_tokenize(cfg.tokens, p.first));
            seqs.push_back(task_tokenize(cfg.tokens, p.second));
        }
    } else {
        for (const auto& t : corpus.labelled[0]) {
            seqs.push_back(task_tokenize(cfg.tokens, t.text));
            labels.insert(t.label);
        }
    }
    Vocab vocab = Vocab::build(seqs, min_count, 0, VocabLayout::Task);
    cfg.vocab_size = vocab.size();
    cfg.labels.assign(labels.begin(), labels.end());
    return TaskModel{TaskNet(cfg, seed), std::move(vocab)};
}

TaskData encode_task_corpus(const TaskModel& model, const TaskCorpus& corpus)
{
    const ModelConfig& cfg = model.net.config();
    if (cfg.task != corpus.task)
        throw Error("the model is for task " + cfg.task + ", the data for task " + corpus.task);
    const size_t max_len = size_t(cfg.max_len);
    std::map<std::string, int> label_id;
    for (size_t k = 0; k < cfg.labels.size(); ++k)
        label_id[cfg.labels[k]] = int(k);
    auto label_of = [&](const std::string& l) {
        const auto it = label_id.find(l);
        if (it == label_id.end())
            throw Error("label or tag '" + l + "' is not one the model knows");
        return it->second;
    };
    TaskData d;
    if (cfg.task == "charlm") {
        d.lm_stream[0] = model.vocab.encode(task_tokenize(cfg.tokens, corpus.lm_train));
        d.lm_stream[1] = model.vocab.encode(task_tokenize(cfg.tokens, corpus.lm_valid));
        return d;
    }
    for (int s = 0; s < 3; ++s) {
        if (cfg.task == "pos") {
            for (const auto& sent : corpus.tagged[s]) {
                TaskExample e;
                e.ids = model.vocab.encode(sent.words);
                for (const auto& t : sent.tags)
                    e.targets.push_back(label_of(t));
                if (cfg.suffix_len > 0)
                    for (const auto& w : sent.words)
                        e.aux.push_back(model.vocab.id(suffix_token(w, cfg.suffix_len)));
                if (e.ids.size() > max_len) {
                    e.ids.resize(max_len);
                    e.targets.resize(max_len);
                    if (!e.aux.empty())
                        e.aux.resize(max_len);
                }
                d.split[s].push_back(std::move(e));
            }
        } else if (cfg.task == "mlm") {
            // "[CLS] A [SEP] B [SEP]", segments 0 up to the first [SEP], 1 after (Devlin et al. fig. 2).
            for (const auto& [a, b] : corpus.sentence_pairs[s]) {
                std::vector<int> ia = model.vocab.encode(task_tokenize(cfg.tokens, a));
                std::vector<int> ib = model.vocab.encode(task_tokenize(cfg.tokens, b));
                while (ia.size() + ib.size() + 3 > max_len)
                    (ia.size() > ib.size() ? ia : ib).pop_back();
                TaskExample e;
                e.ids.push_back(model.vocab.cls());
                e.ids.insert(e.ids.end(), ia.begin(), ia.end());
                e.ids.push_back(model.vocab.sep());
                e.segments.assign(e.ids.size(), 0);
                e.ids.insert(e.ids.end(), ib.begin(), ib.end());
                e.ids.push_back(model.vocab.sep());
                e.segments.resize(e.ids.size(), 1);
                d.split[s].push_back(std::move(e));
            }
        } else {
            for (const auto& t : corpus.labelled[s]) {
                TaskExample e;
                e.ids = model.vocab.encode(task_tokenize(cfg.tokens, t.text));
                if (cfg.pooling == "cls")
                    e.ids.insert(e.ids.begin(), model.vocab.cls());
                if (e.ids.empty())
                    e.ids.push_back(model.vocab.unk());
                if (e.ids.size() > max_len)
                    e.ids.resize(max_len);
                e.targets = {label_of(t.label)};
                d.split[s].push_back(std::move(e));
            }
        }
    }
    return d;
}

ModelConfig default_task_config(const std::string& task)
{
    ModelConfig c;
    c.task = task;
    ModelConfig& a = c;
    a.d_model = 128;
    a.nhead = 4;
    a.dim_feedforward = 512;
    a.dropout = 0.1;
    a.num_encoder_layers = 2;
    a.num_decoder_layers = 0;
    if (task == "charlm") {
        // GPT-style: Pre-LN blocks, no dropout (10 minutes are far from overfitting 1 MB).
        a.num_encoder_layers = 0;
        a.num_decoder_layers = 4;
        a.norm_first = true;
        a.dropout = 0.0;
        a.max_len = 128; // context window
        c.tokens = "char";
    } else if (task == "pos") {
        a.dim_feedforward = 256;
        a.max_len = 160; // longest EWT sentence: 159 words
        a.dropout = 0.2;
        c.tokens = "space";
        c.suffix_len = 3; // 11% of EWT dev words are unknown at min_count 2: keep their ending and case
    } else if (task == "sentiment") {
        a.d_model = 64;
        a.dim_feedforward = 128;
        a.dropout = 0.3;
        a.max_len = 80;
        c.tokens = "space"; // rt-polarity is tokenised and lower-cased already
    } else if (task == "langid") {
        a.d_model = 64;
        a.dim_feedforward = 128;
        a.max_len = 128;
        c.tokens = "char";
    } else if (task == "mlm") {
        a.num_encoder_layers = 3;
        a.max_len = 72; // two Tatoeba sentences of at most 32 words + [CLS] [SEP] [SEP]
        c.tokens = "word";
    }
    return c;
}

std::vector<std::string> bundled_task_data_files(const std::string& task)
{
    if (task == "charlm")
        return {"tinyshakespeare/input.txt"};
    if (task == "langid")
        return {"cmn-eng/cmn.txt", "fra-eng/fra-sample.txt"};
    if (task == "mlm")
        return {"cmn-eng/cmn.txt"};
    return {};
}

std::string task_data_hint(const std::string& task)
{
    if (task == "pos")
        return "a UD treebank directory, e.g. UD_English-EWT";
    if (task == "sentiment")
        return "the rt-polarity directory; it states no licence, so it is not bundled";
    if (task == "charlm")
        return "a text file";
    if (task == "langid")
        return "Tatoeba TSV files";
    if (task == "mlm")
        return "a TSV file whose column 0 is English";
    return "";
}

} // namespace al
