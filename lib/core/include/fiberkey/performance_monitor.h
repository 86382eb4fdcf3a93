/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_PERFORMANCE_MONITOR_H
#define FIBERKEY_CORE_PERFORMANCE_MONITOR_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/signal_levels.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace fiberkey {

//! Optical power in dBm.
inline double watts_to_dbm(double watts) { return 10.0 * std::log10(watts / 1e-3); }

struct performance_monitor_config {
    //! Frame periods in one performance-monitoring window (G.806's one second).
    std::uint64_t window_frames =
        static_cast<std::uint64_t>(frame_layout::frames_per_second);
    //! Photocurrent per optical power, to express the levels as received power.
    double responsivity_a_per_w = 0.8;
    //! Sample units per ampere of photocurrent (1: the samples are amperes).
    double samples_per_ampere = 1.0;
    //! dLOS while a window's mean received power is below this.
    double los_threshold_dbm = -30.0;
    /*!
     * DEGTHR as a pre-FEC bit error ratio: a window whose FEC-corrected errors exceed it
     * is a bad second. 1e-4 is where RS(255,239) still brings the BER to about 1e-15:
     * above it the FEC's margin is being used up.
     */
    double deg_threshold_ber = 1e-4;
    //! DEGM: consecutive bad windows declare dDEG, as many good ones clear it (2..10).
    unsigned deg_windows = 7;
    //! Frames out of multiframe before dLOM, and in multiframe before it clears (3 ms).
    unsigned lom_frames = 246;
};

//! What one window held: performance figures (NaN where nothing measured them) and the
//! defects at its end.
struct performance_window {
    static constexpr double unmeasured = std::numeric_limits<double>::quiet_NaN();

    std::uint64_t index = 0; //!< 0 for the first window
    std::uint64_t frame_periods = 0;
    std::uint64_t frames = 0; //!< frames the line decoder aligned and decoded
    std::uint64_t corrected_symbols = 0;
    std::uint64_t uncorrectable_codewords = 0;
    std::uint64_t fec_bits = 0; //!< line bits the FEC checked
    //! Corrected symbols (and 9 for each uncorrectable codeword) per checked bit: at the
    //! error rates the FEC corrects, a wrong symbol almost always holds one wrong bit.
    double pre_fec_ber = unmeasured;
    //! Mean photocurrent / responsivity.
    double power_dbm = unmeasured;
    //! The same from the frame sync's levels: (one + zero) / 2 / responsivity.
    double level_power_dbm = unmeasured;
    double extinction_ratio_db = unmeasured;
    double q_factor = unmeasured; //!< (one - zero) / (sigma_one + sigma_zero)
    double q_ber = unmeasured;    //!< the Gaussian BER at that Q
    bool bad = false;             //!< G.806 bad second (DEGTHR exceeded, or a defect)
    bool dlos = false, dlof = false, dlom = false, ddeg = false;

    bool any_defect() const { return dlos || dlof || dlom || ddeg; }
};

/*!
 * \brief Performance monitoring of one receiver (G.798 defects, G.806 degradation):
 * fed per frame by the frame sync (levels, photocurrent) and the line decoder (FEC
 * counts, MFAS, loss of frame), it closes one window per window_frames frame periods.
 *
 * - dLOS: the window's mean received power is below los_threshold_dbm.
 * - dLOF: the line decoder's loss of frame, held for any window it touched.
 * - dLOM: G.798's multiframe alignment on the MFAS byte: out of multiframe after 5
 *   consecutive frames whose MFAS is not the expected one, in again after two in
 *   sequence; dLOM once out of multiframe lom_frames frames, cleared after as many in.
 * - dDEG (G.806, burst-based): a window is bad when its corrected errors exceed
 *   deg_threshold_ber of its checked bits, or when it had any codeword the FEC could not
 *   correct or any other defect; deg_windows consecutive bad windows declare dDEG, as
 *   many good ones clear it.
 *
 * Not thread-safe: one monitor per receiver, fed from one thread.
 */
class performance_monitor
{
public:
    //! Throws std::invalid_argument for a zero window, a responsivity <= 0, a scale of 0
    //! or not finite (a negative one is an inverting front end), a threshold that is not
    //! finite, or deg_windows outside 2..10.
    explicit performance_monitor(const performance_monitor_config& config = {});

    //! One frame's levels and noise, in sample units, from the frame sync.
    void add_levels(const signal_levels& levels);
    //! The sum and number of photocurrent samples, in sample units. Non-finite sums are
    //! ignored (a capture glitch must not make the power unmeasurable for the window).
    void add_photocurrent(double sum, std::uint64_t count);
    //! A frame the line decoder aligned: its FEC counts (fec false: no FEC, no counts) and
    //! its MFAS byte.
    void add_frame(bool fec,
                   std::uint64_t corrected_symbols,
                   std::uint64_t uncorrectable_codewords,
                   std::uint8_t mfas);
    //! The line decoder's loss-of-frame state.
    void set_loss_of_frame(bool lof);

    /*!
     * Advances the clock by \p frame_periods frame periods of line time and appends
     * every window that closes to \p closed.
     */
    void advance(std::uint64_t frame_periods, std::vector<performance_window>& closed);

    //! Ends the current window now (at the end of a capture), even if short; nothing if
    //! it is empty.
    void flush(std::vector<performance_window>& closed);

    const performance_monitor_config& config() const { return d_config; }
    bool dlos() const { return d_dlos; }
    bool dlof() const { return d_lof; }
    bool dlom() const { return d_dlom.active; }
    bool ddeg() const { return d_ddeg.active; }
    std::uint64_t windows() const { return d_index; }

private:
    //! Declared after `needed` consecutive observations of its condition, cleared after
    //! as many without it (G.798's dLOM, G.806's dDEG).
    struct persistent_defect {
        std::uint64_t needed;
        std::uint64_t with = 0, without = 0;
        bool active = false;

        void observe(bool condition);
    };

    void on_mfas(std::uint8_t mfas);
    performance_window close_window();

    performance_monitor_config d_config;
    std::uint64_t d_index = 0;
    std::uint64_t d_periods = 0; // in the current window

    // Sums over the current window.
    std::uint64_t d_frames = 0, d_corrected = 0, d_uncorrectable = 0, d_fec_bits = 0;
    double d_current_sum = 0.0;
    std::uint64_t d_current_count = 0;
    std::uint64_t d_level_frames = 0;
    double d_one = 0.0, d_zero = 0.0, d_var_one = 0.0, d_var_zero = 0.0;
    bool d_lof_in_window = false;
    bool d_lom_in_window = false;

    // Defect state.
    bool d_lof = false;
    bool d_dlos = false;
    persistent_defect d_dlom, d_ddeg; // conditions: out of multiframe; a bad window
    bool d_multiframe_aligned = false;
    bool d_have_mfas = false;
    std::uint8_t d_last_mfas = 0, d_expected_mfas = 0;
    unsigned d_mfas_misses = 0;
};

} // namespace fiberkey

#endif
