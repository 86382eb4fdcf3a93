/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SLICER_H
#define INCLUDED_FIBERKEY_SLICER_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_decimator.h>

#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Hard decisions: float samples in, unpacked bits (0 or 1 per byte) out.
 * \ingroup fiberkey
 *
 * \details
 * Keeps sample sample_phase of every samples_per_bit samples. Threshold modes:
 * "tag" (default): each "frame_start" tag (soft_frame_sync) sets the threshold and the
 * polarity from its sample on; before the first tag the slicer adapts to the signal on
 * its own, so the bits are usable from the start. "fixed": the threshold parameter.
 * "adaptive": tracks the two levels and keeps the threshold at their midpoint. In every
 * mode a "frame_start" tag sets the polarity ("inverted": decide 1 below the threshold).
 * Bits leave in whole blocks of 256 (decisions independent of scheduling); the last
 * < 256 bits of a finite stream stay behind.
 */
class FIBERKEY_API slicer : virtual public gr::sync_decimator
{
public:
    typedef std::shared_ptr<slicer> sptr;

    /*!
     * \brief Makes a slicer: float in, byte out (0 or 1), decimation samples_per_bit.
     *
     * \param samples_per_bit input samples per bit, 1..1024
     * \param sample_phase which sample of each bit is decided, 0..samples_per_bit - 1
     * \param mode threshold mode: "tag", "fixed" or "adaptive" (see above)
     * \param threshold decision threshold in sample units, finite: used in "fixed" mode
     *        (a "frame_start" tag replaces it in "tag" mode; "adaptive" finds its own);
     *        settable with set_threshold()
     * \param inverted decide 1 below the threshold, until a "frame_start" tag says
     *        otherwise; settable with set_inverted()
     * \param adaptation_rate weight of each block of 256 decisions in the adaptive level
     *        averages ("adaptive" mode, and "tag" mode before the first tag), in (0, 1]
     */
    static sptr make(int samples_per_bit = 1,
                     int sample_phase = 0,
                     const std::string& mode = "tag",
                     double threshold = 0.0,
                     bool inverted = false,
                     double adaptation_rate = 1.0 / 16);

    //! Fixed and tag modes: from the next decision on (a later tag overrides it).
    virtual void set_threshold(double threshold) = 0;
    virtual double threshold() const = 0;
    virtual void set_inverted(bool inverted) = 0;
    virtual bool inverted() const = 0;
    virtual std::string mode() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_SLICER_H */
