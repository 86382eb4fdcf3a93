/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "slicer_impl.h"
#include "stream_buffers.h"

#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
slicer_impl::threshold_mode parse_mode(const std::string& mode)
{
    if (mode == "tag")
        return slicer_impl::threshold_mode::tag;
    if (mode == "fixed")
        return slicer_impl::threshold_mode::fixed;
    if (mode == "adaptive")
        return slicer_impl::threshold_mode::adaptive;
    throw std::invalid_argument("slicer: mode is tag, fixed or adaptive, got '" + mode +
                                "'");
}

fk::slicer_config with_adaptive(fk::slicer_config c, bool adaptive)
{
    c.adaptive = adaptive;
    return c;
}
} // namespace

slicer::sptr slicer::make(int samples_per_bit,
                          int sample_phase,
                          const std::string& mode,
                          double threshold,
                          bool inverted,
                          double adaptation_rate)
{
    if (samples_per_bit < 1 || samples_per_bit > 1024)
        throw std::invalid_argument("slicer: samples_per_bit must be in 1..1024");
    if (sample_phase < 0 || sample_phase >= samples_per_bit)
        throw std::invalid_argument(
            "slicer: sample_phase must be in 0..samples_per_bit-1");
    fk::slicer_config c;
    c.samples_per_bit = static_cast<unsigned>(samples_per_bit);
    c.sample_phase = static_cast<unsigned>(sample_phase);
    c.threshold = static_cast<float>(threshold);
    c.inverted = inverted;
    c.adaptation_rate = static_cast<float>(adaptation_rate);
    return gnuradio::make_block_sptr<slicer_impl>(c, parse_mode(mode));
}

slicer_impl::slicer_impl(const fk::slicer_config& config, threshold_mode mode)
    : gr::sync_decimator("slicer",
                         gr::io_signature::make(1, 1, sizeof(float)),
                         gr::io_signature::make(1, 1, sizeof(uint8_t)),
                         config.samples_per_bit),
      d_mode(mode),
      d_sps(config.samples_per_bit),
      d_phase(config.sample_phase),
      d_fixed(with_adaptive(config, false)),
      d_adaptive(with_adaptive(config, true)),
      d_active(mode == threshold_mode::fixed ? &d_fixed : &d_adaptive)
{
    request_sample_buffers(*this);
    // Whole blocks of the adaptive core's 256 decisions: the decisions do not depend on
    // how the scheduler cuts the stream (the last < 256 bits of a finite stream stay).
    set_output_multiple(256);
}

void slicer_impl::switch_to(fk::slicer* next, uint64_t at)
{
    if (next == d_active)
        return;
    const auto within = static_cast<unsigned>(at % d_sps);
    next->set_sample_phase((d_phase + d_sps - within) % d_sps);
    next->set_inverted(d_active->inverted());
    d_active = next;
}

void slicer_impl::set_threshold(double threshold)
{
    if (!std::isfinite(threshold))
        throw std::invalid_argument("slicer: threshold must be finite");
    gr::thread::scoped_lock guard(d_setlock);
    d_fixed.set_threshold(static_cast<float>(threshold));
}

double slicer_impl::threshold() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_active->threshold();
}

void slicer_impl::set_inverted(bool inverted)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_fixed.set_inverted(inverted);
    d_adaptive.set_inverted(inverted);
}

bool slicer_impl::inverted() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_active->inverted();
}

std::string slicer_impl::mode() const
{
    switch (d_mode) {
    case threshold_mode::tag:
        return "tag";
    case threshold_mode::fixed:
        return "fixed";
    case threshold_mode::adaptive:
        break;
    }
    return "adaptive";
}

int slicer_impl::work(int noutput_items,
                      gr_vector_const_void_star& input_items,
                      gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const uint64_t first = nitems_read(0);
    const uint64_t end = first + static_cast<uint64_t>(noutput_items) * d_sps;

    std::vector<gr::tag_t> tags;
    get_tags_in_range(tags, 0, first, end, frame_tags::frame_start());
    std::sort(tags.begin(), tags.end(), gr::tag_t::offset_compare);

    gr::thread::scoped_lock guard(d_setlock);
    uint64_t pos = first;
    std::size_t produced = 0;
    auto decide_until = [&](uint64_t stop) {
        if (stop > pos)
            produced += d_active->process(in + (pos - first), out + produced, stop - pos);
        pos = stop;
    };
    for (const auto& t : tags) {
        decide_until(t.offset);
        if (!pmt::is_dict(t.value))
            continue;
        const pmt::pmt_t inv =
            pmt::dict_ref(t.value, frame_tags::inverted(), pmt::PMT_NIL);
        const pmt::pmt_t thr =
            pmt::dict_ref(t.value, frame_tags::threshold(), pmt::PMT_NIL);
        if (pmt::is_bool(inv)) {
            d_fixed.set_inverted(pmt::to_bool(inv));
            d_adaptive.set_inverted(pmt::to_bool(inv));
        }
        if (d_mode == threshold_mode::tag && pmt::is_real(thr) &&
            std::isfinite(pmt::to_double(thr))) {
            d_fixed.set_threshold(static_cast<float>(pmt::to_double(thr)));
            switch_to(&d_fixed, t.offset);
        }
    }
    decide_until(end);
    if (produced != static_cast<std::size_t>(noutput_items))
        throw std::logic_error("slicer: decisions out of step with the samples");
    return noutput_items;
}

} // namespace fiberkey
} // namespace gr
