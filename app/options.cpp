// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/options.h"
#include "app/cli.h"

#include "engine/data/algorithmic_tasks.h"
#include "engine/models/config.h"
#include "engine/core/error.h"
#include "engine/nn/activation.h"
#include "engine/nn/attention.h"
#include "engine/nn/norm.h"
#include "engine/nn/positional_encoding.h"

#include <QCommandLineOption>

#include <cmath>
#include <limits>

namespace al::cli {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kIntMax = double(std::numeric_limits<int>::max());
constexpr double kNoUpper = 9e18; // integers: no upper bound beyond the type's

using S = OptionSpec;

S spec(const char* name, S::Kind kind, const char* value, const QString& help, OptionGroup group, unsigned scope,
       const char* key = "")
{
    S s;
    s.name = name;
    s.kind = kind;
    s.value_name = value;
    s.help = help;
    s.group = group;
    s.scope = scope;
    s.key = key;
    return s;
}

S range(S s, double lo, double hi, bool lo_open = false, bool hi_open = false)
{
    s.lo = lo;
    s.hi = hi;
    s.lo_open = lo_open;
    s.hi_open = hi_open;
    return s;
}

S arch(S s)
{
    s.architecture = true;
    return s;
}

S choices(S s, const QStringList& values, void (*check)(const std::string&) = nullptr)
{
    s.choices = values;
    s.check = check;
    return s;
}

S alias(S s, const QStringList& names)
{
    s.aliases = names;
    return s;
}

S hidden(S s)
{
    s.hidden = true;
    return s;
}

bool boolValue(const QString& v) { return v == "true" || v == "1"; }

std::string str(const OptionValue& v) { return v.text.toStdString(); }

} // namespace

// ---------------------------------------------------------------------------------------------
// The tables

