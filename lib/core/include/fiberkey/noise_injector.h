/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_NOISE_INJECTOR_H
#define FIBERKEY_CORE_NOISE_INJECTOR_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/gaussian_source.h>
#include <fiberkey/signal_levels.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fiberkey {

//! How the local noise of a NEG field is drawn for every frame.
enum class noise_law : std::uint8_t {
    //! The local-noise BER is log-uniform in [low, high]; sigma follows from the levels.
    ber_log_uniform,
    //! The local-noise BER is uniform in [low, high].
    ber_uniform,
    //! sigma / |one - zero| is uniform in [low, high].
    sigma_uniform,
};

//! The law of a name: ber_log_uniform, ber_uniform or sigma_uniform; throws
//! std::invalid_argument naming the three for anything else.
noise_law parse_noise_law(std::string_view name);

struct noise_distribution {
    noise_law law = noise_law::ber_log_uniform;
    //! BER for the ber_* laws (0 < low <= high < 0.5), relative sigma for sigma_uniform.
    double low = 1e-3;
    double high = 0.2;
};

struct noise_injector_config {
    unsigned samples_per_bit = 1;
    noise_distribution distribution;
};

//! The noise of one frame: what the evaluation tags report.
struct frame_noise {
    double sigma_nd1 = 0.0; //!< in sample units
    double sigma_nd2 = 0.0;
    double ber_nd1 = 0.0; //!< the local-noise BER that sigma gives at the frame's levels
    double ber_nd2 = 0.0;
};

/*!
 * \brief The receiver's local noise (protocol.md section 7): zero-mean Gaussian noise on
 * the samples of the ND1 bits and of the ND2 bits of NEG, nowhere else.
 *
 * Every frame gets two fresh, independent draws, one per field, from the configured
 * distribution; both arrays of a field share its sigma. The levels and threshold of the
 * frame (from soft_frame_sync) turn a target BER into sigma: the BER of a noiseless
 * two-level signal with Gaussian noise, sliced at that threshold. The link's own noise,
 * already in the samples, comes on top. The draws and the noise come from the
 * CSPRNG.
 *
 * Samples are frame-aligned: sample 0 is the first sample of the first FAS bit, and
 * every bit has samples_per_bit samples.
 */
class noise_injector
{
public:
    //! Throws std::invalid_argument for samples_per_bit 0 or a distribution outside
    //! its documented ranges.
    explicit noise_injector(const noise_injector_config& config,
                            gaussian_source source = gaussian_source());

    std::size_t frame_samples() const { return frame_layout::frame_bytes * 8 * d_sps; }
    //! The samples of ND1 and ND2 within a frame.
    frame_layout::span nd1_samples() const { return d_nd1; }
    frame_layout::span nd2_samples() const { return d_nd2; }

    //! Draws the two sigmas of a frame. Throws std::invalid_argument unless the threshold
    //! lies strictly between the levels.
    frame_noise draw(const signal_levels& levels);

    /*!
     * Adds the noise to the part of a frame at hand: samples[0] is sample frame_offset
     * of the frame, n samples follow. A frame may so be treated in any number of pieces.
     */
    void apply(float* samples,
               std::size_t frame_offset,
               std::size_t n,
               const frame_noise& noise);

    //! draw() then apply() on a whole frame of frame_samples() samples, in place.
    frame_noise process(float* frame, const signal_levels& levels);

    //! The BER at the decision with local noise of this sigma added to the noise already
    //! on the levels (levels.sigma_one, sigma_zero; 0 for noiseless levels).
    static double local_noise_ber(double sigma, const signal_levels& levels);
    //! The local sigma that makes the BER at the decision \p ber, 0 < ber < 0.5; 0 when
    //! the noise already there gives that much.
    static double sigma_for_ber(double ber, const signal_levels& levels);

private:
    void add_noise(float* samples,
                   std::size_t frame_offset,
                   std::size_t n,
                   frame_layout::span field,
                   double sigma);
    double draw_one(const signal_levels& levels, double& ber);

    unsigned d_sps;
    noise_distribution d_distribution;
    gaussian_source d_source;
    frame_layout::span d_nd1;
    frame_layout::span d_nd2;
    std::vector<float> d_normals;
};

} // namespace fiberkey

#endif
