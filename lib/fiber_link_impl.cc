/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fiber_link_impl.h"
#include "stream_buffers.h"

#include <gnuradio/io_signature.h>
#include <volk/volk.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
// A different, fixed stream for Eve's receiver under a test seed.
constexpr uint64_t eve_seed_mask = 0x9e3779b97f4a7c15ULL;

// The receivers' thermal, shot and ASE noise is physics, not a secret: the fast
// generator (the local noise of the Noise Injector stays on the CSPRNG).
fk::gaussian_source noise_source(uint64_t seed)
{
    return seed == 0 ? fk::gaussian_source::physical()
                     : fk::gaussian_source::physical_from_test_seed(seed);
}
} // namespace

fiber_link::sptr fiber_link::make(double length_km,
                                  double attenuation_db_per_km,
                                  double connector_loss_db,
                                  double responsivity_a_per_w,
                                  double thermal_noise_pa_per_rthz,
                                  double bandwidth_ghz,
                                  bool amplifier,
                                  double amplifier_gain_db,
                                  double amplifier_noise_figure_db,
                                  double optical_bandwidth_ghz,
                                  bool eve_tap,
                                  double eve_tap_fraction,
                                  double eve_position_km,
                                  double eve_thermal_noise_pa_per_rthz,
                                  uint64_t seed)
{
    fk::fiber_link_config link;
    link.length_km = length_km;
    link.attenuation_db_per_km = attenuation_db_per_km;
    link.connector_loss_db = connector_loss_db;
    fk::receiver_config rx;
    rx.responsivity_a_per_w = responsivity_a_per_w;
    rx.thermal_noise_pa_per_rthz = thermal_noise_pa_per_rthz;
    rx.bandwidth_ghz = bandwidth_ghz;
    rx.amplifier = amplifier;
    rx.amplifier_gain_db = amplifier_gain_db;
    rx.amplifier_noise_figure_db = amplifier_noise_figure_db;
    rx.optical_bandwidth_ghz = optical_bandwidth_ghz;
    fk::eve_tap_config tap;
    tap.tap_fraction = eve_tap_fraction;
    tap.position_km = eve_position_km;
    tap.receiver = rx;
    tap.receiver.thermal_noise_pa_per_rthz = eve_thermal_noise_pa_per_rthz;
    return gnuradio::make_block_sptr<fiber_link_impl>(link, rx, eve_tap, tap, seed);
}

fiber_link_impl::fiber_link_impl(const fk::fiber_link_config& link,
                                 const fk::receiver_config& receiver,
                                 bool eve_tap,
                                 const fk::eve_tap_config& tap,
                                 uint64_t seed)
    : gr::sync_block("fiber_link",
                     gr::io_signature::make(1, 1, sizeof(float)),
                     gr::io_signature::make(1, eve_tap ? 2 : 1, sizeof(float))),
      d_test_seeded(seed != 0),
      d_fiber(link),
      d_receiver(receiver, noise_source(seed))
{
    request_sample_buffers(*this);
    if (eve_tap)
        d_tap = std::make_unique<fk::eve_tap>(
            link, tap, noise_source(seed == 0 ? 0 : seed ^ eve_seed_mask));
    if (d_test_seeded)
        d_logger->warn("seed {}: reproducible receiver noise FOR TESTS ONLY, not for a "
                       "real link",
                       seed);
}

double fiber_link_impl::transmission() const
{
    return (d_tap && d_tap_active ? d_tap->main_transmission() : d_fiber.transmission()) *
           d_extra_transmission;
}

void fiber_link_impl::set_tap_active(bool active)
{
    if (!d_tap)
        throw std::invalid_argument("fiber_link: no Eve tap configured");
    d_tap_active = active;
}

void fiber_link_impl::set_extra_loss_db(double db)
{
    if (!std::isfinite(db) || db < -20.0)
        throw std::invalid_argument(
            "fiber_link: extra loss must be finite and >= -20 dB");
    d_extra_loss_db = db;
    d_extra_transmission = std::pow(10.0, -db / 10.0);
}

double fiber_link_impl::eve_transmission() const
{
    return d_tap ? d_tap->eve_transmission() : 0.0;
}

fk::link_levels fiber_link_impl::link_levels_of(double p1_w, double p0_w, bool eve) const
{
    if (eve) {
        if (!d_tap)
            throw std::invalid_argument("fiber_link: no Eve tap configured");
        return d_tap->eve_levels(p1_w, p0_w);
    }
    const double t = transmission();
    return d_receiver.levels(p1_w * t, p0_w * t);
}

std::vector<double> fiber_link_impl::levels(double p1_w, double p0_w, bool eve) const
{
    const auto l = link_levels_of(p1_w, p0_w, eve);
    return { l.i1, l.i0, l.sigma1, l.sigma0 };
}

double fiber_link_impl::expected_ber(double p1_w, double p0_w, bool eve) const
{
    return fk::ber_from_q(fk::q_factor(link_levels_of(p1_w, p0_w, eve)));
}

double fiber_link_impl::optimum_threshold(double p1_w, double p0_w, bool eve) const
{
    return fk::optimum_threshold(link_levels_of(p1_w, p0_w, eve));
}

int fiber_link_impl::work(int noutput_items,
                          gr_vector_const_void_star& input_items,
                          gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    auto* out = static_cast<float*>(output_items[0]);
    const auto n = static_cast<std::size_t>(noutput_items);
    float* eve = output_items.size() > 1 ? static_cast<float*>(output_items[1]) : nullptr;
    if (d_tap && d_tap_active) {
        if (!eve) {
            if (d_scratch.size() < n)
                d_scratch.resize(n);
            eve = d_scratch.data();
        }
        d_tap->process(in, out, eve, n);
    } else {
        d_fiber.process(in, out, n);
        if (eve) // the coupler is out: no light reaches Eve's receiver
            std::fill_n(eve, n, 0.0f);
    }
    const double extra = d_extra_transmission;
    if (extra != 1.0)
        volk_32f_s32f_multiply_32f(out, out, static_cast<float>(extra), n);
    d_receiver.process(out, out, n);
    return noutput_items;
}

} // namespace fiberkey
} // namespace gr