const std::vector<OptionEntry<ModelConfig>>& modelOptionTable()
{
    using G = OptionGroup;
    static const std::vector<OptionEntry<ModelConfig>> table = [] {
        const ModelConfig mc;
        std::vector<OptionEntry<ModelConfig>> t;
        t.push_back({arch(range(spec("d-model", S::Integer, "N", QString("Model width d_model, 1 to 65536 (default: %1).").arg(mc.d_model),
                                     G::Model, ForAll, "d_model"), 1, 65536)),
                     [](ModelConfig& c, const OptionValue& v) { c.d_model = int(v.integer); }});
        t.push_back({arch(range(spec("nhead", S::Integer, "N", QString("Attention heads, 1 to 4096; must divide d_model (default: %1).").arg(mc.nhead),
                                     G::Model, ForAll, "nhead"), 1, 4096)),
                     [](ModelConfig& c, const OptionValue& v) { c.nhead = int(v.integer); }});
        t.push_back({arch(range(spec("layers", S::Integer, "N", QString("Encoder and decoder layers, 0 to 64 (the decoder needs 1); "
                                                                        "a language task's one stack (default: %1).").arg(mc.num_encoder_layers),
                                     G::Model, ForAll, "num_encoder_layers, num_decoder_layers"), 0, 64)),
                     [](ModelConfig& c, const OptionValue& v) { c.num_encoder_layers = c.num_decoder_layers = int(v.integer); }});
        t.push_back({arch(range(spec("encoder-layers", S::Integer, "N", QString("Encoder layers, 0 to 64 (default: --layers, %1).").arg(mc.num_encoder_layers),
                                     G::Model, ForSeq2Seq, "num_encoder_layers"), 0, 64)),
                     [](ModelConfig& c, const OptionValue& v) { c.num_encoder_layers = int(v.integer); }});
        t.push_back({arch(range(spec("decoder-layers", S::Integer, "N", QString("Decoder layers, 1 to 64 (default: --layers, %1).").arg(mc.num_decoder_layers),
                                     G::Model, ForSeq2Seq, "num_decoder_layers"), 1, 64)),
                     [](ModelConfig& c, const OptionValue& v) { c.num_decoder_layers = int(v.integer); }});
        t.push_back({arch(alias(range(spec("dim-feedforward", S::Integer, "N", QString("Feed-forward size d_ff, 1 to 1048576 (default: %1).").arg(mc.dim_feedforward),
                                           G::Model, ForAll, "dim_feedforward"), 1, 1 << 20), {"d-ff"})),
                     [](ModelConfig& c, const OptionValue& v) { c.dim_feedforward = int(v.integer); }});
        t.push_back({arch(range(spec("dropout", S::Number, "P", QString("Dropout probability, in [0, 1) (default: %1).").arg(mc.dropout),
                                     G::Model, ForAll, "dropout"), 0, 1, false, true)),
                     [](ModelConfig& c, const OptionValue& v) { c.dropout = v.number; }});
        t.push_back({arch(hidden(choices(spec("norm-first", S::Choice, "BOOL", "true: --pre-ln, false: --post-ln.", G::Model, ForAll, "norm_first"),
                                         {"true", "false", "1", "0"}))),
                     [](ModelConfig& c, const OptionValue& v) { c.norm_first = boolValue(v.text); }});
        t.push_back({arch(spec("pre-ln", S::Flag, "", "Pre-LN blocks instead of the paper's Post-LN (default: off; on with "
                                                      "--task copy|reverse|sort and charlm).", G::Model, ForAll, "norm_first")),
                     [](ModelConfig& c, const OptionValue&) { c.norm_first = true; }});
        t.push_back({arch(spec("post-ln", S::Flag, "", "Post-LN blocks, as in the paper (default: on, except with --task "
                                                       "copy|reverse|sort and charlm).", G::Model, ForAll, "norm_first")),
                     [](ModelConfig& c, const OptionValue&) { c.norm_first = false; }});
        t.push_back({arch(choices(spec("decoder", S::Choice, "KIND", "Decoder: autoregressive or nat (non-autoregressive, Gu et al. 2018: length "
                                                                    "predictor, copied source inputs, all tokens in one pass; docs/nat.md) "
                                                                    "(default: autoregressive).", G::Model, ForSeq2Seq, "decoder"),
                                  {"autoregressive", "nat"}, [](const std::string& v) {
                                      if (v != "autoregressive" && v != "nat")
                                          throw Error("decoder must be \"autoregressive\" or \"nat\", got \"" + v + "\"");
                                  })),
                     [](ModelConfig& c, const OptionValue& v) { c.decoder = str(v); }});
        // Block switches.
        t.push_back({arch(choices(spec("attention", S::Choice, "KIND", "Self-attention alignment: vanilla (scaled dot-product), or a Synthesizer: dense, "
                                                                      "random, fixed_random, factorized_dense, factorized_random, random+vanilla, "
                                                                      "dense+vanilla, random+dense (default: vanilla; cross-attention is always "
                                                                      "dot-product).", G::Blocks, ForAll, "attention"),
                                  {}, [](const std::string& v) { SynthesizerConfig{v, 1, 1}.validate(); })),
                     [](ModelConfig& c, const OptionValue& v) { c.attention = str(v); }});
        t.push_back({arch(range(spec("synthesizer-k", S::Integer, "N", QString("Rank k of the factorized random synthesizer, 1 to 4096 (default: %1).").arg(mc.synthesizer_k),
                                     G::Blocks, ForAll, "synthesizer_k"), 1, 4096)),
                     [](ModelConfig& c, const OptionValue& v) { c.synthesizer_k = int(v.integer); }});
        t.push_back({arch(choices(spec("scoring", S::Choice, "KIND", "Query-key score of dot-product attention (self and cross): scaled_dot "
                                                                    "(Q K^T / sqrt(d_k)), dot (unscaled) or additive (Bahdanau, v^T tanh(W_q q + "
                                                                    "W_k k)) (default: scaled_dot).", G::Blocks, ForAll, "attention_scoring"),
                                  {}, [](const std::string& v) { parse_attention_scoring(v); })),
                     [](ModelConfig& c, const OptionValue& v) { c.attention_scoring = str(v); }});
        t.push_back({arch(choices(spec("normalization", S::Choice, "KIND", "Attention weights from scores: softmax, or relu (ReLU of the scores, masked "
                                                                          "keys 0, rows not normalised) (default: softmax).", G::Blocks, ForAll,
                                       "attention_normalization"),
                                  {}, [](const std::string& v) { parse_attention_normalization(v); })),
                     [](ModelConfig& c, const OptionValue& v) { c.attention_normalization = str(v); }});
        t.push_back({arch(range(spec("window", S::Integer, "N", "Restricted self-attention: query i sees keys j with |i - j| <= N, 0 to 100000; "
                                                               "0 = unrestricted (default: 0).", G::Blocks, ForAll, "attention_window"), 0, 100000)),
                     [](ModelConfig& c, const OptionValue& v) { c.attention_window = int(v.integer); }});
        t.push_back({arch(choices(spec("positional-encoding", S::Choice, "KIND", "Positional encoding: sinusoidal, learned (trainable table) or none "
                                                                                "(default: sinusoidal).", G::Blocks, ForAll, "positional_encoding"),
                                  {}, [](const std::string& v) { parse_positional_encoding(v); })),
                     [](ModelConfig& c, const OptionValue& v) { c.positional_encoding = str(v); }});
        t.push_back({arch(choices(spec("norm", S::Choice, "KIND", "Normalisation of the blocks and the final norm: layernorm or batchnorm "
                                                                 "(default: layernorm).", G::Blocks, ForAll, "norm"),
                                  {}, [](const std::string& v) { parse_norm_kind(v); })),
                     [](ModelConfig& c, const OptionValue& v) { c.norm = str(v); }});
        t.push_back({arch(choices(spec("activation", S::Choice, "KIND", "Feed-forward non-linearity: relu or gelu (exact, erf) (default: relu).",
                                       G::Blocks, ForAll, "activation"),
                                  {}, [](const std::string& v) { parse_activation(v); })),
                     [](ModelConfig& c, const OptionValue& v) { c.activation = str(v); }});
        t.push_back({arch(range(spec("attention-dropout", S::Number, "P", "Dropout on attention weights alone, in [0, 1) (default: the same as --dropout).",
                                     G::Blocks, ForAll, "attention_dropout"), 0, 1, false, true)),
                     [](ModelConfig& c, const OptionValue& v) { c.attention_dropout = v.number; }});
        return t;
    }();
    return table;
}

