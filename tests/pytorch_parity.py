#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch oracle for tests/test_pytorch_parity.cpp.

Loads the lab's model.safetensors into torch.nn.Transformer (+ embeddings and generator) with
load_state_dict(strict=True), runs the same batch, and compares logits and every parameter
gradient of the label-smoothed cross-entropy with what the lab computed (out.safetensors).
Prints one line "max_logit_diff=<x> worst_grad_rel=<y> loss_diff=<z>"; exit code 0.
Usage: pytorch_parity.py DIR  (DIR holds params.safetensors, out.safetensors, case.json)
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn


def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(info["shape"])
    return out


def sinusoidal(length, d_model):
    pe = torch.zeros(length, d_model)
    pos = torch.arange(length).unsqueeze(1).float()
    div = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2).float() / d_model)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = nn.Transformer(c["d_model"], c["nhead"], c["num_encoder_layers"],
                                          c["num_decoder_layers"], c["dim_feedforward"], dropout=0.0,
                                          batch_first=True, norm_first=c["norm_first"],
                                          layer_norm_eps=c["layer_norm_eps"])
        self.src_tok_emb = nn.Embedding(c["src_vocab_size"], c["d_model"])
        self.tgt_tok_emb = nn.Embedding(c["tgt_vocab_size"], c["d_model"])
        self.generator = nn.Linear(c["d_model"], c["tgt_vocab_size"])


def main():
    d = sys.argv[1]
    case = json.load(open(d + "/case.json"))
    c = case["config"]
    torch.manual_seed(0)
    model = Seq2Seq(c).double()
    model.load_state_dict({k: v.double() for k, v in load_safetensors(d + "/params.safetensors").items()},
                          strict=True)
    B, S, T = case["B"], case["S"], case["T"]
    src = torch.tensor(case["src"]).reshape(B, S)
    tgt_in = torch.tensor(case["tgt_in"]).reshape(B, T)
    tgt_out = torch.tensor(case["tgt_out"]).reshape(B, T)
    scale = math.sqrt(c["d_model"])
    x = model.src_tok_emb(src) * scale + sinusoidal(S, c["d_model"]).double()
    y = model.tgt_tok_emb(tgt_in) * scale + sinusoidal(T, c["d_model"]).double()
    causal = torch.triu(torch.full((T, T), float("-inf"), dtype=torch.float64), diagonal=1)
    out = model.transformer(x, y, tgt_mask=causal, src_key_padding_mask=src == 0,
                            tgt_key_padding_mask=tgt_in == 0, memory_key_padding_mask=src == 0)
    logits = model.generator(out).reshape(B * T, -1)
    loss = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=case["label_smoothing"])(logits, tgt_out.reshape(-1))
    loss.backward()
    ref = load_safetensors(d + "/out.safetensors")
    rows = tgt_out.reshape(-1) != 0
    max_logit_diff = (logits[rows] - ref["logits"].double()[rows]).abs().max().item()
    worst = 0.0
    for name, p in model.named_parameters():
        g = ref["grad." + name].double()
        rel = ((p.grad - g).norm() / (p.grad.norm() + 1e-12)).item()
        if rel > worst:
            worst, worst_name = rel, name
    print(f"max_logit_diff={max_logit_diff:.3e} worst_grad_rel={worst:.3e} worst_param={worst_name} "
          f"loss_diff={abs(loss.item() - case['loss']):.3e}")


if __name__ == "__main__":
    main()
