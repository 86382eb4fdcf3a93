#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan in build-asan/ (the
# build of scripts/sanitize.sh) and runs each for SECONDS (default 10) on its corpus,
# build-asan/fuzz/corpus/TARGET, which starts from the generated seeds and keeps what the
# runs add, FIBERKEY_FUZZ_JOBS targets at a time (default: one per core). Without TARGET
# names, every target. Exits non-zero when a fuzzer reports a crash, a hang (-timeout) or
# a memory blow-up; the input is left in
# build-asan/fuzz/artifacts/. FIBERKEY_FUZZ_KEEP_GOING=1 goes on past findings (the long
# runs of docs/fuzzing.md) and collects them all there. FIBERKEY_FUZZ_NO_BUILD=1 skips
# the build and the seeds (both must exist): several invocations can then run side by
# side, each with its own targets (scripts/fuzz_long.sh); FIBERKEY_FUZZ_BUILD_ONLY=1
# builds and writes the seeds, and runs nothing.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 600 int_block
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(line_decoder int_block post_processor sigmf negotiator
                                      frame_codec sm2_messages key_files message_handlers
                                      neg_segment kme)
# Each once: two runs of one target would share its log and corpus.
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | awk '!seen[$0]++')

dir=build-asan/fuzz
if [ "${FIBERKEY_FUZZ_NO_BUILD:-0}" = 1 ]; then
    for t in "${targets[@]}"; do
        [ -x "$dir/fuzz_$t" ] && [ -d "$dir/seeds/$t" ] ||
            { echo "fuzz.sh: no fuzz_$t or seeds in $dir: run without FIBERKEY_FUZZ_NO_BUILD" >&2; exit 2; }
    done
else
    FIBERKEY_BUILD_DIR=build-asan FIBERKEY_BUILD_TARGETS=fuzzers \
        FIBERKEY_CMAKE_ARGS="-DFIBERKEY_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++" \
        scripts/setup.sh
    rm -rf "$dir/seeds"
    "$dir/fuzz_make_seeds" "$dir/seeds"
fi
[ "${FIBERKEY_FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
asan_runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
mkdir -p "$dir/artifacts"

options=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=1024
         -print_final_stats=1)
if [ "${FIBERKEY_FUZZ_KEEP_GOING:-0}" = 1 ]; then
    options+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# One target per core (FIBERKEY_FUZZ_JOBS, default nproc): each is a single process, so
# two side by side on the 2-core machine each get the SECONDS of their own.
jobs=${FIBERKEY_FUZZ_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] ||
    { echo "fuzz.sh: FIBERKEY_FUZZ_JOBS must be a positive integer, not '$jobs'" >&2; exit 2; }
fuzz_one() {
    local t=$1 log="$dir/fuzz_$1.log" dict=()
    mkdir -p "$dir/corpus/$t"
    [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
    # The sanitized build links clang's shared ASan runtime (CMakeLists.txt), which must
    # come first in a libFuzzer program's library list.
    if LD_PRELOAD="$asan_runtime" "$dir/fuzz_$t" "${options[@]}" "${dict[@]}" \
        -artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" "$dir/seeds/$t" >"$log" 2>&1; then
        grep -E "^#[0-9]+" "$log" | tail -1 || true
    else
        echo "fuzz_$t found a problem:"
        grep -E -A30 "^==[0-9]+==ERROR|fuzz check failed|runtime error|deadly signal|Test unit written" "$log" | head -60
        return 1
    fi
}
for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    rm -f "$dir/fuzz_$t.failed"
    (fuzz_one "$t" >"$dir/fuzz_$t.summary" || touch "$dir/fuzz_$t.failed") &
done
wait
# Reported in the targets' order, whatever order they finished in.
status=0
for t in "${targets[@]}"; do
    echo "== fuzz_$t, ${seconds} s"
    cat "$dir/fuzz_$t.summary"
    [ -e "$dir/fuzz_$t.failed" ] && status=1
    rm -f "$dir/fuzz_$t.summary" "$dir/fuzz_$t.failed"
done
exit $status
