#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-lab end to end, at reduced size: patterns for nodes A and B, their captures
made by a channel model that is not the module's own (testdata/scope_channel.py: band
limit, AC coupling, a sampling clock off by -150 and +180 ppm, jitter, 2.37 samples per
bit, an 8-bit ADC), then seed keys from the captures in both directions."""
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from gnuradio import gr_unittest
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "testdata"))

FRAME_BITS = fiberkey.frame_layout.frame_bytes * 8
FRAMES = 700  # n = 690 rounds: one seed key per direction
SPS = 2.37
CLOCK_PPM = {"a": -150.0, "b": 180.0}


def lab(*args, timeout=600):
    tool = os.path.join(os.environ["FIBERKEY_BUILD_DIR"], "apps", "fiberkey-lab")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=timeout)


class qa_lab(gr_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.environ.get("FIBERKEY_BUILD_DIR"):
            raise unittest.SkipTest("FIBERKEY_BUILD_DIR not set")
        import scope_channel
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        cls.prefix = {n: os.path.join(d, f"p{n.lower()}") for n in "AB"}
        for n, seed in (("A", 5), ("B", 6)):
            r = lab("pattern", "--node", n, "--frames", str(FRAMES), "--out", cls.prefix[n],
                    "--seed", str(seed))
            assert r.returncode == 0, r.stdout + r.stderr
        # A's pattern over fiber A->B, recorded at B; B's over B->A, recorded at A.
        cls.capture = {}
        for n, at, seed in (("A", "b", 7), ("B", "a", 8)):
            bits = np.unpackbits(np.fromfile(cls.prefix[n] + ".bits", dtype=np.uint8))
            path = os.path.join(d, f"at_{at}.i8")
            scope_channel.capture_file(bits, path, chunk_samples=1 << 20,
                                       samples_per_bit=SPS, ppm=CLOCK_PPM[at],
                                       q_factor=3.7, seed=seed)
            cls.capture[at] = path

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def keys(self, at_b, at_a, *extra):
        out = os.path.join(self.dir.name, "keys.json")
        r = lab("keys", "--pattern-a", self.prefix["A"], "--pattern-b", self.prefix["B"],
                "--at-b", at_b, "--at-a", at_a, "--format", "i8",
                "--samples-per-bit", str(SPS), "--batch-rounds", "690", "--seed", "9",
                "--json", out, "--quiet", *extra)
        res = None
        if os.path.exists(out):
            with open(out) as f:
                res = json.load(f)
            os.unlink(out)
        return r, res

    def test_001_pattern_files(self):
        """The manifest says what the keys step needs; the secret files are 0600; the
        signal is the frames' line bits (packed), and the waveform formats are NRZ at K
        samples per bit with the levels the manifest states."""
        with open(self.prefix["A"] + ".json") as f:
            m = json.load(f)
        self.assertEqual((m["node"], m["direction"], m["frames"], m["first_counter"], m["m"]),
                         ("A", 0, FRAMES, 0, 496))
        self.assertEqual(len(bytes.fromhex(m["session_key"])), 16)
        for suffix in (".json", ".neg"):
            mode = stat.S_IMODE(os.stat(self.prefix["A"] + suffix).st_mode)
            self.assertEqual(mode, 0o600, suffix)
        self.assertEqual(os.path.getsize(self.prefix["A"] + ".bits"), FRAMES * FRAME_BITS // 8)
        neg = open(self.prefix["A"] + ".neg", "rb").read()
        first = fiberkey.neg_block.decode(neg[:255])
        self.assertEqual((first["send_seq"], first["response_seq"]), (1, 1))
        self.assertTrue(first["consistent"])
        # Waveforms: the same frames at 3 samples per bit.
        d = self.dir.name
        for fmt, dtype in (("f32", np.float32), ("i8", np.int8), ("u8", np.uint8)):
            prefix = os.path.join(d, f"w_{fmt}")
            k = 1 if fmt == "u8" else 3
            r = lab("pattern", "--node", "A", "--frames", "2", "--out", prefix, "--seed", "5",
                    "--format", fmt, *(["--samples-per-bit", "3"] if k > 1 else []))
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(prefix + ".json") as f:
                levels = json.load(f)["levels"]
            x = np.fromfile(f"{prefix}.{fmt}", dtype=dtype)
            self.assertEqual(len(x), 2 * FRAME_BITS * k)
            self.assertEqual(set(np.unique(x).tolist()), {levels["zero"], levels["one"]})
            bits = np.unpackbits(np.fromfile(self.prefix["A"] + ".bits", dtype=np.uint8))
            decided = (x[::k] == levels["one"]).astype(np.uint8)
            np.testing.assert_array_equal(decided, bits[:2 * FRAME_BITS])
        # Without --seed the arrays and key are fresh every time.
        fresh = [os.path.join(d, f"fresh{i}") for i in range(2)]
        for p in fresh:
            self.assertEqual(lab("pattern", "--node", "B", "--frames", "1", "--out", p)
                             .returncode, 0)
        self.assertNotEqual(open(fresh[0] + ".neg", "rb").read(),
                            open(fresh[1] + ".neg", "rb").read())

    def test_002_keys_from_scope_captures(self):
        """Both receivers recover the clock and decode every frame after acquisition; the
        rounds' counts correlate as on the link; one seed key per direction, the same at
        A and at B."""
        r, res = self.keys(self.capture["b"], self.capture["a"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for at in ("a", "b"):
            c = res["captures"][f"at_{at.upper()}"]
            self.assertGreaterEqual(c["frames_matching_pattern"], FRAMES - 4)
            self.assertEqual(c["uncorrectable_codewords"], 0)
            self.assertAlmostEqual(c["clock_offset_ppm"], CLOCK_PPM[at], delta=20)
            self.assertTrue(1e-6 < c["line_ber_estimate"] < 1e-3, c["line_ber_estimate"])
        for d in ("AB", "BA"):
            x = res["directions"][d]
            self.assertGreaterEqual(x["rounds"], FRAMES - 4)
            self.assertGreater(x["correlation_f1_f2"], 0.9)
            self.assertGreaterEqual(x["keys_agreed"], 1, d)
            self.assertEqual(x["keys_mismatched"], 0)
            self.assertEqual(x["keys_at_A"], x["keys_at_B"])
            self.assertGreater(x["secret_bits_per_round"], 0.3)
        self.assertNotEqual(res["directions"]["AB"]["keys_at_A"],
                            res["directions"]["BA"]["keys_at_A"])

    def test_003_bad_captures_and_patterns(self):
        """A capture of the other node's pattern, the wrong oversampling, a truncated
        capture, a pattern whose arrays were changed: an error or fewer rounds, never a
        wrong key."""
        d = self.dir.name
        short = {}
        for at in ("a", "b"):
            short[at] = os.path.join(d, f"short_{at}.i8")
            with open(self.capture[at], "rb") as f, open(short[at], "wb") as g:
                g.write(f.read(int(40 * FRAME_BITS * SPS)))
        # Swapped: B's receiver given its own node's signal cannot decrypt it.
        r, _ = self.keys(short["a"], short["b"])
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("no frame of node A's pattern", r.stderr)
        # The wrong oversampling: no frame found, said so, no key.
        r = lab("keys", "--pattern-a", self.prefix["A"], "--pattern-b", self.prefix["B"],
                "--at-b", short["b"], "--at-a", short["a"], "--format", "i8",
                "--samples-per-bit", "3.1", "--quiet")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("no frame of node", r.stderr)
        self.assertNotIn("seed keys agreed", r.stdout)
        # Truncated: the rounds that are there, no key yet.
        r, res = self.keys(short["b"], short["a"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for x in res["directions"].values():
            self.assertLess(x["rounds"], 40)
            self.assertEqual(x["keys_mismatched"], 0)
        # A pattern file changed after the fact is refused.
        bad = os.path.join(d, "bad")
        for suffix in (".json", ".neg", ".bits"):
            with open(self.prefix["B"] + suffix, "rb") as f:
                data = bytearray(f.read())
            if suffix == ".neg":
                data[100] ^= 1
            with open(bad + suffix, "wb") as f:
                f.write(data)
        with open(bad + ".json") as f:
            m = json.load(f)
        m["arrays_file"] = "bad.neg"
        with open(bad + ".json", "w") as f:
            json.dump(m, f)
        r = lab("keys", "--pattern-a", self.prefix["A"], "--pattern-b", bad, "--at-b",
                short["b"], "--at-a", short["a"], "--format", "i8")
        self.assertEqual(r.returncode, 2)
        self.assertIn("does not match its manifest", r.stderr)
        # Patterns of the wrong node, bad options: one line, exit 2.
        for args in (["keys", "--pattern-a", self.prefix["B"], "--pattern-b", self.prefix["B"],
                      "--at-b", short["b"], "--at-a", short["a"], "--format", "i8"],
                     ["pattern", "--node", "A", "--frames", "0", "--out", bad],
                     ["pattern", "--node", "A", "--frames", "5", "--out", bad,
                      "--session-key", "12"],
                     ["pattern", "--node", "A", "--frames", "5", "--out", bad, "--format",
                      "bits", "--samples-per-bit", "4"]):
            r = lab(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)


if __name__ == "__main__":
    gr_unittest.run(qa_lab)
