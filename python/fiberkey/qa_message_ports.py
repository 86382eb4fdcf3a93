#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Every input message port of every block, fed every kind of bad message: wrong PMT
types, missing and wrongly typed metadata, empty, short, long and huge blobs, huge and
negative numbers. No handler may let an exception out (GNU Radio would end the block's
thread, and the flowgraph would run on with that block dead): the run's stderr must hold
no "thread[...]" error, no bad message may count as a good one, and every message of the
wrong shape for its port must be counted as refused (messages_refused)."""
import math
import os
import random
import subprocess
import sys
import tempfile
import time

import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

ITEM = fiberkey.frame_layout.frame_item_bytes
PSK = "00112233445566778899aabbccddeeff" * 2

# Metadata keys the blocks read, each given values of every wrong type.
META_KEYS = ("frame_counter", "key_epoch", "epoch", "start_counter", "direction", "int_ok",
             "stream", "corrected", "sequence", "count", "role", "index", "leader",
             "disagreement", "bits_leaked", "rounds_used", "lock", "outage")
WRONG_VALUES = (pmt.from_long(5), pmt.from_long(-1), pmt.from_uint64(2**40 + 1),
                pmt.from_uint64(2**64 - 1), pmt.from_double(math.nan),
                pmt.from_double(1e300), pmt.intern("x"), pmt.PMT_NIL, pmt.PMT_T,
                pmt.init_u8vector(3, [1, 2, 3]), pmt.make_dict())


def blob(n, rng):
    return pmt.init_u8vector(n, [rng.getrandbits(8) for _ in range(n)])


def hostile_messages():
    """A fixed battery (seeded): the same bad input every run."""
    rng = random.Random(16)
    plain = [pmt.PMT_NIL, pmt.PMT_T, pmt.PMT_F, pmt.intern("rx"), pmt.from_long(-1),
             pmt.from_uint64(2**64 - 1), pmt.from_double(math.nan), pmt.make_dict(),
             pmt.make_vector(3, pmt.PMT_NIL), pmt.make_tuple(pmt.PMT_NIL, pmt.PMT_T),
             pmt.cons(pmt.PMT_NIL, pmt.PMT_NIL), pmt.cons(pmt.make_dict(), pmt.PMT_NIL),
             pmt.cons(pmt.init_u8vector(4, [1, 2, 3, 4]), pmt.make_dict()),
             pmt.cons(pmt.make_dict(), pmt.init_f32vector(16, [0.5] * 16)),
             pmt.cons(pmt.intern("meta"), blob(16, rng))]
    sizes = (0, 1, 16, 255, 239, 494, 1000, 100_000)
    plain += [pmt.cons(pmt.make_dict(), blob(n, rng)) for n in sizes]
    plain += [pmt.cons(pmt.PMT_NIL, blob(n, rng)) for n in (16, 494)]
    with_meta = []
    for key in META_KEYS:
        for value in WRONG_VALUES:
            meta = pmt.dict_add(pmt.make_dict(), pmt.intern(key), value)
            n = rng.choice(sizes[:6])
            with_meta.append(pmt.cons(meta, blob(n, rng)))
            with_meta.append(meta)  # a bare dict with that key
    # Every key at once, each with a random wrong value.
    for _ in range(20):
        meta = pmt.make_dict()
        for key in META_KEYS:
            meta = pmt.dict_add(meta, pmt.intern(key), rng.choice(WRONG_VALUES))
        with_meta.append(pmt.cons(meta, blob(rng.choice(sizes[:6]), rng)))
    return plain + with_meta


class captured_log:
    """fds 1 and 2 of this process into a file for the duration: GNU Radio's console log
    (where a dying block thread is reported) goes to stdout."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.file = tempfile.TemporaryFile(mode="w+b")
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(self.file.fileno(), 1)
        os.dup2(self.file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)
        self.file.seek(0)
        self.text = self.file.read().decode(errors="replace")
        self.file.close()


class throwing_handler(gr.basic_block):
    """A block whose handler throws: the control that shows the check below sees a
    block thread die."""

    def __init__(self):
        gr.basic_block.__init__(self, "throwing_handler", None, None)
        self.message_port_register_in(pmt.intern("in"))
        self.message_port_register_out(pmt.intern("out"))
        self.set_msg_handler(pmt.intern("in"), self.handle)

    def handle(self, msg):
        raise RuntimeError("a handler that throws")


def is_byte_pdu(m):
    return pmt.is_pdu(m) and pmt.is_u8vector(pmt.cdr(m))


# What each kind of port takes; anything else must be refused. None: any message (a
# trigger whose content is not read).
SHAPES = {"pdu": is_byte_pdu, "dict": pmt.is_dict, "uint64": pmt.is_uint64,
          "u64vector": pmt.is_u64vector, "bool": pmt.is_bool, "any": None}


def dead_threads(log):
    return [line for line in log.text.splitlines() if "ERROR thread[" in line]


