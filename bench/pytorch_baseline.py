#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch baseline for Attention Lab's `train` subcommand.

Trains a torch.nn.Transformer encoder-decoder of the same size, tokenisation, batching,
loss and optimiser as the lab on the splits that `attention-lab train --save-split DIR`
writes (DIR/train.tsv, valid.tsv, test.tsv: source TAB target), then greedy-decodes the test
split and scores corpus BLEU with NLTK. Progress lines and the final line use the lab's format:

    final: valid_loss 2.345 valid_ppl 10.43 test_bleu 12.34 steps 1234 tokens/s 5678

so the two programs can be compared line by line. Runs offline on Debian's python3-torch:

    /usr/bin/python3 bench/pytorch_baseline.py --split DIR --minutes 10 --threads 4

Parameter names match the lab's model.safetensors ("transformer.encoder.layers.0.self_attn.
in_proj_weight", "src_tok_emb.weight", "generator.weight", ...).
"""

import argparse
import collections
import math
import os
import random
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import library_threads  # noqa: E402  (before torch: pins OpenBLAS/OpenMP to --threads)

if __name__ == "__main__":
    library_threads.pin_from_argv(default=os.cpu_count() or 1)

import torch  # noqa: E402
from torch import nn  # noqa: E402

PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]


# ---------------------------------------------------------------------------------------------
# Tokenisation: a re-implementation of engine/data/text.cpp (normalize_text, is_cjk, to_lower) and
# engine/data/tokenizer.cpp (Char / Word tokenizers, Auto resolution).

def _is_space_like(cp):
    return cp in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                  0x202F, 0x205F, 0x3000) or 0x2000 <= cp <= 0x200A


def _is_dropped(cp):
    return cp in (0x200B, 0x00AD, 0xFEFF, 0x2060) or cp < 0x20 or 0x7F <= cp < 0xA0


def normalize_text(s):
    """Unicode spaces -> ' ' (runs collapsed, ends trimmed); U+200B, U+00AD and other
    invisible or control characters dropped; U+2019 -> apostrophe."""
    out = []
    pending_space = False
    for ch in s:
        cp = ord(ch)
        if _is_space_like(cp):
            pending_space = bool(out)
            continue
        if _is_dropped(cp):
            continue
        if cp == 0x2019:
            ch = "'"
        if pending_space:
            out.append(" ")
            pending_space = False
        out.append(ch)
    return "".join(out)


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F
            or 0x30000 <= cp <= 0x323AF or 0xF900 <= cp <= 0xFAFF or 0x3005 <= cp <= 0x3007
            or 0x3040 <= cp <= 0x309F or 0x30A0 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF
            or 0xFF66 <= cp <= 0xFF9F or 0x3100 <= cp <= 0x312F or 0x1100 <= cp <= 0x11FF
            or 0x3130 <= cp <= 0x318F or 0xAC00 <= cp <= 0xD7AF)


def is_punct_or_symbol(cp):
    if cp < 0x80:
        ch = chr(cp)
        return not (ch.isascii() and ch.isalnum())
    if cp < 0x100:
        if 0xA1 <= cp <= 0xBF:
            return not (cp in (0xAA, 0xB2, 0xB3, 0xB5, 0xB9, 0xBA) or 0xBC <= cp <= 0xBE)
        return cp in (0xD7, 0xF7)
    return (cp in (0x37E, 0x387) or 0x55A <= cp <= 0x55F
            or cp in (0x589, 0x5BE, 0x5C0, 0x5C3, 0x5F3, 0x5F4)
            or 0x60C <= cp <= 0x60D or cp in (0x61B, 0x61F, 0x66A, 0x6D4)
            or cp in (0x964, 0x965)
            or 0x2010 <= cp <= 0x205E
            or 0x207A <= cp <= 0x207E or 0x208A <= cp <= 0x208E
            or 0x20A0 <= cp <= 0x20CF
            or 0x2100 <= cp <= 0x2BFF
            or 0x2E00 <= cp <= 0x2E7F
            or (0x3000 <= cp <= 0x303F and not 0x3005 <= cp <= 0x3007)
            or cp == 0x30FB
            or 0xFE10 <= cp <= 0xFE6F
            or 0xFF01 <= cp <= 0xFF0F or 0xFF1A <= cp <= 0xFF20 or 0xFF3B <= cp <= 0xFF40
            or 0xFF5B <= cp <= 0xFF65 or 0xFFE0 <= cp <= 0xFFEE
            or 0x1F000 <= cp <= 0x1FAFF)


SPACE, WORD, CJK, PUNCT = range(4)


def classify(ch):
    cp = ord(ch)
    if ch == " ":
        return SPACE
    if is_cjk(cp):
        return CJK
    if is_punct_or_symbol(cp):
        return PUNCT
    return WORD


def to_lower(ch):
    """Lower case for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic (as the engine)."""
    cp = ord(ch)
    if cp < 0x80:
        return ch.lower()
    if cp < 0x100:
        return chr(cp + 32) if (0xC0 <= cp <= 0xDE and cp != 0xD7) else ch
    if 0x100 <= cp <= 0x17F or 0x370 <= cp <= 0x4FF:
        low = ch.lower()
        return low if len(low) == 1 else ch
    return ch


def _is_hyphen(ch):
    return ch in ("-", "\u2010", "\u2011")


def tokenize(text, kind):
    """'char': one token per character, spaces dropped. 'word': lower-cased words (joined
    across an inner apostrophe or hyphen, and '.'/',' between digits), single punctuation
    marks and single CJK characters."""
    u = normalize_text(text)
    if kind == "char":
        return [ch for ch in u if ch != " "]
    cls = [classify(ch) for ch in u]
    n = len(u)
    out = []
    i = 0
    while i < n:
        if cls[i] == SPACE:
            i += 1
            continue
        if cls[i] != WORD:
            out.append(u[i])
            i += 1
            continue
        word = []
        j = i
        while j < n:
            if cls[j] == WORD:
                word.append(to_lower(u[j]))
                j += 1
                continue
            inner = j > i and j + 1 < n and cls[j + 1] == WORD
            joiner = inner and (u[j] == "'" or _is_hyphen(u[j]) or
                                (u[j] in ".," and u[j - 1].isascii() and u[j - 1].isdigit()
                                 and u[j + 1].isascii() and u[j + 1].isdigit()))
            if not joiner:
                break
            word.append(u[j])
            j += 1
        out.append("".join(word))
        i = j
    return out


def resolve_token_kind(kind, samples):
    """'auto' -> 'char' when more than half of all letters (digits excluded) are CJK."""
    if kind != "auto":
        return kind
    cjk = letters = 0
    for s in samples:
        for ch in s:
            c = classify(ch)
            if c == CJK:
                cjk += 1
                letters += 1
            elif c == WORD and not (ch.isascii() and ch.isdigit()):
                letters += 1
    return "char" if 2 * cjk > letters else "word"


class Vocab:
    """Specials at 0..3, then tokens with count >= min_count by decreasing count, ties in
    UTF-8 byte order (as engine/data/vocab.cpp)."""

    def __init__(self, sequences, min_count):
        counts = collections.Counter(t for seq in sequences for t in seq)
        kept = [(t, c) for t, c in counts.items() if c >= max(min_count, 1) and t not in SPECIALS]
        kept.sort(key=lambda tc: (-tc[1], tc[0].encode("utf-8")))
        self.tokens = SPECIALS + [t for t, _ in kept]
        self.index = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self):
        return len(self.tokens)

    def encode(self, tokens):
        return [self.index.get(t, UNK) for t in tokens]


# ---------------------------------------------------------------------------------------------
# Data

def read_tsv(path, src_col, tgt_col):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").rstrip("\r").split("\t")
            if len(fields) <= max(src_col, tgt_col):
                continue
            src, tgt = fields[src_col], fields[tgt_col]
            if normalize_text(src) and normalize_text(tgt):
                pairs.append((src, tgt))
    return pairs


def make_batches(pairs, max_tokens, rng):
    """Length-bucketed batches under a token budget B * max(S, T) <= max_tokens, where S and
    T count EOS / BOS; sorted by (source, target) length with a random tie-break, batch
    order shuffled."""
    order = sorted(range(len(pairs)),
                   key=lambda i: (len(pairs[i][0]), len(pairs[i][1]), rng.random()))
    batches, cur, longest = [], [], 0
    for i in order:
        s, t = pairs[i]
        m = max(len(s), len(t)) + 1
        if cur and (len(cur) + 1) * max(longest, m) > max_tokens:
            batches.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, m)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(pairs, idx):
    """-> src (B,S) "x.. EOS", tgt_in (B,T) "BOS y..", tgt_out (B,T) "y.. EOS", PAD-padded."""
    S = max(len(pairs[i][0]) for i in idx) + 1
    T = max(len(pairs[i][1]) for i in idx) + 1
    src = torch.full((len(idx), S), PAD, dtype=torch.long)
    tin = torch.full((len(idx), T), PAD, dtype=torch.long)
    tout = torch.full((len(idx), T), PAD, dtype=torch.long)
    for b, i in enumerate(idx):
        s, t = pairs[i]
        src[b, :len(s) + 1] = torch.tensor(s + [EOS])
        tin[b, :len(t) + 1] = torch.tensor([BOS] + t)
        tout[b, :len(t) + 1] = torch.tensor(t + [EOS])
    return src, tin, tout


# ---------------------------------------------------------------------------------------------
# Model

class Seq2SeqTransformer(nn.Module):
    """Token embeddings * sqrt(d_model) + sinusoidal positional encoding (Vaswani et al. 2017,
    section 3.5), torch.nn.Transformer, linear generator. Attribute names give the lab's
    state_dict names."""

    def __init__(self, src_vocab, tgt_vocab, d_model, nhead, enc_layers, dec_layers, d_ff,
                 dropout, norm_first, max_len=256):
        super().__init__()
        self.d_model = d_model
        self.transformer = nn.Transformer(d_model=d_model, nhead=nhead,
                                          num_encoder_layers=enc_layers,
                                          num_decoder_layers=dec_layers,
                                          dim_feedforward=d_ff, dropout=dropout,
                                          batch_first=True, norm_first=norm_first)
        self.src_tok_emb = nn.Embedding(src_vocab, d_model)
        self.tgt_tok_emb = nn.Embedding(tgt_vocab, d_model)
        self.generator = nn.Linear(d_model, tgt_vocab)
        self.dropout = nn.Dropout(dropout)
        pos = torch.arange(max_len, dtype=torch.float).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div[: d_model // 2])
        self.register_buffer("pe", pe, persistent=False)
        # As the lab: Xavier-uniform matrices, N(0, d_model^-0.5) embeddings, zero biases.
        for name, p in self.named_parameters():
            if name.endswith("tok_emb.weight"):
                nn.init.normal_(p, 0.0, d_model ** -0.5)
            elif p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def embed(self, emb, ids):
        return self.dropout(emb(ids) * math.sqrt(self.d_model) + self.pe[: ids.size(1)])

    def encode(self, src):
        return self.transformer.encoder(self.embed(self.src_tok_emb, src),
                                        src_key_padding_mask=src.eq(PAD))

    def decode(self, tgt_in, memory, src):
        T = tgt_in.size(1)
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
        return self.transformer.decoder(self.embed(self.tgt_tok_emb, tgt_in), memory,
                                        tgt_mask=causal, tgt_key_padding_mask=tgt_in.eq(PAD),
                                        memory_key_padding_mask=src.eq(PAD))

    def forward(self, src, tgt_in):
        return self.generator(self.decode(tgt_in, self.encode(src), src))


@torch.no_grad()
def greedy_decode(model, srcs, max_len):
    """Batched greedy decoding; srcs are id lists without EOS. Returns ids without BOS/EOS."""
    S = max(len(s) for s in srcs) + 1
    src = torch.full((len(srcs), S), PAD, dtype=torch.long)
    for b, s in enumerate(srcs):
        src[b, :len(s) + 1] = torch.tensor(s + [EOS])
    memory = model.encode(src)
    ys = torch.full((len(srcs), 1), BOS, dtype=torch.long)
    done = torch.zeros(len(srcs), dtype=torch.bool)
    for _ in range(max_len):
        logits = model.generator(model.decode(ys, memory, src)[:, -1])
        nxt = logits.argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
        ys = torch.cat([ys, nxt.unsqueeze(1)], dim=1)
        done |= nxt.eq(EOS)
        if bool(done.all()):
            break
    out = []
    for row in ys[:, 1:].tolist():
        ids = []
        for i in row:
            if i in (EOS, PAD):
                break
            ids.append(i)
        out.append(ids)
    return out


@torch.no_grad()
def evaluate(model, pairs, max_tokens):
    """Cross-entropy per target token (no label smoothing, dropout off)."""
    model.eval()
    total, n = 0.0, 0
    for idx in make_batches(pairs, max_tokens, random.Random(0)):
        src, tin, tout = collate(pairs, idx)
        logits = model(src, tin)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), tout.reshape(-1),
                                           ignore_index=PAD, reduction="sum")
        total += loss.item()
        n += int(tout.ne(PAD).sum())
    model.train()
    return total / max(n, 1)


def hms(seconds):
    s = int(seconds)
    return "%d:%02d:%02d" % (s // 3600, (s // 60) % 60, s % 60)


def detok_word(tokens):
    closing = set(". , ! ? ; : ) ] } %".split())
    out = ""
    for t in tokens:
        out += t if (not out or t in closing) else " " + t
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--split", metavar="DIR", help="directory written by `attention-lab train --save-split`")
    ap.add_argument("--train", metavar="FILE", help="training split (default: DIR/train.tsv)")
    ap.add_argument("--valid", metavar="FILE", help="validation split (default: DIR/valid.tsv)")
    ap.add_argument("--test", metavar="FILE", help="test split (default: DIR/test.tsv)")
    ap.add_argument("--src-col", type=int, default=0)
    ap.add_argument("--tgt-col", type=int, default=1)
    ap.add_argument("--src-tokens", choices=["char", "word", "auto"], default="auto")
    ap.add_argument("--tgt-tokens", choices=["char", "word", "auto"], default="auto")
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--nhead", type=int, default=4)
    ap.add_argument("--layers", type=int, default=3, help="encoder and decoder layers")
    ap.add_argument("--encoder-layers", type=int, help="default: --layers")
    ap.add_argument("--decoder-layers", type=int, help="default: --layers")
    ap.add_argument("--d-ff", type=int, default=1024)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--pre-ln", action="store_true", help="Pre-LN instead of Post-LN")
    ap.add_argument("--max-tokens", type=int, default=3000, help="token budget per batch, B * max(S, T)")
    ap.add_argument("--max-len", type=int, default=64, help="longer training pairs are dropped")
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--lr-factor", type=float, default=1.0)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--clip", type=float, default=1.0, help="0 disables clipping")
    ap.add_argument("--minutes", type=float, help="wall-time budget (default: 10 when --steps is not given)")
    ap.add_argument("--steps", type=int, help="optimizer steps")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--log-every", type=int, default=100, help="progress every N steps (and every 10 s)")
    ap.add_argument("--bleu-sentences", type=int, default=0, help="0 = whole test split")
    ap.add_argument("--samples", type=int, default=5)
    args = ap.parse_args()
    # torch 1.13 warns once that its nested-tensor fast path (used in eval mode) is a prototype.
    warnings.filterwarnings("ignore", message=".*nested tensors.*")

    def split_file(given, name):
        if given:
            return given
        if not args.split:
            ap.error("--split DIR or --train/--valid/--test FILE is required")
        return os.path.join(args.split, name)

    if args.minutes is None and args.steps is None:
        args.minutes = 10.0
    if args.d_model % args.nhead:
        ap.error("--d-model (%d) must be divisible by --nhead (%d)" % (args.d_model, args.nhead))
    enc_layers = args.encoder_layers if args.encoder_layers is not None else args.layers
    dec_layers = args.decoder_layers if args.decoder_layers is not None else args.layers

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    train_raw = read_tsv(split_file(args.train, "train.tsv"), args.src_col, args.tgt_col)
    valid_raw = read_tsv(split_file(args.valid, "valid.tsv"), args.src_col, args.tgt_col)
    test_raw = read_tsv(split_file(args.test, "test.tsv"), args.src_col, args.tgt_col)
    if not train_raw:
        sys.exit("error: the training split is empty")
    src_kind = resolve_token_kind(args.src_tokens, [p[0] for p in train_raw[:2000]])
    tgt_kind = resolve_token_kind(args.tgt_tokens, [p[1] for p in train_raw[:2000]])
    train_tok = [(tokenize(s, src_kind), tokenize(t, tgt_kind)) for s, t in train_raw]
    src_vocab = Vocab([s for s, _ in train_tok], args.min_count)
    tgt_vocab = Vocab([t for _, t in train_tok], args.min_count)

    model_max_len = max(256, args.max_len + 1)
    limit = min(args.max_len, model_max_len - 1)

    def encode(raw, drop_long):
        out = []
        for s, t in raw:
            e = (src_vocab.encode(tokenize(s, src_kind)), tgt_vocab.encode(tokenize(t, tgt_kind)))
            if not e[0] or not e[1]:
                continue
            if len(e[0]) > limit or len(e[1]) > limit:
                if drop_long:
                    continue
                e = (e[0][:limit], e[1][:limit])
            out.append(e)
        return out

    train = encode(train_raw, True)
    valid = encode(valid_raw, False)
    print("data: train %d valid %d test %d pairs" % (len(train_raw), len(valid_raw), len(test_raw)))

    model = Seq2SeqTransformer(len(src_vocab), len(tgt_vocab), args.d_model, args.nhead, enc_layers,
                               dec_layers, args.d_ff, args.dropout, args.pre_ln, model_max_len)
    nparams = sum(p.numel() for p in model.parameters())
    print("model: d_model %d nhead %d layers %d/%d d_ff %d dropout %g %s, %.2fM parameters; "
          "source %s tokens (vocabulary %d), target %s tokens (vocabulary %d)"
          % (args.d_model, args.nhead, enc_layers, dec_layers, args.d_ff, args.dropout,
             "Pre-LN" if args.pre_ln else "Post-LN", nparams / 1e6, src_kind, len(src_vocab),
             tgt_kind, len(tgt_vocab)))
    print("training: %d pairs, max_tokens %d, warmup %d, lr_factor %g, label_smoothing %g, clip %g, "
          "seed %d, threads %d (PyTorch %s)" % (len(train), args.max_tokens, args.warmup, args.lr_factor,
                                                 args.label_smoothing, args.clip, args.seed, args.threads,
                                                 torch.__version__), flush=True)

    opt = torch.optim.Adam(model.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=args.label_smoothing)

    def noam(step):
        # "Attention Is All You Need" eq. 3
        return args.lr_factor * args.d_model ** -0.5 * min(step ** -0.5, step * args.warmup ** -1.5)

    step, epoch, batches, pos = 0, 0, [], 0
    t0 = time.monotonic()
    train_seconds, total_tokens = 0.0, 0
    win_loss = win_seconds = 0.0
    win_tokens = win_steps = 0
    last_log = time.monotonic()
    model.train()
    while True:
        if args.steps is not None and step >= args.steps:
            break
        if args.minutes is not None and time.monotonic() - t0 >= args.minutes * 60:
            break
        ts = time.monotonic()
        if pos >= len(batches):
            batches = make_batches(train, args.max_tokens, rng)
            pos = 0
            epoch += 1
        src, tin, tout = collate(train, batches[pos])
        pos += 1
        step += 1
        lr = noam(step)
        for g in opt.param_groups:
            g["lr"] = lr
        logits = model(src, tin)
        loss = loss_fn(logits.reshape(-1, logits.size(-1)), tout.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        ntok = int(tout.ne(PAD).sum())
        lv = loss.item()
        if not math.isfinite(lv):
            sys.exit("error: training diverged: loss is %g at step %d" % (lv, step))
        dt = time.monotonic() - ts
        train_seconds += dt
        total_tokens += ntok
        win_loss += lv
        win_seconds += dt
        win_tokens += ntok
        win_steps += 1
        if win_steps >= args.log_every or time.monotonic() - last_log >= 10:
            print("step %d epoch %.2f loss %.4f lr %.3e tokens/s %.0f elapsed %s"
                  % (step, epoch - 1 + pos / len(batches), win_loss / win_steps, lr,
                     win_tokens / win_seconds if win_seconds > 0 else 0, hms(time.monotonic() - t0)),
                  flush=True)
            win_loss = win_seconds = 0.0
            win_tokens = win_steps = 0
            last_log = time.monotonic()

    valid_loss = evaluate(model, valid, args.max_tokens) if valid else float("nan")
    print("valid: step %d loss %.4f ppl %.2f elapsed %s"
          % (step, valid_loss, math.exp(valid_loss), hms(time.monotonic() - t0)), flush=True)

    # Greedy decoding of the test split, in length-sorted chunks of 64 as the lab does.
    test = test_raw[: args.bleu_sentences] if args.bleu_sentences > 0 else test_raw
    model.eval()
    sources = [src_vocab.encode(tokenize(s, src_kind))[: model_max_len - 1] for s, _ in test]
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    hyp_ids = [None] * len(sources)
    for c in range(0, len(order), 64):
        chunk = order[c:c + 64]
        longest = max(len(sources[i]) for i in chunk)
        outs = greedy_decode(model, [sources[i] for i in chunk], min(model_max_len - 1, 2 * longest + 10))
        for i, o in zip(chunk, outs):
            hyp_ids[i] = o
    hyps = [[tgt_vocab.tokens[i] for i in ids] for ids in hyp_ids]
    refs = [[tokenize(t, tgt_kind)] for _, t in test]
    from nltk.translate.bleu_score import corpus_bleu
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NLTK warns when a precision is 0 (BLEU is then 0)
        bleu = 100.0 * corpus_bleu(refs, hyps) if test else 0.0

    tps = total_tokens / train_seconds if train_seconds > 0 else 0.0
    print("final: valid_loss %.3f valid_ppl %.2f test_bleu %.2f steps %d tokens/s %.0f"
          % (valid_loss, math.exp(valid_loss), bleu, step, tps))
    join = (lambda t: "".join(t)) if tgt_kind == "char" else detok_word
    for k in range(min(args.samples, len(test))):
        print("sample %d:\n  source:     %s\n  reference:  %s\n  hypothesis: %s"
              % (k + 1, test[k][0], test[k][1], join(hyps[k])))


if __name__ == "__main__":
    main()
