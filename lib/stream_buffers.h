/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_STREAM_BUFFERS_H
#define INCLUDED_FIBERKEY_STREAM_BUFFERS_H

#include <gnuradio/block.h>

#include <algorithm>

namespace gr {
namespace fiberkey {

/*!
 * Output buffers for the sample- and bit-domain blocks: 2^18 items, about two frames at
 * one sample per bit (134,640 per frame). With GNU Radio's default (32 KB) a frame
 * crosses every connection in 16 or more pieces, each a work call and a wake-up of both
 * neighbours; at this size a block works on whole frames (docs/performance.md).
 */
inline constexpr long sample_buffer_items = 1L << 18;

//! Asks for sample_buffer_items on every output port (per port: GNU Radio logs nothing).
inline void request_sample_buffers(gr::block& block)
{
    const int ports = std::max(block.output_signature()->max_streams(), 1);
    for (int port = 0; port < ports; ++port)
        block.set_min_output_buffer(port, sample_buffer_items);
}

} // namespace fiberkey
} // namespace gr

#endif
