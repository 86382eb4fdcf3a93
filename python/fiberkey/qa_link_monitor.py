#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The Link Monitor block on a received line: performance windows from the frame sync's
samples and the line decoder's FEC counts, and a tap (a quarter of the light gone from
one frame on) raising the alarm. Bounded flowgraphs, fixed test seeds; the cores' own
tests (detection rates, drift, G.798 rules) are in fiberkey_core_test."""
import math
import os
import sys
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from qa_phy import line_bits  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "testdata"))
import make_capture  # noqa: E402

FRAME_BITS = fiberkey.frame_layout.frame_bytes * 8
FRAMES = 40
WINDOW = 5
TAP_FRAME = 27  # the tap takes its share from the first sample of this frame on
TAP = 0.25


def messages(store):
    return [pmt.to_python(store.get_message(i)) for i in range(store.num_messages())]


class qa_link_monitor(gr_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        bits = line_bits(FRAMES, make_capture.payload(FRAMES))
        # A little of a next frame: the sync holds its last 112 samples back.
        bits = np.concatenate([bits, bits[:1000]])
        tb = gr.top_block()
        sink = blocks.vector_sink_f()
        cls.modulator = fiberkey.ook_modulator()
        tb.connect(blocks.vector_source_b(bits.tolist(), False), cls.modulator, sink)
        tb.run()
        cls.optical = np.array(sink.data(), dtype=np.float32)

    def run_monitor(self, optical, **kwargs):
        tb = gr.top_block()
        link = fiberkey.fiber_link(seed=5)
        sync = fiberkey.soft_frame_sync()
        decoder = fiberkey.line_decoder(True, 246)
        monitor = fiberkey.link_monitor(WINDOW, learn_windows=2, **kwargs)
        power = blocks.vector_sink_f()
        ber = blocks.vector_sink_f()
        pm, alarm = blocks.message_debug(), blocks.message_debug()
        tb.connect(blocks.vector_source_f(optical.tolist(), False), link, sync,
                   fiberkey.slicer(), decoder, blocks.null_sink(decoder.output_signature()
                                                                .sizeof_stream_item(0)))
        tb.connect(sync, monitor)
        tb.connect((monitor, 0), power)
        tb.connect((monitor, 1), ber)
        tb.msg_connect(decoder, "frame_status", monitor, "frame_status")
        tb.msg_connect(decoder, "status", monitor, "status")
        tb.msg_connect(monitor, "pm", pm, "store")
        tb.msg_connect(monitor, "alarm", alarm, "store")
        tb.run()
        return monitor, messages(pm), messages(alarm), power.data(), ber.data(), link

    def test_001_windows_figures_and_no_alarm_on_a_steady_link(self):
        monitor, pms, alarms, power, ber, link = self.run_monitor(self.optical)
        self.assertEqual(len(pms), FRAMES // WINDOW)
        self.assertEqual(monitor.windows(), FRAMES // WINDOW)
        self.assertEqual(monitor.frame_periods(), FRAMES)
        self.assertEqual([p["window"] for p in pms], list(range(FRAMES // WINDOW)))
        self.assertEqual([a["event"] for a in alarms], ["learned"])
        self.assertAlmostEqual(alarms[0]["time"], time.time(), delta=60)
        self.assertFalse(monitor.alarmed())
        self.assertFalse(monitor.learning())
        p1, p0 = self.modulator.power_one_w(), self.modulator.power_zero_w()
        i1, i0, s1, s0 = link.levels(p1, p0)
        expected_dbm = 10 * math.log10((p1 + p0) / 2 * link.transmission() / 1e-3)
        for p in pms[1:]:  # the first window holds the frame sync's acquisition
            # The mean photocurrent is the frames' own: their mark density is not exactly
            # a half (the FAS and overhead are not scrambled).
            self.assertAlmostEqual(p["power_dbm"], expected_dbm, delta=0.05)
            self.assertAlmostEqual(p["level_power_dbm"], expected_dbm, delta=0.05)
            # The sync's zero level is a little high in noise of its own size.
            self.assertAlmostEqual(p["extinction_ratio_db"], 10.0, delta=0.5)
            self.assertAlmostEqual(p["q_factor"], (i1 - i0) / (s1 + s0), delta=0.3)
            self.assertFalse(p["dlos"] or p["dlof"] or p["dlom"] or p["ddeg"], p)
        # The link's BER is 1e-5: 5 frames of 130,560 FEC bits hold a few errors each
        # window; over all of them, the count is that of the BER.
        errors = sum(p["corrected_symbols"] for p in pms)
        self.assertGreater(errors, 0)
        self.assertLess(errors, 10 * FRAMES * 130560 * link.expected_ber(p1, p0) + 10)
        self.assertEqual(len(power), FRAMES // WINDOW)
        self.assertAlmostEqual(power[-1], pms[-1]["power_dbm"], delta=1e-4)
        self.assertEqual(len(ber), FRAMES // WINDOW)
        self.assertEqual(monitor.last_window() is not None, True)
        self.assertEqual(pmt.to_python(monitor.last_window())["window"],
                         FRAMES // WINDOW - 1)

    def test_002_a_tap_mid_run_raises_the_alarm_in_its_window(self):
        optical = self.optical.copy()
        optical[TAP_FRAME * FRAME_BITS:] *= 1 - TAP
        monitor, pms, alarms, power, _, _ = self.run_monitor(optical)
        self.assertEqual([a["event"] for a in alarms], ["learned", "tap_alarm"])
        alarm = alarms[1]
        self.assertIn(alarm["cause"], ("power_step", "q_step"))
        # Window 5 holds frames 25-29: the tap begins in it.
        self.assertEqual(alarm["window"], TAP_FRAME // WINDOW)
        self.assertGreater(alarm["drop_db"], 0.5)
        self.assertTrue(monitor.alarmed())
        self.assertEqual(monitor.alarms(), 1)
        drop = pms[-2]["power_dbm"] - pms[-1]["power_dbm"]
        self.assertAlmostEqual(drop, 0, delta=0.05)
        self.assertAlmostEqual(pms[3]["power_dbm"] - pms[-1]["power_dbm"],
                               -10 * math.log10(1 - TAP), delta=0.05)
        monitor.clear_alarm()
        self.assertFalse(monitor.alarmed())

    def test_003_auto_relearn_and_detector_off(self):
        optical = self.optical.copy()
        optical[TAP_FRAME * FRAME_BITS:] *= 1 - TAP
        monitor, _, alarms, _, _, _ = self.run_monitor(optical, auto_relearn=True)
        self.assertEqual([a["event"] for a in alarms],
                         ["learned", "tap_alarm", "relearning", "learned"])
        self.assertFalse(monitor.alarmed())
        monitor, pms, alarms, _, _, _ = self.run_monitor(optical, detect=False)
        self.assertEqual(alarms, [])  # no detector, no learning
        self.assertEqual(len(pms), FRAMES // WINDOW)

    def test_004_glitches_in_the_capture_are_left_out(self):
        # NaN, infinity and 3e38 samples (a capture's glitches) inside the power's runs.
        optical = self.optical.copy()
        for frame in range(3, FRAMES, 4):
            start = frame * FRAME_BITS - frame * FRAME_BITS % 65536 + 65536
            optical[start + 10:start + 13] = [math.nan, math.inf, 3e38]
        monitor, pms, alarms, _, _, _ = self.run_monitor(optical)
        self.assertGreater(monitor.glitches(), 0)
        self.assertEqual([a["event"] for a in alarms], ["learned"])
        for p in pms[1:]:
            self.assertAlmostEqual(p["power_dbm"], pms[1]["power_dbm"], delta=0.05)

    def test_005_bad_parameters_are_refused(self):
        for kwargs in (dict(window_frames=0), dict(deg_windows=1), dict(deg_windows=11),
                       dict(step_db=0), dict(learn_windows=1), dict(baseline_windows=0.5),
                       dict(decision=-1), dict(level_margin_db=-1),
                       dict(responsivity_a_per_w=0), dict(samples_per_ampere=0),
                       dict(deg_threshold_ber=0.7), dict(los_threshold_dbm=math.inf)):
            with self.subTest(**kwargs), self.assertRaises(ValueError):
                fiberkey.link_monitor(**kwargs)


if __name__ == "__main__":
    gr_unittest.run(qa_link_monitor)
