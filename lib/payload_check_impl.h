/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_PAYLOAD_CHECK_IMPL_H
#define INCLUDED_FIBERKEY_PAYLOAD_CHECK_IMPL_H

#include <fiberkey/payload_check.h>
#include <gnuradio/fiberkey/payload_check.h>

namespace gr {
namespace fiberkey {

class payload_check_impl : public payload_check
{
public:
    explicit payload_check_impl(const std::vector<uint8_t>& pattern);

    uint64_t idle_bytes() const override { return counts().idle_bytes; }
    uint64_t bytes_checked() const override { return counts().bytes; }
    uint64_t bytes_wrong() const override { return counts().bytes_wrong; }
    uint64_t bits_wrong() const override { return counts().bits_wrong; }
    bool started() const override { return counts().started; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    ::fiberkey::payload_check::counters counts() const;

    ::fiberkey::payload_check d_core;
};

} // namespace fiberkey
} // namespace gr

#endif
