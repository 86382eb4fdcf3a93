#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The framing chain end to end: mux -> crypt -> line encoder -> bits -> line decoder ->
crypt -> demux, with random payloads and keys, any bit offset, channel errors and bad input."""
import random

import numpy as np
import pmt
from gnuradio import blocks, gr, gr_unittest
from gnuradio import fiberkey

FL = fiberkey.frame_layout
FRAME = FL.frame_bytes
ITEM = FL.frame_item_bytes  # a frame on a stream, zero-padded
PAYLOAD = FL.payload_bytes
FRAME_BITS = FRAME * 8


def pdu(data, meta=None):
    return pmt.cons(meta if meta is not None else pmt.make_dict(),
                    pmt.init_u8vector(len(data), list(data)))


def tags_by_key(tags, key):
    return [t for t in tags if pmt.symbol_to_string(t.key) == key]


class qa_framing(gr_unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(3)
        self.key = bytes(self.rng.getrandbits(8) for _ in range(16))

    def transmit(self, payload, fec=True, neg_blocks=(), int_chunks=(), first_counter=0,
                 neg_int=(), integrity=True):
        """Runs mux -> zuc_crypt -> line_encoder and returns the unpacked bits. neg_int[i],
        when given, is attached to NEG block i as the INT records of its frame."""
        tb = gr.top_block()
        src = blocks.vector_source_b(list(payload), False)
        mux = fiberkey.otu_mux(first_counter, 64, False)
        for i, b in enumerate(neg_blocks):
            meta = pmt.make_dict()
            if i < len(neg_int):
                meta = pmt.dict_add(meta, pmt.intern("int"),
                                    pmt.init_u8vector(len(neg_int[i]), list(neg_int[i])))
            mux._post(pmt.intern("neg"), pdu(b, meta))
        for c in int_chunks:
            mux._post(pmt.intern("int"), pdu(c))
        crypt = fiberkey.zuc_crypt(0, True, list(self.key), 1, integrity=integrity)
        enc = fiberkey.line_encoder(fec, False)
        sink = blocks.vector_sink_b()
        tb.connect(src, mux, crypt, enc, sink)
        tb.run()
        return np.array(sink.data(), dtype=np.uint8)

    def receive(self, bits, fec=True, integrity=True):
        """Runs line_decoder -> zuc_crypt -> otu_demux over bits; returns what came out."""
        tb = gr.top_block()
        src = blocks.vector_source_b(bits.tolist(), False)
        dec = fiberkey.line_decoder(fec, 246)
        crypt = fiberkey.zuc_crypt(0, False, list(self.key), 1, integrity=integrity)
        self.rx_crypt = crypt
        demux = fiberkey.otu_demux()
        sink = blocks.vector_sink_b()
        neg = blocks.message_debug()
        intb = blocks.message_debug()
        tb.connect(src, dec, crypt, demux, sink)
        tb.msg_connect(demux, "neg", neg, "store")
        tb.msg_connect(demux, "int", intb, "store")
        tb.run()
        payload = bytes(sink.data())
        counters = [pmt.to_uint64(t.value) for t in tags_by_key(sink.tags(), "frame_counter")]
        negs = [neg.get_message(i) for i in range(neg.num_messages())]
        ints = [intb.get_message(i) for i in range(intb.num_messages())]
        return payload, counters, negs, ints, dec, demux

    def random_bytes(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def check_payload(self, sent, received, counters, first_counter=0):
        self.assertEqual(len(received), PAYLOAD * len(counters))
        for i, c in enumerate(counters):
            k = c - first_counter
            self.assertEqual(received[i * PAYLOAD:(i + 1) * PAYLOAD],
                             sent[k * PAYLOAD:(k + 1) * PAYLOAD], f"frame {c}")

    def test_001_round_trip_with_neg_and_int(self):
        frames = 5
        payload = self.random_bytes(frames * PAYLOAD)
        negs = [self.random_bytes(255) for _ in range(frames)]
        # One fragment record per frame (type 3, 205 bytes: stream, sequence, index,
        # count, 200 data bytes); two do not fit in one INT block, so one goes per frame.
        ints = [bytes([3, 205, 1, 0, i + 1, 0, 1]) + self.random_bytes(200)
                for i in range(frames)]
        bits = self.transmit(payload, True, negs, ints, first_counter=1000)
        self.assertEqual(len(bits), frames * FRAME_BITS)
        received, counters, got_negs, got_ints, dec, demux = self.receive(bits)
        # Alignment needs the FAS confirmed and the counter confirmed by consecutive frames.
        self.assertGreaterEqual(len(counters), frames - 2)
        self.assertEqual(counters, list(range(1000 + frames - len(counters), 1000 + frames)))
        self.check_payload(payload, received, counters, first_counter=1000)
        for m, c in zip(got_negs, counters):
            self.assertEqual(bytes(pmt.u8vector_elements(pmt.cdr(m))), negs[c - 1000])
        self.assertEqual(len(got_ints), len(counters))
        for m, c in zip(got_ints, counters):
            info = bytes(pmt.u8vector_elements(pmt.cdr(m)))
            self.assertEqual(info[:207], ints[c - 1000])
            self.assertEqual(info[207:], bytes(239 - 207))
        self.assertEqual(demux.int_uncorrectable() + demux.int_rejected(), 0)

    def test_006c_uncorrectable_frames_are_marked_to_the_client(self):
        """A payload codeword of frame 3 hit beyond RS(255,239): without integrity tags
        the frame is delivered, its payload tagged fec_uncorrectable (1 codeword) through
        the crypt and the demux; with them it is dropped as damaged, not as forged."""
        frames = 5
        payload = self.random_bytes(frames * PAYLOAD)
        for integrity in (False, True):
            bits = self.transmit(payload, True, first_counter=40, integrity=integrity)
            # Codeword 5 of row 2 (columns 5 + 16 i, payload), 12 of its symbols.
            for s in range(20, 32):
                byte = 3 * FRAME + 2 * 4080 + 5 + 16 * s
                bits[8 * byte + 3] ^= 1
            tb = gr.top_block()
            dec = fiberkey.line_decoder(True, 246)
            crypt = fiberkey.zuc_crypt(0, False, list(self.key), 1, integrity=integrity)
            demux = fiberkey.otu_demux()
            sink = blocks.vector_sink_b()
            tb.connect(blocks.vector_source_b(bits.tolist(), False), dec, crypt, demux,
                       sink)
            tb.run()
            self.assertEqual(dec.uncorrectable_codewords(), 1)
            marks = tags_by_key(sink.tags(), "fec_uncorrectable")
            counters = {t.offset: pmt.to_uint64(t.value)
                        for t in tags_by_key(sink.tags(), "frame_counter")}
            self.assertEqual(demux.frames_with_uncorrectable_codewords(), len(marks))
            if integrity:
                self.assertEqual(marks, [])
                self.assertEqual(crypt.frames_damaged(), 1)
                self.assertEqual(crypt.frames_rejected_by_tag(), 0)
                self.assertNotIn(43, counters.values())
            else:
                self.assertEqual(len(marks), 1)
                self.assertEqual(pmt.to_uint64(marks[0].value), 1)
                self.assertEqual(counters[marks[0].offset], 43)

    def test_007_int_records_attached_to_neg_stay_in_its_frame(self):
        # The negotiator's bookkeeping rides with its NEG block: queued INT PDUs (here
        # 150-byte fragments, one per frame at most) never push it into a later frame.
        frames = 5
        payload = self.random_bytes(frames * PAYLOAD)
        negs = [self.random_bytes(255) for _ in range(frames)]
        attached = [bytes([3, 75, 2, 0, i + 1, 0, 1]) + self.random_bytes(70)
                    for i in range(frames)]
        queued = [bytes([3, 150, 1, 0, i + 1, 0, 1]) + self.random_bytes(145)
                  for i in range(2 * frames)]
        bits = self.transmit(payload, True, negs, queued, first_counter=0, neg_int=attached)
        _, counters, got_negs, got_ints, _, _ = self.receive(bits)
        self.assertGreaterEqual(len(counters), frames - 2)
        for m, i, c in zip(got_negs, got_ints, counters):
            self.assertEqual(bytes(pmt.u8vector_elements(pmt.cdr(m))), negs[c])
            info = bytes(pmt.u8vector_elements(pmt.cdr(i)))
            self.assertEqual(info[:77], attached[c], f"frame {c}")
            self.assertEqual(info[77:77 + 152], queued[c], f"frame {c}")

    def test_008_core_frame_codec_matches_the_mux(self):
        # The bound codec (fiberkey.otu_frame) builds what the mux sends, and takes the
        # mux's frames apart again.
        frames = 3
        payload = self.random_bytes(frames * PAYLOAD)
        negs = [self.random_bytes(255) for _ in range(frames)]
        # 152-byte records: one per INT block.
        ints = [bytes([3, 150, 1, 0, i + 1, 0, 1]) + self.random_bytes(145) for i in range(frames)]
        tb = gr.top_block()
        mux = fiberkey.otu_mux(500, 64, False)
        for b in negs:
            mux._post(pmt.intern("neg"), pdu(b))
        for c in ints:
            mux._post(pmt.intern("int"), pdu(c))
        sink = blocks.vector_sink_b(ITEM)
        tb.connect(blocks.vector_source_b(list(payload), False), mux, sink)
        tb.run()
        out = bytes(sink.data())
        of = fiberkey.otu_frame
        for i in range(frames):
            frame = out[i * ITEM:i * ITEM + FRAME]
            self.assertEqual(out[i * ITEM + FRAME:(i + 1) * ITEM], bytes(ITEM - FRAME))
            built = of.build(500 + i, 0, payload[i * PAYLOAD:(i + 1) * PAYLOAD], negs[i],
                             ints[i])
            self.assertEqual(frame, built, f"frame {i}")
            h = of.header_of(frame)
            self.assertEqual((h.counter, h.epoch, h.clear), (500 + i, 0, False))
            self.assertEqual(of.payload_of(frame), payload[i * PAYLOAD:(i + 1) * PAYLOAD])
            self.assertEqual(of.neg_of(frame), negs[i])
            corrected, info = of.int_of(frame)
            self.assertEqual((corrected, info), (0, ints[i] + bytes(239 - len(ints[i]))))
        clear = of.make_clear(out[:FRAME])
        self.assertTrue(of.header_of(clear).clear)
        self.assertEqual(of.payload_of(clear), bytes(PAYLOAD))
        self.assertEqual(of.int_of(clear)[1], ints[0] + bytes(239 - len(ints[0])))
        with self.assertRaises(ValueError):
            of.build(0, 0, b"short")

    def test_002_alignment_from_any_bit_offset_and_garbage(self):
        frames = 4
        payload = self.random_bytes(frames * PAYLOAD)
        bits = self.transmit(payload, True)
        for offset in (1, 7, 12345, FRAME_BITS - 3):
            garbage = np.array([self.rng.getrandbits(1) for _ in range(offset)], dtype=np.uint8)
            received, counters, _, _, _, _ = self.receive(np.concatenate([garbage, bits]))
            self.assertGreaterEqual(len(counters), frames - 2, f"offset {offset}")
            self.check_payload(payload, received, counters)
        # Cut into the first frame: alignment still finds the later ones.
        received, counters, _, _, _, _ = self.receive(bits[5000:])
        self.assertGreaterEqual(len(counters), frames - 3)
        self.check_payload(payload, received, counters)

    def test_003_fec_corrects_channel_errors(self):
        frames = 4
        payload = self.random_bytes(frames * PAYLOAD)
        bits = self.transmit(payload, True)
        noisy = bits.copy()
        # 300 isolated bit errors outside the FAS: well within 8 symbols per codeword.
        positions = self.rng.sample(range(FRAME_BITS * frames), 300)
        for p in positions:
            if p % FRAME_BITS >= 48:
                noisy[p] ^= 1
        received, counters, _, _, dec, _ = self.receive(noisy, fec=True)
        self.assertGreaterEqual(len(counters), frames - 2)
        self.check_payload(payload, received, counters)
        self.assertGreater(dec.corrected_symbols(), 0)
        self.assertEqual(dec.uncorrectable_codewords(), 0)

    def test_004_fec_off_and_corrupted_int_dropped_whole(self):
        frames = 4
        payload = self.random_bytes(frames * PAYLOAD)
        noisy = {}
        for integrity in (False, True):
            bits = self.transmit(payload, False, int_chunks=[bytes([4, 3, 9, 0, 1])] * frames,
                                 integrity=integrity)
            noisy[integrity] = bits.copy()
            int_start = FL.int_offset * 8
            for f in range(frames):
                # 40 byte errors in each INT block: beyond RS(255,239).
                for b in range(40):
                    noisy[integrity][f * FRAME_BITS + int_start + 8 * b * 5] ^= 1
        # Without integrity tags the payload goes on and the demux drops the INT block.
        received, counters, _, ints, _, demux = self.receive(noisy[False], fec=False,
                                                             integrity=False)
        self.check_payload(payload, received, counters)
        self.assertEqual(len(ints), 0)
        self.assertEqual(demux.int_uncorrectable() + demux.int_rejected(), len(counters))
        # With them the frame's tag cannot be checked: the whole frame is dropped as
        # damaged, not as a tag failure.
        received, counters, _, ints, dec, demux = self.receive(noisy[True], fec=False)
        self.assertEqual(len(counters), 0)
        self.assertGreater(dec.frames(), 0)
        self.assertEqual(self.rx_crypt.frames_damaged(), dec.frames())
        self.assertEqual(self.rx_crypt.frames_rejected_by_tag(), 0)

    def test_005_random_input_never_crashes(self):
        bits = np.frombuffer(np.random.default_rng(5).integers(0, 2, 3 * FRAME_BITS,
                                                                dtype=np.uint8).tobytes(),
                             dtype=np.uint8)
        received, counters, negs, ints, dec, _ = self.receive(bits)
        self.assertEqual(counters, [])
        self.assertEqual(received, b"")
        self.assertFalse(dec.in_frame())

    def test_006_packed_output_and_bad_parameters(self):
        tb = gr.top_block()
        src = blocks.vector_source_b(list(self.random_bytes(PAYLOAD)), False)
        mux = fiberkey.otu_mux()
        enc = fiberkey.line_encoder(True, True)
        sink = blocks.vector_sink_b()
        tb.connect(src, mux, enc, sink)
        tb.run()
        out = bytes(sink.data())
        self.assertEqual(len(out), FRAME)
        self.assertEqual(out[:6], bytes.fromhex("f6f6f6282828"), "FAS is not scrambled")
        with self.assertRaises(Exception):
            fiberkey.otu_mux(0, 0)
        with self.assertRaises(Exception):
            fiberkey.otu_mux(1 << 32)
        with self.assertRaises(Exception):
            fiberkey.line_decoder(True, 0)

    def test_006b_packed_input_decodes_as_bits_do(self):
        """Five frames packed, the line started 3 bits late: a packed decoder gives the
        frames and counters that an unpacked one gives on the same bits."""
        tb = gr.top_block()
        mux = fiberkey.otu_mux(7)
        enc = fiberkey.line_encoder(True, True)
        sink = blocks.vector_sink_b()
        tb.connect(blocks.vector_source_b(list(self.random_bytes(5 * PAYLOAD)), False),
                   mux, enc, sink)
        tb.run()
        bits = np.unpackbits(np.array(sink.data(), dtype=np.uint8))[3:]
        bits = bits[:len(bits) // 8 * 8]
        outputs = []
        for packed, data in ((False, bits), (True, np.packbits(bits))):
            tb = gr.top_block()
            dec = fiberkey.line_decoder(True, 246, packed)
            self.assertEqual(dec.packed(), packed)
            frames = blocks.vector_sink_b(ITEM)
            tb.connect(blocks.vector_source_b(data.tolist(), False), dec, frames)
            tb.run()
            counters = [pmt.to_uint64(t.value)
                        for t in tags_by_key(frames.tags(), "frame_counter")]
            outputs.append((bytes(frames.data()), counters))
        self.assertEqual(outputs[0][1], [9, 10])  # found at frame 8, confirmed at 9
        self.assertEqual(outputs[1], outputs[0])

    def test_009_payload_check_through_the_frames(self):
        """Client bytes through mux and demux, one frame lost on the way and three bits
        flipped: the check counts the bits and keeps its alignment."""
        pattern = b"\x5a" + self.random_bytes(PAYLOAD - 1)
        tb = gr.top_block()
        mux = fiberkey.otu_mux()
        demux = fiberkey.otu_demux()
        frames = blocks.vector_sink_b(ITEM)
        tb.connect(blocks.vector_source_b(list(pattern * 4), False), mux, frames)
        tb.run()
        items = bytearray(frames.data())
        del items[ITEM:2 * ITEM]  # the second frame lost whole
        items[ITEM + 1 * 4080 + 20] ^= 0x11  # payload bytes (rows 1, 2) of the third
        items[2 * ITEM + 2 * 4080 + 500] ^= 0x80
        tags = []
        for i, counter in enumerate((0, 2, 3)):
            for key, value in (("frame_counter", pmt.from_uint64(counter)),
                               ("key_epoch", pmt.from_long(0))):
                t = gr.tag_t()
                t.offset, t.key, t.value = i, pmt.intern(key), value
                tags.append(t)
        check = fiberkey.payload_check(pattern)
        tb = gr.top_block()
        tb.connect(blocks.vector_source_b(list(items), False, ITEM, tags), demux, check)
        tb.run()
        self.assertTrue(check.started())
        self.assertEqual(check.bytes_checked(), 3 * PAYLOAD)
        self.assertEqual((check.bytes_wrong(), check.bits_wrong()), (2, 3))
        with self.assertRaises(Exception):
            fiberkey.payload_check(b"\x00\x01")
        with self.assertRaises(Exception):
            fiberkey.payload_check(b"")

    def test_010_payload_source_repeats_its_pattern(self):
        """The source's bytes are the pattern repeated, as a repeating Vector Source's
        are; through mux and demux the check finds them whole."""
        pattern = b"\x5a" + self.random_bytes(PAYLOAD - 1)
        n = 3 * PAYLOAD + 1234
        tb = gr.top_block()
        ours, theirs = blocks.vector_sink_b(), blocks.vector_sink_b()
        tb.connect(fiberkey.payload_source(pattern), blocks.head(gr.sizeof_char, n), ours)
        tb.connect(blocks.vector_source_b(list(pattern), True),
                   blocks.head(gr.sizeof_char, n), theirs)
        tb.run()
        self.assertEqual(bytes(ours.data()), bytes(theirs.data()))
        mux, demux = fiberkey.otu_mux(), fiberkey.otu_demux()
        check = fiberkey.payload_check(pattern)
        tb = gr.top_block()
        tb.connect(fiberkey.payload_source(pattern),
                   blocks.head(gr.sizeof_char, 4 * PAYLOAD), mux, demux, check)
        tb.run()
        self.assertEqual((check.bytes_checked(), check.bits_wrong()), (4 * PAYLOAD, 0))
        for bad in (b"\x00\x01", b""):
            with self.assertRaises(Exception):
                fiberkey.payload_source(bad)


if __name__ == "__main__":
    gr_unittest.run(qa_framing)
