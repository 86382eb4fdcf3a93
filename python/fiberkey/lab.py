#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Helpers for flowgraphs that replay a lab's captures (examples/lab_keys_from_captures.grc)."""
import time


def wait_for_captures(sources, rounds, post_processors, seconds=0.0, linger=1.0):
    """Waits until every SigMF Source has read its whole capture, the Pattern Rounds
    block `rounds` formed no new round for `linger` seconds and every Key Post-Processor
    took them all, then `linger` seconds more for the post-processors' last exchange; or
    until `seconds` have passed (0: no limit). True when the run settled. The Pattern
    Rounds block does not end by itself (its documentation says why): a snippet calls
    this, then stops the flowgraph."""
    start = time.monotonic()
    deadline = start + seconds if seconds > 0 else float("inf")
    last, since = -1, start
    while True:
        now = time.monotonic()
        if now >= deadline:
            return False
        formed = rounds.rounds()
        if formed != last:
            last, since = formed, now
        reading = any(s.nitems_written(0) < s.total_samples() for s in sources)
        if (not reading and now - since >= linger
                and all(pp.rounds_in() >= formed for pp in post_processors)):
            break
        time.sleep(0.1)
    time.sleep(max(0.0, min(linger, deadline - time.monotonic())))
    return True
