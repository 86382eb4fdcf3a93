#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Soak of the no-mismatch claim, outside CI (docs/faults.md gives a run's figures).

Many post-processing batches, leader and follower (the core's post_processor, as the
key_post_processor block runs it), in every mode, at disagreements between the two ends'
counts from none to beyond what the codes correct, with every message passing a faulty
channel: lost, duplicated, reordered (held back behind the next one) and corrupted beyond
any code (bits flipped, cut short, lengthened). Counts come from the round-level model; the
follower's are the leader's plus Gaussian noise of a set spread, which sets the
disagreement. Prints, per mode and noise: batches, keys agreed, keys MISMATCHED (must be
0), batches failed or abandoned, the measured disagreement, and what the channel did.

    PYTHONPATH=build/python /usr/bin/python3 scripts/soak_post_processing.py [--batches N]

Exit status 1 if any key differed between the ends. --seed fixes the channel's faults and
the follower's extra noise; the model's counts come from the CSPRNG, so runs differ in
their details, not in what they check.
"""
import argparse
import random
import sys
import time

import numpy as np
from gnuradio import fiberkey

MODES = ("patent", "equiprobable", "soft", "multilevel")
NOISE = (0.0, 1.0, 2.0, 4.0, 8.0)  # spread of the follower's extra noise, in counts


class faulty_channel:
    """One direction of the message channel, with every fault at once."""

    def __init__(self, rng, loss, duplicate, reorder, corrupt):
        self.rng = rng
        self.p = {"lost": loss, "duplicated": duplicate, "reordered": reorder,
                  "corrupted": corrupt}
        self.counts = dict.fromkeys(self.p, 0)
        self.held = None

    def mangle(self, msg):
        b = bytearray(msg)
        kind = self.rng.randrange(3)
        if kind == 0 or len(b) < 2:
            for _ in range(self.rng.randint(1, 8)):
                if b:
                    b[self.rng.randrange(len(b))] ^= 1 << self.rng.randrange(8)
        elif kind == 1:
            b = b[:self.rng.randrange(len(b))]
        else:
            b += bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(1, 64)))
        return bytes(b)

    def carry(self, messages):
        out = []
        for msg in messages:
            if self.rng.random() < self.p["lost"]:
                self.counts["lost"] += 1
                continue
            if self.rng.random() < self.p["corrupted"]:
                self.counts["corrupted"] += 1
                msg = self.mangle(msg)
            copies = [msg]
            if self.rng.random() < self.p["duplicated"]:
                self.counts["duplicated"] += 1
                copies.append(msg)
            for m in copies:
                if self.held is None and self.rng.random() < self.p["reordered"]:
                    self.counts["reordered"] += 1
                    self.held = m
                    continue
                out.append(m)
                if self.held is not None:
                    out.append(self.held)
                    self.held = None
        return out

    def release(self):
        """The message held back, if any: at the end, nothing comes to release it."""
        out = [] if self.held is None else [self.held]
        self.held = None
        return out


def soak_cell(args, mode, noise, batches, rng):
    settings = fiberkey.post_processing_settings(mode)
    settings.batch_rounds = args.n
    ends = [fiberkey.post_processor(fiberkey.make_post_processor_config(role, 0, settings))
            for role in (fiberkey.pp_role.leader, fiberkey.pp_role.follower)]
    channels = [faulty_channel(rng, args.loss, args.duplicate, args.reorder, args.corrupt)
                for _ in ends]
    model = fiberkey.round_model(fiberkey.round_model_config())
    gauss = np.random.default_rng(rng.getrandbits(62))
    rejected = 0
    seq = 0
    emitted = ([], [])  # (key index, stream position, key) in emission order, per end
    def exchange(faulty):
        nonlocal rejected
        for (src, dst), ch in zip(((0, 1), (1, 0)), channels):
            messages = ends[src].take_messages()
            for msg in ch.carry(messages) if faulty else ch.release() + messages:
                accepted, _ = ends[dst].handle_message(msg)
                rejected += not accepted

    def run_until(started, faulty):
        nonlocal seq
        while ends[0].stats().batches_started < started:
            f1, _, _ = model.generate(0, 4000)
            f2 = np.maximum(0, np.rint(f1 + gauss.normal(0.0, noise, len(f1)))).astype(int)
            for a, b in zip(f1, f2):
                seq = seq % 65535 + 1
                ends[0].add_round(seq, int(a))
                ends[1].add_round(seq, int(b))
                if seq % 50 == 0:
                    for _ in range(4):
                        exchange(faulty)
            for end, out in zip(ends, emitted):
                out += [(k.key_index, k.stream_position, bytes(k.key), k.disagreement)
                        for k in end.take_keys()]

    run_until(batches, True)
    # The cell's faults stop when the leader opens its last batch. What is still on the
    # way arrives, and the link goes on until the leader opens one batch more: its
    # BITMAP_REPLY repeats the follower's last acknowledgements, the only repeat of a
    # lost KEY_ACK. Without it, a key whose acknowledgement was lost or in flight at the
    # end would count as one-sided though the link delivers it (measured: 227 such keys
    # in a cell of 10 soft batches of 70,000 rounds, all at the leader one batch later).
    run_until(ends[0].stats().batches_started + 1, False)
    for _ in range(8):
        exchange(False)
    for end, out in zip(ends, emitted):
        out += [(k.key_index, k.stream_position, bytes(k.key), k.disagreement)
                for k in end.take_keys()]
    # A key is named by its index and its position in the committed stream; the same name
    # with other contents at the two ends is a mismatch. An index given to two different
    # keys at one end (one of them emitted there only) is counted apart: the node would
    # have installed the first as that epoch's session key.
    leader = {(i, pos): key for i, pos, key, _ in emitted[0]}
    follower = {(i, pos): key for i, pos, key, _ in emitted[1]}
    paired = [name for name in leader if name in follower]
    mismatched = sum(leader[name] != follower[name] for name in paired)
    reused = sum(len({pos for i, pos, _, _ in out if i == index}) - 1
                 for out in emitted for index in {i for i, _, _, _ in out})
    stats = [e.stats() for e in ends]
    kdr = [d for i, pos, _, d in emitted[1] if (i, pos) in leader]
    return {
        "mode": mode, "noise": noise, "batches": stats[0].batches_started,
        "keys": len(paired), "mismatched": mismatched, "index_reused": reused,
        "one_sided": len(leader) + len(follower) - 2 * len(paired),
        "failed": stats[0].batches_failed + stats[1].batches_failed,
        "abandoned": stats[0].batches_abandoned,
        "disagreement": float(np.mean(kdr)) if kdr else float("nan"),
        "rejected_messages": rejected,
        **{k: sum(ch.counts[k] for ch in channels) for k in channels[0].counts},
    }


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batches", type=int, default=10000, help="in all (default 10,000)")
    p.add_argument("--n", type=int, default=1000, help="rounds per batch")
    p.add_argument("--loss", type=float, default=0.02)
    p.add_argument("--duplicate", type=float, default=0.02)
    p.add_argument("--reorder", type=float, default=0.02)
    p.add_argument("--corrupt", type=float, default=0.02)
    p.add_argument("--seed", type=int, default=1, help="fixed randomness of the run")
    p.add_argument("--modes", nargs="+", default=list(MODES), metavar="MODE",
                   help="post-processing modes, each as the block takes it (e.g. "
                        "multilevel:5; default: " + " ".join(MODES) + ")")
    args = p.parse_args()
    for mode in args.modes:
        try:
            fiberkey.parse_pp_mode(mode, 0)
        except ValueError as e:
            p.error(f"--modes {mode}: {e}")
    cells = len(args.modes) * len(NOISE)
    if args.batches < cells or not 64 <= args.n <= 131072:
        p.error(f"--batches at least {cells}, --n in 64..131072")
    rng = random.Random(args.seed)
    per_cell = -(-args.batches // cells)
    print(f"soak: {per_cell} batches of {args.n} rounds per mode and noise; messages lost "
          f"{args.loss}, duplicated {args.duplicate}, reordered {args.reorder}, corrupted "
          f"{args.corrupt}; then one batch more without faults (counted in batches)",
          flush=True)
    print(f"{'mode':>13} {'noise':>5} {'disagree':>8} {'batches':>7} {'keys':>5} "
          f"{'MISMATCH':>8} {'1-sided':>7} {'idx-reuse':>9} {'failed':>6} {'abandon':>7} "
          f"{'rejected':>8} {'lost':>5} {'dup':>5} {'reord':>5} {'corrupt':>7} {'s':>5}",
          flush=True)
    total = dict.fromkeys(("batches", "keys", "mismatched", "one_sided", "index_reused",
                           "failed", "abandoned"), 0)
    for mode in args.modes:
        for noise in NOISE:
            t0 = time.monotonic()
            r = soak_cell(args, mode, noise, per_cell, rng)
            for k in total:
                total[k] += r[k]
            print(f"{mode:>13} {noise:>5g} {r['disagreement']:>8.4f} {r['batches']:>7} "
                  f"{r['keys']:>5} {r['mismatched']:>8} {r['one_sided']:>7} "
                  f"{r['index_reused']:>9} {r['failed']:>6} "
                  f"{r['abandoned']:>7} {r['rejected_messages']:>8} {r['lost']:>5} "
                  f"{r['duplicated']:>5} {r['reordered']:>5} {r['corrupted']:>7} "
                  f"{time.monotonic() - t0:>5.0f}", flush=True)
    print("total: " + ", ".join(f"{k} {v}" for k, v in total.items()))
    return 1 if total["mismatched"] else 0


if __name__ == "__main__":
    sys.exit(main())
