#!/usr/bin/env bash
# The main job: installs and builds what is needed, then runs fiberkey-sim, the simulated
# A-B link, headless. Extra arguments go to fiberkey-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${FIBERKEY_BUILD_DIR:-build}
exec "$build_dir/apps/fiberkey-sim" "$@"
