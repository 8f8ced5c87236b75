#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Attention Lab set-up, build, run and test.
#   ./lab.sh run [args...]   install what is missing, build Release into build/, start the GUI
#   ./lab.sh test            install what is missing, build, run every test (GUI tests offscreen)
#   ./lab.sh setup-checks    install what the sanitizer and fuzzing builds need (clang-16, ninja)
set -euo pipefail

cd "$(dirname "$0")"
BUILD_DIR=build

# Debian/Ubuntu packages: build and run, then what the tests need (Xvfb for GUI tests, PyTorch,
# NumPy and NLTK for the parity and BLEU reference scripts, networkx for the attention-flow oracle).
RUN_PACKAGES=(build-essential cmake qt6-base-dev libqcustomplot-dev libeigen3-dev nlohmann-json3-dev libgif-dev
              libgl-dev fonts-wqy-microhei qt6-svg-dev qt6-l10n-tools qt6-translations-l10n)
TEST_PACKAGES=(xvfb xauth python3-torch python3-numpy libopenblas0-pthread python3-nltk python3-networkx)
# The CMake presets asan, tsan and fuzz (.ci/run): Ninja, clang 16 with its sanitizer and libFuzzer
# runtimes and its OpenMP runtime (the asan build), the private QtCore headers for the tsan build
# (ui/workers/thread_sanitizer_handover.cpp), and ccache, which serves a second run's unchanged files.
CHECK_PACKAGES=(ninja-build clang-16 libclang-rt-16-dev libomp-16-dev qt6-base-private-dev ccache)

usage() {
    echo "usage: $0 run [attention-lab arguments...] | $0 test | $0 setup-checks" >&2
    exit 2
}

install_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "lab.sh: installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "lab.sh: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update
    # Recommends are kept: libqt6gui6 recommends the Qt platform plugins a desktop session may need.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

build() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    local launcher=()
    if command -v ccache >/dev/null; then
        # Paths relative to the clone, so a second clone (CI) reuses the compiled objects.
        export CCACHE_BASEDIR="$PWD"
        launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}"
    cmake --build "$BUILD_DIR" -j "$jobs"
}

if ! command -v dpkg-query >/dev/null; then
    echo "lab.sh: this script installs Debian packages (dpkg/apt-get); on other systems install" >&2
    echo "        Qt 6, QCustomPlot, Eigen 3, nlohmann-json and CMake, then run cmake yourself." >&2
    exit 1
fi

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    run)
        install_missing "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        build
        exec "$BUILD_DIR/app/attention-lab" "$@"
        ;;
    test)
        [ $# -eq 0 ] || usage
        install_missing "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        build
        # Two tests at a time on two cores: about 70 s here instead of about 2 minutes in a row.
        QT_QPA_PLATFORM=offscreen ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
        ;;
    setup-checks)
        [ $# -eq 0 ] || usage
        install_missing "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${CHECK_PACKAGES[@]}"
        ;;
    *)
        usage
        ;;
esac
