#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A photodetector capture as a lab's scope would record it, from a channel model that is
not the module's own (numpy only): NRZ with raised-cosine edges (band limit), sampled by
a clock that runs off the bit clock (non-integer oversampling, a ppm offset, Gaussian
jitter), AC coupling (a long moving average taken away), a DC offset, Gaussian noise and
an 8-bit ADC; and a scope's segmented memory cut from such a capture. For the replay
tool's and the lab's tests: qa_phy.py, qa_lab.py."""
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


def capture_chunks(bits, samples_per_bit=4.527, ppm=200.0, jitter_bits=0.02,
                   edge_bits=0.7, ac_window_bits=2000, amplitude=0.02, dc_offset=0.013,
                   q_factor=4.2, full_scale=0.03, seed=1, chunk_samples=None):
    """Samples of `bits` (0/1) as int8 values of an ADC with +-full_scale range, in chunks
    of chunk_samples (all at once by default): long captures in bounded memory."""
    rng = np.random.default_rng(seed)
    step = (1.0 + ppm * 1e-6) / samples_per_bit  # bits per sample
    n = int((len(bits) - 2) / step)
    chunk = n if chunk_samples is None else chunk_samples
    w = max(1, int(ac_window_bits * samples_per_bit))
    b = bits.astype(np.float64) if chunk_samples is None else bits

    def ramp(s):
        return 0.5 - 0.5 * np.cos(np.pi * np.clip(s, 0.0, 1.0))

    history = np.zeros(0)  # the raw samples before this chunk, for AC coupling
    for first in range(0, n, chunk):
        k = np.arange(first, min(n, first + chunk))
        t = k * step + rng.normal(0.0, jitter_bits, len(k))
        t = np.clip(t, 0.0, len(bits) - 1.000001)
        i = t.astype(np.int64)
        u = t - i
        here = b[i].astype(np.float64)
        before = b[np.maximum(i - 1, 0)].astype(np.float64)
        after = b[np.minimum(i + 1, len(b) - 1)].astype(np.float64)
        level = before + (here - before) * ramp(u / edge_bits + 0.5)
        level += (after - here) * ramp((u - 1.0) / edge_bits + 0.5)
        raw = amplitude * level
        # AC coupling: the moving average over the last ac_window_bits taken away.
        x = np.concatenate((history, raw))
        c = np.concatenate(([0.0], np.cumsum(x)))
        end = np.arange(len(history), len(x)) + 1
        begin = np.maximum(k + 1 - w, 0) - (first - len(history))
        out = raw - (c[end] - c[begin]) / (end - begin)
        history = x[-(w - 1):] if w > 1 else np.zeros(0)
        out += dc_offset + rng.normal(0.0, amplitude / (2.0 * q_factor), len(k))
        yield np.clip(np.round(out / full_scale * 127.0), -128, 127).astype(np.int8)


def capture(bits, **model):
    """Samples of `bits` (0/1) as int8 values of an ADC with +-full_scale range (the
    options of capture_chunks)."""
    return np.concatenate(list(capture_chunks(bits, **model)))


def capture_file(bits, path, chunk_samples=1 << 22, **model):
    """The capture of `bits` written to path (raw int8), chunk by chunk."""
    with open(path, "wb") as f:
        for samples in capture_chunks(bits, chunk_samples=chunk_samples, **model):
            samples.tofile(f)


NEG_FIRST_BIT = fiberkey.frame_layout.neg_offset * 8


def segments(samples, frames, samples_per_bit, ppm, pre_bits=40, post_bits=40,
             trigger_jitter_bits=2.0, seed=1):
    """A scope's segmented memory, from a continuous capture made by capture_chunks with
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
