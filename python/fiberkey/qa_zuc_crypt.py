#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
import random

import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

FRAME = fiberkey.frame_layout.frame_bytes
ITEM = fiberkey.frame_layout.frame_item_bytes  # a frame on a stream, zero-padded
EPOCH_BYTE = fiberkey.frame_layout.epoch_flags


def frame_tags(counters, epoch=0):
    tags = []
    for i, c in enumerate(counters):
        for key, value in (("frame_counter", pmt.from_uint64(c)),
                           ("key_epoch", pmt.from_long(epoch))):
            t = gr.tag_t()
            t.offset = i
            t.key = pmt.intern(key)
            t.value = value
            tags.append(t)
    return tags


def key_pdu(key, epoch, start):
    meta = pmt.dict_add(pmt.make_dict(), pmt.intern("epoch"), pmt.from_long(epoch))
    meta = pmt.dict_add(meta, pmt.intern("start_counter"), pmt.from_uint64(start))
    return pmt.cons(meta, pmt.init_u8vector(len(key), list(key)))


class qa_zuc_crypt(gr_unittest.TestCase):
    def setUp(self):
        self.tb = gr.top_block()
        self.rng = random.Random(2026)

    def tearDown(self):
        self.tb = None

    def frames(self, n):
        return [bytes(self.rng.getrandbits(8) for _ in range(FRAME)) for _ in range(n)]

    def run_block(self, block, frames, tags):
        # Padding of anything on the way in; zeros on the way out.
        items = b"".join(f + b"\xa5" * (ITEM - FRAME) for f in frames)
        src = blocks.vector_source_b(list(items), False, ITEM, tags)
        sink = blocks.vector_sink_b(ITEM)
        events = blocks.message_debug()
        self.tb.connect(src, block, sink)
        self.tb.msg_connect(block, "events", events, "store")
        self.tb.run()
        data = bytes(sink.data())
        out = [data[i:i + FRAME] for i in range(0, len(data), ITEM)]
        for i in range(0, len(data), ITEM):
            self.assertEqual(data[i + FRAME:i + ITEM], bytes(ITEM - FRAME))
        msgs = [events.get_message(i) for i in range(events.num_messages())]
        return out, sink.tags(), msgs

    def test_001_transmit_matches_core_cipher_and_receive_restores(self):
        key = bytes(range(16))
        frames = self.frames(4)
        counters = [7, 8, 9, 10]
        tx = fiberkey.zuc_crypt(0, True, list(key), 2, "auto", integrity=False)
        out, tags, _ = self.run_block(tx, frames, frame_tags(counters, epoch=0))
        self.assertEqual(len(out), 4)
        cipher = fiberkey.frame_cipher("portable")
        for f, c, o in zip(frames, counters, out):
            expected = bytearray(f)
            expected[EPOCH_BYTE] = (expected[EPOCH_BYTE] & 0xF8) | 2
            self.assertEqual(o, cipher.crypt(bytes(expected), key, c, 0))
        epochs = [pmt.to_long(t.value) for t in tags if pmt.symbol_to_string(t.key) == "key_epoch"]
        self.assertEqual(epochs, [2] * 4)

        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(0, False, list(key), 2, "portable", integrity=False)
        back, _, _ = self.run_block(rx, out, frame_tags(counters, epoch=2))
        for f, b in zip(frames, back):
            expected = bytearray(f)
            expected[EPOCH_BYTE] = (expected[EPOCH_BYTE] & 0xF8) | 2
            self.assertEqual(b, bytes(expected))

    def test_002_key_switch_on_the_announced_frame(self):
        k0, k1 = bytes([1] * 16), bytes([2] * 16)
        frames = self.frames(6)
        counters = list(range(100, 106))
        tx = fiberkey.zuc_crypt(1, True, list(k0), 0, integrity=False)
        tx._post(pmt.intern("key"), key_pdu(k1, 1, 103))
        out, tags, msgs = self.run_block(tx, frames, frame_tags(counters))
        cipher = fiberkey.frame_cipher()
        for f, c, o in zip(frames, counters, out):
            epoch = 1 if c >= 103 else 0
            expected = bytearray(f)
            expected[EPOCH_BYTE] = (expected[EPOCH_BYTE] & 0xF8) | epoch
            self.assertEqual(o, cipher.crypt(bytes(expected), k1 if epoch else k0, c, 1))
        activated = [m for m in msgs
                     if pmt.symbol_to_string(pmt.dict_ref(m, pmt.intern("event"), pmt.PMT_NIL))
                     == "key_activated"]
        self.assertEqual([pmt.to_uint64(pmt.dict_ref(m, pmt.intern("frame_counter"), pmt.PMT_NIL))
                          for m in activated], [100, 103])

        # The receiver follows the epoch in each frame's tag.
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(1, False, list(k0), 0, integrity=False)
        rx.set_key(list(k1), 1, 103)
        rx_tags = []
        for i, c in enumerate(counters):
            rx_tags += frame_tags([c], epoch=1 if c >= 103 else 0)
            rx_tags[-1].offset = rx_tags[-2].offset = i
        back, _, _ = self.run_block(rx, out, rx_tags)
        self.assertEqual(len(back), 6)
        for f, b in zip(frames, back):
            self.assertEqual(b[:EPOCH_BYTE], f[:EPOCH_BYTE])
            self.assertEqual(b[EPOCH_BYTE + 1:], f[EPOCH_BYTE + 1:])

    def test_003_drops_and_reports_instead_of_reusing_keystream(self):
        key = bytes([9] * 16)
        frames = self.frames(5)
        tx = fiberkey.zuc_crypt(0, True, list(key), 0, integrity=False)
        # Counter 11 repeats: the second frame 11 must not be encrypted again.
        out, _, msgs = self.run_block(tx, frames, frame_tags([10, 11, 11, 12, 5]))
        self.assertEqual(len(out), 3)
        self.assertEqual(tx.frames_dropped(), 2)
        reasons = [pmt.symbol_to_string(pmt.dict_ref(m, pmt.intern("reason"), pmt.PMT_NIL))
                   for m in msgs if pmt.dict_has_key(m, pmt.intern("reason"))]
        self.assertIn("frame counter already used under this key", reasons)

    def test_004_no_key_untagged_frames_and_bad_key_messages(self):
        frames = self.frames(3)
        tx = fiberkey.zuc_crypt(0, True, integrity=False)
        tx._post(pmt.intern("key"), pmt.cons(pmt.make_dict(), pmt.init_u8vector(3, [1, 2, 3])))
        tags = frame_tags([1, 2])  # the third frame has no tags
        out, _, msgs = self.run_block(tx, frames, tags)
        self.assertEqual(len(out), 0)
        self.assertEqual(tx.frames_dropped(), 3)
        events = [pmt.symbol_to_string(pmt.dict_ref(m, pmt.intern("event"), pmt.PMT_NIL))
                  for m in msgs]
        self.assertIn("key_rejected", events)

    def test_005_clear_until_keyed(self):
        key = bytes([7] * 16)
        frames = self.frames(4)
        tx = fiberkey.zuc_crypt(0, True, [], 0, "auto", True, integrity=False)
        tx._post(pmt.intern("key"), key_pdu(key, 1, 2))
        out, _, _ = self.run_block(tx, frames, frame_tags([0, 1, 2, 3]))
        self.assertEqual(len(out), 4)
        self.assertEqual(tx.frames_clear(), 2)
        int_start = fiberkey.frame_layout.int_offset
        for f, o in zip(frames[:2], out[:2]):
            self.assertEqual(o[EPOCH_BYTE], 0x04, "clear frames carry the flag")
            self.assertEqual(o[:EPOCH_BYTE], f[:EPOCH_BYTE], "clear overhead kept")
            self.assertEqual(o[int_start:], f[int_start:], "INT kept")
            self.assertEqual(o[14:3824], bytes(3824 - 14), "payload zeroed")
            self.assertEqual(o[fiberkey.frame_layout.neg_offset:int_start], bytes(255),
                             "NEG zeroed")
        self.assertEqual(out[2][EPOCH_BYTE] & 0x07, 1)

        # The receiver passes the clear frames, decrypts the rest, then refuses clear ones.
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(0, False, [], 0, "auto", True, integrity=False)
        rx.set_key(list(key), 1, 2)
        replay = out + [out[0]]
        back, _, _ = self.run_block(rx, replay, frame_tags([0, 1, 2, 3, 4], epoch=1))
        self.assertEqual(len(back), 4)
        self.assertEqual(rx.frames_clear(), 2)
        self.assertEqual(rx.frames_dropped(), 1)
        for f, b in zip(frames[2:], back[2:]):
            self.assertEqual(b[EPOCH_BYTE + 1:], f[EPOCH_BYTE + 1:])
        for f, b in zip(frames[:2], back[:2]):
            self.assertEqual(b[int_start:], f[int_start:])

        # Without allow_clear a receiver refuses clear frames outright.
        self.tb = gr.top_block()
        strict = fiberkey.zuc_crypt(0, False, list(key), 1, integrity=False)
        back, _, _ = self.run_block(strict, out[:2], frame_tags([0, 1], epoch=1))
        self.assertEqual(len(back), 0)

    def test_006_immediate_key_and_revocation(self):
        key = bytes([5] * 16)
        # Received frames without the clear flag (bit 2 of row 0 column 13).
        frames = [f[:EPOCH_BYTE] + bytes([f[EPOCH_BYTE] & 0xFB]) + f[EPOCH_BYTE + 1:]
                  for f in self.frames(3)]
        rx = fiberkey.zuc_crypt(0, False, [], 0, integrity=False)
        meta = pmt.dict_add(pmt.make_dict(), pmt.intern("epoch"), pmt.from_long(2))
        rx._post(pmt.intern("key"), pmt.cons(meta, pmt.init_u8vector(16, list(key))))
        # A counter far from 0: an immediate key has no start to wait for.
        out, _, msgs = self.run_block(rx, frames, frame_tags([3_000_000_000 + i for i in range(3)], 2))
        self.assertEqual(len(out), 3)

        self.tb = gr.top_block()
        rx2 = fiberkey.zuc_crypt(0, False, list(key), 2, integrity=False)
        rx2._post(pmt.intern("key"), pmt.cons(meta, pmt.init_u8vector(0, [])))
        out, _, msgs = self.run_block(rx2, frames, frame_tags([1, 2, 3], 2))
        self.assertEqual(len(out), 0, "the revoked key decrypts nothing")

    def sealed_frames(self, counters, epoch=0):
        """Plaintext frames as the mux builds them: random payload and NEG, a valid INT."""
        out = []
        for c in counters:
            payload = bytes(self.rng.getrandbits(8) for _ in range(fiberkey.frame_layout.payload_bytes))
            neg = bytes(self.rng.getrandbits(8) for _ in range(255))
            info = bytes(self.rng.getrandbits(8) for _ in range(239))
            out.append(fiberkey.otu_frame.build(c, epoch, payload, neg, info))
        return out

    @staticmethod
    def events(msgs, name):
        return [m for m in msgs
                if pmt.symbol_to_string(pmt.dict_ref(m, pmt.intern("event"), pmt.PMT_NIL)) == name]

    def test_009_integrity_tag_rejects_tampered_frames(self):
        key = bytes(range(100, 116))
        counters = list(range(40, 52))
        frames = self.sealed_frames(counters)
        tx = fiberkey.zuc_crypt(1, True, list(key), 0)
        self.assertTrue(tx.integrity())
        sent, _, _ = self.run_block(tx, frames, frame_tags(counters))
        self.assertEqual(len(sent), len(frames))
        tag = fiberkey.frame_layout.tag_offset
        # The tag travels encrypted: the field is not the plaintext's zeros, nor readable.
        self.assertTrue(all(s[tag:tag + 8] != bytes(8) for s in sent))

        # An active attacker flips ciphertext bits: payload of frame 2, INT information
        # of frame 5 (a valid RS codeword difference would do as well: the tag decides),
        # the tag field itself of frame 8. NEG of frame 10 is not covered: it passes.
        tampered = [bytearray(s) for s in sent]
        tampered[2][5000] ^= 0x10
        tampered[5][fiberkey.frame_layout.int_offset + 7] ^= 0x01
        tampered[8][tag + 3] ^= 0x80
        tampered[10][fiberkey.frame_layout.neg_offset + 9] ^= 0x04
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(1, False, list(key), 0)
        back, tags, msgs = self.run_block(rx, [bytes(t) for t in tampered], frame_tags(counters))
        kept = [c for c in counters if c not in (counters[2], counters[8])]
        # Frame 5's INT error is one symbol: RS corrects it and the tag holds.
        self.assertEqual(len(back), len(kept))
        self.assertEqual(rx.frames_rejected_by_tag(), 2)
        self.assertEqual(rx.frames_dropped(), 2)
        self.assertEqual([pmt.to_uint64(t.value) for t in tags
                          if pmt.symbol_to_string(t.key) == "frame_counter"], kept)
        originals = [f for c, f in zip(counters, frames) if c in kept]
        for f, b in zip(originals, back):
            self.assertEqual(b[EPOCH_BYTE + 1:fiberkey.frame_layout.neg_offset],
                             f[EPOCH_BYTE + 1:fiberkey.frame_layout.neg_offset])
        self.assertEqual(len(self.events(msgs, "frame_rejected_by_tag")), 2)
        # Two failures in the window raise the alarm at the default threshold.
        self.assertTrue(rx.tag_alarm())
        self.assertEqual(len(self.events(msgs, "tag_alarm")), 1)

    def test_010_peer_without_integrity_and_forged_epochs(self):
        key, later = bytes([3] * 16), bytes([4] * 16)
        counters = list(range(1, 9))
        frames = self.sealed_frames(counters)
        tx = fiberkey.zuc_crypt(0, True, list(key), 0, "auto", False, False)
        sent, _, _ = self.run_block(tx, frames, frame_tags(counters))
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(0, False, list(key), 0)
        rx.set_tag_alarm_threshold(0.004)  # more than 4 failures in 1,024 frames
        back, _, msgs = self.run_block(rx, sent, frame_tags(counters))
        self.assertEqual(len(back), 0)
        self.assertEqual(rx.frames_rejected_by_tag(), 8)
        self.assertEqual(len(self.events(msgs, "tag_alarm")), 1)
        with self.assertRaises(ValueError):
            rx.set_tag_alarm_threshold(1.0)

        # Frames that claim the next epoch but fail their tag do not make the receiver
        # switch: genuine frames of the current epoch still decrypt after them.
        tx = fiberkey.zuc_crypt(0, True, list(key), 0)
        self.tb = gr.top_block()
        sent, _, _ = self.run_block(tx, frames, frame_tags(counters))
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(0, False, list(key), 0)
        rx.set_key(list(later), 1, 0)
        forged = [bytes(s[:EPOCH_BYTE]) + bytes([1]) + bytes(s[EPOCH_BYTE + 1:]) for s in sent[:4]]
        rx_tags = frame_tags(counters[:4], epoch=1) + [
            t for t in frame_tags(counters, epoch=0) if t.offset >= 4]
        back, _, _ = self.run_block(rx, forged + list(sent[4:]), rx_tags)
        # Decrypted under the wrong key their INT is noise: dropped before the tag check.
        self.assertEqual(rx.frames_dropped(), 4)
        self.assertEqual(len(back), 4)
        for f, b in zip(frames[4:], back):
            self.assertEqual(b[EPOCH_BYTE + 1:], f[EPOCH_BYTE + 1:])

    def test_011_with_the_session_key_a_forger_passes(self):
        """The tag's limit (docs/security.md): whoever holds the session key can decrypt,
        change, reseal and re-encrypt a frame, and the receiver takes it."""
        key = bytes(range(50, 66))
        frames = self.sealed_frames([9])
        tx = fiberkey.zuc_crypt(0, True, list(key), 0)
        sent, _, _ = self.run_block(tx, frames, frame_tags([9]))
        cipher, tagger = fiberkey.frame_cipher(), fiberkey.frame_tag()
        plain = bytearray(cipher.crypt(sent[0], key, 9, 0))
        plain[3000] ^= 0xFF
        forged = cipher.crypt(tagger.seal(bytes(plain), key, 9, 0), key, 9, 0)
        self.tb = gr.top_block()
        rx = fiberkey.zuc_crypt(0, False, list(key), 0)
        back, _, _ = self.run_block(rx, [forged], frame_tags([9]))
        self.assertEqual(len(back), 1)
        self.assertEqual(rx.frames_rejected_by_tag(), 0)
        self.assertEqual(back[0][3000], frames[0][3000] ^ 0xFF)

    def test_012_key_message_numbers_of_either_pmt_type_and_range(self):
        """An epoch or start counter as a PMT integer or uint64 is taken; one out of range
        (2^40 + 1 is no epoch 1) or of another type is refused and reported."""
        key = list(range(16))
        crypt = fiberkey.zuc_crypt(0, False, integrity=False)
        cases = ((pmt.from_uint64(1), pmt.from_uint64(5), True),
                 (pmt.from_long(2), pmt.from_long(9), True),
                 (pmt.from_uint64(2**40 + 1), None, False),
                 (pmt.from_long(-1), None, False),
                 (pmt.intern("1"), None, False),
                 (pmt.from_long(3), pmt.from_uint64(2**32), False),
                 (pmt.from_long(3), pmt.from_long(-5), False))
        for epoch, start, _ in cases:
            meta = pmt.dict_add(pmt.make_dict(), pmt.intern("epoch"), epoch)
            if start is not None:
                meta = pmt.dict_add(meta, pmt.intern("start_counter"), start)
            crypt._post(pmt.intern("key"), pmt.cons(meta, pmt.init_u8vector(16, key)))
        _, _, msgs = self.run_block(crypt, [], [])
        rejected = self.events(msgs, "key_rejected")
        self.assertEqual(len(rejected), sum(not ok for _, _, ok in cases))

    def test_013_after_a_long_gap_the_key_that_decrypts(self):
        """Every frame lost while four keys took effect: the next frame's epoch names the
        receiver's active key and the fourth in line; the receiver takes the one under
        which the frame's INT block decodes (and its tag holds), and stays in step."""
        keys = [bytes([40 + k] * 16) for k in range(6)]
        counters = list(range(100))
        plain = self.sealed_frames(counters)
        for integrity in (False, True):
            self.tb = gr.top_block()
            tx = fiberkey.zuc_crypt(0, True, list(keys[0]), 0, integrity=integrity)
            for k in range(1, 6):  # one key every 16 frames, as key_schedule holds them
                tx.set_key(list(keys[k]), k % 4, 16 * k)
            sent, sent_tags, _ = self.run_block(tx, plain, frame_tags(counters))
            epochs = [pmt.to_long(t.value) for t in sorted(sent_tags, key=lambda t: t.offset)
                      if pmt.symbol_to_string(t.key) == "key_epoch"]
            # Frame 0, then nothing until counter 70 (under key 4, epoch 0 again).
            kept = [0] + list(range(70, 100))
            self.tb = gr.top_block()
            rx = fiberkey.zuc_crypt(0, False, list(keys[0]), 0, integrity=integrity)
            for k in range(1, 6):
                rx.set_key(list(keys[k]), k % 4, 0)  # in effect as soon as a frame says so
            tags = []
            for i, c in enumerate(kept):
                tags += frame_tags([c], epochs[c])
                tags[-1].offset = tags[-2].offset = i
            back, _, msgs = self.run_block(rx, [sent[c] for c in kept], tags)
            self.assertEqual(len(back), len(kept), f"integrity {integrity}")
            for c, b in zip(kept, back):
                self.assertEqual(b[:EPOCH_BYTE], plain[c][:EPOCH_BYTE])
                self.assertEqual(b[EPOCH_BYTE + 1:], plain[c][EPOCH_BYTE + 1:], c)
            self.assertEqual(rx.frames_rejected_by_tag(), 0)

    def test_007_bad_parameters(self):
        with self.assertRaises(Exception):
            fiberkey.zuc_crypt(2, True)
        with self.assertRaises(Exception):
            fiberkey.zuc_crypt(0, True, [1, 2, 3])
        with self.assertRaises(Exception):
            fiberkey.zuc_crypt(0, True, [0] * 16, 4)
        with self.assertRaises(Exception):
            fiberkey.zuc_crypt(0, True, [0] * 16, 0, "fast")

    def test_008_core_bindings(self):
        z = fiberkey.zuc.zuc128(bytes(16), bytes(16))
        self.assertEqual(z.words(2), [0x27BEDE74, 0x018082DA])
        ct = fiberkey.eea3(bytes.fromhex("173D14BA5003731D7A60049470F00A29"), 0x66035492, 0x0F,
                           0, bytes.fromhex("6CF65340735552AB0C9752FA6F9025FE0BD675D9005875B200"),
                           193)
        self.assertEqual(ct.hex(), "a6c85fc66afb8533aafc2518dfe784940ee1e4b030238cc800")
        self.assertEqual(sum(fiberkey.frame_cipher.lane_bytes()),
                         fiberkey.frame_layout.encrypted_bytes)


if __name__ == "__main__":
    gr_unittest.run(qa_zuc_crypt)
