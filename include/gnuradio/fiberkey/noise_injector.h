/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_NOISE_INJECTOR_H
#define INCLUDED_FIBERKEY_NOISE_INJECTOR_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief The receiver's local noise (protocol.md section 7) on ND1 and ND2 only.
 * \ingroup fiberkey
 *
 * \details
 * Float samples with "frame_start" tags (from soft_frame_sync) in, the same samples out;
 * within each tagged frame zero-mean Gaussian noise is added to the samples of the ND1
 * bits and of the ND2 bits of NEG, nothing else is touched. Each frame gets two fresh,
 * independent sigmas (ND1, ND2) from the distribution: law "ber_log_uniform" (default,
 * BER log-uniform in [low, high]), "ber_uniform", or "sigma_uniform" (sigma / |one -
 * zero| uniform in [low, high]); the frame's levels and threshold come from its tag. The
 * sigmas are tagged "nd1_sigma" and "nd2_sigma" (double, sample units) on the frame
 * start. A frame whose tag has unusable levels is passed through untouched and counted.
 *
 * seed 0: noise and sigmas from a CSPRNG keyed from OS entropy; nonzero: reproducible,
 * FOR TESTS ONLY (a warning is logged).
 */
class FIBERKEY_API noise_injector : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<noise_injector> sptr;

    /*!
     * \brief Makes a noise_injector: float in, float out (sync), "nd1_sigma" and
     * "nd2_sigma" tags added.
     *
     * \param samples_per_bit samples per line bit, 1..1024, as the frame sync and slicer
     *        use; every sample of an ND bit gets noise
     * \param law distribution of each field's sigma per frame: "ber_log_uniform",
     *        "ber_uniform" (the BER that the noise alone would cause, between low and
     *        high) or "sigma_uniform" (sigma relative to |one - zero|, between low and
     *        high)
     * \param low lower end of the distribution: a BER law needs 0 < low <= high < 0.5;
     *        sigma_uniform needs 0 <= low <= high
     * \param high upper end of the distribution (see low)
     * \param seed 0: noise and sigmas from a CSPRNG keyed from OS entropy; any other
     *        value: reproducible FOR TESTS ONLY
     */
    static sptr make(int samples_per_bit = 1,
                     const std::string& law = "ber_log_uniform",
                     double low = 1e-3,
                     double high = 0.2,
                     uint64_t seed = 0);

    //! Frames that got noise.
    virtual uint64_t frames() const = 0;
    //! Frames passed through untouched because of unusable levels.
    virtual uint64_t skipped_frames() const = 0;
    virtual bool test_seeded() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_NOISE_INJECTOR_H */
