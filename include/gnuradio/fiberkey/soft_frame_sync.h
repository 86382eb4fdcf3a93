/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SOFT_FRAME_SYNC_H
#define INCLUDED_FIBERKEY_SOFT_FRAME_SYNC_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

#include <cstdint>

namespace gr {
namespace fiberkey {

/*!
 * \brief Frame alignment on soft samples (G.798 hunting, confirmation, 5 misses out).
 * \ingroup fiberkey
 *
 * \details
 * Float samples at one sample per bit in, the same samples out (item k out is item k
 * in), held back by delay() (112) samples so that each frame is known before its first
 * sample leaves; the last delay() samples of a finite stream stay behind. A
 * "frame_start" tag on the first sample of every frame's FAS once
 * in frame. The tag value is a dict: "one", "zero" (levels, one below zero when
 * inverted), "threshold" (the Gaussian optimum), "inverted" (bool), "sigma_one",
 * "sigma_zero" (rms noise), "correlation" and "fas_ok" (false while a missed FAS is
 * tolerated). Works on any amplitude, offset and polarity. Changes of alignment are
 * logged and published on "status" (dict: "event" in_frame / out_of_frame, "sample"
 * the output index of that FAS).
 */
class FIBERKEY_API soft_frame_sync : virtual public gr::block
{
public:
    typedef std::shared_ptr<soft_frame_sync> sptr;

    /*!
     * \brief Makes a soft_frame_sync: float in, float out (same samples, delayed by
     * delay()), "frame_start" tags added; message port "status" out.
     *
     * \param max_hunt_bit_errors FAS bits that may be wrong while hunting, 0..12
     * \param min_correlation normalised FAS correlation that counts, (0, 1]
     * \param level_smoothing weight of each frame in the level estimates, (0, 1]
     */
    static sptr make(int max_hunt_bit_errors = 4,
                     double min_correlation = 0.6,
                     double level_smoothing = 0.25);

    virtual bool in_frame() const = 0;
    virtual uint64_t frames() const = 0;
    virtual uint64_t missed_fas() const = 0;
    virtual uint64_t in_frame_events() const = 0;
    virtual uint64_t out_of_frame_events() const = 0;
    //! How many samples the output lags the input (not an index shift).
    virtual int delay() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_SOFT_FRAME_SYNC_H */
