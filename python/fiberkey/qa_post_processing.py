#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""The core key post-processing from Python: both ends on the round-level model's counts,
every message read through the bound wire codec (fiberkey.pp_messages)."""
from gnuradio import fiberkey, gr_unittest


class qa_post_processing(gr_unittest.TestCase):
    def run_ends(self, spec):
        """Both ends of direction 0 in mode spec ("patent", "soft:3", "multilevel:4"), and
        the levels that its SYNDROME discloses."""
        model_cfg = fiberkey.round_model_config()
        f1, f2, _ = fiberkey.round_model(model_cfg).generate(0, 4000)
        settings = fiberkey.post_processing_settings(spec)
        configs = [fiberkey.make_post_processor_config(role, 0, settings)
                   for role in (fiberkey.pp_role.leader, fiberkey.pp_role.follower)]
        # The optional parts of SYNDROME and RESULT that the mode carries.
        mode, disclosed = settings.mode, configs[0].disclosed_levels
        fields = (mode in (fiberkey.quantizer_mode.soft, fiberkey.quantizer_mode.multilevel),
                  disclosed)
        ends = [fiberkey.post_processor(c) for c in configs]
        kinds = []

        def pump():
            for src, dst in ((ends[0], ends[1]), (ends[1], ends[0])):
                for msg in src.take_messages():
                    m = fiberkey.pp_messages.decode(msg, *fields)
                    self.assertEqual(fiberkey.pp_messages.encode(m), msg)
                    self.assertEqual(m.head.direction, 0)
                    kinds.append(m.head.kind)
                    accepted, reason = dst.handle_message(msg)
                    self.assertTrue(accepted, reason)

        for i in range(len(f1)):
            ends[0].add_round(i + 1, int(f1[i]))
            ends[1].add_round(i + 1, int(f2[i]))
            if i % 50 == 49:
                for _ in range(6):
                    pump()
        return ends, kinds, disclosed

    def test_001_messages_decode_and_keys_agree(self):
        T = fiberkey.pp_messages.type
        # q = 5: 3 key levels, 2 disclosed; q = 4: 2 and 2.
        self.assertEqual(fiberkey.make_post_processor_config(
            fiberkey.pp_role.leader, 0,
            fiberkey.post_processing_settings("multilevel:5")).key_bits_per_round, 3)
        for spec in ("patent", "soft:3", "multilevel:4", "multilevel:5"):
            ends, kinds, disclosed = self.run_ends(spec)
            self.assertEqual(disclosed, 2 if "multi" in spec else 0)
            self.assertEqual(kinds[:4], [T.bitmap, T.bitmap_reply, T.syndrome, T.result])
            leader = {k.key_index: k.key for k in ends[0].take_keys()}
            follower = {k.key_index: k.key for k in ends[1].take_keys()}
            self.assertGreater(len(leader), 0)
            for index, key in follower.items():
                if index in leader:
                    self.assertEqual(key, leader[index])
            # The leader's reports account for every committed secret bit, and for what
            # each batch disclosed: its output is at most the min-entropy less the leak.
            reports = ends[0].take_reports()
            self.assertEqual(sum(r.secret_bits for r in reports if r.reconciled),
                             ends[0].stats().secret_bits)
            for r in (r for r in reports if r.reconciled):
                leak = r.leak
                self.assertEqual(leak.total(),
                                 leak.syndrome_bits + leak.tag_bits + leak.disclosed_bits)
                self.assertGreater(leak.syndrome_bits, 0)
                self.assertEqual(leak.disclosed_bits, disclosed * r.rounds_used)
                self.assertLessEqual(r.secret_bits, r.min_entropy - leak.total())

    def test_002_malformed_bytes_raise_with_the_reason(self):
        with self.assertRaisesRegex(ValueError, "shorter than the header"):
            fiberkey.pp_messages.decode(b"\x01\x00", False)
        m = fiberkey.pp_messages.message()
        m.head.batch = 3
        c = fiberkey.pp_messages.commit()
        c.committed = True
        m.content = c
        raw = fiberkey.pp_messages.encode(m)
        self.assertEqual(raw[0], 5)  # the type comes from the content
        back = fiberkey.pp_messages.decode(raw, False)
        self.assertEqual(back.head.kind, fiberkey.pp_messages.type.commit)
        self.assertTrue(back.content.committed)
        bad = raw[:-5] + b"\x02" + raw[-4:]  # committed: 2, neither yes nor no
        with self.assertRaisesRegex(ValueError, "checksum mismatch"):
            fiberkey.pp_messages.decode(bad, False)
        with self.assertRaisesRegex(ValueError, "malformed COMMIT"):
            fiberkey.pp_messages.decode(fiberkey.pp_messages.reseal(bad), False)


if __name__ == "__main__":
    gr_unittest.run(qa_post_processing)
