/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/payload_check.h>
#include <gnuradio/fiberkey/payload_source.h>
#include <gnuradio/io_signature.h>

namespace gr {
namespace fiberkey {

class payload_source_impl : public payload_source
{
public:
    explicit payload_source_impl(const std::vector<uint8_t>& pattern)
        : gr::sync_block("payload_source",
                         gr::io_signature::make(0, 0, 0),
                         gr::io_signature::make(1, 1, sizeof(uint8_t))),
          d_core(pattern)
    {
    }

    int work(int noutput_items,
             gr_vector_const_void_star&,
             gr_vector_void_star& output_items) override
    {
        d_core.fill(std::span<uint8_t>(static_cast<uint8_t*>(output_items[0]),
                                       static_cast<std::size_t>(noutput_items)));
        return noutput_items;
    }

private:
    ::fiberkey::payload_source d_core;
};

payload_source::sptr payload_source::make(const std::vector<uint8_t>& pattern)
{
    return gnuradio::make_block_sptr<payload_source_impl>(pattern);
}

} // namespace fiberkey
} // namespace gr
