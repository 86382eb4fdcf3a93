#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Faults on a re-keying link (docs/faults.md): frames lost, error bursts, loss of frame
and re-acquisition, INT blocks lost, a key post-processor restarted mid-batch, re-keys
while frames are lost. Two nodes with key post-processors fed by the round-level model (as
in qa_rekey) and a line_fault_injector in each direction, seeded so that every fault
pattern is fixed. Each case checks that the link recovers: both decoders in frame, client
bytes correct again, decryption and INT clean after the fault, re-keying going on; that
no seed key ever differs between leader and follower; and that no transmitter ever
re-uses a (key, counter) pair: its keys are all distinct and its key_schedule refused
no frame (the per-frame check is the core test faults.rekeys_through_lost_frames_never_
reuse_keystream)."""
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
FRAME = fiberkey.frame_layout.frame_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"
RATE = 1000          # frames per second per direction (throttled client bytes)
FAULTS_FROM = 25000  # frame period where the faults start: keys flow by then
FILL = {"AB": 0xA5, "BA": 0x5B}


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

    def __init__(self, ab, ba, batch_rounds=1000):
        self.tb = gr.top_block()
        kw = dict(post_process=True, pp_mode="equiprobable", bits_per_round=2,
                  batch_rounds=batch_rounds)
        self.kw = kw
        a = self.a = fiberkey.node("A", "psk", psk_hex=PSK, **kw)
        b = self.b = fiberkey.node("B", "psk", psk_hex=PSK, **kw)
        self.inj = {"AB": fiberkey.line_fault_injector(**ab),
                    "BA": fiberkey.line_fault_injector(**ba)}
        self.tx = {"AB": a, "BA": b}
        self.rx = {"AB": b, "BA": a}
        self.payload, self.counters, self.status = {}, {}, {}
        for d in ("AB", "BA"):
            src, dst = self.tx[d], self.rx[d]
            self.tb.connect(blocks.vector_source_b([FILL[d]] * PAYLOAD, True),
                            blocks.throttle(gr.sizeof_char, PAYLOAD * RATE), (src, 0))
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
        self.round_ports = {a.pp_own: "a", a.pp_peer: "a", b.pp_own: "b", b.pp_peer: "b"}
        for pp, port in self.round_ports.items():
            self.tb.msg_connect(self.rounds, port, pp, "rounds")

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

    def restart_post_processor(self, node, attr, direction, leader, crypt):
        """Replaces node.<attr> by a fresh key post-processor while the flowgraph runs
        (GNU Radio's lock/unlock): a node's post-processing restarted, its peer's not."""
        old = getattr(node, attr)
        new = fiberkey.key_post_processor(direction, leader, "equiprobable", 2,
                                          self.kw["batch_rounds"], 0.5, -64, True)
        store = self.stores["AB" if direction == 0 else "BA"][0 if leader else 1]
        self.tb.lock()
        for n, (src, sport, dst, dport) in enumerate((
                (node.channel, "recv", old, "recv"), (old, "send", node.channel, "send"),
                (old, "session_key", crypt, "key"))):
            node.msg_disconnect(src, sport, dst, dport)
            node.msg_connect(new if src is old else src, sport, new if dst is old else dst,
                             dport)
        port = self.round_ports.pop(old)
        self.round_ports[new] = port
        self.tb.msg_disconnect(self.rounds, port, old, "rounds")
        self.tb.msg_connect(self.rounds, port, new, "rounds")
        self.tb.msg_disconnect(old, "seed_keys", store, "store")
        self.tb.msg_connect(new, "seed_keys", store, "store")
        setattr(node, attr, new)
        d = "AB" if direction == 0 else "BA"
        self.pps[d] = tuple(new if pp is old else pp for pp in self.pps[d])
        self.tb.unlock()
        return old

    def wait(self, what, condition, timeout=60):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def frames(self):
        return min(i.frames() for i in self.inj.values())

    def snapshot(self):
        """What must not grow on a recovered link."""
        return {d: (self.rx[d].rx_crypt.frames_dropped(), self.rx[d].demux.int_uncorrectable(),
                    self.rx[d].demux.int_rejected(), self.payload[d].bad)
                for d in ("AB", "BA")}


class qa_faults(gr_unittest.TestCase):
    def run_case(self, ab, ba, fault_end, during=None):
        """Runs the link through faults from frame period FAULTS_FROM to fault_end (the
        first keys come at about frame 16,000), then checks that it recovered.
        during(link) runs once the faults began."""
        lk = link(ab, ba)
        lk.tb.start()
        try:
            lk.wait("the faults", lambda: lk.frames() >= FAULTS_FROM, 150)
            keys_before = {d: lk.keys(d) for d in lk.pps}
            if during:
                during(lk)
            lk.wait("the end of the faults", lambda: lk.frames() >= fault_end)
            # Recovered: a fresh key in each direction after the faults, then 500 frames in
            # which nothing may go wrong.
            keys_after = {d: lk.keys(d) for d in lk.pps}
            lk.wait("re-keying after the faults",
                    lambda: all(lk.keys(d) > keys_after[d] for d in lk.pps))
            lk.wait("frames after re-keying", lambda: lk.frames() >= fault_end + 600)
            before = lk.snapshot()
            start = lk.frames()
            lk.wait("a clean stretch", lambda: lk.frames() >= start + 500)
            after = lk.snapshot()
        finally:
            lk.tb.stop()
            lk.tb.wait()
        self.check_link(lk, before, after)
        return lk, keys_before

    def check_link(self, lk, before, after):
        for d in ("AB", "BA"):
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
            self.assertGreaterEqual(len(leader), 3)
            for i, k in leader:
                self.assertEqual(by_index.get(i), {k}, f"{d}: seed key {i} differs")
            self.assertEqual(len({k for _, k in leader}), len(leader))
            # No (key, counter) pair twice: every key is new (distinct seed keys), each
            # takes over at a later counter, and the transmitter's key_schedule refused
            # nothing (it drops any frame that would reuse a pair; faults.* checks that).
            c = np.array(lk.activations(d), dtype=np.int64)
            self.assertGreaterEqual(len(c), 3)
            self.assertTrue(np.all(np.diff(c) > 0), f"{d}: key switches out of order")
            self.assertEqual(lk.tx[d].tx_crypt.frames_dropped(), 0, d)

    def test_001_frames_lost(self):
        """2% of the frames vanish from the line in both directions for 1500 frames."""
        end = FAULTS_FROM + 1500
        common = dict(drop_probability=0.02, active_from_frame=FAULTS_FROM,
                      active_frames=1500)
        lk, _ = self.run_case(dict(common, seed=11), dict(common, seed=12), end)
        for d in ("AB", "BA"):
            self.assertGreater(lk.inj[d].frames_dropped(), 10)
            self.assertGreater(lk.rx[d].decoder.unconfirmed_frames(), 0, "counter relocks")

    def test_002_error_bursts(self):
        """Bursts of 3000 random bits, one every other frame: FEC fails in places, NEG,
        INT and the clear overhead are hit."""
        end = FAULTS_FROM + 1500
        common = dict(bursts_per_frame=0.5, burst_bits=3000, active_from_frame=FAULTS_FROM,
                      active_frames=1500)
        lk, _ = self.run_case(dict(common, seed=21), dict(common, seed=22), end)
        for d in ("AB", "BA"):
            self.assertGreater(lk.inj[d].bursts(), 300)
            self.assertGreater(lk.rx[d].decoder.uncorrectable_codewords(), 0)
            self.assertGreater(lk.rx[d].demux.int_uncorrectable(), 0)

    def test_003_loss_of_frame(self):
        """300 frame periods without signal (zeros one way, noise the other): out of
        frame, loss of frame, then re-acquisition."""
        start, length = FAULTS_FROM + 200, 300
        lk, _ = self.run_case(
            dict(outage_start_frame=start, outage_frames=length, outage_fill="zeros", seed=31),
            dict(outage_start_frame=start, outage_frames=length, outage_fill="random",
                 seed=32),
            start + length)
        for d in ("AB", "BA"):
            self.assertEqual(lk.inj[d].outage_frames(), length)
            events = [pmt.symbol_to_string(pmt.dict_ref(
                lk.status[d].get_message(i), pmt.intern("lock"), pmt.PMT_NIL))
                for i in range(lk.status[d].num_messages())]
            for e in ("out_of_frame", "loss_of_frame", "in_frame", "loss_of_frame_cleared"):
                self.assertIn(e, events, d)
            self.assertEqual(events[-1], "loss_of_frame_cleared", d)

    def test_004_int_blocks_lost(self):
        """A third of the INT blocks corrupted beyond RS for 2000 frames: the INT channel
        retransmits, the post-processors carry on."""
        end = FAULTS_FROM + 2000
        common = dict(int_loss_probability=0.33, active_from_frame=FAULTS_FROM,
                      active_frames=2000)
        lk, _ = self.run_case(dict(common, seed=41), dict(common, seed=42), end)
        for d in ("AB", "BA"):
            self.assertGreater(lk.inj[d].int_corrupted(), 500)
            self.assertGreaterEqual(lk.rx[d].demux.int_uncorrectable(),
                                    lk.inj[d].int_corrupted() * 0.99)
            self.assertGreater(lk.tx[d].channel.fragments_retransmitted(), 0)

    def test_005_rekey_while_frames_lost(self):
        """1% of the frames lost both ways for 6000 frames while keys keep changing: the
        keys emitted and the epochs switched during the losses are checked too. (At 5%
        re-keying pauses: most multi-fragment INT messages lose a fragment and wait for
        the INT channel's retransmission, 1024 frames later.)"""
        end = FAULTS_FROM + 6000
        common = dict(drop_probability=0.01, active_from_frame=FAULTS_FROM,
                      active_frames=6000)
        switched = {}

        def during(lk):
            keys = {d: lk.keys(d) for d in lk.pps}
            lk.wait("the end of the faults", lambda: lk.frames() >= end)
            for d in lk.pps:
                # Line frame k carries counter k (the mux starts at 0, drops come later).
                inside = [c for c in lk.activations(d) if FAULTS_FROM <= c < end]
                switched[d] = (len(inside), lk.keys(d) - keys[d], lk.activations(d))

        lk, _ = self.run_case(dict(common, seed=51), dict(common, seed=52), end, during)
        for d in ("AB", "BA"):
            epoch_changes, keys, all_switches = switched[d]
            self.assertGreaterEqual(epoch_changes, 1,
                                    f"{d}: re-keyed during the losses {all_switches}")
            self.assertGreaterEqual(keys, 1, d)
            self.assertGreater(lk.inj[d].frames_dropped(), 30)

    def test_006_post_processors_restarted(self):
        """Node B's post-processors (follower of AB, leader of BA) replaced by fresh ones
        while batches are under way; node A keeps its state. No line faults."""
        end = FAULTS_FROM + 1000
        restarted = {}

        def during(lk):
            b = lk.b
            restarted["index"] = {d: max((i for i, _ in seed_keys(lk.stores[d][0])),
                                         default=-1) for d in lk.pps}
            lk.restart_post_processor(b, "pp_peer", 0, False, b.rx_crypt)
            lk.restart_post_processor(b, "pp_own", 1, True, b.tx_crypt)

        lk, _ = self.run_case(dict(seed=61), dict(seed=62), end, during)
        for d in ("AB", "BA"):
            # Keys after the restart continue the numbering, and agree (check_link).
            after = [i for i, _ in seed_keys(lk.stores[d][0]) if i > restarted["index"][d]]
            self.assertGreaterEqual(len(after), 2, d)


if __name__ == "__main__":
    gr_unittest.run(qa_faults)
