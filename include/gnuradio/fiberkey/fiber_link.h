/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_FIBER_LINK_H
#define INCLUDED_FIBERKEY_FIBER_LINK_H

#include <gnuradio/fiberkey/api.h>
#include <gnuradio/sync_block.h>

#include <cstdint>
#include <vector>

namespace gr {
namespace fiberkey {

/*!
 * \brief The fiber and B's receiver, optionally with a passive tap for Eve.
 * \ingroup fiberkey
 *
 * \details
 * Input: launched optical power (W, from ook_modulator). Output 0: B's photocurrent (A)
 * after the fiber loss (length x attenuation + connector loss) and a square-law PIN
 * receiver (responsivity, thermal noise density, electrical bandwidth; shot noise follows
 * from the current), optionally behind an optical preamplifier (gain, noise figure,
 * optical bandwidth). Every sample gets independent Gaussian noise. The defaults are the
 * default link of the core (BER about 1e-5 at -14.9 dBm launched, 10 dB extinction).
 *
 * With eve_tap set, a coupler at eve_position_km sends eve_tap_fraction of the light to
 * Eve's receiver (same kind, her own thermal noise density) and output 1 (then present)
 * is her photocurrent (A); B gets the rest.
 *
 * seed 0 draws the receivers' noise from a fast generator seeded from OS entropy (it is
 * physics, not a secret; the local noise of the noise injector comes from the CSPRNG);
 * any other seed gives a reproducible stream FOR TESTS ONLY (a warning is logged).
 */
class FIBERKEY_API fiber_link : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<fiber_link> sptr;

    /*!
     * \brief Makes a fiber_link: float in (launched power, W), float out 0 (B's
     * photocurrent, A) and, with eve_tap, float out 1 (Eve's photocurrent, A).
     *
     * Each value is checked at construction (std::invalid_argument when out of range).
     *
     * \param length_km fiber length in km, >= 0
     * \param attenuation_db_per_km fiber attenuation in dB/km, >= 0
     * \param connector_loss_db total connector and splice loss in dB, >= 0
     * \param responsivity_a_per_w PIN responsivity in A/W, > 0
     * \param thermal_noise_pa_per_rthz B's thermal noise current density in pA/sqrt(Hz),
     *        >= 0
     * \param bandwidth_ghz receiver electrical (noise) bandwidth in GHz, > 0
     * \param amplifier put an optical preamplifier (with ASE noise) before the PIN
     * \param amplifier_gain_db preamplifier gain in dB, >= 0 (used with amplifier only)
     * \param amplifier_noise_figure_db preamplifier noise figure in dB, at least the
     *        quantum limit 10 log10(2 - 1/G) (used with amplifier only)
     * \param optical_bandwidth_ghz optical filter bandwidth after the preamplifier in
     *        GHz, >= bandwidth_ghz (used with amplifier only)
     * \param eve_tap add Eve's coupler and receiver, and output 1
     * \param eve_tap_fraction share of the light coupled out to Eve, in (0, 1) (used with
     *        eve_tap only)
     * \param eve_position_km distance of the tap from A in km, in [0, length_km] (used
     *        with eve_tap only)
     * \param eve_thermal_noise_pa_per_rthz Eve's thermal noise current density in
     *        pA/sqrt(Hz), >= 0; her receiver is otherwise B's (same responsivity,
     *        bandwidth and preamplifier)
     * \param seed 0: noise from a fast generator seeded from OS entropy; any other
     *        value: a reproducible noise stream FOR TESTS ONLY
     */
    static sptr make(double length_km = 10.0,
                     double attenuation_db_per_km = 0.35,
                     double connector_loss_db = 1.0,
                     double responsivity_a_per_w = 0.8,
                     double thermal_noise_pa_per_rthz = 20.0,
                     double bandwidth_ghz = 7.7,
                     bool amplifier = false,
                     double amplifier_gain_db = 20.0,
                     double amplifier_noise_figure_db = 5.0,
                     double optical_bandwidth_ghz = 50.0,
                     bool eve_tap = false,
                     double eve_tap_fraction = 0.1,
                     double eve_position_km = 5.0,
                     double eve_thermal_noise_pa_per_rthz = 20.0,
                     uint64_t seed = 0);

    //! Power at B's receiver / power launched (Eve's share included).
    virtual double transmission() const = 0;
    //! Power at Eve's receiver / power launched; 0 without a tap.
    virtual double eve_transmission() const = 0;
    /*!
     * B's levels and noise for launched powers p1_w and p0_w: [I1, I0, sigma1, sigma0]
     * in A. Eve's with eve = true (throws without a tap).
     */
    virtual std::vector<double>
    levels(double p1_w, double p0_w, bool eve = false) const = 0;
    //! The Gaussian BER at the optimum threshold for these launched powers.
    virtual double expected_ber(double p1_w, double p0_w, bool eve = false) const = 0;
    virtual double
    optimum_threshold(double p1_w, double p0_w, bool eve = false) const = 0;
    virtual bool test_seeded() const = 0;

    /*!
     * Puts Eve's coupler in (true, the state after make) or takes it out; out, the fiber
     * is whole and Eve's output is zeros (no light). Throws without a tap.
     */
    virtual void set_tap_active(bool active) = 0;
    virtual bool tap_active() const = 0;
    /*!
     * Loss on top of the fiber's, in dB (negative: less): a bend, a connector, the drift
     * of a real plant (monitor_model.h's link_drift can drive it). Finite, >= -20.
     */
    virtual void set_extra_loss_db(double db) = 0;
    virtual double extra_loss_db() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif /* INCLUDED_FIBERKEY_FIBER_LINK_H */
