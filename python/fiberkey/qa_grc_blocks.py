#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Every GRC block definition: documented, in the tree, and its make template and
callbacks match the Python API (the template is rendered with the defaults and run)."""
import os
import subprocess
import tempfile

import yaml
from gnuradio import gr_unittest
from mako.template import Template
from gnuradio import fiberkey  # noqa: F401 (used by the rendered templates)

GRC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grc")


# Parameters whose defaults cannot run without files from the user.
PSK = {"psk_hex": "'" + "00" * 32 + "'"}
TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
OVERRIDES = {"fiberkey_key_exchange": dict(PSK, mode="'psk'"),
             # With the tap, so that its callback (put the coupler in or out) applies.
             "fiberkey_fiber_link": {"eve_tap": "True"},
             "fiberkey_node": dict(PSK, key_mode="'psk'"),
             "fiberkey_pattern_rounds": {
                 "pattern_a": repr(os.path.join(TESTDATA, "lab_pattern_a")),
                 "pattern_b": repr(os.path.join(TESTDATA, "lab_pattern_b"))}}
QUOTED = ("string", "file_open", "file_save")
BUILD = os.environ.get("FIBERKEY_BUILD_DIR", "build")


def key_delivery_files(work):
    """A KME's TLS files, store and key-encryption key in work, on a free port."""
    tls = os.path.join(work, "tls")
    subprocess.run([os.path.join(BUILD, "apps", "fiberkey-tool"), "kme-pki", tls],
                   check=True, capture_output=True, timeout=60)
    kek = os.path.join(work, "kek")
    fd = os.open(kek, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, os.urandom(32))
    os.close(fd)
    return {"listen_address": "'127.0.0.1:0'", "ca_file": repr(os.path.join(tls, "ca.pem")),
            "cert_file": repr(os.path.join(tls, "kme_a.pem")),
            "key_file": repr(os.path.join(tls, "kme_a.key")),
            "store_path": repr(os.path.join(work, "store.sqlite")), "kek_file": repr(kek)}


def render(template, values):
    """The template as GRC renders it (Mako), the block's id being "block"."""
    return Template(template).render(id="block", **values)


def make_block(template, values):
    """Runs a make template: the constructor, then any lines that call the new block's
    setters (self.block.set_...)."""
    lines = render(template, values).strip().splitlines()
    setters = next((i for i, line in enumerate(lines) if line.startswith("self.")),
                   len(lines))
    block = eval(" ".join(lines[:setters]))
    holder = type("flowgraph", (), {})()
    holder.block = block
    for line in lines[setters:]:
        exec(line, globals(), {"self": holder})
    return block


class qa_grc_blocks(gr_unittest.TestCase):
    def load(self):
        blocks = {}
        for name in sorted(os.listdir(GRC_DIR)):
            if name.endswith(".block.yml"):
                with open(os.path.join(GRC_DIR, name)) as f:
                    blocks[name] = yaml.safe_load(f)
        return blocks

    def test_001_definitions(self):
        work = tempfile.TemporaryDirectory(prefix="fiberkey-grc-")
        self.addCleanup(work.cleanup)
        OVERRIDES["fiberkey_key_delivery"] = key_delivery_files(work.name)
        blocks = self.load()
        self.assertGreater(len(blocks), 0)
        with open(os.path.join(GRC_DIR, "fiberkey.tree.yml")) as f:
            tree = yaml.safe_load(f)
        in_tree = {b for group in tree["[fiberkey]"] for blist in group.values() for b in blist}
        for name, d in blocks.items():
            with self.subTest(block=name):
                self.assertEqual(name, d["id"] + ".block.yml")
                self.assertIn(d["id"], in_tree)
                self.assertGreater(len(d.get("documentation", "")), 200)
                self.assertEqual(d["file_format"], 1)
                # GRC quotes string parameters; everything else is a Python expression.
                values = {p["id"]: repr(str(p.get("default", ""))) if p["dtype"] in QUOTED
                          else str(p.get("default", "")) for p in d.get("parameters", [])}
                values.update(OVERRIDES.get(d["id"], {}))
                block = make_block(d["templates"]["make"], values)
                for cb in d["templates"].get("callbacks", []):
                    method = cb.split("(")[0]
                    self.assertTrue(hasattr(block, method), f"{d['id']}: no {method}")
                    eval("block." + render(cb, values))
                # Python blocks (the node, the key log) have no C++ template.
                if "cpp" in d["flags"]:
                    self.assertEqual(d["cpp_templates"]["link"], ["gnuradio::gnuradio-fiberkey"])
                else:
                    self.assertEqual(d["flags"], ["python"])
                    self.assertNotIn("cpp_templates", d)


if __name__ == "__main__":
    gr_unittest.run(qa_grc_blocks)
