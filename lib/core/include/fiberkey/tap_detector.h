/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_TAP_DETECTOR_H
#define FIBERKEY_CORE_TAP_DETECTOR_H

#include <fiberkey/performance_monitor.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace fiberkey {

struct tap_detector_config {
    //! Windows at link start (or after relearn()) that set the baseline and the noise.
    std::uint64_t learn_windows = 60;
    //! Time constant, in windows, with which the baseline follows slow drift.
    double baseline_windows = 10.0;
    //! The smallest sudden loss (dB) the change detector is tuned for: a CUSUM for a
    //! drop of this size, so drops of half of it are absorbed as drift.
    double step_db = 0.1;
    /*!
     * The CUSUM's decision threshold as a log-likelihood ratio (natural log). Without a
     * change its mean time to a false alarm is at least about e^decision windows (e^20:
     * 15 years of 1-second windows) however noisy a window is; a tap's drop gives a
     * ratio far above it in one window (docs/security.md).
     */
    double decision = 20.0;
    //! Floor of each channel's learned noise per window, dB.
    double min_sigma_db = 0.002;
    //! Alarm when the power falls this far below its level at the end of learning,
    //! however slowly (0: never). Catches a tap inserted slower than the baseline follows.
    double level_margin_db = 1.0;
    //! dLOS or dLOF after learning raises the alarm: splicing a coupler in cuts the fiber.
    bool alarm_on_outage = true;
};

enum class tap_alarm_cause : std::uint8_t {
    power_step,  //!< received power fell suddenly
    q_step,      //!< the Q factor from the pre-FEC BER fell suddenly
    power_level, //!< received power fell level_margin_db below its commissioned level
    outage,      //!< loss of signal or of frame
};
std::string_view to_string(tap_alarm_cause cause);

struct tap_alarm {
    std::uint64_t window = 0; //!< the window that raised it
    tap_alarm_cause cause = tap_alarm_cause::power_step;
    double drop_db = 0.0; //!< below the baseline in that window (0 for an outage)
};

/*!
 * \brief Sees a tap in a receiver's performance windows: the loss a coupler adds, as a
 * step in received power and in the Q factor that the pre-FEC BER implies.
 *
 * Two channels, each in dB: the received power (the mean photocurrent, else the frame
 * sync's levels) and 10 log10 Q with Q = sqrt(2) erfcinv(2 BER) from the pre-FEC BER.
 * A thermal-noise-limited receiver's Q is proportional to the received power, so a loss
 * of x dB lowers both by x dB; an attacker who restores the power with an amplifier
 * still lowers Q (its noise). For each channel:
 *
 * - learning: the first learn_windows windows set the baseline (their mean) and the
 *   noise per window (the median absolute first difference, which slow drift does not
 *   inflate, as a standard deviation; at least min_sigma_db);
 * - then a one-sided CUSUM of the Gaussian log-likelihood ratio of a drop of step_db
 *   against none: S = max(0, S + step_db / sigma^2 (baseline - x - step_db / 2)), alarm
 *   when S > decision. sigma is the learned noise, or for Q the noise that the window's
 *   Poisson count of errors gives if that is larger (a link that drifts to a far lower
 *   BER counts fewer errors);
 * - the baseline follows each window with weight 1 / baseline_windows: drift slower than
 *   that is absorbed, a step is not.
 *
 * After an alarm nothing more is learned or raised until clear() (the operator accepts
 * the link as it is now: the baselines and the commissioned level restart from the next
 * window without a defect) or relearn().
 * Windows with a defect are not learned from.
 */
class tap_detector
{
public:
    //! Throws std::invalid_argument for learn_windows < 2, baseline_windows < 1, step_db
    //! or decision or min_sigma_db not > 0, or a negative level_margin_db.
    explicit tap_detector(const tap_detector_config& config = {});

    std::optional<tap_alarm> observe(const performance_window& window);

    bool learning() const;
    bool alarmed() const { return d_alarm.has_value(); }
    const std::optional<tap_alarm>& alarm() const { return d_alarm; }
    void clear();
    void relearn();

    struct channel_state {
        bool learned = false;
        double baseline_db = 0.0;
        double commissioned_db = 0.0; //!< the baseline at the end of learning
        double sigma_db = 0.0;
        double cusum = 0.0;   //!< the CUSUM's log-likelihood ratio
        double drop_db = 0.0; //!< the last value below the baseline before it
    };
    const channel_state& power() const { return d_power.state; }
    const channel_state& q() const { return d_q.state; }
    const tap_detector_config& config() const { return d_config; }

private:
    struct channel {
        channel_state state;
        std::vector<double> learned; // values while learning
        bool rebase = false;         // clear(): the next value is the new baseline

        void reset();
        //! Feeds one value whose own noise is window_sigma (dB, 0: only the learned);
        //! true when the CUSUM crossed its threshold.
        bool feed(double x, double window_sigma, const tap_detector_config& c);
    };

    tap_detector_config d_config;
    channel d_power, d_q;
    std::optional<tap_alarm> d_alarm;
};

//! 10 log10 of the Q factor whose Gaussian BER is \p ber; nullopt outside (0, 0.5).
std::optional<double> q_db_from_ber(double ber);

} // namespace fiberkey

#endif
