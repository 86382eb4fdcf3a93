#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The negotiation between two nodes, end to end: over a noiseless line every count is
0 and both ends keep the same rounds; over the default fiber with each receiver's local
noise on ND1/ND2, F1 and F2 of the same round are strongly correlated."""
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"


def analog_path(tb, seed):
    """Line bits -> default fiber -> receiver with local noise -> hard bits."""
    chain = [fiberkey.ook_modulator(1, -14.9, 10.0, 0.0),
             fiberkey.fiber_link(seed=seed),
             fiberkey.soft_frame_sync(),
             fiberkey.noise_injector(1, "ber_log_uniform", 1e-3, 0.2, seed + 1),
             fiberkey.slicer(1, 0, "tag")]
    for a, b in zip(chain, chain[1:]):
        tb.connect(a, b)
    return chain[0], chain[-1]


class qa_negotiation(gr_unittest.TestCase):
    def run_nodes(self, rounds, noisy, timeout=240.0, post_process=False):
        tb = gr.top_block()
        nodes = [fiberkey.node(n, "psk", psk_hex=PSK, negotiate=True, seed=s,
                               post_process=post_process)
                 for n, s in (("A", 11), ("B", 12))]
        stores = []
        for node in nodes:
            tb.connect(blocks.vector_source_b([0x3C] * PAYLOAD, True), (node, 0))
            tb.connect((node, 1), blocks.null_sink(1))
            store = blocks.message_debug()
            tb.msg_connect(node.negotiator, "rounds", store, "store")
            stores.append(store)
        a, b = nodes
        for tx, rx, seed in ((a, b, 21), (b, a, 31)):
            if noisy:
                first, last = analog_path(tb, seed)
                tb.connect((tx, 0), first)
                tb.connect(last, (rx, 1))
            else:
                tb.connect((tx, 0), (rx, 1))
        tb.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and min(n.negotiator.rounds_completed()
                                                   for n in nodes) < 2 * (rounds + 100):
            time.sleep(0.05)
        tb.stop()
        tb.wait()
        return nodes, [self.rounds_of(s) for s in stores]

    @staticmethod
    def rounds_of(store):
        out = {}
        for i in range(store.num_messages()):
            m = store.get_message(i)
            key = (pmt.to_long(pmt.dict_ref(m, pmt.intern("direction"), pmt.PMT_NIL)),
                   pmt.to_long(pmt.dict_ref(m, pmt.intern("sequence"), pmt.PMT_NIL)))
            out[key] = pmt.to_long(pmt.dict_ref(m, pmt.intern("count"), pmt.PMT_NIL))
        return out

    def paired(self, at_a, at_b, direction):
        """(F1, F2) of the rounds of `direction` that both ends kept."""
        leader, follower = (at_a, at_b) if direction == 0 else (at_b, at_a)
        seqs = sorted(s for (d, s) in leader if d == direction and (d, s) in follower)
        return ([leader[(direction, s)] for s in seqs],
                [follower[(direction, s)] for s in seqs])

    def test_001_noiseless_line_gives_zero_counts_and_agreed_rounds(self):
        nodes, (at_a, at_b) = self.run_nodes(300, noisy=False)
        for direction in (0, 1):
            f1, f2 = self.paired(at_a, at_b, direction)
            self.assertGreaterEqual(len(f1), 250)
            self.assertEqual(set(f1) | set(f2), {0})
            # Every round one end kept, the other kept too, except those still in flight
            # when the flowgraph stopped (the newest sequences).
            leader, follower = (at_a, at_b) if direction == 0 else (at_b, at_a)
            mine = sorted(s for (d, s) in leader if d == direction)
            theirs = sorted(s for (d, s) in follower if d == direction)
            settled = min(mine[-1], theirs[-1]) - 64
            self.assertEqual([s for s in mine if s < settled],
                             [s for s in theirs if s < settled])

    def test_002_local_noise_correlates_f1_and_f2_as_the_model_says(self):
        nodes, (at_a, at_b) = self.run_nodes(1000, noisy=True)
        # The round-level model at the same settings (default link BER about 1e-5, local
        # BER log-uniform in [1e-3, 0.2]) over many rounds.
        cfg = fiberkey.round_model_config()
        cfg.link_ber = [1e-5, 1e-5]
        m1, m2, _ = fiberkey.round_model(cfg).generate(0, 200000)
        model_mean, model_sd = np.mean(m1), np.std(m1)
        model_corr = np.corrcoef(m1, m2)[0, 1]
        for direction in (0, 1):
            f1, f2 = self.paired(at_a, at_b, direction)
            self.assertGreaterEqual(len(f1), 1000, f"direction {direction}")
            corr = np.corrcoef(f1, f2)[0, 1]
            print(f"direction {direction}: {len(f1)} rounds, corr(F1, F2) = {corr:.3f}, "
                  f"mean F1 {np.mean(f1):.1f}, sd {np.std(f1):.1f}; model: corr "
                  f"{model_corr:.3f}, mean {model_mean:.1f}, sd {model_sd:.1f}")
            self.assertGreaterEqual(corr, 0.9, f"direction {direction}: corr {corr:.3f}")
            # Tolerances: about 3 standard errors over ~1,000 rounds.
            self.assertLess(abs(np.mean(f1) - model_mean), 3.5)
            self.assertLess(abs(np.std(f1) / model_sd - 1), 0.1)
            self.assertLess(abs(corr - model_corr), 0.02)

    def test_004_other_int_traffic_loses_no_round(self):
        # The key post-processors' messages share the INT block with the negotiator's
        # bookkeeping; the bookkeeping must stay in the frame of its NEG block, or the
        # peer drops the round as a numbering mismatch.
        nodes, (at_a, at_b) = self.run_nodes(2000, noisy=False, post_process=True)
        for node in nodes:
            completed = node.negotiator.rounds_completed()
            self.assertGreaterEqual(completed, 4000)
            # A few rounds at start (the frames before the peer locks) may be lost.
            self.assertLess(node.negotiator.rounds_dropped(), 0.01 * completed)

    def test_003_bad_parameters(self):
        with self.assertRaises(Exception):
            fiberkey.negotiator("C")
        with self.assertRaises(Exception):
            fiberkey.negotiator("A", 500)
        with self.assertRaises(Exception):
            fiberkey.negotiator("A", 496, 0, -1)


if __name__ == "__main__":
    gr_unittest.run(qa_negotiation)
