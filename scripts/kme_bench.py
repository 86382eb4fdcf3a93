#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Key delivery (ETSI GS QKD 014) rate and latency on this machine: two Key Delivery
blocks back to back (their notices straight to each other, as over INT), filled with
application keys, and SAEs over HTTPS with mutual TLS (the tests' client: Python's ssl
and http.client, a new connection per request). Prints the figures of docs/performance.md.

    PYTHONPATH=build/python /usr/bin/python3 scripts/kme_bench.py [--keys 4000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pmt
from gnuradio import gr
from gnuradio import fiberkey

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "fiberkey"))
import etsi014_test_sae as etsi  # noqa: E402

BUILD = os.environ.get("FIBERKEY_BUILD_DIR", os.path.join(HERE, "..", "build"))


def key_pdu(direction, index, link):
    key = os.urandom(32)
    meta = pmt.make_dict()
    meta = pmt.dict_add(meta, pmt.intern("direction"), pmt.from_long(direction))
    meta = pmt.dict_add(meta, pmt.intern("key_index"), pmt.from_long(index))
    meta = pmt.dict_add(meta, pmt.intern("key_id"), pmt.intern(
        fiberkey.application_key_id(link, direction, index, 256 * index)))
    return pmt.cons(meta, pmt.init_u8vector(32, list(key)))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=4000, help="seed keys stored per KME")
    p.add_argument("--requests", type=int, default=200, help="latency samples")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="fiberkey-kme-bench-")
    tls = os.path.join(work, "tls")
    subprocess.run([os.path.join(BUILD, "apps", "fiberkey-tool"), "kme-pki", tls],
                   check=True, capture_output=True)
    kmes = {}
    for n, own, peer, d in (("a", "SAE_A", "SAE_B", 0), ("b", "SAE_B", "SAE_A", 1)):
        kek = os.path.join(work, f"{n}.kek")
        fd = os.open(kek, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)
        kmes[n] = fiberkey.key_delivery(
            f"KME_{n.upper()}", f"KME_{'B' if n == 'a' else 'A'}", own, peer, d,
            "127.0.0.1:0", os.path.join(tls, "ca.pem"), os.path.join(tls, f"kme_{n}.pem"),
            os.path.join(tls, f"kme_{n}.key"), os.path.join(work, f"{n}.sqlite"), kek)
    tb = gr.top_block()
    tb.msg_connect(kmes["a"], "send", kmes["b"], "recv")
    tb.msg_connect(kmes["b"], "send", kmes["a"], "recv")
    tb.start()

    # Storing: the keys of direction AB, as both post-processors hand them over.
    link = os.urandom(32)
    pdus = [key_pdu(0, i, link) for i in range(1, args.keys + 1)]
    start = time.monotonic()
    for pdu in pdus:
        for k in kmes.values():
            k.to_basic_block()._post(pmt.intern("keys"), pdu)
    while min(k.keys_available(0) for k in kmes.values()) < args.keys:
        time.sleep(0.01)
    stored = time.monotonic() - start
    print(f"store: {2 * args.keys / stored:,.0f} seed keys/s into two stores "
          f"({1e3 * stored / args.keys:.2f} ms per key at both ends; each key one "
          f"synchronous SQLite transaction)")

    port = {"A": kmes["a"].port(), "B": kmes["b"].port()}
    ca = os.path.join(tls, "ca.pem")
    sae_a = etsi.SAE("127.0.0.1", port["A"], os.path.join(tls, "SAE_A.pem"),
                     os.path.join(tls, "SAE_A.key"), ca)
    sae_b = etsi.SAE("127.0.0.1", port["B"], os.path.join(tls, "SAE_B.pem"),
                     os.path.join(tls, "SAE_B.key"), ca)
    enc, dec = [], []
    for _ in range(args.requests):
        t0 = time.monotonic()
        code, body, _ = sae_a.post_enc_keys("SAE_B", {"number": 1})
        t1 = time.monotonic()
        assert code == 200, body
        ids = [k["key_ID"] for k in body["keys"]]
        code, body2, _ = sae_b.post_dec_keys("SAE_A", ids)
        t2 = time.monotonic()
        assert code == 200 and body2["keys"] == body["keys"], body2
        enc.append(t1 - t0)
        dec.append(t2 - t1)
    for name, v in (("enc_keys (1 key)", enc), ("dec_keys (1 key)", dec)):
        print(f"{name}: median {1e3 * statistics.median(v):.1f} ms, 95th percentile "
              f"{1e3 * percentile(v, 95):.1f} ms over {len(v)} requests (new TLS "
              f"connection each)")

    batches = (kmes["a"].keys_available(0)) // 128
    start = time.monotonic()
    for _ in range(batches):
        code, body, _ = sae_a.post_enc_keys("SAE_B", {"number": 128})
        assert code == 200
        code, _, _ = sae_b.post_dec_keys("SAE_A", [k["key_ID"] for k in body["keys"]])
        assert code == 200
    spent = time.monotonic() - start
    print(f"delivery: {batches * 128 / spent:,.0f} keys of 256 bits/s to both SAEs "
          f"(128 keys a request, enc_keys at A then dec_keys at B)")
    tb.stop()
    tb.wait()


if __name__ == "__main__":
    main()
