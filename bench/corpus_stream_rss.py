#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peak memory of the corpus readers on 2 GiB files: the readers stream (engine/data/line_reader.h),
so a file of rejected or over-long lines is read in bounded memory whatever its size.

Usage: bench/corpus_stream_rss.py path/to/attention-lab [--gib 2] [--good-mib 64] [--only-good]

Each case runs `attention-lab train` on one file and reports the process's peak resident set size
(ru_maxrss) and the reader's summary line from stderr:
  sparse      a sparse file of --gib GiB of NUL bytes (no disk used): one line far over the limit
  latin1      --gib GiB of Latin-1 lines (invalid UTF-8), streamed through a FIFO (no disk used)
  nul         --gib GiB of TSV lines with a NUL byte in a field, through a FIFO
  long-lines  --gib GiB of 3 MiB lines (each over the 1 MiB limit), through a FIFO
  charlm      --gib GiB of Latin-1 text for `train --task charlm`, through a FIFO
  conllu      --gib GiB of CoNLL-U word lines with a NUL byte, `train --task pos`, through a FIFO
  good        --good-mib MiB of valid sentence pairs (a real corpus: memory grows with the data kept)
Every case but `good` ends with "no usable sentence pair" / "too little text" (exit 1): nothing is
kept, so the peak must stay near the program's own footprint. The program's baseline is the first
line (a 1 KB corpus).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

GIB = 1 << 30


def feed(fifo, block, total):
    """Writes `block` repeatedly into `fifo` until `total` bytes have been written."""
    with open(fifo, "wb") as f:
        written = 0
        while written < total:
            n = min(len(block), total - written)
            f.write(block[:n])
            written += n


def run(exe, args, fifo=None, block=None, total=0):
    """Runs exe with args; returns (seconds, peak RSS of that process in MiB, its last stderr
    lines, exit code)."""
    feeder = None
    if fifo:
        feeder = threading.Thread(target=feed, args=(fifo, block, total), daemon=True)
        feeder.start()
    with tempfile.TemporaryFile() as err:
        t0 = time.time()
        p = subprocess.Popen([exe] + args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.time() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if feeder:
        feeder.join(timeout=5)
    lines = [l for l in text.splitlines() if l.strip()]
    return seconds, usage.ru_maxrss / 1024.0, lines[-3:], p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exe")
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--good-mib", type=int, default=64)
    ap.add_argument("--only-good", action="store_true", help="run the valid corpus only")
    a = ap.parse_args()
    total = int(a.gib * GIB)
    train = ["train", "--steps", "1", "--d-model", "16", "--nhead", "2", "--layers", "1", "--d-ff", "32",
             "--threads", "1", "--min-count", "1"]
    task = ["train", "--steps", "1", "--threads", "1"]
    with tempfile.TemporaryDirectory() as d:
        small = os.path.join(d, "small.tsv")
        with open(small, "w") as f:
            for i in range(40):
                f.write(f"Hello {i}.\t你好 {i}。\n")
        rows = [("baseline (1 KB corpus)",) + run(a.exe, train + ["--data", small, "--out", os.path.join(d, "m")])]

        if not a.only_good:
            sparse = os.path.join(d, "sparse.tsv")
            with open(sparse, "wb") as f:
                f.truncate(total)
            rows.append(("sparse %.1f GiB, one line" % a.gib,) + run(a.exe, train + ["--data", sparse]))
            os.remove(sparse)

        cases = [
            ("latin1 %.1f GiB" % a.gib, "latin1.tsv", [], b"Caf\xe9 cr\xe8me br\xfbl\xe9e.\tx\n" * 4096),
            ("nul %.1f GiB" % a.gib, "nul.tsv", [], b"Hello\x00world.\t\xe4\xbd\xa0\xe5\xa5\xbd\n" * 4096),
            ("long-lines %.1f GiB" % a.gib, "long.tsv", [], b"a" * (3 << 20) + b"\tb\n"),
            ("charlm latin1 %.1f GiB" % a.gib, "text.txt", ["charlm"], b"To be, or not to be: ce\xe7i.\n" * 4096),
            ("conllu nul %.1f GiB" % a.gib, "t.conllu", ["pos"],
             b"1\tw\x00rd\tword\tNOUN\tNN\t_\t0\troot\t_\t_\n" * 4096),
        ]
        for name, file, extra, block in ([] if a.only_good else cases):
            fifo = os.path.join(d, file)
            os.mkfifo(fifo)
            args = (task + ["--task"] + extra if extra else train) + ["--data", fifo]
            rows.append((name,) + run(a.exe, args, fifo, block, total))
            os.remove(fifo)

        good = os.path.join(d, "good.tsv")
        with open(good, "w") as f:
            i, size = 0, 0
            while size < a.good_mib << 20:
                # Distinct sentences over a bounded vocabulary (997 * 1009 * 991 combinations).
                a_, b_, c_ = i % 997, i % 1009, i % 991
                line = f"Sentence {a_} about topic {b_} and item {c_}.\t关于主题{b_}和项目{c_}的句子{a_}。\n"
                f.write(line)
                size += len(line.encode())
                i += 1
        rows.append(("good %d MiB (%d pairs)" % (a.good_mib, i),) +
                    run(a.exe, train + ["--data", good, "--out", os.path.join(d, "g")]))

    print("| case | seconds | peak RSS (MiB) | exit | reader's summary |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, seconds, peak, lines, code in rows:
        summary = next((l for l in lines if " lines read, " in l or " line read, " in l), lines[-1] if lines else "")
        print("| %s | %.1f | %.0f | %d | %s |" % (name, seconds, peak, code, summary.replace("|", "\\|")))


if __name__ == "__main__":
    sys.exit(main())
