#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""A scope's front end, split out of scope_channel.py, numpy only: NRZ with raised-cosine edges
(band limit), sampled by a clock that runs off the bit clock (non-integer oversampling, a
ppm offset, Gaussian jitter), AC coupling (a long moving average taken away), a DC
offset, Gaussian noise and an 8-bit ADC.

It imports nothing of GNU Radio, so a test can run it as a process of its own
(capture_file_apart): under the sanitizer suite the tests' Python runs with the ASan
runtime preloaded, and numpy there makes its captures ten times slower (every large
temporary array is fresh memory from ASan's allocator); the captures are test data, not
code under test."""
import argparse
import os
import subprocess
import sys

import numpy as np


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


FLOAT_OPTIONS = ("samples_per_bit", "ppm", "jitter_bits", "edge_bits", "amplitude",
                 "dc_offset", "q_factor", "full_scale")
INT_OPTIONS = ("ac_window_bits", "seed", "chunk_samples")


def capture_file_apart(bits_path, path, **model):
    """capture_file of the packed bits in bits_path, in a process of its own without a
    preloaded sanitizer runtime. Returns the Popen: the caller waits for it (two captures
    can run side by side)."""
    args = [sys.executable, os.path.abspath(__file__)]
    for name, value in model.items():
        if name not in FLOAT_OPTIONS + INT_OPTIONS:
            raise TypeError(f"capture_file_apart: no model option {name!r}")
        kind = float if name in FLOAT_OPTIONS else int
        args += ["--" + name.replace("_", "-"), repr(kind(value))]
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    return subprocess.Popen(args + ["--", bits_path, path], env=env)


def main():
    p = argparse.ArgumentParser(description="A scope capture (raw int8) of packed bits.")
    p.add_argument("bits", help="packed line bits, MSB first")
    p.add_argument("out", help="the capture to write")
    for names, kind in ((FLOAT_OPTIONS, float), (INT_OPTIONS, int)):
        for name in names:
            p.add_argument("--" + name.replace("_", "-"), type=kind, dest=name)
    a = vars(p.parse_args())
    bits = np.unpackbits(np.fromfile(a.pop("bits"), dtype=np.uint8))
    out = a.pop("out")
    capture_file(bits, out, **{k: v for k, v in a.items() if v is not None})


if __name__ == "__main__":
    main()
