#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Keys for applications: two nodes with a KME each (ETSI GS QKD 014), and SAEs written
for the test from the spec (etsi014_test_sae: Python's ssl and http.client, no code of the
module). An SAE at A takes keys (enc_keys), the SAE at B gets the same keys by their IDs
(dec_keys); every response validates against the spec's JSON Schemas; every bad request
gets its status code and costs no key; concurrent clients are served; and a restarted
node still serves the keys it stored and had not delivered."""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import etsi014_test_sae as etsi  # noqa: E402

PAYLOAD = fiberkey.frame_layout.payload_bytes
PSK = "00112233445566778899aabbccddeeff" + "ffeeddccbbaa99887766554433221100"
BUILD = os.environ.get("FIBERKEY_BUILD_DIR", "build")
HOST = "127.0.0.1"
# Seed keys each KME must hold, of each direction, before the API is tried.
KEYS_WANTED = 40


def kek(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(32))
    return path


class link:
    """Nodes A and B on a noiseless digital line, post-processing rounds of the
    round-level model, with a KME each on a free loopback port."""

    def __init__(self, tls, stores):
        kw = dict(post_process=True, pp_mode="soft", bits_per_round=3, batch_rounds=1000,
                  negotiate=True, pipeline_frames=32, psk_hex=PSK, rounds_source="external",
                  kme_listen=f"{HOST}:0", kme_tls_dir=tls)
        self.a = fiberkey.node("A", "psk", seed=3, kme_store=os.path.join(stores, "a.sqlite"),
                               kme_kek_file=os.path.join(stores, "a.kek"), **kw)
        self.b = fiberkey.node("B", "psk", seed=4, kme_store=os.path.join(stores, "b.sqlite"),
                               kme_kek_file=os.path.join(stores, "b.kek"), **kw)
        self.tb = gr.top_block()
        for node in (self.a, self.b):
            self.tb.connect(blocks.vector_source_b([0x5A] * PAYLOAD, True), (node, 0))
            self.tb.connect((node, 1), blocks.null_sink(gr.sizeof_char))
        self.tb.connect((self.a, 0), (self.b, 1))
        self.tb.connect((self.b, 0), (self.a, 1))
        rounds = fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 91)
        self.tb.msg_connect(self.a.demux, "blocks", rounds, "tick")
        for node, port in ((self.a, "a"), (self.b, "b")):
            self.tb.msg_connect(rounds, port, node, "pp_rounds")


class qa_key_delivery(gr_unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fiberkey-kme-")
        cls.tls = os.path.join(cls.dir, "tls")
        tool = os.path.join(BUILD, "apps", "fiberkey-tool")
        subprocess.run([tool, "kme-pki", cls.tls, "--sae", "SAE_A", "--sae", "SAE_B",
                        "--sae", "SAE_C"], check=True, capture_output=True, timeout=60)
        # A second CA, whose SAE_A is not the real one.
        cls.rogue = os.path.join(cls.dir, "rogue")
        subprocess.run([tool, "kme-pki", cls.rogue, "--sae", "SAE_A"], check=True,
                       capture_output=True, timeout=60)
        cls.stores = os.path.join(cls.dir, "stores")
        os.mkdir(cls.stores, 0o700)
        for n in "ab":
            kek(os.path.join(cls.stores, f"{n}.kek"))
        cls.link = link(cls.tls, cls.stores)
        cls.link.tb.start()
        kmes = (cls.link.a.kme, cls.link.b.kme)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and min(
                k.keys_available(d) for k in kmes for d in (0, 1)) < KEYS_WANTED:
            time.sleep(0.1)
        cls.port = {"A": cls.link.a.kme.port(), "B": cls.link.b.kme.port()}

    @classmethod
    def tearDownClass(cls):
        if cls.link is not None:
            cls.link.tb.stop()
            cls.link.tb.wait()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def sae(self, name, at, tls=None):
        tls = tls or self.tls
        return etsi.SAE(HOST, self.port[at], os.path.join(tls, f"{name}.pem"),
                        os.path.join(tls, f"{name}.key"), os.path.join(self.tls, "ca.pem"))

    def assert_error(self, reply, status):
        code, body, raw = reply
        self.assertEqual(code, status, raw[:300])
        etsi.validate(body, "error")

    def test_001_keys_grew_for_applications(self):
        for node in (self.link.a, self.link.b):
            for d in (0, 1):
                self.assertGreaterEqual(node.kme.keys_available(d), KEYS_WANTED)
            self.assertEqual(node.pp_own.app_keys_dropped(), 0)
            # One key in four re-keyed the link: the link still carried every frame.
            self.assertEqual(node.rx_crypt.frames_dropped(), 0)

    def test_002_status(self):
        code, body, raw = self.sae("SAE_A", "A").status("SAE_B")
        self.assertEqual(code, 200, raw)
        etsi.validate(body, "status")
        self.assertEqual((body["source_KME_ID"], body["target_KME_ID"]), ("KME_A", "KME_B"))
        self.assertEqual((body["master_SAE_ID"], body["slave_SAE_ID"]), ("SAE_A", "SAE_B"))
        self.assertEqual(body["key_size"], 256)
        self.assertGreaterEqual(body["stored_key_count"], KEYS_WANTED)
        self.assertEqual(body["max_SAE_ID_count"], 0)

    def exchange(self, master, slave, number, size, use_get=False):
        """enc_keys at the master's KME, dec_keys at the slave's: the keys of both."""
        at = {"SAE_A": "A", "SAE_B": "B"}
        if use_get:
            reply = self.sae(master, at[master]).get_enc_keys(slave, number, size)
        else:
            reply = self.sae(master, at[master]).post_enc_keys(
                slave, {"number": number, "size": size})
        code, body, raw = reply
        self.assertEqual(code, 200, raw[:300])
        etsi.validate(body, "key_container")
        taken = etsi.decode_keys(body)
        self.assertEqual(len(taken), number)
        ids = [k for k, _ in taken]
        if use_get and number == 1:
            code, body, raw = self.sae(slave, at[slave]).get_dec_keys(master, ids[0])
        else:
            code, body, raw = self.sae(slave, at[slave]).post_dec_keys(master, ids)
        self.assertEqual(code, 200, raw[:300])
        etsi.validate(body, "key_container")
        return taken, etsi.decode_keys(body)

    def test_003_master_and_slave_get_the_same_keys(self):
        for master, slave in (("SAE_A", "SAE_B"), ("SAE_B", "SAE_A")):
            taken, given = self.exchange(master, slave, 3, 256)
            self.assertEqual(taken, given)
            self.assertTrue(all(len(k) == 32 for _, k in taken))
            self.assertEqual(len({k for _, k in taken}), 3)
            for key_id, _ in taken:
                self.assertEqual(str(uuid.UUID(key_id)), key_id)

    def test_004_sizes_and_get_methods(self):
        # 512 bits: two seed keys consumed together at both ends; 72 bits: a part of one.
        for size in (512, 72, 4096):
            taken, given = self.exchange("SAE_A", "SAE_B", 1, size, use_get=True)
            self.assertEqual(taken, given)
            self.assertEqual(len(taken[0][1]), size // 8)

    def test_005_bad_requests_cost_no_key(self):
        kme_a, kme_b = self.link.a.kme, self.link.b.kme

        def delivered():  # the link keeps adding keys: what went out says what was taken
            return (kme_a.keys_delivered_as_master(), kme_b.keys_delivered_as_slave())
        before = delivered()
        refused = kme_a.requests_refused() + kme_b.requests_refused()
        a = self.sae("SAE_A", "A")
        ca = os.path.join(self.tls, "ca.pem")
        anonymous = etsi.SAE(HOST, self.port["A"], None, None, ca)
        rogue = self.sae("SAE_A", "A", tls=self.rogue)
        stranger = self.sae("SAE_C", "A")
        kme_as_client = etsi.SAE(HOST, self.port["A"], os.path.join(self.tls, "kme_b.pem"),
                                 os.path.join(self.tls, "kme_b.key"), ca)
        for who in (anonymous, rogue, stranger, kme_as_client):
            self.assert_error(who.status("SAE_B"), 401)
            self.assert_error(who.post_enc_keys("SAE_B", {"number": 1}), 401)
            self.assert_error(who.get_enc_keys("SAE_B", 1), 401)
        # SAE_A asks B's KME for keys issued to SAE_B: not served there.
        self.assert_error(self.sae("SAE_A", "B").post_dec_keys(
            "SAE_B", [str(uuid.uuid4())]), 401)
        for body in ("{not json", "[1, 2]", {"number": "3"}, {"number": 0},
                     {"number": 129}, {"size": 7}, {"size": 12}, {"size": 8192},
                     {"number": 1, "additional_slave_SAE_IDs": ["SAE_C"]},
                     {"number": 1, "extension_mandatory": [{"abc": 1}]}):
            self.assert_error(a.post_enc_keys("SAE_B", body), 400)
        self.assert_error(a.get_enc_keys("SAE_B", -1), 400)
        self.assert_error(a.request("GET", "/api/v1/keys/SAE_B/enc_keys",
                                    query={"number": "1e3"}), 400)
        self.assert_error(a.status("SAE_X"), 400)
        self.assert_error(a.post_enc_keys("SAE_X", {"number": 1}), 400)
        self.assert_error(a.request("GET", "/api/v1/keys/SAE_B/no_such_method"), 404)
        self.assertIn(etsi.plain_http_request(HOST, self.port["A"],
                                              "/api/v1/keys/SAE_B/status"),
                      ("closed", "tls-alert", 400))
        b = self.sae("SAE_B", "B")
        for ids in ([], ["not-a-uuid"], [str(uuid.uuid4())]):
            self.assert_error(b.post_dec_keys("SAE_A", ids), 400)
        self.assert_error(b.post_dec_keys("SAE_A", "{oops"), 400)
        self.assert_error(b.post_dec_keys("SAE_X", [str(uuid.uuid4())]), 400)
        # More than the pool holds: 503.
        self.assert_error(a.post_enc_keys("SAE_B", {"number": 128, "size": 4096}), 503)
        self.assertEqual(delivered(), before)
        self.assertEqual(kme_a.requests_refused() + kme_b.requests_refused(), refused + 33)

        # A key ID already delivered, asked for again: 400, once delivered is once.
        taken, given = self.exchange("SAE_A", "SAE_B", 2, 256)
        self.assertEqual(taken, given)
        self.assert_error(b.post_dec_keys("SAE_A", [taken[0][0]]), 400)
        # Named twice in one request, or with one unknown ID: nothing delivered.
        taken = etsi.decode_keys(a.post_enc_keys("SAE_B", {"number": 2})[1])
        ids = [k for k, _ in taken]
        self.assert_error(b.post_dec_keys("SAE_A", [ids[0], ids[0]]), 400)
        self.assert_error(b.post_dec_keys("SAE_A", [ids[0], str(uuid.uuid4())]), 400)
        code, body, _ = b.post_dec_keys("SAE_A", ids)
        self.assertEqual(code, 200)
        self.assertEqual(etsi.decode_keys(body), taken)

    def test_006_concurrent_clients(self):
        results, errors = [], []

        def client(master, slave):
            try:
                for _ in range(3):
                    results.append(self.exchange(master, slave, 2, 256))
            except Exception as e:  # noqa: BLE001 (reported below)
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=pair)
                   for pair in [("SAE_A", "SAE_B"), ("SAE_B", "SAE_A")] * 3]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 18)
        keys = [k for taken, given in results for k in taken]
        for taken, given in results:
            self.assertEqual(taken, given)
        self.assertEqual(len(set(keys)), len(keys), "no key handed out twice")

    def test_007_resumed_tls_sessions_are_the_same_sae(self):
        """A client that resumes its TLS session (libcurl, Java and browsers do) is
        served, and known, as on its first connection."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # session resumption at once
        ctx.load_verify_locations(os.path.join(self.tls, "ca.pem"))
        ctx.load_cert_chain(os.path.join(self.tls, "SAE_A.pem"),
                            os.path.join(self.tls, "SAE_A.key"))
        session = None
        for attempt in range(2):
            with socket.create_connection((HOST, self.port["A"]), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname=HOST, session=session) as tls:
                    tls.sendall(b"GET /api/v1/keys/SAE_B/status HTTP/1.1\r\nHost: kme\r\n"
                                b"Connection: close\r\n\r\n")
                    answer = b""
                    while chunk := tls.recv(65536):
                        answer += chunk
                    self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
                    self.assertIn(b'"master_SAE_ID":"SAE_A"', answer)
                    if attempt == 1:
                        self.assertTrue(tls.session_reused)
                    session = tls.session

    def test_009_restarted_nodes_serve_stored_keys(self):
        # Last: the link stops, and KMEs start again on the same stores without it.
        self.link.tb.stop()
        self.link.tb.wait()
        stored = self.link.a.kme.keys_available(0)
        type(self).link = None
        kmes = {}
        for n, own, peer, d in (("a", "SAE_A", "SAE_B", 0), ("b", "SAE_B", "SAE_A", 1)):
            kmes[n] = fiberkey.key_delivery(
                f"KME_{n.upper()}", f"KME_{'B' if n == 'a' else 'A'}", own, peer, d,
                f"{HOST}:0", os.path.join(self.tls, "ca.pem"),
                os.path.join(self.tls, f"kme_{n}.pem"), os.path.join(self.tls, f"kme_{n}.key"),
                os.path.join(self.stores, f"{n}.sqlite"), os.path.join(self.stores, f"{n}.kek"))
        self.assertEqual(kmes["a"].keys_available(0), stored)
        # The notices go straight from one KME to the other here (in a node, over INT).
        tb = gr.top_block()
        tb.msg_connect(kmes["a"], "send", kmes["b"], "recv")
        tb.msg_connect(kmes["b"], "send", kmes["a"], "recv")
        tb.start()
        try:
            self.port = {"A": kmes["a"].port(), "B": kmes["b"].port()}
            taken, given = self.exchange("SAE_A", "SAE_B", 4, 256)
            self.assertEqual(taken, given)
            self.assertEqual(kmes["a"].keys_available(0), stored - 4)
        finally:
            tb.stop()
            tb.wait()


if __name__ == "__main__":
    gr_unittest.run(qa_key_delivery)
