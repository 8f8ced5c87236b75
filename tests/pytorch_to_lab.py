#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch -> lab: builds and briefly trains a torch.nn.Transformer translation model, writes it
as a lab model directory, plus a batch and torch's logits on it (for tests/test_pytorch_parity.cpp).

With seed 0, for Post-LN and Pre-LN (norm_first), it builds the model of tests/pytorch_parity.py
(d_model 32, nhead 4, 2 encoder + 2 decoder layers, dim_feedforward 64, dropout 0), trains it
`STEPS` Adam steps on a tiny synthetic copy batch (so no weight is at its initial value), and writes

  DIR/<post_ln|pre_ln>/model/        config.json, src_vocab.txt, tgt_vocab.txt, model.safetensors
  DIR/<post_ln|pre_ln>/case.json     the batch: B, S, T, src, tgt_in, tgt_out (row-major ids);
                                     "sentence" (a source sentence, word tokens) and "greedy"
                                     (torch's greedy translation of it, at most GREEDY_MAX tokens)
  DIR/<post_ln|pre_ln>/logits.safetensors  "logits" [B*T, V_tgt]: torch's eval-mode logits,
                                     computed in float64 from the saved float32 weights

The forward pass is the lab's (docs/format.md): embeddings * sqrt(d_model) + sinusoidal PE,
key padding masks with PAD = 0, causal decoder self-attention. The safetensors file is written
by hand (8-byte little-endian header length, JSON header, raw little-endian float32 data).
Prints one line per model: "<name> loss_first=<x> loss_last=<y>". Usage: pytorch_to_lab.py DIR
"""
import json
import math
import os
import struct
import sys
import warnings

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_parity import Seq2Seq, sinusoidal  # noqa: E402  (same module layout as the lab)

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
STEPS = 30
GREEDY_MAX = 20


def save_safetensors(path, tensors):
    """Writes {name: float tensor} as F32 safetensors (tensors in name order, no padding)."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        blob = struct.pack("<%df" % t.numel(), *t.reshape(-1).tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)  # the format pads the header with spaces to 8-byte alignment
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def lab_config(c):
    """config.json with the lab's keys (engine/io/config_json.cpp, docs/format.md)."""
    return {"format": "attention-lab-model", "format_version": 1,
            "src_vocab_size": c["src_vocab_size"], "tgt_vocab_size": c["tgt_vocab_size"],
            "d_model": c["d_model"], "nhead": c["nhead"],
            "num_encoder_layers": c["num_encoder_layers"], "num_decoder_layers": c["num_decoder_layers"],
            "dim_feedforward": c["dim_feedforward"], "dropout": 0.0, "activation": "relu",
            "norm_first": c["norm_first"], "norm": "layernorm", "layer_norm_eps": c["layer_norm_eps"],
            "positional_encoding": "sinusoidal", "attention_scoring": "scaled_dot",
            "attention_normalization": "softmax", "attention_window": 0, "max_len": c["max_len"],
            "attention": "vanilla", "synthesizer_k": 8, "src_tokens": "word", "tgt_tokens": "word"}


def synthetic_batch(gen, c, B=4, S=7):
    """Copy task: source "x1..xm <eos>" (m random), decoder input "<bos> x1..xm", output "x1..xm <eos>"."""
    T = S
    src = torch.zeros(B, S, dtype=torch.long)
    tgt_in = torch.zeros(B, T, dtype=torch.long)
    tgt_out = torch.zeros(B, T, dtype=torch.long)
    for b in range(B):
        m = S - 1 - b % 3  # lengths differ, so there is padding
        x = torch.randint(4, min(c["src_vocab_size"], c["tgt_vocab_size"]), (m,), generator=gen)
        src[b, :m], src[b, m] = x, EOS
        tgt_in[b, 0], tgt_in[b, 1:m + 1] = BOS, x
        tgt_out[b, :m], tgt_out[b, m] = x, EOS
    return src, tgt_in, tgt_out


def vocab_words(n):
    """Tokens of ids 4 .. n-1: lower-case words "aa", "ab", ... (unchanged by the Word tokenizer)."""
    return [chr(97 + i // 26) + chr(97 + i % 26) for i in range(n - 4)]


def greedy(model, c, sentence_ids):
    """Greedy decoding of "x1..xm <eos>": argmax until <eos> or GREEDY_MAX tokens (without <eos>)."""
    src = torch.tensor([sentence_ids + [EOS]])
    out = []
    while len(out) < GREEDY_MAX:
        nxt = int(forward(model, c, src, torch.tensor([[BOS] + out]))[-1].argmax())
        if nxt == EOS:
            break
        out.append(nxt)
    return out


def forward(model, c, src, tgt_in):
    """The lab's forward pass in torch: logits [B*T, V_tgt]."""
    S, T = src.shape[1], tgt_in.shape[1]
    dtype = model.generator.weight.dtype
    scale = math.sqrt(c["d_model"])
    x = model.src_tok_emb(src) * scale + sinusoidal(S, c["d_model"]).to(dtype)
    y = model.tgt_tok_emb(tgt_in) * scale + sinusoidal(T, c["d_model"]).to(dtype)
    causal = torch.triu(torch.full((T, T), float("-inf"), dtype=dtype), diagonal=1)
    out = model.transformer(x, y, tgt_mask=causal, src_key_padding_mask=src == PAD,
                            tgt_key_padding_mask=tgt_in == PAD, memory_key_padding_mask=src == PAD)
    return model.generator(out).reshape(-1, c["tgt_vocab_size"])


def build(out_dir, norm_first):
    c = {"src_vocab_size": 14, "tgt_vocab_size": 12, "d_model": 32, "nhead": 4, "num_encoder_layers": 2,
         "num_decoder_layers": 2, "dim_feedforward": 64, "norm_first": norm_first, "layer_norm_eps": 1e-5,
         "max_len": 32}
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = Seq2Seq(c)
    src, tgt_in, tgt_out = synthetic_batch(gen, c)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    model.train()
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(forward(model, c, src, tgt_in), tgt_out.reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.item())

    model_dir = os.path.join(out_dir, "model")
    os.makedirs(model_dir, exist_ok=True)
    save_safetensors(os.path.join(model_dir, "model.safetensors"), model.state_dict())
    for side, n in (("src", c["src_vocab_size"]), ("tgt", c["tgt_vocab_size"])):
        with open(os.path.join(model_dir, side + "_vocab.txt"), "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in SPECIALS + vocab_words(n)))
    with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(lab_config(c), f, indent=2)

    # Reference: eval mode, float64 from the float32 weights just saved.
    model = model.double().eval()
    with torch.no_grad():
        logits = forward(model, c, src, tgt_in)
        sentence_ids = src[1][(src[1] != PAD) & (src[1] != EOS)].tolist()
        greedy_ids = greedy(model, c, sentence_ids)
    words = vocab_words(c["tgt_vocab_size"])
    save_safetensors(os.path.join(out_dir, "logits.safetensors"), {"logits": logits})
    B, S = src.shape
    with open(os.path.join(out_dir, "case.json"), "w", encoding="utf-8") as f:
        json.dump({"B": B, "S": S, "T": tgt_in.shape[1], "src": src.reshape(-1).tolist(),
                   "tgt_in": tgt_in.reshape(-1).tolist(), "tgt_out": tgt_out.reshape(-1).tolist(),
                   "sentence": " ".join(vocab_words(c["src_vocab_size"])[i - 4] for i in sentence_ids),
                   "greedy": [words[i - 4] for i in greedy_ids]}, f)
    return losses


def main():
    torch.set_num_threads(1)
    # eval() runs torch's fast path, which announces its nested tensors on stderr.
    warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")
    for name, norm_first in (("post_ln", False), ("pre_ln", True)):
        losses = build(os.path.join(sys.argv[1], name), norm_first)
        print(f"{name} loss_first={losses[0]:.6f} loss_last={losses[-1]:.6f}")


if __name__ == "__main__":
    main()
