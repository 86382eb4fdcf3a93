#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Seed keys as text lines, for the example flowgraphs and their tests."""
import sys

import pmt
from gnuradio import gr

DIRECTIONS = ("AB", "BA")


class key_log(gr.basic_block):
    """Prints every seed key PDU (from a Key Post-Processor's or a node's "seed_keys") as
    one line "seed key LABEL DIRECTION INDEX HEX" on stdout, flushed at once, and appends
    it to `filename` when one is given. Seed keys are secrets: this is for labs and tests.
    """

    def __init__(self, label="", filename=""):
        gr.basic_block.__init__(self, "fiberkey_key_log", None, None)
        self.label = label
        self.filename = filename
        self.keys = 0
        self.message_port_register_in(pmt.intern("seed_keys"))
        self.set_msg_handler(pmt.intern("seed_keys"), self.handle)

    def handle(self, msg):
        if not pmt.is_pair(msg) or not pmt.is_u8vector(pmt.cdr(msg)):
            return
        meta = pmt.car(msg)
        direction = pmt.to_long(pmt.dict_ref(meta, pmt.intern("direction"), pmt.from_long(0)))
        index = pmt.to_long(pmt.dict_ref(meta, pmt.intern("key_index"), pmt.from_long(-1)))
        key = bytes(pmt.u8vector_elements(pmt.cdr(msg)))
        line = f"seed key {self.label} {DIRECTIONS[direction & 1]} {index} {key.hex()}"
        self.keys += 1
        print(line, file=sys.stdout, flush=True)
        if self.filename:
            with open(self.filename, "a") as f:
                f.write(line + "\n")
