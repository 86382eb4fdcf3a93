/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_MONITOR_MODEL_H
#define FIBERKEY_CORE_MONITOR_MODEL_H

#include <fiberkey/fiber_link.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/performance_monitor.h>

#include <cstdint>
#include <random>

namespace fiberkey {

/*!
 * How a real link's loss wanders (all in dB of extra loss, launch power included):
 * a random walk, and temperature-driven changes (a connector or a splice tray that
 * shifts) arriving as a Poisson process, each a Gaussian step spread over a raised-cosine
 * transition. The defaults are assumptions, not measurements: set them to your plant.
 */
struct link_drift_config {
    double random_walk_db_per_rthour = 0.1;
    double thermal_steps_per_hour = 1.0;
    double thermal_step_sigma_db = 0.05;
    double thermal_step_seconds = 60.0;
};

/*!
 * \brief The extra loss of a drifting link over time. Physics, not secrets: a
 * Mersenne Twister, from OS entropy for seed 0, else from the seed.
 */
class link_drift
{
public:
    //! Throws std::invalid_argument for negative or non-finite values.
    explicit link_drift(const link_drift_config& config = {}, std::uint64_t seed = 0);

    //! Moves time on by \p seconds (>= 0) and returns the extra loss then, dB.
    double advance(double seconds);
    double loss_db() const { return d_walk + d_settled + d_ramp_now; }
    const link_drift_config& config() const { return d_config; }

private:
    link_drift_config d_config;
    std::mt19937_64 d_rng;
    std::normal_distribution<double> d_normal;
    double d_walk = 0.0;    // random walk
    double d_settled = 0.0; // thermal steps completed
    // The thermal step in progress: its size and how far through it we are.
    double d_ramp_db = 0.0, d_ramp_elapsed = 0.0, d_ramp_now = 0.0;
    bool d_ramping = false;
    double d_next_step_in; // seconds
};

struct monitor_model_config {
    ook_modulator_config transmitter;
    fiber_link_config fiber;
    receiver_config receiver;
    link_drift_config drift;
    performance_monitor_config monitor;
    //! Repeatability of the received-power reading, dB rms per window.
    double power_reading_sigma_db = 0.01;
};

/*!
 * \brief A fast model of what one receiver's link monitor sees, window by window,
 * without frames: the received power through the drifting fiber and an optional tap
 * (an ideal coupler that takes its fraction of the light), the Gaussian BER that power
 * gives at the receiver's optimum threshold, and the FEC's corrected errors as a
 * Poisson count of that BER over the window's bits (one bit per corrected symbol). The
 * same physics as fiber_link and optical_receiver, so that hours of link time take
 * seconds.
 */
class monitor_model
{
public:
    //! Throws std::invalid_argument for what the link classes reject.
    explicit monitor_model(const monitor_model_config& config = {},
                           std::uint64_t seed = 0);

    //! The coupler's share of the light from the next window on: 0 (none) to < 1.
    void set_tap(double fraction);
    double tap() const { return d_tap; }

    //! The next window (no defects: the model has no outage).
    performance_window next();

    double drift_db() const { return d_drift.loss_db(); }
    //! The pre-FEC BER of the link as it is now (drift and tap), without counting noise.
    double expected_ber() const;
    const monitor_model_config& config() const { return d_config; }

private:
    link_levels levels() const;

    monitor_model_config d_config;
    ook_modulator d_transmitter;
    fiber_link d_fiber;
    optical_receiver d_receiver;
    link_drift d_drift;
    std::mt19937_64 d_rng;
    std::normal_distribution<double> d_normal;
    double d_tap = 0.0;
    std::uint64_t d_index = 0;
};

} // namespace fiberkey

#endif
