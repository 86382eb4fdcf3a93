#!/usr/bin/python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The SAEs of scripts/two_hosts.sh --kme, each run beside its node (in its namespace).
They use the tests' client written from ETSI GS QKD 014 (python/fiberkey/
etsi014_test_sae.py: Python's ssl and http.client, no code of the module).

    two_hosts_sae.py enc PORT TLS_DIR OWN PEER NUMBER SECONDS > container.json
        waits until the KME on 127.0.0.1:PORT can hand out NUMBER keys (or SECONDS pass),
        then takes them as SAE OWN for the slave SAE PEER
    two_hosts_sae.py dec PORT TLS_DIR OWN PEER container.json
        gets the same keys by their IDs as SAE OWN from master SAE PEER; exit 0 when the
        keys are the same
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python",
                                "fiberkey"))
import etsi014_test_sae as etsi  # noqa: E402


def sae(port, tls, own):
    return etsi.SAE("127.0.0.1", int(port), os.path.join(tls, f"{own}.pem"),
                    os.path.join(tls, f"{own}.key"), os.path.join(tls, "ca.pem"))


def main(argv):
    what, port, tls, own, peer = argv[:5]
    client = sae(port, tls, own)
    if what == "enc":
        number, seconds = int(argv[5]), float(argv[6])
        deadline = time.monotonic() + seconds
        while True:
            try:
                code, body, _ = client.status(peer)
                if code == 200 and body["stored_key_count"] >= number:
                    break
            except OSError:
                pass  # the KME is not listening yet
            if time.monotonic() > deadline:
                print("two_hosts_sae: no keys to hand out in time", file=sys.stderr)
                return 1
            time.sleep(0.5)
        code, body, raw = client.post_enc_keys(peer, {"number": number})
        if code != 200:
            print(f"two_hosts_sae: enc_keys {code}: {raw[:200]!r}", file=sys.stderr)
            return 1
        etsi.validate(body, "key_container")
        json.dump(body, sys.stdout)
        return 0
    with open(argv[5]) as f:
        taken = json.load(f)
    ids = [k["key_ID"] for k in taken["keys"]]
    code, body, raw = client.post_dec_keys(peer, ids)
    if code != 200:
        print(f"two_hosts_sae: dec_keys {code}: {raw[:200]!r}", file=sys.stderr)
        return 1
    etsi.validate(body, "key_container")
    same = etsi.decode_keys(body) == etsi.decode_keys(taken)
    print(f"two_hosts_sae: {len(ids)} keys taken by {peer}, delivered to {own}: "
          + ("the same keys" if same else "KEYS DIFFER"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
