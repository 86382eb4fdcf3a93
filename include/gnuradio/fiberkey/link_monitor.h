/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINK_MONITOR_H
#define INCLUDED_FIBERKEY_LINK_MONITOR_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <cstdint>

namespace gr {
namespace fiberkey {

/*!
 * \brief Performance monitoring of one receiver (G.798 defects, G.806 degradation) and a
 * tap detector on its received power and Q factor.
 * \ingroup fiberkey
 *
 * \details
 * Input: the receiver's photocurrent at one sample per bit, as a Soft Frame Sync puts it
 * out (its "frame_start" tags carry the levels); the samples are not changed or passed
 * on. Every window_frames frame periods of samples (82,025: one second of line time)
 * close a window, using:
 * - the mean photocurrent (the first 4,096 of every 65,536 samples; non-finite samples
 *   and glitches beyond 1e15 left out and counted) and the frame sync's levels, as
 *   received power (via responsivity and samples_per_ampere), extinction ratio and Q;
 * - "frame_status" <- a Line Decoder's "frame_status": the FEC's corrected symbols and
 *   uncorrectable codewords (pre-FEC BER) and the MFAS byte (multiframe alignment);
 * - "status" <- the Line Decoder's "status": loss of frame.
 * Defects: dLOS, dLOF, dLOM, dDEG (fiberkey/performance_monitor.h). Each window is published on
 * "pm" (a dict: window, frames, power_dbm, level_power_dbm, extinction_ratio_db,
 * q_factor, q_ber, pre_fec_ber, corrected_symbols, uncorrectable_codewords, bad, dlos,
 * dlof, dlom, ddeg; NaN where nothing measured) and put out as one item on each
 * connected float output: 0 power (dBm), 1 pre-FEC BER, 2 Q factor, 3 extinction ratio
 * (dB), for GUI sinks (at most 64 windows wait for a slow sink; older ones are dropped).
 *
 * With detect on, each window feeds a tap detector (fiberkey/tap_detector.h). An alarm is
 * logged (UTC time, the window's figures) and published on "alarm" (dict: event
 * "tap_alarm", cause, window, drop_db; every event also has "time", Unix seconds);
 * clear_alarm() or relearn() (or the symbols "clear" and "relearn" on "control") end it
 * and publish event "cleared" or "relearning"; event "learned" follows each learning
 * (at link start and after a relearn). With auto_relearn, the detector relearns by
 * itself after each alarm (the alarm is still published and counted).
 */
class FIBERKEY_API link_monitor : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<link_monitor> sptr;

    /*!
     * \brief Makes a link_monitor: float in; 0 to 4 float outputs (one item per window);
     * message ports "frame_status", "status", "control" in, "pm" and "alarm" out.
     *
     * \param window_frames frame periods per window, >= 1
     * \param responsivity_a_per_w photodiode responsivity, > 0
     * \param samples_per_ampere sample units per ampere (1: samples in amperes), not 0
     * \param los_threshold_dbm dLOS below this received power
     * \param deg_threshold_ber DEGTHR as a pre-FEC BER, (0, 0.5)
     * \param deg_windows DEGM, 2..10
     * \param detect run the tap detector
     * \param step_db the loss step the detector is tuned for, > 0
     * \param learn_windows windows that set the baseline, >= 2
     * \param baseline_windows time constant of the baseline in windows, >= 1
     * \param decision CUSUM threshold (log-likelihood ratio), > 0
     * \param level_margin_db alarm below the commissioned power by this much (0: off)
     * \param alarm_on_outage dLOS or dLOF after learning raises the alarm
     * \param auto_relearn relearn the baseline after each alarm instead of waiting
     */
    static sptr make(uint64_t window_frames = 82025,
                     double responsivity_a_per_w = 0.8,
                     double samples_per_ampere = 1.0,
                     double los_threshold_dbm = -30.0,
                     double deg_threshold_ber = 1e-4,
                     int deg_windows = 7,
                     bool detect = true,
                     double step_db = 0.1,
                     int learn_windows = 60,
                     double baseline_windows = 10.0,
                     double decision = 20.0,
                     double level_margin_db = 1.0,
                     bool alarm_on_outage = true,
                     bool auto_relearn = false);

    //! Ends the alarm: the link as it is now is the new baseline.
    virtual void clear_alarm() = 0;
    //! Ends the alarm and learns the baseline afresh.
    virtual void relearn() = 0;
    virtual void set_detect(bool detect) = 0;
    virtual bool detect() const = 0;
    virtual void set_auto_relearn(bool on) = 0;
    virtual bool auto_relearn() const = 0;

    virtual bool alarmed() const = 0;
    virtual bool learning() const = 0;
    virtual uint64_t alarms() const = 0;
    virtual uint64_t windows() const = 0;
    //! Frame periods of line signal read (130,560 samples, one per bit): the stream's own
    //! clock, against which window k ends at (k + 1) x window_frames.
    virtual uint64_t frame_periods() const = 0;
    //! The last window's "pm" dict (PMT_NIL before the first).
    virtual pmt::pmt_t last_window() const = 0;
    //! Windows dropped because the float outputs were not read.
    virtual uint64_t windows_dropped() const = 0;
    //! Samples left out of the power: not finite, or beyond 1e15 (a capture's glitches).
    virtual uint64_t glitches() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
