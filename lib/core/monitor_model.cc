/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/monitor_model.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

constexpr double seconds_per_hour = 3600.0;

bool non_negative(double v) { return std::isfinite(v) && v >= 0; }

std::uint64_t seed_or_entropy(std::uint64_t seed)
{
    if (seed != 0)
        return seed;
    std::random_device entropy;
    return (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
}

} // namespace

link_drift::link_drift(const link_drift_config& config, std::uint64_t seed)
    : d_config(config), d_rng(seed_or_entropy(seed))
{
    if (!non_negative(config.random_walk_db_per_rthour) ||
        !non_negative(config.thermal_steps_per_hour) ||
        !non_negative(config.thermal_step_sigma_db) ||
        !non_negative(config.thermal_step_seconds))
        throw std::invalid_argument(
            "link_drift: the walk rate, step rate, step size and step duration must be "
            "finite and >= 0");
    d_next_step_in = config.thermal_steps_per_hour > 0
                         ? std::exponential_distribution<double>(
                               config.thermal_steps_per_hour / seconds_per_hour)(d_rng)
                         : std::numeric_limits<double>::infinity();
}

double link_drift::advance(double seconds)
{
    if (!non_negative(seconds))
        throw std::invalid_argument("link_drift: time must be finite and >= 0");
    d_walk += d_normal(d_rng) * d_config.random_walk_db_per_rthour *
              std::sqrt(seconds / seconds_per_hour);
    const double length = d_config.thermal_step_seconds;
    for (double left = seconds; left > 0 || (d_ramping && d_ramp_elapsed >= length);) {
        if (d_ramping) {
            const double step = std::min(left, length - d_ramp_elapsed);
            d_ramp_elapsed += step;
            left -= step;
            if (d_ramp_elapsed >= length) {
                d_settled += d_ramp_db;
                d_ramp_now = 0.0;
                d_ramping = false;
                d_next_step_in = std::exponential_distribution<double>(
                    d_config.thermal_steps_per_hour / seconds_per_hour)(d_rng);
            } else {
                d_ramp_now = d_ramp_db * 0.5 *
                             (1.0 - std::cos(std::numbers::pi * d_ramp_elapsed / length));
            }
        } else {
            const double step = std::min(left, d_next_step_in);
            d_next_step_in -= step;
            left -= step;
            if (d_next_step_in > 0)
                break;
            d_ramping = true;
            d_ramp_elapsed = 0.0;
            d_ramp_db = d_normal(d_rng) * d_config.thermal_step_sigma_db;
        }
    }
    return loss_db();
}

monitor_model::monitor_model(const monitor_model_config& config, std::uint64_t seed)
    : d_config(config),
      d_transmitter(config.transmitter),
      d_fiber(config.fiber),
      d_receiver(config.receiver, gaussian_source::physical()),
      d_drift(config.drift, seed == 0 ? 0 : seed * 2 + 1),
      d_rng(seed_or_entropy(seed == 0 ? 0 : seed * 2))
{
    performance_monitor check(config.monitor); // its validation
    if (!non_negative(config.power_reading_sigma_db))
        throw std::invalid_argument(
            "monitor_model: power_reading_sigma_db must be finite and >= 0");
}

void monitor_model::set_tap(double fraction)
{
    if (!(fraction >= 0 && fraction < 1))
        throw std::invalid_argument("monitor_model: the tap fraction must be in [0, 1)");
    d_tap = fraction;
}

link_levels monitor_model::levels() const
{
    const double t = d_fiber.transmission() * std::pow(10.0, -d_drift.loss_db() / 10.0) *
                     (1.0 - d_tap);
    return d_receiver.levels(d_transmitter.power_one_w() * t,
                             d_transmitter.power_zero_w() * t);
}

double monitor_model::expected_ber() const { return ber_from_q(q_factor(levels())); }

performance_window monitor_model::next()
{
    const auto& m = d_config.monitor;
    d_drift.advance(static_cast<double>(m.window_frames) /
                    frame_layout::frames_per_second);
    const link_levels l = levels();

    performance_window w;
    w.index = d_index++;
    w.frame_periods = w.frames = m.window_frames;
    w.fec_bits = m.window_frames * 8 * frame_layout::otu_bytes;
    const double ber = ber_from_q(q_factor(l));
    const double mean_errors = ber * static_cast<double>(w.fec_bits);
    w.corrected_symbols =
        mean_errors > 0 ? std::poisson_distribution<std::uint64_t>(mean_errors)(d_rng)
                        : 0;
    w.pre_fec_ber =
        static_cast<double>(w.corrected_symbols) / static_cast<double>(w.fec_bits);
    const double r = m.responsivity_a_per_w;
    w.level_power_dbm = watts_to_dbm(0.5 * (l.i1 + l.i0) / r);
    w.power_dbm = w.level_power_dbm + d_normal(d_rng) * d_config.power_reading_sigma_db;
    w.extinction_ratio_db = 10.0 * std::log10(l.i1 / l.i0);
    w.q_factor = q_factor(l);
    w.q_ber = ber;
    return w;
}

} // namespace fiberkey
