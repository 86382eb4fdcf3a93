#!/usr/bin/env bash
# The soak run (a benchmark, not a test): the whole two-node flowgraph with re-keying on,
# rounds from the round-level model at the frame rate, until 1,000 seed keys per direction
# (or the number given) have been agreed at both ends. Every key pair is checked, every
# client byte too; memory is recorded at the first keys, at half the keys and at the end.
# Results: build/soak/fiberkey-sim.json and .png. Takes 10-20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${FIBERKEY_BUILD_DIR:-build}
mkdir -p "$build_dir/soak"
exec "$build_dir/apps/fiberkey-sim" --keys "${1:-1000}" --channel direct --rounds model \
    --link-start psk --timeout 7200 --json "$build_dir/soak/fiberkey-sim.json" \
    --plot "$build_dir/soak/fiberkey-sim.png"
