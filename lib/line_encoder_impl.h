/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_ENCODER_IMPL_H
#define INCLUDED_FIBERKEY_LINE_ENCODER_IMPL_H

#include <gnuradio/fiberkey/line_encoder.h>

#include <vector>

namespace gr {
namespace fiberkey {

class line_encoder_impl : public line_encoder
{
public:
    line_encoder_impl(bool fec, bool packed);

    void set_fec(bool fec) override;
    bool fec() const override { return d_fec; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    bool d_fec; // guarded by d_setlock
    const bool d_packed;
    std::vector<uint8_t> d_frame;
};

} // namespace fiberkey
} // namespace gr

#endif
