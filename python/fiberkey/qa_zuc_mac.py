#!/usr/bin/env python3
#
# Copyright 2026 The gr-fiberkey authors.
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""128-EIA3 and the ZUC-256 MAC from Python: a published vector of each, bad arguments."""
from gnuradio import gr_unittest
from gnuradio import fiberkey


class qa_zuc_mac(gr_unittest.TestCase):
    def test_001_eia3_test_set_3(self):
        # 3GPP 128-EEA3/EIA3 Document 3 (implementors' test data), test set 3: LENGTH 577.
        key = bytes.fromhex("c9e6cec4607c72db000aefa88385ab0a")
        message = bytes.fromhex(
            "983b41d47d780c9e1ad11d7eb70391b1de0b35da2dc62f83e7b78d6306ca0ea0"
            "7e941b7be91348f9fcb170e2217fecd97f9f68adb16e5d7d21e569d280ed775c"
            "ebde3f4093c5388100000000")
        self.assertEqual(fiberkey.eia3_mac(key, 0xa94059da, 0x0a, 1, message, 577), 0xfae8ff0b)
        # Test set 1: one bit.
        self.assertEqual(fiberkey.eia3_mac(bytes(16), 0, 0, 0, b"\x00", 1), 0xc8a9595e)

    def test_002_zuc256_mac_paper_vectors(self):
        # "The ZUC-256 Stream Cipher" (2018): all-one key and IV, 4,000 bits of 0x11 bytes.
        key = b"\xff" * 32
        iv = b"\xff" * 17 + b"\x3f" * 8
        message = b"\x11" * 500
        self.assertEqual(fiberkey.zuc256_mac(key, iv, message, 4000, 32).hex(), "5c7c8b88")
        self.assertEqual(fiberkey.zuc256_mac(key, iv, message, 4000, 64).hex(),
                         "ea1dee544bb6223b")
        self.assertEqual(fiberkey.zuc256_mac(key, iv, message, 4000, 128).hex(),
                         "3a83b554be408ca5494124ed9d473205")
        # All-zero key and IV, 400 zero bits.
        self.assertEqual(fiberkey.zuc256_mac(bytes(32), bytes(25), bytes(50), 400, 64).hex(),
                         "673e54990034d38c")

    def test_003_bad_arguments_raise_value_error(self):
        with self.assertRaises(ValueError):
            fiberkey.eia3_mac(bytes(16), 0, 32, 0, b"\x00", 8)  # BEARER out of range
        with self.assertRaises(ValueError):
            fiberkey.eia3_mac(bytes(16), 0, 0, 0, b"\x00", 9)  # message too short
        with self.assertRaises(ValueError):
            fiberkey.eia3_mac(bytes(15), 0, 0, 0, b"\x00", 8)  # key size
        with self.assertRaises(ValueError):
            fiberkey.zuc256_mac(bytes(32), bytes(25), bytes(50), 400, 48)  # tag size
        with self.assertRaises(ValueError):
            fiberkey.zuc256_mac(bytes(32), b"\x00" * 24 + b"\x40", bytes(50), 400, 64)
        with self.assertRaises(ValueError):
            fiberkey.zuc256_mac(bytes(32), bytes(24), bytes(50), 400, 64)  # IV size


if __name__ == "__main__":
    gr_unittest.run(qa_zuc_mac)
