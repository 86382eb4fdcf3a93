/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OOK_MODULATOR_H
#define INCLUDED_FIBERKEY_OOK_MODULATOR_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_interpolator.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Intensity modulation (OOK, NRZ): unpacked bits in, optical power (W) out.
 * \ingroup fiberkey
 *
 * \details
 * One bit per input byte (the LSB counts), samples_per_bit float samples per bit out,
 * in watts. The mean launch power over ones and zeros and the extinction ratio P1/P0 set
 * the two levels; transitions are raised-cosine edges with the given 10-90 % rise time in
 * bit periods (0 = rectangular, up to 2; overlapping edges are intersymbol interference).
 * Edges reach delay_bits() bits either side, so output bit m carries input bit
 * m - delay_bits() (0 at one sample per bit and rise times up to 0.59 bit); tags move
 * with their bit. Changing the power or extinction ratio at run time restarts the line
 * at P0 (no effect on the samples when delay_bits() is 0).
 */
class FIBERKEY_API ook_modulator : virtual public gr::sync_interpolator
{
public:
    typedef std::shared_ptr<ook_modulator> sptr;

    /*!
     * \brief Makes an ook_modulator: byte in (one bit per byte), float out (W),
     * interpolation samples_per_bit.
     *
     * \param samples_per_bit output samples per bit, 1..1024
     * \param launch_power_dbm mean launch power over ones and zeros, dBm (finite);
     *        settable with set_launch_power_dbm()
     * \param extinction_ratio_db P1 / P0, > 0 dB; settable with set_extinction_ratio_db()
     * \param rise_time_bits 10-90 % rise and fall time in bit periods, 0..2
     */
    static sptr make(int samples_per_bit = 1,
                     double launch_power_dbm = -14.9,
                     double extinction_ratio_db = 10.0,
                     double rise_time_bits = 0.3);

    virtual void set_launch_power_dbm(double dbm) = 0;
    virtual double launch_power_dbm() const = 0;
    virtual void set_extinction_ratio_db(double db) = 0;
    virtual double extinction_ratio_db() const = 0;
    //! Launched power of a one and of a zero, W.
    virtual double power_one_w() const = 0;
    virtual double power_zero_w() const = 0;
    virtual int delay_bits() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_OOK_MODULATOR_H */
