#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the bundled Universal Dependencies samples from the treebanks in ../shared/data/pos.

Usage: make_samples.py SHARED_POS_DIR OUT_DIR

Each sample keeps whole sentences in file order: every k-th sentence of a split (UD English
EWT is ordered by genre, so a stride keeps all five genres), with "# sent_id"
comments and the columns ID, FORM, UPOS, HEAD and DEPREL; LEMMA, XPOS, FEATS, DEPS and MISC
become "_" (the taggers read FORM and UPOS only) to keep the bundle small. The files stay valid
CoNLL-U (10 tab-separated columns). UD_Chinese-GSDSimp is stored here with its dev and test
splits only, so its sample trains on the first 450 dev sentences, validates on the last 50 and
tests on the first 500 test sentences.
"""
import os
import sys


def sentences(path):
    """The sentences of a CoNLL-U file as lists of lines (comments included)."""
    out, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip() == "":
                if cur:
                    out.append(cur)
                cur = []
            else:
                cur.append(line)
    if cur:
        out.append(cur)
    return out


def reduce(sentence):
    kept = []
    for line in sentence:
        if line.startswith("#"):
            if line.startswith("# sent_id"):
                kept.append(line)
            continue
        f = line.split("\t")
        if len(f) != 10:
            raise SystemExit(f"unexpected line with {len(f)} fields: {line!r}")
        kept.append("\t".join([f[0], f[1], "_", f[3], "_", "_", f[6], f[7], "_", "_"]))
    return kept


def write(path, sents):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for s in sents:
            f.write("\n".join(reduce(s)) + "\n\n")
    os.replace(tmp, path)
    print(f"{path}: {len(sents)} sentences, {os.path.getsize(path)} bytes")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    en = os.path.join(src, "UD_English-EWT")
    zh = os.path.join(src, "UD_Chinese-GSDSimp")
    en_out = os.path.join(out, "en_ewt")
    zh_out = os.path.join(out, "zh_gsdsimp")
    os.makedirs(en_out, exist_ok=True)
    os.makedirs(zh_out, exist_ok=True)
    write(os.path.join(en_out, "en_ewt-ud-train.conllu"), sentences(os.path.join(en, "en_ewt-ud-train.conllu"))[::8][:1500])
    write(os.path.join(en_out, "en_ewt-ud-dev.conllu"), sentences(os.path.join(en, "en_ewt-ud-dev.conllu"))[::10][:200])
    write(os.path.join(en_out, "en_ewt-ud-test.conllu"), sentences(os.path.join(en, "en_ewt-ud-test.conllu"))[::5][:400])
    dev = sentences(os.path.join(zh, "zh_gsdsimp-ud-dev.conllu"))
    write(os.path.join(zh_out, "zh_gsdsimp-ud-train.conllu"), dev[:450])
    write(os.path.join(zh_out, "zh_gsdsimp-ud-dev.conllu"), dev[450:])
    write(os.path.join(zh_out, "zh_gsdsimp-ud-test.conllu"), sentences(os.path.join(zh, "zh_gsdsimp-ud-test.conllu"))[:500])


if __name__ == "__main__":
    main()
