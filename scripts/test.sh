#!/usr/bin/env bash
# Builds gr-fiberkey and runs its whole test suite (GoogleTest for the core, gr_unittest
# for the blocks, the command-line tools), then builds it again with clang, ASan and UBSan
# and runs the whole suite once more under them, with a short run of every fuzz target
# (scripts/sanitize.sh). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build_dir=${FIBERKEY_BUILD_DIR:-build}
(cd "$build_dir" && ctest --output-on-failure -j"$(nproc)" --timeout 900)
scripts/sanitize.sh
