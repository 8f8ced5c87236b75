#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Seeded 200-step training runs of every model kind at 1 and 2 threads, for checking that a
# refactoring leaves training bit-identical: run it with the binary before and after the change,
# then `tests/regression/compare_runs.sh BEFORE AFTER` compares the saved weights byte for byte
# and the logged losses line for line (timing fields removed).
#   tests/regression/record_runs.sh BUILD/app/attention-lab OUTDIR [STEPS]
set -euo pipefail
bin=$(realpath "$1"); out=$2; steps=${3:-200}
here=$(cd "$(dirname "$0")/../.." && pwd)
data=$here/../shared/data
mkdir -p "$out"
small=(--d-model 32 --nhead 2 --layers 2 --dropout 0.1 --seed 7)
run() { # name threads args...
    local name=$1 threads=$2; shift 2
    local dir=$out/$name-t$threads
    rm -rf "$dir"
    echo "== $name threads $threads"
    "$bin" train "$@" --threads "$threads" --steps "$steps" --out "$dir" >"$dir.log" 2>"$dir.err" \
        || { echo "FAILED: $name (see $dir.err)"; return 1; }
}
for t in 1 2; do
    run translate $t "${small[@]}" --d-ff 64 --max-tokens 800 --log-every 1 --valid-every 1000 --save-every 1000
    run translate-prelnbn $t "${small[@]}" --d-ff 64 --max-tokens 800 --pre-ln --norm batchnorm --activation gelu \
        --positional-encoding learned --log-every 1 --valid-every 1000 --save-every 1000
    run translate-synth $t "${small[@]}" --d-ff 64 --max-tokens 800 --attention dense+vanilla --scoring additive \
        --log-every 1 --valid-every 1000 --save-every 1000
    run nat $t "${small[@]}" --d-ff 64 --max-tokens 800 --decoder nat --log-every 1 --valid-every 1000 --save-every 1000
    run copy $t --task copy --seed 7 --log-every 1 --valid-every 1000 --save-every 1000
    run charlm $t --task charlm "${small[@]}" --dim-feedforward 64 --max-tokens 1024 --keep-best false --valid-every 1000 --valid-max 64
    run pos $t --task pos --data "$data/pos/UD_English-EWT" "${small[@]}" --dim-feedforward 64 --keep-best false --valid-every 1000
    run sentiment $t --task sentiment --data "$data/sentiment/rt-polarity" "${small[@]}" --dim-feedforward 64 --keep-best false --valid-every 1000
    run mlm $t --task mlm "${small[@]}" --dim-feedforward 64 --keep-best false --valid-every 1000
done
