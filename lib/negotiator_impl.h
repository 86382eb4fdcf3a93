/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_NEGOTIATOR_IMPL_H
#define INCLUDED_FIBERKEY_NEGOTIATOR_IMPL_H

#include "message_inputs.h"
#include <fiberkey/negotiator.h>
#include <gnuradio/fiberkey/negotiator.h>

#include <optional>

namespace gr {
namespace fiberkey {

class negotiator_impl : public message_input_block<negotiator>
{
public:
    negotiator_impl(const std::string& node,
                    int bits,
                    uint64_t seed,
                    int pipeline_frames);

    bool start() override;

    uint64_t rounds_completed() const override;
    uint64_t frames_received() const override;
    uint64_t frames_made_up() const override;
    uint64_t rounds_dropped() const override;

private:
    void on_rx(const pmt::pmt_t& msg);
    void send_next(); // d_setlock held

    const uint8_t d_direction;
    const int d_pipeline_frames;
    ::fiberkey::negotiator d_core; // guarded by d_setlock
    const pmt::pmt_t d_neg_port, d_int_key, d_rounds_port;
    const pmt::pmt_t d_int_ok_key;
    std::optional<uint32_t>
        d_last_counter;            // of the peer's last received frame; d_setlock
    uint64_t d_frames_made_up = 0; // guarded by d_setlock
};

} // namespace fiberkey
} // namespace gr

#endif
