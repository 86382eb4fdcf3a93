/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ZUC_CRYPT_IMPL_H
#define INCLUDED_FIBERKEY_ZUC_CRYPT_IMPL_H

#include "message_inputs.h"
#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/key_schedule.h>
#include <fiberkey/otu_frame.h>
#include <gnuradio/fiberkey/zuc_crypt.h>

#include <atomic>
#include <bitset>
#include <optional>
#include <string>

namespace gr {
namespace fiberkey {

class zuc_crypt_impl : public message_input_block<zuc_crypt>
{
public:
    static constexpr int frames_per_buffer = 64;

    zuc_crypt_impl(int direction,
                   bool transmit,
                   const std::vector<uint8_t>& key,
                   int epoch,
                   const std::string& backend,
                   bool allow_clear,
                   bool integrity,
                   double tag_alarm_threshold);

    void
    set_key(const std::vector<uint8_t>& key, int epoch, uint64_t start_counter) override;
    uint64_t frames_processed() const override { return d_processed; }
    uint64_t frames_dropped() const override { return d_dropped; }
    uint64_t frames_clear() const override { return d_clear; }
    uint64_t frames_left() const override;
    std::string backend() const override;
    bool integrity() const override { return d_integrity; }
    uint64_t frames_rejected_by_tag() const override { return d_rejected_by_tag; }
    uint64_t frames_damaged() const override { return d_damaged; }
    bool tag_alarm() const override { return d_alarm; }
    void set_tag_alarm_threshold(double fraction) override;
    double tag_alarm_threshold() const override { return d_alarm_threshold; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    void handle_key(const pmt::pmt_t& msg);
    void
    install(const std::vector<uint8_t>& key, int epoch, std::optional<uint32_t> start);
    void
    report(const char* event, uint64_t counter, unsigned epoch, const std::string& why);
    //! Tags output frame \p produced of this call.
    int pick_key(const uint8_t* src,
                 uint8_t* dst,
                 uint32_t counter,
                 unsigned epoch,
                 const std::vector<int>& advances);
    void emit(uint32_t counter,
              unsigned epoch,
              const std::vector<const gr::tag_t*>& others,
              int produced);
    //! Counts a dropped frame; logs and reports when the reason changes.
    void drop(uint64_t counter, unsigned epoch, const std::string& why);
    /*!
     * Receive with integrity: checks the INT block and the tag of decrypted frame
     * \p frame; on failure drops it under its true cause and returns false.
     */
    bool authentic(uint8_t* frame,
                   const ::fiberkey::session_key& key,
                   uint32_t counter,
                   unsigned epoch,
                   bool fec_failed);
    //! Enters one authenticated frame into the alarm window.
    void record_tag(bool failed, uint32_t counter, unsigned epoch);

    static constexpr std::size_t alarm_window = 1024;

    const unsigned d_direction;
    const bool d_transmit;
    const bool d_integrity;
    ::fiberkey::frame_tag d_tagger;
    ::fiberkey::otu_frame::link_start_policy d_link_start; // guarded by d_setlock
    ::fiberkey::frame_cipher d_cipher;
    ::fiberkey::key_schedule d_schedule; // guarded by d_setlock
    std::atomic<uint64_t> d_processed{ 0 };
    std::atomic<uint64_t> d_dropped{ 0 };
    std::atomic<uint64_t> d_clear{ 0 };
    std::atomic<uint64_t> d_rejected_by_tag{ 0 };
    std::atomic<uint64_t> d_damaged{ 0 };
    std::atomic<bool> d_alarm{ false };
    std::atomic<double> d_alarm_threshold{ 0.001 };
    std::bitset<alarm_window> d_window; // tag failures of the last frames
    std::size_t d_window_next = 0;
    std::string d_last_drop; // the reason of the last drop, empty after a good frame
    log_limiter d_drop_log;  // each cause once, then once per 1,000 more
    std::optional<unsigned> d_last_epoch;
    const pmt::pmt_t d_events_port, d_event_key, d_reason_key;
};

} // namespace fiberkey
} // namespace gr

#endif
