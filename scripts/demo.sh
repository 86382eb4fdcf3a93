#!/usr/bin/env bash
# The main job: installs and builds what is needed, then runs fiberkey-sim, a complete
# simulated A-B link, headless: it prints the agreed seed keys and the figures, and writes
# them as JSON and as a picture into build/demo/. Arguments, if any, replace the defaults
# (fiberkey-sim --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${FIBERKEY_BUILD_DIR:-build}
if [ $# -eq 0 ]; then
    mkdir -p "$build_dir/demo"
    set -- --keys 10 --eve compromised --json "$build_dir/demo/fiberkey-sim.json" \
        --plot "$build_dir/demo/fiberkey-sim.png"
fi
exec "$build_dir/apps/fiberkey-sim" "$@"
