/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "line_fault_injector_impl.h"
#include "stream_buffers.h"

#include <gnuradio/io_signature.h>

#include <optional>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
std::size_t burst_length(int burst_bits)
{
    if (burst_bits < 0)
        throw std::invalid_argument(
            "line_fault_injector: burst_bits must not be negative");
    return static_cast<std::size_t>(burst_bits);
}
} // namespace

line_fault_injector::sptr line_fault_injector::make(double drop_probability,
                                                    double bursts_per_frame,
                                                    int burst_bits,
                                                    double int_loss_probability,
                                                    uint64_t active_from_frame,
                                                    uint64_t active_frames,
                                                    uint64_t outage_start_frame,
                                                    uint64_t outage_frames,
                                                    const std::string& outage_fill,
                                                    uint64_t phase_bits,
                                                    uint64_t seed,
                                                    double tamper_probability)
{
    fk::line_fault_config c;
    c.drop_probability = drop_probability;
    c.bursts_per_frame = bursts_per_frame;
    c.burst_bits = burst_length(burst_bits);
    c.int_loss_probability = int_loss_probability;
    c.active_from_frame = active_from_frame;
    c.active_frames = active_frames;
    c.outage_start_frame = outage_start_frame;
    c.outage_frames = outage_frames;
    c.fill = fk::parse_outage_fill(outage_fill);
    c.phase_bits = phase_bits;
    c.tamper_probability = tamper_probability;
    return gnuradio::make_block_sptr<line_fault_injector_impl>(c, seed);
}

line_fault_injector_impl::line_fault_injector_impl(const fk::line_fault_config& config,
                                                   uint64_t seed)
    : gr::block("line_fault_injector",
                gr::io_signature::make(1, 1, sizeof(uint8_t)),
                gr::io_signature::make(1, 1, sizeof(uint8_t))),
      d_core(config, seed == 0 ? std::nullopt : std::optional<uint64_t>(seed))
{
    request_sample_buffers(*this);
    // Dropped frames shift everything after them: tags would land on the wrong bits.
    set_tag_propagation_policy(TPP_DONT);
    if (seed != 0)
        d_logger->warn("seed {}: reproducible line faults, for tests", seed);
}

fk::line_fault_counters line_fault_injector_impl::counters() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.counters();
}

template <typename Change>
void line_fault_injector_impl::reconfigure(Change change)
{
    gr::thread::scoped_lock guard(d_setlock);
    fk::line_fault_config c = d_core.config();
    change(c);
    d_core.reconfigure(c);
}

void line_fault_injector_impl::set_drop_probability(double p)
{
    reconfigure([p](fk::line_fault_config& c) { c.drop_probability = p; });
}

void line_fault_injector_impl::set_bursts(double bursts_per_frame, int burst_bits)
{
    const std::size_t bits = burst_length(burst_bits);
    reconfigure([=](fk::line_fault_config& c) {
        c.bursts_per_frame = bursts_per_frame;
        c.burst_bits = bits;
    });
}

void line_fault_injector_impl::set_int_loss_probability(double p)
{
    reconfigure([p](fk::line_fault_config& c) { c.int_loss_probability = p; });
}

void line_fault_injector_impl::set_tamper_probability(double p)
{
    reconfigure([p](fk::line_fault_config& c) { c.tamper_probability = p; });
}

void line_fault_injector_impl::set_active_window(uint64_t active_from_frame,
                                                 uint64_t active_frames)
{
    reconfigure([=](fk::line_fault_config& c) {
        c.active_from_frame = active_from_frame;
        c.active_frames = active_frames;
    });
}

void line_fault_injector_impl::set_outage(uint64_t outage_start_frame,
                                          uint64_t outage_frames,
                                          const std::string& outage_fill)
{
    const auto fill = fk::parse_outage_fill(outage_fill);
    reconfigure([=](fk::line_fault_config& c) {
        c.outage_start_frame = outage_start_frame;
        c.outage_frames = outage_frames;
        c.fill = fill;
    });
}

void line_fault_injector_impl::forecast(int noutput_items,
                                        gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items;
}

int line_fault_injector_impl::general_work(int noutput_items,
                                           gr_vector_int& ninput_items,
                                           gr_vector_const_void_star& input_items,
                                           gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);
    const int n = std::min(noutput_items, ninput_items[0]);
    gr::thread::scoped_lock guard(d_setlock);
    const auto written = d_core.process(std::span<const uint8_t>(in, n), out);
    consume_each(n);
    return static_cast<int>(written);
}

} // namespace fiberkey
} // namespace gr
