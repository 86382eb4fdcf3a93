#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""RS(255,239) and the scrambler against independent peers installed on this machine."""
import random

from gnuradio import blocks, dtv, gr, gr_unittest
from gnuradio import fiberkey


class qa_fec_peers(gr_unittest.TestCase):
    def test_001_published_parity(self):
        self.assertEqual(list(fiberkey.rs255_encode(bytes(range(1, 240)))),
                         [1, 126, 147, 48, 155, 224, 3, 157, 29, 226, 40, 114, 61, 30, 244, 75])

    def test_002_matches_gr_dtv_dvbt_rs_on_random_data(self):
        # DVB-T's RS(204,188) is the G.709 code (GF(2^8) mod 0x11d, roots alpha^0..15)
        # shortened by 51 leading zero bytes.
        rng = random.Random(204)
        packets = [bytes(rng.getrandbits(8) for _ in range(188)) for _ in range(300)]
        tb = gr.top_block()
        src = blocks.vector_source_b(list(b"".join(packets)), False, 188)
        enc = dtv.dvbt_reed_solomon_enc(2, 8, 0x11D, 255, 239, 8, 51, 1)
        sink = blocks.vector_sink_b(204)
        tb.connect(src, enc, sink)
        tb.run()
        out = bytes(sink.data())
        self.assertEqual(len(out), 204 * len(packets))
        for i, p in enumerate(packets):
            parity = fiberkey.rs255_encode(bytes(51) + p)
            self.assertEqual(out[204 * i:204 * i + 188], p)
            self.assertEqual(out[204 * i + 188:204 * (i + 1)], parity, f"packet {i}")

    def test_003_decode_corrects_up_to_eight_symbols(self):
        rng = random.Random(9)
        for trial in range(200):
            info = bytes(rng.getrandbits(8) for _ in range(239))
            cw = bytearray(info + fiberkey.rs255_encode(info))
            errors = rng.randint(0, 8)
            for pos in rng.sample(range(255), errors):
                cw[pos] ^= rng.randint(1, 255)
            corrected, fixed = fiberkey.rs255_decode(bytes(cw))
            self.assertEqual(corrected, errors)
            self.assertEqual(fixed[:239], info)

    def test_004_scrambler_sequence(self):
        seq = fiberkey.g709_scrambler_sequence(16824)
        self.assertEqual(seq[:4], bytes.fromhex("ffff4e91"))
        # The sequence of 1 + x + x^3 + x^12 + x^16 repeats every 65,535 bits.
        bits = [(b >> (7 - k)) & 1 for b in seq for k in range(8)]
        for n in range(16, 2000):
            self.assertEqual(bits[n], bits[n - 1] ^ bits[n - 3] ^ bits[n - 12] ^ bits[n - 16])


if __name__ == "__main__":
    gr_unittest.run(qa_fec_peers)
