#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the seed corpora tests/fuzz/corpus/<target>/ from the test fixtures and the bundled
# data (small, real files): tests/fuzz/make_seeds.sh [path of attention-lab, for the trace seeds]
# UD and polarity snippets come from the shared data folder when it is there
# (AL_SHARED_DATA, default ../shared/data beside the clone).
set -euo pipefail
cd "$(dirname "$0")/../.."
exe=${1:-build/app/attention-lab}
shared=${AL_SHARED_DATA:-../shared/data}
fx=tests/fixtures/models
out=tests/fuzz/corpus
sep=$'\n\x1e\n'
rm -rf "$out"
mkdir -p "$out"/{safetensors,config_json,model_dir,tsv_pairs,conllu,text,labelled,vocab,trace_json,session,lesson,timeline}

# safetensors: two fixture models, and small files written by the Python reference format code.
cp $fx/copy/model.safetensors "$out/safetensors/copy.safetensors"
cp $fx/charlm/model.safetensors "$out/safetensors/charlm.safetensors"
python3 - "$out/safetensors" <<'PY'
import json, struct, sys
def write(path, tensors, meta=None):
    header, data = {}, b""
    for name, (shape, values) in sorted(tensors.items()):
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if meta:
        header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)
write(sys.argv[1] + "/small.safetensors", {"a.weight": ([2, 3], [1, 2, 3, 4, 5, 6]), "a.bias": ([3], [0.5, -1, 2])},
      {"step": "12"})
write(sys.argv[1] + "/empty_tensor.safetensors", {"e": ([0, 4], []), "s": ([], [3.0])})
write(sys.argv[1] + "/no_tensors.safetensors", {})
PY

# config_json: every fixture model kind.
for m in $fx/*/; do
    cp "$m/config.json" "$out/config_json/$(basename "$m").json"
done

# model_dir: pieces config.json, model.safetensors, src_vocab.txt, tgt_vocab.txt, vocab.json.
{ cat $fx/copy/config.json; printf '%s' "$sep"; cat $fx/copy/model.safetensors; printf '%s' "$sep"
  cat $fx/copy/src_vocab.txt; printf '%s' "$sep"; cat $fx/copy/tgt_vocab.txt; } > "$out/model_dir/copy"
{ cat $fx/charlm/config.json; printf '%s' "$sep"; cat $fx/charlm/model.safetensors; printf '%s%s%s' "$sep" "$sep" "$sep"
  cat $fx/charlm/vocab.json; } > "$out/model_dir/charlm"

# Corpora.
head -n 40 resources/data/cmn-eng/cmn.txt > "$out/tsv_pairs/cmn"
head -n 20 resources/data/fra-eng/fra-sample.txt > "$out/tsv_pairs/fra"
printf '\xef\xbb\xbfHi.\t\xe5\x97\xa8\xe3\x80\x82\r\nRun!\t\xe4\xbd\xa0\xe7\x94\xa8\xe8\xb7\x91\xe7\x9a\x84\xe3\x80\x82\t\x43C-BY\r\n\nonly one column\n' > "$out/tsv_pairs/bom_crlf"
head -c 3000 resources/data/tinyshakespeare/input.txt > "$out/text/shakespeare"
printf 'h\xc3\xa9llo w\xc3\xb6rld, \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80 %.0s' $(seq 8) > "$out/text/mixed_scripts"
ud=$(ls "$shared"/pos/UD_English-EWT/*-ud-dev.conllu 2>/dev/null | head -n 1 || true)
if [ -n "$ud" ]; then
    head -n 60 "$ud" > "$out/conllu/en_ewt"
fi
cat > "$out/conllu/handmade" <<'CONLLU'
# sent_id = 1
# text = I can't go.
1	I	I	PRON	PRP	Case=Nom	3	nsubj	_	_
2-3	can't	_	_	_	_	_	_	_	_
2	ca	can	AUX	MD	_	3	aux	_	_
3	n't	not	PART	RB	_	4	advmod	_	_
4	go	go	VERB	VB	_	0	root	_	SpaceAfter=No
4.1	went	go	VERB	VBD	_	_	_	0:root	_
5	.	.	PUNCT	.	_	4	punct	_	_

1	Yes	yes	INTJ	UH	_	0	root	_	_
CONLLU
pol=$shared/sentiment/rt-polarity
if [ -f "$pol/rt-polarity.pos" ]; then
    { head -n 8 "$pol/rt-polarity.pos"; printf '%s' "$sep"; head -n 8 "$pol/rt-polarity.neg"; printf '%s' "$sep"
      head -n 8 resources/data/fra-eng/fra-sample.txt; } > "$out/labelled/rt_fra"
fi
{ printf 'a fine film\nwarm and funny\n'; printf '%s' "$sep"; printf 'dull\n\nflat , tired\n'; printf '%s' "$sep"
  printf 'We won.\tNous l\x27emport\xc3\xa2mes.\nCome on.\tAllez !\n'; } > "$out/labelled/handmade"

# Vocabularies: a line file, then a JSON array.
{ cat $fx/copy/src_vocab.txt; printf '%s' "$sep"; cat $fx/charlm/vocab.json; } > "$out/vocab/copy_charlm"
{ head -n 30 $fx/translate/tgt_vocab.txt; printf '%s' "$sep"; head -c 400 $fx/sentiment/vocab.json | sed 's/,[^,]*$/]/'; } > "$out/vocab/translate_sentiment"

# Trace JSON: what `translate --attention` writes, greedy and beam.
if [ -x "$exe" ]; then
    "$exe" translate --model $fx/copy --attention "$out/trace_json/copy_greedy.json" "1" >/dev/null
    "$exe" translate --model $fx/copy --beam 2 --attention "$out/trace_json/copy_beam.json" "3" >/dev/null
    "$exe" translate --model $fx/nat --attention "$out/trace_json/nat.json" "我" >/dev/null
else
    echo "$0: no $exe; the trace_json seeds are not written" >&2
fi
# Session files: the example of docs/session-format.md, and a small one naming a model directory.
sed -n '/^```json$/,/^```$/p' docs/session-format.md | sed '1d;$d' > "$out/session/full"
printf '{"format": "attention-lab-session", "version": 1, "model": "../models/copy",\n "view": {"tab": "overview", "sentence": "1 2 3"}}\n' > "$out/session/small"
# Lesson files: the bundled lessons.
for f in resources/lessons/*.json; do
    cp "$f" "$out/lesson/$(basename "$f" .json)"
done

du -sh "$out"/*

# timeline: pieces timeline.json, timeline.safetensors of a tiny reverse model trained for 3 steps
# (one probe typed, one from the validation split with its alignment), and the JSON alone.
tl=$(mktemp -d)
"$exe" train --task reverse --task-vocab 6 --min-len 3 --max-len 5 --task-pairs 200 --d-model 8 --nhead 2 --layers 1 \
  --d-ff 8 --steps 3 --threads 1 --samples 0 --out "$tl/m" > /dev/null
{ cat "$tl/m/timeline.json"; printf '%s' "$sep"; cat "$tl/m/timeline.safetensors"; } > "$out/timeline/reverse"
cp "$tl/m/timeline.json" "$out/timeline/json_only"
rm -rf "$tl"
