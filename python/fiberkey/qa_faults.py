#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Faults on a re-keying link (docs/faults.md): frames lost, error bursts, loss of frame
and re-acquisition, INT blocks lost, re-keys while frames are lost, a node's key
post-processors restarted mid-batch. One flowgraph for all cases (the warm-up to the first
keys is paid once): two nodes whose negotiators run the rounds in lock step (they pace the
link, as in fiberkey-sim) while the key post-processors take their counts from the
round-level model (as in qa_rekey), and a line_fault_injector in each direction, seeded so
that every fault pattern is fixed; each case sets its faults on the running injectors for a window of frames. Each
case then checks that the link recovered: both decoders in frame, client bytes correct
again, decryption and INT clean, re-keying going on; that no seed key ever differed
between leader and follower; and that no transmitter re-used a (key, counter) pair: its
keys are all distinct and its key_schedule refused no frame (the per-frame check is the
core test faults.rekeys_through_lost_frames_never_reuse_keystream)."""
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
FRAME = fiberkey.frame_layout.frame_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"
FILL = {"AB": 0xA5, "BA": 0x5B}
DIRECTIONS = ("AB", "BA")


class payload_check(gr.sync_block):
    """Counts the client frames that arrive intact (every byte the sender's fill)."""

    def __init__(self, fill):
        gr.sync_block.__init__(self, "payload_check", [(np.uint8, PAYLOAD)], [])
        self.fill = fill
        self.frames = 0
        self.bad = 0
        self.last_bad = -1

    def work(self, input_items, output_items):
        x = input_items[0]
        bad = np.nonzero(~np.all(x == self.fill, axis=1))[0]
        if len(bad):
            self.bad += len(bad)
            self.last_bad = self.frames + int(bad[-1])
        self.frames += len(x)
        return len(x)


def seed_keys(store):
    """key_index -> key of every seed key a post-processor published."""
    out = []
    for i in range(store.num_messages()):
        msg = store.get_message(i)
        index = pmt.to_long(pmt.dict_ref(pmt.car(msg), pmt.intern("key_index"), pmt.PMT_NIL))
        out.append((index, bytes(pmt.u8vector_elements(pmt.cdr(msg)))))
    return out


class link:
    """Nodes A and B, a fault injector per direction, the checks."""

    def __init__(self, batch_rounds=1000):
        self.tb = gr.top_block()
        self.kw = dict(post_process=True, pp_mode="soft", bits_per_round=3,
                       batch_rounds=batch_rounds)
        # The post-processors take the model's rounds on the nodes' "pp_rounds" (below).
        # Integrity tags off: a restarted post-processor can leave the two ends with
        # different keys under one epoch for a while; with tags the receiver then drops
        # those frames, and this flowgraph's lock step (frames paced by frames received)
        # can starve (docs/faults.md, "Integrity tags and the lock step"). The cases here
        # are about recovery from the faults themselves; qa_sim and qa_zuc_crypt run the
        # tags.
        common = dict(psk_hex=PSK, negotiate=True, pipeline_frames=32,
                      rounds_source="external", integrity=False, **self.kw)
        a = self.a = fiberkey.node("A", "psk", seed=3, **common)
        b = self.b = fiberkey.node("B", "psk", seed=4, **common)
        self.inj = {"AB": fiberkey.line_fault_injector(seed=1),
                    "BA": fiberkey.line_fault_injector(seed=2)}
        self.tx = {"AB": a, "BA": b}
        self.rx = {"AB": b, "BA": a}
        self.payload, self.counters, self.status = {}, {}, {}
        for d in DIRECTIONS:
            src, dst = self.tx[d], self.rx[d]
            # No throttle: the negotiators' lock step paces the nodes.
            self.tb.connect(blocks.vector_source_b([FILL[d]] * PAYLOAD, True), (src, 0))
            self.tb.connect((src, 0), self.inj[d], (dst, 1))
            self.payload[d] = payload_check(FILL[d])
            self.tb.connect((dst, 1), blocks.stream_to_vector(gr.sizeof_char, PAYLOAD),
                            self.payload[d])
            # The transmitter's key switches (a per-frame Python tap would slow the tx
            # chain enough to delay the INT messages by thousands of frames).
            self.counters[d] = blocks.message_debug()
            self.tb.msg_connect(src.tx_crypt, "events", self.counters[d], "store")
            self.status[d] = blocks.message_debug()
            self.tb.msg_connect(dst.decoder, "status", self.status[d], "store")
        # Seed keys of each direction: its leader and its follower.
        self.pps = {"AB": (a.pp_own, b.pp_peer), "BA": (b.pp_own, a.pp_peer)}
        self.stores = {}
        for d, pair in self.pps.items():
            self.stores[d] = []
            for pp in pair:
                store = blocks.message_debug()
                self.tb.msg_connect(pp, "seed_keys", store, "store")
                self.stores[d].append(store)
        self.rounds = fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 77)
        self.tb.msg_connect(a.demux, "blocks", self.rounds, "tick")
        for node, port in ((a, "a"), (b, "b")):
            self.tb.msg_connect(self.rounds, port, node, "pp_rounds")

    def keys(self, d):
        return min(pp.keys() for pp in self.pps[d])

    def activations(self, d):
        """Frame counters at which the transmitter of direction d switched keys."""
        store, out = self.counters[d], []
        for i in range(store.num_messages()):
            m = store.get_message(i)
            if pmt.symbol_to_string(pmt.dict_ref(m, pmt.intern("event"), pmt.PMT_NIL)) \
                    == "key_activated":
                out.append(pmt.to_uint64(pmt.dict_ref(m, pmt.intern("frame_counter"),
                                                      pmt.PMT_NIL)))
        return out

    def lock_events(self, d, since=0):
        store = self.status[d]
        return [pmt.symbol_to_string(pmt.dict_ref(store.get_message(i), pmt.intern("lock"),
                                                  pmt.PMT_NIL))
                for i in range(since, store.num_messages())]

    def restart_post_processor(self, node, attr, direction, leader, crypt):
        """Replaces node.<attr> by a fresh key post-processor while the flowgraph runs
        (GNU Radio's lock/unlock): a node's post-processing restarted, its peer's not."""
        old = getattr(node, attr)
        new = fiberkey.key_post_processor(direction, leader, self.kw["pp_mode"],
                                          self.kw["bits_per_round"],
                                          self.kw["batch_rounds"], 0.5, -64, True)
        d = DIRECTIONS[direction]
        store = self.stores[d][0 if leader else 1]
        self.tb.lock()
        for src, sport, dst, dport in ((node.channel, "recv", old, "recv"),
                                       (old, "send", node.channel, "send"),
                                       (old, "session_key", crypt, "key")):
            node.msg_disconnect(src, sport, dst, dport)
            node.msg_connect(new if src is old else src, sport, new if dst is old else dst,
                             dport)
        # The rounds: GNU Radio 3.10 cannot msg_disconnect an edge from a hier block's own
        # message port ("Port does not exist"), so the old one keeps getting rounds on
        # "pp_rounds"; cut off from the channel and the crypt block, it is out of the link.
        node.msg_connect(node, "pp_rounds", new, "rounds")
        self.tb.msg_disconnect(old, "seed_keys", store, "store")
        self.tb.msg_connect(new, "seed_keys", store, "store")
        setattr(node, attr, new)
        self.pps[d] = tuple(new if pp is old else pp for pp in self.pps[d])
        self.tb.unlock()
        return old

    def wait(self, what, condition, timeout=90):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what} (frame {self.frames()}, "
                                     f"keys {[self.keys(d) for d in DIRECTIONS]})")
            time.sleep(0.05)

    def frames(self):
        return min(i.frames() for i in self.inj.values())

    def figures(self):
        """Counters for the per-case report: {direction: (name, value), ...}."""
        return {d: {"line frames dropped": self.inj[d].frames_dropped(),
                    "bursts": self.inj[d].bursts(),
                    "INT blocks corrupted": self.inj[d].int_corrupted(),
                    "outage frames": self.inj[d].outage_frames(),
                    "frames held by the counter/epoch check":
                        self.rx[d].decoder.unconfirmed_frames(),
                    "uncorrectable codewords": self.rx[d].decoder.uncorrectable_codewords(),
                    "frames dropped by zuc_crypt": self.rx[d].rx_crypt.frames_dropped(),
                    "INT blocks lost": self.rx[d].demux.int_uncorrectable(),
                    "fragments retransmitted": self.tx[d].channel.fragments_retransmitted(),
                    "garbled client frames": self.payload[d].bad,
                    "key switches": len(self.activations(d)),
                    "NEG blocks made up for lost frames":
                        self.rx[d].negotiator.frames_made_up(),
                    "frames paced by line periods": self.rx[d].mux.unpaced_frames()}
                for d in DIRECTIONS}

    def snapshot(self):
        """What must not grow on a recovered link."""
        return {d: (self.rx[d].rx_crypt.frames_dropped(), self.rx[d].demux.int_uncorrectable(),
                    self.rx[d].demux.int_rejected(), self.payload[d].bad)
                for d in DIRECTIONS}


