/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FIBER_LINK_H
#define FIBERKEY_CORE_FIBER_LINK_H

#include <fiberkey/gaussian_source.h>

#include <array>
#include <cstddef>

namespace fiberkey {

/*
 * The default link (IM-DD, PIN receiver, thermal-noise limited), with the defaults of
 * ook_modulator_config:
 *
 *   launch -14.9 dBm average, extinction ratio 10 dB
 *   fiber 10 km x 0.35 dB/km = 3.5 dB, connectors 1.0 dB: loss 4.5 dB
 *   received -19.4 dBm = 11.48 uW average: P1 = 20.88 uW, P0 = 2.088 uW
 *   responsivity 0.8 A/W: I1 = 16.70 uA, I0 = 1.670 uA
 *   noise bandwidth 7.7 GHz (0.7 x the 11.04 Gb/s line rate)
 *   thermal 20 pA/sqrt(Hz) x sqrt(7.7e9 Hz) = 1.755 uA rms
 *   shot 2 q I B: 0.203 uA rms on ones, 0.064 uA on zeros
 *   sigma1 = sqrt(1.755^2 + 0.203^2) = 1.767 uA, sigma0 = 1.756 uA
 *   Q = (16.70 - 1.670) / (1.767 + 1.756) = 4.27, BER = 0.5 erfc(Q / sqrt 2) = 9.9e-6
 *
 * Each 0.1 dB of launch power moves the BER by a factor of about 1.5 here.
 */

//! Photocurrents and noise of the two symbols at the decision point.
struct link_levels {
    double i1 = 0.0;     //!< mean on ones, A
    double i0 = 0.0;     //!< mean on zeros, A
    double sigma1 = 0.0; //!< rms noise on ones, A
    double sigma0 = 0.0; //!< rms noise on zeros, A
};

//! Q = (I1 - I0) / (sigma1 + sigma0).
double q_factor(const link_levels& levels);
//! BER = 0.5 erfc(Q / sqrt 2): the Gaussian BER at the optimum threshold.
double ber_from_q(double q);
//! The threshold where both symbols have the same Q: (sigma0 I1 + sigma1 I0) / (sigma0 +
//! sigma1).
double optimum_threshold(const link_levels& levels);
//! BER of Gaussian symbols for any threshold (equiprobable ones and zeros).
double ber_at_threshold(const link_levels& levels, double threshold);

struct fiber_link_config {
    double length_km = 10.0;
    double attenuation_db_per_km = 0.35;
    //! Lumped loss of the connectors and splices, half at each end.
    double connector_loss_db = 1.0;
};

/*!
 * \brief Fiber loss: optical power in, optical power out (watts).
 *
 * Dispersion is neglected: at 11 Gb/s over tens of km of standard fiber its penalty is
 * small next to the noise this model is for.
 */
class fiber_link
{
public:
    //! Throws std::invalid_argument for a negative length, attenuation or loss.
    explicit fiber_link(const fiber_link_config& config);

    double loss_db() const { return d_loss_db; }
    //! Output power / input power.
    double transmission() const { return d_transmission; }
    const fiber_link_config& config() const { return d_config; }

    //! out may equal in.
    void process(const float* in_w, float* out_w, std::size_t n) const;

private:
    fiber_link_config d_config;
    double d_loss_db;
    double d_transmission;
};

struct receiver_config {
    double responsivity_a_per_w = 0.8;
    //! Input-referred current noise density of the transimpedance amplifier.
    double thermal_noise_pa_per_rthz = 20.0;
    //! Electrical noise bandwidth: 0.7 x 11.04 Gb/s.
    double bandwidth_ghz = 7.7;
    //! An optical preamplifier (EDFA) in front of the photodiode.
    bool amplifier = false;
    double amplifier_gain_db = 20.0;
    double amplifier_noise_figure_db = 5.0;
    //! Optical filter after the amplifier: sets the ASE power and the ASE-ASE beat.
    double optical_bandwidth_ghz = 50.0;
    double wavelength_nm = 1550.0;
};

/*!
 * \brief Square-law receiver: optical power samples (W) in, photocurrent samples (A) out,
 * with signal-dependent Gaussian noise.
 *
 * For an input power P (amplifier gain G, ASE density S = (NF G - 1) h nu / 2 per
 * polarisation, electrical bandwidth B, optical bandwidth Bo, responsivity R):
 *
 *   mean     I = R G P + 2 R S Bo                    (signal and ASE in two
 * polarisations) variance in^2 B                                  (thermal)
 *          + 2 q I B                                 (shot)
 *          + 4 R^2 G P S B                           (signal-ASE beat)
 *          + 4 R^2 S^2 B (Bo - B / 2)                (ASE-ASE beat)
 *
 * Without the amplifier G = 1 and S = 0. Every sample gets independent noise: exact for
 * one sample per bit taken at the decision instant, an approximation of the filtered
 * noise between those instants.
 */
class optical_receiver
{
public:
    //! Throws std::invalid_argument for responsivity <= 0 and other impossible values.
    explicit optical_receiver(const receiver_config& config,
                              gaussian_source noise = gaussian_source());

    //! out may equal in.
    void process(const float* optical_w, float* current_a, std::size_t n);

    double mean_current(double power_w) const
    {
        return d_gain_r * power_w + d_ase_current;
    }
    double noise_sigma(double power_w) const;
    //! Levels and noise at the decision point for the two input powers.
    link_levels levels(double p1_w, double p0_w) const;
    const receiver_config& config() const { return d_config; }

private:
    static constexpr std::size_t block = 4096;

    receiver_config d_config;
    gaussian_source d_noise;
    double d_gain_r;         // R G, A/W
    double d_ase_current;    // A
    double d_variance_0;     // A^2, the part of the variance that does not depend on P
    double d_variance_per_w; // A^2/W
    std::array<float, block> d_normals{};
};

} // namespace fiberkey

#endif