const std::vector<OptionEntry<TrainConfig>>& trainOptionTable()
{
    using G = OptionGroup;
    static const std::vector<OptionEntry<TrainConfig>> table = [] {
        const TrainConfig tc;
        std::vector<OptionEntry<TrainConfig>> t;
        t.push_back({range(spec("max-tokens", S::Integer, "N", QString("Token budget per batch, B * max(S, T), >= 1 (default: %1).").arg(tc.max_tokens),
                                G::Training, ForAll, "max_tokens"), 1, kIntMax),
                     [](TrainConfig& c, const OptionValue& v) { c.max_tokens = int(v.integer); }});
        t.push_back({range(spec("warmup", S::Integer, "N", QString("Warm-up steps of the Noam schedule, >= 1 (default: %1).").arg(tc.warmup_steps),
                                G::Training, ForAll, "warmup_steps"), 1, kIntMax),
                     [](TrainConfig& c, const OptionValue& v) { c.warmup_steps = int(v.integer); }});
        t.push_back({range(spec("lr-factor", S::Number, "X", QString("Noam schedule factor, > 0: lr = X * d_model^-0.5 * min(step^-0.5, step * "
                                                                     "warmup^-1.5) (default: %1).").arg(tc.lr_factor),
                                G::Training, ForAll, "lr_factor"), 0, kInf, true),
                     [](TrainConfig& c, const OptionValue& v) { c.lr_factor = v.number; }});
        t.push_back({range(spec("label-smoothing", S::Number, "X", QString("Label smoothing, in [0, 1) (default: %1; 0 for language tasks).").arg(tc.label_smoothing),
                                G::Training, ForAll, "label_smoothing"), 0, 1, false, true),
                     [](TrainConfig& c, const OptionValue& v) { c.label_smoothing = v.number; }});
        t.push_back({range(spec("micro-batch-tokens", S::Integer, "N",
                                QString("Run a batch in micro-batches of at most N padded tokens in flight, shared by the threads (gradient "
                                        "accumulation; bounds activation memory); 0 = each thread's whole share (default: %1; 0 for "
                                        "language tasks).")
                                    .arg(tc.micro_batch_tokens),
                                G::Training, ForAll, "micro_batch_tokens"), 0, kIntMax),
                     [](TrainConfig& c, const OptionValue& v) { c.micro_batch_tokens = int(v.integer); }});
        t.push_back({range(spec("clip", S::Number, "X", QString("Clip the global gradient norm to X, >= 0; 0 disables (default: %1).").arg(tc.clip_grad_norm),
                                G::Training, ForSeq2Seq, "clip_grad_norm"), 0, kInf),
                     [](TrainConfig& c, const OptionValue& v) { c.clip_grad_norm = v.number; }});
        t.push_back({choices(spec("scheduled-sampling", S::Choice, "SCHEDULE",
                                  "Scheduled sampling (Bengio et al. 2015): with probability p(step) a decoder input is the model's own "
                                  "prediction (two-pass approximation): off, constant, linear or inverse_sigmoid (default: off).",
                                  G::Training, ForSeq2Seq, "scheduled_sampling"),
                             {}),
                     [](TrainConfig& c, const OptionValue& v) {
                         c.scheduled_sampling = v.text.toLower().replace('-', '_').toStdString();
                     }});
        t.push_back({range(spec("scheduled-sampling-p", S::Number, "P", QString("Scheduled sampling: p of constant, the largest p of linear and "
                                                                                "inverse_sigmoid, in [0, 1] (default: %1).").arg(tc.scheduled_sampling_p),
                                G::Training, ForSeq2Seq, "scheduled_sampling_p"), 0, 1),
                     [](TrainConfig& c, const OptionValue& v) { c.scheduled_sampling_p = v.number; }});
        t.push_back({range(spec("scheduled-sampling-k", S::Number, "K", QString("Scheduled sampling: linear reaches its largest p after K steps; "
                                                                                "inverse_sigmoid p = 1 - K / (K + exp(step / K)), K >= 1 (default: %1).")
                                                                            .arg(tc.scheduled_sampling_k),
                                G::Training, ForSeq2Seq, "scheduled_sampling_k"), 0, kInf),
                     [](TrainConfig& c, const OptionValue& v) { c.scheduled_sampling_k = v.number; }});
        t.push_back({range(spec("length-loss-weight", S::Number, "W", QString("NAT: weight of the target-length cross-entropy in the loss, >= 0 "
                                                                              "(default: %1).").arg(tc.length_loss_weight),
                                G::Training, ForSeq2Seq, "length_loss_weight"), 0, kInf),
                     [](TrainConfig& c, const OptionValue& v) { c.length_loss_weight = v.number; }});
        t.push_back({spec("seed", S::Seed, "N", QString("Seed of initialisation, dropout, batching and masks, and of a language task's data split (a "
                                                "corpus is split with --split-seed) (default: %1).").arg(tc.seed),
                          G::Training, ForAll, "seed"),
                     [](TrainConfig& c, const OptionValue& v) { c.seed = v.seed; }});
        t.push_back({range(spec("threads", S::Integer, "N", "CPU threads (OpenMP and Eigen; data parallelism), 1 to 1024 (default: the number "
                                                            "of cores; 2 for language tasks).", G::Training, ForAll, "threads"), 1, 1024),
                     [](TrainConfig& c, const OptionValue& v) { c.threads = int(v.integer); }});
        return t;
    }();
    return table;
}

