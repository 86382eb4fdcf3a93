#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Eve on both fibers of a negotiating link (protocol.md section 8): with the session keys
her estimate of each round correlates with F1 as the round model predicts for her BER;
with the wrong keys, or none, she rebuilds no round at all."""
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"
WRONG_PSK = "0f" * 32
# Her receiver behind a 10 % tap at 5 km: low enough noise for a BER near 1e-3.
EVE_NOISE_PA_PER_RTHZ = 4.6


def tapped_path(tb, seed):
    """Line bits -> default fiber with Eve's tap -> the peer's receiver with local noise
    -> hard bits; Eve's receiver -> frame sync -> slicer -> line decoder. Returns the
    input, the peer's hard bits, Eve's decoder and the fiber."""
    mod = fiberkey.ook_modulator(1, -14.9, 10.0, 0.0)
    link = fiberkey.fiber_link(eve_tap=True, eve_tap_fraction=0.1, eve_position_km=5.0,
                               eve_thermal_noise_pa_per_rthz=EVE_NOISE_PA_PER_RTHZ, seed=seed)
    rx = [fiberkey.soft_frame_sync(),
          fiberkey.noise_injector(1, "ber_log_uniform", 1e-3, 0.2, seed + 1),
          fiberkey.slicer(1, 0, "tag")]
    eve = [fiberkey.soft_frame_sync(), fiberkey.slicer(1, 0, "tag"),
           fiberkey.line_decoder(True, 246)]
    tb.connect(mod, link)
    tb.connect((link, 0), *rx)
    tb.connect((link, 1), *eve)
    return mod, rx[-1], eve[-1], link


class eve_receiver:
    """Eve's decryption and demux of one fiber; keyed from a PSK through the key PDU a
    key_exchange publishes (its rx_key is the key of the frames it receives)."""

    def __init__(self, tb, decoder, direction, psk_hex):
        # She reads what she can decrypt: the tag protects receivers, not her.
        self.crypt = fiberkey.zuc_crypt(direction, False, [], 0, integrity=False)
        self.demux = fiberkey.otu_demux()
        tb.connect(decoder, self.crypt, self.demux, blocks.null_sink(1))
        if psk_hex:
            # Node B receives what A sends (K_AB), node A what B sends (K_BA).
            self.keys = fiberkey.key_exchange("B" if direction == 0 else "A", "psk",
                                              psk_hex=psk_hex)
            tb.msg_connect(self.keys, "rx_key", self.crypt, "key")


def rounds_of(store, key="count"):
    out = {}
    for i in range(store.num_messages()):
        m = store.get_message(i)
        k = (pmt.to_long(pmt.dict_ref(m, pmt.intern("direction"), pmt.PMT_NIL)),
             pmt.to_long(pmt.dict_ref(m, pmt.intern("sequence"), pmt.PMT_NIL)))
        out[k] = pmt.to_python(pmt.dict_ref(m, pmt.intern(key), pmt.PMT_NIL))
    return out


class qa_eve_observer(gr_unittest.TestCase):
    def test_001_keyed_eve_estimates_f1_as_the_model_says_unkeyed_eve_nothing(self):
        rounds = 500
        tb = gr.top_block()
        nodes = [fiberkey.node(n, "psk", psk_hex=PSK, negotiate=True, seed=s)
                 for n, s in (("A", 11), ("B", 12))]
        stores = []
        for node in nodes:
            tb.connect(blocks.vector_source_b([0x3C] * PAYLOAD, True), (node, 0))
            tb.connect((node, 1), blocks.null_sink(1))
            store = blocks.message_debug()
            tb.msg_connect(node.negotiator, "rounds", store, "store")
            stores.append(store)
        a, b = nodes
        links, decoders = [], []
        for tx, rx, seed in ((a, b, 21), (b, a, 31)):
            first, last, eve_decoder, link = tapped_path(tb, seed)
            tb.connect((tx, 0), first)
            tb.connect(last, (rx, 1))
            links.append(link)
            decoders.append(eve_decoder)

        mod = fiberkey.ook_modulator(1, -14.9, 10.0, 0.0)
        p1, p0 = mod.power_one_w(), mod.power_zero_w()
        link_ber, her_ber = links[0].expected_ber(p1, p0), links[0].expected_ber(p1, p0, True)
        eves = {}
        for name, psk in (("keyed", PSK), ("wrong key", WRONG_PSK), ("no key", "")):
            rx = [eve_receiver(tb, decoders[d], d, psk) for d in (0, 1)]
            observer = fiberkey.eve_observer(496, her_ber)
            tb.msg_connect(rx[0].demux, "blocks", observer, "from_a")
            tb.msg_connect(rx[1].demux, "blocks", observer, "from_b")
            store = blocks.message_debug()
            tb.msg_connect(observer, "rounds", store, "store")
            eves[name] = (observer, store, rx)

        tb.start()
        deadline = time.monotonic() + 120.0  # a bound for a hung flowgraph only
        while time.monotonic() < deadline and min(n.negotiator.rounds_completed()
                                                   for n in nodes) < 2 * (rounds + 100):
            time.sleep(0.05)
        tb.stop()
        tb.wait()

        at = [rounds_of(s) for s in stores]
        observer, store, _ = eves["keyed"]
        estimate = rounds_of(store, "estimate")
        seen = rounds_of(store, "seen_leader_errors")
        # Rounds emitted as the flowgraph stopped may never reach the store: a few, more
        # when the machine is loaded and the store's queue lags.
        emitted = observer.rounds_emitted()
        self.assertLessEqual(len(estimate), emitted)
        self.assertLessEqual(emitted - len(estimate), max(2, emitted // 50))
        f1, est = [], []
        for d in (0, 1):
            leader = at[d]  # node d leads direction d: its counts are F1
            # Under load her messages may lag the nodes' when the flowgraph stops: compare
            # up to the newest round she reported.
            newest = max((s for (dd, s) in estimate if dd == d), default=0)
            kept = [s for (dd, s) in leader if dd == d and s <= newest]
            paired = sorted(s for s in kept if (d, s) in estimate)
            # She misses the rounds whose NEG numbering her own bit errors hit (~3 %).
            self.assertGreaterEqual(len(paired), 0.9 * len(kept), f"direction {d}")
            self.assertGreaterEqual(len(paired), 0.8 * rounds, f"direction {d}")
            f1 += [leader[(d, s)] for s in paired]
            est += [estimate[(d, s)] for s in paired]
        self.assertTrue(all(0 <= w <= 496 for w in seen.values()))

        cfg = fiberkey.round_model_config()
        cfg.link_ber = [link_ber, link_ber]
        cfg.simulate_eve = True
        cfg.eve_ber = [her_ber, her_ber]
        m1, _, m_est = fiberkey.round_model(cfg).generate(0, 200000)
        model_corr = np.corrcoef(m_est, m1)[0, 1]
        corr = np.corrcoef(est, f1)[0, 1]
        print(f"her BER {her_ber:.2e}: {len(f1)} rounds, corr(estimate, F1) = {corr:.4f}, "
              f"model {model_corr:.4f}; mean estimate {np.mean(est):.1f}, F1 "
              f"{np.mean(f1):.1f}; drops {observer.drops()} (rounds {observer.rounds_dropped()})")
        # About 1,100 rounds: the SE of a correlation near 0.98 is about 0.001.
        self.assertLess(abs(corr - model_corr), 0.02)
        self.assertLess(abs(np.mean(est) - np.mean(f1)), 4.0)

        for name in ("wrong key", "no key"):
            observer, store, rx = eves[name]
            self.assertEqual(store.num_messages(), 0, name)
            self.assertEqual(observer.rounds_emitted(), 0, name)
        # Wrong key: every frame decrypts to noise, its INT fails: a counted drop.
        self.assertGreater(eves["wrong key"][0].drops(), 2 * rounds)
        # No key: her crypt drops every frame before the observer.
        self.assertGreater(min(r.crypt.frames_dropped() for r in eves["no key"][2]), rounds)

    def test_002_malformed_input_is_counted_and_parameters_checked(self):
        observer = fiberkey.eve_observer()
        # int_ok of the wrong type: a dropped message, not a dead block thread (the junk
        # after it is still counted).
        wrong_type = pmt.dict_add(pmt.make_dict(), pmt.intern("int_ok"), pmt.from_long(5))
        for msg in (pmt.intern("junk"), pmt.cons(pmt.make_dict(), pmt.init_u8vector(3, [1, 2, 3])),
                    pmt.cons(pmt.make_dict(), pmt.init_u8vector(494, [0] * 494)),
                    pmt.cons(wrong_type, pmt.init_u8vector(494, [0] * 494)),
                    pmt.intern("junk")):
            observer.to_basic_block()._post(pmt.intern("from_a"), msg)
        # Message-only and deterministic: the "done" message after them ends the run once
        # the block has handled everything before it.
        observer.to_basic_block()._post(pmt.intern("system"),
                                        pmt.cons(pmt.intern("done"), pmt.from_long(1)))
        tb = gr.top_block()
        tb.msg_connect(observer, "rounds", blocks.message_debug(), "store")
        tb.run()
        self.assertEqual(observer.drops(), 5)
        self.assertEqual(observer.rounds_emitted(), 0)
        observer.set_her_ber(0.01)
        self.assertAlmostEqual(observer.her_ber(), 0.01)
        for bad in (lambda: fiberkey.eve_observer(500), lambda: fiberkey.eve_observer(496, 0.5),
                    lambda: fiberkey.eve_observer(496, 1e-3, 0),
                    lambda: observer.set_her_ber(-0.1)):
            with self.assertRaises(Exception):
                bad()


if __name__ == "__main__":
    gr_unittest.run(qa_eve_observer)
