#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch oracle for the task models (tests/test_pytorch_task_parity.cpp).

Each DIR is a lab task model directory (config.json, model.safetensors, vocab.json) plus
case.json (a batch: B, T, ids, len, segments, aux, targets, label_smoothing, the lab's loss) and
out.safetensors (the lab's logits and "grad.<name>" of every parameter after one backward of the
cross-entropy). The script builds the equivalent torch module from config.json:
torch.nn.TransformerEncoder (named "encoder", final LayerNorm "encoder.norm") + nn.Embedding
"tok_emb" (+ "seg_emb" for mlm, "pos_emb" for learned positions) + nn.Linear "head", loads
model.safetensors with load_state_dict(strict=True), runs the batch as the lab does (causal mask
for charlm; mean pooling over non-padding positions or the first position for classifiers; the
head on the selected rows for mlm), and compares logits and every parameter gradient.
Prints per DIR one line
  "case=<dir name> max_logit_diff=<x> worst_grad_rel=<y> worst_param=<name> loss_diff=<z> params=<n>";
exit code 0. A config key without a torch equivalent (BatchNorm, other attention scores or
normalisations, a window, a synthesizer) exits with an error naming the key.
Usage: pytorch_task_parity.py DIR...
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

from pytorch_parity import load_safetensors, sinusoidal

# Keys whose non-default values torch.nn.TransformerEncoder cannot express.
TORCH_ONLY = {"norm": "layernorm", "attention_scoring": "scaled_dot", "attention_normalization": "softmax",
              "attention_window": 0, "attention": "vanilla", "decoder": "autoregressive"}


class TaskModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        for key, default in TORCH_ONLY.items():
            if c.get(key, default) != default:
                raise SystemExit(f"config.json: key '{key}' = {c[key]!r} has no torch.nn.TransformerEncoder equivalent")
        self.c = c
        C = c["d_model"]
        layers = c["num_decoder_layers"] if c["task"] == "charlm" else c["num_encoder_layers"]
        layer = nn.TransformerEncoderLayer(C, c["nhead"], c["dim_feedforward"], dropout=0.0,
                                           activation=c["activation"], layer_norm_eps=c["layer_norm_eps"],
                                           batch_first=True, norm_first=c["norm_first"])
        self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(C, eps=c["layer_norm_eps"]),
                                             enable_nested_tensor=False)
        self.tok_emb = nn.Embedding(c["vocab_size"], C)
        if c["task"] == "mlm":
            self.seg_emb = nn.Embedding(c["num_segments"], C)
        if c["positional_encoding"] == "learned":
            self.pos_emb = nn.Embedding(c["max_len"], C)
        vocab_head = c["task"] in ("charlm", "mlm")
        self.head = nn.Linear(C, c["vocab_size"] if vocab_head else len(c["labels"]))

    def forward(self, case):
        """Returns (logits, targets) as the lab's TaskActivations: rows of the head's input."""
        c = self.c
        B, T, C = case["B"], case["T"], c["d_model"]
        ids = torch.tensor(case["ids"]).reshape(B, T)
        lens = torch.tensor(case["len"])
        pad = torch.arange(T).unsqueeze(0) >= lens.unsqueeze(1)  # True = padding key
        scale = math.sqrt(C)
        # x = E_tok ids * sqrt(C) + PE [+ E_seg segments * sqrt(C)] [+ E_tok suffix ids * sqrt(C)]
        x = self.tok_emb(ids) * scale
        if c["positional_encoding"] == "sinusoidal":
            x = x + sinusoidal(T, C).double()
        elif c["positional_encoding"] == "learned":
            x = x + self.pos_emb.weight[:T]
        if c["task"] == "mlm":
            x = x + self.seg_emb(torch.tensor(case["segments"]).reshape(B, T)) * scale
        if c.get("suffix_len", 0) > 0:
            x = x + self.tok_emb(torch.tensor(case["aux"]).reshape(B, T)) * scale
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1) if c["task"] == "charlm" else None
        h = self.encoder(x, mask=causal, src_key_padding_mask=pad)
        targets = torch.tensor(case["targets"])
        if c["task"] in ("sentiment", "langid"):
            if c["pooling"] == "mean":
                pooled = (h * (~pad).unsqueeze(-1).double()).sum(1) / lens.clamp(min=1).unsqueeze(1).double()
            else:
                pooled = h[:, 0]
            return self.head(pooled), targets
        h = h.reshape(B * T, C)
        if c["task"] == "mlm":
            rows = targets != -1
            return self.head(h[rows]), targets[rows]
        return self.head(h), targets


def compare(d):
    c = json.load(open(os.path.join(d, "config.json")))
    case = json.load(open(os.path.join(d, "case.json")))
    torch.manual_seed(0)
    model = TaskModel(c).double()
    model.train()  # dropout is 0; training mode keeps torch off its inference fast path
    model.load_state_dict({k: v.double() for k, v in load_safetensors(os.path.join(d, "model.safetensors")).items()},
                          strict=True)
    logits, targets = model(case)
    loss = nn.CrossEntropyLoss(ignore_index=-1, label_smoothing=case["label_smoothing"])(logits, targets)
    loss.backward()
    ref = load_safetensors(os.path.join(d, "out.safetensors"))
    lab_logits = ref["logits"].double()
    assert lab_logits.shape == logits.shape, (lab_logits.shape, logits.shape)
    scored = targets != -1  # rows with a loss (padding rows of charlm/pos are not outputs)
    max_logit_diff = (logits[scored] - lab_logits[scored]).abs().max().item()
    worst, worst_name, n = 0.0, "", 0
    for name, p in model.named_parameters():
        g = ref["grad." + name].double()
        rel = ((p.grad - g).norm() / (p.grad.norm() + 1e-12)).item()
        n += 1
        if rel > worst:
            worst, worst_name = rel, name
    print(f"case={os.path.basename(os.path.normpath(d))} max_logit_diff={max_logit_diff:.3e} "
          f"worst_grad_rel={worst:.3e} worst_param={worst_name} loss_diff={abs(loss.item() - case['loss']):.3e} "
          f"params={n}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for d in sys.argv[1:]:
        compare(d)


if __name__ == "__main__":
    main()
