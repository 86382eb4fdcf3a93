/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ZUC_CRYPT_IMPL_H
#define INCLUDED_FIBERKEY_ZUC_CRYPT_IMPL_H

#include <fiberkey/frame_cipher.h>
#include <fiberkey/key_schedule.h>
#include <gnuradio/fiberkey/zuc_crypt.h>

#include <atomic>

namespace gr {
namespace fiberkey {

class zuc_crypt_impl : public zuc_crypt
{
public:
    static constexpr int frames_per_buffer = 256;

    zuc_crypt_impl(int direction,
                   bool transmit,
                   const std::vector<uint8_t>& key,
                   int epoch,
                   const std::string& backend);

    void set_key(const std::vector<uint8_t>& key, int epoch, uint64_t start_counter) override;
    uint64_t frames_processed() const override { return d_processed; }
    uint64_t frames_dropped() const override { return d_dropped; }
    uint64_t frames_left() const override;
    std::string backend() const override;

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    void handle_key(const pmt::pmt_t& msg);
    void report(const char* event, uint64_t counter, unsigned epoch, const std::string& why);

    const unsigned d_direction;
    const bool d_transmit;
    ::fiberkey::frame_cipher d_cipher;
    ::fiberkey::key_schedule d_schedule; // guarded by d_setlock
    std::atomic<uint64_t> d_processed{ 0 };
    std::atomic<uint64_t> d_dropped{ 0 };
    ::fiberkey::key_schedule::verdict d_last_verdict = ::fiberkey::key_schedule::verdict::ok;
    std::optional<unsigned> d_last_epoch;
    const pmt::pmt_t d_events_port;
};

} // namespace fiberkey
} // namespace gr

#endif
