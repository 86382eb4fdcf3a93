#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Link start: two nodes joined back to back agree on their initial session keys by SM2
over the link itself (or take pre-shared ones), then carry client bytes encrypted."""
import os
import subprocess
import tempfile
import time

from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

PAYLOAD = fiberkey.frame_layout.payload_bytes
BUILD = os.environ.get("FIBERKEY_BUILD_DIR", "")
TOOL = os.path.join(BUILD, "apps", "fiberkey-tool")


class qa_link_start(gr_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        for name in ("node_a", "node_b", "mallory"):
            subprocess.run([TOOL, "sm2-keygen", os.path.join(cls.tmp.name, name)],
                           check=True, capture_output=True)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def run_link(self, node_a, node_b, frames_after_keys=200, frames_per_second=2000,
                 timeout=60.0):
        """Both directions until both nodes have decrypted frames_after_keys frames (or an
        exchange failed, or the timeout). Client bytes of A are 0xA5, of B 0x5B. A throttle
        paces the sources; how many frames the exchange takes depends on the buffering
        and the machine's load, not on the protocol."""
        tb = gr.top_block()
        sinks = []
        for node, fill in ((node_a, 0xA5), (node_b, 0x5B)):
            src = blocks.vector_source_b([fill] * PAYLOAD, True)
            throttle = blocks.throttle(gr.sizeof_char, PAYLOAD * frames_per_second)
            tb.connect(src, throttle, (node, 0))
            sink = blocks.vector_sink_b()
            tb.connect((node, 1), sink)
            sinks.append(sink)
        tb.connect((node_a, 0), (node_b, 1))
        tb.connect((node_b, 0), (node_a, 1))
        tb.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = (node_a.keys.state(), node_b.keys.state())
            decrypted = min(node_a.rx_crypt.frames_processed(),
                            node_b.rx_crypt.frames_processed())
            if decrypted >= frames_after_keys or any(s.startswith("failed") for s in states):
                break
            time.sleep(0.02)
        time.sleep(0.2)
        tb.stop()
        tb.wait()
        # Whole frames only: the stop may cut the last one.
        return [bytes(s.data())[:len(s.data()) // PAYLOAD * PAYLOAD] for s in sinks]

    def check_payload(self, received, fill):
        """Frames before the keys carry zeros; after, the peer's bytes; nothing else."""
        self.assertEqual(len(received) % PAYLOAD, 0)
        frames = [received[i:i + PAYLOAD] for i in range(0, len(received), PAYLOAD)]
        kinds = [f == bytes([fill]) * PAYLOAD and "data" or f == bytes(PAYLOAD) and "zero"
                 or "garbage" for f in frames]
        self.assertNotIn("garbage", kinds)
        self.assertGreater(kinds.count("data"), 50)
        first_data = kinds.index("data")
        self.assertEqual(kinds[first_data:], ["data"] * (len(kinds) - first_data),
                         "once keyed, every frame decrypts")
        return first_data

    def test_001_sm2_over_the_link(self):
        a = fiberkey.node("A", "sm2", own_key_file=self.path("node_a.key"),
                          peer_public_file=self.path("node_b.pub"), own_id="node-A",
                          peer_id="node-B")
        b = fiberkey.node("B", "sm2", own_key_file=self.path("node_b.key"),
                          peer_public_file=self.path("node_a.pub"), own_id="node-B",
                          peer_id="node-A")
        at_a, at_b = self.run_link(a, b)
        self.assertEqual(a.keys.state(), "done")
        self.assertEqual(b.keys.state(), "done")
        self.assertEqual(a.keys.fingerprint(), b.keys.fingerprint())
        self.assertEqual(len(a.keys.fingerprint()), 16)
        self.check_payload(at_b, 0xA5)
        self.check_payload(at_a, 0x5B)
        self.assertGreater(a.tx_crypt.frames_clear(), 0)

    def test_002_wrong_peer_key_never_comes_up(self):
        a = fiberkey.node("A", "sm2", own_key_file=self.path("node_a.key"),
                          peer_public_file=self.path("mallory.pub"), own_id="node-A",
                          peer_id="node-B")
        b = fiberkey.node("B", "sm2", own_key_file=self.path("node_b.key"),
                          peer_public_file=self.path("node_a.pub"), own_id="node-B",
                          peer_id="node-A")
        at_a, at_b = self.run_link(a, b)
        self.assertTrue(a.keys.state().startswith("failed"), a.keys.state())
        self.assertEqual(a.keys.fingerprint(), "")
        self.assertNotEqual(b.keys.state(), "done")
        # Nothing of either client went over the link: clear frames carry zeros.
        self.assertEqual(at_a, bytes(len(at_a)))
        self.assertEqual(at_b, bytes(len(at_b)))
        self.assertEqual(a.tx_crypt.frames_processed(), 0)
        self.assertEqual(b.tx_crypt.frames_processed(), 0)

    def test_003_pre_shared_keys(self):
        psk = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"
        a = fiberkey.node("A", "psk", psk_hex=psk)
        b = fiberkey.node("B", "psk", psk_hex=psk)
        at_a, at_b = self.run_link(a, b)
        self.assertEqual(self.check_payload(at_b, 0xA5), 0)
        self.assertEqual(self.check_payload(at_a, 0x5B), 0)
        self.assertEqual(a.tx_crypt.frames_clear(), 0)

    def test_004_bad_identity_files_and_parameters(self):
        with self.assertRaises(Exception):
            fiberkey.key_exchange("A", "sm2", self.path("missing.key"), self.path("node_b.pub"),
                                  "A", "B")
        with self.assertRaises(Exception):
            # A public key where the private key should be.
            fiberkey.key_exchange("A", "sm2", self.path("node_a.pub"), self.path("node_b.pub"),
                                  "A", "B")
        with self.assertRaises(Exception):
            fiberkey.key_exchange("C", "psk", psk_hex="00" * 32)
        with self.assertRaises(Exception):
            fiberkey.key_exchange("A", "psk", psk_hex="00" * 31)
        with self.assertRaises(Exception):
            fiberkey.key_exchange("A", "rsa")
        with self.assertRaises(Exception):
            fiberkey.int_channel(8)


if __name__ == "__main__":
    gr_unittest.run(qa_link_start)