class qa_faults(gr_unittest.TestCase):
    """The cases share one running link, so they run in their numbered order; each one
    sets its faults from the frame it starts at and leaves the injectors clean."""

    @classmethod
    def setUpClass(cls):
        cls.lk = link()
        cls.lk.tb.start()
        try:
            cls.lk.wait("the first keys",
                        lambda: all(cls.lk.keys(d) >= 1 for d in DIRECTIONS), 150)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.lk.tb.stop()
        cls.lk.tb.wait()

    def run_case(self, length, faults, during=None):
        """Calls faults(injector, direction, first_frame) for each direction, waits for
        the length frames of faults (calling during(first_frame, end) once they began),
        clears the faults, then checks that the link recovered: a fresh key in each
        direction, then 600 frames, then a stretch of 500 in which nothing may go
        wrong."""
        lk = self.lk
        figures = lk.figures()
        # Ahead of both injectors, so that each sees the whole window.
        start = max(i.frames() for i in lk.inj.values()) + 20
        for d in DIRECTIONS:
            faults(lk.inj[d], d, start)
        end = start + length
        if during:
            lk.wait("the faults", lambda: lk.frames() >= start)
            during(start, end)
        lk.wait("the end of the faults", lambda: lk.frames() >= end + 10)
        for inj in lk.inj.values():
            inj.set_drop_probability(0)
            inj.set_bursts(0, 0)
            inj.set_int_loss_probability(0)
            inj.set_outage(0, 0, "zeros")
        keys_after = {d: lk.keys(d) for d in DIRECTIONS}
        lk.wait("re-keying after the faults",
                lambda: all(lk.keys(d) > keys_after[d] for d in DIRECTIONS))
        rekeyed = lk.frames() - end
        settled = lk.frames() + 600
        lk.wait("frames after re-keying", lambda: lk.frames() >= settled)
        before = lk.snapshot()
        clean_from = lk.frames()
        lk.wait("a clean stretch", lambda: lk.frames() >= clean_from + 500)
        self.check_link(before, lk.snapshot())
        # The figures behind docs/faults.md.
        now = lk.figures()
        for d in DIRECTIONS:
            moved = ", ".join(f"{k} {now[d][k] - v}" for k, v in figures[d].items()
                              if now[d][k] != v)
            print(f"[ {self.id().split('.')[-1]} {d} ] {length} frames of faults; {moved}; "
                  f"fresh keys both ways {rekeyed} frames after the faults", flush=True)

    def check_link(self, before, after):
        lk = self.lk
        for d in DIRECTIONS:
            # The receiver is in frame and clean since the snapshot.
            self.assertTrue(lk.rx[d].decoder.in_frame(), d)
            self.assertEqual(before[d], after[d], f"{d}: drops, INT losses or garbled "
                             "client frames after recovery")
            check = lk.payload[d]
            self.assertGreater(check.frames - 1 - check.last_bad, 300,
                               f"{d}: client bytes intact after the faults")
            # No seed key ever differs between leader and follower.
            leader, follower = (seed_keys(s) for s in lk.stores[d])
            by_index = {}
            for i, k in follower:
                by_index.setdefault(i, set()).add(k)
            self.assertEqual(len({i for i, _ in leader}), len(leader), f"{d}: index reused")
            self.assertGreaterEqual(len(leader), 2)
            for i, k in leader:
                self.assertEqual(by_index.get(i), {k}, f"{d}: seed key {i} differs")
            self.assertEqual(len({k for _, k in leader}), len(leader))
            # No (key, counter) pair twice: every key is new (distinct seed keys), each
            # takes over at a later counter, and the transmitter's key_schedule refused
            # nothing (it drops any frame that would reuse a pair; faults.* checks that).
            c = np.array(lk.activations(d), dtype=np.int64)
            self.assertGreaterEqual(len(c), 2)
            self.assertTrue(np.all(np.diff(c) > 0), f"{d}: key switches out of order")
            self.assertEqual(lk.tx[d].tx_crypt.frames_dropped(), 0, d)

    def assert_lost_frames_cost_only_themselves(self, before):
        """With line FEC on, the receiver takes the counter after a gap at once (its
        overhead codewords decoded), so no other frame is garbled or dropped."""
        after = self.lk.snapshot()
        for d in DIRECTIONS:
            self.assertEqual(before[d], after[d], f"{d}: frames other than the lost ones "
                             "dropped, INT blocks lost or client frames garbled")

    def test_001_frames_lost(self):
        """2% of the frames vanish from the line in both directions for 1500 frames."""
        dropped = {d: self.lk.inj[d].frames_dropped() for d in DIRECTIONS}
        made_up = {d: self.lk.rx[d].negotiator.frames_made_up() for d in DIRECTIONS}
        before = self.lk.snapshot()

        def faults(inj, d, start):
            inj.set_active_window(start, 1500)
            inj.set_drop_probability(0.02)

        self.run_case(1500, faults)
        for d in DIRECTIONS:
            self.assertGreater(self.lk.inj[d].frames_dropped() - dropped[d], 10)
            # The receiver's negotiator made the lost frames up: the lock step goes on.
            self.assertGreater(self.lk.rx[d].negotiator.frames_made_up(), made_up[d])
        self.assert_lost_frames_cost_only_themselves(before)

    def test_002_error_bursts(self):
        """Bursts of 3000 random bits, one every other frame, for 1500 frames: FEC fails in
        places, NEG, INT and the clear overhead (counter, epoch) are hit."""
        bursts = {d: self.lk.inj[d].bursts() for d in DIRECTIONS}
        failed = {d: (self.lk.rx[d].decoder.uncorrectable_codewords(),
                      self.lk.rx[d].demux.int_uncorrectable()) for d in DIRECTIONS}

        def faults(inj, d, start):
            inj.set_active_window(start, 1500)
            inj.set_bursts(0.5, 3000)

        self.run_case(1500, faults)
        for d in DIRECTIONS:
            self.assertGreater(self.lk.inj[d].bursts() - bursts[d], 500)
            self.assertGreater(self.lk.rx[d].decoder.uncorrectable_codewords(), failed[d][0])
            self.assertGreater(self.lk.rx[d].demux.int_uncorrectable(), failed[d][1])

    def test_003_loss_of_frame(self):
        """300 frame periods without signal (zeros one way, noise the other): out of frame,
        loss of frame, then re-acquisition; meanwhile both muxes, with nothing coming in
        to keep their lock step, send a frame per line period received."""
        outage = {d: self.lk.inj[d].outage_frames() for d in DIRECTIONS}
        unpaced = {d: self.lk.rx[d].mux.unpaced_frames() for d in DIRECTIONS}
        events_before = {d: self.lk.status[d].num_messages() for d in DIRECTIONS}

        def faults(inj, d, start):
            inj.set_outage(start, 300, "zeros" if d == "AB" else "random")

        self.run_case(300, faults)
        for d in DIRECTIONS:
            self.assertEqual(self.lk.inj[d].outage_frames() - outage[d], 300)
            events = self.lk.lock_events(d, events_before[d])
            for e in ("out_of_frame", "loss_of_frame", "in_frame", "loss_of_frame_cleared"):
                self.assertIn(e, events, d)
            self.assertEqual(events[-1], "loss_of_frame_cleared", d)
            # Out of frame, the node's mux kept time by the line periods it received.
            self.assertGreater(self.lk.rx[d].mux.unpaced_frames() - unpaced[d], 200, d)

    def test_004_int_blocks_lost(self):
        """A third of the INT blocks corrupted beyond RS for 2000 frames: the INT channel
        retransmits, the post-processors carry on."""
        corrupted = {d: self.lk.inj[d].int_corrupted() for d in DIRECTIONS}
        lost = {d: self.lk.rx[d].demux.int_uncorrectable() for d in DIRECTIONS}
        resent = {d: self.lk.tx[d].channel.fragments_retransmitted() for d in DIRECTIONS}

        def faults(inj, d, start):
            inj.set_active_window(start, 2000)
            inj.set_int_loss_probability(0.33)

        self.run_case(2000, faults)
        for d in DIRECTIONS:
            n = self.lk.inj[d].int_corrupted() - corrupted[d]
            self.assertGreater(n, 500)
            self.assertGreaterEqual(self.lk.rx[d].demux.int_uncorrectable() - lost[d], n * 0.99)
        # Whether a given end had a fragment (or an ack it waited for) in a lost block
        # depends on the timing; over both ends, some were.
        self.assertGreater(sum(self.lk.tx[d].channel.fragments_retransmitted() - resent[d]
                               for d in DIRECTIONS), 0)

    def test_005_rekey_while_frames_lost(self):
        """5% of the frames lost both ways for 4000 frames while keys keep changing: keys
        are emitted and the transmitters switch keys during the losses (the INT channel's
        retransmission timer follows the round trip, so a lost fragment costs tens of
        frames, not a thousand)."""
        switched = {}
        before = self.lk.snapshot()

        def faults(inj, d, start):
            inj.set_active_window(start, 4000)
            inj.set_drop_probability(0.05)

        def during(start, end):
            lk = self.lk
            keys = {d: lk.keys(d) for d in DIRECTIONS}
            lk.wait("the end of the faults", lambda: lk.frames() >= end)
            for d in DIRECTIONS:
                # Line frame k carries counter k (the mux starts at 0); the faults began
                # at counter start or later (the counters of dropped frames are skipped).
                inside = [c for c in lk.activations(d) if c >= start]
                switched[d] = (len(inside), lk.keys(d) - keys[d])

        self.run_case(4000, faults, during)
        for d in DIRECTIONS:
            epoch_changes, keys = switched[d]
            self.assertGreaterEqual(epoch_changes, 2, f"{d}: re-keyed during the losses")
            self.assertGreaterEqual(keys, 2, d)
        self.assert_lost_frames_cost_only_themselves(before)

    def test_006_post_processors_restarted(self):
        """Node B's post-processors (follower of AB, leader of BA) replaced by fresh ones
        while batches are under way; node A keeps its state. No line faults."""
        lk = self.lk
        last = {d: max((i for i, _ in seed_keys(lk.stores[d][0])), default=-1)
                for d in DIRECTIONS}

        def faults(inj, d, start):
            pass

        def during(start, end):
            b = lk.b
            lk.restart_post_processor(b, "pp_peer", 0, False, b.rx_crypt)
            lk.restart_post_processor(b, "pp_own", 1, True, b.tx_crypt)

        self.run_case(500, faults, during)
        for d in DIRECTIONS:
            # Keys after the restart continue the numbering, and agree (check_link).
            after = [i for i, _ in seed_keys(lk.stores[d][0]) if i > last[d]]
            self.assertGreaterEqual(len(after), 1, d)


if __name__ == "__main__":
    gr_unittest.run(qa_faults)
