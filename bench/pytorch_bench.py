#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch peer of `attention-lab bench`: training throughput of torch.nn.Transformer.

Trains the same encoder-decoder as the lab (bench/pytorch_baseline.py's Seq2SeqTransformer:
embeddings * sqrt(d_model) + sinusoidal positions, torch.nn.Transformer with batch_first,
Post-LN, dropout 0.1, linear generator) on synthetic batches of the same shape the lab's
benchmark uses: B sequences whose source "x1 .. x{L-1} EOS" and target "BOS y1 .. y{L-1}" /
"y1 .. y{L-1} EOS" are all exactly L tokens, no padding. Each step is forward, label-smoothed
cross-entropy (0.1, padding ignored), backward, global-norm clipping (1.0) and Adam
(0.9, 0.98, 1e-9) with the Noam learning rate, as the lab's Trainer::train_step.

Prints one JSON line on stdout:

    {"train_tokens_per_s": 12345.6, "steps": 10, "threads": 1, "torch": "1.13.0", ...}

Run with Debian's python3-torch:

    /usr/bin/python3 bench/pytorch_bench.py --d-model 64 --nhead 4 --layers 2 --d-ff 256 \
        --vocab 1000 --length 16 --batch 32 --threads 1 --steps 20
"""

import argparse
import json
import os
import resource
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import library_threads  # noqa: E402  (before torch: pins OpenBLAS/OpenMP to --threads)

library_threads.pin_from_argv(default=1)

import torch  # noqa: E402
from torch import nn  # noqa: E402
from pytorch_baseline import BOS, EOS, PAD, Seq2SeqTransformer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--d-model", type=int, required=True)
    ap.add_argument("--nhead", type=int, required=True)
    ap.add_argument("--layers", type=int, required=True, help="encoder and decoder layers")
    ap.add_argument("--d-ff", type=int, required=True)
    ap.add_argument("--vocab", type=int, required=True, help="source and target vocabulary, specials included")
    ap.add_argument("--length", type=int, required=True, help="padded length L of source and target")
    ap.add_argument("--batch", type=int, required=True, help="sequences per batch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10, help="timed steps")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*nested tensors.*")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Seq2SeqTransformer(args.vocab, args.vocab, args.d_model, args.nhead, args.layers, args.layers,
                               args.d_ff, args.dropout, False, max(256, args.length + 1))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.0, betas=(0.9, 0.98), eps=1e-9)
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
    B, L, V = args.batch, args.length, args.vocab

    def batch():
        words = torch.randint(4, V, (B, L - 1))
        eos = torch.full((B, 1), EOS, dtype=torch.long)
        bos = torch.full((B, 1), BOS, dtype=torch.long)
        src = torch.cat([torch.randint(4, V, (B, L - 1)), eos], dim=1)
        return src, torch.cat([bos, words], dim=1), torch.cat([words, eos], dim=1)

    batches = [batch() for _ in range(4)]

    def step(k):
        src, tin, tout = batches[k % len(batches)]
        s = k + 1
        lr = args.d_model ** -0.5 * min(s ** -0.5, s * 1000 ** -1.5)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        logits = model(src, tin)
        loss = loss_fn(logits.reshape(-1, V), tout.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return float(loss)

    for k in range(args.warmup):
        step(k)
    t0 = time.perf_counter()
    loss = 0.0
    for k in range(args.warmup, args.warmup + args.steps):
        loss = step(k)
    seconds = time.perf_counter() - t0
    tokens = B * L * args.steps
    print(json.dumps({"train_tokens_per_s": tokens / seconds, "steps": args.steps, "seconds": seconds,
                      "threads": torch.get_num_threads(), "blas_threads": library_threads.openblas_threads(), "loss": loss, "torch": torch.__version__,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "parameters": sum(p.numel() for p in model.parameters())}), flush=True)


if __name__ == "__main__":
    main()