class qa_message_ports(gr_unittest.TestCase):
    def test_000_the_check_sees_a_thread_die(self):
        tb = gr.top_block()
        block = throwing_handler()
        tb.msg_connect(block, "out", blocks.message_debug(), "store")
        with captured_log() as log:
            tb.start()
            block._post(pmt.intern("in"), pmt.PMT_NIL)
            time.sleep(0.3)
            tb.stop()
            tb.wait()
        self.assertEqual(len(dead_threads(log)), 1, log.text[-2000:])

    def subjects(self):
        """(name, block, its input message ports with the shape each takes, a callable
        wiring its stream ports into tb, a check that no bad message was taken as good),
        one per block with message inputs."""
        crypt = fiberkey.zuc_crypt(0, False)
        negotiator = fiberkey.negotiator("A", 496, 5, 0)
        pp = fiberkey.key_post_processor(0, True)
        channel = fiberkey.int_channel(78, 1024, 4)
        exchange = fiberkey.key_exchange("A", "psk", psk_hex=PSK)
        observer = fiberkey.eve_observer()
        rounds = fiberkey.model_rounds(496, 1e-3, 0.2, 1e-5, 3)
        mux = fiberkey.otu_mux(0, 64, True)
        counts = fiberkey.round_counts()
        monitor = fiberkey.link_monitor()
        guard = fiberkey.tap_alarm_guard()
        # Patterns of 3 frames from counter 0 (testdata, seeded): no hostile message names
        # one of their counters, so none may form a round.
        testdata = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
        pattern = fiberkey.pattern_rounds(os.path.join(testdata, "lab_pattern_a"),
                                          os.path.join(testdata, "lab_pattern_b"))
        delivery = self.key_delivery()

        def crypt_streams(tb):
            tb.connect(blocks.null_source(ITEM), crypt, blocks.null_sink(ITEM))

        def mux_streams(tb):
            tb.connect(blocks.null_source(1), mux, blocks.null_sink(ITEM))

        def counts_streams(tb):
            tb.connect((counts, 0), blocks.null_sink(gr.sizeof_float))
            tb.connect((counts, 1), blocks.null_sink(gr.sizeof_float))

        def monitor_streams(tb):
            tb.connect(blocks.null_source(gr.sizeof_float), monitor)

        return [
            ("zuc_crypt", crypt, {"key": "pdu"}, crypt_streams, None),
            ("negotiator", negotiator, {"rx": "pdu", "rx_status": "any"}, None, None),
            ("key_post_processor", pp, {"rounds": "dict", "recv": "pdu", "hold": "bool"}, None,
             lambda: pp.keys() == 0),
            ("int_channel", channel, {"rx_int": "pdu", "send": "pdu"}, None, None),
            ("key_exchange", exchange, {"recv": "pdu"}, None, None),
            ("eve_observer", observer, {"from_a": "pdu", "from_b": "pdu"}, None,
             lambda: observer.rounds_emitted() == 0),
            ("model_rounds", rounds, {"tick": "any"}, None, None),
            ("otu_mux", mux, {"neg": "pdu", "int": "pdu", "rx_status": "dict",
                              "line_periods": "uint64"}, mux_streams, None),
            ("round_counts", counts, {"rounds": "dict"}, counts_streams, None),
            ("link_monitor", monitor, {"frame_status": "u64vector", "status": "dict",
                                       "control": "any"}, monitor_streams,
             lambda: not monitor.alarmed()),
            # No hostile message is a notice on INT stream 4, nor an alarm dict with a
            # known event and cause: key agreement never becomes held.
            ("tap_alarm_guard", guard, {"alarm": "dict", "recv": "pdu"}, None,
             lambda: not guard.held()),
            ("pattern_rounds", pattern, {"neg_at_a": "pdu", "neg_at_b": "pdu"}, None,
             lambda: pattern.rounds() == 0),
            # No hostile message is an application key (its meta needs a UUID key_id) nor
            # a well-formed notice on INT stream 5.
            ("key_delivery", delivery, {"keys": "pdu", "recv": "pdu"}, None,
             lambda: delivery.keys_available(0) + delivery.keys_available(1) == 0
             and delivery.notices_received() == 0),
        ]

    def key_delivery(self):
        """A KME on a free loopback port, with test TLS files and a fresh store."""
        work = tempfile.TemporaryDirectory(prefix="fiberkey-ports-")
        self.addCleanup(work.cleanup)
        tls = os.path.join(work.name, "tls")
        build = os.environ.get("FIBERKEY_BUILD_DIR", "build")
        subprocess.run([os.path.join(build, "apps", "fiberkey-tool"), "kme-pki", tls],
                       check=True, capture_output=True, timeout=60)
        kek = os.path.join(work.name, "kek")
        fd = os.open(kek, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)
        return fiberkey.key_delivery(
            "KME_A", "KME_B", "SAE_A", "SAE_B", 0, "127.0.0.1:0",
            os.path.join(tls, "ca.pem"), os.path.join(tls, "kme_a.pem"),
            os.path.join(tls, "kme_a.key"), os.path.join(work.name, "store.sqlite"), kek)

    def test_001_no_handler_dies_on_bad_messages(self):
        messages = hostile_messages()
        for name, block, ports, streams, check in self.subjects():
            with self.subTest(block=name):
                tb = gr.top_block()
                sink = blocks.message_debug()
                for port in pmt.to_python(block.message_ports_out()) or []:
                    tb.msg_connect(block, port, sink, "store")
                if streams:
                    streams(tb)
                posted = len(ports) * len(messages)
                must_refuse = sum(1 for shape in ports.values() if SHAPES[shape]
                                  for m in messages if not SHAPES[shape](m))
                with captured_log() as log:
                    tb.start()
                    for port in ports:
                        for m in messages:
                            block._post(pmt.intern(port), m)
                    # The block thread works through its queue; a dead thread never ends.
                    deadline = time.monotonic() + 60
                    while (block.messages_received() < posted
                           and time.monotonic() < deadline):
                        time.sleep(0.01)
                    tb.stop()
                    tb.wait()
                self.assertEqual(dead_threads(log), [],
                                 f"{name}: a handler let an exception out")
                self.assertEqual(block.messages_received(), posted, name)
                self.assertGreaterEqual(block.messages_refused(), must_refuse, name)
                self.assertLessEqual(block.messages_refused(), posted, name)
                if check:
                    self.assertTrue(check(), f"{name}: a bad message was taken as good")


if __name__ == "__main__":
    gr_unittest.run(qa_message_ports)
