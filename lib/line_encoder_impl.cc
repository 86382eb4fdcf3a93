/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "line_encoder_impl.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <gnuradio/io_signature.h>

#include <array>
#include <cstring>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

namespace {
// The eight unpacked bits of each byte value, MSB first: one copy per line byte.
constexpr auto unpacked_bits = [] {
    std::array<std::array<uint8_t, 8>, 256> t{};
    for (unsigned b = 0; b < 256; ++b)
        for (unsigned k = 0; k < 8; ++k)
            t[b][k] = (b >> (7 - k)) & 1;
    return t;
}();
} // namespace

line_encoder::sptr line_encoder::make(bool fec, bool packed)
{
    return gnuradio::make_block_sptr<line_encoder_impl>(fec, packed);
}

line_encoder_impl::line_encoder_impl(bool fec, bool packed)
    : gr::sync_interpolator("line_encoder",
                            gr::io_signature::make(1, 1, fl::frame_item_bytes),
                            gr::io_signature::make(1, 1, sizeof(uint8_t)),
                            packed ? fl::frame_bytes : fl::frame_bytes * 8),
      d_fec(fec),
      d_packed(packed),
      d_frame(fl::frame_bytes)
{
    // Room for several frames of bits per call: fewer scheduler wake-ups per frame.
    set_min_output_buffer(0, 8 * interpolation());
}

void line_encoder_impl::set_fec(bool fec)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_fec = fec;
}

int line_encoder_impl::work(int noutput_items,
                            gr_vector_const_void_star& input_items,
                            gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const int frames = noutput_items / static_cast<int>(interpolation());

    gr::thread::scoped_lock guard(d_setlock);
    for (int f = 0; f < frames; ++f) {
        std::memcpy(d_frame.data(),
                    in + static_cast<size_t>(f) * fl::frame_item_bytes,
                    fl::frame_bytes);
        if (d_fec) {
            ::fiberkey::g709_fec::encode(d_frame);
        } else {
            for (std::size_t r = 0; r < fl::rows; ++r)
                std::memset(d_frame.data() + fl::at(r, fl::fec_columns.offset),
                            0,
                            fl::fec_columns.length);
        }
        ::fiberkey::g709_scrambler::apply(d_frame);

        uint8_t* o = out + static_cast<size_t>(f) * interpolation();
        if (d_packed) {
            std::memcpy(o, d_frame.data(), fl::frame_bytes);
        } else {
            for (std::size_t i = 0; i < fl::frame_bytes; ++i)
                std::memcpy(o + 8 * i, unpacked_bits[d_frame[i]].data(), 8);
        }
    }
    return frames * static_cast<int>(interpolation());
}

} // namespace fiberkey
} // namespace gr
