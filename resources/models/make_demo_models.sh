#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Trains every demo model of resources/models/ with the lab's own command line, stores its weights
# as float16 (attention-lab convert --dtype f16) and evaluates the stored model.
#
#   resources/models/make_demo_models.sh [BINARY] [ID...]
#
# BINARY defaults to build/app/attention-lab; IDs default to every model below. Each run is fixed
# by its seed, its step budget and --threads 2: the same binary on the same kind of machine
# reproduces the same loss curve. The float32 training directories (with optimizer state, for
# --resume) go to build/demo-models/<id>/, the float16 demo to resources/models/<id>/, and the
# evaluation of the float16 model to build/demo-models/<id>.eval.log. Training records the
# timeline (docs/timeline.md) unless the options say otherwise; convert stores it as float16 with
# the weights. docs/demo-models.md holds the figures of the models that are shipped.
set -euo pipefail

cd "$(dirname "$0")/../.."
BIN=${1:-build/app/attention-lab}
[ $# -gt 0 ] && shift
WORK=build/demo-models
OUT=resources/models
mkdir -p "$WORK"

# id -> training options (every option not named here is the subcommand's default).
declare -A TRAIN=(
    # Chinese -> English on the bundled Tatoeba corpus (split 90/5/5 with --split-seed 1).
    [zh-en]="--d-model 256 --nhead 4 --layers 3 --steps 1800 --seed 1"
    # The random+vanilla Synthesizer mixture (Tay et al. 2021) on the same data and steps, at half
    # the width (d_model 128), so that both translation models fit the 40 MB of resources/.
    [zh-en-synthesizer]="--d-model 128 --nhead 4 --layers 3 --steps 1800 --seed 1 --attention random+vanilla"
    # Reverse a sequence of 10 symbols (lengths 1 to 12).
    [reverse]="--task reverse --steps 2500 --seed 1"
    # Character language model on the bundled Tiny Shakespeare. No training timeline: its probes'
    # 64 x 64 maps of 4 layers x 4 heads took 15 MB even as float16.
    [charlm]="--task charlm --steps 1300 --seed 1 --timeline false"
    # UPOS taggers on the bundled Universal Dependencies samples (CC BY-SA 4.0).
    [pos-en]="--task pos --data resources/data/ud/en_ewt --steps 2000 --seed 1"
    [pos-zh]="--task pos --data resources/data/ud/zh_gsdsimp --steps 300 --seed 1"
)
# id -> evaluation options besides --model (the taggers' data is not found by default).
declare -A EVAL=(
    [pos-en]="--data resources/data/ud/en_ewt"
    [pos-zh]="--data resources/data/ud/zh_gsdsimp"
)
ORDER=(zh-en zh-en-synthesizer reverse charlm pos-en pos-zh)
[ $# -gt 0 ] && ORDER=("$@")

for id in "${ORDER[@]}"; do
    opts=${TRAIN[$id]:-}
    if [ -z "$opts" ]; then
        echo "make_demo_models.sh: unknown model '$id' (known: ${!TRAIN[*]})" >&2
        exit 2
    fi
    echo "== $id: attention-lab train $opts --threads 2"
    rm -rf "${WORK:?}/$id"
    # shellcheck disable=SC2086
    "$BIN" train $opts --threads 2 --out "$WORK/$id" | tee "$WORK/$id.train.log"
    rm -rf "${OUT:?}/$id"
    "$BIN" convert --model "$WORK/$id" --out "$OUT/$id" --dtype f16
    # shellcheck disable=SC2086
    "$BIN" eval --model "$OUT/$id" ${EVAL[$id]:-} | tee "$WORK/$id.eval.log"
done
du -sh "$OUT" resources
