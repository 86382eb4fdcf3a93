/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eve_tap.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

void validate(const fiber_link_config& link, const eve_tap_config& tap)
{
    const fiber_link whole(link); // throws for a bad link
    if (!(tap.position_km >= 0.0 && tap.position_km <= link.length_km))
        throw std::invalid_argument("eve_tap: position_km must be in [0, " +
                                    std::to_string(link.length_km) + "] km, got " +
                                    std::to_string(tap.position_km));
    if (!(tap.tap_fraction > 0.0 && tap.tap_fraction < 1.0))
        throw std::invalid_argument("eve_tap: tap_fraction must be in (0, 1), got " +
                                    std::to_string(tap.tap_fraction));
}

double from_db(double db) { return std::pow(10.0, db / 10.0); }

} // namespace

eve_tap::eve_tap(const fiber_link_config& link,
                 const eve_tap_config& tap,
                 gaussian_source eve_noise)
    : d_receiver(tap.receiver, std::move(eve_noise))
{
    validate(link, tap);
    const double to_tap_db =
        link.connector_loss_db / 2 + link.attenuation_db_per_km * tap.position_km;
    const double after_tap_db =
        link.connector_loss_db / 2 +
        link.attenuation_db_per_km * (link.length_km - tap.position_km);
    d_eve = from_db(-to_tap_db) * tap.tap_fraction;
    d_main = from_db(-to_tap_db) * (1.0 - tap.tap_fraction) * from_db(-after_tap_db);
}

void eve_tap::process(const float* launched_w, float* main_w, float* eve_a, std::size_t n)
{
    // One pass over the input for both shares (main_w may be the input: each sample is
    // read before it is overwritten), then Eve's receiver on hers.
    const auto eve = static_cast<float>(d_eve);
    const auto main = static_cast<float>(d_main);
    for (std::size_t i = 0; i < n; ++i) {
        const float p = launched_w[i];
        eve_a[i] = p * eve;
        main_w[i] = p * main;
    }
    d_receiver.process(eve_a, eve_a, n);
}

link_levels eve_tap::eve_levels(double p1_launched_w, double p0_launched_w) const
{
    return d_receiver.levels(p1_launched_w * d_eve, p0_launched_w * d_eve);
}

} // namespace fiberkey
