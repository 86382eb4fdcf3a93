#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Test signals for a lab's scope: the line bits of frames the module encrypts
(line_bits), and a scope's segmented memory cut from a capture (segments). The capture
itself comes from scope_adc.py, a channel model that is not the module's own (numpy
only: band limit, a sampling clock off the bit clock, jitter, AC coupling, a DC offset,
noise and an 8-bit ADC). For the replay tool's and the lab's tests: qa_phy.py,
qa_lab.py."""
import numpy as np

from gnuradio import blocks, gr
from gnuradio import fiberkey

FRAME_BITS = fiberkey.frame_layout.frame_bytes * 8


def line_bits(frames, key, first_counter=500, direction=0):
    """The unpacked line bits of `frames` encrypted frames of random client bytes."""
    rng = np.random.default_rng(first_counter)
    payload = rng.integers(0, 256, frames * fiberkey.frame_layout.payload_bytes,
                           dtype=np.uint8)
    tb = gr.top_block()
    src = blocks.vector_source_b(payload.tolist(), False)
    mux = fiberkey.otu_mux(first_counter, 64, False)
    crypt = fiberkey.zuc_crypt(direction, True, list(key), 0)
    enc = fiberkey.line_encoder(True, False)
    sink = blocks.vector_sink_b()
    tb.connect(src, mux, crypt, enc, sink)
    tb.run()
    return np.array(sink.data(), dtype=np.uint8), payload


NEG_FIRST_BIT = fiberkey.frame_layout.neg_offset * 8


def segments(samples, frames, samples_per_bit, ppm, pre_bits=40, post_bits=40,
             trigger_jitter_bits=2.0, seed=1):
    """A scope's segmented memory, from a continuous capture made by scope_adc with
    the same samples_per_bit and ppm: one segment per frame of `frames` (in that order:
    a generator looping its pattern, a missed trigger), starting pre_bits before the
    frame's NEG block (plus a random trigger error) and ending post_bits after it.
    Returns the segments back to back, and the samples of each."""
    rng = np.random.default_rng(seed)
    step = (1.0 + ppm * 1e-6) / samples_per_bit  # bits per sample
    length = int(np.ceil((fiberkey.frame_layout.block_bytes * 8 + pre_bits + post_bits)
                         * samples_per_bit))
    out = []
    for f in frames:
        trigger = f * FRAME_BITS + NEG_FIRST_BIT - pre_bits + \
            rng.uniform(-trigger_jitter_bits, trigger_jitter_bits)
        first = int(np.ceil(trigger / step))
        out.append(samples[first:first + length])
    return np.concatenate(out), length
