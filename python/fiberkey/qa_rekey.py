#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Continual re-keying over the link: the key post-processors of both nodes, fed with
rounds of the round-level model at the frame rate (the negotiators run in lock step and
pace the nodes, as in fiberkey-sim --rounds model), agree on seed keys over the INT
channel, and each seed key becomes the next session key of its direction; the link
carries client bytes through 100 key changes per direction without losing frame lock or a
byte."""
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"


class qa_rekey(gr_unittest.TestCase):
    def test_001_keys_agree_and_the_link_rekeys_without_losing_a_byte(self):
        keys_wanted = 100
        kw = dict(post_process=True, pp_mode="soft", bits_per_round=3,
                  batch_rounds=1000, negotiate=True, pipeline_frames=32, psk_hex=PSK,
                  rounds_source="external", link_key_period=1)  # every key re-keys
        a = fiberkey.node("A", "psk", seed=3, **kw)
        b = fiberkey.node("B", "psk", seed=4, **kw)

        tb = gr.top_block()
        sinks, stores = [], []
        for node, fill in ((a, 0xA5), (b, 0x5B)):
            # Unthrottled: the lock step paces the nodes, however fast the machine.
            tb.connect(blocks.vector_source_b([fill] * PAYLOAD, True), (node, 0))
            # One frame of client bytes in every 50 is kept for the byte check (all of them
            # would be gigabytes); the crypt and demux counters account for the rest.
            keep = blocks.keep_m_in_n(gr.sizeof_char, PAYLOAD, 50 * PAYLOAD, 0)
            sink = blocks.vector_sink_b()
            tb.connect((node, 1), keep, sink)
            sinks.append(sink)
            for pp in (node.pp_own, node.pp_peer):
                store = blocks.message_debug()
                tb.msg_connect(pp, "seed_keys", store, "store")
                stores.append(store)
        tb.connect((a, 0), (b, 1))
        tb.connect((b, 0), (a, 1))
        # Rounds from the round-level model at the frame rate, in place of the
        # negotiators' (a noiseless digital line has none to count), into the nodes'
        # "pp_rounds" (rounds_source "external"): one round of each direction for every
        # frame that node A receives.
        rounds = fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 77)
        tb.msg_connect(a.demux, "blocks", rounds, "tick")
        for node, port in ((a, "a"), (b, "b")):
            tb.msg_connect(rounds, port, node, "pp_rounds")
        tb.start()
        deadline = time.monotonic() + 240
        pps = (a.pp_own, a.pp_peer, b.pp_own, b.pp_peer)
        while time.monotonic() < deadline and min(pp.keys() for pp in pps) < keys_wanted:
            time.sleep(0.1)
        time.sleep(0.5)  # frames under the last keys
        tb.stop()
        tb.wait()

        def keys(store):
            return [bytes(pmt.u8vector_elements(pmt.cdr(store.get_message(i))))
                    for i in range(store.num_messages())]
        a_own, a_peer, b_own, b_peer = (keys(s) for s in stores)
        for leader, follower in ((a_own, b_peer), (b_own, a_peer)):
            n = min(len(leader), len(follower))
            self.assertGreaterEqual(n, keys_wanted)
            self.assertEqual(leader[:n], follower[:n], "every seed key agrees")
            self.assertEqual(len(set(leader)), len(leader))

        # Both directions switched through every key: the crypt blocks saw the epochs
        # change and nothing was dropped; every client byte arrived.
        for node in (a, b):
            self.assertEqual(node.tx_crypt.frames_dropped(), 0)
            self.assertEqual(node.rx_crypt.frames_dropped(), 0)
            self.assertEqual(node.demux.int_uncorrectable() + node.demux.int_rejected(), 0)
            self.assertTrue(node.decoder.in_frame())
        for sink, fill in ((sinks[1], 0xA5), (sinks[0], 0x5B)):
            data = np.frombuffer(bytes(sink.data()), dtype=np.uint8)
            whole = data[:len(data) // PAYLOAD * PAYLOAD]
            self.assertGreater(len(whole), 100 * PAYLOAD)
            self.assertTrue(np.all(whole == fill), "a client byte was lost or garbled")

    def test_003_grouped_rounds_are_the_single_rounds(self):
        """model_rounds with 8 rounds a message gives the rounds it gives one at a time
        (same seed), numbered on from each group's first, and a key post-processor takes
        each group as its 8 rounds; an incomplete group is not sent."""
        ticks = 27

        def run(per_message):
            model = fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 91, per_message)
            store = blocks.message_debug()
            pp = fiberkey.key_post_processor(0, True)  # AB's leader: direction 0 only
            tb = gr.top_block()
            tb.msg_connect(model, "a", store, "store")
            tb.msg_connect(model, "a", pp, "rounds")
            for _ in range(ticks):
                model._post(pmt.intern("tick"), pmt.PMT_T)
            expected = 2 * (ticks if per_message == 1 else ticks // per_message)
            tb.start()
            deadline = time.monotonic() + 60
            while ((store.num_messages() < expected or pp.rounds_in() < expected // 2)
                   and time.monotonic() < deadline):
                time.sleep(0.01)
            tb.stop()
            tb.wait()
            self.assertEqual(store.num_messages(), expected)
            rounds = []
            for i in range(store.num_messages()):
                m = store.get_message(i)
                d = pmt.to_long(pmt.dict_ref(m, pmt.intern("direction"), pmt.PMT_NIL))
                first = pmt.to_long(pmt.dict_ref(m, pmt.intern("sequence"), pmt.PMT_NIL))
                counts = pmt.dict_ref(m, pmt.intern("counts"), pmt.PMT_NIL)
                if per_message == 1:
                    self.assertTrue(pmt.is_null(counts))
                    counts = [pmt.to_long(pmt.dict_ref(m, pmt.intern("count"),
                                                       pmt.PMT_NIL))]
                else:
                    counts = pmt.u32vector_elements(counts)
                    self.assertEqual(len(counts), per_message)
                rounds += [(d, first + k, c) for k, c in enumerate(counts)]
            return sorted(rounds), pp.rounds_in()

        single, single_in = run(1)
        grouped, grouped_in = run(8)
        self.assertEqual(single_in, ticks)
        self.assertEqual(grouped_in, 24)
        self.assertEqual(grouped, [r for r in single if r[1] <= 24])
        with self.assertRaises(Exception):
            fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 91, 0)
        with self.assertRaises(Exception):
            fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 91, 4097)

    def test_002_bad_parameters(self):
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(2, True)
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(0, True, "fancy")
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(0, True, "patent", 2, 10)
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(0, True, "equiprobable", 5)
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(0, True, "soft", -1)
        with self.assertRaises(Exception):
            fiberkey.key_post_processor(0, True, "multilevel", 2)
        # 0: the mode's own q (the default), whatever the mode.
        for mode in ("multilevel", "soft", "equiprobable", "patent"):
            fiberkey.key_post_processor(0, True, mode, 0)
        # Batches whose SYNDROME the INT channel cannot carry: refused, with the longest
        # that fits (the round-level model has no such limit).
        with self.assertRaisesRegex(ValueError, "at most 78676 rounds per batch"):
            fiberkey.key_post_processor(0, True, "multilevel", 4, 100000)
        fiberkey.key_post_processor(0, True, "multilevel", 4, 78676)
        # q = 5 carries 3 key bits a round (2 disclosed): its SYNDROME is longer.
        with self.assertRaisesRegex(ValueError, "at most 58938 rounds per batch"):
            fiberkey.key_post_processor(0, True, "multilevel", 5, 58939)
        fiberkey.key_post_processor(0, True, "multilevel", 5, 58938)
        fiberkey.key_post_processor(0, True, "patent", 1, 131072)


if __name__ == "__main__":
    gr_unittest.run(qa_rekey)
