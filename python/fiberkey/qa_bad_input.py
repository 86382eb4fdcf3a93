#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Bad input, as a careless or hostile user gives it, one table: each case names its class
(what is at stake) and what must happen. Tool arguments and outputs: refused before any
work, one line on stderr, exit status 2. Key files: never lost, never written through a
link, never loaded when others can read them. Message handlers: the message refused and
counted, the block thread alive. Captures: corrupt samples neither crash nor blind the
receiver; inconsistent or unreadable files refused in one line. Error messages: they name
what is wrong. (Every message port against a whole battery of bad PMTs: qa_message_ports;
the parsers under a fuzzer: docs/fuzzing.md.)"""
import base64
import os
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "testdata"))
import make_capture  # noqa: E402

BUILD = os.environ.get("FIBERKEY_BUILD_DIR", "build")
APPS = os.path.join(BUILD, "apps")
CAPTURE = make_capture.BASE


def tool(name, *args, timeout=120):
    return subprocess.run([os.path.join(APPS, name), *args], capture_output=True,
                          text=True, timeout=timeout)


def error_lines(stderr):
    # GNU Radio's own start-up notes (buffer sizes) are not the tool's words.
    return [line for line in stderr.splitlines()
            if line and "buffer_double" not in line and ":info:" not in line]


# (class, tool, arguments): each refused at once, one line, exit 2. "{tmp}" is a private
# directory (an output path that is a directory), "{fifo}" a FIFO with no writer.
REFUSED = [
    ("out of range", "fiberkey-sim", ["--mode", "fancy"]),
    ("out of range", "fiberkey-sim", ["--keys", "0"]),
    ("out of range", "fiberkey-sim", ["--eve", "maybe"]),
    ("out of range", "fiberkey-sim", ["--record-frames", "0"]),
    ("out of range", "fiberkey-sim", ["--tamper", "2"]),
    ("out of range", "fiberkey-sim", ["--tamper", "nan"]),
    ("out of range", "fiberkey-sim", ["--integrity", "maybe"]),
    ("never ends", "fiberkey-sim", ["--seconds", "nan"]),
    ("stalls", "fiberkey-sim", ["--pipeline-frames", "0"]),
    ("out of range", "fiberkey-sim", ["--launch-dbm", "100"]),
    ("block constructor", "fiberkey-sim", ["--length-km", "-1"]),
    ("block constructor", "fiberkey-sim", ["--eve-tap-fraction", "2"]),
    ("block constructor", "fiberkey-sim", ["--batch-rounds", "0"]),
    ("block constructor", "fiberkey-sim", ["--seed", "-1"]),
    ("block constructor", "fiberkey-sim", ["--bits", "12"]),
    ("block constructor", "fiberkey-sim", ["--eve-position-km", "50"]),
    ("block constructor", "fiberkey-sim", ["--noise-low", "0.3", "--noise-high", "0.1"]),
    ("out of range", "fiberkey-sim", ["--noise-law", "weird"]),
    ("output", "fiberkey-sim", ["--json", "/nonexistent/r.json"]),
    ("output", "fiberkey-sim", ["--plot", "{tmp}"]),
    ("out of range", "fiberkey-sim", ["--eve-from-seconds", "5"]),
    ("out of range", "fiberkey-sim", ["--eve", "tap", "--eve-from-seconds", "nan"]),
    ("out of range", "fiberkey-sim", ["--eve", "tap", "--channel", "direct", "--rounds",
                                      "model", "--eve-from-seconds", "5"]),
    ("out of range", "fiberkey-sim", ["--monitor-window-frames", "0"]),
    ("out of range", "fiberkey-sim", ["--monitor-learn-windows", "1"]),
    ("out of range", "fiberkey-sim", ["--tap-step-db", "-0.1"]),
    ("out of range", "fiberkey-sim", ["--monitor", "maybe"]),
    ("out of range", "fiberkey-monitor", ["--taps", "1.5"]),
    ("out of range", "fiberkey-monitor", ["--taps", "0"]),
    ("out of range", "fiberkey-monitor", ["--positions-km", "12"]),
    ("out of range", "fiberkey-monitor", ["--trials", "0"]),
    ("out of range", "fiberkey-monitor", ["--hours", "nan"]),
    ("out of range", "fiberkey-monitor", ["--runs", "0"]),
    ("out of range", "fiberkey-monitor", ["--step-db", "0"]),
    ("out of range", "fiberkey-monitor", ["--learn-windows", "1"]),
    ("out of range", "fiberkey-monitor", ["--baseline-windows", "0.5"]),
    ("out of range", "fiberkey-monitor", ["--thermal-step-db", "-1"]),
    ("out of range", "fiberkey-monitor", ["--seed", "-1"]),
    ("output", "fiberkey-monitor", ["--json", "/nonexistent/r.json"]),
    ("output", "fiberkey-monitor", ["--plot", "{tmp}"]),
    ("out of range", "fiberkey-sweep", ["--param", "n", "--values", "-5"]),
    ("out of range", "fiberkey-sweep", ["--param", "m", "--values", "12.5"]),
    ("out of range", "fiberkey-sweep", ["--param", "noise-high", "--values", "0.7"]),
    ("out of range", "fiberkey-sweep", ["--rounds", "50"]),
    ("out of range", "fiberkey-sweep", ["--alpha", "nan"]),
    ("out of range", "fiberkey-sweep", ["--noise-low", "0.3", "--noise-high", "0.1"]),
    ("out of range", "fiberkey-sweep", ["--mode", "bogus"]),
    ("output", "fiberkey-sweep", ["--csv", "/nonexistent/table.csv"]),
    ("output", "fiberkey-sweep", ["--plot", "{tmp}"]),
    ("out of range", "fiberkey-randomness", ["--sequences", "0"]),
    ("out of range", "fiberkey-randomness", ["--sequence-bits", "10"]),
    ("out of range", "fiberkey-randomness", ["--seed", "-1"]),
    ("out of range", "fiberkey-randomness", ["--alpha", "2"]),
    ("out of range", "fiberkey-randomness", ["--n", "0"]),
    ("out of range", "fiberkey-randomness", ["--mode", "fancy"]),
    ("input file", "fiberkey-randomness", ["--keys-in", "{tmp}/missing.bin"]),
    ("input file", "fiberkey-randomness", ["--keys-in", "{tmp}"]),
    ("input file", "fiberkey-randomness", ["--keys-in", "{fifo}"]),
    ("output", "fiberkey-randomness", ["--keys-out", "/nonexistent/keys.bin"]),
    ("out of range", "fiberkey-replay", ["--format", "wav", CAPTURE]),
    ("out of range", "fiberkey-replay", []),
    ("out of range", "fiberkey-replay", [CAPTURE, "--key", "zz", "--direction", "0"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--samples-per-bit", "0"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--samples-per-bit", "0.5"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--samples-per-bit", "4", "--bit-rate",
                                         "1e10"]),
    ("out of range", "fiberkey-replay", ["{tmp}/copy.f32", "--format", "f32",
                                         "--bit-rate", "1e10"]),
    ("out of range", "fiberkey-replay", ["{tmp}/copy.f32", "--format", "f32", "--rate",
                                         "1e9", "--bit-rate", "1e10"]),
    ("input file", "fiberkey-replay", ["{tmp}/missing"]),
    ("input file", "fiberkey-replay", ["{fifo}", "--format", "f32"]),
    ("input file", "fiberkey-replay", ["{tmp}/dir.sigmf-data"]),
    ("input file", "fiberkey-replay", ["{tmp}/inconsistent.sigmf-data"]),
    ("output", "fiberkey-replay", [CAPTURE, "--payload-out", "/nonexistent/p.bin"]),
    ("output", "fiberkey-replay", [CAPTURE, "--key", make_capture.KEY.hex(), "--direction",
                                   "0", "--payload-out", "/nonexistent/p.bin"]),
    ("output", "fiberkey-replay", [CAPTURE, "--key", make_capture.KEY.hex(), "--direction",
                                   "0", "--payload-out", "{tmp}"]),
    ("output", "fiberkey-replay", ["{tmp}/copy.f32", "--format", "f32", "--key",
                                   make_capture.KEY.hex(), "--direction", "0",
                                   "--payload-out", "{tmp}/copy.f32"]),
    ("input file", "fiberkey-replay", [CAPTURE, "--key-file", "{tmp}", "--direction", "0"]),
    ("input file", "fiberkey-replay", [CAPTURE, "--key-file", "{tmp}/none", "--direction",
                                       "0"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--noise-law", "weird"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--noise-law", "ber_uniform",
                                         "--noise-low", "0.3", "--noise-high", "0.1"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--noise-low", "0.01"]),
    ("out of range", "fiberkey-replay", [CAPTURE, "--neg-out", "{tmp}/neg.bin"]),
    ("output", "fiberkey-replay", [CAPTURE, "--json", "/nonexistent/r.json"]),
    ("output", "fiberkey-replay", [CAPTURE, "--key", make_capture.KEY.hex(), "--direction",
                                   "0", "--neg-out", "{tmp}"]),
    ("out of range", "fiberkey-lab", []),
    ("out of range", "fiberkey-lab", ["pattern", "--node", "C", "--frames", "1", "--out",
                                      "{tmp}/p"]),
    ("out of range", "fiberkey-lab", ["pattern", "--node", "A", "--frames", "70000",
                                      "--out", "{tmp}/p"]),
    ("out of range", "fiberkey-lab", ["pattern", "--node", "A", "--frames", "1", "--out",
                                      "{tmp}/p", "--first-counter", "-1"]),
    ("output", "fiberkey-lab", ["pattern", "--node", "A", "--frames", "1", "--out",
                                "/proc/fiberkey/p"]),
    ("output", "fiberkey-lab", ["pattern", "--node", "A", "--frames", "1", "--out",
                                "{tmp}"]),
    ("out of range", "fiberkey-lab", ["keys", "--pattern-a", "{tmp}/a", "--pattern-b",
                                      "{tmp}/b", "--at-b", CAPTURE, "--at-a", CAPTURE,
                                      "--batch-rounds", "5"]),
    ("out of range", "fiberkey-lab", ["keys", "--pattern-a", "{tmp}/a", "--pattern-b",
                                      "{tmp}/b", "--at-b", CAPTURE, "--at-a", CAPTURE,
                                      "--mode", "fancy"]),
    ("input file", "fiberkey-lab", ["keys", "--pattern-a", "{tmp}/a", "--pattern-b",
                                    "{tmp}/b", "--at-b", "{fifo}", "--at-a", CAPTURE,
                                    "--format", "i8"]),
    ("input file", "fiberkey-lab", ["keys", "--pattern-a", "{tmp}/missing", "--pattern-b",
                                    "{tmp}/b", "--at-b", CAPTURE, "--at-a", CAPTURE]),
    ("output", "fiberkey-lab", ["keys", "--pattern-a", "{tmp}/a", "--pattern-b", "{tmp}/b",
                                "--at-b", CAPTURE, "--at-a", CAPTURE, "--json", "{tmp}"]),
    ("key file", "fiberkey-tool", ["sm2-keygen", "{tmp}/"]),
    ("key file", "fiberkey-tool", ["sm2-keygen", "{tmp}/no/such/dir/key"]),
]


class qa_bad_input(gr_unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="qa_bad_input-")
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def assert_refused(self, result, name, args):
        lines = error_lines(result.stderr)
        self.assertEqual(result.returncode, 2, (name, args, result.stderr[-2000:]))
        self.assertEqual(len(lines), 1, (name, args, result.stderr[-2000:]))
        self.assertTrue(lines[0].startswith(name + ": "), lines[0])
        self.assertNotIn("Traceback", result.stderr)

    def test_001_tool_arguments_inputs_and_outputs(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        os.mkdir(self.path("dir.sigmf-data"))
        with open(CAPTURE + ".sigmf-meta") as f:
            meta = f.read()
        with open(self.path("dir.sigmf-meta"), "w") as f:
            f.write(meta)
        # Sample rate, bit rate and samples per bit that disagree.
        with open(self.path("inconsistent.sigmf-meta"), "w") as f:
            f.write(meta.replace('"fiberkey:samples_per_bit": 1',
                                 '"fiberkey:samples_per_bit": 2'))
        with open(self.path("inconsistent.sigmf-data"), "wb") as f:
            f.write(b"\0" * 64)
        with open(CAPTURE + ".sigmf-data", "rb") as f:
            capture = f.read()
        with open(self.path("copy.f32"), "wb") as f:
            f.write(capture)
        for cls, name, args in REFUSED:
            args = [a.format(tmp=self.tmp, fifo=fifo) for a in args]
            with self.subTest(cls=cls, tool=name, args=args):
                self.assert_refused(tool(name, *args, timeout=60), name, args)
        with open(self.path("copy.f32"), "rb") as f:
            self.assertEqual(f.read(), capture, "the capture was overwritten")

    def test_002_key_files_are_never_lost_or_followed(self):
        prefix = self.path("node_a")
        self.assertEqual(tool("fiberkey-tool", "sm2-keygen", prefix).returncode, 0)
        self.assertEqual(stat.S_IMODE(os.stat(prefix + ".key").st_mode), 0o600)

        def contents():
            with open(prefix + ".key", "rb") as k, open(prefix + ".pub", "rb") as p:
                return k.read(), p.read()

        before = contents()
        again = tool("fiberkey-tool", "sm2-keygen", prefix)
        self.assertEqual(again.returncode, 1, again.stderr)
        self.assertEqual(len(error_lines(again.stderr)), 1, again.stderr)
        self.assertEqual(contents(), before, "a second sm2-keygen replaced the key pair")
        self.assertEqual(tool("fiberkey-tool", "sm2-keygen", prefix, "--force").returncode, 0)
        self.assertNotEqual(contents(), before, "--force kept the old pair")

        # A link at PREFIX.key: replaced with --force, its target never touched.
        target = self.path("precious")
        with open(target, "w") as f:
            f.write("precious\n")
        os.chmod(target, 0o644)
        os.symlink(target, self.path("linked.key"))
        self.assertNotEqual(tool("fiberkey-tool", "sm2-keygen", self.path("linked")).returncode, 0)
        self.assertEqual(
            tool("fiberkey-tool", "sm2-keygen", self.path("linked"), "--force").returncode, 0)
        self.assertFalse(os.path.islink(self.path("linked.key")))
        with open(target) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o644)

    def test_003_key_files_that_must_not_load(self):
        for n in ("a", "b"):
            self.assertEqual(tool("fiberkey-tool", "sm2-keygen", self.path(n)).returncode, 0)

        def exchange(own, peer):
            return fiberkey.key_exchange("A", "sm2", own_key_file=own, peer_public_file=peer,
                                         own_id="A", peer_id="B")

        exchange(self.path("a.key"), self.path("b.pub"))  # the control: these load
        # A private key others can read (OpenSSH refuses one too).
        os.chmod(self.path("a.key"), 0o644)
        with self.assertRaisesRegex(Exception, "chmod 600"):
            exchange(self.path("a.key"), self.path("b.pub"))
        os.chmod(self.path("a.key"), 0o600)
        # Not a regular file.
        fifo = self.path("fifo.key")
        os.mkfifo(fifo, 0o600)
        with self.assertRaisesRegex(Exception, "regular file"):
            exchange(fifo, self.path("b.pub"))
        # A public key off the curve is named as such, not as "not a PEM public key".
        with open(self.path("b.pub")) as f:
            pem = f.read()
        der = bytearray(base64.b64decode("".join(pem.strip().splitlines()[1:-1])))
        der[-1] ^= 1  # the last byte of y: the point leaves the curve
        body = base64.b64encode(bytes(der)).decode()
        with open(self.path("off.pub"), "w") as f:
            f.write("-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n")
        with self.assertRaisesRegex(Exception, "not a point on its curve"):
            exchange(self.path("a.key"), self.path("off.pub"))
        # A bad PSK names the parameter.
        with self.assertRaisesRegex(Exception, "psk_hex"):
            fiberkey.key_exchange("A", "psk", psk_hex="zz")

    def test_004_message_handlers_refuse_and_live_on(self):
        """The two cases that killed a thread or took a wrong value: `int_ok: 5` in a
        demux PDU to the negotiator, epoch 2^40+1 in a key message to zuc_crypt."""
        blocks_bytes = 2 * fiberkey.frame_layout.block_bytes - 16  # NEG, INT information
        item = fiberkey.frame_layout.frame_item_bytes
        negotiator = fiberkey.negotiator("A", 496, 5, 0)
        crypt = fiberkey.zuc_crypt(0, False)
        bad_int_ok = pmt.cons(pmt.dict_add(pmt.make_dict(), pmt.intern("int_ok"),
                                           pmt.from_long(5)),
                              pmt.init_u8vector(blocks_bytes, [0] * blocks_bytes))
        huge_epoch = pmt.cons(pmt.dict_add(pmt.make_dict(), pmt.intern("epoch"),
                                           pmt.from_uint64(2**40 + 1)),
                              pmt.init_u8vector(16, list(range(16))))
        good_blocks = pmt.cons(pmt.make_dict(),
                               pmt.init_u8vector(blocks_bytes, [0] * blocks_bytes))
        for name, block, port, bad, good in (
                ("negotiator", negotiator, "rx", bad_int_ok, good_blocks),
                ("zuc_crypt", crypt, "key", huge_epoch, None)):
            with self.subTest(block=name):
                tb = gr.top_block()
                for out in pmt.to_python(block.message_ports_out()) or []:
                    tb.msg_connect(block, out, blocks.message_debug(), "store")
                if block is crypt:
                    tb.connect(blocks.null_source(item), crypt, blocks.null_sink(item))
                tb.start()
                block._post(pmt.intern(port), bad)
                if good is not None:
                    block._post(pmt.intern(port), good)
                want = 2 if good is not None else 1
                deadline = time.monotonic() + 30
                while block.messages_received() < want and time.monotonic() < deadline:
                    time.sleep(0.01)
                tb.stop()
                tb.wait()
                self.assertEqual(block.messages_received(), want)
                self.assertEqual(block.messages_refused(), 1)
        # The good frame after the bad one was taken: the thread lived on.
        self.assertEqual(negotiator.frames_received(), 1)

    def test_005_corrupt_samples_do_not_blind_the_receiver(self):
        x = np.fromfile(CAPTURE + ".sigmf-data", dtype="<f4")
        corrupt = self.path("corrupt.f32")
        # Non-finite samples (replaced by the sample before, counted) and finite wild
        # ones (a scope's overflow, passed on) before lock and mid-frame; none inside a
        # FAS, which one would spoil.
        for wild, counted in (([np.nan, np.inf, -np.inf], 3), ([3e38, -3e38, 3e38], 0)):
            with self.subTest(wild=wild):
                y = x.copy()
                y[[60, 500, 501]] = wild
                y[len(y) // 2] = wild[0]
                y.tofile(corrupt)
                r = tool("fiberkey-replay", corrupt, "--format", "f32", "--key",
                         make_capture.KEY.hex(), "--direction", "0")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("frames found (soft frame sync): 3", r.stdout)
                self.assertIn("uncorrectable codewords 0", r.stdout)
                if counted:
                    self.assertIn("non-finite samples (NaN, infinity) replaced by the "
                                  f"sample before: {counted + 1}", r.stdout)


if __name__ == "__main__":
    gr_unittest.run(qa_bad_input)
