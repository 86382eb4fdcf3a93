/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINK_MONITOR_IMPL_H
#define INCLUDED_FIBERKEY_LINK_MONITOR_IMPL_H

#include "message_inputs.h"
#include <fiberkey/performance_monitor.h>
#include <fiberkey/tap_detector.h>
#include <gnuradio/fiberkey/link_monitor.h>

#include <atomic>
#include <deque>
#include <vector>

namespace gr {
namespace fiberkey {

class link_monitor_impl : public message_input_block<link_monitor>
{
public:
    link_monitor_impl(const ::fiberkey::performance_monitor_config& monitor,
                      const ::fiberkey::tap_detector_config& detector,
                      bool detect,
                      bool auto_relearn);

    void clear_alarm() override;
    void relearn() override;
    void set_detect(bool detect) override;
    bool detect() const override { return d_detect; }
    void set_auto_relearn(bool on) override { d_auto_relearn = on; }
    bool auto_relearn() const override { return d_auto_relearn; }
    bool alarmed() const override { return d_alarmed; }
    bool learning() const override { return d_learning; }
    uint64_t alarms() const override { return d_alarms; }
    uint64_t windows() const override { return d_windows; }
    uint64_t frame_periods() const override { return d_frame_periods; }
    pmt::pmt_t last_window() const override;
    uint64_t windows_dropped() const override { return d_dropped; }
    uint64_t glitches() const override { return d_glitches; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    void on_frame_status(const pmt::pmt_t& msg);
    void on_status(const pmt::pmt_t& msg);
    void on_control(const pmt::pmt_t& msg);
    void take_levels(const pmt::pmt_t& tag_value);
    void add_power_run(const float* x, uint64_t n);
    void publish(const ::fiberkey::performance_window& w);
    void publish_event(const char* event, const ::fiberkey::tap_alarm* alarm);
    //! Publishes what the operator's calls did (from the block thread only: a setter
    //! called from elsewhere, even with the flowgraph stopped, must not publish).
    void publish_operator_events();
    void publish_operator_events_locked(); // with d_setlock held

    ::fiberkey::performance_monitor d_monitor;  // the block thread only
    ::fiberkey::tap_detector d_detector;        // guarded by d_setlock
    std::vector<const char*> d_operator_events; // guarded by d_setlock
    std::atomic<bool> d_detect, d_auto_relearn;
    std::atomic<bool> d_alarmed{ false }, d_learning{ true };
    std::atomic<uint64_t> d_alarms{ 0 }, d_windows{ 0 }, d_dropped{ 0 }, d_glitches{ 0 },
        d_frame_periods{ 0 };
    uint64_t d_samples_in_period = 0; // since the last whole frame period
    uint64_t d_stride_phase = 0;      // of the power's subsampling
    std::vector<::fiberkey::performance_window> d_closed;
    std::deque<::fiberkey::performance_window> d_pending; // for the float outputs
    mutable gr::thread::mutex d_last_lock;
    pmt::pmt_t d_last = pmt::PMT_NIL; // guarded by d_last_lock
    const pmt::pmt_t d_pm_port, d_alarm_port;
};

} // namespace fiberkey
} // namespace gr

#endif
