/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LEVEL_NORMALIZER_H
#define INCLUDED_FIBERKEY_LEVEL_NORMALIZER_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

#include <cstdint>

namespace gr {
namespace fiberkey {

/*!
 * \brief Level normaliser: a two-level signal of any units, offset and polarity to
 * about +-1, for captures whose scale nobody knows (volts, amperes, ADC codes).
 * \ingroup fiberkey
 *
 * \details
 * The first learn_samples samples set the two levels (their 10th and 90th
 * percentiles); they come out normalised, then every later sample as it comes (one
 * out per one in, the same sample positions, so tags stay in place), while each level
 * follows slow drift over tracking_samples samples. Samples beyond +-4 come out at +-4;
 * non-finite ones as 0, counted. A stream shorter than learn_samples gives nothing. Put
 * it before a DC blocker and a symbol synchroniser, whose loops assume a known
 * amplitude.
 */
class FIBERKEY_API level_normalizer : virtual public gr::block
{
public:
    typedef std::shared_ptr<level_normalizer> sptr;

    /*!
     * \param learn_samples samples that set the levels at the start, >= 16
     * \param tracking_samples time constant (samples) of the levels' drift tracking,
     *        >= 0 (0: the learned levels are kept)
     */
    static sptr make(int learn_samples = 65536, double tracking_samples = 65536);

    virtual bool learned() const = 0;
    //! The two levels now, in the input's units (equal: no signal, zeros out).
    virtual double low() const = 0;
    virtual double high() const = 0;
    virtual uint64_t nonfinite_samples() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