const std::vector<OptionEntry<TrainOptions>>& taskOptionTable()
{
    using G = OptionGroup;
    static const std::vector<OptionEntry<TrainOptions>> table = [] {
        const AlgorithmicTaskConfig ac;
        std::vector<OptionEntry<TrainOptions>> t;
        t.push_back({choices(spec("task", S::Choice, "TASK",
                                  "translate (a corpus, see --data); an algorithmic task generated on the fly: copy, reverse or sort a "
                                  "random sequence of symbols (a small model, its own optimiser defaults, 2 minutes, exact-match "
                                  "accuracy); or a language task: charlm (character LM), pos (tagger), sentiment, langid (text "
                                  "classifiers), mlm (masked LM), each with its own model and defaults, 2 minutes (default: translate).",
                                  G::Task, ForAll, "task"),
                             {"translate", "copy", "reverse", "sort", "charlm", "pos", "sentiment", "langid", "mlm"}),
                     [](TrainOptions& o, const OptionValue& v) { o.task = v.text.toLower(); }});
        t.push_back({range(spec("task-vocab", S::Integer, "N", QString("Symbols of --task copy|reverse|sort, 2 to 1000 (default: %1).").arg(ac.vocab),
                                G::Task, ForAlgorithmic, "vocab"), 2, 1000),
                     [](TrainOptions& o, const OptionValue& v) { o.algorithmic.vocab = int(v.integer); }});
        t.push_back({range(spec("min-len", S::Integer, "N", QString("Shortest generated sequence of --task copy|reverse|sort, 1 to 500 (default: %1).").arg(ac.min_len),
                                G::Task, ForAlgorithmic, "min_len"), 1, 500),
                     [](TrainOptions& o, const OptionValue& v) { o.algorithmic.min_len = int(v.integer); }});
        t.push_back({range(spec("task-pairs", S::Integer, "N", QString("Training pairs generated for --task copy|reverse|sort, 1 to 100000000; valid "
                                                                       "and test sets (%1 and %2 pairs) are held out from them (default: %3).")
                                                                   .arg(ac.valid_size).arg(ac.test_size).arg(ac.train_size),
                                G::Task, ForAlgorithmic, "train_size"), 1, 1e8),
                     [](TrainOptions& o, const OptionValue& v) { o.algorithmic.train_size = int(v.integer); }});
        t.push_back({range(spec("max-len", S::Integer, "N", QString("Longest sequence, 1 to 100000: translation drops training pairs with more tokens "
                                                                    "on either side (TrainConfig max_len); copy|reverse|sort: the longest generated "
                                                                    "sequence (task.json max_len, at most 500); a language task: the model's max_len "
                                                                    "(charlm: the context window) (default: %1; %2 with --task copy|reverse|sort).")
                                                                .arg(TrainConfig{}.max_len).arg(ac.max_len),
                                G::Task, ForAll, "max_len"), 1, 100000),
                     [](TrainOptions& o, const OptionValue& v) {
                         if (is_algorithmic_task(o.task.toStdString())) o.algorithmic.max_len = int(v.integer);
                         else if (is_task_model_name(o.task.toStdString())) o.model.max_len = int(v.integer);
                         else o.train.max_len = int(v.integer);
                     }});
        t.push_back({arch(choices(spec("pooling", S::Choice, "KIND", "sentiment, langid: classifier pooling, mean over non-padding positions or "
                                                                    "the [CLS] position (default: mean).", G::Task, ForLanguage, "pooling"),
                                  {"mean", "cls"})),
                     [](TrainOptions& o, const OptionValue& v) { o.model.pooling = str(v); }});
        t.push_back({arch(range(spec("suffix-len", S::Integer, "N", "pos: add a suffix token (word ending and case) of N characters to each word, "
                                                                   "0 to 64; 0 = off (default: 3).", G::Task, ForLanguage, "suffix_len"), 0, 64)),
                     [](TrainOptions& o, const OptionValue& v) { o.model.suffix_len = int(v.integer); }});
        t.push_back({range(spec("mask-prob", S::Number, "P", QString("mlm: probability that a token is selected, in [0, 1] (default: %1).").arg(kDefaultMaskProb),
                                G::Task, ForLanguage), 0, 1),
                     [](TrainOptions& o, const OptionValue& v) { o.mask_prob = v.number; }});
        return t;
    }();
    return table;
}

