#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Compares two output folders of record_runs.sh: every saved tensor file byte for byte, and the
# logs with wall-clock fields (elapsed, tokens/s, targets/s, durations), the folder names and the
# checkout's own path (before resources/ or shared/) removed.
#   tests/regression/compare_runs.sh BEFORE AFTER
set -uo pipefail
a=$1; b=$2; bad=0
# $2: the run folder, removed from paths so that two output folders compare.
strip() { sed -E "s#$2##g; s#[^ :]*/(resources|shared)/#\1/#g; s/(elapsed|tokens\/s|targets\/s|steps\/s) [0-9:.]+//g; s/ in [0-9]+:[0-9:]+//g; s/total time [0-9:]+//g" "$1"; }
for d in "$a"/*/; do
    name=$(basename "$d")
    for f in "$d"*.safetensors; do
        g=$b/$name/$(basename "$f")
        if cmp -s "$f" "$g"; then echo "same  $name/$(basename "$f")"; else echo "DIFF  $name/$(basename "$f")"; bad=1; fi
    done
    if diff -q <(strip "$a/$name.log" "$a") <(strip "$b/$name.log" "$b") >/dev/null; then echo "same  $name.log (timings removed)"
    else echo "DIFF  $name.log"; diff <(strip "$a/$name.log" "$a") <(strip "$b/$name.log" "$b") | head -5; bad=1; fi
done
exit $bad
