#!/usr/bin/env bash
# Sanitizers: builds gr-fiberkey with clang, AddressSanitizer and UBSan
# (-fno-sanitize-recover=all: any report fails its test) in build-asan/, runs the tests
# there, then runs each libFuzzer target of the same build for FIBERKEY_FUZZ_SECONDS
# (default 10) with scripts/fuzz.sh. Idempotent, like setup.sh.
#
# By default (CI, from scripts/test.sh) only the core (GoogleTest) and the command-line
# tool are built and tested: the blocks, the Python extension and their flowgraph tests
# would more than double the time (docs/fuzzing.md). --all builds and runs everything;
# the Python tests then load the ASan runtime with LD_PRELOAD.
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
[ "${1:-}" = --all ] && all=1
targets="fiberkey_core_test fiberkey-tool fuzzers"
[ $all = 1 ] && targets="all fuzzers"
FIBERKEY_BUILD_DIR=build-asan FIBERKEY_BUILD_TARGETS="$targets" \
    FIBERKEY_CMAKE_ARGS="-DFIBERKEY_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++" \
    scripts/setup.sh

export ASAN_OPTIONS=abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
python_tests='^(qa_.*|fiberkey_sweep|fiberkey_randomness|fiberkey_sim.*)$'
cd build-asan
if [ $all = 1 ]; then
    ctest --output-on-failure -j"$(nproc)" --timeout 900 -E "$python_tests"
    # Debian's python3 is not instrumented: the ASan runtime must come first. Python
    # keeps memory until exit, so leak reports would be noise.
    LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) \
        ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
        ctest --output-on-failure -j"$(nproc)" --timeout 900 -R "$python_tests"
else
    ctest --output-on-failure -j"$(nproc)" --timeout 900 -E "$python_tests|^fiberkey_sim"
fi
cd ..
scripts/fuzz.sh "${FIBERKEY_FUZZ_SECONDS:-10}"