const std::vector<OptionEntry<TrainOptions>>& dataOptionTable()
{
    using G = OptionGroup;
    static const std::vector<OptionEntry<TrainOptions>> table = [] {
        const QString corpus = defaultCorpusPath();
        std::vector<OptionEntry<TrainOptions>> t;
        // --data and the split options are read together by the data-source reader (they exclude
        // and imply each other); their entries apply nothing on their own.
        t.push_back({spec("data", S::TextList, "FILE",
                          "Translation: a tab-separated corpus, shuffled and split 90/5/5 into train/valid/test (default: the bundled "
                          "Tatoeba cmn-eng corpus, " + (corpus.isEmpty() ? QString("not found") : corpus) + "). A language task: its "
                          "data, repeated for langid (docs/cli.md, \"Tasks beyond translation\").",
                          G::Data, ForCorpus | ForLanguage), nullptr});
        t.push_back({range(spec("src-col", S::Integer, "N", "0-based column of the source sentence, 0 to 1000 (default: 1 with --data, i.e. "
                                                            "Chinese in cmn.txt; 0 with --train/--valid/--test).", G::Data, ForCorpus), 0, 1000), nullptr});
        t.push_back({range(spec("tgt-col", S::Integer, "N", "0-based column of the target sentence, 0 to 1000 (default: 0 with --data, i.e. "
                                                            "English in cmn.txt; 1 with --train/--valid/--test).", G::Data, ForCorpus), 0, 1000), nullptr});
        t.push_back({spec("split-seed", S::Seed, "N", "Seed of the shuffle before splitting --data; with --task copy|reverse|sort the "
                                                      "generator seed (default: 1).", G::Data, ForSeq2Seq, "seed"), nullptr});
        t.push_back({spec("train", S::Text, "FILE", "Training split, used with --valid and --test instead of --data (default: none).",
                          G::Data, ForCorpus), nullptr});
        t.push_back({spec("valid", S::Text, "FILE", "Validation split (default: none).", G::Data, ForCorpus), nullptr});
        t.push_back({spec("test", S::Text, "FILE", "Test split (default: none).", G::Data, ForCorpus), nullptr});
        auto tokens = [](TokenKind& dst, const QString& v) {
            dst = v == "char" ? TokenKind::Char : v == "word" ? TokenKind::Word : TokenKind::Auto;
        };
        t.push_back({arch(choices(spec("src-tokens", S::Choice, "KIND", "Source tokens: char, word or auto (default: auto: char when most "
                                                                       "letters are CJK).", G::Data, ForCorpus, "src_tokens"),
                                  {"char", "word", "auto"})),
                     [tokens](TrainOptions& o, const OptionValue& v) { tokens(o.src_tokens, v.text.toLower()); }});
        t.push_back({arch(choices(spec("tgt-tokens", S::Choice, "KIND", "Target tokens: char, word or auto (default: auto).", G::Data,
                                       ForCorpus, "tgt_tokens"),
                                  {"char", "word", "auto"})),
                     [tokens](TrainOptions& o, const OptionValue& v) { tokens(o.tgt_tokens, v.text.toLower()); }});
        t.push_back({arch(range(spec("min-count", S::Integer, "N", "Tokens seen fewer times in the training split become <unk>, 1 to 16777216 "
                                                                  "(default: 2; charlm keeps every character).", G::Data,
                                     ForCorpus | ForLanguage), 1, 1 << 24)),
                     [](TrainOptions& o, const OptionValue& v) { o.min_count = int(v.integer); }});
        return t;
    }();
    return table;
}

