/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ook_modulator_impl.h"
#include "stream_buffers.h"

#include <gnuradio/io_signature.h>

#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace {
::fiberkey::ook_modulator_config make_config(int sps, double dbm, double er, double rise)
{
    if (sps < 1 || sps > 1024)
        throw std::invalid_argument("ook_modulator: samples_per_bit must be in 1..1024");
    ::fiberkey::ook_modulator_config c;
    c.samples_per_bit = static_cast<unsigned>(sps);
    c.average_power_dbm = dbm;
    c.extinction_ratio_db = er;
    c.rise_time_bits = rise;
    return c;
}
} // namespace

ook_modulator::sptr ook_modulator::make(int samples_per_bit,
                                        double launch_power_dbm,
                                        double extinction_ratio_db,
                                        double rise_time_bits)
{
    return gnuradio::make_block_sptr<ook_modulator_impl>(
        samples_per_bit, launch_power_dbm, extinction_ratio_db, rise_time_bits);
}

ook_modulator_impl::ook_modulator_impl(int samples_per_bit,
                                       double launch_power_dbm,
                                       double extinction_ratio_db,
                                       double rise_time_bits)
    : gr::sync_interpolator(
          "ook_modulator",
          gr::io_signature::make(1, 1, sizeof(uint8_t)),
          gr::io_signature::make(1, 1, sizeof(float)),
          static_cast<unsigned>(samples_per_bit < 1 ? 1 : samples_per_bit)),
      d_config(make_config(
          samples_per_bit, launch_power_dbm, extinction_ratio_db, rise_time_bits)),
      d_core(d_config)
{
    request_sample_buffers(*this);
    // Tags move with their bit, which comes out delay_bits() later.
    set_tag_propagation_policy(TPP_DONT);
}

void ook_modulator_impl::reconfigure(const ::fiberkey::ook_modulator_config& config)
{
    ::fiberkey::ook_modulator core(config); // throws before anything changes
    gr::thread::scoped_lock guard(d_setlock);
    if (core.delay_bits() != d_core.delay_bits())
        throw std::invalid_argument(
            "ook_modulator: that change would move the bits in time");
    d_config = config;
    d_core = std::move(core);
}

void ook_modulator_impl::set_launch_power_dbm(double dbm)
{
    auto c = d_config;
    c.average_power_dbm = dbm;
    reconfigure(c);
}

void ook_modulator_impl::set_extinction_ratio_db(double db)
{
    auto c = d_config;
    c.extinction_ratio_db = db;
    reconfigure(c);
}

double ook_modulator_impl::launch_power_dbm() const { return d_config.average_power_dbm; }
double ook_modulator_impl::extinction_ratio_db() const
{
    return d_config.extinction_ratio_db;
}
double ook_modulator_impl::power_one_w() const { return d_core.power_one_w(); }
double ook_modulator_impl::power_zero_w() const { return d_core.power_zero_w(); }
int ook_modulator_impl::delay_bits() const
{
    return static_cast<int>(d_core.delay_bits());
}

int ook_modulator_impl::work(int noutput_items,
                             gr_vector_const_void_star& input_items,
                             gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<float*>(output_items[0]);
    const unsigned sps = interpolation();
    const int nbits = noutput_items / static_cast<int>(sps);

    gr::thread::scoped_lock guard(d_setlock);
    d_core.process(in, out, static_cast<std::size_t>(nbits));

    const uint64_t first = nitems_read(0);
    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, first, first + nbits);
    const uint64_t shift = static_cast<uint64_t>(d_core.delay_bits()) * sps;
    for (const auto& t : tags)
        add_item_tag(0, t.offset * sps + shift, t.key, t.value, t.srcid);
    return nbits * static_cast<int>(sps);
}

} // namespace fiberkey
} // namespace gr
