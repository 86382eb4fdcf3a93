#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Helpers for flowgraphs that replay a lab's captures (examples/lab_keys_from_captures.grc)."""
import time


def wait_for_captures(sources, rounds, pairs, key_logs=(), seconds=0.0, linger=1.0,
                      settle_limit=60.0):
    """Waits until the run has settled, or `seconds` have passed (0: no limit), or
    `settle_limit` seconds after the captures were read; True when it settled. Settled, for `linger` seconds on end: every SigMF Source has read its
    whole capture; the Pattern Rounds block `rounds` forms no new round; every Key
    Post-Processor of `pairs` (each direction's (leader, follower)) took every round, and
    the two of a pair hold as many seed keys (no exchange is half done); the Key Logs
    `key_logs` printed them all. The Pattern Rounds block does not end by itself (its
    documentation says why): a snippet calls this, then stops the flowgraph."""
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    post_processors = [pp for pair in pairs for pp in pair]
    last, since = None, None
    while time.monotonic() < deadline:
        formed = rounds.rounds()
        keys = [pp.keys() for pp in post_processors]
        state = (formed, tuple(keys), sum(log.keys for log in key_logs))
        read = all(s.nitems_written(0) >= s.total_samples() for s in sources)
        if read and deadline == float("inf"):
            deadline = time.monotonic() + settle_limit
        settled = (read
                   and all(pp.rounds_in() >= formed for pp in post_processors)
                   and all(leader.keys() == follower.keys() for leader, follower in pairs)
                   and (not key_logs or state[2] == sum(keys)))
        now = time.monotonic()
        if not settled or state != last:
            last, since = state, now
        elif now - since >= linger:
            return True
        time.sleep(0.1)
    return False
