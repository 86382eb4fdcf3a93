/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/tap_detector.h>

#include <boost/math/special_functions/erf.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw std::invalid_argument("tap_detector: " + what);
}

bool positive(double v) { return std::isfinite(v) && v > 0; }

double median(std::vector<double> v)
{
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (v.size() % 2 == 1)
        return *mid;
    return 0.5 * (*mid + *std::max_element(v.begin(), mid));
}

/*
 * The spread of 10 log10 Q that the Poisson count of a window's errors alone gives: with
 * n errors, ln BER has sigma 1 / sqrt(n), and d ln BER / dQ = -pdf(Q) / tail(Q).
 */
double q_db_sigma(double q_db, const performance_window& w)
{
    const double errors = w.pre_fec_ber * static_cast<double>(w.fec_bits);
    if (!(errors >= 1))
        return 0.0;
    const double q = std::pow(10.0, q_db / 10.0);
    const double tail = 0.5 * std::erfc(q / std::numbers::sqrt2);
    const double pdf = std::exp(-0.5 * q * q) / std::sqrt(2.0 * std::numbers::pi);
    return 10.0 / std::numbers::ln10 / q * (tail / pdf) / std::sqrt(errors);
}

} // namespace

std::string_view to_string(tap_alarm_cause cause)
{
    switch (cause) {
    case tap_alarm_cause::power_step:
        return "power_step";
    case tap_alarm_cause::q_step:
        return "q_step";
    case tap_alarm_cause::power_level:
        return "power_level";
    case tap_alarm_cause::outage:
        return "outage";
    }
    return "unknown";
}

std::optional<double> q_db_from_ber(double ber)
{
    if (!(ber > 0 && ber < 0.5))
        return std::nullopt;
    const double q = std::numbers::sqrt2 * boost::math::erfc_inv(2.0 * ber);
    return 10.0 * std::log10(q);
}

tap_detector::tap_detector(const tap_detector_config& config) : d_config(config)
{
    require(config.learn_windows >= 2, "learn_windows must be at least 2");
    require(std::isfinite(config.baseline_windows) && config.baseline_windows >= 1,
            "baseline_windows must be at least 1");
    require(positive(config.step_db), "step_db must be > 0");
    require(positive(config.decision), "decision must be > 0");
    require(positive(config.min_sigma_db), "min_sigma_db must be > 0");
    require(std::isfinite(config.level_margin_db) && config.level_margin_db >= 0,
            "level_margin_db must be >= 0");
}

void tap_detector::channel::reset()
{
    state = {};
    learned.clear();
    rebase = false;
}

bool tap_detector::channel::feed(double x,
                                 double window_sigma,
                                 const tap_detector_config& c)
{
    if (!state.learned) {
        learned.push_back(x);
        if (learned.size() < c.learn_windows)
            return false;
        double sum = 0;
        std::vector<double> steps;
        for (std::size_t i = 0; i < learned.size(); ++i) {
            sum += learned[i];
            if (i > 0)
                steps.push_back(std::abs(learned[i] - learned[i - 1]));
        }
        // The median |difference| of two N(0, s^2) values is 0.954 s.
        state.sigma_db = std::max(c.min_sigma_db, median(steps) / 0.954);
        state.baseline_db = state.commissioned_db =
            sum / static_cast<double>(learned.size());
        state.cusum = 0.0;
        state.learned = true;
        learned.clear();
        learned.shrink_to_fit();
        return false;
    }
    if (rebase) { // cleared: this window is the link as it is now
        state.baseline_db = state.commissioned_db = x;
        state.cusum = state.drop_db = 0.0;
        rebase = false;
        return false;
    }
    // The log-likelihood ratio of a drop of step_db against none, for this window's noise.
    const double sigma = std::max(state.sigma_db, window_sigma);
    const double drop = state.baseline_db - x;
    state.drop_db = drop;
    state.cusum = std::max(
        0.0, state.cusum + c.step_db / (sigma * sigma) * (drop - 0.5 * c.step_db));
    state.baseline_db += (x - state.baseline_db) / c.baseline_windows;
    return state.cusum > c.decision;
}

bool tap_detector::learning() const
{
    return !d_power.state.learned && !d_q.state.learned;
}

std::optional<tap_alarm> tap_detector::observe(const performance_window& w)
{
    if (d_alarm)
        return std::nullopt;
    const bool learned = !learning();
    if (w.dlos || w.dlof) {
        if (learned && d_config.alarm_on_outage)
            d_alarm = tap_alarm{ w.index, tap_alarm_cause::outage, 0.0 };
        return d_alarm;
    }
    if (w.any_defect())
        return std::nullopt;

    const double power = std::isfinite(w.power_dbm) ? w.power_dbm : w.level_power_dbm;
    if (std::isfinite(power)) {
        if (d_power.feed(power, 0.0, d_config))
            d_alarm =
                tap_alarm{ w.index, tap_alarm_cause::power_step, d_power.state.drop_db };
        else if (d_power.state.learned && d_config.level_margin_db > 0 &&
                 d_power.state.commissioned_db - power > d_config.level_margin_db)
            d_alarm = tap_alarm{ w.index,
                                 tap_alarm_cause::power_level,
                                 d_power.state.commissioned_db - power };
    }
    if (const auto q = q_db_from_ber(w.pre_fec_ber)) {
        if (d_q.feed(*q, q_db_sigma(*q, w), d_config) && !d_alarm)
            d_alarm = tap_alarm{ w.index, tap_alarm_cause::q_step, d_q.state.drop_db };
    }
    return d_alarm;
}

void tap_detector::clear()
{
    d_alarm.reset();
    for (channel* c : { &d_power, &d_q }) {
        c->rebase = c->state.learned;
        c->state.cusum = 0.0;
    }
}

void tap_detector::relearn()
{
    d_alarm.reset();
    d_power.reset();
    d_q.reset();
}

} // namespace fiberkey
