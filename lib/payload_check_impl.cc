/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "payload_check_impl.h"
#include <gnuradio/io_signature.h>

namespace gr {
namespace fiberkey {

payload_check::sptr payload_check::make(const std::vector<uint8_t>& pattern)
{
    return gnuradio::make_block_sptr<payload_check_impl>(pattern);
}

payload_check_impl::payload_check_impl(const std::vector<uint8_t>& pattern)
    : gr::sync_block("payload_check",
                     gr::io_signature::make(1, 1, sizeof(uint8_t)),
                     gr::io_signature::make(0, 0, 0)),
      d_core(pattern)
{
}

::fiberkey::payload_check::counters payload_check_impl::counts() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.counts();
}

int payload_check_impl::work(int noutput_items,
                             gr_vector_const_void_star& input_items,
                             gr_vector_void_star&)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    gr::thread::scoped_lock guard(d_setlock);
    d_core.process(std::span<const uint8_t>(in, static_cast<std::size_t>(noutput_items)));
    return noutput_items;
}

} // namespace fiberkey
} // namespace gr
