#!/usr/bin/env bash
# Installs what gr-fiberkey needs on Debian 12 (as root) and configures and builds it in
# build/. Idempotent: packages already present and an up-to-date build cost seconds.
# Used by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    build-essential cmake pkg-config git
    gnuradio gnuradio-dev libvolk2-dev pybind11-dev python3-pybind11
    libboost-dev libgmp-dev libspdlog-dev libfmt-dev
    libipsec-mb-dev libssl-dev openssl libgtest-dev libbenchmark-dev
    python3-numpy python3-matplotlib python3-yaml iproute2
    libfftw3-dev dieharder clang libclang-rt-14-dev nlohmann-json3-dev
    clang-format libsqlite3-dev libcpp-httplib-dev python3-jsonschema
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# FIBERKEY_BUILD_DIR, FIBERKEY_CMAKE_ARGS and FIBERKEY_BUILD_TARGETS (default: all)
# make the other builds (benchmarks, sanitizers, fuzzers).
build_dir=${FIBERKEY_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${FIBERKEY_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)" ${FIBERKEY_BUILD_TARGETS:+--target $FIBERKEY_BUILD_TARGETS}
