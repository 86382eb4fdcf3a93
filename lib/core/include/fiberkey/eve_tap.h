/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_EVE_TAP_H
#define FIBERKEY_CORE_EVE_TAP_H

#include <fiberkey/fiber_link.h>

#include <cstddef>

namespace fiberkey {

struct eve_tap_config {
    //! Where the tap sits, km from A: 0 .. the link length.
    double position_km = 5.0;
    //! Fraction of the optical power there that goes to Eve, (0, 1).
    double tap_fraction = 0.1;
    //! Eve's own receiver; she can afford a quieter one than the link's.
    receiver_config receiver;
};

/*!
 * \brief A passive tap on the fiber (protocol.md section 8): the light launched at A
 * goes through position_km of fiber, a coupler sends tap_fraction of it to Eve's
 * receiver, and the rest continues through the remaining fiber to B.
 *
 * The link's connector loss is split between its two ends, so Eve sees half of it; the
 * coupler is ideal (no excess loss). The main output is optical power at B's receiver
 * input, for B's optical_receiver; Eve's output is her photocurrent, with her own noise.
 */
class eve_tap
{
public:
    //! Throws std::invalid_argument for a position outside the link or a fraction
    //! outside (0, 1), and for what fiber_link and optical_receiver reject.
    eve_tap(const fiber_link_config& link,
            const eve_tap_config& tap,
            gaussian_source eve_noise = gaussian_source());

    /*!
     * Consumes n power samples launched at A (W); writes the power reaching B (W) and
     * Eve's photocurrent (A). main_w may equal launched_w; eve_a must not overlap it.
     */
    void process(const float* launched_w, float* main_w, float* eve_a, std::size_t n);

    //! Power at B / power launched, including the share Eve takes.
    double main_transmission() const { return d_main; }
    //! Power at Eve's receiver / power launched.
    double eve_transmission() const { return d_eve; }
    //! Levels and noise at Eve's decision point for the two launched powers.
    link_levels eve_levels(double p1_launched_w, double p0_launched_w) const;

private:
    double d_main;
    double d_eve;
    optical_receiver d_receiver;
};

} // namespace fiberkey

#endif
