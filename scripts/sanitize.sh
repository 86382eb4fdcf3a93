#!/usr/bin/env bash
# Sanitizers: builds gr-fiberkey with AddressSanitizer and UBSan (gcc,
# -fno-sanitize-recover=all: any report fails its test) in build-asan/ and runs the test
# suite there, then builds the libFuzzer targets (clang) and runs each for
# FIBERKEY_FUZZ_SECONDS (default 10) with scripts/fuzz.sh. Idempotent, like setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
FIBERKEY_BUILD_DIR=build-asan FIBERKEY_CMAKE_ARGS="-DFIBERKEY_SANITIZE=ON" scripts/setup.sh

# The Python tests load the instrumented extension into Debian's uninstrumented
# python3: the ASan runtime must then come first, hence LD_PRELOAD (harmless for the
# instrumented test programs, which link the same runtime). Python and NumPy keep
# memory until exit, so leak reports would only be noise.
export LD_PRELOAD=$(gcc -print-file-name=libasan.so)
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$(nproc)" --timeout 900)
unset LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS

scripts/fuzz.sh "${FIBERKEY_FUZZ_SECONDS:-10}"
