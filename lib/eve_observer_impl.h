/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_EVE_OBSERVER_IMPL_H
#define INCLUDED_FIBERKEY_EVE_OBSERVER_IMPL_H

#include "message_inputs.h"
#include <fiberkey/eve_observer.h>
#include <gnuradio/fiberkey/eve_observer.h>

namespace gr {
namespace fiberkey {

class eve_observer_impl : public message_input_block<eve_observer>
{
public:
    eve_observer_impl(int bits, double her_ber, int window);

    uint64_t rounds_emitted() const override;
    uint64_t drops() const override;
    uint64_t rounds_dropped() const override;
    double her_ber() const override;
    void set_her_ber(double her_ber) override;

private:
    void on_blocks(uint8_t from, const pmt::pmt_t& msg);

    ::fiberkey::eve_observer d_core; // guarded by d_setlock
    const pmt::pmt_t d_rounds_port, d_int_ok_key, d_direction_key, d_sequence_key,
        d_count_key, d_leader_errors_key, d_follower_errors_key, d_estimate_key;
};

} // namespace fiberkey
} // namespace gr

#endif
