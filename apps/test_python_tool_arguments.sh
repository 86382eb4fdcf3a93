#!/usr/bin/env bash
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Bad arguments to fiberkey-sweep and fiberkey-randomness: each refused at once, one line
# on stderr, exit status 2, no traceback (fiberkey-sim's own cases are in qa_sim).
# Usage: test_python_tool_arguments.sh FIBERKEY_SWEEP FIBERKEY_RANDOMNESS
sweep=$1
randomness=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_refused() { # tool args...
    local tool=$1 err rc lines
    shift
    err=$(timeout 60 "$tool" "$@" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$err" | grep -c .)
    if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || [[ $err != *": error: "* ]]; then
        echo "FAIL: $(basename "$tool") $* should exit 2 with one line (rc=$rc: $err)"
        fail=1
    fi
}

expect_refused "$sweep" --param n --values -5
expect_refused "$sweep" --param m --values 12.5
expect_refused "$sweep" --param noise-high --values 0.7
expect_refused "$sweep" --rounds 50
expect_refused "$sweep" --alpha nan
expect_refused "$sweep" --noise-low 0.3 --noise-high 0.1
expect_refused "$sweep" --mode bogus
expect_refused "$sweep" --csv /nonexistent/table.csv
expect_refused "$sweep" --plot "$tmp"

expect_refused "$randomness" --sequences 0
expect_refused "$randomness" --sequence-bits 10
expect_refused "$randomness" --seed -1
expect_refused "$randomness" --alpha 2
expect_refused "$randomness" --n 0
expect_refused "$randomness" --mode fancy
expect_refused "$randomness" --keys-in "$tmp/missing.bin"
expect_refused "$randomness" --keys-in "$tmp"
mkfifo "$tmp/fifo"
expect_refused "$randomness" --keys-in "$tmp/fifo"
expect_refused "$randomness" --keys-out /nonexistent/keys.bin

exit $fail
