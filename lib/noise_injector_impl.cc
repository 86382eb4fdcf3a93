/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "noise_injector_impl.h"
#include "blocks_pdu.h"
#include "stream_buffers.h"

#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
double number_in(const pmt::pmt_t& dict, const pmt::pmt_t& key)
{
    const auto x = dict_number(dict, key);
    if (!x)
        throw std::invalid_argument("frame_start tag without a number '" +
                                    pmt::symbol_to_string(key) + "'");
    return *x;
}

// An optional, non-negative number: 0 when the tag does not carry it.
double number_or_zero(const pmt::pmt_t& dict, const pmt::pmt_t& key)
{
    const double x = dict_number(dict, key).value_or(0.0);
    return std::isfinite(x) && x > 0.0 ? x : 0.0;
}
} // namespace

noise_injector::sptr noise_injector::make(
    int samples_per_bit, const std::string& law, double low, double high, uint64_t seed)
{
    if (samples_per_bit < 1)
        throw std::invalid_argument("noise_injector: samples_per_bit must be at least 1");
    fk::noise_injector_config c;
    c.samples_per_bit = static_cast<unsigned>(samples_per_bit);
    c.distribution.law = fk::parse_noise_law(law);
    c.distribution.low = low;
    c.distribution.high = high;
    return gnuradio::make_block_sptr<noise_injector_impl>(c, seed);
}

noise_injector_impl::noise_injector_impl(const fk::noise_injector_config& config,
                                         uint64_t seed)
    : gr::sync_block("noise_injector",
                     gr::io_signature::make(1, 1, sizeof(float)),
                     gr::io_signature::make(1, 1, sizeof(float))),
      d_test_seeded(seed != 0),
      d_core(config,
             seed == 0 ? fk::gaussian_source()
                       : fk::gaussian_source::from_test_seed(seed))
{
    request_sample_buffers(*this);
    if (d_test_seeded)
        d_logger->warn(
            "seed {}: reproducible local noise FOR TESTS ONLY; its variances are "
            "predictable and must never be used on a real link",
            seed);
}

void noise_injector_impl::start_frame(uint64_t offset, const pmt::pmt_t& value)
{
    d_frame_first = offset;
    try {
        if (!pmt::is_dict(value))
            throw std::invalid_argument("frame_start tag is not a dict");
        fk::signal_levels levels;
        levels.one = number_in(value, frame_tags::one());
        levels.zero = number_in(value, frame_tags::zero());
        levels.threshold = number_in(value, frame_tags::threshold());
        // The link's own noise, so that the drawn BER is the one at the decision.
        levels.sigma_one = number_or_zero(value, frame_tags::sigma_one());
        levels.sigma_zero = number_or_zero(value, frame_tags::sigma_zero());
        d_noise = d_core.draw(levels);
        d_active = true;
        ++d_frames;
        add_item_tag(
            0, offset, frame_tags::nd1_sigma(), pmt::from_double(d_noise.sigma_nd1));
        add_item_tag(
            0, offset, frame_tags::nd2_sigma(), pmt::from_double(d_noise.sigma_nd2));
    } catch (const std::invalid_argument& e) {
        d_active = false;
        if (d_skipped++ == 0)
            d_logger->warn(
                "frame at sample {} passed through without noise: {}", offset, e.what());
    }
}

int noise_injector_impl::work(int noutput_items,
                              gr_vector_const_void_star& input_items,
                              gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    auto* out = static_cast<float*>(output_items[0]);
    const uint64_t first = nitems_read(0);
    const uint64_t end = first + noutput_items;
    std::memcpy(out, in, static_cast<std::size_t>(noutput_items) * sizeof(float));

    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, first, end, frame_tags::frame_start());
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);

    uint64_t pos = first;
    auto noise_until = [&](uint64_t stop) {
        if (d_active && stop > pos)
            d_core.apply(out + (pos - first), pos - d_frame_first, stop - pos, d_noise);
        pos = stop;
    };
    for (const auto& t : tags) {
        noise_until(t.offset);
        start_frame(t.offset, t.value);
    }
    noise_until(end);
    return noutput_items;
}

} // namespace fiberkey
} // namespace gr
