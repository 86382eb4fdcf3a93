/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_POST_PROCESSOR_IMPL_H
#define INCLUDED_FIBERKEY_KEY_POST_PROCESSOR_IMPL_H

#include "message_inputs.h"
#include <fiberkey/application_keys.h>
#include <fiberkey/post_processor.h>
#include <gnuradio/fiberkey/key_post_processor.h>

#include <optional>
#include <string>

namespace gr {
namespace fiberkey {

class key_post_processor_impl : public message_input_block<key_post_processor>
{
public:
    key_post_processor_impl(int direction,
                            bool leader,
                            const std::string& mode,
                            int bits_per_round,
                            int batch_rounds,
                            double alpha,
                            double log2_epsilon,
                            bool rekey,
                            int link_key_period);

    uint64_t keys() const override;
    uint64_t batches_failed() const override;
    uint64_t secret_bits() const override;
    uint64_t rounds_in() const override;
    uint64_t app_keys() const override;
    uint64_t app_keys_dropped() const override;
    void set_hold(bool hold) override;
    bool held() const override;
    uint64_t rounds_held() const override;
    int latest_round_sequence() const override;

private:
    void on_round(const pmt::pmt_t& msg);
    void on_recv(const pmt::pmt_t& msg);
    void on_hold(const pmt::pmt_t& msg);
    void flush(); // d_setlock held
    void publish_session_key(const ::fiberkey::seed_key& k);
    //! The key's ID when this end holds its link key.
    std::optional<std::string> application_key_id(const ::fiberkey::seed_key& k);

    const uint8_t d_direction;
    const bool d_rekey;
    const ::fiberkey::key_split d_split;
    const long d_stream;
    ::fiberkey::post_processor d_pp; // guarded by d_setlock
    // Names the application keys after the newest link key (d_setlock).
    std::optional<::fiberkey::key_namer> d_namer;
    uint64_t d_app_keys = 0, d_app_keys_dropped = 0; // d_setlock
    const pmt::pmt_t d_send_port, d_keys_port, d_app_keys_port, d_session_port,
        d_status_port;
    const pmt::pmt_t d_direction_key, d_sequence_key, d_count_key, d_stream_key;
};

} // namespace fiberkey
} // namespace gr

#endif