const std::vector<OptionEntry<TrainOptions>>& outputOptionTable()
{
    using G = OptionGroup;
    static const std::vector<OptionEntry<TrainOptions>> table = [] {
        std::vector<OptionEntry<TrainOptions>> t;
        t.push_back({range(spec("minutes", S::Number, "M", "Train for M minutes of wall time, >= 0; 0 = no time limit (default when --steps "
                                                           "is not given: 10; 2 with any other --task).", G::Output, ForAll), 0, kInf),
                     [](TrainOptions& o, const OptionValue& v) { o.minutes = v.number; }});
        t.push_back({range(spec("steps", S::Integer, "N", "Train for N optimizer steps in this run, >= 0; 0 = no step limit (default: none; "
                                                          "with --minutes, whichever comes first).", G::Output, ForAll), 0, kNoUpper),
                     [](TrainOptions& o, const OptionValue& v) { o.steps = v.integer; }});
        t.push_back({spec("out", S::Text, "DIR", "Save the model directory here at the end and every --save-every minutes (default: not saved).",
                          G::Output, ForAll),
                     [](TrainOptions& o, const OptionValue& v) { o.out = v.text; }});
        t.push_back({range(spec("save-every", S::Number, "M", "Minutes between saves to --out, >= 0; 0 saves only at the end (default: 10).",
                                G::Output, ForAll), 0, kInf),
                     [](TrainOptions& o, const OptionValue& v) { o.save_every = v.number; }});
        t.push_back({spec("resume", S::Text, "DIR", "Continue training the model directory DIR (with its optimizer.safetensors when present); "
                                                    "architecture and tokenisation come from DIR (default: new model).", G::Output, ForAll),
                     [](TrainOptions& o, const OptionValue& v) { o.resume = v.text; }});
        t.push_back({spec("save-split", S::Text, "DIR", "Write the train/valid/test pairs used to DIR/{train,valid,test}.tsv as source TAB "
                                                        "target (default: not written).", G::Output, ForSeq2Seq),
                     [](TrainOptions& o, const OptionValue& v) { o.save_split = v.text; }});
        t.push_back({range(spec("log-every", S::Integer, "N", "Progress line every N steps, >= 0; 0 = by time only (default: 100; 0 for "
                                                              "language tasks).", G::Output, ForAll), 0, kIntMax),
                     [](TrainOptions& o, const OptionValue& v) { o.log_every = int(v.integer); }});
        t.push_back({range(spec("log-seconds", S::Number, "S", "Progress line at least every S seconds, >= 0 (default: 10).", G::Output, ForAll),
                           0, kInf),
                     [](TrainOptions& o, const OptionValue& v) { o.log_seconds = v.number; }});
        t.push_back({range(spec("valid-every", S::Number, "M", "Minutes between validation passes, >= 0; 0 validates only at the end (default: 2; "
                                                               "1 for language tasks except charlm).", G::Output, ForAll), 0, kInf),
                     [](TrainOptions& o, const OptionValue& v) { o.valid_every = v.number; }});
        t.push_back({range(spec("valid-max", S::Integer, "N", "Validation pairs (charlm: windows) used by intermediate passes, >= 0; 0 = all "
                                                              "(default: 0; the final pass uses all).", G::Output, ForAll), 0, kNoUpper),
                     [](TrainOptions& o, const OptionValue& v) { o.valid_max = size_t(v.integer); }});
        t.push_back({choices(spec("keep-best", S::Choice, "BOOL", "End with the weights of the best validation pass (model selection on the "
                                                                 "validation split; score: minus the validation loss, a language task's "
                                                                 "accuracy, charlm's minus the loss), true or false (default: false; true for "
                                                                 "language tasks).", G::Output, ForAll),
                             {"true", "false", "1", "0"}),
                     [](TrainOptions& o, const OptionValue& v) { o.keep_best = boolValue(v.text); }});
        t.push_back({range(spec("bleu-sentences", S::Integer, "N", "Test sentences decoded for the final BLEU, >= 0; 0 = all (default: 0).",
                                G::Output, ForSeq2Seq), 0, kNoUpper),
                     [](TrainOptions& o, const OptionValue& v) { o.bleu_sentences = size_t(v.integer); }});
        t.push_back({range(spec("samples", S::Integer, "N", "Sample translations printed at the end, 0 to 1000 (default: 5; 3 with --task "
                                                            "copy|reverse|sort).", G::Output, ForSeq2Seq), 0, 1000),
                     [](TrainOptions& o, const OptionValue& v) { o.samples = int(v.integer); }});
        t.push_back({choices(spec("timeline", S::Choice, "BOOL", "Record the training timeline: the attention maps of a few probe "
                                                                 "sentences at log-spaced steps, saved with --out as timeline.json "
                                                                 "and timeline.safetensors (docs/timeline.md), true or false "
                                                                 "(default: true).", G::Output, ForAll),
                             {"true", "false", "1", "0"}),
                     [](TrainOptions& o, const OptionValue& v) { o.timeline = boolValue(v.text); }});
        t.push_back({spec("timeline-probe", S::TextList, "TEXT", "A probe sentence of the timeline (the source sentence, or the task "
                                                                 "model's input); repeat for several (default: 3 chosen from the "
                                                                 "validation split, with their references).", G::Output, ForAll),
                     [](TrainOptions& o, const OptionValue& v) { o.timeline_probes = v.texts; }});
        t.push_back({range(spec("timeline-mb", S::Number, "MB", "Memory bound of the timeline in MB (10^6 bytes), > 0 and <= 4000; "
                                                                "past it the recorded steps are thinned (default: 50).",
                                G::Output, ForAll), 0, 4000, true),
                     [](TrainOptions& o, const OptionValue& v) { o.timeline_mb = v.number; }});
        return t;
    }();
    return table;
}

