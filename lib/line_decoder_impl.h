/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_DECODER_IMPL_H
#define INCLUDED_FIBERKEY_LINE_DECODER_IMPL_H

#include <fiberkey/frame_aligner.h>
#include <fiberkey/frame_counter_tracker.h>
#include <gnuradio/fiberkey/line_decoder.h>

#include <atomic>
#include <vector>

namespace gr {
namespace fiberkey {

class line_decoder_impl : public line_decoder
{
public:
    line_decoder_impl(bool fec, int lof_frames, bool packed);

    void set_fec(bool fec) override;
    bool fec() const override { return d_fec; }
    bool in_frame() const override { return d_in_frame; }
    bool packed() const override { return d_packed; }
    uint64_t frames() const override { return d_frames; }
    uint64_t corrected_symbols() const override { return d_corrected; }
    uint64_t uncorrectable_codewords() const override { return d_uncorrectable; }
    uint64_t unconfirmed_frames() const override { return d_unconfirmed; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    void handle_event(::fiberkey::align_event e);
    //! Descrambles, corrects and checks the aligner's frame; true if it goes out.
    bool finish_frame(uint8_t* out, uint64_t out_offset);

    bool d_fec; // guarded by d_setlock
    const bool d_packed;
    ::fiberkey::frame_aligner d_aligner;
    ::fiberkey::frame_counter_tracker d_tracker;
    std::vector<uint8_t> d_frame;
    pmt::pmt_t d_pending_lock = pmt::PMT_NIL;
    std::atomic<bool> d_in_frame{ false };
    std::atomic<uint64_t> d_frames{ 0 };
    std::atomic<uint64_t> d_corrected{ 0 };
    std::atomic<uint64_t> d_uncorrectable{ 0 };
    std::atomic<uint64_t> d_unconfirmed{ 0 };
    const pmt::pmt_t d_status_port;
    const pmt::pmt_t d_periods_port;
    const pmt::pmt_t d_frame_status_port;
    const pmt::pmt_t d_outage_key;
    uint64_t d_unframed_bits = 0; // since the last period published; guarded by d_setlock
    // Out-of-frame spells: 1 is the search at start, each out_of_frame begins the next.
    uint64_t d_spell = 1; // guarded by d_setlock
    const pmt::pmt_t d_lock_key;
};

} // namespace fiberkey
} // namespace gr

#endif
