/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OTU_DEMUX_IMPL_H
#define INCLUDED_FIBERKEY_OTU_DEMUX_IMPL_H

#include <fiberkey/int_block.h>
#include <gnuradio/fiberkey/otu_demux.h>

#include <atomic>

namespace gr {
namespace fiberkey {

class otu_demux_impl : public otu_demux
{
public:
    otu_demux_impl();

    uint64_t frames() const override { return d_frames; }
    uint64_t int_accepted() const override { return d_accepted; }
    uint64_t int_uncorrectable() const override { return d_uncorrectable; }
    uint64_t int_rejected() const override { return d_rejected; }
    uint64_t frames_with_uncorrectable_codewords() const override { return d_marked; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    void publish_blocks(const uint8_t* frame,
                        const pmt::pmt_t& counter,
                        const pmt::pmt_t& epoch);

    std::atomic<uint64_t> d_frames{ 0 };
    std::atomic<uint64_t> d_accepted{ 0 };
    std::atomic<uint64_t> d_uncorrectable{ 0 };
    std::atomic<uint64_t> d_rejected{ 0 };
    std::atomic<uint64_t> d_marked{ 0 };
    const pmt::pmt_t d_neg_port;
    const pmt::pmt_t d_int_port;
    const pmt::pmt_t d_frame_port;
    const pmt::pmt_t d_corrected_key;
    const pmt::pmt_t d_int_ok_key;
};

} // namespace fiberkey
} // namespace gr

#endif