std::vector<OptionSpec> trainOptionSpecs()
{
    std::vector<OptionSpec> all;
    for (const auto& e : dataOptionTable()) all.push_back(e.spec);
    for (const auto& e : modelOptionTable()) all.push_back(e.spec);
    for (const auto& e : trainOptionTable()) all.push_back(e.spec);
    for (const auto& e : taskOptionTable()) all.push_back(e.spec);
    for (const auto& e : outputOptionTable()) all.push_back(e.spec);
    return all;
}

const OptionSpec* findTrainOption(const QString& name)
{
    static const std::vector<OptionSpec> all = trainOptionSpecs();
    for (const OptionSpec& s : all)
        if (s.name == name || s.aliases.contains(name)) return &s;
    return nullptr;
}

void declareOption(QCommandLineParser& p, const OptionSpec& s)
{
    auto add = [&](const QString& name, bool hide) {
        QCommandLineOption o(name, s.help, s.kind == OptionSpec::Flag ? QString() : s.value_name);
        if (hide) o.setFlags(QCommandLineOption::HiddenFromHelp);
        p.addOption(o);
    };
    add(s.name, s.hidden);
    for (const QString& a : s.aliases) add(a, true);
}

QString groupedHelp(const std::vector<OptionSpec>& specs)
{
    static const std::pair<OptionGroup, const char*> kTitles[] = {
        {OptionGroup::Data, "Data"},
        {OptionGroup::Model, "Model"},
        {OptionGroup::Blocks, "Block switches"},
        {OptionGroup::Training, "Training"},
        {OptionGroup::Task, "Task"},
        {OptionGroup::Output, "Budget, progress and output"},
    };
    const int col = 30, width = 100;
    QString text;
    for (const auto& [group, title] : kTitles) {
        QString section;
        for (const OptionSpec& s : specs) {
            if (s.group != group || s.hidden) continue;
            QString head = "  --" + s.name + (s.value_name.isEmpty() ? QString() : " " + s.value_name);
            QString line = head.leftJustified(col - 1) + " ";
            if (head.size() >= col - 1) line = head + "\n" + QString(col, ' ');
            int used = col;
            for (const QString& word : s.help.split(' ', Qt::SkipEmptyParts)) {
                if (used > col && used + 1 + word.size() > width) {
                    line += "\n" + QString(col, ' ');
                    used = col;
                } else if (used > col) {
                    line += ' ';
                    ++used;
                }
                line += word;
                used += int(word.size());
            }
            section += line + "\n";
        }
        if (!section.isEmpty()) text += QString("\n") + title + ":\n" + section;
    }
    return text;
}

// ---------------------------------------------------------------------------------------------
// The reader

QString rangeText(const OptionSpec& s)
{
    if (s.kind == OptionSpec::Integer) {
        if (s.hi >= kNoUpper) return QString("an integer >= %1").arg(qlonglong(s.lo));
        return QString("an integer from %1 to %2").arg(qlonglong(s.lo)).arg(qlonglong(s.hi));
    }
    if (s.kind == OptionSpec::Seed) return "a non-negative integer";
    if (std::isinf(s.hi)) return QString("a number %1 %2").arg(s.lo_open ? ">" : ">=").arg(s.lo);
    return QString("a number in %1%2, %3%4").arg(s.lo_open ? "(" : "[").arg(s.lo).arg(s.hi).arg(s.hi_open ? ")" : "]");
}

