/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "soft_frame_sync_impl.h"
#include "stream_buffers.h"

#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

soft_frame_sync::sptr soft_frame_sync::make(int max_hunt_bit_errors,
                                            double min_correlation,
                                            double level_smoothing)
{
    if (max_hunt_bit_errors < 0)
        throw std::invalid_argument("soft_frame_sync: max_hunt_bit_errors must be 0..12");
    fk::soft_frame_sync_config c;
    c.max_hunt_bit_errors = static_cast<unsigned>(max_hunt_bit_errors);
    c.min_correlation = min_correlation;
    c.level_smoothing = level_smoothing;
    return gnuradio::make_block_sptr<soft_frame_sync_impl>(c);
}

soft_frame_sync_impl::soft_frame_sync_impl(const fk::soft_frame_sync_config& config)
    : gr::block("soft_frame_sync",
                gr::io_signature::make(1, 1, sizeof(float)),
                gr::io_signature::make(1, 1, sizeof(float))),
      d_core(config),
      d_status_port(pmt::mp("status"))
{
    request_sample_buffers(*this);
    // A frame is known once its first 112 samples are in: the output lags the input by
    // output_delay samples (held in the input buffer), so that its tag lands on its first
    // sample. Output item k is input item k.
    set_tag_propagation_policy(TPP_DONT);
    message_port_register_out(d_status_port);
}

void soft_frame_sync_impl::forecast(int noutput_items,
                                    gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items + output_delay;
}

int soft_frame_sync_impl::general_work(int noutput_items,
                                       gr_vector_int& ninput_items,
                                       gr_vector_const_void_star& input_items,
                                       gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const float*>(input_items[0]);
    auto* out = static_cast<float*>(output_items[0]);
    const uint64_t first = nitems_read(0);
    const uint64_t end_in = first + static_cast<uint64_t>(ninput_items[0]);

    // Feed the core what it has not seen yet.
    if (end_in > d_fed) {
        std::vector<gr::tag_t> tags;
        get_tags_in_range(tags, 0, d_fed, end_in);
        for (const auto& t : tags)
            d_pending.push_back(t);
        d_found.clear();
        d_events.clear();
        d_core.process(in + (d_fed - first), end_in - d_fed, d_found, &d_events);
        d_fed = end_in;
    }

    for (const auto& f : d_found) {
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, frame_tags::one(), pmt::from_double(f.levels.one));
        d = pmt::dict_add(d, frame_tags::zero(), pmt::from_double(f.levels.zero));
        d = pmt::dict_add(
            d, frame_tags::threshold(), pmt::from_double(f.levels.threshold));
        d = pmt::dict_add(d, frame_tags::inverted(), pmt::from_bool(f.inverted));
        d = pmt::dict_add(d, frame_tags::sigma_one(), pmt::from_double(f.sigma_one));
        d = pmt::dict_add(d, frame_tags::sigma_zero(), pmt::from_double(f.sigma_zero));
        d = pmt::dict_add(d, frame_tags::correlation(), pmt::from_double(f.correlation));
        d = pmt::dict_add(d, frame_tags::fas_ok(), pmt::from_bool(f.fas_ok));
        gr::tag_t t;
        t.offset = f.sample;
        t.key = frame_tags::frame_start();
        t.value = d;
        t.srcid = alias_pmt();
        d_pending.push_back(t);
    }
    d_found.clear();
    for (const auto& e : d_events) {
        const bool in_frame = e.kind == fk::sync_event_kind::in_frame;
        (in_frame ? d_in_events : d_out_events)++;
        d_logger->info(
            "{} at sample {}", in_frame ? "in frame" : "out of frame", e.sample);
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(
            d, pmt::mp("event"), pmt::mp(in_frame ? "in_frame" : "out_of_frame"));
        d = pmt::dict_add(d, pmt::mp("sample"), pmt::from_uint64(e.sample));
        message_port_pub(d_status_port, d);
    }
    d_events.clear();

    // Every frame starting before end_in - output_delay has been reported by now.
    const int ready = std::min<int>(noutput_items, ninput_items[0] - output_delay);
    if (ready <= 0)
        return 0;
    std::memcpy(out, in, static_cast<std::size_t>(ready) * sizeof(float));
    const uint64_t end_out = first + static_cast<uint64_t>(ready);
    std::stable_sort(
        d_pending.begin(), d_pending.end(), [](const gr::tag_t& a, const gr::tag_t& b) {
            return a.offset < b.offset;
        });
    while (!d_pending.empty() && d_pending.front().offset < end_out) {
        const auto& t = d_pending.front();
        add_item_tag(0, t.offset, t.key, t.value, t.srcid);
        d_pending.pop_front();
    }
    consume(0, ready);

    const auto& c = d_core.counters();
    d_frames = c.frames;
    d_missed = c.missed_fas;
    d_in_frame = d_core.in_frame();
    return ready;
}

} // namespace fiberkey
} // namespace gr
