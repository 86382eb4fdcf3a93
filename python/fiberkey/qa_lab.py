#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""fiberkey-lab end to end, at reduced size: patterns for nodes A and B, their captures
made by a channel model that is not the module's own (testdata/scope_adc.py: band
limit, AC coupling, a sampling clock off by -150 and +180 ppm, jitter, 2.37 samples per
bit, an 8-bit ADC), then seed keys from the captures in both directions; and from
segmented captures of the same signals (a scope's segmented memory, NEG windows only)."""
import importlib.util
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
NEG_FIRST_BIT = fiberkey.frame_layout.neg_offset * 8
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
        import scope_adc
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        cls.prefix = {n: os.path.join(d, f"p{n.lower()}") for n in "AB"}
        for n, seed in (("A", 5), ("B", 6)):
            r = lab("pattern", "--node", n, "--frames", str(FRAMES), "--out", cls.prefix[n],
                    "--seed", str(seed))
            assert r.returncode == 0, r.stdout + r.stderr
        # A's pattern over fiber A->B, recorded at B; B's over B->A, recorded at A. Each
        # in a process of its own, side by side: 220 M samples each, test data (see
        # scope_adc.py for why not in this process under the sanitizers).
        cls.capture = {}
        making = []
        try:
            for n, at, seed in (("A", "b", 7), ("B", "a", 8)):
                path = os.path.join(d, f"at_{at}.i8")
                making.append(scope_adc.capture_file_apart(
                    cls.prefix[n] + ".bits", path, chunk_samples=1 << 20,
                    samples_per_bit=SPS, ppm=CLOCK_PPM[at], q_factor=3.7, seed=seed))
                cls.capture[at] = path
            for p in making:
                assert p.wait(timeout=600) == 0, "the capture model failed"
        finally:
            for p in making:  # none left running after a failure
                p.kill()
                p.wait()

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
        with open(self.prefix["A"] + ".neg", "rb") as f:
            neg = f.read()
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
        arrays = []
        for p in fresh:
            with open(p + ".neg", "rb") as f:
                arrays.append(f.read())
        self.assertNotEqual(arrays[0], arrays[1])

    def whole_frame_keys(self):
        """The keys step on the whole-frame captures (run once, shared by the tests)."""
        if not hasattr(type(self), "whole"):
            type(self).whole = self.keys(self.capture["b"], self.capture["a"])
        return type(self).whole

    def test_002_keys_from_scope_captures(self):
        """Both receivers recover the clock and decode every frame after acquisition; the
        rounds' counts correlate as on the link; one seed key per direction, the same at
        A and at B."""
        r, res = self.whole_frame_keys()
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

    def test_004_segmented_captures(self):
        """A scope's segmented memory, one trigger per frame, each segment the frame's NEG
        block and 40 bits either side (a trigger error of up to 2 bits), cut from the same
        captures: at B the scope was armed at frame 400 of the looping generator and
        missed one trigger; both recordings are SigMF (ri8) that say their segments (at B
        by their length, at A as one captures entry each). The
        keys agree in both directions, with the figures of the whole-frame captures; the
        NEG decisions, without the local noise, are those of the whole-frame receiver."""
        import scope_channel
        d = self.dir.name
        order = {"b": [f for f in list(range(400, FRAMES)) + list(range(400)) if f != 450],
                 "a": list(range(FRAMES))}
        seg = {}
        for at, seed in (("b", 11), ("a", 12)):
            x = np.fromfile(self.capture[at], dtype=np.int8)
            samples, length = scope_channel.segments(x, order[at], SPS, CLOCK_PPM[at],
                                                     seed=seed)
            del x
            seg[at] = os.path.join(d, f"seg_{at}")
            samples.tofile(seg[at] + ".sigmf-data")
            # Written from the SigMF spec and the README's fiberkey fields: at B a fixed
            # segment length, at A one captures entry per segment.
            meta = {"global": {"core:datatype": "ri8", "core:version": "1.0.0",
                               "core:sample_rate": SPS * fiberkey.frame_layout.line_bit_rate,
                               "fiberkey:segment_first_bit": NEG_FIRST_BIT - 40},
                    "captures": [{"core:sample_start": 0}], "annotations": []}
            if at == "b":
                meta["global"]["fiberkey:segment_samples"] = length
            else:
                meta["captures"] = [{"core:sample_start": k * length}
                                    for k in range(len(order[at]))]
            with open(seg[at] + ".sigmf-meta", "w") as f:
                json.dump(meta, f)
        r = lab("keys", "--pattern-a", self.prefix["A"], "--pattern-b", self.prefix["B"],
                "--at-b", seg["b"], "--at-a", seg["a"], "--batch-rounds", "690",
                "--seed", "9", "--json", os.path.join(d, "seg.json"), "--quiet")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(os.path.join(d, "seg.json")) as f:
            res = json.load(f)
        at_b, at_a = res["captures"]["at_B"], res["captures"]["at_A"]
        self.assertEqual((at_b["segments"], at_b["segments_decided"]), (FRAMES - 1, FRAMES - 1))
        self.assertEqual((at_b["frames_skipped"], at_b["frames_searched"]), (1, 1))
        self.assertEqual((at_a["segments_decided"], at_a["frames_skipped"]), (FRAMES, 0))
        for at, c in (("b", at_b), ("a", at_a)):
            self.assertAlmostEqual(c["clock_offset_ppm"], CLOCK_PPM[at], delta=20)
            self.assertLess(c["line_ber_estimate"], 1e-3)
        _, whole = self.whole_frame_keys()
        for name in ("AB", "BA"):
            x, w = res["directions"][name], whole["directions"][name]
            self.assertGreaterEqual(x["rounds"], FRAMES - 1)
            self.assertGreaterEqual(x["keys_agreed"], 1, name)
            self.assertEqual(x["keys_mismatched"], 0)
            self.assertEqual(x["keys_at_A"], x["keys_at_B"])
            self.assertAlmostEqual(x["correlation_f1_f2"], w["correlation_f1_f2"], delta=0.02)
            self.assertAlmostEqual(x["secret_bits_per_round"], w["secret_bits_per_round"],
                                   delta=0.15 * w["secret_bits_per_round"])
        # The decisions themselves, without the local noise: fiberkey-replay on the
        # segments and on the first 60 frames of the whole-frame capture of A's pattern
        # at B.
        with open(self.prefix["A"] + ".json") as f:
            key = json.load(f)["session_key"]
        first_frames = os.path.join(d, "first_frames_b.i8")
        np.fromfile(self.capture["b"], dtype=np.int8,
                    count=int(60 * FRAME_BITS * SPS)).tofile(first_frames)
        decided = {}
        for name, args in (
                ("whole", [first_frames, "--format", "i8", "--samples-per-bit", str(SPS)]),
                ("segments", [seg["b"], "--pattern-counters", f"0:{FRAMES}"])):
            out = os.path.join(d, f"{name}.neg")
            r = subprocess.run([os.path.join(os.environ["FIBERKEY_BUILD_DIR"], "apps",
                                             "fiberkey-replay"), *args, "--key", key,
                                "--direction", "0", "--neg-out", out],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            records = np.fromfile(out, dtype=np.uint8).reshape(-1, 259)
            decided[name] = {int.from_bytes(rec[:4].tobytes(), "big"): rec[4:]
                             for rec in records}
        common = set(decided["whole"]) & set(decided["segments"])
        self.assertGreaterEqual(len(common), 55)
        differing = sum(int(np.unpackbits(decided["whole"][c] ^ decided["segments"][c]).sum())
                        for c in common)
        self.assertLess(differing / (len(common) * 2040), 1e-3)

    def test_005_bad_segmented_captures(self):
        """Segments whose trigger position is wrong, segments of the other node's pattern,
        segments too short for NEG: an error that says why, never a key."""
        import scope_channel
        d = self.dir.name
        x = np.fromfile(self.capture["b"], dtype=np.int8, count=int(60 * FRAME_BITS * SPS))
        samples, length = scope_channel.segments(x, range(50), SPS, CLOCK_PPM["b"], seed=3)
        path = os.path.join(d, "few_b.i8")
        samples.tofile(path)
        keys = {}
        for n in "AB":
            with open(self.prefix[n] + ".json") as f:
                keys[n] = json.load(f)["session_key"]
        replay = os.path.join(os.environ["FIBERKEY_BUILD_DIR"], "apps", "fiberkey-replay")

        def run(*args, node="A"):
            return subprocess.run([replay, path, "--format", "i8", "--samples-per-bit",
                                   str(SPS), "--key", keys[node], "--direction",
                                   "0" if node == "A" else "1", *args],
                                  capture_output=True, text=True, timeout=120)

        ok = run("--segment-samples", str(length), "--segment-first-bit",
                 str(NEG_FIRST_BIT - 40), "--pattern-counters", f"0:{FRAMES}")
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("50 decided", ok.stdout)
        # The same receiver from Python, without the local noise: frame 3's NEG block.
        rx = fiberkey.neg_segment_receiver(
            SPS, NEG_FIRST_BIT - 40, 64, bytes.fromhex(keys["A"]), 0,
            [(i, i % 65535 + 1, i % 65535 + 1) for i in range(FRAMES)], noise_law="")
        segment = (samples[3 * length:4 * length] / 128.0).astype(np.float32)
        measured = fiberkey.neg_segment_receiver.measure_samples_per_bit(segment, SPS)
        self.assertAlmostEqual((SPS / measured - 1) * 1e6, CLOCK_PPM["b"], delta=150)
        r = rx.decide(segment, 3)
        self.assertEqual((r["status"], r["frame"], r["searched"]), ("decided", 3, False))
        with open(self.prefix["A"] + ".neg", "rb") as f:
            sent = np.frombuffer(f.read()[3 * 255:4 * 255], dtype=np.uint8)
        got = np.frombuffer(r["neg"], dtype=np.uint8)
        self.assertLessEqual(int(np.unpackbits(sent ^ got).sum()), 3)
        self.assertEqual(rx.decide(segment[:1000])["status"], "too_short")
        cases = (
            # The trigger 300 bits from where it is said to be: NEG is not in reach.
            (["--segment-samples", str(length), "--segment-first-bit",
              str(NEG_FIRST_BIT + 300), "--pattern-counters", f"0:{FRAMES}"], 3,
             "cannot hold NEG where the trigger puts it"),
            # Taken for B's pattern: the known bits of none of its frames.
            (["--segment-samples", str(length), "--segment-first-bit",
              str(NEG_FIRST_BIT - 40), "--pattern-counters", f"0:{FRAMES}"], 3,
             "another pattern, key or direction", "B"),
            (["--segment-samples", "4000", "--segment-first-bit", "0",
              "--pattern-counters", "0:10"], 2, "cannot hold a NEG block"),
            (["--segment-samples", str(length), "--segment-first-bit", "0"], 2,
             "--pattern-counters"),
            (["--segment-samples", str(length)], 2, "go together"),
            (["--pattern-counters", "0:10"], 2, "for segmented captures"),
            (["--segment-samples", str(length), "--segment-first-bit", "0",
              "--pattern-counters", "5:0"], 2, "FIRST:COUNT"),
        )
        for args, status, text, *node in cases:
            r = run(*args, node=node[0] if node else "A")
            self.assertEqual(r.returncode, status, (args, r.stdout, r.stderr))
            self.assertIn(text, r.stderr, args)

    def test_006_the_keys_step_as_a_flowgraph(self):
        """examples/lab_keys_from_captures.grc, compiled and run in process on the first
        150 frames of the same captures (SigMF wrappers; n = 140, one batch: the full-size
        run, 7 keys per direction from 3,000 frames, is in docs/performance.md): each
        receiver gets its pattern's key from Pattern Rounds and decrypts, the rounds form
        in both directions, the leader and follower of each direction exchange the batch's
        messages and end it alike (the same secret bits and keys), the Key Logs print as
        many keys at both ends, and the run settles by itself once the captures are
        read."""
        sys.path.insert(0, HERE)
        from qa_examples import compile_example
        d = self.dir.name
        frames = 150
        for at in "ab":
            data = os.path.join(d, f"w_{at}.sigmf-data")
            np.fromfile(self.capture[at], dtype=np.int8,
                        count=int(frames * FRAME_BITS * SPS)).tofile(data)
            with open(os.path.join(d, f"w_{at}.sigmf-meta"), "w") as f:
                json.dump({"global": {"core:datatype": "ri8", "core:version": "1.0.0",
                                      "core:sample_rate":
                                          SPS * fiberkey.frame_layout.line_bit_rate},
                           "captures": [{"core:sample_start": 0}], "annotations": []}, f)
        top = os.path.normpath(os.path.join(HERE, "..", ".."))
        script = compile_example(os.path.join(top, "examples", "lab_keys_from_captures.grc"),
                                 d)
        spec = importlib.util.spec_from_file_location("lab_keys_from_captures", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tb = module.lab_keys_from_captures(
            pattern_a=self.prefix["A"], pattern_b=self.prefix["B"],
            at_a=os.path.join(d, "w_a.sigmf-data"), at_b=os.path.join(d, "w_b.sigmf-data"),
            sps=SPS, batch_rounds=140, seed=9)
        pairs = [(tb.pp_ab_a, tb.pp_ab_b), (tb.pp_ba_b, tb.pp_ba_a)]
        tb.start()
        try:
            settled = fiberkey.wait_for_captures(
                [tb.fiberkey_sigmf_source_a, tb.fiberkey_sigmf_source_b],
                tb.fiberkey_pattern_rounds_0, pairs, [tb.key_log_a, tb.key_log_b],
                seconds=600)
        finally:
            tb.stop()
            tb.wait()
        self.assertTrue(settled)
        for crypt in (tb.fiberkey_zuc_crypt_a, tb.fiberkey_zuc_crypt_b):
            self.assertGreaterEqual(crypt.frames_processed(), frames - 5)
        self.assertGreaterEqual(tb.fiberkey_pattern_rounds_0.rounds(), frames - 5)
        formed = tb.fiberkey_pattern_rounds_0.rounds()
        for leader, follower in pairs:
            self.assertEqual(leader.rounds_in(), formed)
            self.assertEqual(follower.rounds_in(), formed)
            # Each gets two rounds messages per round (one per direction); anything more
            # is the batch's exchange, which ran both ways and ended alike.
            self.assertGreater(leader.messages_received(), 2 * formed)
            self.assertGreater(follower.messages_received(), 2 * formed)
            self.assertEqual(leader.secret_bits(), follower.secret_bits())
            self.assertEqual(leader.keys(), follower.keys())
        self.assertEqual(tb.key_log_a.keys, tb.key_log_b.keys)

if __name__ == "__main__":
    gr_unittest.run(qa_lab)