void OptionReader::fail(const QString& msg)
{
    if (m_error.isEmpty()) m_error = msg;
}

bool OptionReader::isSet(const OptionSpec& s) const
{
    if (m_p.isSet(s.name)) return true;
    for (const QString& a : s.aliases)
        if (m_p.isSet(a)) return true;
    return false;
}

QString OptionReader::spelling(const OptionSpec& s) const
{
    for (const QString& a : s.aliases)
        if (m_p.isSet(a) && !m_p.isSet(s.name)) return "--" + a;
    return "--" + s.name;
}

bool OptionReader::read(const OptionSpec& s, OptionValue& v)
{
    if (!isSet(s)) return false;
    const QString name = spelling(s).mid(2);
    for (const QString& a : s.aliases)
        if (m_p.isSet(a) && m_p.isSet(s.name)) {
            fail("--" + a + " is another spelling of --" + s.name + "; give one of them");
            return false;
        }
    const QString raw = m_p.value(name);
    const QString given = raw.trimmed();
    const QString bad = "--" + name + ": expected " + rangeText(s) + ", got '" + raw + "'";
    switch (s.kind) {
    case OptionSpec::Flag:
        return true;
    case OptionSpec::Text:
        v.text = raw;
        return true;
    case OptionSpec::TextList:
        v.texts = m_p.values(name);
        v.text = raw;
        return true;
    case OptionSpec::Integer: {
        bool good = false;
        const long long x = given.toLongLong(&good);
        if (!good || double(x) < s.lo || (s.hi < kNoUpper && double(x) > s.hi)) {
            fail(bad);
            return false;
        }
        v.integer = x;
        return true;
    }
    case OptionSpec::Seed: {
        bool good = false;
        const qulonglong x = given.toULongLong(&good);
        if (!good) {
            fail(bad);
            return false;
        }
        v.seed = x;
        return true;
    }
    case OptionSpec::Number: {
        bool good = false;
        const double x = given.toDouble(&good);
        if (!good || !std::isfinite(x) || x < s.lo || (s.lo_open && x <= s.lo) || x > s.hi || (s.hi_open && x >= s.hi)) {
            fail(bad);
            return false;
        }
        v.number = x;
        return true;
    }
    case OptionSpec::Choice: {
        v.text = given;
        if (s.check) {
            try {
                s.check(given.toStdString());
            } catch (const Error& e) {
                fail("--" + name + ": " + QString::fromStdString(e.what()));
                return false;
            }
            return true;
        }
        if (!s.choices.isEmpty() && !s.choices.contains(given.toLower())) {
            QStringList shown;
            for (const QString& c : s.choices)
                if (c != "1" && c != "0") shown << c;
            const QString list = shown.size() == 1 ? shown.first()
                                                   : QStringList(shown.mid(0, shown.size() - 1)).join(", ") + " or " + shown.last();
            fail("--" + name + ": expected " + list + ", got '" + raw + "'");
            return false;
        }
        return true;
    }
    }
    return false;
}

void OptionReader::integer(const QString& name, long long lo, long long hi, int& dst)
{
    int64_t v = dst;
    integer64(name, lo, hi, v);
    dst = int(v);
}

void OptionReader::integer64(const QString& name, long long lo, long long hi, int64_t& dst)
{
    OptionSpec s;
    s.name = name;
    s.kind = OptionSpec::Integer;
    s.lo = double(lo);
    s.hi = hi == std::numeric_limits<long long>::max() ? kNoUpper : double(hi);
    OptionValue v;
    if (read(s, v)) dst = v.integer;
}

void OptionReader::size(const QString& name, size_t& dst)
{
    int64_t v = int64_t(dst);
    integer64(name, 0, std::numeric_limits<long long>::max(), v);
    dst = size_t(v);
}

void OptionReader::seed(const QString& name, uint64_t& dst)
{
    OptionSpec s;
    s.name = name;
    s.kind = OptionSpec::Seed;
    OptionValue v;
    if (read(s, v)) dst = v.seed;
}

void OptionReader::number(const QString& name, double lo, double hi, bool hi_open, double& dst)
{
    OptionSpec s;
    s.name = name;
    s.kind = OptionSpec::Number;
    s.lo = lo;
    s.hi = hi == std::numeric_limits<double>::max() ? kInf : hi;
    s.hi_open = hi_open;
    OptionValue v;
    if (read(s, v)) dst = v.number;
}

} // namespace al::cli
