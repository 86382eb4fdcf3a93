#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Makes the committed test capture capture_3frames.sigmf-{data,meta}: three frames of a
known payload through otu_mux -> zuc_crypt -> line_encoder -> ook_modulator -> fiber_link
(the default link, noise from a fixed test seed), one sample per bit, photocurrent in A.
A little of a fourth frame follows so that the receiver, which delays its samples by the
frame sync's 112, still sees all of the third.

Everything is fixed (payload, key, seed), so rerunning gives the same file:
    PYTHONPATH=build/python /usr/bin/python3 python/fiberkey/testdata/make_capture.py
qa_phy.py decodes it and compares the payload with payload() below."""
import hashlib
import os
import sys

from gnuradio import blocks, gr
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "capture_3frames")
KEY = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
DIRECTION = 0
EPOCH = 0
FIRST_COUNTER = 100
NOISE_SEED = 2026
FRAMES = 3
TAIL_SAMPLES = 4096  # of the fourth frame
FRAME_BITS = fiberkey.frame_layout.frame_bytes * 8


def payload(frames=FRAMES + 1):
    """The client bytes: SHA-256 in counter mode over a fixed label."""
    n = frames * fiberkey.frame_layout.payload_bytes
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"gr-fiberkey test capture %d" % i).digest()
        i += 1
    return bytes(out[:n])


def make(base=BASE):
    tb = gr.top_block()
    src = blocks.vector_source_b(list(payload()), False)
    mux = fiberkey.otu_mux(FIRST_COUNTER, 64, False)
    crypt = fiberkey.zuc_crypt(DIRECTION, True, list(KEY), EPOCH)
    enc = fiberkey.line_encoder(True, False)
    mod = fiberkey.ook_modulator(1, -14.9, 10.0, 0.3)
    link = fiberkey.fiber_link(seed=NOISE_SEED)
    head = blocks.head(gr.sizeof_float, FRAMES * FRAME_BITS + TAIL_SAMPLES)
    sink = fiberkey.sigmf_sink(base, 82025 * FRAME_BITS, 1,
                               "gr-fiberkey test capture: 3 frames, default link, "
                               "test seed %d" % NOISE_SEED)
    tb.connect(src, mux, crypt, enc, mod, link, head, sink)
    tb.run()
    return sink.samples_written()


if __name__ == "__main__":
    n = make(sys.argv[1] if len(sys.argv) > 1 else BASE)
    print("%d samples written" % n)
