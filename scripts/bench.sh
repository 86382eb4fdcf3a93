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

# The whole link (issue 17): frames per second per direction and peak resident memory of
# fiberkey-sim, for the analog link with and without Eve and for the digital chain.
# FIBERKEY_LINK_SECONDS per run (default 30; 0 skips them).
link_seconds=${FIBERKEY_LINK_SECONDS:-30}
if [ "$link_seconds" != 0 ]; then
    echo "== whole link (fiberkey-sim, ${link_seconds} s per run)"
    for run in "--eve compromised" "" "--channel direct --rounds model --link-start psk"; do
        echo "fiberkey-sim --seconds $link_seconds --quiet $run"
        # shellcheck disable=SC2086  # $run is a list of options
        build-bench/apps/fiberkey-sim --seconds "$link_seconds" --quiet $run |
            grep -E "frames per direction|memory:"
    done
fi
