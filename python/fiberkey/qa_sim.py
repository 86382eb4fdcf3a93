#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-sim, the main job, through its command line: the JSON object has the documented
fields and agreeing keys, the plot is a PNG, Eve's figures are there and honest, a
recording replays (bad arguments: qa_bad_input)."""
import json
import os
import re
import subprocess
import tempfile

from gnuradio import gr_unittest

BUILD = os.environ.get("FIBERKEY_BUILD_DIR", "build")
SIM = os.path.join(BUILD, "apps", "fiberkey-sim")
REPLAY = os.path.join(BUILD, "apps", "fiberkey-replay")


def run(*args, timeout=600):
    return subprocess.run([SIM, "--quiet", *args], capture_output=True, text=True,
                          timeout=timeout)


class qa_sim(gr_unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="qa_sim-")

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_001_json_plot_and_a_compromised_eve(self):
        out = run("--keys", "1", "--seed", "5", "--mode", "equiprobable", "--eve", "compromised",
                  "--link-start", "psk", "--json", self.path("r.json"),
                  "--plot", self.path("r.png"))
        self.assertEqual(out.returncode, 0, out.stderr[-3000:])
        res = json.load(open(self.path("r.json")))
        for field in ("frames", "simulated_seconds", "wall_seconds", "directions"):
            self.assertIn(field, res)
        self.assertTrue(res["seeded_for_tests"])
        self.assertAlmostEqual(res["simulated_seconds"], res["frames"] / 82025.0)
        for name in ("AB", "BA"):
            d = res["directions"][name]
            self.assertGreaterEqual(d["keys_agreed"], 1)
            n = d["keys_agreed"]
            self.assertEqual(d["keys_at_A"][:n], d["keys_at_B"][:n])
            for k in d["keys_at_A"] + d["keys_at_B"]:
                self.assertRegex(k, r"^[0-9a-f]{64}$")
            self.assertEqual(d["payload_bytes_wrong"], 0)
            self.assertGreater(d["payload_bytes_checked"], 0)
            # Integrity tags on, nothing tampered: no frame fails its tag.
            self.assertTrue(d["integrity"])
            self.assertEqual(d["frames_tampered"], 0)
            self.assertEqual(d["frames_rejected_by_tag"], 0)
            self.assertFalse(d["tag_alarm"])
            self.assertGreater(d["rounds"], 1000)
            self.assertGreater(d["correlation_f1_f2"], 0.9)
            self.assertGreater(d["mutual_information_bits_per_round"], 1.0)
            self.assertGreater(d["secret_bits_per_round"], 0.1)
            self.assertLess(d["secret_bits_per_round"], d["mutual_information_bits_per_round"])
            eve = d["eve"]
            self.assertEqual(eve["model"], "compromised")
            # With the session keys and a quiet receiver she sees nearly every round, and
            # her estimate carries real information about the counts.
            self.assertGreater(eve["frames_decoded"], 1000)
            self.assertGreater(eve["rounds_observed"], 0.9 * d["rounds"])
            self.assertGreater(eve["mutual_information_bits_per_round"], 1.0)
            # The scheme's secrecy rests on the session keys (protocol.md section 8): with
            # them she replays the follower's post-processing on her own estimates, and the
            # syndrome corrects them to the very same seed keys.
            self.assertGreater(eve["key_bit_agreement"], 0.9)
            # Her coupler was there from the start: the monitor's baseline has it, and
            # raises nothing (docs/security.md: a tap must come after link start).
            mon = d["monitor"]
            self.assertEqual(mon["alarms"], [])
            self.assertFalse(mon["key_agreement_held"])
            self.assertGreater(mon["windows"], 2)
            self.assertAlmostEqual(mon["level_power_dbm"], -19.4 - 0.46, delta=0.1)
            self.assertGreater(mon["pre_fec_ber"], 1e-5)
            self.assertLess(mon["pre_fec_ber"], 2e-4)
            self.assertEqual(mon["defect_windows"]["dlos"], 0)
        with open(self.path("r.png"), "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 30000)

    def test_002_passive_tap_learns_nothing_and_a_recording_replays(self):
        out = run("--keys", "1", "--seed", "6", "--eve", "tap", "--json", self.path("r.json"),
                  "--record", self.path("rec"), "--record-frames", "4")
        self.assertEqual(out.returncode, 0, out.stderr[-3000:])
        res = json.load(open(self.path("r.json")))
        for name in ("AB", "BA"):
            eve = res["directions"][name]["eve"]
            # She reads the line (her receiver is quiet) but has ciphertext only.
            self.assertGreater(eve["frames_decoded"], 1000)
            self.assertEqual(eve["rounds_observed"], 0)
            self.assertEqual(eve["keys_recovered"], 0)
            self.assertEqual(eve["mutual_information_bits_per_round"], 0.0)
            self.assertGreater(eve["key_bit_agreement"], 0.3)
            self.assertLess(eve["key_bit_agreement"], 0.7)
        capture = self.path("rec/received_AB.sigmf-data")
        self.assertTrue(os.path.exists(capture.replace("-data", "-meta")))
        replay = subprocess.run([REPLAY, capture], capture_output=True, text=True, timeout=120)
        self.assertEqual(replay.returncode, 0, replay.stderr[-2000:])
        frames = re.search(r"frames decoded: (\d+)", replay.stdout)
        self.assertIsNotNone(frames, replay.stdout)
        self.assertGreaterEqual(int(frames.group(1)), 2)

    def test_003_list_modes(self):
        # Bad arguments: python/fiberkey/qa_bad_input.py.
        out = run("--list-modes", timeout=60)
        self.assertEqual(out.returncode, 0)
        self.assertIn("patent", out.stdout.split())

    def test_004_an_active_attacker_is_rejected_by_the_tags(self):
        """5 % of the keyed frames rewritten on the line with the FEC re-encoded: every
        one fails its integrity tag, no tampered byte reaches the client, keys agree."""
        out = run("--keys", "2", "--seed", "8", "--channel", "direct", "--rounds", "model",
                  "--link-start", "psk", "--tamper", "0.05", "--json", self.path("r.json"))
        self.assertEqual(out.returncode, 0, out.stderr[-3000:])
        res = json.load(open(self.path("r.json")))
        for name in ("AB", "BA"):
            d = res["directions"][name]
            self.assertGreater(d["frames_tampered"], 10)
            self.assertEqual(d["frames_rejected_by_tag"], d["frames_tampered"])
            self.assertEqual(d["frames_damaged"], 0)
            self.assertTrue(d["tag_alarm"])
            self.assertEqual(d["payload_bytes_wrong"], 0)
            self.assertGreaterEqual(d["keys_agreed"], 2)
            self.assertEqual(d["keys_mismatched"], 0)

    def test_005_a_tap_inserted_mid_run_holds_key_agreement(self):
        """Issue 20's run at reduced size: a 10 % tap at 5 km goes in after the monitors
        learned their baselines; both receivers alarm within three windows, both nodes hold
        key agreement, no seed key is formed from rounds after the first alarm, and the
        run stops by itself ("held"). Until the tap, keys agree as usual."""
        out = run("--keys", "1000", "--seed", "9", "--link-start", "psk", "--eve", "tap",
                  "--eve-from-seconds", "6", "--monitor-window-frames", "200",
                  "--monitor-learn-windows", "4", "--json", self.path("r.json"))
        self.assertEqual(out.returncode, 0, out.stderr[-3000:])
        self.assertIn("key agreement held by a tap alarm", out.stdout)
        res = json.load(open(self.path("r.json")))
        self.assertEqual(res["stopped_by"], "held")
        tap = res["tap"]
        for name in ("AB", "BA"):
            d = res["directions"][name]
            self.assertEqual(d["keys_mismatched"], 0)
            self.assertTrue(d["monitor"]["key_agreement_held"])
            self.assertGreater(d["monitor"]["rounds_held"], 0)
            t = tap["directions"][name]
            self.assertIsNotNone(t["alarm_at_frame"], tap)
            self.assertIn(t["cause"], ("power_step", "q_step"))
            # The window the tap goes into is mixed; the alarm comes at the end of it or of
            # the next. Frames are counted on the monitor's own stream clock (a CI run
            # whose alarms were stamped when Python saw them had one 1,047 frames late).
            self.assertLessEqual(t["detection_frames"], 2 * 200, tap)
            self.assertEqual(t["alarm_at_frame"] % 200, 0, tap)
            self.assertEqual(t["keys_from_rounds_after_first_alarm"], 0, tap)
            self.assertEqual(t["keys_agreed"], d["keys_agreed"])


if __name__ == "__main__":
    gr_unittest.run(qa_sim)
