/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_FRAME_TAGS_H
#define INCLUDED_FIBERKEY_FRAME_TAGS_H

#include <gnuradio/fiberkey/api.h>
#include <pmt/pmt.h>

namespace gr {
namespace fiberkey {

/*!
 * Stream-tag and message keys shared by the frame-domain blocks. A frame stream carries
 * one item per frame (16,830 bytes); each frame item has a "frame_counter" tag (uint64,
 * the 32-bit counter that both ends track) and a "key_epoch" tag (long, 0..3).
 * The symbols are made once and cached.
 */
struct FIBERKEY_API frame_tags {
    static const pmt::pmt_t& frame_counter();
    static const pmt::pmt_t& key_epoch();
    // On a frame whose line FEC left codewords uncorrectable: their number (uint64).
    static const pmt::pmt_t& fec_uncorrectable();
    // Session-key messages: a PDU (meta, u8vector of 16 bytes) with these meta keys.
    static const pmt::pmt_t& epoch();
    static const pmt::pmt_t& start_counter();
    static const pmt::pmt_t& direction();
    // Sample streams (physical layer): "frame_start" on the first FAS sample of a frame,
    // a dict with these keys; the local noise of a frame as "nd1_sigma" / "nd2_sigma".
    static const pmt::pmt_t& frame_start();
    static const pmt::pmt_t& one();
    static const pmt::pmt_t& zero();
    static const pmt::pmt_t& threshold();
    static const pmt::pmt_t& inverted();
    static const pmt::pmt_t& sigma_one();
    static const pmt::pmt_t& sigma_zero();
    static const pmt::pmt_t& correlation();
    static const pmt::pmt_t& fas_ok();
    static const pmt::pmt_t& nd1_sigma();
    static const pmt::pmt_t& nd2_sigma();
};

} // namespace fiberkey
} // namespace gr

#endif
