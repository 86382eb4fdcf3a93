#!/usr/bin/env bash
# The long fuzzing run of docs/fuzzing.md: builds the targets and their seeds once
# (scripts/fuzz.sh), then runs every target (or the TARGETs given) for SECONDS each
# (default 3600), JOBS at a time (default 2: one per core of the 2-core test machine),
# in one scripts/fuzz.sh (FIBERKEY_FUZZ_JOBS=JOBS) with FIBERKEY_FUZZ_NO_BUILD=1 (no
# rebuild, no reseeding) and FIBERKEY_FUZZ_KEEP_GOING=1 (past findings, collected in
# build-asan/fuzz/artifacts/). Ends with a table per target, from
# libFuzzer's last status line: the seconds it ran, the inputs it ran, their average
# rate, cov and ft (in fork mode over the whole run), the corpus it kept, the crashes,
# timeouts and OOMs it counted; and the artifacts the run left.
# Exits non-zero when any run reported a problem.
#   scripts/fuzz_long.sh [SECONDS] [JOBS] [TARGET...]     e.g. scripts/fuzz_long.sh 3600 2
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
jobs=${2:-2}
shift 2 || shift $# || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(line_decoder int_block post_processor sigmf negotiator
                                      frame_codec sm2_messages key_files message_handlers
                                      neg_segment kme)
dir=build-asan/fuzz

FIBERKEY_FUZZ_BUILD_ONLY=1 scripts/fuzz.sh
export FIBERKEY_FUZZ_NO_BUILD=1 FIBERKEY_FUZZ_KEEP_GOING=1
mkdir -p "$dir/artifacts"
before=$(mktemp)
ls "$dir/artifacts" >"$before"

echo "$(date -u +%H:%M:%S) start: ${#targets[@]} targets, ${seconds} s each, $jobs at a time"
status=0
FIBERKEY_FUZZ_JOBS=$jobs scripts/fuzz.sh "$seconds" "${targets[@]}" || status=1
echo "$(date -u +%H:%M:%S) done"

echo
echo "| target | seconds | inputs run | exec/s | cov | ft | corpus | crash/timeout/oom | new artifacts |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---:|"
for t in "${targets[@]}"; do
    # libFuzzer's last status line; in fork mode:
    # #RUNS: cov: C ft: F corp: N exec/s E oom/timeout/crash: O/T/C time: Ss job: J ...
    last=$(grep -E "^#[0-9]+" "$dir/fuzz_$t.log" | tail -1 || true)
    field() { grep -oP "$1:? \K[0-9/]+" <<<"$last" | head -1 || true; }
    runs=$(grep -oP "^#\K[0-9]+" <<<"$last" || true)
    time=$(field "time")
    found=$(field "oom/timeout/crash")
    [ -n "$found" ] && found=$(awk -F/ '{print $3 "/" $2 "/" $1}' <<<"$found")
    new=$(ls "$dir/artifacts" | grep -F "$t-" | grep -cvxFf "$before" || true)
    rate=$([ -n "$runs" ] && [ -n "$time" ] && [ "$time" -gt 0 ] && echo $((runs / time)) || true)
    echo "| fuzz_$t | ${time:-$seconds} | $runs | $rate | $(field "cov") | $(field "ft") | $(field "corp") | ${found:-n/a} | $new |"
done
rm -f "$before"
exit $status
