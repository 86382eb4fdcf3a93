#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Both ends of one direction's key post-processing in one process, for counts a tool
already holds (fiberkey-sweep's from the round-level model, fiberkey-lab's from captures):
every message delivered at once, as over a perfect INT channel. And the figures that the
tools report of a direction's counts and keys, under fiberkey-sim's names."""
import numpy as np

from .fiberkey_python import (make_post_processor_config, mutual_information,
                              post_processor, pp_role)


class agreement:
    """What one direction's post-processing gave: the two ends, their seed keys."""

    def __init__(self, leader, follower, leader_keys, follower_keys):
        self.leader, self.follower = leader, follower
        self.leader_keys, self.follower_keys = leader_keys, follower_keys

    def paired(self):
        """(leader key, follower key) of every key index both ends emitted."""
        by_index = {k.key_index: k for k in self.follower_keys}
        return [(k, by_index[k.key_index]) for k in self.leader_keys
                if k.key_index in by_index]

    def mismatched(self):
        return sum(a.key != b.key for a, b in self.paired())


def agree(f1, f2, settings, direction=0, sequences=None, every=50):
    """Post-processes rounds with counts f1 (leader) and f2 (follower) under settings (a
    post_processing_settings); sequences are the rounds' leader send sequences (1..65535),
    by default 1, 2, ... Messages are exchanged every `every` rounds and at the end."""
    leader, follower = (
        post_processor(make_post_processor_config(role, direction, settings))
        for role in (pp_role.leader, pp_role.follower))

    def pump():
        for _ in range(8):
            moved = False
            for src, dst in ((leader, follower), (follower, leader)):
                for msg in src.take_messages():
                    dst.handle_message(msg)
                    moved = True
            if not moved:
                return

    for i in range(len(f1)):
        seq = sequences[i] if sequences is not None else i % 65535 + 1
        leader.add_round(int(seq), int(f1[i]))
        follower.add_round(int(seq), int(f2[i]))
        if i % every == every - 1:
            pump()
    pump()
    return agreement(leader, follower, leader.take_keys(), follower.take_keys())


def count_figures(f1, f2):
    """Means, correlation and I(F1;F2) (bits per round) of a direction's counts."""
    n = len(f1)
    f1 = np.asarray(f1, dtype=np.int64)
    f2 = np.asarray(f2, dtype=np.int64)
    return {
        "rounds": n,
        "mean_f1": float(np.mean(f1)) if n else None,
        "mean_f2": float(np.mean(f2)) if n else None,
        "correlation_f1_f2": float(np.corrcoef(f1, f2)[0, 1]) if n > 2 else None,
        "mutual_information_bits_per_round": (
            mutual_information(f1.tolist(), f2.tolist()) if n > 100 else float("nan")),
    }
