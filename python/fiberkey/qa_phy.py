#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The physical-layer blocks: OOK modulator, fiber link (and Eve tap), soft frame sync,
local noise injector, slicer, SigMF sink and source, and the committed capture. Every
flowgraph is bounded (finite sources) and every random stream has a fixed test seed."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "testdata"))
import make_capture  # noqa: E402

FL = fiberkey.frame_layout
FRAME = FL.frame_bytes
PAYLOAD = FL.payload_bytes
FRAME_BITS = FRAME * 8
DELAY = 0  # soft_frame_sync passes sample k on as output item k
KEY = bytes(range(16))


def tags_by_key(tags, key):
    return [t for t in tags if pmt.symbol_to_string(t.key) == key]


def line_bits(frames, payload, key=KEY, first_counter=0):
    """mux -> zuc_crypt -> line_encoder: unpacked line bits of `frames` frames."""
    tb = gr.top_block()
    src = blocks.vector_source_b(list(payload), False)
    mux = fiberkey.otu_mux(first_counter, 64, False)
    crypt = fiberkey.zuc_crypt(0, True, list(key), 0)
    enc = fiberkey.line_encoder(True, False)
    sink = blocks.vector_sink_b()
    tb.connect(src, mux, crypt, enc, sink)
    tb.run()
    bits = np.array(sink.data(), dtype=np.uint8)
    assert len(bits) == frames * FRAME_BITS
    return bits


def receive(source_block, key=KEY, slicer=None):
    """source -> soft_frame_sync -> slicer -> line_decoder -> zuc_crypt -> otu_demux."""
    tb = gr.top_block()
    sync = fiberkey.soft_frame_sync()
    sl = slicer or fiberkey.slicer()
    dec = fiberkey.line_decoder(True, 246)
    crypt = fiberkey.zuc_crypt(0, False, list(key), 0)
    demux = fiberkey.otu_demux()
    sink = blocks.vector_sink_b()
    soft = blocks.vector_sink_f()
    tb.connect(source_block, sync, sl, dec, crypt, demux, sink)
    tb.connect(sync, soft)
    tb.run()
    counters = [pmt.to_uint64(t.value) for t in tags_by_key(sink.tags(), "frame_counter")]
    return bytes(sink.data()), counters, sync, dec, soft


