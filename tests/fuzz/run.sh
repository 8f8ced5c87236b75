#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one libFuzzer target for a number of seconds:  tests/fuzz/run.sh TARGET SECONDS [libFuzzer flags...]
#   TARGET   safetensors | config_json | model_dir | tsv_pairs | conllu | text | labelled | vocab | trace_json |
#            session | lesson
# Builds build-fuzz/ first (CMake preset "fuzz": clang++-16, libFuzzer + ASan + UBSan) when
# AL_FUZZ_NO_BUILD is unset. The seed corpus tests/fuzz/corpus/TARGET/ is read, never written:
# new inputs go to build-fuzz/corpus/TARGET/, crashes to build-fuzz/findings/TARGET/ (copy a
# reproducer to tests/fuzz/regressions/TARGET/ once fixed: test_fuzz_replay replays it).
# Exits non-zero when the target found a crash, a leak, a timeout (-timeout, default 10 s) or
# an allocation over -rss_limit_mb (default 2048) / -malloc_limit_mb.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [libFuzzer flags...]" >&2; exit 2; }
target=$1 seconds=$2
shift 2
[ -f "tests/fuzz/fuzz_$target.cpp" ] || { echo "$0: no target '$target' (tests/fuzz/fuzz_$target.cpp)" >&2; exit 2; }
if [ -z "${AL_FUZZ_NO_BUILD:-}" ]; then
    export CCACHE_BASEDIR="$PWD"
    [ -f build-fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
    cmake --build build-fuzz --target "fuzz_$target" >/dev/null
fi
work=build-fuzz/corpus/$target findings=build-fuzz/findings/$target
mkdir -p "$work" "$findings"
# Each run forks its own scratch directory under TMPDIR (fuzz_support.h); keep it private.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
seeds=tests/fuzz/corpus/$target
regressions=tests/fuzz/regressions/$target
dirs=("$work" "$seeds")
[ -d "$regressions" ] && dirs+=("$regressions")
TMPDIR=$scratch ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=1024 -max_len=262144 -print_final_stats=1 -artifact_prefix="$findings/" "$@" "${dirs[@]}"
