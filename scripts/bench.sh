#!/usr/bin/env bash
# Builds the benchmarks (Google Benchmark, off by default) in build-bench/ and runs them.
# Extra arguments go to every benchmark program, e.g. --benchmark_filter=zuc_crypt.
set -euo pipefail
cd "$(dirname "$0")/.."
FIBERKEY_BUILD_DIR=build-bench FIBERKEY_CMAKE_ARGS="-DFIBERKEY_BENCHMARKS=ON" scripts/setup.sh
for b in build-bench/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" "$@" 2>&1 | grep -v -e "buffer_double_mapped" -e ":info:"
done
