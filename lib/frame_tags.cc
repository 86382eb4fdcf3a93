/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gnuradio/fiberkey/frame_tags.h>

namespace gr {
namespace fiberkey {

#define FIBERKEY_CACHED_SYMBOL(name)                              \
    const pmt::pmt_t& frame_tags::name()                          \
    {                                                             \
        static const pmt::pmt_t s = pmt::string_to_symbol(#name); \
        return s;                                                 \
    }

FIBERKEY_CACHED_SYMBOL(frame_counter)
FIBERKEY_CACHED_SYMBOL(key_epoch)
FIBERKEY_CACHED_SYMBOL(fec_uncorrectable)
FIBERKEY_CACHED_SYMBOL(epoch)
FIBERKEY_CACHED_SYMBOL(start_counter)
FIBERKEY_CACHED_SYMBOL(direction)
FIBERKEY_CACHED_SYMBOL(frame_start)
FIBERKEY_CACHED_SYMBOL(one)
FIBERKEY_CACHED_SYMBOL(zero)
FIBERKEY_CACHED_SYMBOL(threshold)
FIBERKEY_CACHED_SYMBOL(inverted)
FIBERKEY_CACHED_SYMBOL(sigma_one)
FIBERKEY_CACHED_SYMBOL(sigma_zero)
FIBERKEY_CACHED_SYMBOL(correlation)
FIBERKEY_CACHED_SYMBOL(fas_ok)
FIBERKEY_CACHED_SYMBOL(nd1_sigma)
FIBERKEY_CACHED_SYMBOL(nd2_sigma)

#undef FIBERKEY_CACHED_SYMBOL

} // namespace fiberkey
} // namespace gr