class qa_phy(gr_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.frames = 5
        cls.payload = make_capture.payload(cls.frames)
        cls.bits = line_bits(cls.frames, cls.payload)

    def check_payload(self, received, counters, first_counter=0, payload=None):
        payload = payload if payload is not None else self.payload
        self.assertEqual(len(received), PAYLOAD * len(counters))
        for i, c in enumerate(counters):
            k = c - first_counter
            self.assertEqual(received[i * PAYLOAD:(i + 1) * PAYLOAD],
                             payload[k * PAYLOAD:(k + 1) * PAYLOAD], f"frame {c}")

    def test_001_chain_recovers_frames_at_the_default_link(self):
        # A little of a next frame at the end: the sync holds back its last 112 samples.
        bits = np.concatenate([self.bits, self.bits[:1000]])
        tb_src = blocks.vector_source_b(bits.tolist(), False)
        mod = fiberkey.ook_modulator()
        link = fiberkey.fiber_link(seed=11)
        self.assertTrue(link.test_seeded())
        chain = gr.hier_block2("tx", gr.io_signature(0, 0, 0), gr.io_signature(1, 1, 4))
        chain.connect(tb_src, mod, link, chain)
        received, counters, sync, dec, soft = receive(chain)
        # Acquisition: FAS found, confirmed a frame later, then the clear counter confirmed.
        self.assertGreaterEqual(len(counters), self.frames - 3)
        self.check_payload(received, counters)
        self.assertEqual(dec.uncorrectable_codewords(), 0)
        starts = tags_by_key(soft.tags(), "frame_start")
        self.assertEqual([t.offset for t in starts],
                         [f * FRAME_BITS + DELAY for f in range(1, self.frames + 1)])
        levels = pmt.to_python(starts[-1].value)
        p1, p0 = mod.power_one_w(), mod.power_zero_w()
        i1, i0, s1, s0 = link.levels(p1, p0)
        self.assertAlmostEqual(levels["one"], i1, delta=0.1 * i1)
        self.assertAlmostEqual(levels["zero"], i0, delta=0.5 * s0)
        self.assertAlmostEqual(levels["threshold"], link.optimum_threshold(p1, p0),
                               delta=0.1 * (i1 - i0))
        self.assertFalse(levels["inverted"])
        self.assertAlmostEqual(levels["sigma_one"], s1, delta=0.3 * s1)

    def test_002_measured_ber_matches_the_analytic_figure(self):
        rng = np.random.default_rng(7)
        n = 700_000
        bits = rng.integers(0, 2, n, dtype=np.uint8)
        for i, dbm in enumerate((-16.0, -16.6, -17.2)):
            with self.subTest(launch_dbm=dbm):
                tb = gr.top_block()
                mod = fiberkey.ook_modulator(1, dbm, 10.0, 0.3)
                link = fiberkey.fiber_link(seed=100 + i)
                p1, p0 = mod.power_one_w(), mod.power_zero_w()
                sl = fiberkey.slicer(1, 0, "fixed", link.optimum_threshold(p1, p0))
                sink = blocks.vector_sink_b()
                tb.connect(blocks.vector_source_b(bits.tolist(), False), mod, link, sl, sink)
                tb.run()
                out = np.array(sink.data(), dtype=np.uint8)
                # The slicer decides whole blocks of 256: the last < 256 bits stay.
                self.assertGreater(len(out), n - 256)
                errors = int(np.count_nonzero(out != bits[:len(out)]))
                expected = link.expected_ber(p1, p0) * len(out)
                # Poisson spread (4 sigma) plus 5 % for the model's float arithmetic.
                self.assertLess(abs(errors - expected), 4 * np.sqrt(expected) + 0.05 * expected,
                                f"{errors} errors, {expected:.0f} expected")

    def soft_samples(self, one, zero, prefix, rng):
        """Noisy soft samples of the line bits at the given levels after `prefix` garbage."""
        x = np.where(self.bits == 1, one, zero).astype(np.float32)
        x += rng.normal(0, 0.05 * abs(one - zero), len(x)).astype(np.float32)
        garbage = rng.normal((one + zero) / 2, abs(one - zero) / 2, prefix).astype(np.float32)
        tail = x[:1000]
        return np.concatenate([garbage, x, tail])

    def test_003_frame_sync_any_offset_scale_offset_polarity(self):
        rng = np.random.default_rng(3)
        cases = [(1.0, 0.0, 0), (1.0, 0.0, 12345), (250.0, 3000.0, 77),
                 (-0.2, 0.9, FRAME_BITS - 5), (-3e-6, -1e-6, 1)]
        for one, zero, prefix in cases:
            with self.subTest(one=one, zero=zero, prefix=prefix):
                x = self.soft_samples(one, zero, prefix, rng)
                received, counters, sync, dec, soft = receive(
                    blocks.vector_source_f(x.tolist(), False))
                starts = tags_by_key(soft.tags(), "frame_start")
                self.assertGreaterEqual(len(starts), self.frames - 2)
                for t in starts:
                    self.assertEqual((t.offset - DELAY - prefix) % FRAME_BITS, 0)
                    d = pmt.to_python(t.value)
                    self.assertEqual(d["inverted"], one < zero)
                    self.assertAlmostEqual(d["one"], one, delta=0.1 * abs(one - zero))
                    self.assertAlmostEqual(d["zero"], zero, delta=0.1 * abs(one - zero))
                    self.assertTrue(min(one, zero) < d["threshold"] < max(one, zero))
                # The delayed output is the input.
                out = np.array(soft.data(), dtype=np.float32)
                self.assertEqual(len(out), len(x) - sync.delay())
                np.testing.assert_array_equal(out, x[:len(out)])
                # Inverted: the slicer learns the polarity from the first tag, one frame on.
                self.assertGreaterEqual(len(counters), self.frames - (3 if one > zero else 4))
                self.check_payload(received, counters)
                self.assertEqual(sync.in_frame_events(), 1)

    def test_004_noise_lands_on_nd1_and_nd2_only(self):
        rng = np.random.default_rng(4)
        x = self.soft_samples(1.0, 0.0, 500, rng)
        tb = gr.top_block()
        sync = fiberkey.soft_frame_sync()
        noise = fiberkey.noise_injector(1, "ber_uniform", 0.05, 0.2, seed=9)
        self.assertTrue(noise.test_seeded())
        before = blocks.vector_sink_f()
        after = blocks.vector_sink_f()
        tb.connect(blocks.vector_source_f(x.tolist(), False), sync, noise, after)
        tb.connect(sync, before)
        tb.run()
        a = np.array(before.data(), dtype=np.float32)
        b = np.array(after.data(), dtype=np.float32)
        starts = [t.offset for t in tags_by_key(after.tags(), "frame_start")]
        self.assertGreaterEqual(len(starts), 2)
        sig1 = {t.offset: pmt.to_double(t.value) for t in tags_by_key(after.tags(), "nd1_sigma")}
        sig2 = {t.offset: pmt.to_double(t.value) for t in tags_by_key(after.tags(), "nd2_sigma")}
        self.assertEqual(sorted(sig1), starts)
        self.assertEqual(sorted(sig2), starts)
        expected_mask = np.zeros(len(a), dtype=bool)
        nd1 = (FL.neg_offset + 3) * 8
        nd2 = (FL.neg_offset + 129) * 8
        for s in starts:
            if s + FRAME_BITS > len(a):
                continue
            expected_mask[s + nd1:s + nd1 + 124 * 8] = True
            expected_mask[s + nd2:s + nd2 + 124 * 8] = True
            diff1 = b[s + nd1:s + nd1 + 992] - a[s + nd1:s + nd1 + 992]
            diff2 = b[s + nd2:s + nd2 + 992] - a[s + nd2:s + nd2 + 992]
            self.assertAlmostEqual(np.std(diff1), sig1[s], delta=0.15 * sig1[s])
            self.assertAlmostEqual(np.std(diff2), sig2[s], delta=0.15 * sig2[s])
        changed = a != b
        self.assertFalse(np.any(changed & ~expected_mask), "noise outside ND1/ND2")
        self.assertGreater(np.count_nonzero(changed & expected_mask),
                           0.99 * np.count_nonzero(expected_mask))
        self.assertEqual(noise.frames(), len(starts))
        self.assertEqual(noise.skipped_frames(), 0)

    def test_005_noise_injector_passes_frames_with_bad_levels(self):
        x = np.linspace(0, 1, 3 * FRAME_BITS, dtype=np.float32)
        bad = pmt.make_dict()
        bad = pmt.dict_add(bad, pmt.intern("one"), pmt.from_double(1.0))
        bad = pmt.dict_add(bad, pmt.intern("zero"), pmt.from_double(0.0))
        bad = pmt.dict_add(bad, pmt.intern("threshold"), pmt.from_double(2.0))
        # Levels as uint64 PMTs (pmt.is_number, but pmt.to_double refuses them) are numbers
        # too: this frame gets its noise, nobody's thread dies.
        good = pmt.dict_add(bad, pmt.intern("threshold"), pmt.from_double(0.5))
        good = pmt.dict_add(good, pmt.intern("one"), pmt.from_uint64(1))
        good = pmt.dict_add(good, pmt.intern("sigma_one"), pmt.from_uint64(0))
        tags = [gr.tag_utils.python_to_tag((10, pmt.intern("frame_start"), bad)),
                gr.tag_utils.python_to_tag((10 + FRAME_BITS, pmt.intern("frame_start"), good))]
        tb = gr.top_block()
        noise = fiberkey.noise_injector(1, "sigma_uniform", 0.1, 0.1, seed=3)
        sink = blocks.vector_sink_f()
        source = blocks.vector_source_f(x.tolist(), False, 1, tags)
        tb.connect(source, noise, sink)
        monitor = fiberkey.link_monitor(1, learn_windows=2)  # reads the same tags
        tb.connect(source, monitor)
        tb.run()
        self.assertEqual(monitor.windows(), 3)
        y = np.array(sink.data(), dtype=np.float32)
        np.testing.assert_array_equal(y[:10 + FRAME_BITS], x[:10 + FRAME_BITS])
        self.assertTrue(np.any(y[10 + FRAME_BITS:] != x[10 + FRAME_BITS:]))
        self.assertEqual(noise.skipped_frames(), 1)
        self.assertEqual(noise.frames(), 1)

    def test_006_slicer_modes_and_phase(self):
        rng = np.random.default_rng(6)
        bits = rng.integers(0, 2, 20000, dtype=np.uint8)
        levels = np.where(bits == 1, 5.0, 1.0).astype(np.float32)
        four = np.repeat(levels, 4) + rng.normal(0, 0.2, 4 * len(bits)).astype(np.float32)
        for mode, thr in (("fixed", 3.0), ("adaptive", 100.0), ("tag", 3.0)):
            with self.subTest(mode=mode):
                tb = gr.top_block()
                sl = fiberkey.slicer(4, 2, mode, thr)
                sink = blocks.vector_sink_b()
                tb.connect(blocks.vector_source_f(four.tolist(), False), sl, sink)
                tb.run()
                out = np.array(sink.data(), dtype=np.uint8)
                self.assertGreater(len(out), len(bits) - 256)
                np.testing.assert_array_equal(out, bits[:len(out)])
        # A frame_start tag sets threshold and polarity.
        inv = -levels
        d = pmt.make_dict()
        d = pmt.dict_add(d, pmt.intern("threshold"), pmt.from_double(-3.0))
        d = pmt.dict_add(d, pmt.intern("inverted"), pmt.PMT_T)
        tag = gr.tag_utils.python_to_tag((0, pmt.intern("frame_start"), d))
        tb = gr.top_block()
        sl = fiberkey.slicer(1, 0, "tag", 0.0)
        sink = blocks.vector_sink_b()
        tb.connect(blocks.vector_source_f(inv.tolist(), False, 1, [tag]), sl, sink)
        tb.run()
        out = np.array(sink.data(), dtype=np.uint8)
        self.assertGreater(len(out), len(bits) - 256)
        np.testing.assert_array_equal(out, bits[:len(out)])
        self.assertTrue(sl.inverted())
        self.assertAlmostEqual(sl.threshold(), -3.0)

    def test_007_sigmf_round_trip_and_raw_files(self):
        rng = np.random.default_rng(8)
        x = rng.normal(0, 1, 5000).astype(np.float32)
        tags = [gr.tag_utils.python_to_tag((100, pmt.intern("frame_counter"),
                                            pmt.from_uint64(41))),
                gr.tag_utils.python_to_tag((1234, pmt.intern("frame_start"), pmt.make_dict()))]
        with tempfile.TemporaryDirectory() as d:
            base = os.path.join(d, "rec")
            tb = gr.top_block()
            sink = fiberkey.sigmf_sink(base, 1e9, 2, "round trip")
            tb.connect(blocks.vector_source_f(x.tolist(), False, 1, tags), sink)
            tb.run()
            self.assertEqual(sink.samples_written(), len(x))
            self.assertEqual(sink.frames_annotated(), 2)
            src = fiberkey.sigmf_source(base + ".sigmf-meta", "sigmf", True)
            self.assertEqual(src.total_samples(), len(x))
            self.assertEqual(src.sample_rate(), 2e9)
            self.assertEqual(src.bit_rate(), 1e9)
            self.assertEqual(src.samples_per_bit(), 2)
            out = blocks.vector_sink_f()
            tb = gr.top_block()
            tb.connect(src, out)
            tb.run()
            np.testing.assert_array_equal(np.array(out.data(), dtype=np.float32), x)
            got = [(t.offset, pmt.to_uint64(t.value))
                   for t in tags_by_key(out.tags(), "frame_counter")]
            self.assertEqual(got, [(100, 41), (1234, 1)])
            # Raw files.
            raw = os.path.join(d, "raw.f32")
            x.astype("<f4").tofile(raw)
            i16 = os.path.join(d, "raw.i16")
            (np.arange(-100, 100, dtype="<i2") * 100).tofile(i16)
            for path, fmt, expect in ((raw, "f32", x),
                                      (i16, "i16", np.arange(-100, 100) * 100 / 32768.0)):
                tb = gr.top_block()
                out = blocks.vector_sink_f()
                tb.connect(fiberkey.sigmf_source(path, fmt), out)
                tb.run()
                np.testing.assert_allclose(np.array(out.data()), expect, rtol=1e-6)
            with self.assertRaises(Exception):
                fiberkey.sigmf_source(os.path.join(d, "missing"), "sigmf")
            with open(os.path.join(d, "odd.i16"), "wb") as f:
                f.write(b"\x00\x01\x02")
            with self.assertRaises(Exception):
                fiberkey.sigmf_source(os.path.join(d, "odd.i16"), "i16")

    def test_008_committed_capture_decodes_exactly(self):
        src = fiberkey.sigmf_source(make_capture.BASE, "sigmf", False)
        self.assertEqual(src.samples_per_bit(), 1)
        self.assertLess(os.path.getsize(make_capture.BASE + ".sigmf-data"), 2_000_000)
        received, counters, sync, dec, soft = receive(src, make_capture.KEY)
        self.assertGreaterEqual(len(counters), 1)
        self.check_payload(received, counters, make_capture.FIRST_COUNTER,
                           make_capture.payload())
        self.assertEqual(dec.uncorrectable_codewords(), 0)
        self.assertEqual(sync.frames(), make_capture.FRAMES - 1 + 1)

    def test_009_replay_tool(self):
        build = os.environ.get("FIBERKEY_BUILD_DIR")
        if not build:
            self.skipTest("FIBERKEY_BUILD_DIR not set")
        tool = os.path.join(build, "apps", "fiberkey-replay")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "payload.bin")
            r = subprocess.run([tool, make_capture.BASE + ".sigmf-data",
                                "--key", make_capture.KEY.hex(), "--direction", "0",
                                "--payload-out", out], capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("frames found (soft frame sync): 3", r.stdout)
            self.assertIn("event=in_frame", r.stdout)
            self.assertIn("uncorrectable codewords 0", r.stdout)
            with open(out, "rb") as f:
                got = f.read()
            # The frame sync finds the first frame; the decoder goes in frame on the
            # second and, its overhead FEC-decoded, takes the counter at once: 101, 102.
            self.assertEqual(len(got), 2 * PAYLOAD)
            self.assertEqual(got, make_capture.payload()[PAYLOAD:3 * PAYLOAD])
            # Bad arguments and corrupt captures: qa_bad_input.

    def test_009b_replay_of_a_scope_capture(self):
        """An independent channel model's capture (4.527 samples per bit, the sampling
        clock 200 ppm off, jitter, band limit, AC coupling, DC offset, an 8-bit ADC's raw
        int8 file): the replay recovers the clock and decodes every frame after the
        first, and the payload; at a wrong oversampling it finds nothing, says what the
        capture suggests and exits 3."""
        build = os.environ.get("FIBERKEY_BUILD_DIR")
        if not build:
            self.skipTest("FIBERKEY_BUILD_DIR not set")
        import scope_adc
        import scope_channel
        tool = os.path.join(build, "apps", "fiberkey-replay")
        key = bytes(range(16))
        frames = 6
        bits, sent = scope_channel.line_bits(frames, key)
        samples = scope_adc.capture(bits)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "scope.i8")
            samples.tofile(path)
            out = os.path.join(d, "payload.bin")
            r = subprocess.run([tool, path, "--format", "i8", "--rate", "50e9",
                                "--bit-rate", str(50e9 / 4.527), "--key", key.hex(),
                                "--direction", "0", "--payload-out", out],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("4.527 samples per bit", r.stdout)
            self.assertIn("uncorrectable codewords 0", r.stdout)
            # In frame at the second FAS, confirmed at the third: frames 2..5 decoded
            # (the last one's end is cut by the model's clock offset).
            decoded = int(r.stdout.split("frames decoded: ")[1].split(",")[0])
            self.assertGreaterEqual(decoded, frames - 3)
            with open(out, "rb") as f:
                got = f.read()
            self.assertEqual(len(got), decoded * PAYLOAD)
            start = (frames - 1 - decoded) * PAYLOAD
            self.assertEqual(got, sent.tobytes()[start:start + len(got)])

            # The same samples as a scope's own SigMF recording (ri8, its sample rate, no
            # fiberkey fields): the link's bit rate gives 4.52741 samples per bit.
            base = os.path.join(d, "scope")
            samples.tofile(base + ".sigmf-data")
            with open(base + ".sigmf-meta", "w") as f:
                f.write('{"global": {"core:datatype": "ri8", "core:sample_rate": 5e10, '
                        '"core:version": "1.0.0"}, "captures": '
                        '[{"core:sample_start": 0}], "annotations": []}')
            r = subprocess.run([tool, base + ".sigmf-data"], capture_output=True,
                               text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("4.52741 samples per bit", r.stdout)
            self.assertIn("uncorrectable codewords 0", r.stdout)
            self.assertGreaterEqual(
                int(r.stdout.split("frames decoded: ")[1].split(",")[0]), frames - 3)

            r = subprocess.run([tool, path, "--format", "i8", "--samples-per-bit", "2"],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
            self.assertIn("suggest about 4.", r.stderr)

    def test_010_eve_tap_and_bad_parameters(self):
        link = fiberkey.fiber_link(eve_tap=True, eve_tap_fraction=0.2, eve_position_km=2.0,
                                   eve_thermal_noise_pa_per_rthz=5.0, seed=5)
        mod = fiberkey.ook_modulator()
        p1, p0 = mod.power_one_w(), mod.power_zero_w()
        self.assertLess(link.transmission(), fiberkey.fiber_link(seed=1).transmission())
        self.assertGreater(link.eve_transmission(), 0)
        n = 200_000
        bits = np.random.default_rng(10).integers(0, 2, n, dtype=np.uint8)
        tb = gr.top_block()
        bob = blocks.vector_sink_f()
        eve = blocks.vector_sink_f()
        tb.connect(blocks.vector_source_b(bits.tolist(), False), mod, link)
        tb.connect((link, 0), bob)
        tb.connect((link, 1), eve)
        tb.run()
        e = np.array(eve.data())
        i1, i0, s1, s0 = link.levels(p1, p0, True)
        self.assertAlmostEqual(e[bits == 1].mean(), i1, delta=0.02 * i1)
        self.assertAlmostEqual(e[bits == 1].std(), s1, delta=0.05 * s1)
        eve_bits = (e > link.optimum_threshold(p1, p0, True)).astype(np.uint8)
        self.assertLess(np.count_nonzero(eve_bits != bits),
                        10 + 2 * link.expected_ber(p1, p0, True) * n)
        with self.assertRaises(Exception):
            fiberkey.fiber_link(seed=1).levels(p1, p0, True)
        bad = [lambda: fiberkey.ook_modulator(0),
               lambda: fiberkey.ook_modulator(1, -14.9, 0.0),
               lambda: fiberkey.ook_modulator(1, -14.9, 10.0, 3.0),
               lambda: fiberkey.fiber_link(length_km=-1),
               lambda: fiberkey.fiber_link(responsivity_a_per_w=0),
               lambda: fiberkey.fiber_link(eve_tap=True, eve_tap_fraction=1.5),
               lambda: fiberkey.fiber_link(eve_tap=True, eve_position_km=11.0),
               lambda: fiberkey.soft_frame_sync(13),
               lambda: fiberkey.soft_frame_sync(4, 0.0),
               lambda: fiberkey.soft_frame_sync(4, 0.6, 2.0),
               lambda: fiberkey.noise_injector(0),
               lambda: fiberkey.noise_injector(1, "cauchy"),
               lambda: fiberkey.noise_injector(1, "ber_uniform", 0.2, 0.1),
               lambda: fiberkey.noise_injector(1, "ber_uniform", 0.1, 0.6),
               lambda: fiberkey.slicer(0),
               lambda: fiberkey.slicer(2, 2),
               lambda: fiberkey.slicer(1, 0, "median"),
               lambda: fiberkey.slicer(1, 0, "adaptive", 0.0, False, 0.0),
               lambda: fiberkey.sigmf_sink("", -1.0),
               lambda: fiberkey.sigmf_sink("", 1e9, 0),
               lambda: fiberkey.sigmf_source("", "wav")]
        for i, make in enumerate(bad):
            with self.subTest(case=i):
                with self.assertRaises(Exception):
                    make()
        m = fiberkey.ook_modulator()
        m.set_launch_power_dbm(-10.0)
        self.assertAlmostEqual(m.launch_power_dbm(), -10.0)
        with self.assertRaises(Exception):
            m.set_extinction_ratio_db(-1.0)
        self.assertAlmostEqual(m.extinction_ratio_db(), 10.0)


if __name__ == "__main__":
    gr_unittest.run(qa_phy)
